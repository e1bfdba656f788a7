#!/usr/bin/env bash
# //tools:evaluate end to end: the COCO fixtures' reference numbers, a VOC devkit
# whose AP is derived by hand, and exit status 2 with a message on bad input.
set -uo pipefail
EVALUATE=tools/evaluate
DATA=huale/eval/testdata
failures=0
tmp="${TEST_TMPDIR:-/tmp}"
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

# The generated Fashion-MNIST benchmark (smoke profile, VOC layout with
# classes.txt): its own test boxes as detections, category_id = 1-based line of
# the class in classes.txt, are all true positives, so every class with objects
# has AP 1 and mAP = 1 under both rules. A category_id off by one, or the devkit
# class list, would fail this.
if tools/make_fmnist_det --profile=smoke --output_dir="$tmp/fmnist" >"$tmp/fmnist.log" 2>&1; then
  fm="$tmp/fmnist"
  : >"$tmp/fmnist_boxes.txt"
  while read -r id _; do
    [[ -n "$id" ]] || continue
    { tr -d ' \n\t' <"$fm/Annotations/$id.xml"; echo; } |
      sed 's/<object>/\n/g' |
      sed -n "s|.*<name>\([^<]*\)</name>.*<xmin>\([^<]*\)</xmin><ymin>\([^<]*\)</ymin><xmax>\([^<]*\)</xmax><ymax>\([^<]*\)</ymax>.*|$id \1 \2 \3 \4 \5|p" \
      >>"$tmp/fmnist_boxes.txt"
  done <"$fm/ImageSets/Main/test.txt"
  awk 'NR == FNR { if ($1 != "") rank[$1] = ++n; next }
       { printf "%s{\"image_id\": \"%s\", \"category_id\": %d, \"bbox\": [%s, %s, %s, %s], \"score\": 0.5}\n",
                 (FNR == 1 ? "[" : ","), $1, rank[$2], $3, $4, $5 - $3, $6 - $4 }
       END { if (FNR == 0) print "["; print "]" }' \
    "$fm/classes.txt" "$tmp/fmnist_boxes.txt" >"$tmp/fmnist_results.json"
  objects=$(sed "s|^\([^ ]*\).*|$fm/Annotations/\1.xml|" "$fm/ImageSets/Main/test.txt" |
    xargs cat | grep -c '<object>')
  [[ $objects -gt 10 && $(wc -l <"$tmp/fmnist_boxes.txt") -eq $objects ]] ||
    fail "fmnist: read $(wc -l <"$tmp/fmnist_boxes.txt") of $objects test boxes"
  for metric in voc07 voc_area; do
    out=$("$EVALUATE" --metric=$metric --voc_root="$fm" --split=test --dt="$tmp/fmnist_results.json") ||
      fail "fmnist $metric: exit $?"
    near "$(field "$out" mAP)" 1 1e-9 || fail "fmnist $metric mAP: $out"
    grep -q '"ankle_boot"' <<<"$out" || fail "fmnist $metric: no ankle_boot AP: $out"
  done
else
  fail "make_fmnist_det --profile=smoke: $(tail -3 "$tmp/fmnist.log")"
fi

# Bad input: exit status 2 and a message that names the problem.
expect_error() {  # expect_error <substring> <args...>
  local want="$1"; shift
  local err status
  err=$("$EVALUATE" "$@" 2>&1 >/dev/null); status=$?
  [[ $status -eq 2 ]] || fail "$*: exit $status, expected 2"
  grep -qF -- "$want" <<<"$err" || fail "$*: message '$err' lacks '$want'"
}
tmp="${TEST_TMPDIR:-/tmp}"

