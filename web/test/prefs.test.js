import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  DEFAULT_OVERLAYS,
  OVERLAYS,
  loadOverlays,
  overlayKey,
  overlayParams,
  saveOverlays,
} from '../src/lib/prefs.js';

function memoryStorage() {
  const data = new Map();
  return {
    data,
    getItem: (k) => (data.has(k) ? data.get(k) : null),
    setItem: (k, v) => data.set(k, String(v)),
  };
}

test('the six overlays in the API\'s names', () => {
  assert.deepEqual(OVERLAYS, ['bbox', 'timestamp', 'zones', 'mask', 'motion', 'regions']);
});

test('defaults when nothing is stored, the storage is missing or holds garbage', () => {
  const s = memoryStorage();
  assert.deepEqual(loadOverlays(s, 'front'), DEFAULT_OVERLAYS);
  assert.deepEqual(loadOverlays(null, 'front'), DEFAULT_OVERLAYS);
  s.setItem(overlayKey('front'), '{not json');
  assert.deepEqual(loadOverlays(s, 'front'), DEFAULT_OVERLAYS);
  s.setItem(overlayKey('front'), JSON.stringify({ zones: 'yes', mask: true, extra: true }));
  assert.deepEqual(loadOverlays(s, 'front'), { ...DEFAULT_OVERLAYS, mask: true });
});

test('kept per camera', () => {
  const s = memoryStorage();
  assert.equal(saveOverlays(s, 'front', { ...DEFAULT_OVERLAYS, zones: true, bbox: false }), true);
  assert.deepEqual(loadOverlays(s, 'front'), { ...DEFAULT_OVERLAYS, zones: true, bbox: false });
  assert.deepEqual(loadOverlays(s, 'back'), DEFAULT_OVERLAYS);
});

test('a storage that throws is reported, not thrown', () => {
  const broken = {
    getItem() {
      throw new Error('denied');
    },
    setItem() {
      throw new Error('quota');
    },
  };
  assert.equal(saveOverlays(broken, 'front', DEFAULT_OVERLAYS), false);
  assert.deepEqual(loadOverlays(broken, 'front'), DEFAULT_OVERLAYS);
});

test('query flags for the overlays that are on', () => {
  assert.deepEqual(overlayParams({ bbox: true, zones: true, mask: false }), { bbox: 1, zones: 1 });
  assert.deepEqual(overlayParams(undefined), {});
});
