"""The camera pipeline (issue 3) against the real binary and the real ffmpeg, on a clip the test
generates (testsrc2, 640x360, H.264) read in a loop at real speed, detection off: camera_fps,
latest.jpg and MJPEG heights, the 400 and 404 cases, a camera whose stream does not exist, and
the restart of a killed ffmpeg child."""

import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import unittest

import corvette_harness as harness

WIDTH, HEIGHT, FPS = 640, 360, 5
_clip_dir = None
_clip_path = None


def setUpModule():
    global _clip_dir, _clip_path
    _clip_dir = tempfile.mkdtemp(prefix="corvette-camera-test-")
    _clip_path = os.path.join(_clip_dir, "testsrc2.mp4")
    subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-y", "-f", "lavfi", "-i",
                    f"testsrc2=size={WIDTH}x{HEIGHT}:rate=10", "-t", "20", "-c:v", "libx264",
                    "-preset", "ultrafast", "-g", "10", "-pix_fmt", "yuv420p", _clip_path],
                   check=True, timeout=120)


def tearDownModule():
    shutil.rmtree(_clip_dir, ignore_errors=True)


def clip_camera(path=None):
    return {
        "ffmpeg": {"inputs": [{"path": path or _clip_path, "input_args": "-re -stream_loop -1",
                               "roles": ["detect"]}]},
        "width": WIDTH,
        "height": HEIGHT,
        "fps": FPS,
        "detect": {"enabled": False},
    }


def jpeg_size(data):
    """(width, height) from a JPEG's SOF marker; raises ValueError when there is none."""
    if data[:2] != b"\xff\xd8":
        raise ValueError("not a JPEG (no SOI)")
    i = 2
    while i + 4 <= len(data):
        if data[i] != 0xFF:
            raise ValueError(f"bad marker at {i}")
        marker = data[i + 1]
        if marker == 0xFF:
            i += 1
            continue
        length = int.from_bytes(data[i + 2:i + 4], "big")
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            height = int.from_bytes(data[i + 5:i + 7], "big")
            width = int.from_bytes(data[i + 7:i + 9], "big")
            return width, height
        i += 2 + length
    raise ValueError("no SOF marker")


def read_stream(port, path, seconds):
    """Reads GET `path` raw for `seconds`; returns (header bytes, body bytes)."""
    data = b""
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode())
        sock.settimeout(0.5)
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            try:
                chunk = sock.recv(65536)
            except socket.timeout:
                continue
            if not chunk:
                break
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    return head, body


def wait_for(predicate, timeout, interval=0.25):
    """Polls `predicate` until it returns a true value or `timeout` seconds pass; returns its last
    value."""
    deadline = time.monotonic() + timeout
    value = predicate()
    while not value and time.monotonic() < deadline:
        time.sleep(interval)
        value = predicate()
    return value


