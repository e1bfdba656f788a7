#!/usr/bin/env bash
# The drivers' command lines (experiments/command_line.h): --help prints the
# usage (and exits 1, absl's rule, as gflags' did), an unknown flag or a
# positional argument exits 2 naming it; flag values may follow as the next
# argument.
set -u
D="${TEST_SRCDIR}/huale/experiments"
passed=0
failed=0

expect() {  # expect CODE PATTERN BINARY ARGS...
  local code="$1" pattern="$2" binary="$3"
  shift 3
  local out status
  out="$("$D/$binary" "$@" 2>&1)"
  status=$?
  if [[ $status -eq $code ]] && grep -Eq -- "$pattern" <<<"$out"; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
    echo "FAIL: $binary $* -> exit $status (want $code), output should match /$pattern/:"
    sed 's/^/    /' <<<"$out" | head -20
  fi
}

expect 1 "--spec=NAME.pbtxt" run --help
expect 1 "--specs=baseline" sweep --help
expect 2 "unknown flag '--sepc'" run --sepc=x
expect 2 "unknown flag '--nolist2'" run --nolist2
expect 2 "unexpected argument 'fmnist_huale'" run fmnist_huale
expect 2 "unknown flag '--seed'" sweep --seed=1
expect 2 "unexpected argument 'extra'" sweep --specs=a extra
# A value as the next argument, and --nobool, are flags, not positionals.
expect 2 "not found; looked for" run --spec no_such_spec_anywhere --noresume
expect 2 "need --specs" sweep --seeds 1 --noreport_only

echo "${passed} passed, ${failed} failed"
[[ $failed -eq 0 ]]
