"""24/7 recordings through the real binary (issue 6, spec 8.5 and 9.3): the record role's segments
become recordings/YYYY-MM/DD/HH/<camera>/MM.SS.mp4 files that play, /recordings/ lists the tree as
JSON down to the file, which downloads whole and by Range; retention by retain_days (the camera's,
or the global one for a removed camera) removes backdated recordings and empty folders at start
and at the periodic maintenance, and keeps fresh ones.

The record segments are shortened to 5 s with ffmpeg.output_args.record (a normal config key),
so a recording appears within seconds instead of after 60 s. The test takes about 70 s: the
retention walk through the tree runs at start and then once a minute."""

import json
import os
import re
import shutil
import subprocess
import time
import unittest

import corvette_harness

RECORD_ARGS = ("-f segment -segment_time 5 -segment_format mp4 -reset_timestamps 1 -strftime 1 "
               "-c copy -an")
DAY = 86400


def tree_path(root, camera, epoch):
    """recordings/YYYY-MM/DD/HH/<camera>/MM.SS.mp4 of a recording starting at `epoch` (local)."""
    t = time.localtime(epoch)
    return os.path.join(root, f"{t.tm_year:04}-{t.tm_mon:02}", f"{t.tm_mday:02}",
                        f"{t.tm_hour:02}", camera, f"{t.tm_min:02}.{t.tm_sec:02}.mp4")


def ffprobe_duration(path):
    out = subprocess.run(["ffprobe", "-v", "error", "-show_entries", "format=duration", "-of",
                          "csv=p=0", path], capture_output=True, text=True)
    try:
        return float(out.stdout.strip())
    except ValueError:
        return None


