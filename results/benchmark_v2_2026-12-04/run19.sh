#!/usr/bin/env bash
# The nineteenth round (2026-12-06, the same AMD EPYC machine type as rounds
# eleven to eighteen; no GPU lent): full HUALE (selection and losses) on the
# second layout (v2b) on the CPU, seeds 0-4, so that the §4 ablations of round
# eighteen can be placed between full HUALE and HUALE's selection on one
# machine. Each seed trains its own cycle-0 model. Then losses-only (HUALE's
# losses and IoU head, random selection), which shares full HUALE's cycle-0
# model seed by seed, so "v2b_huale − v2b_losses_only" is HUALE's selection
# under its own losses. Lines are full spec names (PREFIX empty). What ran:
# README ("Round nineteen").
set -euo pipefail
cd "$(dirname "$0")/../.."
LOG_DIR=${LOG_DIR:-/tmp}
QUEUE=${QUEUE:-$LOG_DIR/run19.queue}
QUEUE_INIT="v2b_huale 0
v2b_huale 1
v2b_huale 2
v2b_huale 3
v2b_huale 4
v2b_losses_only 0
v2b_losses_only 1
v2b_losses_only 2
v2b_losses_only 3
v2b_losses_only 4"
[ -f "$QUEUE" ] || echo "$QUEUE_INIT" > "$QUEUE"
[ -f data/fmnist_det/pretrain/small_fpn_body.pt ] || bazel-out/k8-opt/bin/tools/pretrain_backbone --threads=2 --seed=0
[ -d data/fmnist_det/v2b ] || bazel-out/k8-opt/bin/tools/make_fmnist_det --profile=v2b --output_dir=data/fmnist_det/v2b
PREFIX= bash results/benchmark_v2_2026-12-04/queue_lanes.sh "$QUEUE" v2_lane19 "$LOG_DIR/lane19_a.log" "$LOG_DIR/lane19_b.log"
