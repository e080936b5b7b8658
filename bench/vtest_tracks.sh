#!/usr/bin/env bash
# Distinct person tracks over vtest's first 30 s (5 fps, 150 frames, frame by frame through the
# camera's detection chain: tests/camera/vtest_people_test.cc) at each model size and precision the
# build made, with the detector calls per frame. Detection quality, not speed: the machine's load
# does not change it.
set -euo pipefail
build=${1:-build}
for size in 320 416; do
  for precision in fp32 int8; do
    model="$build/model/nanodet-$size.onnx"
    [ "$precision" = int8 ] && model="$build/model/nanodet-$size-int8.onnx"
    [ -e "$model" ] || { echo "$size $precision: no $model"; continue; }
    line=$(CORVETTE_TEST_MODEL_SIZE=$size CORVETTE_TEST_PRECISION=$precision \
      "$build/camera_tests" --gtest_filter='VtestPeopleTest.AtLeastFive*' 2>/dev/null |
      grep 'distinct people' || echo "test failed")
    echo "$size $precision: $line"
  done
done
