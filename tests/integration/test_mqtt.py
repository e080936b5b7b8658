"""MQTT (issue 7) against a real mosquitto broker and the real binary on vtest.avi with the real
model: `available`, person events (new, then end with the /api/events id), counts, the retained
snapshot, the detect/set switch (and an invalid payload), the /ws WebSocket relay, a broker restart
and the retained `offline` of a clean SIGTERM.

One broker and one corvette for the whole class (the model on 2 shared CPU cores makes each start
expensive); the tests run in their numbered order and each leaves detection ON."""

import json
import os
import sys
import time
import unittest
import urllib.parse

import corvette_harness as harness
import mqtt_harness

CAMERA = "demo"


class MqttTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.broker = mqtt_harness.Broker().start()
        cls.prefix = f"corvette-test-{os.getpid()}"
        cls.listener = mqtt_harness.Listener(cls.broker.port, f"{cls.prefix}/#").start()
        camera = harness.demo_camera(snapshots={"enabled": True},
                                     objects={"track": ["person"]})
        config = harness.base_config(cameras={CAMERA: camera}, mqtt={
            "host": "127.0.0.1", "port": cls.broker.port, "topic_prefix": cls.prefix,
            "client_id": cls.prefix})
        cls.corvette = harness.Corvette(config)
        try:
            cls.corvette.start()
        except Exception:
            cls.tearDownClass()
            raise

    @classmethod
    def tearDownClass(cls):
        cls.listener.close()
        cls.corvette.close()
        cls.broker.close()

    def run(self, result=None):
        problems_before = len(result.failures) + len(result.errors) if result else 0
        outcome = super().run(result)
        if result is not None and len(result.failures) + len(result.errors) > problems_before:
            sys.stderr.write(f"\n----- corvette log -----\n{self.corvette.log()}"
                             f"----- mosquitto log -----\n{self.broker.log()}----- end -----\n")
        return outcome

    # --- helpers ---

    def topic(self, relative):
        return f"{self.prefix}/{relative}"

    def wait_message(self, topic, timeout, since=0, predicate=lambda m: True):
        full = self.topic(topic)
        message = self.listener.wait_for(lambda m: m.topic == full and predicate(m), timeout,
                                         since)
        if message is None:
            seen = sorted({m.topic for m in self.listener.matching(lambda m: True, since)})
            self.fail(f"no matching {full} within {timeout} s; topics seen: {seen}")
        return message

    def stats_until(self, predicate, timeout):
        deadline = time.monotonic() + timeout
        stats = None
        while time.monotonic() < deadline:
            stats = self.corvette.get_json("/api/stats")
            if predicate(stats[CAMERA]):
                return stats[CAMERA]
            time.sleep(0.5)
        self.fail(f"/api/stats never matched within {timeout} s: {stats}")

    def event_listed(self, event_id, timeout):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if event_id in [e["id"] for e in self.corvette.get_json("/api/events?limit=1000")]:
                return True
            time.sleep(0.2)
        return False

    def detect_enabled_in_config(self):
        return self.corvette.get_json("/api/config")["cameras"][CAMERA]["detect"]["enabled"]

    def set_detect(self, payload):
        since = self.listener.mark()
        self.listener.publish(self.topic(f"{CAMERA}/detect/set"), payload)
        return since

    # --- tests, in order ---

    def test_1_available_is_online_and_retained(self):
        message = mqtt_harness.retained(self.broker.port, self.topic("available"))
        self.assertIsNotNone(message, "no retained `available`")
        self.assertEqual(message.text(), "online")
        state = mqtt_harness.retained(self.broker.port, self.topic(f"{CAMERA}/detect/state"))
        self.assertIsNotNone(state)
        self.assertEqual(state.text(), "ON")

    def test_2_person_event_counts_snapshot_and_detect_off_on(self):
        events_topic = self.topic("events")
        new = self.listener.wait_for(
            lambda m: m.topic == events_topic and m.json()["type"] == "new"
            and m.json()["after"]["label"] == "person", 90)
        self.assertIsNotNone(new, "no `new` person event within 90 s")
        event = new.json()
        event_id = event["after"]["id"]
        self.assertEqual(event["after"]["camera"], CAMERA)
        self.assertFalse(event["after"]["false_positive"])
        self.assertTrue(event["before"]["false_positive"])  # the state at registration
        self.assertIsNone(event["after"]["thumbnail"])
        # /api/events lists it too (its database write may land a moment after the message).
        self.assertTrue(self.event_listed(event_id, 10), f"{event_id} not in /api/events")

        count = self.wait_message(f"{CAMERA}/person", 20, predicate=lambda m: int(m.text()) > 0)
        self.assertGreater(int(count.text()), 0)

        snapshot = self.listener.wait_for(
            lambda m: m.topic == self.topic(f"{CAMERA}/person/snapshot"), 30)
        self.assertIsNotNone(snapshot, "no person snapshot within 30 s")
        retained_snapshot = mqtt_harness.retained(self.broker.port,
                                                  self.topic(f"{CAMERA}/person/snapshot"))
        self.assertIsNotNone(retained_snapshot, "the snapshot is not retained")
        self.assertEqual(retained_snapshot.payload[:2], b"\xff\xd8")
        self.assertEqual(retained_snapshot.payload[-2:], b"\xff\xd9")

        # detect OFF: every object ends, counts go back to 0, detection stops.
        since = self.set_detect("OFF")
        self.assertEqual(self.wait_message(f"{CAMERA}/detect/state", 10, since).text(), "OFF")
        end = self.listener.wait_for(
            lambda m: m.topic == events_topic and m.json()["type"] == "end"
            and m.json()["after"]["id"] == event_id, 30)
        self.assertIsNotNone(end, f"no `end` for {event_id} within 30 s after detect OFF")
        self.assertGreater(end.json()["after"]["end_time"], 0)
        self.assertGreaterEqual(end.received_at, new.received_at)
        self.assertEqual([m.json()["type"] for m in self.listener.matching(
            lambda m: m.topic == events_topic and m.json()["after"]["id"] == event_id)][0], "new")
        self.wait_message(f"{CAMERA}/person", 20, since, predicate=lambda m: m.text() == "0")
        self.stats_until(lambda s: s["detection_fps"] == 0, 20)
        self.assertFalse(self.detect_enabled_in_config())
        state = mqtt_harness.retained(self.broker.port, self.topic(f"{CAMERA}/detect/state"))
        self.assertEqual(state.text(), "OFF")
        stored = self.corvette.get_json(f"/api/events/{urllib.parse.quote(event_id)}")
        self.assertEqual(stored["id"], event_id)
        self.assertIsNotNone(stored["end_time"])

        since = self.set_detect("ON")
        self.assertEqual(self.wait_message(f"{CAMERA}/detect/state", 10, since).text(), "ON")
        self.assertTrue(self.detect_enabled_in_config())
        self.stats_until(lambda s: s["detection_fps"] > 0, 30)

    def test_3_invalid_payload_changes_nothing(self):
        since = self.set_detect("MAYBE")
        time.sleep(2.0)
        self.assertEqual(self.listener.matching(
            lambda m: m.topic == self.topic(f"{CAMERA}/detect/state"), since), [])
        self.assertTrue(self.detect_enabled_in_config())
        state = mqtt_harness.retained(self.broker.port, self.topic(f"{CAMERA}/detect/state"))
        self.assertEqual(state.text(), "ON")
        self.assertIn("invalid payload", self.corvette.log())

    def test_4_websocket_relay(self):
        client = mqtt_harness.WebSocketClient(self.corvette.port)
        try:
            self.assertEqual(client.status, 101)
            time.sleep(0.5)  # the session is registered once the handshake completes
            self.listener.publish(self.topic(f"{CAMERA}/ws-probe"), "hello")
            relayed = client.receive_json_until(lambda d: d.get("topic") == f"{CAMERA}/ws-probe",
                                                10)
            self.assertEqual(relayed, {"topic": f"{CAMERA}/ws-probe", "payload": "hello"})

            # Refused: outside the /set topics, and a /set with another payload.
            since = self.listener.mark()
            client.send_json({"topic": f"{CAMERA}/person", "payload": "7"})
            client.send_json({"topic": "available", "payload": "offline", "retain": True})
            client.send_json({"topic": f"{CAMERA}/detect/set", "payload": "MAYBE"})
            client.send_text("not json")
            # Allowed: detect OFF, then ON, through the relay and the broker.
            client.send_json({"topic": f"{CAMERA}/detect/set", "payload": "OFF"})
            self.assertEqual(self.wait_message(f"{CAMERA}/detect/state", 10, since).text(), "OFF")
            state = client.receive_json_until(
                lambda d: d.get("topic") == f"{CAMERA}/detect/state", 10)
            self.assertEqual(state, {"topic": f"{CAMERA}/detect/state", "payload": "OFF"})
            self.assertFalse(self.detect_enabled_in_config())
            client.send_json({"topic": f"{CAMERA}/detect/set", "payload": "ON"})
            self.wait_message(f"{CAMERA}/detect/state", 10, since,
                              predicate=lambda m: m.text() == "ON")
            self.assertTrue(self.detect_enabled_in_config())
            published = [(m.topic, m.text()) for m in self.listener.matching(
                lambda m: m.topic in (self.topic(f"{CAMERA}/person"), self.topic("available"))
                or (m.topic == self.topic(f"{CAMERA}/detect/set") and m.text() == "MAYBE"),
                since)]
            self.assertNotIn((self.topic(f"{CAMERA}/person"), "7"), published)
            self.assertNotIn((self.topic("available"), "offline"), published)
            self.assertEqual([p for p in published if p[1] == "MAYBE"], [])
            self.assertIn("refused", self.corvette.log())
        finally:
            client.close()
        # The server is still fine after the client left.
        self.assertEqual(self.corvette.get("/api/")[0], 200)

    def test_4_http_switch_publishes_state_and_retained_set(self):
        since = self.listener.mark()
        status, _, body = self.corvette.request("POST", f"/api/{CAMERA}/clips/set", body=b"ON")
        self.assertEqual(status, 200, body)
        self.assertTrue(json.loads(body)["clips"])
        self.assertEqual(self.wait_message(f"{CAMERA}/clips/state", 10, since).text(), "ON")
        # Retained, as Home Assistant's own commands: a restart keeps what the page chose.
        command = mqtt_harness.retained(self.broker.port, self.topic(f"{CAMERA}/clips/set"))
        self.assertEqual(command.text(), "ON")
        status, _, body = self.corvette.request("POST", f"/api/{CAMERA}/clips/set", body=b"OFF")
        self.assertFalse(json.loads(body)["clips"])
        self.wait_message(f"{CAMERA}/clips/state", 10, since, predicate=lambda m: m.text() == "OFF")
        command = mqtt_harness.retained(self.broker.port, self.topic(f"{CAMERA}/clips/set"))
        self.assertEqual(command.text(), "OFF")
        self.assertFalse(
            self.corvette.get_json("/api/config")["cameras"][CAMERA]["clips"]["enabled"])

    def test_5_broker_restart(self):
        self.broker.stop()
        time.sleep(3.0)
        self.stats_until(lambda s: s["process_fps"] > 0, 10)  # frames go on without a broker
        since = self.listener.mark()
        self.broker.start()
        online = self.wait_message("available", 60, since, predicate=lambda m: m.text() == "online")
        self.assertEqual(online.text(), "online")
        self.wait_message(f"{CAMERA}/detect/state", 10, since)  # states are republished too
        self.stats_until(lambda s: s["process_fps"] > 0, 10)

    def test_6_sigterm_publishes_offline(self):
        exit_code, _ = self.corvette.stop()
        self.assertEqual(exit_code, 0)
        message = mqtt_harness.retained(self.broker.port, self.topic("available"))
        self.assertIsNotNone(message)
        self.assertEqual(message.text(), "offline")