class RecordingsTest(corvette_harness.H264CameraTestCase):

    def plant(self, path, epoch):
        """A recording file (a real mp4) at `path` whose mtime is its end, as ffmpeg leaves it."""
        os.makedirs(os.path.dirname(path), exist_ok=True)
        shutil.copyfile(self.video, path)
        os.utime(path, (epoch + 5, epoch + 5))
        return path

    def test_tree_listing_download_and_retention(self):
        camera = corvette_harness.demo_camera(path=self.video, roles=("detect", "record"))
        camera["detect"] = {"enabled": False}
        camera["record"] = {"enabled": True, "retain_days": 2}
        camera["ffmpeg"]["output_args"] = {"record": RECORD_ARGS}
        # `gone` is not configured any more: its recordings follow the global retain_days.
        config = corvette_harness.base_config({"cam": camera}, record={"retain_days": 3})
        corvette = self.make_corvette(config)
        root = corvette.config["storage"]["recordings"]
        now = time.time()

        # Left from earlier runs, planted before the start.
        expired = [
            self.plant(tree_path(root, "cam", now - 10 * DAY), now - 10 * DAY),
            self.plant(tree_path(root, "cam", now - 2.5 * DAY), now - 2.5 * DAY),  # > 2 days
            self.plant(tree_path(root, "gone", now - 10 * DAY), now - 10 * DAY),
        ]
        kept = [
            self.plant(tree_path(root, "cam", now - 3600), now - 3600),
            self.plant(tree_path(root, "gone", now - 2.5 * DAY), now - 2.5 * DAY),  # < 3 days
        ]
        empty_folder = os.path.join(root, "2020-01", "01", "00")
        os.makedirs(empty_folder)

        corvette.start()
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and any(os.path.exists(p) for p in expired):
            time.sleep(0.5)
        for path in expired:
            self.assertFalse(os.path.exists(path), f"{path} was not expired at start")
        for path in kept:
            self.assertTrue(os.path.exists(path), f"{path} was expired")
        self.assertFalse(os.path.exists(os.path.join(root, "2020-01")), "empty folders stay")
        # The folders of the expired recordings went with them.
        self.assertFalse(os.path.exists(os.path.dirname(expired[0])))

        # Backdated while running: removed by the periodic maintenance (once a minute).
        late = self.plant(tree_path(root, "cam", now - 9 * DAY), now - 9 * DAY)
        planted = set(kept) | {late}

        # The record role's segments arrive in the tree.
        pattern = re.compile(r"^(\d{4})-(\d{2})/(\d{2})/(\d{2})/cam/(\d{2})\.(\d{2})(\.\d+)?\.mp4$")
        recordings = []
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not recordings:
            time.sleep(1)
            recordings = sorted(
                os.path.relpath(os.path.join(folder, name), root)
                for folder, _, names in os.walk(root) for name in names
                if folder != root and os.path.join(folder, name) not in planted)
        self.assertTrue(recordings, f"no recording in {root}: {os.listdir(root)}")
        for relative in recordings:
            match = pattern.match(relative)
            self.assertIsNotNone(match, relative)
            year, month, day, hour, minute, second = (int(g) for g in match.groups()[:6])
            start = time.mktime((year, month, day, hour, minute, second, 0, 0, -1))
            self.assertLess(abs(start - now), 300, relative)
            duration = ffprobe_duration(os.path.join(root, relative))
            self.assertIsNotNone(duration, f"{relative} does not open")
            self.assertGreater(duration, 1.0, relative)
            self.assertLess(duration, 30.0, relative)

        # /recordings/ lists the tree as JSON, drilling down to the file.
        relative = recordings[0]
        parts = relative.split("/")
        url = "/recordings/"
        for depth, part in enumerate(parts):
            status, headers, body = corvette.get(url)
            self.assertEqual(status, 200, url)
            self.assertIn("json", headers.get("content-type", ""), url)
            listing = json.loads(body)
            names = [entry["name"] for entry in listing]
            self.assertEqual(names, sorted(names), url)
            entry = next((e for e in listing if e["name"] == part), None)
            self.assertIsNotNone(entry, f"{part} not in {url}: {listing}")
            self.assertRegex(entry["mtime"], r"^\w{3}, \d{2} \w{3} \d{4} \d{2}:\d{2}:\d{2} GMT$")
            if depth < len(parts) - 1:
                self.assertEqual(entry["type"], "directory")
                self.assertNotIn("size", entry)
                status, headers, _ = corvette.get(url + part)  # no trailing slash
                self.assertEqual(status, 301, url + part)
                self.assertEqual(headers.get("location"), url + part + "/")
                url += part + "/"
            else:
                self.assertEqual(entry["type"], "file")
                self.assertEqual(entry["size"], os.path.getsize(os.path.join(root, relative)))
                url += part
        root_listing = {e["name"] for e in corvette.get_json("/recordings/")}
        self.assertNotIn("2020-01", root_listing)

        # The file downloads whole and by Range.
        with open(os.path.join(root, relative), "rb") as f:
            data = f.read()
        status, headers, body = corvette.get(url, timeout=30)
        self.assertEqual(status, 200)
        self.assertEqual(headers.get("content-type"), "video/mp4")
        self.assertEqual(body, data)
        status, headers, part = corvette.request("GET", url, headers={"Range": "bytes=10-1033"})
        self.assertEqual(status, 206)
        self.assertEqual(part, data[10:1034])
        self.assertEqual(headers.get("content-range"), f"bytes 10-1033/{len(data)}")

        deadline = time.monotonic() + 90
        while time.monotonic() < deadline and os.path.exists(late):
            time.sleep(1)
        self.assertFalse(os.path.exists(late), "not expired by the periodic maintenance")
        for path in kept:
            self.assertTrue(os.path.exists(path), f"{path} was expired")


if __name__ == "__main__":
    unittest.main()


