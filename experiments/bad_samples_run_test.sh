#!/usr/bin/env bash
# Unreadable images are never silent (issue 13): each one skipped is named on
# the console and in bad_samples.json, and the run stops with a clear error
# (exit 1, resumable) once a stage's skipped share passes
# dataset.max_skipped_image_share, and always when a stage can read none.
set -u
source "${TEST_SRCDIR}/huale/experiments/testdata/smoke_run_setup.sh"

failed=0
fail() { echo "FAIL: $*"; failed=$((failed + 1)); }

# scenario NAME CYCLES EXTRA: a copy of the data in $TMP/NAME/data, its spec
# (the smoke run with CYCLES cycles and EXTRA dataset options) in $TMP/NAME.pbtxt.
scenario() {
  mkdir -p "$TMP/$1" && cp -r "$TMP/data" "$TMP/$1/data"
  sed -e "s|@DATA@|$TMP/$1/data|" -e "s|@OUT@|$TMP/$1/runs|" -e "s|cycles: 2|cycles: $2|" \
    -e "s|pool_split: \"trainval\"|pool_split: \"trainval\" $3|" \
    "${TEST_SRCDIR}/huale/experiments/testdata/resume_smoke.pbtxt.in" >"$TMP/$1.pbtxt"
}
run() {  # run NAME [FLAGS]: exit code in $code, output in $TMP/NAME.log
  local name=$1; shift
  "$RUN" --spec="$TMP/$name.pbtxt" "$@" >"$TMP/$name.log" 2>&1
  code=$?
}
ids() { cat "$TMP/data/ImageSets/Main/$1.txt"; }  # ids SPLIT

# 1. One zero-byte test image and one text file named .jpg in the pool: within
#    the 5% default (1 of 30 test images; 1 of 24 labelled or 1 of 36 scored),
#    the run finishes and names both.
scenario few 2 ""
test_bad=$(ids test | sed -n 3p) pool_bad=$(ids trainval | sed -n 5p)
: >"$TMP/few/data/JPEGImages/$test_bad.jpg"
echo "not an image" >"$TMP/few/data/JPEGImages/$pool_bad.jpg"
run few
[[ $code -eq 0 ]] || { fail "a few unreadable images stopped the run (exit $code)"; cat "$TMP/few.log"; }
json="$TMP/few/runs/resume_smoke/seed3/bad_samples.json"
for id in "$test_bad" "$pool_bad"; do
  grep -q "skipped image '$id'" "$TMP/few.log" || fail "the console does not name skipped image $id"
  grep -q "image '$id'" "$json" || fail "bad_samples.json does not name $id"
done
python3 -c "import json,sys; t=json.load(open(sys.argv[1]))['total']; sys.exit(0 if t >= 2 else 1)" \
  "$json" || { fail "bad_samples.json total < 2"; cat "$json"; }
# --resume of the finished run runs no stage again, and still loses none of them.
cp "$json" "$TMP/few.bad_samples.json"
run few --resume
[[ $code -eq 0 ]] || { fail "resuming the finished run: exit $code"; cat "$TMP/few.log"; }
cmp -s "$json" "$TMP/few.bad_samples.json" ||
  { fail "bad_samples.json changed on --resume:"; diff "$TMP/few.bad_samples.json" "$json"; }

# 2. Every test image unreadable: evaluation stops the run, exit 1.
scenario no_test 1 ""
for id in $(ids test); do echo "text" >"$TMP/no_test/data/JPEGImages/$id.jpg"; done
run no_test
[[ $code -eq 1 ]] && grep -q "evaluate: 30 of 30 images could not be read (100.0%).*nothing is left" \
  "$TMP/no_test.log" || { fail "all test images unreadable: exit $code"; cat "$TMP/no_test.log"; }

# 3. Every pool image unreadable: training stops the run before any step.
scenario no_pool 1 ""
for id in $(ids trainval); do : >"$TMP/no_pool/data/JPEGImages/$id.jpg"; done
run no_pool
[[ $code -eq 1 ]] && grep -q "training: 24 of 24 images could not be read" "$TMP/no_pool.log" ||
  { fail "all pool images unreadable: exit $code"; cat "$TMP/no_pool.log"; }

# 4. A share of 0 tolerates nothing: one bad test image stops the run.
scenario strict 1 "max_skipped_image_share: 0"
: >"$TMP/strict/data/JPEGImages/$test_bad.jpg"
run strict
[[ $code -eq 1 ]] && grep -q "evaluate: 1 of 30 images could not be read.*max_skipped_image_share (0%)" \
  "$TMP/strict.log" || { fail "max_skipped_image_share: 0: exit $code"; cat "$TMP/strict.log"; }

[[ $failed -eq 0 ]] && echo "PASS: unreadable images are named, counted and bounded"
[[ $failed -eq 0 ]]
