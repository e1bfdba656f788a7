#!/usr/bin/env bash
# The seventh round (2026-12-04, from 13:40 UTC): two lanes, one thread each,
# popping "SPEC SEED" lines from a queue file (QUEUE, default below) so the
# order can change while they run. The order as started is QUEUE_INIT below:
# first the two loss-diagnosis variants left from run6.sh (seed 0: smooth-L1
# for EIoU, no Emphasis), then the
# single-metric cascades (SA, CD, OR, LC alone) and the entropy, flat and CALD
# selections, seed 0 of each before seed 1. Every selection-only spec shares
# Random's cycle-0 model (same binary as run.sh). Resumable as the others.
# At 13:42 the smooth-L1 specs were mended (Emphasis's box term was still
# EIoU): the started smooth-L1 run was stopped, its folder moved to
# runs/superseded/, and "lo_smooth_l1 0" put back at the queue's head.
# As run (lane logs, by start time): lo_no_emphasis 0, only_semantic_affinity 0,
# lo_smooth_l1 0, only_category_diversity 0, only_overlap_ratio 0,
# lo_smooth_l1 1, smooth_l1 0, only_localization_confidence 0,
# lo_no_emphasis 1, smooth_l1 1, entropy 0, flat 0, lo_smooth_l1 2,
# only_localization_confidence 1, smooth_l1 2, only_semantic_affinity 1; then
# cald 0 and only_category_diversity 1, stopped unfinished at 16:16 (moved
# to runs/unfinished/; move back to resume).
set -euo pipefail
cd "$(dirname "$0")/../.."
LOG_DIR=${LOG_DIR:-/tmp}
QUEUE=${QUEUE:-$LOG_DIR/run7.queue}
QUEUE_INIT="lo_smooth_l1 0
lo_no_emphasis 0
only_semantic_affinity 0
only_category_diversity 0
only_overlap_ratio 0
only_localization_confidence 0
entropy 0
flat 0
cald 0
only_semantic_affinity 1
only_category_diversity 1
only_overlap_ratio 1
only_localization_confidence 1"
[ -f "$QUEUE" ] || echo "$QUEUE_INIT" > "$QUEUE"
bash results/benchmark_v2_2026-12-04/queue_lanes.sh "$QUEUE" v2a_i800_lane19 "$LOG_DIR/lane_i.log" "$LOG_DIR/lane_j.log"