class RunningCameraTest(unittest.TestCase):
    """One instance with the generated clip ("cam") and a camera whose file does not exist
    ("gone"), shared by the tests that only read from it."""

    @classmethod
    def setUpClass(cls):
        config = harness.base_config(cameras={
            "cam": clip_camera(),
            "gone": clip_camera(path="/nonexistent/corvette-test/missing.mp4"),
        })
        cls.corvette = harness.Corvette(config)
        cls.started = time.monotonic()
        try:
            cls.corvette.start()
        except Exception:
            cls.corvette.close()
            raise

    @classmethod
    def tearDownClass(cls):
        cls.corvette.close()

    def run(self, result=None):
        problems_before = len(result.failures) + len(result.errors) if result else 0
        outcome = super().run(result)
        if result is not None and len(result.failures) + len(result.errors) > problems_before:
            print(f"\n----- corvette log -----\n{self.corvette.log()}----- end of log -----")
        return outcome

    def stats(self):
        return self.corvette.get_json("/api/stats")

    def test_camera_fps_is_near_the_configured_fps(self):
        # The 10-s window fills up; after 8 s the rate must be FPS +- 1.
        time.sleep(max(0.0, self.started + 8.0 - time.monotonic()))
        fps = wait_for(lambda: abs(self.stats()["cam"]["camera_fps"] - FPS) <= 1.0, timeout=10)
        stats = self.stats()["cam"]
        self.assertTrue(fps, f"camera_fps {stats['camera_fps']} not within 1 of {FPS}: {stats}")
        self.assertGreater(stats["process_fps"], 0.0, stats)
        self.assertEqual(stats["detection_fps"], 0.0, stats)
        self.assertGreater(stats["capture_pid"], 0, stats)
        self.assertEqual(stats["pid"], self.corvette.process.pid, stats)

    def test_latest_jpg_decodes_at_the_requested_height(self):
        wait_for(lambda: self.stats()["cam"]["process_fps"] > 0, timeout=10)
        for height, width in ((180, 320), (360, 640), (720, 1280)):
            status, headers, body = self.corvette.get(f"/api/cam/latest.jpg?h={height}")
            self.assertEqual(status, 200, body[:200])
            self.assertEqual(headers.get("content-type"), "image/jpg")  # as 0.8
            self.assertEqual(jpeg_size(body), (width, height))
        status, _, body = self.corvette.get("/api/cam/latest.jpg")
        self.assertEqual(status, 200)
        self.assertEqual(jpeg_size(body), (WIDTH, HEIGHT))

    def test_mjpeg_stream_yields_several_jpeg_parts(self):
        wait_for(lambda: self.stats()["cam"]["process_fps"] > 0, timeout=10)
        head, body = read_stream(self.corvette.port, "/api/cam?fps=5&h=120", 3.0)
        self.assertTrue(head.startswith(b"HTTP/1.1 200"), head)
        self.assertIn(b"multipart/x-mixed-replace", head.lower())
        self.assertIn(b"boundary=frame", head)
        parts = body.split(b"--frame")
        # The first split piece is what precedes the first boundary; the last may be cut off.
        complete = [p for p in parts[1:-1]]
        self.assertGreaterEqual(len(complete), 5, f"{len(parts) - 1} boundaries in 3 s")
        for part in complete:
            headers, _, jpeg = part.partition(b"\r\n\r\n")
            self.assertIn(b"image/jpeg", headers.lower())
            jpeg = jpeg.rstrip(b"\r\n")
            self.assertTrue(jpeg.endswith(b"\xff\xd9"), "part is not a whole JPEG")
            width, height = jpeg_size(jpeg)
            self.assertEqual(height, 120)
            # 0.8 gives int(120 * 640 / 360) = 213; corvette rounds to an even width (I420).
            self.assertLessEqual(abs(width - WIDTH * 120 / HEIGHT), 1.0, width)

    def test_bad_parameters_get_400_naming_the_parameter(self):
        cases = [
            ("/api/cam/latest.jpg?h=abc", "h"),
            ("/api/cam/latest.jpg?h=0", "h"),
            ("/api/cam/latest.jpg?h=-1", "h"),
            (f"/api/cam/latest.jpg?h={4 * HEIGHT + 1}", "h"),
            ("/api/cam?h=abc", "h"),
            ("/api/cam?h=0", "h"),
            ("/api/cam?h=-1", "h"),
            (f"/api/cam?h={4 * HEIGHT + 1}", "h"),
            ("/api/cam?fps=0", "fps"),
            ("/api/cam?fps=31", "fps"),
            ("/api/cam?fps=abc", "fps"),
            ("/api/cam?fps=-2", "fps"),
        ]
        for path, parameter in cases:
            with self.subTest(path=path):
                status, _, body = self.corvette.get(path, timeout=5)
                self.assertEqual(status, 400, body[:200])
                self.assertTrue(body.decode().startswith(parameter + ":"), body)
        # The limits themselves are accepted.
        status, _, body = self.corvette.get(f"/api/cam/latest.jpg?h={4 * HEIGHT}")
        self.assertEqual(status, 200, body[:200])
        self.assertEqual(jpeg_size(body)[1], 4 * HEIGHT)
        head, _ = read_stream(self.corvette.port, "/api/cam?fps=30&h=60", 0.5)
        self.assertTrue(head.startswith(b"HTTP/1.1 200"), head)

    def test_unknown_camera_gets_404(self):
        for path in ("/api/nope", "/api/nope/latest.jpg", "/api/nope?fps=5"):
            with self.subTest(path=path):
                status, _, body = self.corvette.get(path)
                self.assertEqual(status, 404)
                self.assertIn(b"Camera named nope not found", body)

    def test_a_camera_whose_stream_does_not_exist_stops_neither_the_other_nor_the_api(self):
        time.sleep(max(0.0, self.started + 6.0 - time.monotonic()))
        stats = self.stats()
        self.assertEqual(stats["gone"]["camera_fps"], 0.0, stats["gone"])
        self.assertGreater(stats["cam"]["camera_fps"], 0.0, stats["cam"])
        self.assertEqual(self.corvette.process.poll(), None)
        # Its live image is the black frame before the first one, at its geometry.
        status, _, body = self.corvette.get("/api/gone/latest.jpg?h=90")
        self.assertEqual(status, 200)
        self.assertEqual(jpeg_size(body), (160, 90))
        self.assertEqual(self.corvette.get("/api/")[0], 200)


class CaptureRestartTest(harness.CorvetteTestCase):
    def test_a_killed_ffmpeg_is_restarted_and_frames_flow_again(self):
        corvette = self.start_corvette(harness.base_config(cameras={"cam": clip_camera()}))

        def capture_pid():
            return corvette.get_json("/api/stats")["cam"]["capture_pid"]

        first = wait_for(capture_pid, timeout=10)
        self.assertGreater(first, 0)
        self.assertTrue(wait_for(lambda: corvette.get_json("/api/stats")["cam"]["camera_fps"] > 0,
                                 timeout=10))
        os.kill(first, signal.SIGKILL)
        second = wait_for(lambda: (lambda p: p if p not in (0, first) else 0)(capture_pid()),
                          timeout=15)
        self.assertTrue(second, f"no new capture_pid after killing {first}")
        self.assertNotEqual(second, first)
        # Frames flow again: the live image changes (testsrc2 changes every frame), after the
        # restart.
        def latest():
            return corvette.get("/api/cam/latest.jpg?h=90")[2]

        after_restart = latest()
        self.assertTrue(wait_for(lambda: latest() != after_restart, timeout=10),
                        "the live image did not change after the restart")
        self.assertEqual(capture_pid(), second)
        self.assertEqual(corvette.process.poll(), None)


if __name__ == "__main__":
    unittest.main()