class RecordingsIndexAndExportTest(corvette_harness.H264CameraTestCase):
    """The recordings index (spans, gaps, events of a range) and the export of a range as one mp4
    (issue 16), through the real binary with 5-s record segments and detection on."""

    def index(self, corvette, after, before):
        return corvette.get_json(f"/api/cam/recordings?after={after}&before={before}")

    def test_index_and_export(self):
        camera = corvette_harness.demo_camera(path=self.video, roles=("detect", "record"))
        camera["record"] = {"enabled": True, "retain_days": 2}
        camera["ffmpeg"]["output_args"] = {"record": RECORD_ARGS}
        corvette = self.make_corvette(corvette_harness.base_config({"cam": camera}))
        root = corvette.config["storage"]["recordings"]
        # Recorded an hour ago by an earlier corvette (no index row): indexed at the start.
        planted_start = time.time() - 3600
        planted = tree_path(root, "cam", planted_start)
        os.makedirs(os.path.dirname(planted), exist_ok=True)
        shutil.copyfile(self.video, planted)
        os.utime(planted, (planted_start + 20, planted_start + 20))
        corvette.start()
        started = time.time()

        # Live segments are indexed as they are moved into the tree.
        deadline = time.monotonic() + corvette_harness.scaled(120)
        live = None
        while time.monotonic() < deadline:
            spans = self.index(corvette, started - 60, time.time())["spans"]
            live = spans[-1] if spans else None
            if live and live["segments"] >= 3:
                break
            time.sleep(2)
        self.assertIsNotNone(live, "no live recording was indexed")
        self.assertGreaterEqual(live["segments"], 3, live)
        self.assertGreater(live["bytes"], 0)

        hour = self.index(corvette, planted_start - 60, time.time())
        self.assertGreaterEqual(len(hour["spans"]), 2, hour["spans"])
        first = hour["spans"][0]
        self.assertAlmostEqual(first["start"], planted_start, delta=1.5)
        self.assertAlmostEqual(first["end"] - first["start"], 20, delta=1.0)
        self.assertEqual(first["segments"], 1)
        # A gap from the planted recording's end to the live ones.
        self.assertTrue(any(abs(g["start"] - first["end"]) < 0.01 for g in hour["gaps"]),
                        hour["gaps"])
        # The people of vtest are events of the same range.
        deadline = time.monotonic() + corvette_harness.scaled(60)
        events = []
        while time.monotonic() < deadline and not events:
            events = self.index(corvette, started - 60, time.time() + 60)["events"]
            time.sleep(2)
        self.assertTrue(events, "no event in the index")
        self.assertEqual(events[0]["camera"], "cam")
        self.assertNotIn("thumbnail", events[0])

        # Export 10 s of the live recordings, across segment boundaries.
        start = live["start"] + 1
        end = start + 10
        status, headers, body = corvette.get(
            f"/api/cam/start/{start:.3f}/end/{end:.3f}/clip.mp4", timeout=60)
        self.assertEqual(status, 200, body[:200])
        self.assertEqual(headers["content-type"], "video/mp4")
        self.assertIn("attachment", headers["content-disposition"])
        path = os.path.join(self.tmp, "export.mp4")
        with open(path, "wb") as f:
            f.write(body)
        duration = ffprobe_duration(path)
        # Cut at keyframes (1 s apart in this footage): up to 1 s more at the start.
        self.assertGreaterEqual(duration, 9.5)
        self.assertLessEqual(duration, 11.5)
        self.assertLess(body.find(b"moov"), body.find(b"mdat"))  # plays from its first byte
        first_frame = subprocess.run(
            ["ffprobe", "-v", "error", "-select_streams", "v", "-show_entries",
             "frame=pts_time,key_frame", "-read_intervals", "%+#1", "-of", "csv=p=0", path],
            capture_output=True, text=True)
        self.assertEqual(first_frame.returncode, 0)
        key_frame, pts = first_frame.stdout.strip().split("\n")[0].split(",")[:2]
        self.assertEqual(key_frame, "1")
        self.assertAlmostEqual(float(pts), 0.0, delta=0.2)
        decode = subprocess.run(["ffmpeg", "-v", "error", "-i", path, "-f", "null", "-"],
                                capture_output=True, text=True)
        self.assertEqual(decode.returncode, 0)
        self.assertEqual(decode.stderr.strip(), "")

        # The planted recording exports too.
        status, _, body = corvette.get(
            f"/api/cam/start/{planted_start + 2:.3f}/end/{planted_start + 8:.3f}/clip.mp4",
            timeout=60)
        self.assertEqual(status, 200)

        # Errors: nothing recorded then, a range too long, an unknown camera.
        status, _, body = corvette.get(
            f"/api/cam/start/{started - 2 * DAY:.0f}/end/{started - 2 * DAY + 60:.0f}/clip.mp4")
        self.assertEqual(status, 404)
        self.assertIn(b"No recordings of cam", body)
        status, _, body = corvette.get(f"/api/cam/start/{start:.0f}/end/{start + 7 * 3600:.0f}/clip.mp4")
        self.assertEqual(status, 400)
        self.assertEqual(corvette.get("/api/nope/recordings")[0], 404)
        # The exports are not listed with the recordings.
        listing = corvette.get_json("/recordings/")
        self.assertNotIn(".exports", [entry["name"] for entry in listing])


