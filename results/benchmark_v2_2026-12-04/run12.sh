#!/usr/bin/env bash
# The twelfth round (2026-12-05, from 02:13 UTC, on the same AMD EPYC
# machine as round eleven; its runs/, data and backbone were still there). Each
# run pairs with Random's run on this machine (epyc/). First the v2a rows still
# short of five seeds (no Emphasis 4, no IoU head 3 and 4, the single-stage
# rows' seed 4, which reuse Random seed 4's cycle-0 model here), then full HUALE
# seeds 2-4 here so that the §4 ablations' EPYC seeds have a full-HUALE pair.
# At 02:16 the queue got a tail: Random, full HUALE and HUALE's selection on
# seeds 0 and 1 here, so that this machine holds all five seeds of the
# headline rows (each seed's Random run comes two lines before the selection
# run that reuses its cycle-0 model). Adjacent lines never train the same
# cycle-0 model. What ran is in the README ("Round twelve").
set -euo pipefail
cd "$(dirname "$0")/../.."
LOG_DIR=${LOG_DIR:-/tmp}
QUEUE=${QUEUE:-$LOG_DIR/run12.queue}
QUEUE_INIT="no_emphasis 4
no_iou_head 3
only_localization_confidence 4
no_iou_head 4
only_semantic_affinity 4
huale 4
only_category_diversity 4
huale 2
only_overlap_ratio 4
huale 3
random 0
huale 0
random 1
huale_selection 0
huale 1
huale_selection 1"
[ -f "$QUEUE" ] || echo "$QUEUE_INIT" > "$QUEUE"
bash results/benchmark_v2_2026-12-04/queue_lanes.sh "$QUEUE" v2a_i800_lane23 "$LOG_DIR/lane_u.log" "$LOG_DIR/lane_v.log"
