#!/usr/bin/env bash
# The driver as two processes (Gloo over TCP, torchrun's environment variables),
# on the smoke profile:
#   1. same cycle-0 model -> the same selected ids as one process (rank 0 scores
#      half the pool, rank 1 the other half), and the same cycle-0 mAP;
#   2. rank 1 runs in a checkout of its own: it never writes a file (rank 0 is
#      the only writer, and no shared filesystem is needed);
#   3. two "hosts": one rank in each of two network namespaces joined by a veth
#      pair (skipped, saying so, where namespaces cannot be made);
#   4. kill -9 of rank 1 mid-training: rank 0 exits non-zero within 60 s naming
#      rank 1; --resume with both ranks ends byte-identical to run 3;
#   5. images neither rank can read are all named in rank 0's bad_samples.json;
#   6. "ppal" (the labelled set's detections and the pool's box-head features
#      gathered from both ranks) selects the same ids with 1 and 2 processes.
set -u
source "${TEST_SRCDIR}/huale/experiments/testdata/smoke_run_setup.sh"

TEMPLATE="${TEST_SRCDIR}/huale/experiments/testdata/resume_smoke.pbtxt.in"
failed=0
fail() { echo "FAIL: $*"; failed=$((failed + 1)); }

# checkout DIR: the data (linked) and the spec with relative paths.
checkout() {
  mkdir -p "$1" && ln -sfn "$TMP/data" "$1/data"
  sed -e "s|@DATA@|data|" -e "s|@OUT@|runs|" "$TEMPLATE" >"$1/spec.pbtxt"
}
RUNDIR=runs/resume_smoke/seed3

