"""A real mosquitto broker and small MQTT / WebSocket clients for integration tests.

    broker = mqtt_harness.Broker().start()       # /usr/sbin/mosquitto on a free loopback port
    listener = mqtt_harness.Listener(broker.port, "prefix/#").start()
    message = listener.wait_for(lambda m: m.topic == "prefix/available", timeout=10)
    broker.stop(); broker.start()                # same port again

paho-mqtt is Debian's python3-paho-mqtt (1.6, the v1 callback API). The WebSocket client is
stdlib only (RFC 6455: handshake, masked client frames, ping answered with pong).
"""

import base64
import hashlib
import json
import os
import shutil
import socket
import struct
import subprocess
import tempfile
import threading
import time

import paho.mqtt.client as paho

import corvette_harness

MOSQUITTO = "/usr/sbin/mosquitto"


class Broker:
    """One mosquitto process listening on 127.0.0.1:<port> (anonymous, no persistence)."""

    def __init__(self, port=None):
        self.port = port or corvette_harness.free_port()
        self.workdir = tempfile.mkdtemp(prefix="corvette-mosquitto-")
        self.config_path = os.path.join(self.workdir, "mosquitto.conf")
        self.log_path = os.path.join(self.workdir, "mosquitto.log")
        with open(self.config_path, "w") as f:
            f.write(f"listener {self.port} 127.0.0.1\n"
                    "allow_anonymous true\n"
                    "persistence false\n")
        self.process = None

    def start(self, timeout=10.0):
        """Starts mosquitto and returns once it accepts TCP connections."""
        self._log = open(self.log_path, "a")
        self.process = subprocess.Popen([MOSQUITTO, "-c", self.config_path], stdout=self._log,
                                        stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"mosquitto exited with {self.process.returncode}:\n"
                                     f"{self.log()}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return self
            except OSError:
                time.sleep(0.05)
        raise AssertionError(f"mosquitto did not listen on {self.port}:\n{self.log()}")

    def stop(self):
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if getattr(self, "_log", None):
            self._log.close()
            self._log = None

    def close(self):
        self.stop()
        shutil.rmtree(self.workdir, ignore_errors=True)

    def log(self):
        try:
            with open(self.log_path, errors="replace") as f:
                return f.read()
        except OSError:
            return ""


class Message:
    def __init__(self, topic, payload, retain, received_at):
        self.topic = topic
        self.payload = payload  # bytes
        self.retain = retain
        self.received_at = received_at

    def text(self):
        return self.payload.decode("utf-8", errors="replace")

    def json(self):
        return json.loads(self.payload)

    def __repr__(self):
        shown = self.payload[:80]
        return f"Message({self.topic!r}, {shown!r}, retain={self.retain})"


class Listener:
    """A paho client that records every message of its subscriptions (re-subscribing after a
    reconnect, so it follows the broker being restarted)."""

    def __init__(self, port, *subscriptions):
        self.port = port
        self.subscriptions = list(subscriptions)
        self.messages = []
        self.condition = threading.Condition()
        self.client = paho.Client(client_id=f"test-{os.getpid()}-{id(self)}", clean_session=True)
        self.client.reconnect_delay_set(min_delay=1, max_delay=2)
        self.client.on_connect = self._on_connect
        self.client.on_message = self._on_message

    def start(self, timeout=10.0):
        self.connected = threading.Event()
        self.client.connect("127.0.0.1", self.port, keepalive=30)
        self.client.loop_start()
        if not self.connected.wait(timeout):
            raise AssertionError("the test MQTT client could not connect")
        return self

    def _on_connect(self, client, userdata, flags, rc):
        for topic in self.subscriptions:
            client.subscribe(topic, qos=0)
        self.connected.set()

    def _on_message(self, client, userdata, message):
        with self.condition:
            self.messages.append(Message(message.topic, bytes(message.payload),
                                         bool(message.retain), time.monotonic()))
            self.condition.notify_all()

    def publish(self, topic, payload, retain=False):
        info = self.client.publish(topic, payload, qos=1, retain=retain)
        info.wait_for_publish()

    def mark(self):
        """An index for wait_for(since=...): messages received from now on."""
        with self.condition:
            return len(self.messages)

    def wait_for(self, predicate, timeout, since=0):
        """The first message (from index `since`) that satisfies `predicate`, or None."""
        deadline = time.monotonic() + timeout
        with self.condition:
            while True:
                for message in self.messages[since:]:
                    if predicate(message):
                        return message
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return None
                self.condition.wait(remaining)

    def matching(self, predicate, since=0):
        with self.condition:
            return [m for m in self.messages[since:] if predicate(m)]

    def close(self):
        self.client.loop_stop()
        self.client.disconnect()


def retained(port, topic, timeout=5.0):
    """The retained message of `topic` (a fresh subscription), or None."""
    listener = Listener(port, topic).start()
    try:
        return listener.wait_for(lambda m: m.topic == topic and m.retain, timeout)
    finally:
        listener.close()


class WebSocketClient:
    """A minimal RFC 6455 client over a plain socket: text messages only."""

    GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

    def __init__(self, port, path="/ws", timeout=10.0):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        key = base64.b64encode(os.urandom(16)).decode()
        request = (f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\n"
                   f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
                   "Sec-WebSocket-Version: 13\r\n\r\n")
        self.sock.sendall(request.encode())
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = self.sock.recv(4096)
            if not chunk:
                raise ConnectionError(f"connection closed during the handshake: {head!r}")
            head += chunk
        head, self.buffer = head.split(b"\r\n\r\n", 1)
        lines = head.decode("latin-1").split("\r\n")
        self.status = int(lines[0].split()[1])
        self.headers = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            self.headers[name.strip().lower()] = value.strip()
        if self.status == 101:
            expected = base64.b64encode(hashlib.sha1((key + self.GUID).encode()).digest()).decode()
            if self.headers.get("sec-websocket-accept") != expected:
                raise AssertionError(f"bad Sec-WebSocket-Accept: {self.headers}")

    def _send_frame(self, opcode, data):
        mask = os.urandom(4)
        header = bytes([0x80 | opcode])
        if len(data) < 126:
            header += bytes([0x80 | len(data)])
        elif len(data) < 65536:
            header += bytes([0x80 | 126]) + struct.pack("!H", len(data))
        else:
            header += bytes([0x80 | 127]) + struct.pack("!Q", len(data))
        masked = bytes(b ^ mask[i % 4] for i, b in enumerate(data))
        self.sock.sendall(header + mask + masked)

    def send_text(self, text):
        self._send_frame(0x1, text.encode("utf-8"))

    def send_json(self, document):
        self.send_text(json.dumps(document))

    def _read_exact(self, count):
        while len(self.buffer) < count:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("websocket closed by the server")
            self.buffer += chunk
        data, self.buffer = self.buffer[:count], self.buffer[count:]
        return data

    def receive_text(self, timeout):
        """The next text message (str), or None after `timeout` seconds. Answers pings."""
        deadline = time.monotonic() + timeout
        message = b""
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return None
            self.sock.settimeout(remaining)
            try:
                first, second = self._read_exact(2)
            except socket.timeout:
                return None
            self.sock.settimeout(10.0)
            opcode, fin = first & 0x0F, bool(first & 0x80)
            length = second & 0x7F
            if length == 126:
                length = struct.unpack("!H", self._read_exact(2))[0]
            elif length == 127:
                length = struct.unpack("!Q", self._read_exact(8))[0]
            if second & 0x80:
                raise AssertionError("the server sent a masked frame")
            data = self._read_exact(length)
            if opcode == 0x9:
                self._send_frame(0xA, data)
            elif opcode == 0x8:
                raise ConnectionError("websocket closed by the server")
            elif opcode in (0x0, 0x1):
                message += data
                if fin:
                    return message.decode("utf-8")

    def receive_json_until(self, predicate, timeout):
        """The first relayed JSON message satisfying `predicate`, or None."""
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return None
            text = self.receive_text(remaining)
            if text is None:
                return None
            document = json.loads(text)
            if predicate(document):
                return document

    def close(self):
        try:
            self._send_frame(0x8, struct.pack("!H", 1000))
        except OSError:
            pass
        self.sock.close()
