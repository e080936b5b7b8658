// Relative URLs of the server's API (docs/api.md). Every URL here is relative to the page, so the
// page works under any path prefix (Home Assistant's ingress, a reverse proxy). Each path segment
// built from data (a camera, label or event id) is percent-encoded.

const seg = encodeURIComponent;

/**
 * "?a=1&b=2" from an object, or "" when nothing is left. Values undefined, null, '' and false are
 * left out; true is written 1.
 */
export function query(params = {}) {
  const parts = [];
  for (const [key, value] of Object.entries(params)) {
    if (value === undefined || value === null || value === '' || value === false) continue;
    const text = value === true ? '1' : String(value);
    parts.push(`${encodeURIComponent(key)}=${encodeURIComponent(text)}`);
  }
  return parts.length ? `?${parts.join('&')}` : '';
}

export const configUrl = () => 'api/config';
export const statsUrl = () => 'api/stats';
export const versionUrl = () => 'api/version';

/**
 * latest.jpg of a camera. `t` is a cache breaker (the server ignores unknown parameters); `h` the
 * picture height; overlay flags as in overlayParams().
 */
export function latestUrl(camera, { h, t, ...flags } = {}) {
  return `api/${seg(camera)}/latest.jpg${query({ h, ...flags, t })}`;
}

/** The camera's live MJPEG stream, `fps` 1..30, `h` picture height, plus overlay flags. */
export function streamUrl(camera, { fps, h, ...flags } = {}) {
  return `api/${seg(camera)}${query({ fps, h, ...flags })}`;
}

/** The camera's best picture of a label; `crop` a square around the object. */
export function bestUrl(camera, label, { h, crop, t } = {}) {
  return `api/${seg(camera)}/${seg(label)}/best.jpg${query({ h, crop, t })}`;
}

/** POST target of a camera switch; feature is detect, clips or snapshots. */
export function switchUrl(camera, feature) {
  return `api/${seg(camera)}/${seg(feature)}/set`;
}

/**
 * The event list: filters camera, label, zone; `before` (epoch seconds, start_time <= before);
 * `limit`. Thumbnails are left out (the page shows thumbnail.jpg instead), which keeps a page of
 * 50 events around 12 kB.
 */
export function eventsUrl({ camera, label, zone, before, after, limit } = {}) {
  return `api/events${query({ camera, label, zone, before, after, limit, include_thumbnails: 0 })}`;
}

export const eventUrl = (id) => `api/events/${seg(id)}`;
export const thumbnailUrl = (id) => `api/events/${seg(id)}/thumbnail.jpg`;

/** The event's snapshot through the API (also for an event in progress). */
export function snapshotUrl(id, { h, bbox, crop, timestamp } = {}) {
  return `api/events/${seg(id)}/snapshot.jpg${query({ h, bbox, crop, timestamp })}`;
}

/** The clip file of a finished event with has_clip (served with Range support). */
export const clipUrl = (camera, id) => `clips/${seg(`${camera}-${id}.mp4`)}`;

/** The saved snapshot file of a finished event with has_snapshot. */
export const snapshotFileUrl = (camera, id) => `clips/${seg(`${camera}-${id}.jpg`)}`;

/** An epoch time as a URL segment: plain decimal, at most 3 decimals (1764720003.1). */
export function epochText(seconds) {
  // Between 1e-3 and 1e21 a number's String() has no exponent.
  return String(Math.round(Number(seconds) * 1000) / 1000);
}

/**
 * The camera's recordings index (corvette's extension): the spans, gaps and events between
 * `after` and `before` (epoch seconds).
 */
export function recordingsUrl(camera, { after, before } = {}) {
  const q = query({
    after: after === undefined ? undefined : epochText(after),
    before: before === undefined ? undefined : epochText(before),
  });
  return `api/${seg(camera)}/recordings${q}`;
}

/**
 * One mp4 of the camera's recordings from `start` to `end` (epoch seconds): stream copy, so it
 * starts at the keyframe at or before `start`; served with Range support.
 */
export function exportUrl(camera, start, end) {
  return `api/${seg(camera)}/start/${epochText(start)}/end/${epochText(end)}/clip.mp4`;
}

/**
 * The WebSocket URL of the relay, "ws" resolved against the page's base URL, with ws: or wss:
 * for http: or https:.
 */
export function wsUrl(baseUri) {
  const url = new URL('ws', baseUri);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  url.hash = '';
  url.search = '';
  return url.href;
}
