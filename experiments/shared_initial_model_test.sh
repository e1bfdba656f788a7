#!/usr/bin/env bash
# Two methods of one sweep (Random, then HUALE; //experiments:sweep) share the cycle-0 model: the
# second run copies it instead of training, and ends with the same metrics and
# selections as a HUALE run that trains its own (share_initial_model: false); an
# edited annotation or image of the initial set misses the cache.
set -u
source "${TEST_SRCDIR}/huale/experiments/testdata/smoke_run_setup.sh"
SWEEP="${TEST_SRCDIR}/huale/experiments/sweep"

write_spec() {  # write_spec FILE OUTPUT_DIR NAME ACQUISITION SHARE
  sed -e "s|@DATA@|$TMP/data|" -e "s|@OUT@|$2|" -e "s|^name: .*|name: \"$3\"|" \
    -e "s|acquisition { name: \"huale\" }|acquisition { name: \"$4\" }|" \
    -e "s|schedule {|schedule { share_initial_model: $5|" \
    "${TEST_SRCDIR}/huale/experiments/testdata/resume_smoke.pbtxt.in" >"$1"
}

run() {  # run NAME SPEC
  "$RUN" --spec="$2" >"$TMP/$1.log" 2>&1 || { echo "FAIL: run $1"; cat "$TMP/$1.log"; exit 1; }
}

write_spec "$TMP/random.pbtxt" "$TMP/sweep" random random true
write_spec "$TMP/huale.pbtxt" "$TMP/sweep" huale huale true
write_spec "$TMP/alone.pbtxt" "$TMP/alone" huale huale false
"$SWEEP" --specs="$TMP/random.pbtxt,$TMP/huale.pbtxt" --seeds=3 --name=pair >"$TMP/sweep.log" 2>&1 || {
  echo "FAIL: sweep"; cat "$TMP/sweep.log"; exit 1; }
run alone "$TMP/alone.pbtxt"

failed=0
fail() { echo "FAIL: $*"; failed=$((failed + 1)); }

grep -q "initial model is shared with $TMP/sweep/random/seed3" "$TMP/sweep.log" ||
  fail "the HUALE run did not report sharing Random's initial model"
[[ $(grep -c "cycle 0/1 epoch 1/2 .*took" "$TMP/sweep.log") == 1 ]] ||
  fail "cycle 0 was not trained exactly once in the sweep"
grep -q "initial model is shared" "$TMP/alone.log" && fail "share_initial_model: false shared"
[[ -d "$TMP/alone/shared" ]] && fail "share_initial_model: false stored a model"
cmp -s "$TMP/sweep/random/seed3/cycle_00/model.pt" "$TMP/sweep/huale/seed3/cycle_00/model.pt" ||
  fail "the shared cycle-0 model differs from the one Random trained"
for file in metrics.csv cycle_00/selected_ids.txt cycle_00/selection.csv cycle_01/labelled.txt; do
  cmp -s "$TMP/sweep/huale/seed3/$file" "$TMP/alone/huale/seed3/$file" || {
    fail "$file differs between the sharing run and one that trained its own model"
    diff "$TMP/sweep/huale/seed3/$file" "$TMP/alone/huale/seed3/$file" | head -10
  }
done
# The sharing run did score and select with its own acquisition function.
cmp -s "$TMP/sweep/random/seed3/cycle_00/selection.csv" \
  "$TMP/sweep/huale/seed3/cycle_00/selection.csv" && fail "HUALE scored as Random did"
# The sweep's report: both methods, and HUALE against Random paired by seed.
grep -q "^| huale | 1 | " "$TMP/sweep/sweeps/pair/summary.md" || fail "summary.md lacks huale"
grep -q "^| method − random " "$TMP/sweep/sweeps/pair/summary.md" || fail "no paired table"
grep -q "^| huale | 1 | [0-9]* | [0-9]* | [0-9]* | [0-9]*:[0-9][0-9] | " \
  "$TMP/sweep/sweeps/pair/summary.md" || fail "the timing table lacks huale"
[[ -s "$TMP/sweep/sweeps/pair/plot.png" ]] || fail "no plot.png"
# --baseline picks another reference (without it: the first of --specs, above).
"$SWEEP" --specs="$TMP/random.pbtxt,$TMP/huale.pbtxt" --seeds=3 --name=vs_huale --baseline=huale \
  --report_only >"$TMP/vs_huale.log" 2>&1 || fail "sweep --baseline=huale --report_only"
grep -q "^| random | 1 | [-+]" "$TMP/sweep/sweeps/vs_huale/summary.md" &&
  grep -q "^| method − huale " "$TMP/sweep/sweeps/vs_huale/summary.md" || fail "--baseline=huale"
if "$SWEEP" --specs="$TMP/random.pbtxt" --seeds=3 --baseline=cald >"$TMP/baseline.log" 2>&1; then
  fail "an unknown --baseline was accepted"
fi
grep -q "baseline=cald is not the name of a spec" "$TMP/baseline.log" || fail "--baseline message"

# The cache is keyed by the data's contents, not its paths: one-cycle runs of
# the same recipe share while the data is as it was, and miss once one
# annotation, then one image, of the initial set is edited under the same path.
# (The sweep binary, as above: the key names the binary that trains.)
one_cycle() {  # one_cycle NAME: a run sharing through $TMP/sweep, its log in $TMP/NAME.log
  write_spec "$TMP/$1.pbtxt" "$TMP/sweep" "$1" random true
  sed -i "s|cycles: 2|cycles: 1|" "$TMP/$1.pbtxt"
  "$SWEEP" --specs="$TMP/$1.pbtxt" --seeds=3 --name="$1" >"$TMP/$1.log" 2>&1 || {
    echo "FAIL: run $1"; cat "$TMP/$1.log"; exit 1; }
}
first=$(head -1 "$TMP/sweep/random/seed3/cycle_00/labelled.txt")
xml="$TMP/data/Annotations/$first.xml" jpg="$TMP/data/JPEGImages/$first.jpg"
[[ -f $xml && -f $jpg ]] || fail "no annotation or image for initial image $first"
one_cycle unchanged
grep -q "initial model is shared" "$TMP/unchanged.log" || fail "unchanged data did not share"
cp "$xml" "$TMP/saved.xml"
# Move the first box's right edge by one pixel.
awk '!done && /<xmax>/ { match($0, /[0-9]+/); v = substr($0, RSTART, RLENGTH);
  sub(v, v - 1); done = 1 } { print }' "$TMP/saved.xml" >"$xml"
cmp -s "$xml" "$TMP/saved.xml" && fail "the annotation edit changed nothing"
one_cycle edited_annotation
grep -q "initial model is shared" "$TMP/edited_annotation.log" &&
  fail "an edited annotation of the initial set reused the cached model"
cp "$TMP/saved.xml" "$xml"
printf 'x' >>"$jpg"  # a changed file (decoders ignore trailing bytes: only the key sees it)
one_cycle edited_image
grep -q "initial model is shared" "$TMP/edited_image.log" &&
  fail "an edited image of the initial set reused the cached model"

[[ $failed -eq 0 ]] && echo "PASS: the initial model is shared and changes no result"
[[ $failed -eq 0 ]]
