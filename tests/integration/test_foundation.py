"""The foundation (issue 2) against the real binary: the four endpoints, 404/405, bad configs,
--check-config, --version, the port-in-use error and shutdown on SIGTERM/SIGINT."""

import json
import os
import re
import signal
import socket
import time
import unittest

import corvette_harness as harness
from corvette_harness import CorvetteTestCase

# 0.8's six figures, and corvette's `roles` (which ffmpeg outputs work).
CAMERA_KEYS = {"camera_fps", "process_fps", "skipped_fps", "detection_fps", "pid", "capture_pid",
               "roles"}
STORAGE_KEYS = {"total", "used", "free", "mount_type", "mnt_type"}


def secret_camera():
    return harness.demo_camera(path="rtsp://viewer:s3cr3t-pw@127.0.0.1:9/stream")


class RunningServerTest(CorvetteTestCase):
    """Endpoints of one running instance with two cameras and an MQTT password."""

    def setUp(self):
        config = harness.base_config(
            cameras={"demo": harness.demo_camera(), "door": secret_camera()},
            mqtt={"host": "127.0.0.1", "user": "mqttuser", "password": "mqtt-s3cr3t"})
        self.corvette = self.start_corvette(config)

    def test_health_text_and_api_headers(self):
        status, headers, body = self.corvette.get("/api/")
        self.assertEqual(status, 200)
        self.assertEqual(body, b"Frigate is running. Alive and healthy!")
        self.assertEqual(headers.get("access-control-allow-origin"), "*")
        self.assertEqual(headers.get("cache-control"), "no-store")

    def test_version_is_the_binarys_version(self):
        status, _, body = self.corvette.get("/api/version")
        self.assertEqual(status, 200)
        version = body.decode()
        self.assertRegex(version, r"^\d+\.\d+\.\d+-[0-9a-z]+$")
        printed = harness.run_binary(["--version"])
        self.assertEqual(printed.returncode, 0)
        self.assertIn(version, printed.stdout)

    def test_config_has_the_0_8_shape_and_hides_passwords(self):
        status, headers, body = self.corvette.get("/api/config")
        self.assertEqual(status, 200)
        self.assertIn("application/json", headers.get("content-type", ""))
        config = json.loads(body)
        for key in ("database", "model", "detectors", "mqtt", "clips", "snapshots", "cameras",
                    "logger", "environment_vars"):
            self.assertIn(key, config)
        self.assertEqual(set(config["cameras"]), {"demo", "door"})
        door = config["cameras"]["door"]
        for key in ("name", "height", "width", "fps", "zones", "clips", "record", "rtmp",
                    "snapshots", "mqtt", "objects", "motion", "detect", "frame_shape",
                    "ffmpeg_cmds"):
            self.assertIn(key, door)
        self.assertEqual(door["frame_shape"], [576, 768])
        commands = " ".join(c["cmd"] for c in door["ffmpeg_cmds"])
        self.assertIn("rtsp://viewer:*****@127.0.0.1:9/stream", commands)
        self.assertNotIn(b"s3cr3t", body)
        self.assertNotIn("password", config["mqtt"])
        self.assertEqual(config["mqtt"]["user"], "mqttuser")

    def test_stats_has_exactly_cameras_and_the_reserved_keys(self):
        stats = self.corvette.get_json("/api/stats")
        self.assertEqual(set(stats), {"demo", "door", "detectors", "detection_fps", "service"})
        for camera in ("demo", "door"):
            self.assertEqual(set(stats[camera]), CAMERA_KEYS)
        self.assertIsInstance(stats["detection_fps"], (int, float))
        for name, detector in stats["detectors"].items():
            self.assertEqual(set(detector), {"inference_speed", "detection_start", "pid"}, name)
        service = stats["service"]
        self.assertEqual(set(service), {"uptime", "version", "storage"})
        self.assertIsInstance(service["uptime"], int)
        self.assertEqual(service["version"], self.corvette.get("/api/version")[2].decode())
        storage_config = self.corvette.config["storage"]
        self.assertEqual(set(service["storage"]),
                         {storage_config["clips"], storage_config["recordings"],
                          storage_config["cache"], "/dev/shm"})
        for path, entry in service["storage"].items():
            self.assertEqual(set(entry), STORAGE_KEYS, path)
            self.assertGreater(entry["total"], 0, path)
            self.assertEqual(entry["mount_type"], entry["mnt_type"], path)
            self.assertNotEqual(entry["mount_type"], "", path)
        self.assertEqual(service["storage"]["/dev/shm"]["mount_type"], "tmpfs")

    def test_uptime_increases(self):
        first = self.corvette.get_json("/api/stats")["service"]["uptime"]
        time.sleep(2.1)
        second = self.corvette.get_json("/api/stats")["service"]["uptime"]
        self.assertGreater(second, first)

    def test_storage_folders_are_created(self):
        for key in ("clips", "recordings", "cache"):
            self.assertTrue(os.path.isdir(self.corvette.config["storage"][key]), key)

    def test_unknown_path_is_404(self):
        for path in ("/nothing", "/api/demo/latest.png", "/api/a/b/c/d"):
            status, _, body = self.corvette.get(path)
            self.assertEqual(status, 404, path)

    def test_other_methods_are_405(self):
        for method in ("POST", "PUT", "DELETE"):
            status, headers, _ = self.corvette.request(method, "/api/stats", body=b"{}")
            self.assertEqual(status, 405, method)
            self.assertIn("GET", headers.get("allow", ""))

    def test_head_answers_without_body(self):
        status, headers, body = self.corvette.request("HEAD", "/api/version")
        self.assertEqual(status, 200)
        self.assertEqual(body, b"")
        self.assertGreater(int(headers["content-length"]), 0)

    def test_malformed_request_does_not_hurt_the_server(self):
        with socket.create_connection(("127.0.0.1", self.corvette.port), timeout=10) as sock:
            sock.sendall(b"\x00\x01garbage\r\n\r\n")
            reply = sock.recv(1024)
            self.assertTrue(reply.startswith(b"HTTP/1.1 400"), reply)
        status, _, _ = self.corvette.get("/api/")
        self.assertEqual(status, 200)


