#!/usr/bin/env bash
# The ninth round (2026-12-04, from 19:35 UTC): run8.sh's lanes (two, one
# thread each, popping "SPEC SEED" lines from a queue file) over the rows still
# short of seeds. First the second seeds of the two §4 ablations still at one
# seed (no Emphasis, no IoU head; each shares the cycle-0 model its loss
# diagnosis row trained for seed 1), then seeds 2–4 of the selection-only rows
# entropy, CALD and flat, then third seeds of the ablations and of the
# single-stage rows. The order as started is QUEUE_INIT.
# As run (lane logs, by start time): no_emphasis 1, no_iou_head 1 (19:31 ->
# 19:53); the queue then waited for run10.sh (19:53 -> 20:43); entropy 2,
# cald 2, flat 2, entropy 3, cald 3, flat 3, entropy 4 (the last from 21:45).
# The rest of QUEUE_INIT (cald 4, flat 4, no_emphasis 2, no_iou_head 2, the
# single-stage seeds) was taken off the queue at 21:13 for time.
set -euo pipefail
cd "$(dirname "$0")/../.."
LOG_DIR=${LOG_DIR:-/tmp}
QUEUE=${QUEUE:-$LOG_DIR/run9.queue}
QUEUE_INIT="no_emphasis 1
no_iou_head 1
entropy 2
cald 2
flat 2
entropy 3
cald 3
flat 3
entropy 4
cald 4
flat 4
no_emphasis 2
no_iou_head 2
only_semantic_affinity 2
only_category_diversity 2
only_overlap_ratio 2
only_localization_confidence 3"
[ -f "$QUEUE" ] || echo "$QUEUE_INIT" > "$QUEUE"
bash results/benchmark_v2_2026-12-04/queue_lanes.sh "$QUEUE" v2a_i800_lane21 "$LOG_DIR/lane_m.log" "$LOG_DIR/lane_n.log"
