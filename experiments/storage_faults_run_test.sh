#!/usr/bin/env bash
# Storage faults (issue 13), made real rather than mocked: a full disk (a small
# tmpfs), a read-only folder (a read-only remount) and a run folder removed
# under a running run. Each stops the run with a clear error naming what
# failed (exit 1, never a crash), leaves no temporary file and loses nothing:
# once the fault is gone, --resume ends with the same pools, selections and
# metrics as an uninterrupted run.
#
# The mounts are made in a private mount namespace (the test re-runs itself
# under `unshare -m`). Where namespaces cannot be made (no CAP_SYS_ADMIN), the
# full disk becomes a file-size limit (writes fail with EFBIG instead of
# ENOSPC) and the read-only case is left out, saying so.
set -u
if [[ -z "${HUALE_MOUNT_NAMESPACE:-}" ]]; then
  if unshare -m --propagation private true 2>/dev/null; then
    HUALE_MOUNT_NAMESPACE=private exec unshare -m --propagation private bash "$0" "$@"
  fi
  export HUALE_MOUNT_NAMESPACE=none
  echo "no mount namespace here: a file-size limit stands in for the full disk; the read-only case is not run"
fi
source "${TEST_SRCDIR}/huale/experiments/testdata/smoke_run_setup.sh"

failed=0
fail() { echo "FAIL: $*"; failed=$((failed + 1)); }
RUNDIR=resume_smoke/seed3

write_spec() {  # write_spec NAME OUTPUT_DIR: $TMP/NAME.pbtxt
  sed -e "s|@DATA@|$TMP/data|" -e "s|@OUT@|$2|" \
    "${TEST_SRCDIR}/huale/experiments/testdata/resume_smoke.pbtxt.in" >"$TMP/$1.pbtxt"
}
run() {  # run NAME [FLAGS]: exit code in $code, output in $TMP/NAME.log (appended)
  local name=$1; shift
  "$RUN" --spec="$TMP/$name.pbtxt" "$@" >>"$TMP/$name.log" 2>&1
  code=$?
}
# The run folder under OUTPUT_DIR matches the uninterrupted run's.
same_as_straight() {  # same_as_straight CASE OUTPUT_DIR
  local file
  for file in metrics.csv cycle_00/labelled.txt cycle_00/selected_ids.txt cycle_00/selection.csv \
      cycle_01/labelled.txt; do
    cmp -s "$TMP/straight/$RUNDIR/$file" "$2/$RUNDIR/$file" ||
      fail "$1: $file differs from the uninterrupted run's"
  done
}
first_error() {  # first_error LOG: its first "error: ..." line, $TMP shortened
  grep -o "error: .*" "$1" | head -1 | sed "s|$TMP|\$TMP|g"
}
no_temporary_files() {  # no_temporary_files CASE DIR
  local left
  left=$(find "$2" -name '*.tmp*' 2>/dev/null)
  [[ -z "$left" ]] || fail "$1: temporary files left behind: $left"
}

write_spec straight "$TMP/straight"
run straight
[[ $code -eq 0 ]] || { echo "FAIL: uninterrupted run"; cat "$TMP/straight.log"; exit 1; }

# 1. A full disk. The smoke model's train state is about 12 MB and the folder
#    keeps the previous one while the next is written: 20 MB fills up at the
#    second epoch's train state.
mkdir -p "$TMP/small"
write_spec full "$TMP/small/runs"
if [[ $HUALE_MOUNT_NAMESPACE == private ]]; then
  mount -t tmpfs -o size=20m tmpfs "$TMP/small" || { echo "FAIL: mount tmpfs"; exit 1; }
  run full
  expected_error="No space left on device"
else
  (trap '' XFSZ; ulimit -f 20000; exec "$RUN" --spec="$TMP/full.pbtxt") >"$TMP/full.log" 2>&1
  code=$?
  expected_error="File too large"
