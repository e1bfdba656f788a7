#!/usr/bin/env bash
# //tools:detect --run on a model the driver trained: its results JSON, scored by
# //tools:evaluate, must give the metrics the driver's own evaluation wrote to
# cycle_00/metrics.json (same model, same test images, same evaluator). The spec
# resizes 160 px scenes to 128 (training.min_size), so a tool that skipped the
# run's resize, built another model or wrote other category ids would not match.
# Then bad inputs: each must exit 2 with a message naming the path or flag.
set -u
D="${TEST_SRCDIR}/huale"
TMP="${TEST_TMPDIR:-$(mktemp -d)}"
export HUALE_THREADS="${HUALE_THREADS:-2}"
PY=/opt/huale/py/bin/python

"$D/tools/make_fmnist_det" --profile=smoke --output_dir="$TMP/data" >"$TMP/make_data.log" 2>&1 || {
  echo "FAIL: generating the smoke dataset"; cat "$TMP/make_data.log"; exit 1; }
# COCO category ids that are not label + 1 (as COCO's own: 1..90 with gaps), so
# results written with the wrong ids would be left out by the evaluator.
"$PY" - "$TMP/data/annotations" <<'PYEOF' || { echo "FAIL: renumbering categories"; exit 1; }
import json, os, sys
for split in ("trainval", "test"):
    path = os.path.join(sys.argv[1], f"instances_{split}.json")
    data = json.load(open(path))
    for c in data["categories"]:
        c["id"] = 10 * c["id"] + 3
    for a in data["annotations"]:
        a["category_id"] = 10 * a["category_id"] + 3
    json.dump(data, open(path, "w"))
PYEOF
sed -e "s|@DATA@|$TMP/data|" -e "s|@OUT@|$TMP/runs|" \
  "$D/tools/testdata/detect_run_smoke.pbtxt.in" >"$TMP/spec.pbtxt"
"$D/experiments/run" --spec="$TMP/spec.pbtxt" >"$TMP/run.log" 2>&1 || {
  echo "FAIL: driver run"; cat "$TMP/run.log"; exit 1; }
RUN_DIR="$TMP/runs/detect_smoke/seed5"

passed=0
failed=0
fail() { failed=$((failed + 1)); echo "FAIL: $*"; }

# Compares every metric of evaluate's JSON ($1) with the run's metrics.json.
same_metrics() {
  "$PY" - "$1" "$RUN_DIR/cycle_00/metrics.json" <<'PYEOF'
import json, sys
got = json.load(open(sys.argv[1]))
run = json.load(open(sys.argv[2]))
bad = []
for name, want in list(run["metrics"].items()) + [("primary " + run["primary_metric"], run["primary"])]:
    have = got[name.split(" ")[-1]]
    if abs(have - want) > 1e-6:
        bad.append(f"{name}: evaluate {have!r}, run {want!r}")
for name, want in run["per_class_ap"].items():
    if abs(got["per_class_AP"][name] - want) > 1e-6:
        bad.append(f"AP[{name}]: evaluate {got['per_class_AP'][name]!r}, run {want!r}")
# A model that finds nothing would match trivially.
if run["metrics"]["AR100"] <= 0:
    bad.append("the run's AR100 is 0: the smoke model detects nothing, the check is void")
print("\n".join(bad) if bad else f"AP {got['AP']!r} = run {run['primary']!r}")
sys.exit(1 if bad else 0)
PYEOF
}

# detect_and_compare NAME [detect flags...]
detect_and_compare() {
  local name="$1"; shift
  if ! "$D/tools/detect" --run="$RUN_DIR" --out="$TMP/$name.json" "$@" >"$TMP/$name.log" 2>&1; then
    fail "detect $*"; cat "$TMP/$name.log"; return
  fi
  if ! "$D/tools/evaluate" --metric=coco --gt="$TMP/data/annotations/instances_test.json" \
      --dt="$TMP/$name.json" >"$TMP/$name.metrics.json" 2>"$TMP/$name.evaluate.log"; then
    fail "evaluate $name"; cat "$TMP/$name.evaluate.log"; return
  fi
  if same_metrics "$TMP/$name.metrics.json"; then
    passed=$((passed + 1)); echo "ok: $name"
  else
    fail "$name: metrics differ from $RUN_DIR/cycle_00/metrics.json"
  fi
}

# The run's test split (default), the last cycle (default) and --cycle=0 explicitly.
detect_and_compare test_split
detect_and_compare cycle0 --cycle=0
# The same images as files, in the split's order (the evaluation's batches).
sed -e "s|^|$TMP/data/JPEGImages/|" -e "s|\$|.jpg|" "$TMP/data/ImageSets/Main/test.txt" >"$TMP/list.txt"
detect_and_compare image_list --images="$TMP/list.txt"

# expect_error NAME TEXT [detect flags...]: exit 2 and TEXT in the message
# (BIN=detect_torchvision expect_error ... for the other tool).
expect_error() {
  local name="$1" text="$2"; shift 2
  "$D/tools/${BIN:-detect}" --out="$TMP/never.json" "$@" >"$TMP/$name.log" 2>&1
  local rc=$?
  if [[ $rc -ne 2 ]]; then
    fail "$name: exit $rc, expected 2"; cat "$TMP/$name.log"
  elif ! grep -qF -- "$text" "$TMP/$name.log"; then
    fail "$name: message lacks '$text'"; cat "$TMP/$name.log"
  else
    passed=$((passed + 1)); echo "ok: $name"
  fi
}

expect_error missing_run "$TMP/runs/no_such_run" --run="$TMP/runs/no_such_run"
expect_error not_a_run "$TMP/runs/detect_smoke/spec.pbtxt" --run="$TMP/runs/detect_smoke"
expect_error unfinished_cycle "$RUN_DIR/cycle_01/model.pt" --run="$RUN_DIR" --cycle=1
mkdir -p "$TMP/broken/cycle_00"
cp "$RUN_DIR/cycle_00/model.pt" "$TMP/broken/cycle_00/"
echo 'name: "x" model { nmae: "fasterrcnn_small_fpn" }' >"$TMP/broken/spec.pbtxt"
expect_error malformed_spec "$TMP/broken/spec.pbtxt:1:" --run="$TMP/broken"
mkdir -p "$TMP/untrained/cycle_00"
cp "$RUN_DIR/spec.pbtxt" "$TMP/untrained/"
expect_error no_model "no cycle_NN/model.pt" --run="$TMP/untrained"
expect_error weights_flag "unknown flag '--weights'" --weights="$TMP/w.pt" --run="$RUN_DIR"
BIN=detect_torchvision expect_error torchvision_needs_images "--images" --weights="$TMP/w.pt"
BIN=detect_torchvision expect_error torchvision_missing_weights "$TMP/no_such_weights.pt" \
  --weights="$TMP/no_such_weights.pt" --images="$TMP/list.txt" --model=fasterrcnn_small_fpn
if [[ -f "$TMP/never.json" ]]; then fail "a failed detect wrote its output"; fi

echo "${passed} passed, ${failed} failed"
[[ $failed -eq 0 ]]
