#!/usr/bin/env bash
# The eighth round (2026-12-04, from 16:40 UTC): run7.sh's lanes (two, one
# thread each, popping "SPEC SEED" lines from a queue file so the order can
# change while they run) over the rows still short of seeds. First the three
# runs run7.sh left unfinished (CALD seed 0, no IoU head under random selection
# seed 1, CD alone seed 1; they resume), then seeds 3 and 4 of the smooth-L1
# ablation (HUALE's selection, HUALE's losses with smooth-L1 for EIoU) and of
# the same losses under random selection (they share the cycle-0 model the
# first trains), then the method doc's other two loss ablations under HUALE's
# selection (no Emphasis, no IoU head; each trains its cycle-0 model) and
# second seeds of the single-stage rows. The order as started is QUEUE_INIT.
# As run (lane logs, by start time): cald 0 (resumed), lo_no_iou_head 1
# (resumed), smooth_l1 3, smooth_l1 4, lo_smooth_l1 3, lo_smooth_l1 4,
# only_category_diversity 1 (resumed), no_emphasis 0, no_iou_head 0, entropy 1,
# flat 1, only_localization_confidence 2, only_overlap_ratio 1, cald 1; all
# finished, the last at 18:57 UTC.
set -euo pipefail
cd "$(dirname "$0")/../.."
LOG_DIR=${LOG_DIR:-/tmp}
QUEUE=${QUEUE:-$LOG_DIR/run8.queue}
QUEUE_INIT="cald 0
lo_no_iou_head 1
smooth_l1 3
smooth_l1 4
lo_smooth_l1 3
lo_smooth_l1 4
only_category_diversity 1
no_emphasis 0
no_iou_head 0
entropy 1
flat 1
only_localization_confidence 2
only_overlap_ratio 1
cald 1"
[ -f "$QUEUE" ] || echo "$QUEUE_INIT" > "$QUEUE"
bash results/benchmark_v2_2026-12-04/queue_lanes.sh "$QUEUE" v2a_i800_lane20 "$LOG_DIR/lane_k.log" "$LOG_DIR/lane_l.log"
