"""A corvette killed with SIGKILL leaves none of its child processes running: every ffmpeg and the
RTMP server's nginx master get SIGKILL from the kernel when corvette dies (PR_SET_PDEATHSIG).
nginx's own worker is not corvette's child; the next start stops it (rtmp_server_test.cc)."""

import os
import shutil
import signal
import tempfile
import time
import unittest

import corvette_harness as h


def children_of(pid):
    """Pids whose parent is `pid` (from /proc)."""
    children = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            children.append(int(entry))
    return children


def command_of(pid):
    """The process's name (/proc/<pid>/comm: nginx rewrites its command line)."""
    try:
        with open(f"/proc/{pid}/comm") as comm:
            return comm.read().strip()
    except OSError:
        return ""


def alive(pid):
    """True while `pid` exists and is not a zombie."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def wait_until(condition, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return condition()


class ParentDeathTest(h.CorvetteTestCase):
    @classmethod
    def setUpClass(cls):
        cls.folder = tempfile.mkdtemp(prefix="corvette-parent-death-")
        cls.source = os.path.join(cls.folder, "camera.mp4")
        h.make_h264_clip(cls.source)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.folder, ignore_errors=True)

    @staticmethod
    def kill_group(pgid):
        try:
            os.killpg(pgid, signal.SIGKILL)
        except OSError:
            pass

    def test_children_die_with_a_killed_corvette(self):
        has_nginx = bool(shutil.which("nginx") or os.path.exists("/usr/sbin/nginx"))
        roles = ("detect", "rtmp") if has_nginx else ("detect",)
        cameras = {
            # Two ffmpeg children: one input with detect (+ rtmp), one with record.
            "cam": {
                "ffmpeg": {"inputs": [
                    {"path": self.source, "input_args": "-re -stream_loop -1",
                     "roles": list(roles)},
                    {"path": self.source, "input_args": "-re -stream_loop -1",
                     "roles": ["record"]},
                ]},
                "width": 768, "height": 576, "fps": 5,
                "detect": {"enabled": False},
                "record": {"enabled": True},
            },
        }
        config = h.base_config(cameras=cameras)
        if has_nginx:
            config["rtmp"] = {"port": h.free_port()}
        corvette = self.start_corvette(config)
        pid = corvette.process.pid
        expected = 3 if has_nginx else 2  # ffmpeg detect, ffmpeg record, nginx master
        self.assertTrue(wait_until(lambda: len(children_of(pid)) >= expected, 20),
                        f"children: {[(c, command_of(c)) for c in children_of(pid)]}")
        children = children_of(pid)
        commands = sorted(command_of(c) for c in children)
        self.assertEqual(commands.count("ffmpeg"), 2, commands)
        if has_nginx:
            self.assertIn("nginx", commands)
        capture_pid = corvette.get_json("/api/stats")["cam"]["capture_pid"]
        self.assertIn(capture_pid, children)
        # nginx's worker is the master's child, not corvette's: it outlives the master until the
        # next start of corvette stops it (tests/video/rtmp_server_test.cc); this test stops it.
        for child in children:
            if command_of(child) == "nginx":
                self.addCleanup(self.kill_group, child)

        corvette.process.send_signal(signal.SIGKILL)
        corvette.process.wait(timeout=10)
        survivors = lambda: [c for c in children if alive(c)]
        self.assertTrue(wait_until(lambda: not survivors(), 5),
                        f"still running after corvette was killed: "
                        f"{[(c, command_of(c)) for c in survivors()]}")


if __name__ == "__main__":
    unittest.main()
