#!/usr/bin/env bash
# The sixteenth round (2026-12-05, the same AMD EPYC machine as rounds eleven
# to fifteen; no GPU lent): the second layout (v2b) on the CPU, continued.
# HUALE's selection first (5 seeds), so the §4 ablations of its selection
# (flat, then the single-stage rows) pair on this machine with both Random and
# HUALE's selection. Every row copies the cycle-0 model that this machine's
# v2b Random stored in round fifteen (`runs/v2b_i800_random`). Lines are full
# spec names (PREFIX empty). What ran: README ("Round sixteen").
set -euo pipefail
cd "$(dirname "$0")/../.."
LOG_DIR=${LOG_DIR:-/tmp}
QUEUE=${QUEUE:-$LOG_DIR/run16.queue}
QUEUE_INIT="v2b_huale_selection 0
v2b_huale_selection 1
v2b_huale_selection 2
v2b_huale_selection 3
v2b_huale_selection 4
v2b_flat 0
v2b_flat 1
v2b_flat 2
v2b_flat 3
v2b_flat 4
v2b_only_localization_confidence 0
v2b_only_semantic_affinity 0
v2b_only_localization_confidence 1
v2b_only_semantic_affinity 1
v2b_only_localization_confidence 2
v2b_only_semantic_affinity 2"
[ -f "$QUEUE" ] || echo "$QUEUE_INIT" > "$QUEUE"
[ -d data/fmnist_det/v2b ] || bazel-out/k8-opt/bin/tools/make_fmnist_det --profile=v2b --output_dir=data/fmnist_det/v2b
PREFIX= bash results/benchmark_v2_2026-12-04/queue_lanes.sh "$QUEUE" v2_lane16 "$LOG_DIR/lane16_a.log" "$LOG_DIR/lane16_b.log"
# After the queue emptied (19:21), one more run on one lane, beside the CI
# pre-check (19:23):
#   bazel-out/k8-opt/bin/experiments/sweep --name=v2_lane16 --seeds=3 \
#     --specs=$PWD/results/benchmark_v2_2026-12-04/specs/v2b_only_localization_confidence.pbtxt
