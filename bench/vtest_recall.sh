#!/usr/bin/env bash
# Issue 14's recall measurement (tests/camera/pipeline_recall_test.cc): vtest's first 30 s at 5 fps
# (150 frames, every 2nd of the 10 fps file), scaled by ffmpeg to each size, fed frame by frame
# through the camera's FramePipeline and through an exhaustive reference (every model-size tile of a
# grid overlapping by half a tile, every frame). Prints recall (reference person detections the
# pipeline also reports on that frame, IoU >= 0.5), detector calls per frame and distinct person
# tracks, with the camera's default person filter (min_score 0.5) and with min_score 0.4; also the
# share matched by the tracked objects' boxes (what the camera shows), refinement calls and frames
# with calls. Detection quality and call counts, not speed: the machine's load does not change them.
set -euo pipefail
build=${1:-build}
# Each size twice: Frigate 0.8's region plan (detect.min_object_pixels 0), then the camera's default
# (48: regions merged while every tracked object stays at least 48 model pixels large,
# detect::RegionPlan).
for size in 768x576 1280x720; do
  for pixels in 0 48; do
    echo "### $size, min_object_pixels $pixels"
    status=0
    out=$(CORVETTE_RECALL_FRAMES=150 CORVETTE_RECALL_SIZE=$size \
      CORVETTE_RECALL_MIN_OBJECT_PIXELS=$pixels "$build/camera_tests" \
      --gtest_filter='PipelineRecallTest.ThePipelineReports*' 2>/dev/null) || status=$?
    grep -E '^(  |[0-9]+x[0-9]+,)' <<<"$out" || echo "$size: the test printed no figures"
    [ "$status" = 0 ] || echo "$size: the test failed (exit $status)"
  done
done