class WebSocketWithoutMqttTest(harness.CorvetteTestCase):
    """Without an mqtt section, /ws still carries the switch states, and the HTTP switch route and
    a client's /set message change the camera (the web page needs no broker)."""

    def test_switches_and_states_without_a_broker(self):
        corvette = self.start_corvette(harness.base_config(
            cameras={CAMERA: harness.demo_camera(detect={"enabled": False})}))
        client = mqtt_harness.WebSocketClient(corvette.port)
        try:
            self.assertEqual(client.status, 101)
            time.sleep(0.5)  # the session is registered once the handshake completes
            status, _, body = corvette.request("POST", f"/api/{CAMERA}/snapshots/set", body=b"ON")
            self.assertEqual(status, 200, body)
            self.assertEqual(json.loads(body), {"detect": False, "clips": False, "snapshots": True})
            state = client.receive_json_until(
                lambda d: d.get("topic") == f"{CAMERA}/snapshots/state", 10)
            self.assertEqual(state["payload"], "ON")

            client.send_json({"topic": f"{CAMERA}/detect/set", "payload": "ON"})
            state = client.receive_json_until(
                lambda d: d.get("topic") == f"{CAMERA}/detect/state", 10)
            self.assertEqual(state["payload"], "ON")
            config = corvette.get_json("/api/config")["cameras"][CAMERA]
            self.assertTrue(config["detect"]["enabled"])
            self.assertTrue(config["snapshots"]["enabled"])

            client.send_json({"topic": f"{CAMERA}/person", "payload": "7"})
            client.send_json({"topic": "nocamera/detect/set", "payload": "OFF"})
            status, _, body = corvette.request("POST", f"/api/{CAMERA}/detect/set", body=b"maybe")
            self.assertEqual(status, 400)
            self.assertEqual(corvette.request("POST", "/api/nocamera/detect/set", body=b"ON")[0],
                             404)
            status, _, _ = corvette.request("POST", f"/api/{CAMERA}/detect/set", body=b"OFF",
                                            headers={"Origin": "http://evil.example"})
            self.assertEqual(status, 403)
            self.assertTrue(corvette.get_json("/api/config")["cameras"][CAMERA]["detect"]["enabled"])
            self.assertIn("refused", corvette.log())
        finally:
            client.close()


