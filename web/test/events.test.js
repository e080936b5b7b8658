import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  PAGE_SIZE,
  applyEventMessage,
  compareEvents,
  eventDuration,
  eventFromMessage,
  isInProgress,
  matchesFilters,
  mergeEvents,
  mergeHead,
  nextCursor,
  parseEventMessage,
  trackedObjects,
} from '../src/lib/events.js';

const ev = (id, start, more = {}) => ({
  id,
  camera: 'front',
  label: 'person',
  start_time: start,
  end_time: start + 10,
  in_progress: false,
  top_score: 0.8,
  zones: [],
  ...more,
});

const ids = (list) => list.map((e) => e.id);

test('in progress: corvette\'s flag, else a null end_time (Frigate 0.8)', () => {
  assert.equal(isInProgress(ev('a', 1, { in_progress: true })), true);
  assert.equal(isInProgress(ev('a', 1)), false);
  assert.equal(isInProgress({ id: 'a', start_time: 1, end_time: null }), true);
  assert.equal(isInProgress({ id: 'a', start_time: 1, end_time: 5 }), false);
  assert.equal(isInProgress(null), false);
});

test('duration: to end_time, or to now for an event in progress without one', () => {
  assert.equal(eventDuration(ev('a', 100)), 10);
  assert.equal(eventDuration({ id: 'a', start_time: 100, end_time: null }, 130), 30);
  assert.ok(Number.isNaN(eventDuration({ id: 'a' })));
});

test('duration of an event in progress runs to now, past corvette\'s lagging end_time', () => {
  // corvette gives an event in progress a numeric end_time (last seen, refreshed in the row about
  // once a second, never by the socket's update messages): the counter must still run.
  const e = ev('a', 100, { in_progress: true, end_time: 110 });
  assert.equal(eventDuration(e, 130), 30);
  assert.equal(eventDuration(e, 131), 31);
  assert.equal(eventDuration(e, 105), 10, 'a browser clock behind the server: up to end_time');
  assert.equal(eventDuration(ev('b', 100), 130), 10, 'a finished event: to its end_time');
  assert.ok(Number.isNaN(eventDuration({ id: 'c', start_time: 100, end_time: null, in_progress: false }, 130)));
});

test('order: newest first, equal start times by id', () => {
  const list = [ev('a', 1), ev('c', 3), ev('b', 3)].sort(compareEvents);
  assert.deepEqual(ids(list), ['c', 'b', 'a']);
});

test('filters: camera and label exact, zone among the entered zones', () => {
  const e = ev('a', 1, { zones: ['yard', 'porch'] });
  assert.ok(matchesFilters(e, {}));
  assert.ok(matchesFilters(e, { camera: 'front', label: 'person', zone: 'porch' }));
  assert.ok(!matchesFilters(e, { camera: 'back' }));
  assert.ok(!matchesFilters(e, { label: 'car' }));
  assert.ok(!matchesFilters(e, { zone: 'yar' }));
});

test('merging a page appends older events and drops duplicates', () => {
  const list = [ev('e5', 5), ev('e4', 4)];
  // The API's `before` is inclusive: the boundary event comes again.
  const merged = mergeEvents(list, [ev('e4', 4), ev('e3', 3), ev('e2', 2)]);
  assert.deepEqual(ids(merged), ['e5', 'e4', 'e3', 'e2']);
  assert.deepEqual(ids(list), ['e5', 'e4'], 'the input is not changed');
});

test('merging updates held events in place and inserts new ones in order', () => {
  const list = [ev('e5', 5, { in_progress: true }), ev('e3', 3)];
  const merged = mergeEvents(list, [ev('e5', 5, { in_progress: false, has_clip: true }), ev('e4', 4), ev('e6', 6)]);
  assert.deepEqual(ids(merged), ['e6', 'e5', 'e4', 'e3']);
  assert.equal(merged[1].in_progress, false);
  assert.equal(merged[1].has_clip, true);
  assert.equal(mergeEvents(list, []), list, 'nothing to merge: the same array');
});

test('the cursor follows the oldest event; done on a short page', () => {
  const list = [ev('e5', 5), ev('e4', 4)];
  assert.deepEqual(nextCursor({ list, page: new Array(PAGE_SIZE), added: 2, before: undefined }), {
    before: 4,
    done: false,
  });
  assert.equal(nextCursor({ list, page: [ev('e4', 4)], added: 0, before: 4 }).done, true);
});

test('a full page of nothing new steps the cursor below the stuck start time', () => {
  const list = [ev('x', 7)];
  const next = nextCursor({ list, page: new Array(PAGE_SIZE), added: 0, before: 7 });
  assert.equal(next.done, false);
  assert.ok(next.before < 7 && next.before > 6.99);
});

