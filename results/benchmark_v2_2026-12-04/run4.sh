#!/usr/bin/env bash
# The fourth round (after run3.sh, each lane starting when one of run3.sh's
# ended): random selection under HUALE's losses (the ablation that isolates
# HUALE's selection under its own losses; it shares v2a_huale's cycle-0 model)
# and more core-set seeds. Resumable as the others.
set -euo pipefail
cd "$(dirname "$0")/../.."
bazel build -c opt //experiments:sweep
SWEEP=bazel-out/k8-opt/bin/experiments/sweep
D=results/benchmark_v2_2026-12-04/specs
LOG_DIR=${LOG_DIR:-/tmp}
$SWEEP --specs=$D/v2a_losses_only.pbtxt --seeds=0,1,2,3 --name=v2a_i800_lane9 > "$LOG_DIR/lane_c.log" 2>&1 &
$SWEEP --specs=$D/v2a_core_set.pbtxt --seeds=2,3 --name=v2a_i800_lane10 > "$LOG_DIR/lane_d.log" 2>&1 &
wait
# The report over every method (baseline Random):
$SWEEP --specs=$D/v2a_random.pbtxt,$D/v2a_huale_selection.pbtxt,$D/v2a_ppal.pbtxt,$D/v2a_core_set.pbtxt,$D/v2a_huale.pbtxt,$D/v2a_losses_only.pbtxt --seeds=0,1,2,3,4 --name=v2a_i800 --report_only
