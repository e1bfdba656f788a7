#!/usr/bin/env bash
# The sixth round, each lane starting when one of run5.sh's ended (2026-12-04,
# from about 12:40 UTC; it outlived that session). First the loss diagnosis:
# HUALE's losses with random selection, one change each (Synchronic IoU target
# detached, no IoU head, smooth-L1 for EIoU, no Emphasis), against
# v2a_losses_only, seed by seed across the four so early seeds of all four
# arrive first. Then the loss ablations of method doc §4 under HUALE's
# selection (no Emphasis, no IoU head, smooth-L1). Each variant trains its own
# cycle-0 model. Resumable as the others.
set -euo pipefail
cd "$(dirname "$0")/../.."
SWEEP=bazel-out/k8-opt/bin/experiments/sweep
D=results/benchmark_v2_2026-12-04/specs
LOG_DIR=${LOG_DIR:-/tmp}
LO=$D/v2a_lo_sync_detached.pbtxt,$D/v2a_lo_no_iou_head.pbtxt,$D/v2a_lo_smooth_l1.pbtxt,$D/v2a_lo_no_emphasis.pbtxt
AB=$D/v2a_no_emphasis.pbtxt,$D/v2a_no_iou_head.pbtxt,$D/v2a_smooth_l1.pbtxt
( for s in 0 2 4; do $SWEEP --specs=$LO --seeds=$s --name=v2a_i800_lane15; done
  for s in 0 2 4; do $SWEEP --specs=$AB --seeds=$s --name=v2a_i800_lane17; done ) > "$LOG_DIR/lane_g.log" 2>&1 &
( for s in 1 3; do $SWEEP --specs=$LO --seeds=$s --name=v2a_i800_lane16; done
  for s in 1 3; do $SWEEP --specs=$AB --seeds=$s --name=v2a_i800_lane18; done ) > "$LOG_DIR/lane_h.log" 2>&1 &
wait
