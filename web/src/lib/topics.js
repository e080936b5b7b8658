// The WebSocket relay's messages: text frames {"topic": "<topic without prefix>", "payload":
// "<string>"} carrying Frigate's MQTT topics (docs/api.md, the WebSocket relay).

import { FEATURES } from './config.js';

/** { topic, payload } from a frame's text; null when it is not such a message. */
export function parseSocketMessage(text) {
  let msg;
  try {
    msg = JSON.parse(text);
  } catch {
    return null;
  }
  if (!msg || typeof msg.topic !== 'string') return null;
  return { topic: msg.topic, payload: typeof msg.payload === 'string' ? msg.payload : String(msg.payload ?? '') };
}

/**
 * A switch's state from `<camera>/<detect|clips|snapshots>/state` with payload ON or OFF:
 * { camera, feature, on }; null for any other topic or payload.
 */
export function readSwitchTopic(topic, payload) {
  const parts = topic.split('/');
  if (parts.length !== 3 || parts[2] !== 'state' || !parts[0]) return null;
  if (!FEATURES.includes(parts[1])) return null;
  if (payload !== 'ON' && payload !== 'OFF') return null;
  return { camera: parts[0], feature: parts[1], on: payload === 'ON' };
}

/**
 * Milliseconds to wait before reconnecting after `failures` failed tries in a row: 1 s doubling
 * up to 30 s, times a jitter factor in [0.5, 1) from `random` (a number in [0, 1)).
 */
export function backoffDelay(failures, random = Math.random()) {
  const base = Math.min(30000, 1000 * 2 ** Math.max(0, failures));
  return Math.round(base * (0.5 + random / 2));
}

/** How long a socket must have stayed open for its close to start the backoff over, ms. */
export const STABLE_OPEN_MS = 10000;

/**
 * Failed tries in a row after a socket closed that had been open `openMs` ms (0 when it never
 * opened). Only a socket that stayed open a while resets the count: one that a proxy or the
 * server closes right after the handshake would otherwise be retried every second, forever.
 */
export function failuresAfterClose(failures, openMs) {
  return openMs >= STABLE_OPEN_MS ? 0 : failures;
}
