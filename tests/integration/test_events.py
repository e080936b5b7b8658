"""Events (issue 5) against the real binary: vtest.avi looped through the demo camera with the real
model; person events appear in /api/events while in progress and when finished, with thumbnails,
snapshots, the walkway zone, the 400/404 answers, and a database that survives kill -9."""

import json
import os
import signal
import sqlite3
import struct
import time
import urllib.parse

import corvette_harness as harness
from corvette_harness import CorvetteTestCase

WALKWAY = "0,250,767,250,767,575,0,575"  # the paved lower part of vtest.avi where people walk


def jpeg_size(data):
    """(width, height) from a JPEG's SOF marker; raises ValueError when it is not a JPEG."""
    if data[:2] != b"\xff\xd8":
        raise ValueError("not a JPEG")
    i = 2
    while i + 9 < len(data):
        if data[i] != 0xFF:
            raise ValueError("bad marker")
        marker = data[i + 1]
        length = struct.unpack(">H", data[i + 2:i + 4])[0]
        if marker in (0xC0, 0xC1, 0xC2):
            height, width = struct.unpack(">HH", data[i + 5:i + 9])
            return width, height
        i += 2 + length
    raise ValueError("no SOF")


class EventsTest(CorvetteTestCase):

    def setUp(self):
        camera = harness.demo_camera(
            zones={"walkway": {"coordinates": WALKWAY}},
            snapshots={"enabled": True},
            objects={"track": ["person"]})
        self.corvette = self.start_corvette(harness.base_config(cameras={"demo": camera}))

    def events(self, query=""):
        status, _, body = self.corvette.get("/api/events" + query)
        self.assertEqual(status, 200, body)
        return json.loads(body)

    def wait_for_event(self, predicate, timeout):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for event in self.events("?limit=1000"):
                if predicate(event):
                    return event
            time.sleep(0.5)
        self.fail(f"no matching event within {timeout} s: {self.events('?include_thumbnails=0')}")

    def test_person_events_from_progress_to_end_and_after_kill_9(self):
        # In progress: listed with a thumbnail as soon as it is a true positive.
        first = self.wait_for_event(lambda e: e["label"] == "person", 60)
        self.assertEqual(set(first), {"camera", "end_time", "false_positive", "has_clip",
                                      "has_snapshot", "id", "in_progress", "label", "start_time",
                                      "thumbnail", "top_score", "zones"})
        self.assertEqual(first["camera"], "demo")
        # end_time stays numeric for Home Assistant; in_progress tells a client it may still grow.
        self.assertIsInstance(first["end_time"], (int, float))
        if first["in_progress"]:
            self.assertGreaterEqual(first["end_time"], first["start_time"])
        self.assertFalse(first["false_positive"])
        event_id = urllib.parse.quote(first["id"])
        status, headers, body = self.corvette.get(f"/api/events/{event_id}/thumbnail.jpg")
        self.assertEqual(status, 200)
        self.assertEqual(headers.get("content-type"), "image/jpg")
        width, height = jpeg_size(body)
        self.assertEqual(height, 175)
        status, _, body = self.corvette.get(
            f"/api/events/{event_id}/thumbnail.jpg?format=android")
        self.assertEqual(status, 200)
        self.assertEqual(jpeg_size(body), (width + 2 * (width // 2), 175))
        status, _, body = self.corvette.get(f"/api/events/{event_id}")
        self.assertEqual(status, 200)
        self.assertEqual(json.loads(body)["id"], first["id"])
        status, _, body = self.corvette.get(f"/api/events/{event_id}/snapshot.jpg?h=288&bbox=1")
        self.assertIn(status, (200, 404), body)  # 404: finished without a snapshot file
        if status == 200:
            jpeg_size(body)

        # Finished events: end_time after start_time, a snapshot file, the walkway entered.
        done = self.wait_for_event(
            lambda e: (not e["in_progress"] and e["has_snapshot"]
                       and e["end_time"] > e["start_time"]), 90)
        self.assertFalse(done["in_progress"])
        status, _, body = self.corvette.get(f"/api/events/{urllib.parse.quote(done['id'])}")
        self.assertEqual(json.loads(body)["in_progress"], False)
        status, _, body = self.corvette.get(
            f"/api/events/{urllib.parse.quote(done['id'])}/snapshot.jpg")
        self.assertEqual(status, 200)
        self.assertEqual(jpeg_size(body), (768, 576))  # snapshots.*: full frame by default
        self.wait_for_event(lambda e: "walkway" in e["zones"], 60)
        walkway = self.events("?zone=walkway&limit=1000")
        self.assertTrue(walkway)
        self.assertTrue(all("walkway" in e["zones"] for e in walkway))
        self.assertEqual(self.events("?camera=nobody"), [])
        for e in self.events("?has_snapshot=1&include_thumbnails=0&limit=1000"):
            self.assertTrue(e["has_snapshot"])
            self.assertNotIn("thumbnail", e)

        # Errors.
        for query in ("limit=abc", "limit=-1", "limit=10001", "after=x", "has_clip=2"):
            status, _, body = self.corvette.get("/api/events?" + query)
            self.assertEqual(status, 400, query)
            self.assertIn(query.split("=")[0].encode(), body)
        for path in ("/api/events/1.0-nosuch", "/api/events/1.0-nosuch/thumbnail.jpg",
                     "/api/events/1.0-nosuch/snapshot.jpg"):
            status, _, body = self.corvette.get(path)
            self.assertEqual((status, body), (404, b"Event not found"), path)
        status, _, body = self.corvette.get("/api/nocamera/person/best.jpg")
        self.assertEqual((status, body), (404, b"Camera named nocamera not found"))
        status, _, body = self.corvette.get("/api/demo/person/best.jpg?h=100")
        self.assertEqual(status, 200)
        self.assertEqual(jpeg_size(body)[1], 100)

        # kill -9 mid-run: the database opens and every row's snapshot file exists.
        self.corvette.process.send_signal(signal.SIGKILL)
        self.corvette.process.wait(10)
        clips = self.corvette.config["storage"]["clips"]
        db = sqlite3.connect(self.corvette.config["database"]["path"])
        try:
            self.assertEqual(db.execute("PRAGMA integrity_check").fetchone()[0], "ok")
            rows = db.execute("SELECT id, camera, has_snapshot FROM event").fetchall()
        finally:
            db.close()
        self.assertTrue(rows)
        for event_id, camera, has_snapshot in rows:
            if has_snapshot:
                self.assertTrue(os.path.exists(os.path.join(clips, f"{camera}-{event_id}.jpg")),
                                event_id)
