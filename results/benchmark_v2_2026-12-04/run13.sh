#!/usr/bin/env bash
# The thirteenth round (2026-12-05, from about 09:10 UTC, on the same AMD EPYC
# machine as rounds eleven and twelve; its runs/, data and backbone were still
# there). One change to HUALE's losses, fixed before any run: the EIoU box term
# over every sampled RoI at loss weight 10 (mmdetection's convention for
# decoded-box IoU losses; specs/v2a_eiou_over_rois.pbtxt), in full HUALE and
# under random selection (specs/v2a_lo_eiou_over_rois.pbtxt). Each seed's full
# HUALE run trains the cycle-0 model that its random-selection run reuses (it
# comes at least one line earlier), and each pairs with Random's and full
# HUALE's runs on this machine (epyc/). What ran is in the README ("Round
# thirteen").
set -euo pipefail
cd "$(dirname "$0")/../.."
LOG_DIR=${LOG_DIR:-/tmp}
QUEUE=${QUEUE:-$LOG_DIR/run13.queue}
QUEUE_INIT="eiou_over_rois 0
eiou_over_rois 1
lo_eiou_over_rois 0
eiou_over_rois 2
lo_eiou_over_rois 1
eiou_over_rois 3
lo_eiou_over_rois 2
eiou_over_rois 4
lo_eiou_over_rois 3
lo_eiou_over_rois 4"
[ -f "$QUEUE" ] || echo "$QUEUE_INIT" > "$QUEUE"
bash results/benchmark_v2_2026-12-04/queue_lanes.sh "$QUEUE" v2a_i800_lane23 "$LOG_DIR/lane_w.log" "$LOG_DIR/lane_x.log"
