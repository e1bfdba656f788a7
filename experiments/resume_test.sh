#!/usr/bin/env bash
# kill -9 in the middle of training, of pool scoring and of the last cycle, then
# --resume: the run must end with the same selections and metrics as an
# uninterrupted run of the same spec. The interrupted run's spec uses relative
# paths, and its "checkout" (data, spec, run folder) moves to another directory
# between two kills: spec.pbtxt keeps the paths as written, so it still resumes.
# Last, a one-cycle run extended (--extend) to two cycles must end the same.
set -u
source "${TEST_SRCDIR}/huale/experiments/testdata/smoke_run_setup.sh"

write_spec() {  # write_spec FILE OUTPUT_DIR
  sed -e "s|@DATA@|$TMP/data|" -e "s|@OUT@|$2|" \
    "${TEST_SRCDIR}/huale/experiments/testdata/resume_smoke.pbtxt.in" >"$1"
}

write_spec "$TMP/straight.pbtxt" "$TMP/straight"
"$RUN" --spec="$TMP/straight.pbtxt" >"$TMP/straight.log" 2>&1 || {
  echo "FAIL: uninterrupted run"; cat "$TMP/straight.log"; exit 1; }

# While process PID runs the interrupted spec, a second process on the same run
# folder (here with --resume) must stop at once, exit 2 and name PID.
second_process_is_refused() {
  (cd "$CHECKOUT" && exec "$RUN" --spec=interrupted.pbtxt --resume) >"$TMP/second.log" 2>&1
  local code=$?
  if [[ $code -ne 2 ]] || ! grep -q "is in use by pid $1 on " "$TMP/second.log"; then
    echo "FAIL: a second process on a running folder exited $code:"; cat "$TMP/second.log"
    return 1
  fi
  echo "a second process was refused: $(grep -o 'is in use by pid [0-9]* on [^ ]*' "$TMP/second.log")"
}

# Starts (or resumes) the interrupted run and kill -9s it once its log shows
# PATTERN; returns 0 if it was killed, 1 if it finished first.
run_and_kill_at() {
  local pattern="$1" resume="$2" log="$TMP/interrupted.$3.log"
  (cd "$CHECKOUT" && exec "$RUN" --spec=interrupted.pbtxt $resume) >"$log" 2>&1 &
  local pid=$!
  for _ in $(seq 1 3000); do
    if grep -Eq -- "$pattern" "$log"; then
      [[ -n "${CHECK_LOCK:-}" ]] && { second_process_is_refused "$pid" || return 1; }
      kill -9 "$pid" 2>/dev/null
      wait "$pid" 2>/dev/null
      echo "killed at /$pattern/"
      return 0
    fi
    if ! kill -0 "$pid" 2>/dev/null; then
      wait "$pid"
      echo "finished before /$pattern/ (exit $?)"
      cat "$log"
      return 1
    fi
    sleep 0.1
  done
  kill -9 "$pid"
  echo "FAIL: timed out waiting for /$pattern/"
  return 1
}

CHECKOUT="$TMP/checkout_a"
mkdir -p "$CHECKOUT" && cp -r "$TMP/data" "$CHECKOUT/data"
sed -e "s|@DATA@|data|" -e "s|@OUT@|runs|" \
  "${TEST_SRCDIR}/huale/experiments/testdata/resume_smoke.pbtxt.in" >"$CHECKOUT/interrupted.pbtxt"
CHECK_LOCK=1 run_and_kill_at "cycle 0/1 epoch 2/2" "" 1 || exit 1  # mid-training (second epoch)
# (every --resume below also shows that the killed process's lock is gone)
grep -q '^  root: "data"$' "$CHECKOUT/runs/resume_smoke/seed3/spec.pbtxt" || {
  echo "FAIL: spec.pbtxt does not keep the relative dataset root as written:"
  cat "$CHECKOUT/runs/resume_smoke/seed3/spec.pbtxt"; exit 1; }
mv "$CHECKOUT" "$TMP/checkout_b" && CHECKOUT="$TMP/checkout_b"
run_and_kill_at "cycle 0/1 score pool" "--resume" 2 || exit 1  # mid-scoring
run_and_kill_at "cycle 1/1 epoch 1/2" "--resume" 3 || exit 1  # last cycle's training
(cd "$CHECKOUT" && "$RUN" --spec=interrupted.pbtxt --resume) >"$TMP/interrupted.final.log" 2>&1 || {
  echo "FAIL: final resume"; cat "$TMP/interrupted.final.log"; exit 1; }

# A second run of a finished spec without --resume must refuse, not overwrite.
if (cd "$CHECKOUT" && "$RUN" --spec=interrupted.pbtxt) >"$TMP/again.log" 2>&1; then
  echo "FAIL: rerun without --resume overwrote a finished run"; exit 1
fi
grep -q "already holds a run; pass --resume" "$TMP/again.log" || {
  echo "FAIL: rerun message"; cat "$TMP/again.log"; exit 1; }

# A model.pt damaged after it was written (truncated) is kept aside and its
# cycle trained again on --resume: the same bytes as the uninterrupted run's.
folder="$CHECKOUT/runs/resume_smoke/seed3"
cp "$folder/cycle_00/model.pt" "$TMP/model_before.pt"
truncate -s 1000 "$folder/cycle_00/model.pt"
(cd "$CHECKOUT" && "$RUN" --spec=interrupted.pbtxt --resume) >"$TMP/damaged.log" 2>&1 || {
  echo "FAIL: resume with a damaged model.pt"; cat "$TMP/damaged.log"; exit 1; }
