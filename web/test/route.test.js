import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  hrefCamera,
  hrefEditor,
  hrefEvent,
  hrefEvents,
  parseRoute,
  sameFilters,
} from '../src/lib/route.js';

test('the empty hash and #/ are the cameras', () => {
  assert.equal(parseRoute('').view, 'cameras');
  assert.equal(parseRoute('#').view, 'cameras');
  assert.equal(parseRoute('#/').view, 'cameras');
  assert.equal(parseRoute('#/cameras').view, 'cameras');
});

test('a camera route decodes its name', () => {
  assert.deepEqual(parseRoute('#/cameras/front%20door'), {
    view: 'camera',
    camera: 'front door',
    path: '/cameras/front%20door',
  });
});

test('a camera name round-trips through hrefCamera, whatever it holds', () => {
  for (const name of ['front', 'front door', 'a/b', 'ünï', '<script>', '50%', 'a?b#c', 'x&y=z']) {
    const route = parseRoute(hrefCamera(name));
    assert.equal(route.view, 'camera');
    assert.equal(route.camera, name);
  }
});

test('an event id round-trips through hrefEvent', () => {
  const id = '1700000000.123456-ab/c';
  assert.deepEqual(parseRoute(hrefEvent(id)).id, id);
  assert.equal(parseRoute(hrefEvent(id)).view, 'event');
});

test('event filters are read from the query, absent ones empty', () => {
  const r = parseRoute('#/events?camera=front&label=person');
  assert.equal(r.view, 'events');
  assert.deepEqual(r.filters, { camera: 'front', label: 'person', zone: '' });
  assert.deepEqual(parseRoute('#/events').filters, { camera: '', label: '', zone: '' });
});

test('the first of a repeated filter counts', () => {
  assert.equal(parseRoute('#/events?label=car&label=person').filters.label, 'car');
});

test('filters round-trip through hrefEvents, including characters that need escaping', () => {
  const filters = { camera: 'back yard', label: 'a&b=c', zone: '#1 + 2' };
  assert.deepEqual(parseRoute(hrefEvents(filters)).filters, filters);
});

test('hrefEvents leaves empty filters out and keeps a fixed order', () => {
  assert.equal(hrefEvents({}), '#/events');
  assert.equal(hrefEvents({ zone: 'yard', camera: 'front', label: '' }), '#/events?camera=front&zone=yard');
});

test('system and editor routes', () => {
  assert.equal(parseRoute('#/system').view, 'system');
  assert.deepEqual(parseRoute('#/editor'), { view: 'editor', camera: '', path: '/editor' });
  assert.equal(parseRoute(hrefEditor('front door')).camera, 'front door');
  assert.equal(hrefEditor(''), '#/editor');
});

test('unknown paths, extra segments and broken escapes are not found', () => {
  for (const hash of ['#/nope', '#/cameras/a/b', '#/events/1/2', '#/system/x', '#/cameras/%E0%A4%A']) {
    assert.equal(parseRoute(hash).view, 'notfound', hash);
  }
});

test('sameFilters treats missing and empty alike', () => {
  assert.ok(sameFilters({ camera: 'a' }, { camera: 'a', label: '', zone: '' }));
  assert.ok(!sameFilters({ camera: 'a' }, { camera: 'b' }));
});
