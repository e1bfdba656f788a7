#!/usr/bin/env bash
# The commands that made this folder's tables (results/benchmark_v2_2026-12-04).
# Two sweeps side by side, one intra-op thread each (the specs set threads: 1),
# so the machine's 2 cores run two trainings at once; each sweep is resumable
# (run it again after a kill). The report reads every finished cycle of both.
set -euo pipefail
cd "$(dirname "$0")/../.."
bazel build -c opt //tools:make_fmnist_det //tools:pretrain_backbone //experiments:sweep
[ -d data/fmnist_det/v2a ] || bazel-bin/tools/make_fmnist_det --profile=v2a
[ -f data/fmnist_det/pretrain/small_fpn_body.pt ] || bazel-bin/tools/pretrain_backbone --threads=2 --seed=0
D=results/benchmark_v2_2026-12-04/specs
SPECS=${SPECS:-$D/v2a_random.pbtxt,$D/v2a_huale_selection.pbtxt}
bazel-bin/experiments/sweep --specs="$SPECS" --seeds=0,2 --name=v2a_i800_lane0 > "${LOG_DIR:-/tmp}/lane0.log" 2>&1 &
bazel-bin/experiments/sweep --specs="$SPECS" --seeds=1,3 --name=v2a_i800_lane1 > "${LOG_DIR:-/tmp}/lane1.log" 2>&1 &
wait
# (the report: run2.sh)
