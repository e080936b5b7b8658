import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cameraHealth, readRoles, readStats } from '../src/lib/stats.js';

const doc = {
  demo: {
    camera_fps: 5.0,
    capture_pid: 4242,
    detection_fps: 1.5,
    pid: 4200,
    process_fps: 5.0,
    skipped_fps: 0.0,
    roles: { clips: { state: 'failed', error: 'Could not write header' }, detect: { state: 'running' } },
  },
  back: { camera_fps: 0, capture_pid: 0, detection_fps: 0, pid: 4200, process_fps: 0, skipped_fps: 0 },
  detection_fps: 1.5,
  detectors: { cpu1: { detection_start: 0.0, inference_speed: 10.0, pid: 4200 }, cpu0: { detection_start: 1.7e9, inference_speed: 12, pid: 4200 } },
  service: {
    uptime: 10,
    version: '0.1.0-2a570cd',
    storage: {
      'var/clips': { free: 300.0, mnt_type: 'ext4', mount_type: 'ext4', total: 1000.0, used: 700.0 },
      '/dev/shm': { free: 10, mount_type: 'tmpfs', total: 0, used: 0 },
    },
  },
};

test('cameras are every key but detectors, detection_fps and service', () => {
  const s = readStats(doc);
  assert.deepEqual(s.cameras.map((c) => c.name), ['back', 'demo']);
  const demo = s.cameras[1];
  assert.equal(demo.cameraFps, 5);
  assert.equal(demo.capturePid, 4242);
  assert.deepEqual(demo.roles, [
    { role: 'clips', state: 'failed', error: 'Could not write header' },
    { role: 'detect', state: 'running', error: '' },
  ]);
});

test('detectors, service and storage', () => {
  const s = readStats(doc);
  assert.deepEqual(s.detectors.map((d) => [d.name, d.busy]), [['cpu0', true], ['cpu1', false]]);
  assert.equal(s.detectionFps, 1.5);
  assert.equal(s.uptime, 10);
  assert.equal(s.version, '0.1.0-2a570cd');
  assert.deepEqual(s.storage.map((x) => x.path), ['/dev/shm', 'var/clips']);
  assert.equal(s.storage[1].usedFraction, 0.7);
  assert.equal(s.storage[1].mountType, 'ext4');
  assert.ok(Number.isNaN(s.storage[0].usedFraction), 'a zero total has no fraction');
});

test('a missing or odd document gives empty lists and NaN figures', () => {
  for (const bad of [null, undefined, 'x', [], { service: 5, detectors: [] }]) {
    const s = readStats(bad);
    assert.deepEqual(s.cameras, []);
    assert.deepEqual(s.detectors, []);
    assert.ok(Number.isNaN(s.uptime));
  }
  assert.deepEqual(readRoles(undefined), []);
});

test('camera health from its figures', () => {
  const s = readStats(doc);
  assert.equal(cameraHealth(s.cameras.find((c) => c.name === 'demo')), 'warn'); // clips failed
  assert.equal(cameraHealth(s.cameras.find((c) => c.name === 'back')), 'down');
  assert.equal(cameraHealth(undefined), 'unknown');
  const ok = readStats({ a: { camera_fps: 5, skipped_fps: 0, roles: { detect: { state: 'running' } } } });
  assert.equal(cameraHealth(ok.cameras[0]), 'ok');
});
