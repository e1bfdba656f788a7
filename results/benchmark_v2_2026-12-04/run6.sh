#!/usr/bin/env bash
# The sixth round, each lane starting when one of run5.sh's ended: the loss
# ablations of method doc §4 under HUALE's selection (no Emphasis, no IoU head,
# smooth-L1 for EIoU), seed by seed across the three so that early seeds of all
# three arrive first. Each trains its own cycle-0 model. Resumable as the others.
set -euo pipefail
cd "$(dirname "$0")/../.."
SWEEP=bazel-out/k8-opt/bin/experiments/sweep
D=results/benchmark_v2_2026-12-04/specs
LOG_DIR=${LOG_DIR:-/tmp}
A=$D/v2a_no_emphasis.pbtxt,$D/v2a_no_iou_head.pbtxt,$D/v2a_smooth_l1.pbtxt
( for s in 0 2 4; do $SWEEP --specs=$A --seeds=$s --name=v2a_i800_lane15; done ) > "$LOG_DIR/lane_g.log" 2>&1 &
( for s in 1 3; do $SWEEP --specs=$A --seeds=$s --name=v2a_i800_lane16; done ) > "$LOG_DIR/lane_h.log" 2>&1 &
wait