class FullDiskTest(corvette_harness.H264CameraTestCase):
    """Recordings on a small file system that is full at the start (a 48 MB tmpfs this test
    mounts, as root): retention deletes the oldest recordings until the free-space floor is met,
    recording resumes, corvette keeps running with its database, and every index row's file exists
    (issue 16)."""

    def setUp(self):
        self.small = os.path.join(self.tmp, f"small-{self.id().rsplit('.', 1)[-1]}")
        os.makedirs(self.small, exist_ok=True)
        mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=48m", "tmpfs", self.small],
                                 capture_output=True, text=True)
        if mounted.returncode != 0:
            self.skipTest(f"cannot mount a tmpfs here (needs root): {mounted.stderr.strip()}")
        self.addCleanup(subprocess.run, ["umount", "-l", self.small], capture_output=True)

    def test_a_full_disk_is_freed_and_recording_resumes(self):
        camera = corvette_harness.demo_camera(path=self.video, roles=("detect", "record"))
        camera["detect"] = {"enabled": False}
        camera["record"] = {"enabled": True, "retain_days": 30}
        camera["ffmpeg"]["output_args"] = {"record": RECORD_ARGS}
        config = corvette_harness.base_config({"cam": camera})
        corvette = self.make_corvette(config)
        root = os.path.join(self.small, "recordings")
        corvette.config["storage"]["recordings"] = root
        with open(corvette.config_path, "w") as f:
            json.dump(corvette.config, f)
        # Five recordings from the last hours, then a file that leaves 0.5 MB free.
        now = time.time()
        planted = []
        for i in range(5):
            start = now - 3 * 3600 + i * 60
            path = tree_path(root, "cam", start)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            shutil.copyfile(self.video, path)
            os.utime(path, (start + 20, start + 20))
            planted.append(path)
        stat = os.statvfs(self.small)
        with open(os.path.join(self.small, "filler"), "wb") as f:
            f.write(b"\0" * (stat.f_bavail * stat.f_frsize - 512 * 1024))
        floor = min(1 << 30, 0.05 * stat.f_blocks * stat.f_frsize)

        corvette.start()
        started = time.time()
        deadline = time.monotonic() + corvette_harness.scaled(120)
        live = []
        while time.monotonic() < deadline:
            index = corvette.get_json(f"/api/cam/recordings?after={started - 5}&before={time.time()}")
            live = index["spans"]
            if live and live[-1]["segments"] >= 2:
                break
            time.sleep(2)
        self.assertTrue(live and live[-1]["segments"] >= 2,
                        f"recording did not resume on the freed disk: {live}")
        # The oldest recordings made room, and the newest planted ones may stay.
        self.assertFalse(os.path.exists(planted[0]))
        stat = os.statvfs(self.small)
        self.assertGreaterEqual(stat.f_bavail * stat.f_frsize, floor * 0.5)
        # Every row's file exists, and every recording in the tree has a row.
        rows = corvette.get_json(f"/api/cam/recordings?after={now - 4 * 3600}&before={time.time()}")
        self.assertGreater(sum(span["segments"] for span in rows["spans"]), 0)
        database = corvette.config["database"]["path"]
        paths = subprocess.run(["sqlite3", database, "SELECT path FROM recording"],
                               capture_output=True, text=True, check=True).stdout.split()
        self.assertTrue(paths)
        for path in paths:
            self.assertTrue(os.path.exists(path), f"a row points at a missing file: {path}")
        self.assertIsNone(corvette.process.poll(), "corvette exited")
        self.assertEqual(corvette.get("/api/events")[0], 200)
        self.assertIn("under the floor", corvette.log())
