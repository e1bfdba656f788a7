# Sourced by the driver's shell tests: sets RUN (the driver), TMP (a scratch
# folder) and the thread count, and generates the smoke dataset into $TMP/data.
RUN="${TEST_SRCDIR}/huale/experiments/run"
TMP="${TEST_TMPDIR:-$(mktemp -d)}"
export HUALE_THREADS="${HUALE_THREADS:-2}"

"${TEST_SRCDIR}/huale/tools/make_fmnist_det" --profile=smoke --output_dir="$TMP/data" \
  >"$TMP/make_data.log" 2>&1 || {
  echo "FAIL: generating the smoke dataset"; cat "$TMP/make_data.log"; exit 1; }
