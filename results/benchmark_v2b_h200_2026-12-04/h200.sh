#!/usr/bin/env bash
# Benchmark v2, second layout (v2b), on the lent H200: six methods x 5 seeds in
# one device call (issue 15's robustness table). Two halves:
#
#   bash results/benchmark_v2b_h200_2026-12-04/h200.sh prepare    # here
#   bash results/benchmark_v2b_h200_2026-12-04/h200.sh run        # there
#
# `prepare` builds //experiments:sweep and //tools:make_fmnist_det with
# -c opt --config=cuda (HUALE_BIN_DIR=<a clone's bazel-bin> skips the build and
# takes that clone's: a --config=cuda build here replaces the -c opt binaries of
# running CPU experiments, whose shared cycle-0 models are keyed by binary),
# bundles them (tools/gpu_bundle.sh) as .h200/bundle.tar.xz and copies the
# Fashion-MNIST idx files beside it (.h200/ is git-ignored; 49 MB in all). The
# device call:
#   command: bash results/benchmark_v2b_h200_2026-12-04/h200.sh run
#   carry: [".h200", "data/fmnist_det/pretrain"]    timeout_s: 590
# `run` (there): the smoke pre-check on CUDA (specs/smoke_*.pbtxt) beside the
# v2b generation; then ten lanes, two per seed, each one process with one
# intra-op thread on the one GPU: (random -> huale_selection -> ppal) and
# (huale -> losses_only -> core_set), so each seed's cycle-0 models are trained
# once (random's and huale's) and shared. At HUALE_H200_DEADLINE seconds after
# the start (default 520) unfinished runs are stopped (their finished cycles
# count); then the sweep report and an archive of every run's spec, metrics and
# selections go to $OUT.
set -euo pipefail
cd "$(dirname "$0")/../.."
here=results/benchmark_v2b_h200_2026-12-04
B=.h200

