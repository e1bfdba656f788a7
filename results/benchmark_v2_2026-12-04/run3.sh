#!/usr/bin/env bash
# The third round (after run.sh and run2.sh): PPAL-style seeds 1-4, HUALE in
# full (its losses and IoU head; its own cycle-0 model) seeds 0-4, core-set.
# Two lanes side by side, one intra-op thread each; every sweep is resumable
# (run this again after a kill: finished cycles are kept). Methods that train
# cycle 0 as Random does share its model (runs/shared/initial_models).
set -euo pipefail
cd "$(dirname "$0")/../.."
bazel build -c opt //experiments:sweep
SWEEP=bazel-out/k8-opt/bin/experiments/sweep
D=results/benchmark_v2_2026-12-04/specs
LOG_DIR=${LOG_DIR:-/tmp}
(
  $SWEEP --specs=$D/v2a_ppal.pbtxt --seeds=1,2 --name=v2a_i800_lane4
  $SWEEP --specs=$D/v2a_huale.pbtxt --seeds=0,1,2 --name=v2a_i800_lane5
) > "$LOG_DIR/lane_a.log" 2>&1 &
(
  $SWEEP --specs=$D/v2a_ppal.pbtxt --seeds=3,4 --name=v2a_i800_lane6
  $SWEEP --specs=$D/v2a_huale.pbtxt --seeds=3,4 --name=v2a_i800_lane7
  $SWEEP --specs=$D/v2a_core_set.pbtxt --seeds=0,1 --name=v2a_i800_lane8
) > "$LOG_DIR/lane_b.log" 2>&1 &
wait
$SWEEP --specs=$D/v2a_random.pbtxt,$D/v2a_huale_selection.pbtxt,$D/v2a_ppal.pbtxt,$D/v2a_huale.pbtxt --seeds=0,1,2,3,4 --name=v2a_i800 --report_only
