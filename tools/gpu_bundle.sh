#!/usr/bin/env bash
# A relocatable bundle of huale binaries for the lent GPU machine, whose image
# has torch 2.11.0+cu130 (the pinned LibTorch's version) under its python3:
#
#   bash tools/gpu_bundle.sh DIR BINARY...    # here, after a --config=cuda build
#   . DIR/env.sh                              # there: LD_LIBRARY_PATH for them
#
# Writes DIR/<each binary>, DIR/lib/ (every shared library the binaries load
# from outside LibTorch's folder, CUDA's and glibc: Abseil, glog, gflags,
# protobuf, OpenCV, libstdc++, ...; LibTorch and CUDA come from the image's
# torch) and DIR/env.sh, which points LD_LIBRARY_PATH at DIR/lib, the image's
# torch/lib and its nvidia/*/lib (HUALE_GPU_PYTHON names another python than
# /opt/torch/.venv/bin/python).
#
# Debian's OpenCV links GDAL and GDCM (150 MB with what they load, over the
# device tool's 64 MiB); huale never reaches them (it refuses every format but
# JPEG and PNG before decoding, and never asks for IMREAD_LOAD_GDAL). So each
# of those libraries becomes a stub under its own name that exports the
# functions the others import from it, each aborting with a message if called
# (but GDALAllRegister, which OpenCV calls when it sets up its decoders), and
# what only they load stays behind. Used by tools/gpu_check.sh and by the
# benchmark runs on the GPU (results/*/h200.sh).
set -euo pipefail
[ $# -ge 2 ] || { sed -n 2,22p "$0"; exit 2; }
out=$1
shift
mkdir -p "$out/lib"
for binary in "$@"; do
  cp "$binary" "$out/"
  chmod u+w "$out/$(basename "$binary")"
  strip --strip-unneeded "$out/$(basename "$binary")" 2>/dev/null || true
done
python3 - "$out" "$@" <<'PY'
import os, re, subprocess, sys
out, binaries = sys.argv[1], sys.argv[2:]
SKIP = re.compile(r'^(libc|libm|libdl|librt|libpthread|libutil)\.so|^ld-linux')
STUB = re.compile(r'^(libgdal|libgdcm[A-Za-z0-9]*)\.so')

def resolved(binary):  # soname -> path, the whole closure as the loader resolves it here
    paths = {}
    for line in subprocess.run(['ldd', binary], capture_output=True, text=True, check=True).stdout.splitlines():
        m = re.match(r'\s*(\S+) => (/\S+)', line)
        if m: paths[m.group(1)] = m.group(2)
    return paths

def needed(path):
    dyn = subprocess.run(['readelf', '-d', path], capture_output=True, text=True, check=True).stdout
    return re.findall(r'\(NEEDED\)\s+Shared library: \[([^\]]+)\]', dyn)

def symbols(path, defined):
    flag = '--defined-only' if defined else '--undefined-only'
    lines = subprocess.run(['nm', '-D', flag, path], capture_output=True, text=True, check=True).stdout
    return {l.split()[-1].split('@')[0] for l in lines.splitlines() if l.strip()}

paths = {}
for b in binaries: paths.update(resolved(b))
copied, stubs, stack = set(), set(), list(binaries)
while stack:
    for name in needed(stack.pop()):
        if SKIP.match(name) or name in copied or name in stubs or name not in paths: continue
        if paths[name].startswith(('/opt/huale/py/', '/usr/local/cuda')): continue
        if STUB.match(name):
            stubs.add(name)
            continue
        copied.add(name)
        subprocess.run(['cp', '-L', paths[name], os.path.join(out, 'lib', name)], check=True)
        stack.append(paths[name])
imports = set()
for p in list(binaries) + [paths[n] for n in copied]: imports |= symbols(p, defined=False)
for name in sorted(stubs):
    wanted = sorted(imports & symbols(paths[name], defined=True))
    src = os.path.join(out, 'lib', name + '.c')
    with open(src, 'w') as f:
        f.write('#include <stdio.h>\n#include <stdlib.h>\n')
        f.write('static void huale_stub(const char* s) { fprintf(stderr, "%s: stub of %s called (tools/gpu_bundle.sh)\\n", s, "' + name + '"); abort(); }\n')
        for i, s in enumerate(wanted):
            # OpenCV registers GDAL's drivers when it sets up its decoders: a no-op here.
            body = '' if s == 'GDALAllRegister' else f'huale_stub("{s}");'
            f.write(f'void huale_stub_{i}(void) __asm__("{s}");\nvoid huale_stub_{i}(void) {{ {body} }}\n')
    subprocess.run(['cc', '-shared', '-fPIC', '-O1', f'-Wl,-soname,{name}', '-o', os.path.join(out, 'lib', name), src], check=True)
    os.remove(src)
    print(f'{name}: stub of {len(wanted)} functions')
print(f'{len(copied)} libraries copied')
PY
strip --strip-unneeded "$out"/lib/*.so* 2>/dev/null || true

cat > "$out/env.sh" <<'ENV'
# Sourced on the GPU machine: the bundle's libraries, then the image's LibTorch and CUDA.
huale_bundle=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
HUALE_GPU_PYTHON=${HUALE_GPU_PYTHON:-/opt/torch/.venv/bin/python}
huale_site=$("$HUALE_GPU_PYTHON" -c 'import os, torch; print(os.path.dirname(os.path.dirname(torch.__file__)))')
LD_LIBRARY_PATH="$huale_bundle/lib:$huale_site/torch/lib"
for huale_dir in "$huale_site"/nvidia/*/lib; do  # cu13/lib among them
  [ -d "$huale_dir" ] && LD_LIBRARY_PATH="$LD_LIBRARY_PATH:$huale_dir"
done
export LD_LIBRARY_PATH HUALE_GPU_PYTHON
ENV
du -sh "$out"
