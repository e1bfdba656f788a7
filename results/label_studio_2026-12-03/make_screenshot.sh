#!/usr/bin/env bash
# Makes screenshot_task.png: a cycle-1 task in Label Studio with the cycle-0
# model's boxes as pre-annotations, as an annotator opens it.
#
#   bash results/label_studio_2026-12-03/make_screenshot.sh BIN_DIR WORK_DIR
#
# BIN_DIR holds the built experiments/run, tools/make_fmnist_det and
# tools/pretrain_backbone (e.g. bazel-bin after `bazel build -c opt
# //experiments:run //tools:make_fmnist_det //tools:pretrain_backbone`; without
# -c opt it works, slower); needs
# tools/setup.sh's Label Studio, Debian's chromium and a Python with
# websocket-client (PYTHON, default python3) for tools/label_studio_screenshot.py.
#
# The model is benchmark v2a's (fmnist_v2a_random): the pre-trained body (4
# epochs here, to save time), 100 initial images labelled in Label Studio with
# the ground truth by experiments/testdata/play_annotator.py (as
# label_studio_run_test does), 250 training steps; then 8 images go out with
# its detections scoring >= 0.5 (labelling.prediction_score_threshold's
# default). The task shown has the median number of pre-annotated boxes.
set -euo pipefail
BIN=$(realpath "$1")
WORK=$(realpath -m "$2")
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
PYTHON=${PYTHON:-python3}
PORT=8089
URL="http://127.0.0.1:$PORT"
TOKEN=$(head -c 20 /dev/urandom | od -An -tx1 | tr -d ' \n')
TITLE="huale screenshot_demo seed0"
mkdir -p "$WORK/home"

"$BIN/tools/make_fmnist_det" --profile=v2a --output_dir="$WORK/data" >"$WORK/make_data.log"
cp -r "$WORK/data" "$WORK/truth"  # the ground truth the "people" read
"$BIN/tools/pretrain_backbone" --epochs=4 --output="$WORK/body.pt" >"$WORK/pretrain.log" 2>&1

HOME="$WORK/home" LABEL_STUDIO_LOCAL_FILES_SERVING_ENABLED=true \
  LABEL_STUDIO_LOCAL_FILES_DOCUMENT_ROOT="$WORK/data" \
  /opt/huale/label-studio/bin/label-studio start --no-browser --port $PORT \
  --internal-host 127.0.0.1 --data-dir "$WORK/ls" --username lead@huale.local \
  --password huale-demo-pw --user-token "$TOKEN" --enable-legacy-api-token \
  >"$WORK/label_studio.log" 2>&1 &
SERVER=$!
trap 'code=$?; set +e; pkill -P $SERVER; kill $SERVER; exit $code' EXIT
until curl -sf "$URL/health" >/dev/null; do sleep 1; done

sed -e 's|name: "fmnist_v2a_random"|name: "screenshot_demo"|' \
  -e "s|root: \"data/fmnist_det/v2a\"|root: \"$WORK/data\"|" \
  -e "s|backbone_weights: .*|backbone_weights: \"$WORK/body.pt\"|" \
  -e 's|budget_per_cycle: 100|budget_per_cycle: 8|' \
  -e 's|cycles: 7|cycles: 2 annotator: LABEL_STUDIO|' \
  "$REPO/experiments/specs/fmnist_v2a_random.pbtxt" >"$WORK/demo.pbtxt"
echo "output_dir: \"$WORK/runs\"" >>"$WORK/demo.pbtxt"
export LABEL_STUDIO_URL="$URL" LABEL_STUDIO_API_KEY="$TOKEN"
run() { "$BIN/experiments/run" --spec="$WORK/demo.pbtxt" "$@" || [[ $? -eq 3 ]]; }
run                                        # cycle 0's initial set sent; exit 3
"$PYTHON" "$REPO/experiments/testdata/play_annotator.py" label_studio "$WORK/truth" "$URL" \
  "$TOKEN" "$TITLE" 0 "$WORK/expected0.json"
run --resume                               # cycle 0 trained, cycle 1's batch sent; exit 3

# The cycle-1 task with the median number of pre-annotated boxes.
read -r PROJECT TASK < <("$PYTHON" -c '
import json, sys, urllib.request
def get(path):
    request = urllib.request.Request(sys.argv[1] + path,
                                     headers={"Authorization": "Token " + sys.argv[2]})
    return json.load(urllib.request.urlopen(request))
projects = get("/api/projects?page_size=10000")
projects = projects["results"] if isinstance(projects, dict) else projects
project = next(p["id"] for p in projects if p["title"] == sys.argv[3])
tasks = get(f"/api/projects/{project}/export?exportType=JSON&download_all_tasks=true")
tasks = [get("/api/tasks/%d" % t["id"]) for t in tasks if not t["annotations"]]
tasks.sort(key=lambda t: (sum(len(p["result"]) for p in t["predictions"]), t["id"]))
print(project, tasks[len(tasks) // 2]["id"])' "$URL" "$TOKEN" "$TITLE")
"$PYTHON" "$REPO/tools/label_studio_screenshot.py" "$URL" lead@huale.local huale-demo-pw \
  "$PROJECT" "$TASK" "$HERE/screenshot_task.png"
