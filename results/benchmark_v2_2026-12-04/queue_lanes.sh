#!/usr/bin/env bash
# Two v2a lanes, one thread each, popping "SPEC_SUFFIX SEED" lines from a queue
# file (under a lock) so the order can change while they run; each line runs
# specs/v2a_<SPEC_SUFFIX>.pbtxt for that seed with the -c opt sweep. Used by
# run7.sh and run8.sh:
#   queue_lanes.sh QUEUE SWEEP_NAME LOG_A LOG_B
set -euo pipefail
[ $# -eq 4 ] || { sed -n 2,7p "$0"; exit 2; }
QUEUE=$1 NAME=$2
cd "$(dirname "$0")/../.."
SWEEP=bazel-out/k8-opt/bin/experiments/sweep
D=results/benchmark_v2_2026-12-04/specs
pop() {  # prints and removes the queue's first line, under a lock
  flock "$QUEUE.lock" sh -c 'head -n 1 "$1"; sed -i 1d "$1"' _ "$QUEUE"
}
lane() {
  while line=$(pop) && [ -n "$line" ]; do
    set -- $line
    echo "== $(date -u +%H:%M:%S) v2a_$1 seed $2"
    $SWEEP --specs=$D/v2a_$1.pbtxt --seeds=$2 --name=$NAME || echo "!! v2a_$1 seed $2 failed"
  done
}
lane > "$3" 2>&1 &
sleep 5
lane > "$4" 2>&1 &
wait
