#!/usr/bin/python3
"""Whole-process figures of the camera pipeline (issue 3), measured on the real binary.

One 1280x720 H.264 camera at 5 fps (vtest.avi scaled), detection off:
  1. CPU of corvette plus its ffmpeg child against ffmpeg alone decoding the same stream to
     /dev/null with the same arguments, in the same run (target: ratio <= 1.15);
  2. CPU with 1 MJPEG viewer against 20 viewers of the same camera (target: <= 1.5x);
  3. resident memory at minute 2 and at minute 10 (target: within 5%).
Usage: bench/pipeline_bench.py [build dir] [--quick] [--mjpeg-only] [--rounds=N]
  --quick: 20-s phases instead of 60-s ones, and no 10-minute memory run;
  --mjpeg-only: only figure 2 (no ffmpeg comparison, no memory run);
  --rounds=N: measure 1 viewer then 20 viewers N times, alternating, in the same run (default 1).
"""

import os
import socket
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE_DIR = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(SOURCE_DIR, "tests", "integration"))
build_dir = next((a for a in sys.argv[1:] if not a.startswith("--")), "build")
os.environ.setdefault("CORVETTE_BIN", os.path.join(os.path.abspath(build_dir), "corvette"))
import corvette_harness  # noqa: E402

QUICK = "--quick" in sys.argv
MJPEG_ONLY = "--mjpeg-only" in sys.argv
ROUNDS = int(next((a.split("=", 1)[1] for a in sys.argv if a.startswith("--rounds=")), "1"))
TICKS = os.sysconf("SC_CLK_TCK")
VTEST = "/usr/share/doc/opencv-doc/examples/data/vtest.avi"
INPUT_ARGS = ["-re", "-stream_loop", "-1"]
OUTPUT_ARGS = ["-r", "5", "-f", "rawvideo", "-pix_fmt", "yuv420p"]


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS  # utime + stime


def rss_mb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024.0
    return 0.0


def make_camera_file(workdir):
    path = os.path.join(workdir, "camera-720p-5fps.mp4")
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-i", VTEST, "-vf", "scale=1280:720", "-r", "5",
                    "-c:v", "libx264", "-g", "10", "-bf", "0", path], check=True)
    return path


def measure_cpu(pids, seconds):
    start = {p: cpu_seconds(p) for p in pids}
    time.sleep(seconds)
    return sum(cpu_seconds(p) - start[p] for p in pids) / seconds


def baseline_ffmpeg(path, seconds):
    """CPU share of ffmpeg alone decoding the camera to /dev/null with the camera's arguments."""
    cmd = (["ffmpeg", "-hide_banner", "-loglevel", "warning"] + INPUT_ARGS + ["-i", path] +
           OUTPUT_ARGS + ["pipe:"])
    with open(os.devnull, "wb") as null:
        proc = subprocess.Popen(cmd, stdout=null, stdin=subprocess.DEVNULL)
        try:
            time.sleep(5)
            return measure_cpu([proc.pid], seconds)
        finally:
            proc.terminate()
            proc.wait()


class MjpegViewer(threading.Thread):
    def __init__(self, port, path):
        super().__init__(daemon=True)
        self.port, self.path, self.stop, self.bytes = port, path, False, 0

    def run(self):
        with socket.create_connection(("127.0.0.1", self.port)) as sock:
            sock.sendall(f"GET {self.path} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
            sock.settimeout(2)
            while not self.stop:
                try:
                    data = sock.recv(65536)
                except socket.timeout:
                    continue
                if not data:
                    break
                self.bytes += len(data)


def with_viewers(corvette, pids, count, seconds):
    viewers = [MjpegViewer(corvette.port, "/api/cam") for _ in range(count)]
    for v in viewers:
        v.start()
    time.sleep(3)
    cpu = measure_cpu(pids, seconds)
    for v in viewers:
        v.stop = True
    for v in viewers:
        v.join(5)
    return cpu, sum(v.bytes for v in viewers)


def main():
    phase = 20 if QUICK else 60
    corvette = None
    import tempfile
    workdir = tempfile.mkdtemp(prefix="corvette-bench-")
    path = make_camera_file(workdir)
    camera = {
        "ffmpeg": {"inputs": [{"path": path, "input_args": " ".join(INPUT_ARGS),
                               "roles": ["detect"]}]},
        "width": 1280, "height": 720, "fps": 5, "detect": {"enabled": False},
    }
    corvette = corvette_harness.Corvette(corvette_harness.base_config({"cam": camera}))
    corvette.start()
    try:
        started = time.monotonic()
        time.sleep(10)
        capture_pid = corvette.get_json("/api/stats")["cam"]["capture_pid"]
        pids = [corvette.process.pid, capture_pid]
        print(f"corvette pid {corvette.process.pid}, ffmpeg pid {capture_pid}")

        if not MJPEG_ONLY:
            own = measure_cpu(pids, phase)
            corvette_only = measure_cpu([corvette.process.pid], phase) if not QUICK else None
            base = baseline_ffmpeg(path, phase)
            print(f"cpu: corvette+ffmpeg {own*100:.1f}% of a core, ffmpeg alone {base*100:.1f}%, "
                  f"ratio {own/base:.3f} (target <= 1.15)")
            if corvette_only is not None:
                print(f"cpu: corvette process alone {corvette_only*100:.2f}% of a core")

        ones, twenties = [], []
        for round_number in range(1, ROUNDS + 1):
            load = os.getloadavg()[0]
            one, b1 = with_viewers(corvette, [corvette.process.pid], 1, phase)
            twenty, b20 = with_viewers(corvette, [corvette.process.pid], 20, phase)
            ones.append(one)
            twenties.append(twenty)
            print(f"mjpeg round {round_number} (load {load:.1f} to {os.getloadavg()[0]:.1f}): "
                  f"1 viewer {one*100:.2f}% ({b1/phase/1e3:.0f} kB/s), 20 viewers "
                  f"{twenty*100:.2f}% ({b20/phase/1e3:.0f} kB/s), ratio {twenty/one:.2f} "
                  f"(target <= 1.5)", flush=True)
        if ROUNDS > 1:
            print(f"mjpeg: all rounds, 1 viewer {sum(ones)/ROUNDS*100:.2f}%, 20 viewers "
                  f"{sum(twenties)/ROUNDS*100:.2f}%, ratio {sum(twenties)/sum(ones):.2f}")
        stats = corvette.get_json("/api/stats")["cam"]
        print(f"stats: {stats}")

        if not QUICK and not MJPEG_ONLY:
            while time.monotonic() - started < 120:
                time.sleep(1)
            rss2 = rss_mb(corvette.process.pid)
            while time.monotonic() - started < 600:
                time.sleep(5)
            rss10 = rss_mb(corvette.process.pid)
            print(f"rss: minute 2 {rss2:.1f} MB, minute 10 {rss10:.1f} MB, change "
                  f"{(rss10 - rss2) / rss2 * 100:+.1f}% (target within 5%)")
    finally:
        corvette.close()
        import shutil
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
