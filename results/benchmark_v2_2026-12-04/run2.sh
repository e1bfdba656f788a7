#!/usr/bin/env bash
# The second round (after run.sh): the fifth seed, Random on one core and
# HUALE's selection on the other (each trains the same cycle-0 model: the
# results are the same bytes as when shared), then the report over all five.
set -euo pipefail
cd "$(dirname "$0")/../.."
bazel build -c opt //experiments:sweep
SWEEP=bazel-out/k8-opt/bin/experiments/sweep
D=results/benchmark_v2_2026-12-04/specs
LOG_DIR=${LOG_DIR:-/tmp}
$SWEEP --specs=$D/v2a_random.pbtxt --seeds=4 --name=v2a_i800_lane2 > "$LOG_DIR/lane2.log" 2>&1 &
$SWEEP --specs=$D/v2a_huale_selection.pbtxt --seeds=4 --name=v2a_i800_lane3 > "$LOG_DIR/lane3.log" 2>&1 &
wait
$SWEEP --specs=$D/v2a_random.pbtxt,$D/v2a_huale_selection.pbtxt --seeds=0,1,2,3,4 --name=v2a_i800 --report_only
