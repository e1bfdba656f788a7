#!/usr/bin/env bash
# End-to-end checks of the driver binary: registrations survive linking, and bad
# specs stop before any work with exit 2 and a message naming the problem.
set -u
RUN="${TEST_SRCDIR}/huale/experiments/run"
TMP="${TEST_TMPDIR:-$(mktemp -d)}"
passed=0
failed=0

# expect CODE PATTERN -- ARGS...: the driver exits with CODE and its output
# matches the extended regex PATTERN.
expect() {
  local code="$1" pattern="$2"
  shift 3
  local out status
  out="$("$RUN" "$@" 2>&1)"
  status=$?
  if [[ $status -eq $code ]] && grep -Eq -- "$pattern" <<<"$out"; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
    echo "FAIL: run $* -> exit $status (want $code), output should match /$pattern/:"
    sed 's/^/    /' <<<"$out"
  fi
}

# A minimal valid-looking spec; tests add or replace one field at a time.
write_spec() {  # write_spec FILE EXTRA_TEXT
  local acquisition='acquisition { name: "random" }'
  [[ "$2" == acquisition* ]] && acquisition=''
  cat >"$1" <<SPEC
name: "cli_test"
dataset { format: "voc" root: "$TMP/no_such_dataset" how_to_obtain: "Run tools/make_it." }
model { name: "fasterrcnn_resnet50_fpn" }
losses { name: "cross_entropy" }
losses { name: "smooth_l1" }
$acquisition
$2
SPEC
}

# The driver binary holds exactly the components its BUILD declares
# (components.txt, generated from the huale_component targets): one missing
# means a linker dropped a registration, one extra means a .cc registers a name
# its huale_component line does not declare. --list prints "family:" headings
# (the registry's family, spaces for underscores) over "  name  description".
declared="$(LC_ALL=C sort "${TEST_SRCDIR}/huale/experiments/components.txt")"
listed="$("$RUN" --list 2>&1 | awk '
  /^[^ ].*:$/ { family = substr($0, 1, length($0) - 1); gsub(/ /, "_", family); next }
  /^  [^ ]/ { print family, $1 }' | LC_ALL=C sort)"
if [[ -z "$declared" ]]; then
  failed=$((failed + 1))
  echo "FAIL: components.txt is empty"
fi
while read -r line; do
  [[ -z "$line" ]] && continue
  failed=$((failed + 1))
  echo "FAIL: --list lacks declared component '${line}' (registration dropped by the linker?)"
done < <(LC_ALL=C comm -23 <(echo "$declared") <(echo "$listed"))
while read -r line; do
  [[ -z "$line" ]] && continue
  failed=$((failed + 1))
  echo "FAIL: --list has '${line}', which no huale_component in a BUILD file declares"
done < <(LC_ALL=C comm -13 <(echo "$declared") <(echo "$listed"))
passed=$((passed + $(LC_ALL=C comm -12 <(echo "$declared") <(echo "$listed") | grep -c .)))

# Malformed text: file:line:column and the field.
printf 'name: "x"\nschedule {\n  budjet: 5\n}\n' >"$TMP/malformed.pbtxt"
expect 2 'malformed.pbtxt:3:[0-9]+: .*budjet' -- --spec="$TMP/malformed.pbtxt"
printf 'name: "x"\nseed: "seven"\n' >"$TMP/badvalue.pbtxt"
expect 2 'badvalue.pbtxt:2:[0-9]+:' -- --spec="$TMP/badvalue.pbtxt"

# Missing spec file.
expect 2 'not found; looked for' -- --spec=no_such_spec_anywhere

# Missing required fields.
printf 'seed: 1\n' >"$TMP/empty.pbtxt"
expect 2 'name: required' -- --spec="$TMP/empty.pbtxt" --dry_run
expect 2 'dataset.root: required' -- --spec="$TMP/empty.pbtxt" --dry_run
expect 2 'acquisition.name: required' -- --spec="$TMP/empty.pbtxt" --dry_run

# Unknown components: the known names are listed.
write_spec "$TMP/unknown.pbtxt" 'evaluation { metric: "voc2007" }'
expect 2 "unknown evaluator 'voc2007'.*(known:|registered)" -- --spec="$TMP/unknown.pbtxt" --dry_run
write_spec "$TMP/unknown_acq.pbtxt" 'acquisition { name: "hualee" }'
expect 2 "unknown acquisition function 'hualee'" -- --spec="$TMP/unknown_acq.pbtxt" --dry_run

# Missing dataset root: the path and how to obtain the data.
write_spec "$TMP/nodata.pbtxt" ''
expect 2 "data not found: no directory $TMP/no_such_dataset\. Run tools/make_it\." -- --spec="$TMP/nodata.pbtxt" --dry_run

# Out-of-range component options: the factory's check, under the field's spec
# path, before any work.
write_spec "$TMP/ratio.pbtxt" "acquisition { name: \"huale\" huale { retrieval_ratio: -2 } } output_dir: \"$TMP/ratio_runs\""
expect 2 'ratio\.pbtxt:7:[0-9]+: acquisition\.huale\.retrieval_ratio: expected a finite value >= 1, found -2' -- --spec="$TMP/ratio.pbtxt" --dry_run

