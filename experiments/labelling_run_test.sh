#!/usr/bin/env bash
# People labelling through files (schedule.annotator: FILES), on the smoke
# profile: each batch goes out as cycle_NN/to_label/ and comes back as COCO
# JSON. Answered with the ground truth, the run must select and score exactly
# as the simulation (GROUND_TRUTH) does; bad answers are named and lose nothing.
set -u
source "${TEST_SRCDIR}/huale/experiments/testdata/smoke_run_setup.sh"
PLAY="${TEST_SRCDIR}/huale/experiments/testdata/play_annotator.py"
PYTHON=/opt/huale/py/bin/python

write_spec() {  # write_spec FILE OUTPUT_DIR ANNOTATOR DATA
  sed -e "s|@DATA@|$4|" -e "s|@OUT@|$2|" \
      -e "s|cycles: 2 }|cycles: 2 annotator: $3 }|" \
    "${TEST_SRCDIR}/huale/experiments/testdata/resume_smoke.pbtxt.in" >"$1"
  # The smoke model is weak: pre-annotate with what it finds at all.
  echo "labelling { prediction_score_threshold: 0.05 }" >>"$1"
}
fail() { echo "FAIL: $*"; exit 1; }

write_spec "$TMP/gt.pbtxt" "$TMP/gt" GROUND_TRUTH "$TMP/data"
"$RUN" --spec="$TMP/gt.pbtxt" >"$TMP/gt.log" 2>&1 || { cat "$TMP/gt.log"; fail "ground-truth run"; }

# The people's dataset: the pool's images have no annotation files yet
# (dataset.unannotated_pool_images); the test split keeps its own.
cp -r "$TMP/data" "$TMP/data_files"
while read -r id; do rm "$TMP/data_files/Annotations/$id.xml"; done \
  <"$TMP/data_files/ImageSets/Main/trainval.txt"
write_spec "$TMP/files.pbtxt" "$TMP/files" FILES "$TMP/data_files"
sed -i 's|test_split: "test" }|test_split: "test" unannotated_pool_images: true }|' "$TMP/files.pbtxt"
grep -q "unannotated_pool_images: true" "$TMP/files.pbtxt" || fail "spec not edited"
FOLDER="$TMP/files/resume_smoke/seed3"
step() {  # step EXPECTED_EXIT LOG
  "$RUN" --spec="$TMP/files.pbtxt" --resume >"$TMP/$2.log" 2>&1
  local code=$?
  [[ $code -eq $1 ]] || { cat "$TMP/$2.log"; fail "$2: exit $code, expected $1"; }
}

# Cycle 0: the initial set goes out; the run stops, waiting (exit 3).
"$RUN" --spec="$TMP/files.pbtxt" >"$TMP/files0.log" 2>&1
code=$?
[[ $code -eq 3 ]] || { cat "$TMP/files0.log"; fail "first run: exit $code, expected 3"; }
grep -q "cycle 0/1: 0 of 24 images labelled; label the rest in $FOLDER/cycle_00/to_label" \
  "$TMP/files0.log" || { cat "$TMP/files0.log"; fail "no 'label the rest' message"; }
[[ -L "$FOLDER/cycle_00/to_label/images/000001.jpg" ]] || fail "no image links in to_label/images"

# An answer naming a class the dataset does not have: exit 1, named, resumable.
"$PYTHON" "$PLAY" coco "$TMP/data" "$FOLDER/cycle_00/to_label" || fail "playing the annotator"
"$PYTHON" - "$FOLDER/cycle_00/to_label/labels.json" <<'PY'
import json, sys
labels = json.load(open(sys.argv[1]))
labels["categories"].append({"id": 99, "name": "hat"})
labels["annotations"][0]["category_id"] = 99
json.dump(labels, open(sys.argv[1], "w"))
PY
step 1 unknown_class
grep -q "labels.json: annotations\[0\]: unknown class 'hat' (the dataset's classes: " \
  "$TMP/unknown_class.log" || { cat "$TMP/unknown_class.log"; fail "unknown class not named"; }

