// Hash routes of the page. The document is always the page at the prefix root (Home Assistant's
// ingress or any reverse proxy may put it under a path), so every view lives in the URL's hash:
//
//   #/                          cameras
//   #/cameras/<name>            one camera
//   #/events?camera=&label=&zone=   the event list, filtered
//   #/events/<id>               one event
//   #/system                    figures, storage, effective config
//   #/editor?camera=<name>      mask and zone editor
//   #/recordings                the cameras, to pick one's recordings
//   #/recordings/<name>?day=YYYY-MM-DD   a camera's recordings timeline (default day: today)
//
// Path segments are percent-encoded (encodeURIComponent); query values too.

/** The event filters kept in the URL, in the order they are written. */
export const FILTER_KEYS = ['camera', 'label', 'zone'];

/** decodeURIComponent that answers null instead of throwing on a broken escape. */
export function safeDecode(text) {
  try {
    return decodeURIComponent(text);
  } catch {
    return null;
  }
}

/**
 * Reads a location.hash ("#/events?camera=front") into
 * { view, camera?, id?, filters?, day?, path }. view is one of cameras, camera, events, event,
 * system, editor, recordings, notfound. The recordings view's camera is '' for the bare
 * `#/recordings` and its day '' when the URL names none (the view reads it, lib/timeline.js).
 */
export function parseRoute(hash) {
  let text = String(hash || '');
  if (text.startsWith('#')) text = text.slice(1);
  const q = text.indexOf('?');
  const pathPart = q < 0 ? text : text.slice(0, q);
  const params = new URLSearchParams(q < 0 ? '' : text.slice(q + 1));
  const raw = pathPart.split('/').filter((s) => s !== '');
  const segments = raw.map(safeDecode);
  const path = pathPart || '/';
  if (segments.some((s) => s === null || s === '')) return { view: 'notfound', path };

  const [first, second, ...rest] = segments;
  if (rest.length > 0) return { view: 'notfound', path };
  if (first === undefined) return { view: 'cameras', path };
  if (first === 'cameras') {
    return second === undefined ? { view: 'cameras', path } : { view: 'camera', camera: second, path };
  }
  if (first === 'events') {
    if (second === undefined) return { view: 'events', filters: readFilters(params), path };
    return { view: 'event', id: second, path };
  }
  if (first === 'system' && second === undefined) return { view: 'system', path };
  if (first === 'recordings') {
    return { view: 'recordings', camera: second ?? '', day: params.get('day') || '', path };
  }
  if (first === 'editor' && second === undefined) {
    return { view: 'editor', camera: params.get('camera') || '', path };
  }
  return { view: 'notfound', path };
}

/** { camera, label, zone } from URLSearchParams; absent or empty values are ''. */
export function readFilters(params) {
  const filters = {};
  for (const key of FILTER_KEYS) filters[key] = params.get(key) || '';
  return filters;
}

/** "a=1&b=2" from [key, value] pairs, leaving out empty values. */
function queryString(pairs) {
  return pairs
    .filter(([, v]) => v !== undefined && v !== null && v !== '')
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`)
    .join('&');
}

export const hrefCameras = () => '#/';
export const hrefCamera = (name) => `#/cameras/${encodeURIComponent(name)}`;
export const hrefEvent = (id) => `#/events/${encodeURIComponent(id)}`;
export const hrefSystem = () => '#/system';

/** "#/recordings/<camera>", with "?day=YYYY-MM-DD" when a day is given; "#/recordings" without a camera. */
export function hrefRecordings(camera = '', day = '') {
  const base = camera ? `#/recordings/${encodeURIComponent(camera)}` : '#/recordings';
  const qs = queryString([['day', day]]);
  return qs ? `${base}?${qs}` : base;
}

/** "#/events" or "#/events?camera=..&label=..&zone=.." (empty filters left out). */
export function hrefEvents(filters = {}) {
  const qs = queryString(FILTER_KEYS.map((k) => [k, filters[k]]));
  return qs ? `#/events?${qs}` : '#/events';
}

export function hrefEditor(camera) {
  const qs = queryString([['camera', camera]]);
  return qs ? `#/editor?${qs}` : '#/editor';
}

/** True when two filter objects select the same events. */
export function sameFilters(a, b) {
  return FILTER_KEYS.every((k) => (a?.[k] || '') === (b?.[k] || ''));
}
