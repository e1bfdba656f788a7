#!/usr/bin/env bash
# The twenty-second round (2026-12-06, same machine type and the binary of
# rounds twenty and twenty-one, built from 79502b6's library): HUA alone on v2b,
# seeds 2-4 (sharing round twenty's cycle-0 models through the cache), then
# full HUALE with HUA retrieval on v2b (specs/v2b_huale_full_hua_retrieval:
# v2b_huale.pbtxt with HualeOptions.retrieval HUA_AGGREGATION), 5 seeds; it
# trains its own cycle-0 model (HUALE's losses). v2a's full-HUALE row last, as
# far as the session goes. What ran: README ("Round twenty-two").
set -euo pipefail
cd "$(dirname "$0")/../.."
LOG_DIR=${LOG_DIR:-/tmp}
QUEUE=${QUEUE:-$LOG_DIR/run22.queue}
QUEUE_INIT="v2b_hua 2
v2b_hua 3
v2b_huale_full_hua_retrieval 0
v2b_huale_full_hua_retrieval 1
v2b_hua 4
v2b_huale_full_hua_retrieval 2
v2b_huale_full_hua_retrieval 3
v2b_huale_full_hua_retrieval 4
v2a_huale_full_hua_retrieval 0
v2a_huale_full_hua_retrieval 1"
[ -f "$QUEUE" ] || echo "$QUEUE_INIT" > "$QUEUE"
[ -f data/fmnist_det/pretrain/small_fpn_body.pt ] || bazel-out/k8-opt/bin/tools/pretrain_backbone --threads=2 --seed=0
for L in v2a v2b; do
  [ -d data/fmnist_det/$L ] || bazel-out/k8-opt/bin/tools/make_fmnist_det --profile=$L --output_dir=data/fmnist_det/$L
done
PREFIX= bash results/benchmark_v2_2026-12-04/queue_lanes.sh "$QUEUE" v2_lane22 "$LOG_DIR/lane22_a.log" "$LOG_DIR/lane22_b.log"
