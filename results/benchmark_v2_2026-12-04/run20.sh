#!/usr/bin/env bash
# The twentieth round (2026-12-06, the same AMD EPYC machine type as rounds
# eleven to nineteen; no GPU lent): a selection-side change. HUALE's selection
# with HUA's hierarchical aggregation as its stage-1 retrieval
# (HualeOptions.retrieval) on both layouts on the CPU, seeds 0-4:
# specs/v2b_huale_hua_retrieval.pbtxt, then specs/v2a_huale_hua_retrieval.pbtxt.
# Each seed retrains Random's cycle-0 model (the binary was rebuilt, so the
# cache missed; training is deterministic, so it equals the committed Random's).
# The queue first held "v2b_hua 0..4" after the v2b lines; while it ran, they
# were replaced by the v2a lines (HUA alone did not run). Lines are full spec
# names (PREFIX empty). What ran: README ("Round twenty").
set -euo pipefail
cd "$(dirname "$0")/../.."
LOG_DIR=${LOG_DIR:-/tmp}
QUEUE=${QUEUE:-$LOG_DIR/run20.queue}
QUEUE_INIT="v2b_huale_hua_retrieval 0
v2b_huale_hua_retrieval 1
v2b_huale_hua_retrieval 2
v2b_huale_hua_retrieval 3
v2b_huale_hua_retrieval 4
v2a_huale_hua_retrieval 0
v2a_huale_hua_retrieval 1
v2a_huale_hua_retrieval 2
v2a_huale_hua_retrieval 3
v2a_huale_hua_retrieval 4"
[ -f "$QUEUE" ] || echo "$QUEUE_INIT" > "$QUEUE"
[ -f data/fmnist_det/pretrain/small_fpn_body.pt ] || bazel-out/k8-opt/bin/tools/pretrain_backbone --threads=2 --seed=0
[ -d data/fmnist_det/v2b ] || bazel-out/k8-opt/bin/tools/make_fmnist_det --profile=v2b --output_dir=data/fmnist_det/v2b
[ -d data/fmnist_det/v2a ] || bazel-out/k8-opt/bin/tools/make_fmnist_det --profile=v2a --output_dir=data/fmnist_det/v2a
PREFIX= bash results/benchmark_v2_2026-12-04/queue_lanes.sh "$QUEUE" v2_lane20 "$LOG_DIR/lane20_a.log" "$LOG_DIR/lane20_b.log"
