#!/usr/bin/env bash
# The GPU check, in two halves:
#
#   bash tools/gpu_check.sh build   # here: --config=cuda build + relocatable bundle
#   bash .gpu_check/run.sh          # there, on the lent GPU machine, one call
#
# `build` compiles //tools:gpu_check with -c opt --config=cuda and writes
# .gpu_check/ (git-ignored through .git/info/exclude): the binary and the shared
# libraries it needs that the GPU image lacks (tools/gpu_bundle.sh; LibTorch and
# CUDA come from the image's torch 2.11.0+cu130), the torchvision timing script
# and run.sh. Then give the device tool:
#   command: bash .gpu_check/run.sh     carry: [".gpu_check"]     timeout_s: 480
# run.sh prints the CUDA-vs-CPU checks (PASS/FAIL lines), huale's and
# torchvision's R50-FPN times, and exits non-zero if a check failed.
set -euo pipefail
cd "$(dirname "$0")/.."
[ "${1:-}" = "build" ] || { sed -n 2,16p "$0"; exit 2; }

OUT=.gpu_check
bazel build -c opt --config=cuda //tools:gpu_check
rm -rf "$OUT"
bash tools/gpu_bundle.sh "$OUT" bazel-bin/tools/gpu_check
cp tools/gpu_check_torchvision.py "$OUT/"
grep -qx '/.gpu_check/' .git/info/exclude 2>/dev/null || echo '/.gpu_check/' >> .git/info/exclude

cat > "$OUT/run.sh" <<'RUN'
#!/usr/bin/env bash
# Runs on the GPU machine: its own torch 2.11.0+cu130 under /opt/torch/.venv.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/env.sh"
PY=$HUALE_GPU_PYTHON
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader || true
"$PY" -c 'import torch, torchvision; print("reference: torch", torch.__version__, "torchvision", torchvision.__version__)'
"$here/gpu_check" "$@"
rc=$?
PYTHONUNBUFFERED=1 "$PY" "$here/gpu_check_torchvision.py"
exit $rc
RUN
chmod +x "$OUT/run.sh"
du -sh "$OUT"; ls -la "$OUT" "$OUT/lib"
echo "tools/gpu_check.sh: bundle in $OUT; run it there with: bash .gpu_check/run.sh (carry .gpu_check)"
