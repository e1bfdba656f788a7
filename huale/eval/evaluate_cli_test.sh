#!/usr/bin/env bash
# //tools:evaluate end to end: the COCO fixtures' reference numbers, a VOC devkit
# whose AP is derived by hand, and exit status 2 with a message on bad input.
set -uo pipefail
EVALUATE=tools/evaluate
DATA=huale/eval/testdata
failures=0
fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }

# The value of "key" in a one-line JSON object.
field() { sed -n "s/.*\"$2\": \(-\{0,1\}[0-9.eE+-]*\).*/\1/p" <<<"$1"; }
near() { awk -v a="$1" -v b="$2" -v tol="$3" 'BEGIN { d = a - b; if (d < 0) d = -d; exit !(a != "" && d <= tol) }'; }

for expected in "$DATA"/coco_eval/*_expected.json; do
  case_prefix="${expected%_expected.json}"
  out=$("$EVALUATE" --metric=coco --gt="${case_prefix}_gt.json" --dt="${case_prefix}_dt.json") ||
    { fail "$case_prefix: exit $?"; continue; }
  want=$(tr -d '\n' <"$expected")
  for key in AP AP50 AP75 APs APm APl AR1 AR10 AR100 ARs ARm ARl; do
    near "$(field "$out" "$key")" "$(field "$want" "$key")" 1e-9 ||
      fail "$case_prefix $key: got $(field "$out" "$key"), expected $(field "$want" "$key")"
  done
done

# VOC: cat has 2 positives; detections TP (0.9) then FP (0.8): recall [.5 .5],
# precision [1 .5]. 11-point: t = 0 ... 0.5 read 1, t = 0.6 ... 1 read 0 -> 6/11.
# Area: 0.5 * 1 = 0.5. The dog is only a difficult object: no AP, not in the mean.
out=$("$EVALUATE" --metric=voc07 --voc_root="$DATA/voc_devkit" --split=test \
  --dt="$DATA/voc_results.json") || fail "voc07: exit $?"
near "$(field "$out" mAP)" 0.545454545454545454 1e-12 || fail "voc07 mAP: $out"
grep -q '"dog"' <<<"$out" && fail "voc07: dog has no positives but is listed: $out"
out=$("$EVALUATE" --metric=voc_area --voc_root="$DATA/voc_devkit" --split=test \
  --dt="$DATA/voc_results.json") || fail "voc_area: exit $?"
near "$(field "$out" mAP)" 0.5 1e-12 || fail "voc_area mAP: $out"

# Bad input: exit status 2 and a message that names the problem.
expect_error() {  # expect_error <substring> <args...>
  local want="$1"; shift
  local err status
  err=$("$EVALUATE" "$@" 2>&1 >/dev/null); status=$?
  [[ $status -eq 2 ]] || fail "$*: exit $status, expected 2"
  grep -qF -- "$want" <<<"$err" || fail "$*: message '$err' lacks '$want'"
}
tmp="${TEST_TMPDIR:-/tmp}"
gt="$DATA/coco_eval/case03_gt.json"
echo '[{"image_id": 1, "category_id": 1, "bbox": [0, 0, 1, 1], "score": NaN}]' >"$tmp/nan.json"
echo '[{"image_id": 123456789, "category_id": 1, "bbox": [0, 0, 1, 1], "score": 0.5}]' >"$tmp/unknown.json"
echo '[{"image_id": 1, "category_id": 1, "bbox": [0, 0, -1, 1], "score": 0.5}]' >"$tmp/negative.json"
expect_error "needs --gt" --metric=coco --dt="$tmp/nan.json"
expect_error "NaN" --metric=coco --gt="$gt" --dt="$tmp/nan.json"
expect_error "image_id 123456789 is not an image" --metric=coco --gt="$gt" --dt="$tmp/unknown.json"
expect_error "width and height >= 0" --metric=coco --gt="$gt" --dt="$tmp/negative.json"
expect_error "cannot read" --metric=coco --gt=/nonexistent.json --dt="$tmp/nan.json"
expect_error "expected coco, voc07 or voc_area" --metric=map --gt="$gt" --dt="$tmp/nan.json"
expect_error "ImageSets/Main/val.txt" --metric=voc07 --voc_root="$DATA/voc_devkit" --split=val \
  --dt="$DATA/voc_results.json"

if [[ $failures -gt 0 ]]; then echo "$failures failures" >&2; exit 1; fi
echo "all passed"