# A custom VOC-format dataset: classes from <root>/classes.txt (whitespace around
# names and blank lines ignored, as huale/data's reader does), category_id =
# 1-based rank there: llama = 1, kiwi = 2, teapot = 3.
#   a: llama [10 10 29 29], kiwi [50 50 69 69]   b: llama [0 0 39 39]   c: no object
# llama (2 positives): 0.9 on a [10 10 29 29] TP, 0.8 on b far away FP,
#   0.7 on b [0 0 39 39] TP -> recall [.5 .5 1], precision [1 .5 2/3];
#   11-point: t = 0 ... 0.5 read 1, t = 0.6 ... 1 read 2/3 -> (6 + 10/3)/11 = 28/33.
# kiwi (1 positive): 0.95 on c (no object) FP, 0.6 on a [50 50 69 69] TP ->
#   recall [0 1], precision [0 .5]; every t reads 0.5 -> 0.5.
# teapot: no object -> not in the mean. category_id 4 is outside 1..3: left out
# with a warning. mAP = (28/33 + 1/2) / 2 = 89/132.
custom="$tmp/custom_voc"
mkdir -p "$custom/Annotations" "$custom/ImageSets/Main"
printf '  llama \n\nkiwi\t\nteapot\n' >"$custom/classes.txt"
printf 'a\nb\nc\n' >"$custom/ImageSets/Main/test.txt"
voc_object() {  # voc_object <name> <xmin> <ymin> <xmax> <ymax>
  echo "<object><name>$1</name><difficult>0</difficult><bndbox><xmin>$2</xmin>" \
    "<ymin>$3</ymin><xmax>$4</xmax><ymax>$5</ymax></bndbox></object>"
}
voc_xml() {  # voc_xml <objects...>
  echo "<annotation><size><width>100</width><height>100</height><depth>3</depth></size>$*</annotation>"
}
voc_xml "$(voc_object llama 10 10 29 29)" "$(voc_object kiwi 50 50 69 69)" >"$custom/Annotations/a.xml"
voc_xml "$(voc_object llama 0 0 39 39)" >"$custom/Annotations/b.xml"
voc_xml >"$custom/Annotations/c.xml"
cat >"$tmp/custom_results.json" <<'JSON'
[{"image_id": "a", "category_id": 1, "bbox": [10, 10, 19, 19], "score": 0.9},
 {"image_id": "b", "category_id": 1, "bbox": [60, 60, 10, 10], "score": 0.8},
 {"image_id": "b", "category_id": 1, "bbox": [0, 0, 39, 39], "score": 0.7},
 {"image_id": "c", "category_id": 2, "bbox": [5, 5, 20, 20], "score": 0.95},
 {"image_id": "a", "category_id": 2, "bbox": [50, 50, 19, 19], "score": 0.6},
 {"image_id": "a", "category_id": 4, "bbox": [50, 50, 19, 19], "score": 0.6}]
JSON
err=$("$EVALUATE" --metric=voc07 --voc_root="$custom" --split=test \
  --dt="$tmp/custom_results.json" 2>&1 >"$tmp/custom_out.json") || fail "custom voc07: exit $? ($err)"
out=$(cat "$tmp/custom_out.json")
near "$(field "$out" mAP)" "$(awk 'BEGIN { printf "%.17g", 89 / 132 }')" 1e-12 ||
  fail "custom voc07 mAP: $out"
near "$(field "$out" llama)" "$(awk 'BEGIN { printf "%.17g", 28 / 33 }')" 1e-12 ||
  fail "custom voc07 llama AP: $out"
near "$(field "$out" kiwi)" 0.5 1e-12 || fail "custom voc07 kiwi AP: $out"
grep -q '"teapot"' <<<"$out" && fail "custom voc07: teapot has no object but is listed: $out"
grep -qF "outside 1..3" <<<"$err" || fail "custom voc07: no warning for category_id 4: '$err'"
# --classes overrides classes.txt: the same names in reverse order, and the
# results renumbered to match (llama = 3, teapot = 1), give the same numbers.
printf 'teapot\nkiwi\nllama\n' >"$tmp/reversed_classes.txt"
sed 's/"category_id": 1,/"category_id": 3,/' "$tmp/custom_results.json" >"$tmp/reversed_results.json"
out=$("$EVALUATE" --metric=voc07 --voc_root="$custom" --split=test \
  --classes="$tmp/reversed_classes.txt" --dt="$tmp/reversed_results.json") ||
  fail "custom voc07 --classes: exit $?"
near "$(field "$out" mAP)" "$(awk 'BEGIN { printf "%.17g", 89 / 132 }')" 1e-12 ||
  fail "custom voc07 --classes mAP: $out"
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
# An XML object of a class outside the list names the file and the class; so
# does the devkit default (no classes.txt) for a custom name; a class listed
# twice names file:line.
unknown="$tmp/unknown_voc"
mkdir -p "$unknown/Annotations" "$unknown/ImageSets/Main"
printf 'llama\nkiwi\n' >"$unknown/classes.txt"
echo a >"$unknown/ImageSets/Main/test.txt"
voc_xml "$(voc_object kiwi 1 1 9 9)" "$(voc_object unicorn 10 10 29 29)" >"$unknown/Annotations/a.xml"
echo '[]' >"$tmp/empty_results.json"
expect_error "$unknown/Annotations/a.xml: object #1: class 'unicorn' is not in the class list" \
  --metric=voc07 --voc_root="$unknown" --split=test --dt="$tmp/empty_results.json"
rm "$unknown/classes.txt"
expect_error "$unknown/Annotations/a.xml: object #0: class 'kiwi' is not in the class list (the 20 PASCAL VOC classes" \
  --metric=voc07 --voc_root="$unknown" --split=test --dt="$tmp/empty_results.json"
expect_error "no_such_classes.txt: cannot read" --metric=voc07 --voc_root="$custom" --split=test \
  --classes="$DATA/voc_devkit/no_such_classes.txt" --dt="$tmp/empty_results.json"
printf 'llama\nkiwi\n\nllama\n' >"$tmp/twice.txt"
expect_error "$tmp/twice.txt:4: class 'llama' is listed twice" --metric=voc07 \
  --voc_root="$custom" --split=test --classes="$tmp/twice.txt" --dt="$tmp/empty_results.json"

if [[ $failures -gt 0 ]]; then echo "$failures failures" >&2; exit 1; fi
echo "all passed"
