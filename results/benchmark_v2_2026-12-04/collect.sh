#!/usr/bin/env bash
# Copies every run of the v2a_i800 rows from runs/ into runs/ here (spec, the
# per-run metrics.csv, each cycle's metrics.json, selected_ids.txt and
# selection.csv; finished cycles only) and redraws the reports:
#   v2a_i800/                 the acquisition functions, full HUALE and its §4
#                             ablations against Random;
#   loss_diagnosis/report/    HUALE's losses under random selection, one change
#                             at a time, against Random and losses-only;
#   cycles6/report/           six cycles (run10.sh): the runs extended in
#                             RUN6_DIR (default /work/c6; skipped when absent),
#                             copied into cycles6/runs/.
# Runs still going are copied up to their last finished cycle. SWEEP: any sweep
# binary (the report does not train); the fastbuild one is enough. OUT (default
# this folder): where the reports and runs/ go; a second machine's runs go
# to their own folder (OUT=$R/epyc, round eleven) so that no report mixes two
# machines' cycle-0 models (paired.py pairs across folders). LAYOUT=v2b
# (round fifteen) does the same for the second layout's CPU runs
# (runs/v2b_i800_*): the report $OUT/v2b_i800/ and their runs in $OUT/runs/;
# the loss-diagnosis and six-cycle reports are v2a's only.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
R=$ROOT/results/benchmark_v2_2026-12-04
OUT=${OUT:-$R}
D=$R/specs
SWEEP=$(realpath "${SWEEP:-bazel-out/k8-fastbuild/bin/experiments/sweep}")
RUN6_DIR=${RUN6_DIR:-/work/c6}
LAYOUT=${LAYOUT:-v2a}
SELECTION="random huale_selection ppal core_set hua oracle_class_balanced entropy flat cald
  only_semantic_affinity only_category_diversity only_overlap_ratio
  only_localization_confidence huale losses_only smooth_l1 no_emphasis no_iou_head
  eiou_over_rois huale_hua_retrieval huale_full_hua_retrieval huale_flat"
LOSSES="random losses_only lo_sync_detached lo_no_iou_head lo_no_emphasis lo_smooth_l1
  lo_eiou_over_rois"
SIX_CYCLES="random huale_selection hua"
report() {  # NAME OUT_DIR SPEC_PREFIX METHODS... (run in the folder that holds runs/)
  local name=$1 out=$2 prefix=$3; shift 3
  local specs="" m
  for m in "$@"; do
    if [ -n "$(ls -d runs/${LAYOUT}_i800_$m/seed* 2>/dev/null)" ]; then specs+="$D/$prefix$m.pbtxt,"; fi
  done
  $SWEEP --specs=${specs%,} --seeds=0,1,2,3,4 --name=$name --report_only > /dev/null
  rm -rf "$out" && mkdir -p "$out" && cp runs/sweeps/$name/* "$out"/
}
copy_runs() {  # TO METHODS... (run in the folder that holds runs/)
  local to=$1 m src dst c; shift
  for m in "$@"; do
    for src in runs/${LAYOUT}_i800_$m/seed*; do
      [ -f $src/metrics.csv ] || continue
      dst=$to/${LAYOUT}_i800_$m/$(basename $src)
      mkdir -p $dst && cp $src/spec.pbtxt $src/metrics.csv $dst/
      for c in $src/cycle_*; do
        [ -f $c/metrics.json ] || continue
        mkdir -p $dst/$(basename $c)
        cp $c/metrics.json $dst/$(basename $c)/
        if [ -f $c/selected_ids.txt ]; then cp $c/selected_ids.txt $c/selection.csv $dst/$(basename $c)/; fi
      done
    done
  done
}
if [ "$LAYOUT" != v2a ]; then
  report ${LAYOUT}_i800 $OUT/${LAYOUT}_i800 ${LAYOUT}_ $SELECTION
  copy_runs $OUT/runs $SELECTION
  du -sh $OUT
  exit 0
fi
report v2a_i800 $OUT/v2a_i800 v2a_ $SELECTION
report v2a_i800_loss_diagnosis $OUT/loss_diagnosis/report v2a_ $LOSSES
# Random and losses-only are in both reports: copy each run once.
copy_runs $OUT/runs $(printf "%s\n" $SELECTION $LOSSES | sort -u)
if [ -d "$RUN6_DIR/runs" ]; then
  cd "$RUN6_DIR"
  report v2a6 $R/cycles6/report v2a6_ $SIX_CYCLES
  copy_runs $R/cycles6/runs $SIX_CYCLES
  cd "$ROOT"
fi
du -sh $R
