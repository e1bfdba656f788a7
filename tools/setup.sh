#!/usr/bin/env bash
# Installs what huale's build, tests and embedded benchmark need:
#  1. Debian 12 packages (build tools and the C++ libraries //third_party exposes);
#  2. a Python prefix, /opt/huale/py, holding the pinned PyPI wheels of
#     tools/requirements.txt: torch (whose headers and libraries are huale's
#     LibTorch, see third_party/torch.bzl), torchvision, pycocotools and
#     faster-coco-eval (the references tests and benchmarks call);
#  3. a Label Studio server, /opt/huale/label-studio, from the pinned wheels of
#     tools/label_studio_requirements.txt (label-studio and every dependency,
#     frozen): what //experiments:label_studio_run_test starts, and what a
#     labelling lead may run (README, "Labelling with people"). Installed while
#     step 2 runs.
# The CUDA 13.0 toolkit is expected at /usr/local/cuda (the torch wheel's CPU
# library loads libcudart and libcupti from it; --config=cuda compiles with it).
# Idempotent: what is present is left alone. Usage: bash tools/setup.sh
set -euo pipefail
cd "$(dirname "$0")/.."

PREFIX=/opt/huale/py
CUDA_HOME=/usr/local/cuda
PACKAGES=(
  # Build system and compilers.
  bazel-bootstrap g++ protobuf-compiler
  # Fuzzing and sanitizers (--config=fuzz): clang with libFuzzer and ASan/UBSan runtimes.
  clang libclang-rt-14-dev
  # C++ libraries exposed by //third_party.
  libabsl-dev libgflags-dev libgoogle-glog-dev libprotobuf-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  libopencv-core-dev libopencv-imgproc-dev libopencv-imgcodecs-dev
  libpugixml-dev libsimdjson-dev nlohmann-json3-dev libcurl4-openssl-dev
  # Real data for the embedded benchmark.
  dataset-fashion-mnist
)

die() { echo "tools/setup.sh: $*" >&2; exit 1; }

command -v dpkg-query >/dev/null 2>&1 && command -v apt-get >/dev/null 2>&1 ||
  die "needs Debian's apt-get and dpkg (Debian 12 'bookworm'); install these packages by other means: ${PACKAGES[*]}"

SUDO=()
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null 2>&1 ||
    die "not root and no sudo: run as root, or ask an administrator to run tools/setup.sh"
  SUDO=(sudo)
fi

# 1. Debian packages.
missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "tools/setup.sh: all ${#PACKAGES[@]} Debian packages already installed"
else
  echo "tools/setup.sh: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  "${SUDO[@]}" apt-get update -q || die "apt-get update failed: is a Debian archive reachable?"
  "${SUDO[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}" ||
    die "apt-get install failed for: ${missing[*]}"
fi

[ -e "$CUDA_HOME/lib64/libcudart.so.13" ] ||
  die "the CUDA 13.0 toolkit is missing at $CUDA_HOME (the torch wheel's libtorch_cpu.so needs its libcudart.so.13 and libcupti.so.13)"

PYTHON=${HUALE_PYTHON:-python3}
"$PYTHON" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' 2>/dev/null ||
  die "needs Python 3.11 (the pinned wheels are cp311): '$PYTHON' is $("$PYTHON" --version 2>&1); set HUALE_PYTHON"

# 3. Label Studio, in the background while step 2 runs (both mostly download).
# A stamp holds the hash of its requirements: a changed pin reinstalls.
LABEL_STUDIO=/opt/huale/label-studio
LS_REQUIREMENTS=tools/label_studio_requirements.txt
install_label_studio() {
  local want
  want=$(sha256sum "$LS_REQUIREMENTS" | cut -d' ' -f1)
  if [ -f "$LABEL_STUDIO/.requirements.sha256" ] &&
     [ "$(cat "$LABEL_STUDIO/.requirements.sha256")" = "$want" ]; then
    echo "tools/setup.sh: $LABEL_STUDIO holds $LS_REQUIREMENTS's pins"
    return 0
  fi
  echo "tools/setup.sh: installing Label Studio ($LS_REQUIREMENTS) into $LABEL_STUDIO"
  "${SUDO[@]}" rm -rf "$LABEL_STUDIO"
  "${SUDO[@]}" "$PYTHON" -m venv "$LABEL_STUDIO" &&
    "${SUDO[@]}" "$LABEL_STUDIO/bin/pip" install -q --disable-pip-version-check --no-deps \
      -r "$LS_REQUIREMENTS" &&
    "$LABEL_STUDIO/bin/python" -c "import label_studio" &&
    echo "$want" | "${SUDO[@]}" tee "$LABEL_STUDIO/.requirements.sha256" >/dev/null
}
install_label_studio >/tmp/huale-setup-label-studio.$$.log 2>&1 &
label_studio_job=$!
finish_label_studio() {
  if ! wait "$label_studio_job"; then
    cat /tmp/huale-setup-label-studio.$$.log >&2
    die "installing Label Studio into $LABEL_STUDIO failed: is PyPI reachable?"
  fi
  cat /tmp/huale-setup-label-studio.$$.log
  rm -f /tmp/huale-setup-label-studio.$$.log
}

# 2. The Python prefix. A stamp holds the hash of requirements.txt: a changed pin
# reinstalls.
REQUIREMENTS=tools/requirements.txt
want=$(sha256sum "$REQUIREMENTS" | cut -d' ' -f1)
if [ -f "$PREFIX/.requirements.sha256" ] && [ "$(cat "$PREFIX/.requirements.sha256")" = "$want" ]; then
  echo "tools/setup.sh: $PREFIX holds tools/requirements.txt's pins"
  finish_label_studio
  exit 0
fi
libpython=$("$PYTHON" -c 'import sysconfig as s; print(s.get_config_var("LIBDIR") + "/" + s.get_config_var("INSTSONAME"))')
[ -f "$libpython" ] ||
  die "$PYTHON has no shared libpython ($libpython); torchvision's kernels, loaded by the C++ equality tests, need one: install Debian's python3.11 and set HUALE_PYTHON=/usr/bin/python3.11"

echo "tools/setup.sh: installing the pinned wheels of $REQUIREMENTS into $PREFIX"
"${SUDO[@]}" mkdir -p "$(dirname "$PREFIX")"
"${SUDO[@]}" "$PYTHON" -m venv "$PREFIX" || die "python -m venv $PREFIX failed"
"${SUDO[@]}" "$PREFIX/bin/pip" install -q --disable-pip-version-check --no-deps -r "$REQUIREMENTS" ||
  die "pip install of $REQUIREMENTS failed: is PyPI reachable?"
# The C++ equality tests load torchvision's kernels (torchvision/_C.so) into a
# process that is not Python; they preload this libpython for its symbols.
"${SUDO[@]}" ln -sfn "$libpython" "$PREFIX/lib/libpython-reference.so"
"$PREFIX/bin/python" -c 'import torch, torchvision, pycocotools, faster_coco_eval' ||
  die "the references do not import from $PREFIX"
echo "$want" | "${SUDO[@]}" tee "$PREFIX/.requirements.sha256" >/dev/null
finish_label_studio
echo "tools/setup.sh: done"
