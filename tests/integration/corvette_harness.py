"""Runs the real corvette binary for integration tests (stdlib only).

Typical use:

    class MyTest(corvette_harness.CorvetteTestCase):
        def test_something(self):
            corvette = self.start_corvette(corvette_harness.base_config())
            status, headers, body = corvette.get("/api/stats")

Each Corvette gets its own temporary directory (config, storage folders, database, log) and a
free port; the test case stops it with SIGTERM at the end (asserting it exits within 5 s) and
prints its log when the test failed.

Environment (set by ctest): CORVETTE_BIN (the binary), CORVETTE_SOURCE_DIR, CORVETTE_BINARY_DIR,
CORVETTE_TEST_TIME_SCALE (a sanitizer build's factor for the waits, see scaled(); default 1).

A sanitizer build's binary writes its reports to its log (stderr): Corvette.close() and
run_binary() fail the test when there is one (docs/testing.md).
"""

import copy
import http.client
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import unittest

SOURCE_DIR = os.environ.get(
    "CORVETTE_SOURCE_DIR", os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..")))
BINARY_DIR = os.environ.get("CORVETTE_BINARY_DIR", os.path.join(SOURCE_DIR, "build"))
BIN = os.environ.get("CORVETTE_BIN", os.path.join(BINARY_DIR, "corvette"))

DEMO_VIDEO = "/usr/share/doc/opencv-doc/examples/data/vtest.avi"
TIME_SCALE = float(os.environ.get("CORVETTE_TEST_TIME_SCALE", "1"))


def scaled(seconds):
    """`seconds` of waiting, longer in a sanitizer build (CORVETTE_TEST_TIME_SCALE)."""
    return seconds * TIME_SCALE


SHUTDOWN_LIMIT_SECONDS = scaled(5.0)

# The first line of a ThreadSanitizer, AddressSanitizer, LeakSanitizer or UBSan report.
SANITIZER_REPORT = re.compile(r"^.*(WARNING: ThreadSanitizer|ERROR: AddressSanitizer|"
                              r"ERROR: LeakSanitizer|runtime error: ).*$", re.MULTILINE)


def assert_no_sanitizer_report(output, what="corvette"):
    """Raises AssertionError with the report when `output` holds a sanitizer report."""
    match = SANITIZER_REPORT.search(output)
    if match:
        raise AssertionError(f"{what} wrote a sanitizer report:\n{output[match.start():]}")


def free_port():
    """A TCP port that was free a moment ago (bind to port 0 and release it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def demo_camera(path=DEMO_VIDEO, roles=("detect",), **extra):
    """A camera dict reading `path` in a loop at real speed."""
    camera = {
        "ffmpeg": {"inputs": [{"path": path, "input_args": "-re -stream_loop -1",
                               "roles": list(roles)}]},
        "width": 768,
        "height": 576,
        "fps": 5,
    }
    camera.update(extra)
    return camera


def make_h264_clip(path, seconds=6, source=DEMO_VIDEO):
    """Writes the first `seconds` of `source` to `path` as an H.264 MP4 with a keyframe every 10
    frames and no B-frames (short segments, quick starts): what a camera's stream looks like to
    ffmpeg."""
    subprocess.run(["ffmpeg", "-hide_banner", "-loglevel", "error", "-y", "-i", source,
                    "-t", str(seconds), "-c:v", "libx264", "-preset", "ultrafast", "-g", "10",
                    "-bf", "0", "-pix_fmt", "yuv420p", path], check=True, timeout=120)
    return path


def base_config(cameras=None, mqtt=None, **extra):
    """A config dict without server/storage/database (Corvette fills those in per instance)."""
    config = {"cameras": cameras if cameras is not None else {"demo": demo_camera()}}
    if mqtt is not None:
        config["mqtt"] = mqtt
    config.update(extra)
    return config


def run_binary(args, timeout=60, env=None):
    """Runs corvette with `args` to completion; returns subprocess.CompletedProcess (text).
    Raises AssertionError when it wrote a sanitizer report."""
    result = subprocess.run([BIN] + list(args), capture_output=True, text=True,
                            timeout=scaled(timeout), env=env)
    assert_no_sanitizer_report(result.stdout + result.stderr, f"corvette {' '.join(args)}")
    return result


class Corvette:
    """One corvette process in its own temporary directory."""

    def __init__(self, config, config_name="config.yml", port=None, args=(), env=None):
        """`config`: a dict (written as JSON, which is also YAML; server, storage and database
        are filled in unless given) or the file's text as a str (written as is)."""
        self.workdir = tempfile.mkdtemp(prefix="corvette-test-")
        self.port = port or free_port()
        self.config_path = os.path.join(self.workdir, config_name)
        if isinstance(config, dict):
            config = copy.deepcopy(config)
            config.setdefault("server", {"host": "127.0.0.1", "port": self.port})
            config.setdefault("storage", {
                "clips": os.path.join(self.workdir, "media", "clips"),
                "recordings": os.path.join(self.workdir, "media", "recordings"),
                "cache": os.path.join(self.workdir, "cache"),
            })
            config.setdefault("database", {"path": os.path.join(self.workdir, "media", "clips",
                                                                "frigate.db")})
            self.config = config
            text = json.dumps(config, indent=2)
        else:
            self.config = None
            text = config
        with open(self.config_path, "w") as f:
            f.write(text)
        self.args = list(args)
        self.env = env
        self.process = None
        self.log_path = os.path.join(self.workdir, "corvette.log")
        self._log_text = None
        self.exit_code = None

    # --- lifecycle ---

    def start(self, wait=True, timeout=30.0):
        """Starts the binary; with `wait`, returns once GET /api/ answers (or raises). A start
        after a stop appends to the same log."""
        self._log_file = open(self.log_path, "a")
        self.process = subprocess.Popen([BIN, "--config", self.config_path] + self.args,
                                        stdout=self._log_file, stderr=subprocess.STDOUT,
                                        cwd=self.workdir, env=self.env)
        if wait:
            self.wait_until_ready(timeout)
        return self

    def wait_until_ready(self, timeout=30.0):
        timeout = scaled(timeout)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"corvette exited with {self.process.returncode} before "
                                     f"answering /api/:\n{self.log()}")
            try:
                status, _, _ = self.get("/api/", timeout=1.0)
                if status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.1)
        raise AssertionError(f"corvette did not answer /api/ within {timeout} s:\n{self.log()}")

    def stop(self, sig=signal.SIGTERM, limit=SHUTDOWN_LIMIT_SECONDS):
        """Sends `sig` and waits; returns (exit code, seconds taken). Kills it after `limit`
        seconds plus a margin and raises AssertionError when it took longer than `limit`."""
        if self.process is None or self.process.poll() is not None:
            return (self.process.returncode if self.process else None), 0.0
        started = time.monotonic()
        self.process.send_signal(sig)
        try:
            self.process.wait(timeout=limit + 5.0)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        took = time.monotonic() - started
        self.exit_code = self.process.returncode
        if took > limit:
            raise AssertionError(f"corvette took {took:.1f} s to stop after {sig.name} "
                                 f"(limit {limit} s):\n{self.log()}")
        return self.exit_code, took

    def close(self):
        """Stops (SIGTERM) if running, keeps the log text, removes the temporary directory.
        Raises AssertionError when the log holds a sanitizer report."""
        try:
            if self.process is not None and self.process.poll() is None:
                self.stop()
        finally:
            self._log_text = self.log()
            if getattr(self, "_log_file", None):
                self._log_file.close()
            shutil.rmtree(self.workdir, ignore_errors=True)
        assert_no_sanitizer_report(self._log_text)

    def log(self):
        if self._log_text is not None:
            return self._log_text
        try:
            with open(self.log_path, errors="replace") as f:
                return f.read()
        except OSError:
            return ""

    # --- HTTP ---

    def url(self, path):
        return f"http://127.0.0.1:{self.port}{path}"

    def request(self, method, path, timeout=10.0, headers=None, body=None):
        """Returns (status, headers as a dict with lower-case names, body bytes)."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            connection.request(method, path, body=body, headers=headers or {})
            response = connection.getresponse()
            data = response.read()
            return (response.status, {k.lower(): v for k, v in response.getheaders()}, data)
        finally:
            connection.close()

    def get(self, path, timeout=10.0):
        return self.request("GET", path, timeout=timeout)

    def get_json(self, path):
        status, headers, body = self.get(path)
        if status != 200:
            raise AssertionError(f"GET {path}: {status} {body[:200]!r}")
        return json.loads(body)


class CorvetteTestCase(unittest.TestCase):
    """A TestCase that cleans up the Corvettes it starts and prints their logs on failure."""

    def run(self, result=None):
        self._corvettes = []
        problems_before = len(result.failures) + len(result.errors) if result else 0
        outcome = super().run(result)
        if result is not None and len(result.failures) + len(result.errors) > problems_before:
            for corvette in self._corvettes:
                sys.stderr.write(f"\n----- corvette log ({corvette.config_path}) -----\n"
                                 f"{corvette.log()}----- end of log -----\n")
        return outcome

    def make_corvette(self, config, **kwargs):
        corvette = Corvette(config, **kwargs)
        self._corvettes.append(corvette)
        self.addCleanup(corvette.close)
        return corvette

    def start_corvette(self, config, **kwargs):
        return self.make_corvette(config, **kwargs).start()


class H264CameraTestCase(CorvetteTestCase):
    """A CorvetteTestCase whose class has `cls.video`: the first `video_seconds` of vtest as an
    H.264 camera stream (make_h264_clip), in a temporary folder `cls.tmp` removed afterwards."""

    video_seconds = 20

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix=f"corvette-{cls.__name__}-")
        cls.video = os.path.join(cls.tmp, "camera.mp4")
        make_h264_clip(cls.video, seconds=cls.video_seconds)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)
