#!/usr/bin/env bash
# The eighteenth round (2026-12-05, the same AMD EPYC machine as rounds eleven
# to seventeen; no GPU lent): the second layout (v2b) on the CPU, finished. The
# two §4 loss ablations that train their own cycle 0 (no Emphasis, no IoU
# head), seeds 1-4, then entropy (HUALE's retrieval stage alone), which copies
# the cycle-0 model of this machine's v2b Random (round fifteen,
# `runs/v2b_i800_random`), seed by seed. Lines are full spec names (PREFIX
# empty). What ran: README ("Round eighteen").
set -euo pipefail
cd "$(dirname "$0")/../.."
LOG_DIR=${LOG_DIR:-/tmp}
QUEUE=${QUEUE:-$LOG_DIR/run18.queue}
QUEUE_INIT="v2b_no_emphasis 1
v2b_no_iou_head 1
v2b_no_emphasis 2
v2b_no_iou_head 2
v2b_no_emphasis 3
v2b_no_iou_head 3
v2b_no_emphasis 4
v2b_no_iou_head 4
v2b_entropy 0
v2b_entropy 1
v2b_entropy 2
v2b_entropy 3
v2b_entropy 4"
[ -f "$QUEUE" ] || echo "$QUEUE_INIT" > "$QUEUE"
[ -d data/fmnist_det/v2b ] || bazel-out/k8-opt/bin/tools/make_fmnist_det --profile=v2b --output_dir=data/fmnist_det/v2b
PREFIX= bash results/benchmark_v2_2026-12-04/queue_lanes.sh "$QUEUE" v2_lane18 "$LOG_DIR/lane18_a.log" "$LOG_DIR/lane18_b.log"
