import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  bestUrl,
  clipUrl,
  eventsUrl,
  latestUrl,
  query,
  snapshotFileUrl,
  snapshotUrl,
  streamUrl,
  switchUrl,
  thumbnailUrl,
  wsUrl,
} from '../src/lib/urls.js';

test('query leaves out empty values and writes true as 1', () => {
  assert.equal(query({}), '');
  assert.equal(query({ a: undefined, b: null, c: '', d: false }), '');
  assert.equal(query({ bbox: true, h: 360, zone: 'a b&c' }), '?bbox=1&h=360&zone=a%20b%26c');
  assert.equal(query({ before: 0 }), '?before=0');
});

test('every URL is relative (no leading slash, no scheme)', () => {
  const urls = [
    latestUrl('front'),
    streamUrl('front', { fps: 5 }),
    bestUrl('front', 'person'),
    switchUrl('front', 'detect'),
    eventsUrl({}),
    thumbnailUrl('1.5-abc'),
    snapshotUrl('1.5-abc'),
    clipUrl('front', '1.5-abc'),
  ];
  for (const url of urls) {
    assert.ok(!url.startsWith('/') && !/^[a-z]+:/i.test(url), url);
  }
});

test('path segments from data are percent-encoded', () => {
  assert.equal(latestUrl('a/b c'), 'api/a%2Fb%20c/latest.jpg');
  assert.equal(bestUrl('front door', '<x>', { crop: 1 }), 'api/front%20door/%3Cx%3E/best.jpg?crop=1');
  assert.equal(switchUrl('a?b', 'clips'), 'api/a%3Fb/clips/set');
  assert.equal(thumbnailUrl('x/../y'), 'api/events/x%2F..%2Fy/thumbnail.jpg');
  assert.equal(clipUrl('front door', '1700000000.5-ab'), 'clips/front%20door-1700000000.5-ab.mp4');
  assert.equal(snapshotFileUrl('cam', 'id#1'), 'clips/cam-id%231.jpg');
});

test('latest.jpg and the stream carry size, fps and overlays', () => {
  assert.equal(latestUrl('front', { h: 360, t: 5 }), 'api/front/latest.jpg?h=360&t=5');
  assert.equal(
    streamUrl('front', { fps: 5, h: 720, bbox: 1, zones: 1 }),
    'api/front?fps=5&h=720&bbox=1&zones=1',
  );
});

test('the event list asks without thumbnails, with its filters and cursor', () => {
  assert.equal(eventsUrl({ limit: 50 }), 'api/events?limit=50&include_thumbnails=0');
  assert.equal(
    eventsUrl({ camera: 'front', label: 'person', zone: 'yard', before: 1700000000.25, limit: 50 }),
    'api/events?camera=front&label=person&zone=yard&before=1700000000.25&limit=50&include_thumbnails=0',
  );
});

test('wsUrl resolves "ws" against the page, with ws: or wss:', () => {
  assert.equal(wsUrl('http://host:5000/'), 'ws://host:5000/ws');
  assert.equal(
    wsUrl('https://ha.local/api/hassio_ingress/TOKEN/#/events?camera=a'),
    'wss://ha.local/api/hassio_ingress/TOKEN/ws',
  );
  assert.equal(wsUrl('http://host/prefix/index.html?x=1'), 'ws://host/prefix/ws');
});
