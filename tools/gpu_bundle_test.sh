#!/usr/bin/env bash
# tools/gpu_bundle.sh on //tools:make_fmnist_det (which links OpenCV, hence the
# GDAL and GDCM stubs): every library the bundled binary loads, with
# LD_LIBRARY_PATH at the bundle's lib/ alone, must come from that folder or
# glibc (a library left out would be found here in /usr/lib but be missing on
# the GPU machine); the stubs must export what OpenCV imports from GDAL/GDCM;
# and the bundled binary must run (OpenCV calls GDALAllRegister, a no-op stub,
# when it sets up its decoders) and write the same smoke dataset as the original.
set -u
D="${TEST_SRCDIR}/huale"
TMP="${TEST_TMPDIR:-$(mktemp -d)}"
fail() { echo "FAIL: $*"; exit 1; }

bash "$D/tools/gpu_bundle.sh" "$TMP/bundle" "$D/tools/make_fmnist_det" > "$TMP/bundle.log" 2>&1 || {
  cat "$TMP/bundle.log"; fail "gpu_bundle.sh exited non-zero"; }
grep -q "libgdal.so.* stub of [1-9]" "$TMP/bundle.log" || { cat "$TMP/bundle.log"; fail "no GDAL stub"; }
[ -f "$TMP/bundle/env.sh" ] || fail "no env.sh"
[ ! -e "$TMP/bundle/lib/libicudata.so.72" ] || fail "a library only GDAL loads was copied"

outside=$(LD_LIBRARY_PATH="$TMP/bundle/lib" ldd "$TMP/bundle/make_fmnist_det" |
  awk '/=>/ {print $1, $3}' | grep -v " $TMP/bundle/lib/" |
  grep -Ev '^(libc|libm|libdl|librt|libpthread|libutil)\.so' || true)
[ -z "$outside" ] || fail "loaded from outside the bundle: $outside"
LD_LIBRARY_PATH="$TMP/bundle/lib" ldd -r "$TMP/bundle/make_fmnist_det" 2>&1 | grep -q "undefined symbol" &&
  fail "undefined symbols: $(LD_LIBRARY_PATH="$TMP/bundle/lib" ldd -r "$TMP/bundle/make_fmnist_det" 2>&1 | grep -m3 'undefined symbol')"

LD_LIBRARY_PATH="$TMP/bundle/lib" "$TMP/bundle/make_fmnist_det" --profile=smoke \
  --output_dir="$TMP/bundled" > "$TMP/bundled.log" 2>&1 || { cat "$TMP/bundled.log"; fail "the bundled binary failed"; }
"$D/tools/make_fmnist_det" --profile=smoke --output_dir="$TMP/original" > "$TMP/original.log" 2>&1 ||
  fail "the original binary failed"
diff -r "$TMP/original" "$TMP/bundled" > "$TMP/diff.txt" || { head "$TMP/diff.txt"; fail "datasets differ"; }
echo "PASS"