# CUDA on a CPU-only build (or a machine without a GPU): refused before any
# work, saying which, with nothing written (a real run, not --dry_run).
write_spec "$TMP/cuda.pbtxt" "device: \"cuda\" output_dir: \"$TMP/cuda_runs\""
expect 2 'device: .*(this build has no CUDA \(build with --config=cuda\)|no CUDA device visible)' -- --spec="$TMP/cuda.pbtxt"
if [[ -e "$TMP/cuda_runs" ]]; then
  failed=$((failed + 1))
  echo "FAIL: a refused device: \"cuda\" spec left $TMP/cuda_runs behind"
else
  passed=$((passed + 1))
fi
write_spec "$TMP/gpu.pbtxt" 'device: "gpu"'
expect 2 'device: expected "cpu", "cuda" or "cuda:N", found "gpu"' -- --spec="$TMP/gpu.pbtxt" --dry_run

# Negative and zero budgets, bad schedule and training values are named.
write_spec "$TMP/budget.pbtxt" 'schedule { budget_per_cycle: -5 initial_size: 0 }'
expect 2 'schedule.budget_per_cycle: must be > 0, found -5' -- --spec="$TMP/budget.pbtxt" --dry_run
expect 2 'schedule.initial_size: must be > 0, found 0' -- --spec="$TMP/budget.pbtxt" --dry_run
write_spec "$TMP/training.pbtxt" 'training { epochs: 4 lr_steps: [3, 9] max_size: 10 }'
expect 2 'training.lr_steps: must increase within 1..epochs \(4\), found 9' -- --spec="$TMP/training.pbtxt" --dry_run
expect 2 'training.max_size: must be >= min_size' -- --spec="$TMP/training.pbtxt" --dry_run

# Options that belong to another component.
write_spec "$TMP/options.pbtxt" 'losses { name: "eiou" smooth_l1 { beta: 1 } }'
expect 2 "options 'smooth_l1 \{ ... \}' do not belong to 'eiou'" -- --spec="$TMP/options.pbtxt" --dry_run

# More cycles than the pool can feed (a real, generated dataset).
"${TEST_SRCDIR}/huale/tools/make_fmnist_det" --profile=smoke --output_dir="$TMP/smoke" >/dev/null 2>&1
cat >"$TMP/too_many_cycles.pbtxt" <<SPEC
name: "cli_test"
dataset { format: "voc" root: "$TMP/smoke" }
model { name: "fasterrcnn_small_fpn" }
losses { name: "cross_entropy" }
losses { name: "smooth_l1" }
acquisition { name: "random" }
schedule { initial_size: 20 budget_per_cycle: 10 cycles: 9 }
SPEC
expect 2 "schedule.cycles: 9 cycles need 100 labelled images but the pool split 'trainval' has [0-9]+" -- --spec="$TMP/too_many_cycles.pbtxt" --dry_run
sed -i 's/cycles: 9/cycles: 2/' "$TMP/too_many_cycles.pbtxt"
expect 0 "cycle 1: train on 30 labelled" -- --spec="$TMP/too_many_cycles.pbtxt" --dry_run
expect 0 "model: fasterrcnn_small_fpn \(random initialisation\)" -- --spec="$TMP/too_many_cycles.pbtxt" --dry_run
# The plan names what initialises the model: a pre-trained body is not "random".
touch "$TMP/body.pt"
sed 's|model { name: "fasterrcnn_small_fpn" }|model { name: "fasterrcnn_small_fpn" backbone_weights: "'"$TMP"'/body.pt" }|' \
  "$TMP/too_many_cycles.pbtxt" >"$TMP/pretrained.pbtxt"
expect 0 "model: fasterrcnn_small_fpn \(backbone body $TMP/body.pt; FPN and heads random\)" -- --spec="$TMP/pretrained.pbtxt" --dry_run

# The new user's case of issue 11: an out-of-range option with real data, run
# for real (not --dry_run), is refused before the run folder exists; the
# corrected spec then starts cleanly.
sed -e 's/acquisition { name: "random" }/acquisition { name: "huale" huale { retrieval_ratio: -2 } }/' \
  -e 's/cycles: 2/cycles: 1/' "$TMP/too_many_cycles.pbtxt" >"$TMP/bad_ratio.pbtxt"
echo "output_dir: \"$TMP/bad_ratio_runs\" training { epochs: 1 min_size: 64 max_size: 64 }" >>"$TMP/bad_ratio.pbtxt"
expect 2 'acquisition\.huale\.retrieval_ratio: expected a finite value >= 1, found -2' -- --spec="$TMP/bad_ratio.pbtxt"
if [[ -e "$TMP/bad_ratio_runs" ]]; then
  failed=$((failed + 1))
  echo "FAIL: a refused spec left $TMP/bad_ratio_runs behind"
else
  passed=$((passed + 1))
fi
sed -i 's/retrieval_ratio: -2/retrieval_ratio: 2/' "$TMP/bad_ratio.pbtxt"
expect 0 "cycle 0/0: [0-9]+ labelled" -- --spec="$TMP/bad_ratio.pbtxt"

# The seed specs resolve by bare name; without the data they say how to get it.
for spec in voc07_huale voc07_random voc12_huale voc12_random; do
  expect 2 "data not found: .*VOCdevkit/VOC20(07|12)\. Download VOC" -- --spec=$spec --dry_run
done
for spec in coco_huale coco_random; do
  expect 2 "data not found: .*data/coco\. Download train2017.zip" -- --spec=$spec.pbtxt --dry_run
done

echo "${passed} passed, ${failed} failed"
[[ $failed -eq 0 ]]