# start_rank RANK CHECKOUT LOG PORT ADDR [WRAPPER...] -- [ARGS...]: starts one rank
# in the background; its pid is in $!.
start_rank() {
  local rank="$1" dir="$2" log="$3" port="$4" addr="$5"
  shift 5
  local wrapper=()
  while [[ $# -gt 0 && "$1" != "--" ]]; do wrapper+=("$1"); shift; done
  shift
  (cd "$dir" && exec env RANK="$rank" WORLD_SIZE=2 LOCAL_RANK=0 MASTER_ADDR="$addr" \
    MASTER_PORT="$port" "${wrapper[@]}" "$RUN" --spec=spec.pbtxt --dist_timeout=60 "$@") \
    >"$log" 2>&1 &
}
# keep_cycle0_model CHECKOUT: keeps cycle 0's labelled set and trained model in
# CHECKOUT's run folder; drops its evaluation, its selection and everything
# after, so a --resume redoes them.
keep_cycle0_model() {
  rm -rf "$1/$RUNDIR/cycle_01" "$1/$RUNDIR/metrics.csv"
  rm -f "$1/$RUNDIR"/cycle_00/{metrics.json,selected_ids.txt,selection.csv,selection.json}
}
free_port() { echo $((20000 + RANDOM % 30000)); }
# wait_ranks: waits for $pid0 and $pid1; their exit codes in rc0 and rc1.
wait_ranks() { wait "$pid0"; rc0=$?; wait "$pid1"; rc1=$?; }

# ---- 1 + 2: one process, then two processes from the same cycle-0 model ----
t0=$SECONDS
checkout "$TMP/one"
(cd "$TMP/one" && "$RUN" --spec=spec.pbtxt) >"$TMP/one.log" 2>&1 || {
  echo "FAIL: one-process run"; cat "$TMP/one.log"; exit 1; }

checkout "$TMP/two" && checkout "$TMP/two_rank1"
cp -r "$TMP/one/runs" "$TMP/two/runs"
keep_cycle0_model "$TMP/two"
echo "one-process run: $((SECONDS - t0)) s"
t0=$SECONDS
port=$(free_port)
start_rank 0 "$TMP/two" "$TMP/two.0.log" "$port" 127.0.0.1 -- --resume; pid0=$!
start_rank 1 "$TMP/two_rank1" "$TMP/two.1.log" "$port" 127.0.0.1 -- --resume; pid1=$!
wait_ranks
if [[ $rc0 -ne 0 || $rc1 -ne 0 ]]; then
  fail "two-process resume exited $rc0/$rc1"; cat "$TMP/two.0.log" "$TMP/two.1.log"; exit 1
fi
echo "two-process resume from cycle 0's model: $((SECONDS - t0)) s"
if cmp -s "$TMP/one/$RUNDIR/cycle_00/selected_ids.txt" "$TMP/two/$RUNDIR/cycle_00/selected_ids.txt"; then
  echo "ok: same cycle-0 model -> the same $(wc -l <"$TMP/two/$RUNDIR/cycle_00/selected_ids.txt") selected ids with 1 and 2 processes"
else
  fail "selected ids differ between 1 and 2 processes"
  diff "$TMP/one/$RUNDIR/cycle_00/selected_ids.txt" "$TMP/two/$RUNDIR/cycle_00/selected_ids.txt"
fi
row() { sed -n "$2p" "$1/$RUNDIR/metrics.csv"; }
if [[ "$(row "$TMP/one" 2)" == "$(row "$TMP/two" 2)" ]]; then
  echo "ok: cycle-0 evaluation identical: $(row "$TMP/two" 2)"
else
  fail "cycle-0 metrics differ: '$(row "$TMP/one" 2)' vs '$(row "$TMP/two" 2)'"
fi
echo "cycle 1 (trained with 1 vs 2 processes, same labelled set): $(row "$TMP/one" 3) | $(row "$TMP/two" 3)"
if [[ -e "$TMP/two_rank1/runs" ]]; then
  fail "rank 1 wrote into its checkout:"; find "$TMP/two_rank1/runs"
else
  echo "ok: rank 1 wrote nothing"
fi
grep -q "done: " "$TMP/two.1.log" && fail "rank 1 reported the run folder"

# ---- 3: two network namespaces joined by a veth pair ----
checkout "$TMP/hosts" && checkout "$TMP/hosts_rank1"
netns_holders=()
make_hosts() {
  command -v unshare >/dev/null && command -v nsenter >/dev/null && command -v ip >/dev/null ||
    { echo "no unshare/nsenter/ip"; return 1; }
  unshare --net sleep 3600 </dev/null >/dev/null 2>&1 & netns_holders+=($!)
  unshare --net sleep 3600 </dev/null >/dev/null 2>&1 & netns_holders+=($!)
  sleep 0.2
  local a=${netns_holders[0]} b=${netns_holders[1]} va="hva$$" vb="hvb$$"
  ip link add "$va" type veth peer name "$vb" 2>&1 || return 1
  ip link set "$va" netns "$a" && ip link set "$vb" netns "$b" || return 1
  nsenter --net=/proc/$a/ns/net sh -c "ip link set lo up && ip addr add 10.213.7.1/24 dev $va && ip link set $va up" || return 1
  nsenter --net=/proc/$b/ns/net sh -c "ip link set lo up && ip addr add 10.213.7.2/24 dev $vb && ip link set $vb up" || return 1
}
cleanup() { for p in "${netns_holders[@]}"; do kill "$p" 2>/dev/null; done; }
trap cleanup EXIT
if make_hosts >"$TMP/netns.log" 2>&1; then
  echo "two hosts: rank 0 at 10.213.7.1, rank 1 at 10.213.7.2 (separate network namespaces, veth)"
  addr=10.213.7.1
  wrap0=(nsenter --net=/proc/${netns_holders[0]}/ns/net)
  wrap1=(nsenter --net=/proc/${netns_holders[1]}/ns/net)
else
  echo "SKIP two hosts: network namespaces cannot be made here ($(tr '\n' ' ' <"$TMP/netns.log")); running on 127.0.0.1"
  addr=127.0.0.1; wrap0=(); wrap1=()
fi
port=$(free_port)
start=$SECONDS
start_rank 0 "$TMP/hosts" "$TMP/hosts.0.log" "$port" "$addr" "${wrap0[@]}" --; pid0=$!
start_rank 1 "$TMP/hosts_rank1" "$TMP/hosts.1.log" "$port" "$addr" "${wrap1[@]}" --; pid1=$!
wait_ranks
if [[ $rc0 -ne 0 || $rc1 -ne 0 ]]; then
  fail "two-host run exited $rc0/$rc1"; tail -20 "$TMP/hosts.0.log" "$TMP/hosts.1.log"; exit 1
fi
echo "ok: two-process run from scratch in $((SECONDS - start)) s: $(row "$TMP/hosts" 2) | $(row "$TMP/hosts" 3)"
cleanup

# ---- 4: kill -9 rank 1 mid-training, then --resume with both ranks ----
checkout "$TMP/killed" && checkout "$TMP/killed_rank1"
port=$(free_port)
start_rank 0 "$TMP/killed" "$TMP/killed.0.log" "$port" 127.0.0.1 --; pid0=$!
start_rank 1 "$TMP/killed_rank1" "$TMP/killed.1.log" "$port" 127.0.0.1 --; pid1=$!
for _ in $(seq 1 3000); do
  grep -q "cycle 0/1 epoch 2/2" "$TMP/killed.0.log" && break
  kill -0 "$pid0" 2>/dev/null || break
  sleep 0.1
done
kill -9 "$pid1"; killed_at=$SECONDS
wait "$pid1" 2>/dev/null
wait "$pid0"; rc0=$?
took=$((SECONDS - killed_at))
if [[ $rc0 -eq 0 ]]; then
  fail "rank 0 exited 0 after rank 1 was killed"; cat "$TMP/killed.0.log"
elif [[ $took -gt 60 ]]; then
  fail "rank 0 took ${took} s to stop after rank 1 was killed"
elif ! grep -q "rank 1 stopped" "$TMP/killed.0.log"; then
  fail "rank 0's error does not name rank 1:"; tail -5 "$TMP/killed.0.log"
else
  echo "ok: rank 1 killed -> rank 0 exited $rc0 after ${took} s: $(grep -m1 'error:' "$TMP/killed.0.log")"
fi
port=$(free_port)
start_rank 0 "$TMP/killed" "$TMP/resumed.0.log" "$port" 127.0.0.1 -- --resume; pid0=$!
start_rank 1 "$TMP/killed_rank1" "$TMP/resumed.1.log" "$port" 127.0.0.1 -- --resume; pid1=$!
wait_ranks
if [[ $rc0 -ne 0 || $rc1 -ne 0 ]]; then
  fail "resume exited $rc0/$rc1"; tail -20 "$TMP/resumed.0.log" "$TMP/resumed.1.log"
fi
grep -q "resuming training after epoch" "$TMP/resumed.0.log" ||
  fail "the resumed run did not continue from the train state"
for file in metrics.csv cycle_00/selected_ids.txt cycle_00/selection.csv cycle_01/labelled.txt; do
  if cmp -s "$TMP/hosts/$RUNDIR/$file" "$TMP/killed/$RUNDIR/$file"; then
    echo "ok: $file identical to the uninterrupted two-process run"
  else
    fail "$file differs after kill -9 and --resume"
    diff "$TMP/hosts/$RUNDIR/$file" "$TMP/killed/$RUNDIR/$file" | head -10
  fi
done

# ---- 5: unreadable images in both ranks' shards are all named by rank 0 ----
# Four of the initial labelled images (the same seed: one-process run's
# cycle 0) are made unreadable; 4 of 24 is within the spec's 25 %.
cp -r "$TMP/data" "$TMP/bad_data"
mapfile -t bad < <(head -4 "$TMP/one/$RUNDIR/cycle_00/labelled.txt")
for id in "${bad[@]}"; do echo "not an image" >"$TMP/bad_data/JPEGImages/$id.jpg"; done
for dir in "$TMP/bad" "$TMP/bad_rank1"; do
  mkdir -p "$dir" && ln -sfn "$TMP/bad_data" "$dir/data"
  sed -e "s|@DATA@|data|" -e "s|@OUT@|runs|" -e "s|cycles: 2|cycles: 1|" \
    -e 's|pool_split: "trainval"|pool_split: "trainval" max_skipped_image_share: 0.25|' \
    "$TEMPLATE" >"$dir/spec.pbtxt"
done
port=$(free_port)
start_rank 0 "$TMP/bad" "$TMP/bad.0.log" "$port" 127.0.0.1 --; pid0=$!
start_rank 1 "$TMP/bad_rank1" "$TMP/bad.1.log" "$port" 127.0.0.1 --; pid1=$!
wait_ranks
if [[ $rc0 -ne 0 || $rc1 -ne 0 ]]; then
  fail "run with unreadable images exited $rc0/$rc1"; tail -20 "$TMP/bad.0.log" "$TMP/bad.1.log"
fi
for id in "${bad[@]}"; do
  grep -q "image '$id'" "$TMP/bad/$RUNDIR/bad_samples.json" ||
    fail "bad_samples.json does not name unreadable image $id"
done
echo "ok: unreadable images read by rank 0: $(grep -c "skipped image" "$TMP/bad.0.log"), by rank 1: $(grep -c "skipped image" "$TMP/bad.1.log"); bad_samples.json names all ${#bad[@]}"

# ---- 6: ppal, whose selection reads the labelled set's detections and the ----
# pool's box-head features, both gathered from the ranks' shards. As in 1 + 2:
# one process, then two resuming from its cycle-0 model (run 1's, from the
# shared cache: the acquisition is not in its key).
for dir in "$TMP/ppal_one" "$TMP/ppal_two" "$TMP/ppal_two_rank1"; do
  checkout "$dir"
  sed -i 's|acquisition { name: "huale" }|acquisition { name: "ppal" }|' "$dir/spec.pbtxt"
done
grep -q 'name: "ppal"' "$TMP/ppal_one/spec.pbtxt" || fail "the ppal spec was not made"
mkdir -p "$TMP/ppal_one/runs" && cp -r "$TMP/one/runs/shared" "$TMP/ppal_one/runs/shared"
(cd "$TMP/ppal_one" && "$RUN" --spec=spec.pbtxt) >"$TMP/ppal_one.log" 2>&1 ||
  { fail "one-process ppal run"; tail -20 "$TMP/ppal_one.log"; }
cp -r "$TMP/ppal_one/runs" "$TMP/ppal_two/runs"
keep_cycle0_model "$TMP/ppal_two"
port=$(free_port)
start_rank 0 "$TMP/ppal_two" "$TMP/ppal_two.0.log" "$port" 127.0.0.1 -- --resume; pid0=$!
start_rank 1 "$TMP/ppal_two_rank1" "$TMP/ppal_two.1.log" "$port" 127.0.0.1 -- --resume; pid1=$!
wait_ranks
if [[ $rc0 -ne 0 || $rc1 -ne 0 ]]; then
  fail "two-process ppal resume exited $rc0/$rc1"; tail -20 "$TMP/ppal_two.0.log" "$TMP/ppal_two.1.log"
fi
ppal_csv="$RUNDIR/cycle_00/selection.csv"
if [[ -s "$TMP/ppal_one/$ppal_csv" ]] && cmp -s "$TMP/ppal_one/$ppal_csv" "$TMP/ppal_two/$ppal_csv"; then
  echo "ok: ppal's selection.csv (ids, ranks, uncertainties) is the same with 1 and 2 processes: $(($(wc -l <"$TMP/ppal_two/$ppal_csv") - 1)) images"
else
  fail "ppal's selection differs between 1 and 2 processes (or is missing)"
  diff "$TMP/ppal_one/$ppal_csv" "$TMP/ppal_two/$ppal_csv" | head
fi
grep -q "ccms_kmedoids" "$TMP/ppal_one/$ppal_csv" || fail "ppal's selection.csv has no ccms_kmedoids stage"

echo "${failed} failed"
[[ $failed -eq 0 ]]