class BadConfigTest(CorvetteTestCase):

    BAD_CONFIG = """
bogus_top_level_key: 1
mqtt:
  host: 127.0.0.1
  port: not-a-number
cameras:
  back:
    ffmpeg:
      inputs:
        - path: rtsp://127.0.0.1/back
          roles:
            - detct
    width: 1280
    height: 720
"""

    def check_errors(self, result):
        self.assertEqual(result.returncode, 1, result.stderr)
        self.assertIn("Error parsing config", result.stderr)
        for key_path in ("bogus_top_level_key", "mqtt.port",
                         "cameras.back.ffmpeg.inputs[0].roles[0]"):
            self.assertIn(key_path, result.stderr)
        self.assertIn("detct", result.stderr)

    def test_bad_config_exits_1_listing_every_error_and_starts_nothing(self):
        corvette = self.make_corvette(self.BAD_CONFIG)
        corvette.start(wait=False)
        corvette.process.wait(timeout=30)
        self.assertEqual(corvette.process.returncode, 1, corvette.log())
        log = corvette.log()
        self.assertIn("Error parsing config", log)
        for key_path in ("bogus_top_level_key", "mqtt.port",
                         "cameras.back.ffmpeg.inputs[0].roles[0]"):
            self.assertIn(key_path, log)
        self.assertFalse(os.path.exists(os.path.join(corvette.workdir, "media")))

    def test_check_config_reports_every_error(self):
        corvette = self.make_corvette(self.BAD_CONFIG)
        self.check_errors(harness.run_binary(["--check-config", "--config",
                                              corvette.config_path]))

    def test_check_config_accepts_a_good_file_and_starts_nothing(self):
        corvette = self.make_corvette(harness.base_config())
        result = harness.run_binary(["--check-config", "--config", corvette.config_path])
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertFalse(os.path.exists(os.path.join(corvette.workdir, "media")))

    def test_demo_config_is_valid(self):
        demo = os.path.join(harness.SOURCE_DIR, "config", "demo.yml")
        result = harness.run_binary(["--check-config", "--config", demo])
        self.assertEqual(result.returncode, 0, result.stderr)

    def test_yaml_syntax_error_names_the_line(self):
        corvette = self.make_corvette("cameras:\n  demo: [unclosed\n  other: 1\n")
        result = harness.run_binary(["--check-config", "--config", corvette.config_path])
        self.assertEqual(result.returncode, 1)
        self.assertIn("Error parsing config", result.stderr)
        self.assertRegex(result.stderr, r"line \d+")

    def test_duplicate_key_is_a_warning_not_an_error(self):
        # PyYAML, and so Frigate 0.8, accepts this file.
        corvette = self.make_corvette(
            "cameras:\n"
            "  demo:\n"
            "    ffmpeg:\n"
            "      inputs:\n"
            "        - path: /dev/null\n"
            "          roles: [detect]\n"
            "    width: 640\n"
            "    height: 480\n"
            "    width: 768\n")
        result = harness.run_binary(["--check-config", "--config", corvette.config_path])
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertIn("warning: cameras.demo.width: duplicate key on line 9 (first on line 7)",
                      result.stderr)

    def test_model_size_the_model_is_not_built_for_is_a_config_error(self):
        corvette = self.make_corvette(harness.base_config(model={"width": 300, "height": 300}))
        result = harness.run_binary(["--check-config", "--config", corvette.config_path])
        self.assertEqual(result.returncode, 1, result.stderr)
        self.assertIn("Error parsing config", result.stderr)
        self.assertRegex(result.stderr, r"model\.width: 300 is not a size the built-in model is "
                                        r"converted for \(expected [^)]*320")
        self.assertIn("model.height: 300", result.stderr)

    def test_missing_config_file_exits_1(self):
        result = harness.run_binary(["--config", "/nonexistent/config.yml"])
        self.assertEqual(result.returncode, 1)
        self.assertIn("Error parsing config", result.stderr)

    def test_config_file_env_var_is_the_default(self):
        corvette = self.make_corvette(self.BAD_CONFIG)
        env = dict(os.environ, CONFIG_FILE=corvette.config_path)
        self.check_errors(harness.run_binary(["--check-config"], env=env))


