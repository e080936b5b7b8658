"""Clips end to end through the real binary (issue 6): an event's clip covers the event plus pre and
post capture within one segment, plays, and is served with exact Range answers; nothing outside the
clips folder (nor the database) can be read; after kill -9 and a restart no partial clip is left."""

import os
import re
import signal
import subprocess
import time
import unittest

import corvette_harness


class ClipsTest(corvette_harness.H264CameraTestCase):
    video_seconds = 40

    def test_event_gets_a_clip_that_covers_it_and_plays(self):
        camera = corvette_harness.demo_camera(path=self.video, roles=("detect", "clips"))
        camera["clips"] = {"enabled": True, "pre_capture": 2, "post_capture": 2}
        corvette = self.start_corvette(corvette_harness.base_config({"cam": camera}))

        event = None
        deadline = time.monotonic() + 150
        while time.monotonic() < deadline and event is None:
            events = corvette.get_json("/api/events?has_clip=1&include_thumbnails=0")
            event = events[0] if events else None
            time.sleep(2)
        self.assertIsNotNone(event, "no event got a clip")

        status, headers, clip = corvette.get(f"/clips/cam-{event['id']}.mp4", timeout=30)
        self.assertEqual(status, 200)
        self.assertEqual(headers.get("content-type"), "video/mp4")
        self.assertEqual(int(headers.get("content-length")), len(clip))
        path = os.path.join(self.tmp, "clip.mp4")
        with open(path, "wb") as f:
            f.write(clip)
        duration = float(subprocess.run(
            ["ffprobe", "-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0", path],
            capture_output=True, text=True, check=True).stdout)
        window = event["end_time"] - event["start_time"] + 2 + 2
        # Stream copy snaps to keyframes (1 s apart here); segments are 10 s.
        self.assertGreaterEqual(duration, window - 1.5)
        self.assertLessEqual(duration, window + 10)
        decode = subprocess.run(["ffmpeg", "-v", "error", "-i", path, "-f", "null", "-"],
                                capture_output=True, text=True)
        self.assertEqual(decode.returncode, 0)
        self.assertEqual(decode.stderr.strip(), "")

        status, headers, part = corvette.request(
            "GET", f"/clips/cam-{event['id']}.mp4", headers={"Range": "bytes=100-1099"})
        self.assertEqual(status, 206)
        self.assertEqual(part, clip[100:1100])
        self.assertEqual(headers.get("content-range"), f"bytes 100-1099/{len(clip)}")

        for target in ["/clips/../frigate.db", "/clips/%2e%2e/frigate.db", "/clips/frigate.db",
                       "/clips/..%2fconfig.yml", "/recordings/../config.yml"]:
            status, _, _ = corvette.get(target)
            self.assertEqual(status, 404, target)

        # kill -9 and a restart. A SIGKILL while a clip is being joined leaves nothing under a
        # final name, only the hidden temporary and playlist (ClipAssemblerTest.
        # SigkillDuringAssemblyLeavesNoFinalFile kills a real assembly in a child process; the
        # binary's joins take a fraction of a second, too short to hit from here). Leave such a
        # pair beside the clip, as that kill would have, and restart: the startup sweep removes
        # them, every mp4 under a final name opens, and the event still has its whole clip.
        clips_dir = corvette.config["storage"]["clips"]
        corvette.process.send_signal(signal.SIGKILL)
        corvette.process.wait(10)
        corvette._log_file.close()  # start() opens the log again
        temporary = os.path.join(clips_dir, f".cam-{event['id']}x.mp4.assembling")
        with open(temporary, "wb") as f:
            f.write(clip[:len(clip) // 2])
        playlist = os.path.join(clips_dir, f".cam-{event['id']}x.concat")
        with open(playlist, "w") as f:
            f.write("file '/nonexistent/cam-20260101000000.mp4'\n")
        corvette.start()
        self.assertFalse(os.path.exists(temporary))
        self.assertFalse(os.path.exists(playlist))
        swept = re.search(r"startup sweep: (\d+) temporary file\(s\) removed", corvette.log())
        self.assertIsNotNone(swept)
        self.assertGreaterEqual(int(swept.group(1)), 2)  # more if a real join was cut
        for name in os.listdir(clips_dir):
            if name.endswith(".mp4"):
                self.assertFalse(name.startswith("."), name)
                probe = subprocess.run(["ffprobe", "-v", "error", os.path.join(clips_dir, name)],
                                       capture_output=True, text=True)
                self.assertEqual((probe.returncode, probe.stderr.strip()), (0, ""), name)
        again = corvette.get_json(f"/api/events/{event['id']}")
        self.assertTrue(again["has_clip"])
        status, _, body = corvette.get(f"/clips/cam-{event['id']}.mp4", timeout=30)
        self.assertEqual((status, body), (200, clip))



class OutputThatCannotBeWrittenTest(corvette_harness.CorvetteTestCase):
    """A camera whose one input has roles [detect, clips] and sends a codec mp4 cannot hold by
    stream copy (vtest.avi's MS-MPEG4): the clip output fails, detection goes on."""

    def test_detection_and_events_go_on_and_the_roles_tell_the_truth(self):
        camera = corvette_harness.demo_camera(roles=("detect", "clips"),
                                              objects={"track": ["person"]})
        camera["clips"] = {"enabled": True}
        corvette = self.start_corvette(corvette_harness.base_config({"cam": camera}))

        deadline = time.monotonic() + 120
        events = []
        while time.monotonic() < deadline and not events:
            events = corvette.get_json("/api/events?include_thumbnails=0")
            time.sleep(1)
        self.assertTrue(events, "no event: detection died with the clip output")
        self.assertEqual(events[0]["label"], "person")

        stats = corvette.get_json("/api/stats")["cam"]
        self.assertGreater(stats["process_fps"], 0)
        self.assertGreater(stats["detection_fps"], 0)
        self.assertEqual(stats["roles"]["detect"], {"state": "running"})
        self.assertEqual(stats["roles"]["clips"]["state"], "failed")
        self.assertIn("output file #0", stats["roles"]["clips"]["error"])

        log = corvette.log()
        explained = [line for line in log.splitlines()
                     if "its clips output cannot be written" in line]
        self.assertEqual(len(explained), 1, log)
        self.assertIn("msmpeg4v3", explained[0])
        self.assertIn("ffmpeg.output_args.clips", explained[0])


if __name__ == "__main__":
    unittest.main()
