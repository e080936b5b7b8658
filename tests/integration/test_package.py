"""The Debian package (issue 19), installed into this machine as root (as CI runs): `make
package`'s .deb installs with dpkg, the installed binary checks the packaged config, runs as the
package's own user from the installed paths (model, web page and ONNX Runtime found beside
/usr/bin) with that config plus a vtest camera, the systemd unit verifies, lintian finds no error,
and removal keeps the data while a purge removes it and the user."""

import glob
import json
import os
import pwd
import shutil
import subprocess
import tempfile
import time
import unittest
import urllib.request

import corvette_harness

DEB_GLOB = "corvette_*.deb"


def run(*args, check=True, **kwargs):
    return subprocess.run(list(args), capture_output=True, text=True, check=check, **kwargs)


@unittest.skipUnless(os.geteuid() == 0, "installs a package: needs root (CI runs as root)")
class PackageTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        build = corvette_harness.BINARY_DIR
        built = run("cmake", "--build", build, "--target", "package", check=False)
        if built.returncode != 0:
            raise AssertionError(f"make package failed:\n{built.stdout}\n{built.stderr}")
        debs = sorted(glob.glob(os.path.join(build, DEB_GLOB)), key=os.path.getmtime)
        assert debs, "no .deb in the build folder"
        cls.deb = debs[-1]
        # A package left by an earlier run goes first.
        run("dpkg", "--purge", "corvette", check=False)

    @classmethod
    def tearDownClass(cls):
        run("dpkg", "--purge", "corvette", check=False)

    def test_install_run_verify_remove_purge(self):
        installed = run("dpkg", "-i", self.deb, check=False)
        self.assertEqual(installed.returncode, 0, installed.stdout + installed.stderr)
        self.assertEqual(run("dpkg-query", "-W", "-f=${Status}", "corvette").stdout,
                         "install ok installed")
        version = run("/usr/bin/corvette", "--version").stdout
        self.assertTrue(version.startswith("corvette "), version)
        checked = run("/usr/bin/corvette", "--check-config", "--config",
                      "/etc/corvette/config.yml", check=False)
        self.assertEqual(checked.returncode, 0, checked.stderr)
        user = pwd.getpwnam("corvette")
        self.assertEqual(user.pw_dir, "/var/lib/corvette")
        self.assertEqual(os.stat("/var/lib/corvette").st_uid, user.pw_uid)

        verified = run("systemd-analyze", "verify", "/lib/systemd/system/corvette.service",
                       check=False)
        self.assertEqual(verified.returncode, 0, verified.stdout + verified.stderr)

        # lintian, when the machine has it (scripts/install-deps.sh installs it): no error.
        if shutil.which("lintian"):
            linted = run("lintian", self.deb, check=False)
            errors = [line for line in linted.stdout.splitlines() if line.startswith("E:")]
            self.assertEqual(errors, [], linted.stdout)

        self.run_installed_binary_as_its_user()

        # An upgrade (the same package again) keeps the user's edits of the config and the data.
        with open("/etc/corvette/config.yml", "a") as f:
            f.write("# edited by the user\n")
        reinstalled = run("dpkg", "-i", "--force-confdef", "--force-confold", self.deb,
                          check=False)
        self.assertEqual(reinstalled.returncode, 0, reinstalled.stdout + reinstalled.stderr)
        with open("/etc/corvette/config.yml") as f:
            self.assertIn("# edited by the user", f.read())
        self.assertTrue(os.path.exists("/var/lib/corvette/clips/frigate.db"))

        # Removal keeps the data and the config; a purge removes both and the user.
        open("/var/lib/corvette/kept", "w").close()
        removed = run("dpkg", "-r", "corvette", check=False)
        self.assertEqual(removed.returncode, 0, removed.stderr)
        self.assertFalse(os.path.exists("/usr/bin/corvette"))
        self.assertFalse(os.path.exists("/usr/share/corvette"))
        self.assertTrue(os.path.exists("/var/lib/corvette/kept"))
        self.assertTrue(os.path.exists("/etc/corvette/config.yml"))
        purged = run("dpkg", "--purge", "corvette", check=False)
        self.assertEqual(purged.returncode, 0, purged.stderr)
        for path in ("/var/lib/corvette", "/var/cache/corvette", "/etc/corvette",
                     "/lib/systemd/system/corvette.service", "/usr/lib/corvette"):
            self.assertFalse(os.path.exists(path), f"{path} is left after a purge")
        with self.assertRaises(KeyError):
            pwd.getpwnam("corvette")

    def run_installed_binary_as_its_user(self):
        """The packaged config plus a vtest camera, run by the corvette user with the service's
        folders: /api/stats answers, the page and the model come from the installed paths."""
        port = corvette_harness.free_port()
        workdir = tempfile.mkdtemp(prefix="corvette-package-")
        os.chmod(workdir, 0o755)
        try:
            with open("/etc/corvette/config.yml") as f:
                packaged = f.read()
            camera = corvette_harness.demo_camera()
            config_path = os.path.join(workdir, "config.yml")
            with open(config_path, "w") as f:
                # The packaged file, with its `cameras: {}` replaced and the port moved.
                f.write(packaged.replace("cameras: {}", "cameras:\n  demo: " + json.dumps(camera)))
                f.write(f"\nserver:\n  host: 127.0.0.1\n  port: {port}\n")
            os.chmod(config_path, 0o644)
            log_path = os.path.join(workdir, "corvette.log")
            with open(log_path, "w") as log:
                process = subprocess.Popen(
                    ["runuser", "-u", "corvette", "--", "/usr/bin/corvette", "--config",
                     config_path], stdout=log, stderr=subprocess.STDOUT, cwd="/")
            try:
                stats = None
                deadline = time.monotonic() + corvette_harness.scaled(60)
                while time.monotonic() < deadline and process.poll() is None:
                    try:
                        with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/stats",
                                                    timeout=2) as answer:
                            stats = json.load(answer)
                        if stats.get("demo", {}).get("camera_fps", 0) > 0:
                            break
                    except OSError:
                        pass
                    time.sleep(0.5)
                with open(log_path) as f:
                    log_text = f.read()
                self.assertIsNotNone(stats, f"/api/stats never answered:\n{log_text}")
                self.assertGreater(stats["demo"]["camera_fps"], 0, log_text)
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as answer:
                    self.assertIn(b"<!doctype html>", answer.read().lower())
                self.assertIn("/usr/share/corvette/web", log_text)
                self.assertIn("/usr/share/corvette/model/nanodet-320.onnx", log_text)
                self.assertIn("onnxruntime", log_text)
                self.assertTrue(os.path.exists("/var/lib/corvette/clips/frigate.db"))
            finally:
                process.terminate()
                process.wait(timeout=30)
        finally:
            shutil.rmtree(workdir, ignore_errors=True)
