// The page's shared, live state: the config (and from it the cameras and their switches), the
// latest stats, and the WebSocket relay.
//
// The WebSocket (`ws`, relative to the page) brings switch states, `events` and `stats` as they
// happen; it is a speed-up, never needed for correctness: the config is polled every few seconds
// while the socket is not open (and every minute while it is, in case a message was lost), and
// views that show figures poll the stats themselves (needStats()). The socket reconnects with a
// growing delay when it closes.

import { useEffect, useState } from 'preact/hooks';
import { getJson, postText } from './api.js';
import { readCameras, switchesOf } from './lib/config.js';
import { parseEventMessage } from './lib/events.js';
import { backoffDelay, failuresAfterClose, parseSocketMessage, readSwitchTopic } from './lib/topics.js';
import { configUrl, statsUrl, switchUrl, wsUrl } from './lib/urls.js';

/** Poll periods, ms: without the socket, and with it. */
export const POLL_FAST = 5000;
export const POLL_SLOW = 60000;

let state = {
  config: null, // the last /api/config document
  cameras: [], // readCameras(config)
  switches: {}, // camera -> { detect, clips, snapshots }, as the server last reported
  configError: '', // why the last config load failed ('' when it worked)
  stats: null, // the last /api/stats document (from polling or the socket)
  socket: 'connecting', // 'connecting' | 'open' | 'closed'
};

const listeners = new Set();
const eventListeners = new Set();

function update(patch) {
  state = { ...state, ...patch };
  for (const fn of listeners) fn(state);
}

export const getState = () => state;

/** Calls fn(state) on every change; answers the function that stops it. */
export function subscribe(fn) {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

/** Preact hook: the live state, re-rendering on each change. */
export function useLive() {
  const [value, setValue] = useState(state);
  useEffect(() => {
    const stop = subscribe(setValue);
    setValue(state); // a change between the render and this effect
    return stop;
  }, []);
  return value;
}

/**
 * Calls fn({type, event}) for each `events` message of the socket (see lib/events.js
 * parseEventMessage); answers the function that stops it.
 */
export function onEventMessage(fn) {
  eventListeners.add(fn);
  return () => eventListeners.delete(fn);
}

// Ordering of switch reports: a config answer whose request started before the latest switch
// report (a POST answer or a socket message) must not overwrite the newer state.
let sequence = 0;
let lastSwitchReport = 0;

function setSwitches(camera, switches) {
  lastSwitchReport = ++sequence;
  update({ switches: { ...state.switches, [camera]: { ...state.switches[camera], ...switches } } });
}

let configTimer = 0;
let configLoading = null;

/** Loads /api/config now (one load at a time); the next poll is scheduled after it. */
export function loadConfig() {
  if (configLoading) return configLoading;
  const started = ++sequence;
  clearTimeout(configTimer);
  configLoading = getJson(configUrl())
    .then((config) => {
      const cameras = readCameras(config);
      const patch = { config, cameras, configError: '' };
      if (started > lastSwitchReport) {
        patch.switches = Object.fromEntries(cameras.map((c) => [c.name, c.switches]));
      } else {
        // Keep the newer reported switches; cameras that appeared take the config's.
        patch.switches = Object.fromEntries(
          cameras.map((c) => [c.name, state.switches[c.name] || switchesOf(config.cameras[c.name])]),
        );
      }
      update(patch);
    })
    .catch((error) => update({ configError: error.message || String(error) }))
    .finally(() => {
      configLoading = null;
      scheduleConfig();
    });
  return configLoading;
}

function scheduleConfig() {
  clearTimeout(configTimer);
  configTimer = setTimeout(() => {
    if (document.hidden) scheduleConfig();
    else loadConfig();
  }, state.socket === 'open' ? POLL_SLOW : POLL_FAST);
}

/**
 * Switches a camera's detect, clips or snapshots on or off (POST api/<camera>/<feature>/set).
 * The state shown is the one the server answers; throws the server's message on failure.
 */
export async function setSwitch(camera, feature, on) {
  const started = ++sequence;
  const switches = await postText(switchUrl(camera, feature), on ? 'ON' : 'OFF');
  if (started > lastSwitchReport || !state.switches[camera]) {
    setSwitches(camera, {
      detect: Boolean(switches.detect),
      clips: Boolean(switches.clips),
      snapshots: Boolean(switches.snapshots),
    });
  }
  return switches;
}

// Stats: polled every POLL_FAST ms while at least one view needs them.
let statsDemand = 0;
let statsTimer = 0;

async function loadStats() {
  clearTimeout(statsTimer);
  try {
    if (!document.hidden) update({ stats: await getJson(statsUrl()) });
  } catch {
    // shown as missing figures; the next poll tries again
  }
  if (statsDemand > 0) statsTimer = setTimeout(loadStats, POLL_FAST);
}

/** A view that shows figures calls this while shown; answers the release function. */
export function needStats() {
  statsDemand += 1;
  if (statsDemand === 1) loadStats();
  let released = false;
  return () => {
    if (released) return;
    released = true;
    statsDemand -= 1;
    if (statsDemand === 0) clearTimeout(statsTimer);
  };
}

/** Preact hook: the live state, with the stats polled while the component is shown. */
export function useStats() {
  useEffect(() => needStats(), []);
  return useLive();
}

// The socket.
let socket = null;
let failures = 0;
let reconnectTimer = 0;
let openedAt = 0; // Date.now() when the socket opened, 0 while it is not open

function handleMessage(text) {
  const msg = parseSocketMessage(text);
  if (!msg) return;
  const change = readSwitchTopic(msg.topic, msg.payload);
  if (change) {
    if (state.switches[change.camera] || state.cameras.some((c) => c.name === change.camera)) {
      setSwitches(change.camera, { [change.feature]: change.on });
    }
    return;
  }
  if (msg.topic === 'events') {
    const event = parseEventMessage(msg.payload);
    if (event) for (const fn of eventListeners) fn(event);
    return;
  }
  if (msg.topic === 'stats') {
    try {
      update({ stats: JSON.parse(msg.payload) });
    } catch {
      // a stats payload that is not JSON is ignored
    }
  }
}

function connect() {
  clearTimeout(reconnectTimer);
  try {
    socket = new WebSocket(wsUrl(document.baseURI));
  } catch {
    socket = null;
    closed();
    return;
  }
  update({ socket: 'connecting' });
  socket.onopen = () => {
    openedAt = Date.now();
    update({ socket: 'open' });
    // What changed while the socket was away.
    loadConfig();
  };
  socket.onmessage = (e) => {
    if (typeof e.data === 'string') handleMessage(e.data);
  };
  socket.onclose = () => closed();
}

function closed() {
  if (socket) socket.onopen = socket.onmessage = socket.onclose = null;
  socket = null;
  const wasOpen = state.socket === 'open';
  failures = failuresAfterClose(failures, openedAt ? Date.now() - openedAt : 0);
  openedAt = 0;
  const delay = backoffDelay(failures);
  failures += 1;
  update({ socket: 'closed' });
  // From the slow poll back to the fast one (a failed reconnect leaves the running poll alone).
  if (wasOpen) scheduleConfig();
  reconnectTimer = setTimeout(connect, delay);
}

let started = false;

/** Starts the config load and the socket, once. */
export function start() {
  if (started) return;
  started = true;
  loadConfig();
  connect();
  document.addEventListener('visibilitychange', () => {
    if (document.hidden) return;
    // Back in view: bring the state up to date at once.
    loadConfig();
    if (statsDemand > 0) loadStats();
    if (!socket && state.socket === 'closed') connect();
  });
}
