"""The rtmp role: corvette's RTMP restream server (nginx + RTMP module) with the real binary."""

import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import unittest

import corvette_harness as h

CAMERA = "cam"


def probe(url, timeout=20):
    """'h264,768,576' when the stream at `url` plays, else what ffprobe printed."""
    try:
        result = subprocess.run(
            ["ffprobe", "-v", "error", "-rw_timeout", "5000000", "-select_streams", "v:0",
             "-show_entries", "stream=codec_name,width,height", "-of", "csv=p=0", url],
            capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return ""
    return result.stdout.strip()


def wait_until(condition, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return condition()


@unittest.skipUnless(shutil.which("nginx") or os.path.exists("/usr/sbin/nginx"),
                     "nginx is not installed")
class RtmpRestreamTest(h.CorvetteTestCase):
    @classmethod
    def setUpClass(cls):
        cls.folder = tempfile.mkdtemp(prefix="corvette-rtmp-")
        # A camera's H.264 stream: a few seconds of vtest.avi, looped by the camera in real time.
        cls.source = os.path.join(cls.folder, "camera.mp4")
        h.make_h264_clip(cls.source)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.folder, ignore_errors=True)

    def config(self, rtmp_port):
        return h.base_config(
            cameras={CAMERA: h.demo_camera(path=self.source, roles=("detect", "rtmp"))},
            rtmp={"port": rtmp_port})

    def camera_stats(self, corvette):
        return corvette.get_json("/api/stats")[CAMERA]

    def test_restream_plays_survives_a_server_kill_and_detection_keeps_running(self):
        rtmp_port = h.free_port()
        corvette = self.start_corvette(self.config(rtmp_port))
        url = f"rtmp://127.0.0.1:{rtmp_port}/live/{CAMERA}"

        camera = corvette.get_json("/api/config")["cameras"][CAMERA]
        self.assertTrue(camera["rtmp"]["enabled"])
        cmd = camera["ffmpeg_cmds"][0]["cmd"]
        self.assertIn(f"rtmp://127.0.0.1:{rtmp_port}/live/{CAMERA}", cmd)
        self.assertIn("-c copy", cmd)

        self.assertTrue(wait_until(lambda: probe(url) == "h264,768,576", 40), probe(url))
        self.assertTrue(wait_until(lambda: self.camera_stats(corvette)["camera_fps"] > 0, 30))
        capture_pid = self.camera_stats(corvette)["capture_pid"]
        self.assertGreater(capture_pid, 0)

        # Kill the server (its master); corvette starts it again and the restream comes back.
        pid_file = os.path.join(corvette.config["storage"]["cache"], "rtmp", "nginx.pid")
        with open(pid_file) as f:
            nginx_pid = int(f.read().strip())
        os.kill(nginx_pid, signal.SIGKILL)

        def restarted():
            try:
                with open(pid_file) as f:
                    return int(f.read().strip()) != nginx_pid
            except (OSError, ValueError):
                return False
        self.assertTrue(wait_until(restarted, 30), corvette.log())
        self.assertTrue(wait_until(lambda: probe(url) == "h264,768,576", 40), probe(url))

        # Detection never stopped: the same capture ffmpeg, still delivering frames.
        stats = self.camera_stats(corvette)
        self.assertEqual(stats["capture_pid"], capture_pid)
        self.assertGreater(stats["camera_fps"], 0)
        self.assertIn("exited unexpectedly", corvette.log())

    def test_taken_port_disables_only_the_restream(self):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as taken:
            taken.bind(("0.0.0.0", 0))
            taken.listen(1)
            rtmp_port = taken.getsockname()[1]
            corvette = self.start_corvette(self.config(rtmp_port))

            self.assertTrue(wait_until(lambda: self.camera_stats(corvette)["camera_fps"] > 0, 30),
                            corvette.log())
            log = corvette.log()
            self.assertIn(f"RTMP restream disabled: port {rtmp_port} is in use", log)
            self.assertEqual(log.count("RTMP restream disabled"), 1)
            camera = corvette.get_json("/api/config")["cameras"][CAMERA]
            self.assertTrue(camera["rtmp"]["enabled"])  # as configured, as 0.8
            self.assertNotIn("rtmp://", camera["ffmpeg_cmds"][0]["cmd"])


if __name__ == "__main__":
    unittest.main()