class LifecycleTest(CorvetteTestCase):

    def test_sigterm_stops_within_5_seconds_with_status_0(self):
        corvette = self.start_corvette(harness.base_config())
        # An open keep-alive connection and a half-sent request must not hold up the shutdown.
        idle = socket.create_connection(("127.0.0.1", corvette.port))
        idle.sendall(b"GET /api/ HTTP/1.1\r\nHo")
        self.addCleanup(idle.close)
        code, _ = corvette.stop(signal.SIGTERM)
        self.assertEqual(code, 0, corvette.log())

    def test_sigint_stops_within_5_seconds_with_status_0(self):
        corvette = self.start_corvette(harness.base_config())
        code, _ = corvette.stop(signal.SIGINT)
        self.assertEqual(code, 0, corvette.log())

    def test_port_in_use_is_reported_with_a_non_zero_exit(self):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as blocker:
            blocker.bind(("127.0.0.1", 0))
            blocker.listen(1)
            port = blocker.getsockname()[1]
            corvette = self.make_corvette(harness.base_config(), port=port)
            corvette.start(wait=False)
            corvette.process.wait(timeout=30)
            self.assertNotEqual(corvette.process.returncode, 0)
            self.assertIn("in use", corvette.log())

    def test_unwritable_storage_folder_is_reported(self):
        config = harness.base_config(storage={"clips": "/proc/corvette-clips",
                                              "recordings": "/proc/corvette-recordings",
                                              "cache": "/proc/corvette-cache"})
        corvette = self.make_corvette(config)
        corvette.start(wait=False)
        corvette.process.wait(timeout=30)
        self.assertNotEqual(corvette.process.returncode, 0)
        self.assertIn("/proc/corvette-clips", corvette.log())


if __name__ == "__main__":
    unittest.main()
