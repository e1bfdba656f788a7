#!/usr/bin/env bash
# The fifteenth round (2026-12-05, the same AMD EPYC machine as rounds eleven
# to fourteen; no GPU lent): (1) losses-only (HUALE's losses, random
# selection) for seeds 2-4 on this machine, so the loss-diagnosis rows of
# round fourteen pair with it on one machine; (2) the second layout (v2b) on
# the CPU: Random, then the rows the H200 calls left out, each seed paired
# with this machine's v2b Random (never with the H200's). The v2b data come
# from `make_fmnist_det --profile=v2b` (deterministic; the counts in its
# log equal the H200 call's). Lines are full spec names (PREFIX empty); a
# seed's v2b rows come after its v2b Random has stored the cycle-0 model they
# copy. The first five lines started at 14:13; the rest were appended at
# 14:24, while they ran. What ran: README ("Round fifteen").
set -euo pipefail
cd "$(dirname "$0")/../.."
LOG_DIR=${LOG_DIR:-/tmp}
QUEUE=${QUEUE:-$LOG_DIR/run15.queue}
QUEUE_INIT="v2b_random 0
v2a_losses_only 2
v2a_losses_only 3
v2b_random 1
v2a_losses_only 4
v2b_random 2
v2b_cald 0
v2b_cald 1
v2b_random 3
v2b_cald 2
v2b_random 4
v2b_cald 3
v2b_cald 4
v2b_core_set 0
v2b_core_set 1
v2b_core_set 2
v2b_core_set 3
v2b_core_set 4"
[ -f "$QUEUE" ] || echo "$QUEUE_INIT" > "$QUEUE"
[ -d data/fmnist_det/v2b ] || bazel-out/k8-opt/bin/tools/make_fmnist_det --profile=v2b --output_dir=data/fmnist_det/v2b
PREFIX= bash results/benchmark_v2_2026-12-04/queue_lanes.sh "$QUEUE" v2_lane15 "$LOG_DIR/lane15_a.log" "$LOG_DIR/lane15_b.log"
