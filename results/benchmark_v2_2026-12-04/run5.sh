#!/usr/bin/env bash
# The fifth round (session of 2026-12-04, 10:45 UTC on): the last seed of
# core-set and losses-only, then the oracle ceiling and HUA selection-only,
# 5 seeds each. Two lanes side by side, one thread each; resumable as the others
# (re-running a lane skips its finished cycles).
set -euo pipefail
cd "$(dirname "$0")/../.."
bazel build -c opt //experiments:sweep
SWEEP=bazel-out/k8-opt/bin/experiments/sweep
D=results/benchmark_v2_2026-12-04/specs
LOG_DIR=${LOG_DIR:-/tmp}
( $SWEEP --specs=$D/v2a_core_set.pbtxt --seeds=4 --name=v2a_i800_lane11 &&
  $SWEEP --specs=$D/v2a_oracle_class_balanced.pbtxt --seeds=0,1,2,3,4 --name=v2a_i800_lane13 ) > "$LOG_DIR/lane_e.log" 2>&1 &
( $SWEEP --specs=$D/v2a_losses_only.pbtxt --seeds=4 --name=v2a_i800_lane12 &&
  $SWEEP --specs=$D/v2a_hua.pbtxt --seeds=0,1,2,3,4 --name=v2a_i800_lane14 ) > "$LOG_DIR/lane_f.log" 2>&1 &
wait
