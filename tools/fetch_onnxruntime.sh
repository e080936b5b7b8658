#!/bin/sh
# Fetches ONNX Runtime's shared library and C API headers from two npm packages and checks their
# sha256 sums:
#   onnxruntime-node@1.30.0           bin/napi-v6/linux/<x64|arm64>/libonnxruntime.so.1 (MIT)
#   com.github.asus4.onnxruntime@0.4.9  the C API headers (API version 29), ONNX Runtime's LICENSE
#                                      and ThirdPartyNotices.txt (MIT)
#
# Usage: tools/fetch_onnxruntime.sh [CACHE_DIR]
#   CACHE_DIR defaults to $CORVETTE_ONNXRUNTIME_CACHE, else <repo>/.cache/onnxruntime (ignored by
#   git, kept by `make clean`). Leaves CACHE_DIR/libonnxruntime.so.1, CACHE_DIR/include/*.h,
#   CACHE_DIR/LICENSE and CACHE_DIR/ThirdPartyNotices.txt. Files already present with the right sums
#   are not fetched again. Exits non-zero, saying what went wrong and what to do, when the machine
#   has no build in the package, the fetch fails or a checksum differs; the build then goes on
#   without the ONNX Runtime backend (tools/onnxruntime.cmake).
set -eu

LIB_PACKAGE="onnxruntime-node@1.30.0"
LIB_TARBALL_SHA256="6e3390d6b783e7be946fad629292799da28d0b42f84856e50d2c1b0383291e75"
HEADER_PACKAGE="com.github.asus4.onnxruntime@0.4.9"
HEADER_TARBALL_SHA256="e59788788818fdde1b2e522e766a21ba0f7d8391de55737abf81e32cc801785d"
HEADER_DIR="package/Plugins/iOS~/onnxruntime.xcframework/ios-arm64/onnxruntime.framework/Headers"

case "$(uname -m)" in
  x86_64)
    ARCH=x64
    LIB_SHA256="ffb75a925ba05e47b235bb66e3e3911714a80b328a9c9425539feb204aa32a23"
    ;;
  aarch64 | arm64)
    ARCH=arm64
    LIB_SHA256="1f549d46250b005580b597f4164984aaf75b3bcb9f3aeb07c7f8a8fe60b23c76"
    ;;
  *)
    echo "fetch_onnxruntime: $LIB_PACKAGE has no Linux build for $(uname -m)" >&2
    echo "fetch_onnxruntime: detectors run on OpenCV's DNN module (runtime: opencv)." >&2
    exit 1
    ;;
esac

# "sha256  file" for every file the cache must hold (file relative to CACHE_DIR).
MANIFEST="$LIB_SHA256  libonnxruntime.so.1
acc0cf4b3f28d39339c76770d76164bb7a0637dc89f5fde764b4017b632f6743  include/onnxruntime_c_api.h
5ce3b054e798eced8d14f5b86e98692fd33470463f96194ce0700a2d53dd8721  include/onnxruntime_error_code.h
e6c986c9e98583f8113b2c6bc3864814883b806d501cf24da4d239c45753e235  include/onnxruntime_ep_c_api.h
febf1052ee15e56ce136c41d028938d04b3e217bd4820dcafcb9bcd0f4f2c5ea  include/onnxruntime_session_options_config_keys.h
2f07c72751aed99790b8a4869cf2311df85a860b22ded05fa22803587a48922c  LICENSE
4c5b864d8974c94b37461f38163facef79a1bb5dea461667ee9e5be6a8e73f83  ThirdPartyNotices.txt"

repo_dir=$(cd "$(dirname "$0")/.." && pwd)
cache_dir=${1:-${CORVETTE_ONNXRUNTIME_CACHE:-$repo_dir/.cache/onnxruntime}}

fail() {
  echo "fetch_onnxruntime: $1" >&2
  echo "fetch_onnxruntime: $2" >&2
  exit 1
}

have_good_files() {
  (cd "$cache_dir" && echo "$MANIFEST" | sha256sum --check --status 2>/dev/null)
}

mkdir -p "$cache_dir/include" || fail "cannot create the cache directory $cache_dir" \
  "make it writable or set CORVETTE_ONNXRUNTIME_CACHE to a writable directory."
if have_good_files; then
  exit 0
fi

command -v npm >/dev/null 2>&1 || fail "npm is not installed" \
  "run scripts/install-deps.sh (Debian package npm), then build again."

work=$(mktemp -d "$cache_dir/fetch.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM

# Fetches package $1 into $work with npm pack, checks the tarball's sha256 against $2 and extracts
# the members named after it. Prints the directory it extracted into.
fetch() {
  package=$1
  want=$2
  shift 2
  echo "fetch_onnxruntime: npm pack $package into $cache_dir (once)" >&2
  dir="$work/$(echo "$package" | tr '@/' '__')"
  mkdir -p "$dir"
  if ! (cd "$dir" && npm pack --loglevel=error "$package" >npm-pack.log 2>&1); then
    cat "$dir/npm-pack.log" >&2 || true
    fail "npm pack $package failed (output above)" \
      "check the network and npm's registry setting (npm config get registry), then build again."
  fi
  tarball=$(ls "$dir"/*.tgz 2>/dev/null | head -n 1)
  [ -n "$tarball" ] || fail "npm pack produced no tarball in $dir" "run 'npm pack $package' by hand to see why."
  got=$(sha256sum "$tarball" | cut -d' ' -f1)
  [ "$got" = "$want" ] || fail "checksum mismatch: $package tarball sha256 $got (want $want)" \
    "the registry served a different package; do not use it. Check the registry (npm config get registry) and retry."
  tar -xzf "$tarball" -C "$dir" "$@" || fail "$tarball lacks $*" \
    "the package version is pinned to $package; check that the registry serves the genuine package."
  echo "$dir"
}

lib_dir=$(fetch "$LIB_PACKAGE" "$LIB_TARBALL_SHA256" "package/bin/napi-v6/linux/$ARCH/libonnxruntime.so.1")
header_dir=$(fetch "$HEADER_PACKAGE" "$HEADER_TARBALL_SHA256" "$HEADER_DIR" package/LICENSE \
  package/ThirdPartyNotices.txt)

cp "$lib_dir/package/bin/napi-v6/linux/$ARCH/libonnxruntime.so.1" "$work/libonnxruntime.so.1"
for h in onnxruntime_c_api.h onnxruntime_error_code.h onnxruntime_ep_c_api.h \
  onnxruntime_session_options_config_keys.h; do
  cp "$header_dir/$HEADER_DIR/$h" "$cache_dir/include/$h"
done
cp "$header_dir/package/LICENSE" "$header_dir/package/ThirdPartyNotices.txt" "$cache_dir/"
# The library last: a cache with the library holds everything.
mv "$work/libonnxruntime.so.1" "$cache_dir/libonnxruntime.so.1"
# The tarballs' 1985 timestamps would make build tools think the files older than what uses them.
touch "$cache_dir/libonnxruntime.so.1" "$cache_dir/include/"*.h "$cache_dir/LICENSE" \
  "$cache_dir/ThirdPartyNotices.txt"

if ! have_good_files; then
  (cd "$cache_dir" && echo "$MANIFEST" | sha256sum --check 2>&1 | grep -v ': OK$') >&2 || true
  fail "the files extracted into $cache_dir do not have the pinned sha256 sums (above)" \
    "the registry served different files; delete $cache_dir and retry."
fi
echo "fetch_onnxruntime: libonnxruntime.so.1 ($ARCH) and the C API headers verified in $cache_dir"
