#!/usr/bin/python3
"""Clip downloads and MJPEG viewers against the cameras' processing (issue 6 figure: "ten
concurrent downloads of a clip and ten MJPEG viewers do not lower any camera's process_fps").

The real binary runs two cameras, each reading a generated 1280x720 5-fps H.264 file (vtest.avi
scaled) looped with -re, detection off by default (--detect turns it on, as the harness demo). A
real 30-s clip made from that file by stream copy is placed in the clips folder. Then, through the
HTTP interface only:
  1. idle: /api/stats sampled every 2 s for the phase (process_fps and camera_fps per camera);
  2. loaded: the same while 10 clients download the clip in a loop (each the whole file, keep-alive)
     and 10 MJPEG viewers watch /api/<camera> (spread over the cameras).
Prints both phases per camera (process_fps, camera_fps, skipped_fps), the ratio loaded/idle of
process_fps, what the clients received, corvette's CPU in each phase and the load average (the
machine is shared: read the figure with it). The load generator runs on the same machine (Python
threads, unthrottled: about a core of its own). Real clients (Home Assistant, browsers) run on other
machines, so by default each client thread runs at nice 19 (--client-nice): it gets the CPU the
cameras leave, as a remote client costs them nothing; --client-nice 0 lets the clients compete.

Usage: bench/clips_load_bench.py [build dir] [--seconds N] [--cameras N] [--detect] [--rate MB/s]
                                 [--downloads N] [--viewers N] [--client-nice N]
"""

import argparse
import http.client
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE_DIR = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(SOURCE_DIR, "tests", "integration"))

VTEST = "/usr/share/doc/opencv-doc/examples/data/vtest.avi"
TICKS = os.sysconf("SC_CLK_TCK")


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("build", nargs="?", default="build")
    parser.add_argument("--seconds", type=float, default=45.0, help="length of each phase")
    parser.add_argument("--cameras", type=int, default=2)
    parser.add_argument("--detect", action="store_true", help="run detection on every camera")
    parser.add_argument("--downloads", type=int, default=10, help="concurrent clip downloads")
    parser.add_argument("--viewers", type=int, default=10, help="MJPEG viewers")
    parser.add_argument("--rate", type=float, default=0.0,
                        help="MB/s per download client (default: as fast as it goes)")
    parser.add_argument("--client-nice", type=int, default=19,
                        help="nice value of each client thread (default 19; 0: compete)")
    return parser.parse_args()


CLIENT_NICE = 19


def lower_this_thread():
    """Sets the calling thread's nice value to CLIENT_NICE (Linux: per thread)."""
    os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), CLIENT_NICE)


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS  # utime + stime


def loadavg():
    return "{:.2f} {:.2f} {:.2f}".format(*os.getloadavg())


class ClipDownloader(threading.Thread):
    """GETs the clip over and over on one keep-alive connection, reading every byte."""

    def __init__(self, port, path, rate):
        super().__init__(daemon=True)
        self.port, self.path = port, path
        self.rate = rate * 1e6  # bytes per second, 0 = unthrottled
        self.stop = False
        self.bytes = 0
        self.files = 0
        self.errors = 0

    def run(self):
        lower_this_thread()
        connection = None
        while not self.stop:
            try:
                if connection is None:
                    connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
                connection.request("GET", self.path)
                response = connection.getresponse()
                if response.status != 200:
                    self.errors += 1
                started, received = time.monotonic(), 0
                while not self.stop:
                    chunk = response.read(65536)
                    if not chunk:
                        break
                    self.bytes += len(chunk)
                    received += len(chunk)
                    if self.rate:
                        ahead = received / self.rate - (time.monotonic() - started)
                        if ahead > 0:
                            time.sleep(ahead)
                self.files += 1
            except (OSError, http.client.HTTPException):
                self.errors += 1
                if connection is not None:
                    connection.close()
                connection = None
                time.sleep(0.2)
        if connection is not None:
            connection.close()


class MjpegViewer(threading.Thread):
    def __init__(self, port, path):
        super().__init__(daemon=True)
        self.port, self.path = port, path
        self.stop = False
        self.bytes = 0

    def run(self):
        lower_this_thread()
        with socket.create_connection(("127.0.0.1", self.port)) as sock:
            sock.sendall(f"GET {self.path} HTTP/1.1\r\nHost: bench\r\n\r\n".encode())
            sock.settimeout(1)
            while not self.stop:
                try:
                    data = sock.recv(65536)
                except socket.timeout:
                    continue
                if not data:
                    break
                self.bytes += len(data)


def sample(corvette, cameras, seconds):
    """Per camera: mean process_fps, min process_fps, mean camera_fps, mean skipped_fps over the
    phase (every 2 s), plus corvette's CPU share over the phase."""
    process = {c: [] for c in cameras}
    camera_fps = {c: [] for c in cameras}
    skipped = {c: [] for c in cameras}
    cpu_start, started = cpu_seconds(corvette.process.pid), time.monotonic()
    while time.monotonic() - started < seconds:
        time.sleep(2)
        stats = corvette.get_json("/api/stats")
        for c in cameras:
            process[c].append(stats[c]["process_fps"])
            camera_fps[c].append(stats[c]["camera_fps"])
            skipped[c].append(stats[c]["skipped_fps"])
    cpu = (cpu_seconds(corvette.process.pid) - cpu_start) / (time.monotonic() - started)
    def mean(values):
        return sum(values) / len(values)

    figures = {c: (mean(process[c]), min(process[c]), mean(camera_fps[c]), mean(skipped[c]))
               for c in cameras}
    return figures, cpu


