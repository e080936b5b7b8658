import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  STABLE_OPEN_MS,
  backoffDelay,
  failuresAfterClose,
  parseSocketMessage,
  readSwitchTopic,
} from '../src/lib/topics.js';

test('socket frames', () => {
  assert.deepEqual(parseSocketMessage('{"topic":"front/detect/state","payload":"ON"}'), {
    topic: 'front/detect/state',
    payload: 'ON',
  });
  assert.equal(parseSocketMessage('nope'), null);
  assert.equal(parseSocketMessage('{"payload":"x"}'), null);
  assert.equal(parseSocketMessage('{"topic":"stats","payload":5}').payload, '5');
});

test('switch states', () => {
  assert.deepEqual(readSwitchTopic('front/detect/state', 'ON'), { camera: 'front', feature: 'detect', on: true });
  assert.deepEqual(readSwitchTopic('front door/snapshots/state', 'OFF'), {
    camera: 'front door',
    feature: 'snapshots',
    on: false,
  });
  assert.equal(readSwitchTopic('front/detect/set', 'ON'), null);
  assert.equal(readSwitchTopic('front/record/state', 'ON'), null);
  assert.equal(readSwitchTopic('front/detect/state', 'on'), null);
  assert.equal(readSwitchTopic('front/person', '2'), null);
  assert.equal(readSwitchTopic('/detect/state', 'ON'), null);
});

test('reconnect delay grows from about 1 s to at most 30 s', () => {
  assert.equal(backoffDelay(0, 0), 500);
  assert.equal(backoffDelay(0, 0.999999), 1000);
  assert.equal(backoffDelay(3, 0.999999), 8000);
  assert.ok(backoffDelay(20, 0.999999) <= 30000);
  assert.ok(backoffDelay(20, 0) >= 15000);
});

test('a socket closed right after it opened keeps backing off', () => {
  // Reset on every open, a socket that a proxy closes after the handshake was retried (and the
  // config reloaded) every second, forever.
  assert.equal(failuresAfterClose(4, 0), 4, 'never opened');
  assert.equal(failuresAfterClose(4, 200), 4, 'closed at once');
  assert.equal(failuresAfterClose(4, STABLE_OPEN_MS), 0, 'was open a while');
  let failures = 0;
  for (let i = 0; i < 10; i += 1) failures = failuresAfterClose(failures, 50) + 1;
  assert.ok(backoffDelay(failures, 0) >= 15000);
});