fi
if [[ $code -ne 1 ]] || ! grep -q "error: .*$RUNDIR/cycle_0.*$expected_error" "$TMP/full.log"; then
  fail "full disk: exit $code, and no error naming the file and '$expected_error':"
  tail -5 "$TMP/full.log"
else
  echo "full disk: $(first_error "$TMP/full.log")"
fi
no_temporary_files "full disk" "$TMP/small"
[[ $HUALE_MOUNT_NAMESPACE == private ]] && mount -o remount,size=512m "$TMP/small"
run full --resume
[[ $code -eq 0 ]] || { fail "full disk: resume after space was freed exited $code"; tail -5 "$TMP/full.log"; }
same_as_straight "full disk" "$TMP/small/runs"

# 2. A read-only folder, at start and on resume of a run killed after cycle 0.
if [[ $HUALE_MOUNT_NAMESPACE == private ]]; then
  mkdir -p "$TMP/ro"
  mount -t tmpfs -o size=512m,ro tmpfs "$TMP/ro"
  write_spec readonly "$TMP/ro/runs"
  run readonly
  if [[ $code -ne 1 ]] || ! grep -q "error: .*$TMP/ro/runs.*Read-only file system" "$TMP/readonly.log"; then
    fail "read-only folder at start: exit $code:"; tail -5 "$TMP/readonly.log"
  else
    echo "read-only at start: $(first_error "$TMP/readonly.log")"
  fi
  mount -o remount,rw "$TMP/ro"
  write_spec readonly "$TMP/ro/runs"
  "$RUN" --spec="$TMP/readonly.pbtxt" >"$TMP/readonly.first.log" 2>&1 &
  pid=$!
  until grep -q "cycle 1/1" "$TMP/readonly.first.log" || ! kill -0 $pid 2>/dev/null; do sleep 0.1; done
  kill -9 $pid 2>/dev/null; wait $pid 2>/dev/null
  before=$(cd "$TMP/ro" && find . -type f | sort | xargs md5sum)
  mount -o remount,ro "$TMP/ro"
  : >"$TMP/readonly.log"
  run readonly --resume
  if [[ $code -ne 1 ]] || ! grep -q "Read-only file system" "$TMP/readonly.log"; then
    fail "read-only folder on resume: exit $code:"; tail -5 "$TMP/readonly.log"
  else
    echo "read-only on resume: $(first_error "$TMP/readonly.log")"
  fi
  [[ "$(cd "$TMP/ro" && find . -type f | sort | xargs md5sum)" == "$before" ]] ||
    fail "read-only folder: its files changed"
  mount -o remount,rw "$TMP/ro"
  run readonly --resume
  [[ $code -eq 0 ]] || { fail "read-only folder: resume once writable exited $code"; tail -5 "$TMP/readonly.log"; }
  same_as_straight "read-only folder" "$TMP/ro/runs"
fi

# 3. The run folder removed while the run scores the pool: the run stops at its
#    next write instead of making half a folder again.
write_spec vanished "$TMP/vanished"
"$RUN" --spec="$TMP/vanished.pbtxt" >"$TMP/vanished.log" 2>&1 &
pid=$!
until grep -q "cycle 0/1 score pool" "$TMP/vanished.log" || ! kill -0 $pid 2>/dev/null; do sleep 0.05; done
rm -rf "$TMP/vanished/$RUNDIR"
wait $pid
code=$?
if [[ $code -ne 1 ]] || ! grep -q "was removed or replaced while this run was using it" "$TMP/vanished.log"; then
  fail "vanished folder: exit $code:"; tail -5 "$TMP/vanished.log"
else
  echo "vanished folder: $(first_error "$TMP/vanished.log")"
fi
[[ -e "$TMP/vanished/$RUNDIR/cycle_00/selection.json" ]] &&
  fail "vanished folder: the run went on writing into a new folder"
run vanished --resume
[[ $code -eq 0 ]] || { fail "vanished folder: resume exited $code"; tail -5 "$TMP/vanished.log"; }
same_as_straight "vanished folder" "$TMP/vanished"

echo "$failed failed"
[[ $failed -eq 0 ]]
