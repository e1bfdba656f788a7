#!/usr/bin/env bash
# People labelling in a real Label Studio server (schedule.annotator:
# LABEL_STUDIO), on the smoke profile. The test starts the server that
# tools/setup.sh installed (its own data folder and SQLite database, a token
# made here, a free port of 127.0.0.1), then plays the people through the
# server's REST API:
#  - cycle 0's initial set answered with the ground truth: the run must select
#    exactly what the simulation (GROUND_TRUTH) selects;
#  - cycle 1's batch, shown with the model's boxes: one image's pre-annotations
#    accepted, a box moved, one deleted, one added, an image skipped, a task
#    deleted in the tool (sent again), and a task huale did not send labelled;
#    the labelled set, labels.json and the VOC files written must be what the
#    "people" did.
# Also: a wrong token and an unreachable server are exit 1 with a message.
set -u
source "${TEST_SRCDIR}/huale/experiments/testdata/smoke_run_setup.sh"
PLAY="${TEST_SRCDIR}/huale/experiments/testdata/play_annotator.py"
LS_PREFIX=/opt/huale/label-studio
PYTHON="$LS_PREFIX/bin/python"
fail() { echo "FAIL: $*"; exit 1; }
[[ -x "$LS_PREFIX/bin/label-studio" ]] ||
  fail "no Label Studio at $LS_PREFIX: run tools/setup.sh (it installs the pinned server)"