grep -q "moved to .*cycle_00/model.pt.corrupt, training cycle 0/1 again" "$TMP/damaged.log" || {
  echo "FAIL: the damaged model was not named and retrained"; cat "$TMP/damaged.log"; exit 1; }
[[ $(stat -c %s "$folder/cycle_00/model.pt.corrupt") == 1000 ]] || {
  echo "FAIL: the damaged model was not kept aside"; exit 1; }
cmp -s "$folder/cycle_00/model.pt" "$TMP/model_before.pt" || {
  echo "FAIL: the retrained cycle-0 model differs from the first"; exit 1; }
echo "a truncated model.pt was kept aside and retrained to the same bytes"

# Other files damaged after they were written: a selection cut short, a
# metrics.json cut short, a pool file missing a line. Each is named, kept
# aside, and its stage runs again to the same result (compared below).
head -c 20 "$folder/cycle_00/selected_ids.txt" >"$TMP/ids" && mv "$TMP/ids" "$folder/cycle_00/selected_ids.txt"
truncate -s 40 "$folder/cycle_01/metrics.json"
sed -i 1d "$folder/cycle_01/labelled.txt"
(cd "$CHECKOUT" && "$RUN" --spec=interrupted.pbtxt --resume) >"$TMP/damaged2.log" 2>&1 || {
  echo "FAIL: resume with damaged stage outputs"; cat "$TMP/damaged2.log"; exit 1; }
for pattern in "cycle_00/selected_ids.txt:[0-9]*: does not match .*cycle_00/selection.json.*running cycle 0/1 select again" \
    "cycle_01/metrics.json: not valid JSON.*running cycle 1/1 evaluate again" \
    "cycle_01: image id .* is in neither labelled.txt nor unlabelled.txt; moved to .*cycle_01/labelled.txt.corrupt"; do
  grep -q "$pattern" "$TMP/damaged2.log" || {
    echo "FAIL: no warning /$pattern/:"; cat "$TMP/damaged2.log"; exit 1; }
done
for file in cycle_00/selected_ids.txt cycle_00/selection.json cycle_01/metrics.json cycle_01/labelled.txt; do
  [[ -f "$folder/$file.corrupt" ]] || { echo "FAIL: $file was not kept aside"; exit 1; }
done
echo "damaged selection, metrics and pools were named, kept aside and redone"

# --extend: a one-cycle run of the same spec, extended to two cycles, ends as
# the uninterrupted two-cycle run (compared below) without training cycle 0
# again. Without --extend the longer spec is refused, naming the flag.
write_spec "$TMP/extended.pbtxt" "$TMP/extended"
sed 's/cycles: 2/cycles: 1/' "$TMP/extended.pbtxt" >"$TMP/short.pbtxt"
extended="$TMP/extended/resume_smoke/seed3"
"$RUN" --spec="$TMP/short.pbtxt" >"$TMP/short.log" 2>&1 || {
  echo "FAIL: one-cycle run"; cat "$TMP/short.log"; exit 1; }
[[ -f "$extended/cycle_00/model.pt" && ! -e "$extended/cycle_00/selected_ids.txt" ]] || {
  echo "FAIL: the one-cycle run did not end after training and evaluating cycle 0"; exit 1; }
if "$RUN" --spec="$TMP/extended.pbtxt" --resume >"$TMP/no_extend.log" 2>&1; then
  echo "FAIL: a run resumed with more cycles without --extend"; exit 1
fi
grep -q "only in schedule.cycles (1 recorded, 2 given): pass --extend" "$TMP/no_extend.log" || {
  echo "FAIL: refusal without --extend"; cat "$TMP/no_extend.log"; exit 1; }
cmp -s "$TMP/short.pbtxt" "$TMP/extended.pbtxt" && { echo "FAIL: the specs are the same"; exit 1; }
grep -q "cycles: 1" "$extended/spec.pbtxt" || { echo "FAIL: the refusal changed spec.pbtxt"; exit 1; }
"$RUN" --spec="$TMP/extended.pbtxt" --extend >"$TMP/extend.log" 2>&1 || {
  echo "FAIL: --extend"; cat "$TMP/extend.log"; exit 1; }
grep -q "cycle 0/1 epoch" "$TMP/extend.log" && {
  echo "FAIL: --extend trained cycle 0 again"; cat "$TMP/extend.log"; exit 1; }
grep -q "cycles: 2" "$extended/spec.pbtxt" || {
  echo "FAIL: spec.pbtxt does not record the longer schedule"; cat "$extended/spec.pbtxt"; exit 1; }
echo "a one-cycle run was extended to two cycles"

passed=0
failed=0
for file in metrics.csv cycle_00/selected_ids.txt cycle_00/selection.csv cycle_01/labelled.txt; do
  for run in "$CHECKOUT/runs/resume_smoke/seed3:after kill -9 and resume" \
      "$extended:after --extend"; do
    if cmp -s "$TMP/straight/resume_smoke/seed3/$file" "${run%%:*}/$file"; then
      passed=$((passed + 1))
    else
      failed=$((failed + 1))
      echo "FAIL: $file differs ${run#*:}:"
      diff "$TMP/straight/resume_smoke/seed3/$file" "${run%%:*}/$file" | head -20
    fi
  done
done
echo "${passed} passed, ${failed} failed"
[[ $failed -eq 0 ]]
