#!/usr/bin/env bash
# The seventeenth round (2026-12-05, the same AMD EPYC machine as rounds eleven
# to sixteen; no GPU lent): the second layout (v2b) on the CPU, continued. The
# single-stage rows to five seeds (LC alone seed 4, SA alone seeds 3-4), then
# CD alone and OR alone, seed by seed, then the two §4 loss ablations that
# train their own cycle 0 (no Emphasis, no IoU head), seed 0. The selection
# rows copy the cycle-0 model of this machine's v2b Random (round fifteen,
# `runs/v2b_i800_random`). Lines are full spec names (PREFIX empty). What
# ran: README ("Round seventeen").
set -euo pipefail
cd "$(dirname "$0")/../.."
LOG_DIR=${LOG_DIR:-/tmp}
QUEUE=${QUEUE:-$LOG_DIR/run17.queue}
QUEUE_INIT="v2b_only_localization_confidence 4
v2b_only_semantic_affinity 3
v2b_only_semantic_affinity 4
v2b_only_category_diversity 0
v2b_only_overlap_ratio 0
v2b_only_category_diversity 1
v2b_only_overlap_ratio 1
v2b_only_category_diversity 2
v2b_only_overlap_ratio 2
v2b_only_category_diversity 3
v2b_only_overlap_ratio 3
v2b_only_category_diversity 4
v2b_only_overlap_ratio 4
v2b_no_emphasis 0
v2b_no_iou_head 0"
[ -f "$QUEUE" ] || echo "$QUEUE_INIT" > "$QUEUE"
[ -d data/fmnist_det/v2b ] || bazel-out/k8-opt/bin/tools/make_fmnist_det --profile=v2b --output_dir=data/fmnist_det/v2b
PREFIX= bash results/benchmark_v2_2026-12-04/queue_lanes.sh "$QUEUE" v2_lane17 "$LOG_DIR/lane17_a.log" "$LOG_DIR/lane17_b.log"