# The server.
PORT=$("$PYTHON" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
TOKEN=$(head -c 20 /dev/urandom | od -An -tx1 | tr -d ' \n')
URL="http://127.0.0.1:$PORT"
cp -r "$TMP/data" "$TMP/data_ls"
mkdir -p "$TMP/home"
started=$(date +%s)
HOME="$TMP/home" LABEL_STUDIO_LOCAL_FILES_SERVING_ENABLED=true \
  LABEL_STUDIO_LOCAL_FILES_DOCUMENT_ROOT="$TMP/data_ls" \
  "$LS_PREFIX/bin/label-studio" start --no-browser --port "$PORT" --internal-host 127.0.0.1 \
  --data-dir "$TMP/ls" --username test@huale.local --password huale-test-password \
  --user-token "$TOKEN" --enable-legacy-api-token >"$TMP/label_studio.log" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null; pkill -P $SERVER 2>/dev/null; wait $SERVER 2>/dev/null' EXIT
for _ in $(seq 1 600); do
  curl -sf "$URL/health" >/dev/null 2>&1 && break
  kill -0 $SERVER 2>/dev/null || { cat "$TMP/label_studio.log"; fail "Label Studio exited"; }
  sleep 0.5
done
curl -sf "$URL/health" >/dev/null || { tail -30 "$TMP/label_studio.log"; fail "Label Studio did not answer in 300 s"; }
echo "Label Studio answered after $(( $(date +%s) - started )) s"

write_spec() {  # write_spec FILE OUTPUT_DIR ANNOTATOR DATA
  sed -e "s|@DATA@|$4|" -e "s|@OUT@|$2|" -e "s|cycles: 2 }|cycles: 2 annotator: $3 }|" \
    "${TEST_SRCDIR}/huale/experiments/testdata/resume_smoke.pbtxt.in" >"$1"
  echo "labelling { prediction_score_threshold: 0.05 max_attempts: 2 retry_seconds: 0.2 }" >>"$1"
}
write_spec "$TMP/gt.pbtxt" "$TMP/gt" GROUND_TRUTH "$TMP/data"
"$RUN" --spec="$TMP/gt.pbtxt" >"$TMP/gt.log" 2>&1 || { cat "$TMP/gt.log"; fail "ground-truth run"; }

write_spec "$TMP/ls.pbtxt" "$TMP/ls_runs" LABEL_STUDIO "$TMP/data_ls"
FOLDER="$TMP/ls_runs/resume_smoke/seed3"
TITLE="huale resume_smoke seed3"
step() {  # step EXPECTED_EXIT NAME [FLAGS...]
  local expected=$1 name=$2
  shift 2
  LABEL_STUDIO_URL="$URL" LABEL_STUDIO_API_KEY="$TOKEN" \
    "$RUN" --spec="$TMP/ls.pbtxt" "$@" >"$TMP/$name.log" 2>&1
  local code=$?
  [[ $code -eq $expected ]] || { cat "$TMP/$name.log"; fail "$name: exit $code, expected $expected"; }
}
expect() {  # expect NAME PATTERN
  grep -q -- "$2" "$TMP/$1.log" || { cat "$TMP/$1.log"; fail "$1: no '$2'"; }
}

# No server or token: refused before anything is written.
"$RUN" --spec="$TMP/ls.pbtxt" >"$TMP/no_url.log" 2>&1
code=$?
[[ $code -eq 2 ]] || { cat "$TMP/no_url.log"; fail "no URL: exit $code, expected 2"; }
expect no_url "Label Studio's URL is not set: pass --label_studio_url"
[[ ! -e "$FOLDER" ]] || fail "a run folder was made without a server"

# Cycle 0: the initial set goes to a new project; the run stops (exit 3).
step 3 cycle0_sent
expect cycle0_sent "cycle 0/1: sent 24 images to be labelled (label_studio)"
expect cycle0_sent "cycle 0/1: 0 of 24 images labelled; label the rest in $URL/projects/[0-9]*/data"
# The server serves the tasks' images (a local-files storage grants the folder).
code=$(curl -s -o "$TMP/served.jpg" -w "%{http_code}" -H "Authorization: Token $TOKEN" \
  "$URL/data/local-files/?d=JPEGImages/000001.jpg")
[[ $code -eq 200 ]] && cmp -s "$TMP/served.jpg" "$TMP/data_ls/JPEGImages/000001.jpg" ||
  fail "Label Studio does not serve the images (HTTP $code)"
grep -q "$TOKEN" -r "$FOLDER" && fail "the token was written to the run folder"
grep -q "$PORT" -r "$FOLDER" && fail "the server's URL was written to the run folder"

# A wrong token, a server that is not there: exit 1, named, nothing lost.
step 1 wrong_token --resume --label_studio_token=0123456789abcdef0123456789abcdef01234567
expect wrong_token "answered 401 Unauthorized (is the token right?)"
step 1 no_server --resume --label_studio_url=http://127.0.0.1:9
expect no_server "Label Studio at http://127.0.0.1:9: GET /api/projects/1/export"
expect no_server "(tried 2 times over 0 s)"

# People label cycle 0 with the ground truth.
"$PYTHON" "$PLAY" label_studio "$TMP/data" "$URL" "$TOKEN" "$TITLE" 0 "$TMP/expected0.json" ||
  fail "playing the annotators (cycle 0)"
step 3 cycle1_sent --resume
expect cycle1_sent "cycle 0/1: 24 of 24 images labelled"
expect cycle1_sent "cycle 1/1: sent 8 images to be labelled (label_studio)"
cmp "$TMP/gt/resume_smoke/seed3/cycle_00/selected_ids.txt" "$FOLDER/cycle_00/selected_ids.txt" ||
  fail "cycle 0 selected otherwise than the ground-truth run"
diff <(head -2 "$TMP/gt/resume_smoke/seed3/metrics.csv" | cut -d, -f1-5) \
     <(head -2 "$FOLDER/metrics.csv" | cut -d, -f1-5) || fail "cycle 0's metrics differ"
"$PYTHON" "$PLAY" check "$FOLDER/cycle_00/labels.json" "$TMP/expected0.json" "$TMP/data_ls" ||
  fail "cycle 0's labels"

# People correct cycle 1's pre-annotations, skip one, delete a task.
"$PYTHON" "$PLAY" label_studio "$TMP/data" "$URL" "$TOKEN" "$TITLE" 1 "$TMP/expected1.json" \
  --edits || fail "playing the annotators (cycle 1)"
step 3 resent --resume
expect resent "is gone from project [0-9]* (deleted in the tool?); sending it again"
expect resent "cycle 1/1: 7 of 8 images labelled (1 skipped)"
expect resent "was not sent by huale: its labels are not used"
"$PYTHON" "$PLAY" label_studio "$TMP/data" "$URL" "$TOKEN" "$TITLE" 1 "$TMP/expected1.json" ||
  fail "playing the annotators (the task sent again)"
step 0 done --resume
expect done "cycle 1/1: 8 of 8 images labelled (1 skipped)"
expect done "skipped in Label Studio (task [0-9]*): not trained on, and not offered again"
"$PYTHON" "$PLAY" check "$FOLDER/cycle_01/labels.json" "$TMP/expected1.json" "$TMP/data_ls" ||
  fail "cycle 1's labels"
[[ $(wc -l <"$FOLDER/cycle_01/labelled.txt") -eq 32 ]] || fail "cycle 1 did not take 32 images"
grep -q '"labelled": 31,' "$FOLDER/cycle_01/metrics.json" ||
  fail "cycle 1 did not train on 31 images (32 minus the skipped one)"
ls "$TMP/data_ls/Annotations/" | grep -q "before-huale" ||
  fail "changed annotation files were not kept aside"
echo "Label Studio round trip: selections equal the simulation's; corrections, skip and deleted task as the people did"
