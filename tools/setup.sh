#!/usr/bin/env bash
# Installs the Debian 12 packages huale's build, tests and embedded benchmark need.
# Idempotent: packages already present are left alone, and nothing runs when all
# are installed. Usage: bash tools/setup.sh
set -euo pipefail

PACKAGES=(
  # Build system and compilers.
  bazel-bootstrap g++ protobuf-compiler
  # C++ libraries exposed by //third_party.
  libtorch-dev libopenblas0-openmp
  libabsl-dev libgflags-dev libgoogle-glog-dev libprotobuf-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  libopencv-core-dev libopencv-imgproc-dev libopencv-imgcodecs-dev
  libpugixml-dev libsimdjson-dev
  # Real data for the embedded benchmark.
  dataset-fashion-mnist
  # Reference implementations that generate committed fixtures and reference timings.
  python3-torch python3-torchvision python3-numpy python3-pil
)

die() { echo "tools/setup.sh: $*" >&2; exit 1; }

command -v dpkg-query >/dev/null 2>&1 && command -v apt-get >/dev/null 2>&1 ||
  die "needs Debian's apt-get and dpkg (Debian 12 'bookworm'); install these packages by other means: ${PACKAGES[*]}"

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "tools/setup.sh: all ${#PACKAGES[@]} packages already installed"
  exit 0
fi

SUDO=()
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null 2>&1 ||
    die "not root and no sudo: run as root, or ask an administrator to install: ${missing[*]}"
  SUDO=(sudo)
fi

echo "tools/setup.sh: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${SUDO[@]}" apt-get update -q || die "apt-get update failed: is a Debian archive reachable?"
"${SUDO[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}" ||
  die "apt-get install failed for: ${missing[*]}"
echo "tools/setup.sh: done"
