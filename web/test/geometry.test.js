import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pointOutside, svgPoints, toFramePoint, visibleRange } from '../src/lib/geometry.js';

const rect = { left: 100, top: 50, width: 384, height: 288 }; // a 768x576 frame at half size

test('clicks map to the frame\'s pixels', () => {
  assert.deepEqual(toFramePoint(100, 50, rect, 768, 576), [0, 0]);
  assert.deepEqual(toFramePoint(292, 194, rect, 768, 576), [384, 288]);
  assert.deepEqual(toFramePoint(484, 338, rect, 768, 576), [768, 576]);
});

test('clicks outside the picture are clamped to its edge', () => {
  assert.deepEqual(toFramePoint(0, 0, rect, 768, 576), [0, 0]);
  assert.deepEqual(toFramePoint(9999, 9999, rect, 768, 576), [768, 576]);
});

test('typed points outside the frame are found (clicked ones are clamped)', () => {
  assert.equal(pointOutside([[0, 0], [768, 576], [10, 10]], 768, 576), -1, 'the edge is inside');
  assert.equal(pointOutside([[0, 0], [769, 10], [-1, 5]], 768, 576), 1);
  assert.equal(pointOutside([[0, 0], [5, 5], [-1, 5]], 768, 576), 2);
  assert.equal(pointOutside([[1, 577]], 768, 576), 0);
});

test('the rows in view, with overscan, clamped to the list', () => {
  const base = { viewportHeight: 800, listTop: 200, rowHeight: 80, overscan: 2 };
  assert.deepEqual(visibleRange({ ...base, scrollTop: 0, count: 1000 }), { start: 0, end: 10 });
  assert.deepEqual(visibleRange({ ...base, scrollTop: 8200, count: 1000 }), { start: 98, end: 112 });
  assert.deepEqual(visibleRange({ ...base, scrollTop: 8200, count: 100 }), { start: 98, end: 100 });
  assert.deepEqual(visibleRange({ ...base, scrollTop: 0, count: 0 }), { start: 0, end: 0 });
});

test('the DOM stays bounded however long the list', () => {
  const r = visibleRange({ scrollTop: 4_000_000, viewportHeight: 1000, listTop: 100, rowHeight: 80, count: 100_000 });
  assert.ok(r.end - r.start <= 25, `${r.end - r.start} rows`);
});

test('svg points', () => {
  assert.equal(svgPoints([[1, 2], [3, 4]]), '1,2 3,4');
});
