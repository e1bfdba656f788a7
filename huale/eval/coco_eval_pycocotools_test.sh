#!/usr/bin/env bash
# Runs coco_eval_pycocotools_test.py with the pinned Python prefix (pycocotools
# 2.0.11, installed by tools/setup.sh); a missing reference fails the test.
set -eu
PY=/opt/huale/py/bin/python
[[ -x "$PY" ]] || { echo "FAIL: $PY missing: run bash tools/setup.sh"; exit 1; }
exec "$PY" "${TEST_SRCDIR}/huale/huale/eval/coco_eval_pycocotools_test.py" \
  "${TEST_SRCDIR}/huale/tools/evaluate"
