#!/usr/bin/env bash
# Benchmark v2, second layout (v2b), on the lent H200: six methods x 5 seeds in
# one device call (issue 15's robustness table). Two halves:
#
#   bash results/benchmark_v2b_h200_2026-12-04/h200.sh prepare    # here
#   bash results/benchmark_v2b_h200_2026-12-04/h200.sh run        # there
#
# `prepare` builds //experiments:sweep, //tools:make_fmnist_det and
# //tools:gpu_check with -c opt --config=cuda (HUALE_BIN_DIR=<a clone's
# bazel-bin> skips the build and takes that clone's: a --config=cuda build
# here replaces the -c opt binaries of running CPU experiments, whose shared cycle-0 models are keyed by binary),
# bundles them (tools/gpu_bundle.sh) as .h200/bundle.tar.xz and copies the
# Fashion-MNIST idx files beside it (.h200/ is git-ignored; 46 MB, 48 MB with
# the pre-trained weights). The device call:
#   command: bash results/benchmark_v2b_h200_2026-12-04/h200.sh run
#   carry: [".h200", "data/fmnist_det/pretrain"]    timeout_s: 590
# `run` (there): the smoke pre-check on CUDA (specs/smoke_*.pbtxt) beside the
# data generation and beside tools/gpu_check --skip_timing (CUDA against CPU
# for the ops, the detector and a two-cycle loop; logs_h200/gpu_check.txt);
# then two lanes per seed, each one process with one intra-op thread on the
# one GPU, all at once: by default (random -> huale_selection ->
# ppal) and (huale -> losses_only -> core_set), so each seed's cycle-0 models are
# trained once (random's and huale's) and shared. At HUALE_H200_DEADLINE seconds
# after the start (default 520) unfinished runs are stopped (their finished
# cycles count); then the sweep report and an archive of every run's spec,
# metrics and selections go to $OUT. Environment (defaults: this folder's call):
#   HUALE_H200_LANES     lanes, space-separated, each a comma list of spec names
#                        in specs/ run in turn ("v2b_random,v2b_huale_selection,
#                        v2b_ppal v2b_huale,v2b_losses_only,v2b_core_set")
#   HUALE_H200_SEEDS     "0 1 2 3 4": every lane runs once per seed
#   HUALE_H200_PROFILES  "v2b": make_fmnist_det profiles to generate there
#   HUALE_H200_NAME      "v2b_h200": the report's name; its baseline is the
#                        first lane's first spec
set -euo pipefail
cd "$(dirname "$0")/../.."
here=results/benchmark_v2b_h200_2026-12-04
B=.h200

if [ "${1:-}" = "prepare" ]; then
  bin=${HUALE_BIN_DIR:-}
  if [ -z "$bin" ]; then
    bazel build -c opt --config=cuda //experiments:sweep //tools:make_fmnist_det //tools:gpu_check
    bin=bazel-bin
  fi
  rm -rf "$B" && mkdir -p "$B/fashion-mnist"
  tmp=$(mktemp -d)
  bash tools/gpu_bundle.sh "$tmp/bundle" "$bin/experiments/sweep" "$bin/tools/make_fmnist_det" \
    $(ls "$bin/tools/gpu_check" 2>/dev/null)
  tar cf - -C "$tmp/bundle" . | xz -T0 -6 > "$B/bundle.tar.xz"
  rm -rf "$tmp"
  cp /usr/share/datasets/fashion-mnist/*.gz "$B/fashion-mnist/"
  grep -qx '/.h200/' .git/info/exclude 2>/dev/null || echo '/.h200/' >> .git/info/exclude
  du -sh "$B" data/fmnist_det/pretrain
  exit 0
fi
[ "${1:-}" = "run" ] || { sed -n 2,33p "$0"; exit 2; }
LANES=${HUALE_H200_LANES:-v2b_random,v2b_huale_selection,v2b_ppal v2b_huale,v2b_losses_only,v2b_core_set}
SEEDS=${HUALE_H200_SEEDS:-0 1 2 3 4}
PROFILES=${HUALE_H200_PROFILES:-v2b}
NAME=${HUALE_H200_NAME:-v2b_h200}

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
# MPS lets the lanes' kernels share the GPU at once rather than in
# turns; without it (or if the smoke fails under it) they take turns.
mps=off
if command -v nvidia-cuda-mps-control > /dev/null && nvidia-cuda-mps-control -d; then mps=on; fi
echo "MPS: $mps"

# The GPU check (if bundled) and the data (deterministic: the same bytes as
# here) beside the smoke pre-check.
check=""
if [ -x "$X/gpu_check" ]; then
  ( "$X/gpu_check" --skip_timing > logs_h200/gpu_check.txt 2>&1
    echo "gpu_check: rc $? at $(elapsed) s" >> logs_h200/gpu_check.txt ) &
  check=$!
fi
gens=""
for profile in $PROFILES; do
  ( "$X/make_fmnist_det" --profile=$profile --source_dir="$B/fashion-mnist" > logs_h200/make_$profile.log 2>&1
    echo "$profile generated at $(elapsed) s" >> logs_h200/make_$profile.log ) &
  gens="$gens $!"
done
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
    smoke || { echo "SMOKE FAILED without MPS too"; tr '\r' '\n' < logs_h200/smoke.log | grep -av ETA | tail -n 40; kill $gens 2>/dev/null; exit 1; }
  else
    kill $gens 2>/dev/null; exit 1
  fi
fi
echo "smoke passed at $(elapsed) s (MPS: $mps)"; grep -a "mAP\|took" logs_h200/smoke.log | tail -n 5 || true
for g in $gens; do wait $g || { echo "data generation failed"; tail -n 20 logs_h200/make_*.log; exit 1; }; done
tail -q -n 1 logs_h200/make_*.log

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
letters=(a b c d e f g h)
for seed in $SEEDS; do
  k=0
  for l in $LANES; do
    lane ${letters[$k]}$seed $seed ${l//,/ } &
    k=$((k + 1))
  done
done
wait
cat logs_h200/lanes.txt
[ -z "$check" ] || cat logs_h200/gpu_check.txt
specs=""
for l in $LANES; do for m in ${l//,/ }; do specs="$specs,$here/specs/$m.pbtxt"; done; done
seeds=${SEEDS// /,}
"$X/sweep" --specs=${specs#,} --seeds=$seeds --name=$NAME --report_only > logs_h200/report.log 2>&1 || true
tail -n 40 logs_h200/report.log
echo "report at $(elapsed) s"
# Keep the progress bars' last lines only.
for f in logs_h200/lane_*.log; do tr '\r' '\n' < "$f" | grep -av "ETA" > "$f.txt" || true; done
runs=$(for l in $LANES; do for m in ${l//,/ }; do
  sed -n 's/^name: "\(.*\)"$/\1/p' $here/specs/$m.pbtxt; done; done | sort -u)
tar czf "$OUT/$NAME.tgz" logs_h200/*.txt logs_h200/make_*.log runs/sweeps/$NAME \
  $(for r in $runs; do ls -d runs/$r/seed*/spec.pbtxt runs/$r/seed*/metrics.csv \
        runs/$r/seed*/cycle_*/metrics.json runs/$r/seed*/cycle_*/selected_ids.txt \
        runs/$r/seed*/cycle_*/selection.csv runs/$r/seed*/cycle_*/labelled.txt 2>/dev/null; done) \
  $(ls runs/shared/initial_models/*/source.txt 2>/dev/null)
ls -la "$OUT"
echo "done at $(elapsed) s"
