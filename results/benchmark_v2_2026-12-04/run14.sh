#!/usr/bin/env bash
# The fourteenth round (2026-12-05, the same AMD EPYC machine as rounds eleven
# to thirteen): the loss-diagnosis rows under random selection (no Emphasis,
# no IoU head, the detached Synchronic IoU target) for seeds 2-4 (the Xeon ran
# 0 and 1); each pairs with this machine's Random runs (epyc/). The cycle-0
# models of the §4 ablations with the same losses were not reused (the cache's
# key names the binary, rebuilt in round thirteen), so each run trains its own.
# Started 10:33 beside a CI run; an environment restart at about 10:45 cut the
# first two runs in cycle 1, and they resumed at 11:12 from their saved state
# with this script (same queue lines, same --name). What ran: README ("Round
# fourteen").
set -euo pipefail
cd "$(dirname "$0")/../.."
LOG_DIR=${LOG_DIR:-/tmp}
QUEUE=${QUEUE:-$LOG_DIR/run14.queue}
QUEUE_INIT="lo_no_emphasis 2
lo_no_iou_head 2
lo_no_iou_head 3
lo_no_emphasis 3
lo_sync_detached 2
lo_no_iou_head 4
lo_no_emphasis 4
lo_sync_detached 3
lo_sync_detached 4"
[ -f "$QUEUE" ] || echo "$QUEUE_INIT" > "$QUEUE"
bash results/benchmark_v2_2026-12-04/queue_lanes.sh "$QUEUE" v2a_i800_lane23 "$LOG_DIR/lane_y.log" "$LOG_DIR/lane_z.log"