if [ "${1:-}" = "prepare" ]; then
  bin=${HUALE_BIN_DIR:-}
  if [ -z "$bin" ]; then
    bazel build -c opt --config=cuda //experiments:sweep //tools:make_fmnist_det
    bin=bazel-bin
  fi
  rm -rf "$B" && mkdir -p "$B/fashion-mnist"
  tmp=$(mktemp -d)
  bash tools/gpu_bundle.sh "$tmp/bundle" "$bin/experiments/sweep" "$bin/tools/make_fmnist_det"
  tar cf - -C "$tmp/bundle" . | xz -T0 -6 > "$B/bundle.tar.xz"
  rm -rf "$tmp"
  cp /usr/share/datasets/fashion-mnist/*.gz "$B/fashion-mnist/"
  grep -qx '/.h200/' .git/info/exclude 2>/dev/null || echo '/.h200/' >> .git/info/exclude
  du -sh "$B" data/fmnist_det/pretrain
  exit 0
fi
[ "${1:-}" = "run" ] || { sed -n 2,28p "$0"; exit 2; }

start=$(date +%s)
elapsed() { echo $(( $(date +%s) - start )); }
OUT=${OUT:-/tmp/h200_out}
mkdir -p "$OUT" logs_h200
python3 -c "import tarfile, sys; tarfile.open(sys.argv[1]).extractall(sys.argv[2])" "$B/bundle.tar.xz" /tmp/h200
. /tmp/h200/env.sh
X=/tmp/h200
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader || true
nproc
(nvidia-smi dmon -s u -d 10 > "$OUT/dmon.txt" 2>&1 &) || true
# MPS lets the ten processes' kernels share the GPU at once rather than in
# turns; without it (or if the smoke fails under it) they take turns.
mps=off
if command -v nvidia-cuda-mps-control > /dev/null && nvidia-cuda-mps-control -d; then mps=on; fi
echo "MPS: $mps"

# The v2b data (deterministic: the same bytes as here) beside the smoke pre-check.
( "$X/make_fmnist_det" --profile=v2b --source_dir="$B/fashion-mnist" > logs_h200/make_v2b.log 2>&1
  echo "v2b generated at $(elapsed) s" >> logs_h200/make_v2b.log ) &
gen=$!
"$X/make_fmnist_det" --profile=smoke --source_dir="$B/fashion-mnist" \
  --output_dir=data/fmnist_det/smoke > logs_h200/make_smoke.log 2>&1
smoke() {
  "$X/sweep" --specs=$here/specs/smoke_huale.pbtxt,$here/specs/smoke_ppal.pbtxt,$here/specs/smoke_core_set.pbtxt \
    --seeds=0 --name=smoke > logs_h200/smoke.log 2>&1
}
if ! smoke; then
  echo "SMOKE FAILED at $(elapsed) s (MPS: $mps)"; tr '\r' '\n' < logs_h200/smoke.log | grep -av ETA | tail -n 40
  if [ "$mps" = on ]; then
    echo quit | nvidia-cuda-mps-control || true; mps=off; sleep 2; rm -rf runs_smoke
    smoke || { echo "SMOKE FAILED without MPS too"; tr '\r' '\n' < logs_h200/smoke.log | grep -av ETA | tail -n 40; kill $gen 2>/dev/null; exit 1; }
  else
    kill $gen 2>/dev/null; exit 1
  fi
fi
echo "smoke passed at $(elapsed) s (MPS: $mps)"; grep -a "mAP\|took" logs_h200/smoke.log | tail -n 5 || true
wait $gen || { echo "v2b generation failed"; tail -n 20 logs_h200/make_v2b.log; exit 1; }
tail -n 3 logs_h200/make_v2b.log

deadline=$(( start + ${HUALE_H200_DEADLINE:-520} ))
lane() {  # lane NAME SEED SPEC...
  local name=$1 seed=$2; shift 2
  for spec in "$@"; do
    local left=$(( deadline - $(date +%s) ))
    [ $left -gt 5 ] || break
    timeout --signal=TERM --kill-after=10 $left "$X/sweep" --specs=$here/specs/$spec.pbtxt \
      --seeds=$seed --name=lane_${name} >> logs_h200/lane_$name.log 2>&1 || \
      echo "lane $name: $spec seed $seed stopped (rc $?) at $(elapsed) s" >> logs_h200/lanes.txt
    echo "lane $name: $spec seed $seed ended at $(elapsed) s" >> logs_h200/lanes.txt
  done
}
for seed in 0 1 2 3 4; do
  lane a$seed $seed v2b_random v2b_huale_selection v2b_ppal &
  lane b$seed $seed v2b_huale v2b_losses_only v2b_core_set &
done
wait
cat logs_h200/lanes.txt
specs=""
for m in random huale_selection ppal core_set huale losses_only; do specs="$specs,$here/specs/v2b_$m.pbtxt"; done
"$X/sweep" --specs=${specs#,} --seeds=0,1,2,3,4 --name=v2b_h200 --report_only > logs_h200/report.log 2>&1 || true
tail -n 40 logs_h200/report.log
echo "report at $(elapsed) s"
# Keep the progress bars' last lines only.
for f in logs_h200/lane_*.log; do tr '\r' '\n' < "$f" | grep -av "ETA" > "$f.txt" || true; done
tar czf "$OUT/v2b_h200.tgz" logs_h200/*.txt logs_h200/make_v2b.log runs/sweeps/v2b_h200 \
  $(ls -d runs/v2b_h200_*/seed*/spec.pbtxt runs/v2b_h200_*/seed*/metrics.csv \
        runs/v2b_h200_*/seed*/cycle_*/metrics.json runs/v2b_h200_*/seed*/cycle_*/selected_ids.txt \
        runs/v2b_h200_*/seed*/cycle_*/selection.csv runs/v2b_h200_*/seed*/cycle_*/labelled.txt \
        runs/shared/initial_models/*/source.txt 2>/dev/null)
ls -la "$OUT"
echo "done at $(elapsed) s"
