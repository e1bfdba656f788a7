#!/usr/bin/env bash
# The tenth round (2026-12-04, from about 19:55 UTC): six cycles (issue 15 §1).
# Cycles 4 and 5 (500 and 600 labelled images) added with --extend to copies of
# the finished 4-cycle runs of Random and HUALE's selection, seeds 0-4 (HUA's
# spec, v2a6_hua, is ready; its runs were not copied nor extended):
# cycle 3 selects with its own model, then cycles 4 and 5 train, evaluate and
# select as a 6-cycle run would (each cycle's draws are seeded by seed and
# cycle; resume_test checks that an extended run equals one started longer).
# The copies live in RUN_DIR (default /work/c6: data/ and experiments/ linked to
# this checkout, runs/<name>/seed<k> copied from this checkout's runs/), so the
# 4-cycle runs stay as they are. SWEEP: a -c opt sweep with --extend (built at
# 06ca54e in a clone, as this checkout's own -c opt binary must stay the one
# the 4-cycle runs share their cycle-0 models with). The same two lanes as
# run7.sh .. run9.sh (queue_lanes.sh); the order as started is QUEUE_INIT.
# As run: 19:53:49 -> 20:49:43, all ten finished (extending took 8-9 min a
# Random run, 12 min a HUALE-selection run; one lane idle 20:37 -> 20:43, then
# round nine's rest started beside the last run).
set -euo pipefail
cd "$(dirname "$0")/../.."
LOG_DIR=${LOG_DIR:-/tmp}
QUEUE=${QUEUE:-$LOG_DIR/run10.queue}
QUEUE_INIT="random 0
huale_selection 0
random 1
huale_selection 1
random 2
huale_selection 2
random 3
huale_selection 3
random 4
huale_selection 4"
[ -f "$QUEUE" ] || echo "$QUEUE_INIT" > "$QUEUE"
export RUN_DIR=${RUN_DIR:-/work/c6} SWEEP=${SWEEP:-/work/huale-ext/bazel-bin/experiments/sweep}
export PREFIX=v2a6_ SWEEP_FLAGS=--extend
bash results/benchmark_v2_2026-12-04/queue_lanes.sh "$QUEUE" v2a6_lane1 "$LOG_DIR/lane_o.log" "$LOG_DIR/lane_p.log"
