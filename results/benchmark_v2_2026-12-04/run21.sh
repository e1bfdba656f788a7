#!/usr/bin/env bash
# The twenty-first round (2026-12-06, right after round twenty, same machine and
# binary): HUA alone on v2b on the CPU, seeds 0-1, which is what fit the
# session. It shares round twenty's cycle-0 models (the cache key includes the
# binary, so run it with round twenty's build), so "v2b_huale_hua_retrieval −
# v2b_hua" pairs on one machine: does the cascade after HUA's retrieval add or
# cost? Queue more seeds as "v2b_hua SEED" lines. What ran: README ("Round
# twenty").
set -euo pipefail
cd "$(dirname "$0")/../.."
LOG_DIR=${LOG_DIR:-/tmp}
QUEUE=${QUEUE:-$LOG_DIR/run21.queue}
QUEUE_INIT="v2b_hua 0
v2b_hua 1"
[ -f "$QUEUE" ] || echo "$QUEUE_INIT" > "$QUEUE"
[ -f data/fmnist_det/pretrain/small_fpn_body.pt ] || bazel-out/k8-opt/bin/tools/pretrain_backbone --threads=2 --seed=0
[ -d data/fmnist_det/v2b ] || bazel-out/k8-opt/bin/tools/make_fmnist_det --profile=v2b --output_dir=data/fmnist_det/v2b
PREFIX= bash results/benchmark_v2_2026-12-04/queue_lanes.sh "$QUEUE" v2_lane21 "$LOG_DIR/lane21_a.log" "$LOG_DIR/lane21_b.log"
