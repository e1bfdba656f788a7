#!/usr/bin/env bash
# Two v2a lanes, one thread each, popping "SPEC_SUFFIX SEED" lines from a queue
# file (under a lock) so the order can change while they run; each line runs
# specs/<PREFIX><SPEC_SUFFIX>.pbtxt for that seed with the -c opt sweep. Used by
# run7.sh .. run10.sh:
#   queue_lanes.sh QUEUE SWEEP_NAME LOG_A LOG_B
# Environment (defaults for run7.sh .. run9.sh): SWEEP, the sweep binary
# (this checkout's -c opt one); RUN_DIR, where the runs go (runs/ under it; this
# checkout); PREFIX (v2a_); SWEEP_FLAGS, more flags for the sweep (none).
set -euo pipefail
[ $# -eq 4 ] || { sed -n 2,10p "$0"; exit 2; }
QUEUE=$(realpath "$1") NAME=$2
LOG_A=$(realpath "$3") LOG_B=$(realpath "$4")
cd "$(dirname "$0")/../.."
SWEEP=$(realpath "${SWEEP:-bazel-out/k8-opt/bin/experiments/sweep}")
D=$PWD/results/benchmark_v2_2026-12-04/specs
PREFIX=${PREFIX-v2a_}  # set but empty: lines name whole specs
SWEEP_FLAGS=${SWEEP_FLAGS:-}
cd "${RUN_DIR:-.}"
pop() {  # prints and removes the queue's first line, under a lock
  flock "$QUEUE.lock" sh -c 'head -n 1 "$1"; sed -i 1d "$1"' _ "$QUEUE"
}
lane() {
  while line=$(pop) && [ -n "$line" ]; do
    set -- $line
    echo "== $(date -u +%H:%M:%S) $PREFIX$1 seed $2"
    $SWEEP --specs=$D/$PREFIX$1.pbtxt --seeds=$2 --name=$NAME $SWEEP_FLAGS ||
      echo "!! $PREFIX$1 seed $2 failed"
  done
}
lane > "$LOG_A" 2>&1 &
sleep 5
lane > "$LOG_B" 2>&1 &
wait
