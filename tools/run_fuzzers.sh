#!/usr/bin/env bash
# Runs every fuzz target (cc_fuzz_test, tag "fuzz") under libFuzzer for
# SECONDS each (default 60), starting from a copy of its committed seed corpus,
# and prints executions and findings per target. A crash, leak, sanitizer report
# or timeout fails the script and leaves the input under $OUT/<target>/ (add it
# to the target's testdata/fuzz/<name>/ once fixed: the corpus replays under
# bazel test). As many targets run at once as there are cores (FUZZ_JOBS to
# change it); each is one process. Run from the repository root:
#   bash tools/run_fuzzers.sh [SECONDS]
set -uo pipefail
SECONDS_EACH="${1:-60}"
OUT="${OUT:-/tmp/huale_fuzz}"
JOBS="${FUZZ_JOBS:-$(nproc)}"
mapfile -t targets < <(bazel query 'attr(tags, "fuzz", tests(//...))' 2>/dev/null)
[[ ${#targets[@]} -gt 0 ]] || { echo "run_fuzzers: no fuzz targets found"; exit 1; }
bazel build --config=fuzz "${targets[@]}" || exit 1
rm -rf "$OUT" && mkdir -p "$OUT"

# fuzz_one TARGET: fuzzes it; its one-line result in $OUT/<name>/result.
fuzz_one() {
  local target="$1" package name work log code runs rate
  package="${target#//}" package="${package%%:*}" name="${target##*:}"
  work="$OUT/$name" && mkdir -p "$work/corpus"
  cp -r "$package/testdata/fuzz/$name/." "$work/corpus/"
  log="$work/fuzz.log"
  # -timeout: one input taking more than 10 s is a hang; -rss_limit_mb bounds memory.
  (cd "$work" && "$ROOT/bazel-bin/$package/$name" -max_total_time="$SECONDS_EACH" \
      -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$work/" corpus) \
    >"$log" 2>&1
  code=$?
  runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$')
  rate=$(grep -o 'stat::average_exec_per_sec: *[0-9]*' "$log" | grep -o '[0-9]*$')
  if [[ $code -eq 0 ]]; then
    echo "fuzz ${target}: ${runs:-?} executions (${rate:-?}/s) in ${SECONDS_EACH} s, no findings" \
      >"$work/result"
  else
    { echo "fuzz ${target}: FINDING (exit $code) after ${runs:-?} executions; input and log in $work:"
      grep -E "ERROR|SUMMARY|runtime error|Test unit written" "$log" | head -8; } >"$work/result"
  fi
}
ROOT="$PWD"
for target in "${targets[@]}"; do
  while [[ $(jobs -rp | wc -l) -ge $JOBS ]]; do wait -n; done
  fuzz_one "$target" &
done
wait
failed=0
for target in "${targets[@]}"; do
  result="$OUT/${target##*:}/result"
  cat "$result" 2>/dev/null || echo "fuzz ${target}: no result"
  grep -q "no findings" "$result" 2>/dev/null || failed=$((failed + 1))
done
echo "run_fuzzers: ${#targets[@]} targets, ${failed} with findings (${JOBS} at a time)"
[[ $failed -eq 0 ]]
