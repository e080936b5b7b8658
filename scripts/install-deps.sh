#!/usr/bin/env bash
# Installs the Debian bookworm packages corvette needs to build, test and run.
# Idempotent: packages already installed are skipped, so a second run takes a second or two.
set -euo pipefail

packages=(
  # build
  build-essential cmake pkg-config clang-format git
  # libraries
  libboost-dev libopencv-core-dev libopencv-imgproc-dev libopencv-imgcodecs-dev libopencv-dnn-dev
  libopencv-videoio-dev libsqlite3-dev libmosquitto-dev libturbojpeg0-dev libyaml-cpp-dev
  nlohmann-json3-dev libspdlog-dev libfmt-dev libcli11-dev
  # probing segment durations in process (clips cache, recordings)
  libavformat-dev libavcodec-dev libavutil-dev
  # tests and benchmarks
  libgtest-dev libgmock-dev libbenchmark-dev python3 python3-paho-mqtt curl sqlite3
  # the web page's browser tests (driven by npm's playwright-core, no browser download)
  chromium
  # the Debian package and its test (make package, tests/integration/test_package.py)
  dpkg-dev lintian systemd adduser
  # run time: decoding, the demo footage, the broker, the RTMP restream server
  ffmpeg opencv-doc mosquitto mosquitto-clients nginx libnginx-mod-rtmp
  # the model converter (tools/)
  python3-onnx python3-numpy
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
# npm comes with Node.js; Debian's npm conflicts with a Node.js installed from elsewhere.
if ! command -v npm >/dev/null 2>&1; then
  missing+=(npm)
fi

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  SUDO="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
