#!/usr/bin/env bash
# Pool-scoring images/s for 1 process (1 and 2 threads) and 2 processes (1
# thread each) on this machine; run from the repository root:
#   bash results/distributed_2026-12-02/scoring_rate.sh
set -eu
bazel build -c opt //experiments:run //tools:make_fmnist_det
[[ -d data/fmnist_det/small ]] || bazel-bin/tools/make_fmnist_det --profile=small
RUN=bazel-bin/experiments/run
OUT=${OUT:-/tmp/huale_scoring_rate}
rm -rf "$OUT" && mkdir -p "$OUT"
spec() {  # spec NAME: the measured spec, its runs under $OUT/NAME
  { cat results/distributed_2026-12-02/scoring_rate.pbtxt; echo "output_dir: \"$OUT/$1\""; } >"$OUT/$1.pbtxt"
  echo "$OUT/$1.pbtxt"
}
rate() {  # rate NAME: cycle 0's scoring rate
  python3 -c "import json,sys; t=json.load(open(sys.argv[1]))['timings_seconds']; print('%.1f img/s (%.0f s for 1,200 images)' % (t['score_images_per_second'], t['score']))" \
    "$OUT/$1/scoring_rate/seed0/cycle_00/metrics.json"
}
for threads in 1 2; do
  "$RUN" --spec="$(spec one_$threads)" --threads="$threads" >"$OUT/one_$threads.log" 2>&1
  echo "1 process x $threads thread(s): $(rate one_$threads)"
done
S=$(spec two_1)
RANK=0 WORLD_SIZE=2 MASTER_ADDR=127.0.0.1 MASTER_PORT=29517 "$RUN" --spec="$S" --threads=1 >"$OUT/two.0.log" 2>&1 &
RANK=1 WORLD_SIZE=2 MASTER_ADDR=127.0.0.1 MASTER_PORT=29517 "$RUN" --spec="$S" --threads=1 >"$OUT/two.1.log" 2>&1
wait
echo "2 processes x 1 thread: $(rate two_1)"
nproc | sed 's/^/cores: /'
