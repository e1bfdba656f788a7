#!/usr/bin/env bash
# Fails when a huale/* target depends on //experiments or //tools (see BUILD).
set -euo pipefail
upward="$1"
if [[ -s "${upward}" ]]; then
  echo "huale/* must not depend on //experiments or //tools; these targets do:" >&2
  cat "${upward}" >&2
  exit 1
fi
echo "no huale/* target depends on //experiments or //tools"