def main():
    global CLIENT_NICE
    args = parse_args()
    CLIENT_NICE = args.client_nice
    os.environ.setdefault("CORVETTE_BIN", os.path.join(os.path.abspath(args.build), "corvette"))
    import corvette_harness  # noqa: E402  (reads CORVETTE_BIN on import)

    workdir = tempfile.mkdtemp(prefix="corvette-clips-bench-")
    corvette = None
    try:
        video = os.path.join(workdir, "camera-720p-5fps.mp4")
        subprocess.run(["ffmpeg", "-v", "error", "-y", "-i", VTEST, "-vf", "scale=1280:720", "-r",
                        "5", "-t", "60", "-c:v", "libx264", "-preset", "veryfast", "-g", "10", "-bf", "0",
                        video], check=True)
        cameras = [f"cam{i + 1}" for i in range(args.cameras)]
        config = {}
        for name in cameras:
            config[name] = {
                "ffmpeg": {"inputs": [{"path": video, "input_args": "-re -stream_loop -1",
                                       "roles": ["detect"]}]},
                "width": 1280, "height": 720, "fps": 5,
                "detect": {"enabled": args.detect},
            }
        corvette = corvette_harness.Corvette(corvette_harness.base_config(config))
        clips_dir = corvette.config["storage"]["clips"]
        os.makedirs(clips_dir, exist_ok=True)
        clip_name = f"{cameras[0]}-1700000000.0-bench0.mp4"
        subprocess.run(["ffmpeg", "-v", "error", "-y", "-i", video, "-t", "30", "-c", "copy",
                        "-movflags", "+faststart", os.path.join(clips_dir, clip_name)],
                       check=True)
        clip_size = os.path.getsize(os.path.join(clips_dir, clip_name))
        corvette.start()
        status, _, body = corvette.get(f"/clips/{clip_name}", timeout=30)
        if status != 200 or len(body) != clip_size:
            raise SystemExit(f"the clip is not served: {status}, {len(body)} of {clip_size} bytes")
        time.sleep(15)  # ffmpeg started, rates over a full 10-s window

        print(f"# {len(cameras)} cameras 1280x720 at 5 fps, detection "
              f"{'on' if args.detect else 'off'}; clip {clip_size / 1e6:.2f} MB (30 s); downloads "
              f"{f'at {args.rate:g} MB/s each' if args.rate else 'unthrottled'}; "
              f"phases of {args.seconds:.0f} s; clients at nice {args.client_nice}")
        print(f"idle: load average {loadavg()}")
        idle, idle_cpu = sample(corvette, cameras, args.seconds)

        downloaders = [ClipDownloader(corvette.port, f"/clips/{clip_name}", args.rate)
                       for _ in range(args.downloads)]
        viewers = [MjpegViewer(corvette.port, f"/api/{cameras[i % len(cameras)]}")
                   for i in range(args.viewers)]
        for client in downloaders + viewers:
            client.start()
        time.sleep(3)
        print(f"loaded: load average {loadavg()}")
        bytes_before = sum(d.bytes for d in downloaders)
        mjpeg_before = sum(v.bytes for v in viewers)
        started = time.monotonic()
        loaded, loaded_cpu = sample(corvette, cameras, args.seconds)
        elapsed = time.monotonic() - started
        downloaded = sum(d.bytes for d in downloaders) - bytes_before
        mjpeg = sum(v.bytes for v in viewers) - mjpeg_before
        for client in downloaders + viewers:
            client.stop = True
        for client in downloaders + viewers:
            client.join(15)
        print(f"after: load average {loadavg()}")

        for c in cameras:
            i_mean, i_min, i_cam, i_skip = idle[c]
            l_mean, l_min, l_cam, l_skip = loaded[c]
            print(f"{c}: idle process_fps {i_mean:.2f} (min {i_min:.2f}) camera_fps {i_cam:.2f} "
                  f"skipped_fps {i_skip:.2f}; loaded process_fps {l_mean:.2f} (min {l_min:.2f}) "
                  f"camera_fps {l_cam:.2f} skipped_fps {l_skip:.2f}; "
                  f"ratio {l_mean / i_mean if i_mean else float('nan'):.3f}")
        files = sum(d.files for d in downloaders)
        errors = sum(d.errors for d in downloaders)
        print(f"clients: {args.downloads} downloads {downloaded / elapsed / 1e6:.1f} MB/s "
              f"({files} whole clips, {errors} errors), {args.viewers} MJPEG viewers "
              f"{mjpeg / elapsed / 1e3:.0f} kB/s")
        print(f"corvette cpu: idle {idle_cpu * 100:.1f}% of a core, loaded {loaded_cpu * 100:.1f}%")
    finally:
        if corvette is not None:
            corvette.close()
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
