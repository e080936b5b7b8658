#!/usr/bin/python3
"""Recordings at their size bound (issue 16): how far over storage.recordings_max_size the
recordings folder ever gets while N cameras record, on the real binary.

N cameras (default 4) record vtest as H.264 (768x576, 10 fps, about 1 MB/s each at the encoder's
settings) in 10-s segments, with recordings_max_size set to a small bound (default 40m) so that the
bound is reached within a minute; detection off (this measures storage, not the detector). For
`--seconds` (default 180) the size of the recordings folder (every file under it, the segments
ffmpeg is still writing included) is sampled every 0.5 s: the largest excess over the bound, the
share of samples over it, and the size at the end are printed. The maintainer enforces the bound
every 10 s and a segment is indexed once finished, so the expected excess is about
cameras x (segment + maintainer interval) x bitrate.
Usage: bench/retention_bench.py [build dir] [--cameras=N] [--bound=40m] [--seconds=S]
"""

import json
import os
import shutil
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE_DIR = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(SOURCE_DIR, "tests", "integration"))
build_dir = next((a for a in sys.argv[1:] if not a.startswith("--")), "build")
os.environ.setdefault("CORVETTE_BIN", os.path.join(os.path.abspath(build_dir), "corvette"))
import corvette_harness  # noqa: E402


def option(name, default):
    prefix = f"--{name}="
    return next((a[len(prefix):] for a in sys.argv if a.startswith(prefix)), default)


CAMERAS = int(option("cameras", "4"))
BOUND = option("bound", "40m")
SECONDS = float(option("seconds", "180"))
SEGMENT_SECONDS = 10
RECORD_ARGS = (f"-f segment -segment_time {SEGMENT_SECONDS} -segment_format mp4 "
               "-reset_timestamps 1 -strftime 1 -c copy -an")


def bound_bytes(text):
    units = {"k": 1 << 10, "m": 1 << 20, "g": 1 << 30}
    return int(text[:-1]) * units[text[-1].lower()] if text[-1].lower() in units else int(text)


def folder_bytes(root):
    total = 0
    for folder, _, files in os.walk(root):
        for name in files:
            try:
                total += os.stat(os.path.join(folder, name)).st_size
            except OSError:
                pass  # deleted while walking
    return total


def main():
    tmp = tempfile.mkdtemp(prefix="corvette-retention-bench-")
    try:
        video = corvette_harness.make_h264_clip(os.path.join(tmp, "camera.mp4"), seconds=60)
        cameras = {}
        for i in range(CAMERAS):
            camera = corvette_harness.demo_camera(path=video, roles=("detect", "record"))
            camera["detect"] = {"enabled": False}
            camera["record"] = {"enabled": True}
            camera["ffmpeg"]["output_args"] = {"record": RECORD_ARGS}
            cameras[f"cam{i}"] = camera
        config = corvette_harness.base_config(cameras)
        corvette = corvette_harness.Corvette(config)
        corvette.config["storage"]["recordings_max_size"] = BOUND
        with open(corvette.config_path, "w") as f:
            json.dump(corvette.config, f)
        root = corvette.config["storage"]["recordings"]
        bound = bound_bytes(BOUND)
        corvette.start()
        samples = []
        started = time.monotonic()
        while time.monotonic() - started < SECONDS:
            samples.append(folder_bytes(root))
            time.sleep(0.5)
        corvette.stop()
        log = corvette.log()
        corvette.close()
        first_over = next((i for i, s in enumerate(samples) if s > bound), None)
        after = samples[first_over:] if first_over is not None else []
        excess = max((s - bound for s in after), default=0)
        over = sum(1 for s in after if s > bound)
        print(f"# {os.cpu_count()} cores; {CAMERAS} cameras recording {SEGMENT_SECONDS}-s segments of "
              f"vtest H.264 768x576; recordings_max_size {BOUND} ({bound / 1e6:.1f} MB); "
              f"{SECONDS:.0f} s, sampled every 0.5 s")
        print(f"bound first reached after {first_over * 0.5 if first_over is not None else 'never'} s; "
              f"largest size {max(samples) / 1e6:.1f} MB, largest excess over the bound "
              f"{excess / 1e6:.1f} MB ({100.0 * excess / bound:.0f}% of it); "
              f"{100.0 * over / max(1, len(after)):.0f}% of the samples after that over the bound; "
              f"at the end {samples[-1] / 1e6:.1f} MB")
        print(f"deletions logged: {log.count('over the bound')}")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