class RetainedSetAtStartupTest(harness.CorvetteTestCase):
    """Home Assistant publishes every switch a user toggled as a retained `<camera>/<feature>/set`:
    the broker delivers them the moment corvette subscribes, during its startup. They must be
    applied to the camera (not only echoed on `/state`), so that after a restart the switch and
    the camera agree."""

    def test_retained_off_commands_apply_at_startup(self):
        broker = mqtt_harness.Broker().start()
        self.addCleanup(broker.close)
        prefix = f"corvette-retained-{os.getpid()}"
        publisher = mqtt_harness.Listener(broker.port, f"{prefix}/#").start()
        self.addCleanup(publisher.close)
        publisher.publish(f"{prefix}/{CAMERA}/detect/set", "OFF", retain=True)
        publisher.publish(f"{prefix}/{CAMERA}/snapshots/set", "OFF", retain=True)

        camera = harness.demo_camera(snapshots={"enabled": True}, clips={"enabled": True},
                                     objects={"track": ["person"]})
        corvette = self.start_corvette(harness.base_config(cameras={CAMERA: camera}, mqtt={
            "host": "127.0.0.1", "port": broker.port, "topic_prefix": prefix,
            "client_id": prefix}))

        # vtest's people walk from the first frame: frames are processed, motion is found, and
        # yet the detector is never called.
        deadline = time.monotonic() + 60
        stats = corvette.get_json("/api/stats")[CAMERA]
        while stats["process_fps"] == 0 and time.monotonic() < deadline:
            self.assertEqual(stats["detection_fps"], 0, f"detection ran: {stats}")
            time.sleep(0.5)
            stats = corvette.get_json("/api/stats")[CAMERA]
        self.assertGreater(stats["process_fps"], 0, "no frame was processed")
        time.sleep(10)  # a 10-s stats window of frames with motion in them
        stats = corvette.get_json("/api/stats")[CAMERA]
        self.assertGreater(stats["process_fps"], 0)
        self.assertEqual(stats["detection_fps"], 0, f"detection ran: {stats}")
        self.assertEqual(corvette.get_json("/api/events"), [])

        section = corvette.get_json("/api/config")["cameras"][CAMERA]
        self.assertFalse(section["detect"]["enabled"])
        self.assertFalse(section["snapshots"]["enabled"])
        self.assertTrue(section["clips"]["enabled"])
        for feature, text in (("detect", "OFF"), ("snapshots", "OFF"), ("clips", "ON")):
            state = mqtt_harness.retained(broker.port, f"{prefix}/{CAMERA}/{feature}/state")
            self.assertIsNotNone(state, f"no retained {feature}/state")
            self.assertEqual(state.text(), text, feature)

    def test_every_camera_of_many_gets_its_retained_command(self):
        # Twelve cameras take long enough to build that a client subscribed before the last one
        # exists receives the retained commands in time to drop some: every one must apply.
        broker = mqtt_harness.Broker().start()
        self.addCleanup(broker.close)
        prefix = f"corvette-retained-many-{os.getpid()}"
        names = [f"cam{i:02d}" for i in range(12)]
        publisher = mqtt_harness.Listener(broker.port, f"{prefix}/#").start()
        self.addCleanup(publisher.close)
        for name in names:
            publisher.publish(f"{prefix}/{name}/detect/set", "OFF", retain=True)
            publisher.publish(f"{prefix}/{name}/clips/set", "ON", retain=True)
        corvette = self.start_corvette(harness.base_config(
            cameras={name: harness.demo_camera(objects={"track": ["person"]}) for name in names},
            mqtt={"host": "127.0.0.1", "port": broker.port, "topic_prefix": prefix,
                  "client_id": prefix}))

        for name in names:
            state = None
            deadline = time.monotonic() + 20
            while time.monotonic() < deadline:
                state = mqtt_harness.retained(broker.port, f"{prefix}/{name}/clips/state", 2)
                if state is not None:
                    break
            self.assertIsNotNone(state, f"{name}: no retained clips/state")
            self.assertEqual(state.text(), "ON", name)
        sections = corvette.get_json("/api/config")["cameras"]
        self.assertEqual([n for n in names if sections[n]["detect"]["enabled"]], [],
                         "cameras whose retained detect/set OFF was lost")
        self.assertEqual([n for n in names if not sections[n]["clips"]["enabled"]], [],
                         "cameras whose retained clips/set ON was lost")
        # The states go out once the retained commands are applied: never a passing OFF for clips
        # (config) before the ON (command), which Home Assistant would show as a flicker.
        for feature, text in (("clips", "ON"), ("detect", "OFF")):
            published = publisher.matching(lambda m, f=feature: m.topic.endswith(f"/{f}/state"))
            self.assertEqual(len({m.topic for m in published}), len(names), feature)
            self.assertEqual([m for m in published if m.text() != text], [],
                             f"{feature}/state published other than the retained command's {text}")


if __name__ == "__main__":
    unittest.main()
