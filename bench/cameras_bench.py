#!/usr/bin/python3
"""Several busy cameras with detection on, whole process (issues 13 and 14), on the real binary.

N cameras (default 4), each vtest.avi scaled to 1280x720 H.264 at 5 fps, looped at real speed,
detection on (person). After a warm-up, one window of /api/stats samples and /proc CPU readings:
  - per camera: process_fps, skipped_fps, detection_fps (detector calls per second);
  - worst process_fps, total skipped_fps, detector calls per processed frame;
  - whole-process CPU in cores: corvette plus its ffmpeg children.
Usage: bench/cameras_bench.py [build dir] [--cameras=N] [--size=320|416] [--runtime=NAME]
                              [--precision=fp32|int8] [--detectors=N] [--threads=N] [--warmup=S]
                              [--seconds=S] [--min-object-pixels=N] [--stagger] [--quick]
  --runtime: detectors.<name>.runtime (auto, onnxruntime, opencv); absent: the default;
  --precision: detectors.<name>.precision; absent: the default (fp32);
  --detectors/--threads: detector count and threads per detector (default: corvette's default);
  --min-object-pixels: detect.min_object_pixels (0 = Frigate's regions); absent: the default;
  --stagger: camera i starts i/N of the way into the clip (without it every camera shows the same
             frame at the same moment, so their busy seconds coincide);
  --quick: 10-s warm-up and a 20-s window.
"""

import os
import shutil
import subprocess
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


QUICK = "--quick" in sys.argv
STAGGER = "--stagger" in sys.argv
CLIP_SECONDS = 79.5  # vtest.avi: 795 frames at 10 fps
CAMERAS = int(option("cameras", "4"))
SIZE = int(option("size", "0"))
RUNTIME = option("runtime", None)
PRECISION = option("precision", None)
DETECTORS = int(option("detectors", "0"))
THREADS = int(option("threads", "0"))
WARMUP = float(option("warmup", "10" if QUICK else "30"))
SECONDS = float(option("seconds", "20" if QUICK else "60"))
MIN_OBJECT_PIXELS = option("min-object-pixels", None)
TICKS = os.sysconf("SC_CLK_TCK")
VTEST = "/usr/share/doc/opencv-doc/examples/data/vtest.avi"


def cpu_seconds(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except FileNotFoundError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / TICKS  # utime + stime


def make_camera_file(workdir):
    path = os.path.join(workdir, "camera-720p-5fps.mp4")
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-i", VTEST, "-vf", "scale=1280:720", "-r", "5",
                    "-c:v", "libx264", "-g", "10", "-bf", "0", path], check=True)
    return path


def config_for(path):
    def camera(index):
        input_args = "-re -stream_loop -1"
        if STAGGER:
            input_args += f" -ss {index * CLIP_SECONDS / CAMERAS:.1f}"
        config = {
            "ffmpeg": {"inputs": [{"path": path, "input_args": input_args,
                                   "roles": ["detect"]}]},
            "width": 1280, "height": 720, "fps": 5,
            "objects": {"track": ["person"]},
        }
        if MIN_OBJECT_PIXELS is not None:
            config["detect"] = {"min_object_pixels": int(MIN_OBJECT_PIXELS)}
        return config
    extra = {}
    if SIZE:
        extra["model"] = {"width": SIZE, "height": SIZE}
    if RUNTIME or PRECISION or DETECTORS or THREADS:
        detector = {"type": "cpu"}
        if RUNTIME:
            detector["runtime"] = RUNTIME
        if PRECISION:
            detector["precision"] = PRECISION
        if THREADS:
            detector["num_threads"] = THREADS
        extra["detectors"] = {f"cpu{i}": dict(detector) for i in range(max(DETECTORS, 1))}
    return corvette_harness.base_config({f"cam{i}": camera(i) for i in range(CAMERAS)}, **extra)


def main():
    workdir = tempfile.mkdtemp(prefix="corvette-bench-")
    corvette = None
    try:
        path = make_camera_file(workdir)
        corvette = corvette_harness.Corvette(config_for(path))
        corvette.start()
        time.sleep(WARMUP)
        names = [f"cam{i}" for i in range(CAMERAS)]
        stats = corvette.get_json("/api/stats")
        pids = [corvette.process.pid] + [stats[n]["capture_pid"] for n in names]
        load = os.getloadavg()[0]
        before = sum(cpu_seconds(p) for p in pids)
        samples = []
        started = time.monotonic()
        while time.monotonic() - started < SECONDS:
            time.sleep(5)
            samples.append(corvette.get_json("/api/stats"))
        cores = (sum(cpu_seconds(p) for p in pids) - before) / (time.monotonic() - started)

        def mean(name, key):
            return sum(s[name][key] for s in samples) / len(samples)

        rows = {n: {k: mean(n, k) for k in ("camera_fps", "process_fps", "skipped_fps",
                                            "detection_fps")} for n in names}
        print(f"config: {CAMERAS} cameras 1280x720 5 fps, model {SIZE or 'default'}, runtime "
              f"{RUNTIME or 'default'}, precision {PRECISION or 'default'}, detectors {DETECTORS or 'default'} x threads "
              f"{THREADS or 'default'}, min_object_pixels {MIN_OBJECT_PIXELS or 'default'}, {'staggered' if STAGGER else 'in step'}; warm-up {WARMUP:.0f} s, window {SECONDS:.0f} s; load "
              f"{load:.1f} to {os.getloadavg()[0]:.1f}")
        for n, r in rows.items():
            print(f"  {n}: camera_fps {r['camera_fps']:.2f} process_fps {r['process_fps']:.2f} "
                  f"skipped_fps {r['skipped_fps']:.2f} detection_fps {r['detection_fps']:.2f}")
        processed = sum(r["process_fps"] for r in rows.values())
        calls = sum(r["detection_fps"] for r in rows.values())
        worst = min(r["process_fps"] for r in rows.values())
        best = max(r["process_fps"] for r in rows.values())
        print(f"worst process_fps {worst:.2f} (best {best:.2f}), total skipped_fps "
              f"{sum(r['skipped_fps'] for r in rows.values()):.2f}, detector calls/s {calls:.1f}, "
              f"calls per processed frame {calls / processed if processed else 0:.2f}, "
              f"whole process {cores:.2f} cores (corvette + {CAMERAS} ffmpeg)", flush=True)
    finally:
        if corvette is not None:
            corvette.close()
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