# The ground truth (one of its boxes reaches past its image: clipped, as the
# reader clips it), plus a box wholly outside its image and one of zero width
# (both dropped, named and counted: what is trained on is the ground truth),
# and an image that was not sent (not used, named).
"$PYTHON" "$PLAY" coco "$TMP/data" "$FOLDER/cycle_00/to_label" || fail "playing the annotator"
"$PYTHON" - "$FOLDER/cycle_00/to_label/labels.json" <<'PY'
import json, sys
labels = json.load(open(sys.argv[1]))
first = labels["images"][0]
labels["annotations"].append({"id": 997, "image_id": first["id"], "category_id": 1,
                              "bbox": [first["width"] + 5, 1, 3, 3]})
labels["annotations"].append({"id": 998, "image_id": first["id"], "category_id": 1,
                              "bbox": [2, 2, 0, 5]})
labels["images"].append({"id": 999, "file_name": "stray.jpg", "width": 10, "height": 10})
labels["annotations"].append({"id": 999, "image_id": 999, "category_id": 1, "bbox": [1, 1, 2, 2]})
json.dump(labels, open(sys.argv[1], "w"))
PY
step 3 cycle0
grep -q "cycle 0/1: 3 returned boxes clipped or dropped (bad_samples.json)" "$TMP/cycle0.log" ||
  { cat "$TMP/cycle0.log"; fail "the box outside the image and the empty box were not counted"; }
"$PYTHON" - "$FOLDER/bad_samples.json" <<'PY' || { cat "$FOLDER/bad_samples.json"; fail "bad_samples.json"; }
import json, sys
summary = json.load(open(sys.argv[1]))
text = json.dumps(summary)
assert text.count("zero or negative area") == 2 and text.count("reaches outside") == 1, text
PY
grep -q "'stray.jpg') is not an image of this batch: not used" "$TMP/cycle0.log" ||
  { cat "$TMP/cycle0.log"; fail "a label for an image not sent was not named"; }
grep -q "cycle 1/1: sent 8 images to be labelled (files)" "$TMP/cycle0.log" ||
  { cat "$TMP/cycle0.log"; fail "cycle 1's batch was not sent"; }
cmp "$TMP/gt/resume_smoke/seed3/cycle_00/selected_ids.txt" "$FOLDER/cycle_00/selected_ids.txt" ||
  fail "the selection differs from the ground-truth run's"
"$PYTHON" - "$FOLDER/cycle_01/to_label/predictions.json" <<'PY' || fail "no pre-annotations"
import json, sys
p = json.load(open(sys.argv[1]))
assert len(p["images"]) == 8 and p["annotations"], p
PY

"$PYTHON" "$PLAY" coco "$TMP/data" "$FOLDER/cycle_01/to_label" || fail "playing the annotator"
step 0 cycle1
diff <(cut -d, -f1-5 "$TMP/gt/resume_smoke/seed3/metrics.csv") <(cut -d, -f1-5 "$FOLDER/metrics.csv") ||
  fail "metrics differ from the ground-truth run's"
cmp "$TMP/gt/resume_smoke/seed3/cycle_01/labelled.txt" "$FOLDER/cycle_01/labelled.txt" ||
  fail "cycle 1's labelled set differs"
# The labels written back: an annotation file for each labelled image (the
# ground truth's labels), none for the rest of the pool, nothing set aside.
while read -r id; do
  "$PYTHON" - "$TMP/data/Annotations/$id.xml" "$TMP/data_files/Annotations/$id.xml" <<'PY' ||
import sys, xml.etree.ElementTree as ET
def boxes(path):
    root = ET.parse(path).getroot()
    return [(o.find("name").text, [float(o.find("bndbox").find(k).text)
             for k in ("xmin", "ymin", "xmax", "ymax")]) for o in root.findall("object")]
assert boxes(sys.argv[1]) == boxes(sys.argv[2]), (boxes(sys.argv[1]), boxes(sys.argv[2]))
PY
    fail "Annotations/$id.xml was not written with the labels given"
done <"$FOLDER/cycle_01/labelled.txt"
written=$(ls "$TMP/data_files/Annotations" | wc -l)
expected=$(( $(wc -l <"$FOLDER/cycle_01/labelled.txt") + $(wc -l <"$TMP/data/ImageSets/Main/test.txt") ))
[[ $written -eq $expected ]] || fail "$written annotation files, expected $expected"
echo "FILES answered with the ground truth: same selection, labelled sets and metrics as GROUND_TRUTH"