test('a head refresh merges when it overlaps, restarts when it may leave a gap', () => {
  const list = [ev('e3', 3), ev('e2', 2)];
  const { list: merged, reset } = mergeHead(list, [ev('e4', 4), ev('e3', 3, { has_clip: true })], 50);
  assert.equal(reset, false);
  assert.deepEqual(ids(merged), ['e4', 'e3', 'e2']);
  assert.equal(merged[1].has_clip, true);

  const page = [ev('n2', 20), ev('n1', 10)];
  const gap = mergeHead(list, page, 2);
  assert.equal(gap.reset, true);
  assert.deepEqual(ids(gap.list), ['n2', 'n1']);
});

test('socket messages: Frigate\'s object becomes a row', () => {
  const e = eventFromMessage(
    { id: 'a', camera: 'front', label: 'car', start_time: 5, end_time: null, top_score: 0.9, entered_zones: ['yard'], has_clip: false },
    'new',
  );
  assert.deepEqual(e, {
    id: 'a',
    camera: 'front',
    label: 'car',
    start_time: 5,
    top_score: 0.9,
    in_progress: true,
    end_time: null,
    zones: ['yard'],
    has_clip: false,
  });
  assert.equal(eventFromMessage({ id: 'a', start_time: 5, end_time: 9 }, 'end').in_progress, false);
  assert.equal(eventFromMessage({ nope: 1 }, 'new'), null);
});

test('parseEventMessage reads the payload string and refuses garbage', () => {
  const payload = JSON.stringify({ type: 'update', before: {}, after: { id: 'a', camera: 'c', label: 'l', start_time: 3 } });
  const msg = parseEventMessage(payload);
  assert.equal(msg.type, 'update');
  assert.equal(msg.event.id, 'a');
  assert.equal(parseEventMessage('{'), null);
  assert.equal(parseEventMessage('{"type":"new"}'), null);
  assert.equal(parseEventMessage(JSON.stringify({ type: 'new', after: { id: 'a' } })), null, 'no start_time');
});

const message = (type, object) => ({ type, event: eventFromMessage(object, type) });

test('a new event at the top of the list is inserted', () => {
  const list = [ev('e2', 2)];
  const next = applyEventMessage(list, message('new', { id: 'e3', camera: 'front', label: 'person', start_time: 3 }));
  assert.deepEqual(ids(next), ['e3', 'e2']);
  assert.equal(isInProgress(next[0]), true);
});

test('an end message clears the in-progress mark and keeps the row\'s other fields', () => {
  const list = [ev('e3', 3, { in_progress: true, zones: ['yard'] })];
  const next = applyEventMessage(list, message('end', { id: 'e3', camera: 'front', label: 'person', start_time: 3, end_time: 9 }));
  assert.equal(isInProgress(next[0]), false);
  assert.equal(next[0].end_time, 9);
  assert.deepEqual(next[0].zones, ['yard']);
});

test('an update without end_time keeps the row\'s end_time', () => {
  const list = [ev('e3', 3, { in_progress: true, end_time: 7 })];
  const next = applyEventMessage(list, message('update', { id: 'e3', start_time: 3, end_time: null, top_score: 0.95 }));
  assert.equal(next[0].end_time, 7);
  assert.equal(next[0].top_score, 0.95);
});

test('new events outside the filters, false positives and older than the loaded part are not added', () => {
  const list = [ev('e5', 5), ev('e4', 4)];
  const other = message('new', { id: 'x', camera: 'back', label: 'person', start_time: 6 });
  assert.equal(applyEventMessage(list, other, { camera: 'front' }), list);
  const fp = message('new', { id: 'x', camera: 'front', label: 'person', start_time: 6, false_positive: true });
  assert.equal(applyEventMessage(list, fp), list);
  const old = message('end', { id: 'x', camera: 'front', label: 'person', start_time: 1, end_time: 2 });
  assert.equal(applyEventMessage(list, old), list, 'comes with a later page');
  assert.deepEqual(ids(applyEventMessage(list, old, {}, true)), ['e5', 'e4', 'x'], 'the list is complete');
  assert.deepEqual(applyEventMessage([], old, {}, false), [], 'an empty list still loading');
});

test('tracked objects: a camera\'s in-progress events', () => {
  const list = [
    ev('a', 1, { in_progress: true }),
    ev('b', 2),
    ev('c', 3, { in_progress: true, camera: 'back' }),
    ev('d', 4, { in_progress: true }),
  ];
  assert.deepEqual(ids(trackedObjects(list, 'front')), ['d', 'a']);
});
