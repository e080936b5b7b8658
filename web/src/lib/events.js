// The event list the page holds: pages from /api/events merged in, messages of the WebSocket
// `events` topic applied, in-progress detection. Lists are arrays of event objects sorted newest
// first (start_time descending, then id descending), without duplicate ids. Every function returns
// a new array (or the same one when nothing changed) and never changes its arguments.

/** The page size the list loads with (the API's `limit`). */
export const PAGE_SIZE = 50;

/**
 * True while the event's object is still tracked. corvette says so in `in_progress`; Frigate
 * 0.8's messages and rows leave `end_time` null instead.
 */
export function isInProgress(event) {
  if (!event) return false;
  if (typeof event.in_progress === 'boolean') return event.in_progress;
  return event.end_time === null || event.end_time === undefined;
}

/**
 * Seconds the event lasted, or has lasted so far for one in progress: up to `nowSeconds`, or to
 * its `end_time` when that is later. (corvette's `end_time` of an event in progress is the last
 * time the object was seen, refreshed about once a second in the row and never by the socket's
 * update messages, so it lags; Frigate 0.8 leaves it null.) NaN when unknown.
 */
export function eventDuration(event, nowSeconds = Date.now() / 1000) {
  const start = event?.start_time;
  if (typeof start !== 'number') return NaN;
  const seen = typeof event.end_time === 'number' ? event.end_time : NaN;
  const end = isInProgress(event) ? Math.max(nowSeconds, Number.isNaN(seen) ? -Infinity : seen) : seen;
  return Math.max(0, end - start);
}

/** Newest first; equal start times by id, so the order is total. */
export function compareEvents(a, b) {
  if (a.start_time !== b.start_time) return b.start_time - a.start_time;
  return a.id < b.id ? 1 : a.id > b.id ? -1 : 0;
}

/** True when the event passes the list's filters ({camera, label, zone}, '' = any). */
export function matchesFilters(event, filters = {}) {
  if (filters.camera && event.camera !== filters.camera) return false;
  if (filters.label && event.label !== filters.label) return false;
  if (filters.zone && !(Array.isArray(event.zones) && event.zones.includes(filters.zone))) return false;
  return true;
}

/**
 * The list with `incoming` events merged in: an id already held is updated (the fields of the
 * incoming event win), a new one is inserted at its place. `incoming` need not be sorted.
 */
export function mergeEvents(list, incoming) {
  if (!incoming || incoming.length === 0) return list;
  const updates = new Map();
  for (const event of incoming) {
    if (event && typeof event.id === 'string') updates.set(event.id, event);
  }
  let changed = false;
  const kept = list.map((event) => {
    const update = updates.get(event.id);
    if (!update) return event;
    updates.delete(event.id);
    changed = true;
    return { ...event, ...update };
  });
  if (updates.size === 0) return changed ? kept : list;
  // Merge two sorted arrays: O(n + m), so loading page after page stays linear.
  const added = [...updates.values()].sort(compareEvents);
  const out = new Array(kept.length + added.length);
  let i = 0;
  let j = 0;
  let k = 0;
  while (i < kept.length && j < added.length) {
    out[k++] = compareEvents(kept[i], added[j]) <= 0 ? kept[i++] : added[j++];
  }
  while (i < kept.length) out[k++] = kept[i++];
  while (j < added.length) out[k++] = added[j++];
  return out;
}

/**
 * Where the next older page starts after loading `page` (the events of the request made with
 * `before`): { before, done }. `before` is the oldest start_time held (the API's `before` is
 * inclusive, so that event comes again and is merged away). When a full page brought nothing
 * new (more than a page of events share one start_time), the cursor steps just below it rather
 * than asking for the same page forever. `done` when the page was not full.
 */
export function nextCursor({ list, page, added, limit = PAGE_SIZE, before }) {
  const done = page.length < limit;
  const oldest = list.length ? list[list.length - 1].start_time : undefined;
  if (!done && added === 0 && typeof before === 'number') return { before: before - 1e-6, done };
  return { before: oldest, done };
}

/**
 * Merges the newest page (a refresh of the list's head) into the list. When the page is full and
 * wholly newer than everything held, events may be missing between the two: the list then
 * restarts from the page ({ list: page, reset: true }).
 */
export function mergeHead(list, page, limit = PAGE_SIZE) {
  const sorted = [...page].sort(compareEvents);
  if (
    list.length > 0 &&
    sorted.length >= limit &&
    compareEvents(sorted[sorted.length - 1], list[0]) < 0
  ) {
    return { list: sorted, reset: true };
  }
  return { list: mergeEvents(list, sorted), reset: false };
}

/**
 * An event row from the object of a WebSocket `events` message (`after`, or `before`). Frigate's
 * object has `entered_zones` where the API has `zones`; messages other than `end` are for an
 * object still tracked.
 */
export function eventFromMessage(object, type) {
  if (!object || typeof object.id !== 'string') return null;
  const event = {
    id: object.id,
    camera: object.camera,
    label: object.label,
    start_time: object.start_time,
    top_score: typeof object.top_score === 'number' ? object.top_score : object.score,
    in_progress: type !== 'end',
    end_time: typeof object.end_time === 'number' ? object.end_time : null,
  };
  const zones = Array.isArray(object.zones) ? object.zones : object.entered_zones;
  if (Array.isArray(zones)) event.zones = zones;
  if (typeof object.has_clip === 'boolean') event.has_clip = object.has_clip;
  if (typeof object.has_snapshot === 'boolean') event.has_snapshot = object.has_snapshot;
  if (object.false_positive === true) event.false_positive = true;
  return event;
}

/** The payload of an `events` message ({type, before, after}), parsed; null when malformed. */
export function parseEventMessage(payload) {
  let msg = payload;
  if (typeof payload === 'string') {
    try {
      msg = JSON.parse(payload);
    } catch {
      return null;
    }
  }
  if (!msg || typeof msg !== 'object') return null;
  const event = eventFromMessage(msg.after || msg.before, msg.type);
  if (!event || typeof event.start_time !== 'number') return null;
  return { type: msg.type, event };
}

/**
 * Applies an `events` message to a list filtered by `filters`. A held event is updated. A new one
 * that passes the filters is inserted when it belongs to the part of the history the list holds:
 * anywhere once the list is `complete` (its oldest page loaded), else not older than its oldest
 * event (older ones come with the next page). False positives are never added.
 */
export function applyEventMessage(list, message, filters = {}, complete = false) {
  if (!message) return list;
  const { event } = message;
  if (list.some((e) => e.id === event.id)) {
    // An update message carries no end_time of the row: keep the row's own.
    const update = { ...event };
    if (update.end_time === null && update.in_progress) delete update.end_time;
    return mergeEvents(list, [update]);
  }
  if (event.false_positive || !matchesFilters(event, filters)) return list;
  const oldest = list[list.length - 1];
  if (!complete && (!oldest || compareEvents(event, oldest) > 0)) return list;
  return mergeEvents(list, [event]);
}

/**
 * The objects a camera tracks now: its in-progress events, newest first, from a list of events
 * of any cameras.
 */
export function trackedObjects(events, camera) {
  return events.filter((e) => e.camera === camera && isInProgress(e)).sort(compareEvents);
}
