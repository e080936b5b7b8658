// Reading /api/config (Frigate 0.8's shape, docs/config.md) into what the page needs.

import { parseMasks, parsePolygon } from './yaml.js';

const isObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);
const positive = (v) => (typeof v === 'number' && v > 0 ? v : null);

/** The three switches a camera has, in the order the page shows them. */
export const FEATURES = ['detect', 'clips', 'snapshots'];

/** A camera's switches from its config: { detect, clips, snapshots } booleans. */
export function switchesOf(cam) {
  const out = {};
  for (const f of FEATURES) out[f] = Boolean(isObject(cam?.[f]) && cam[f].enabled);
  return out;
}

/**
 * The cameras of the config, in its order:
 * [{ name, width, height, fps, labels, zones: [{name, points}], motionMasks: [points],
 *    objectMasks: [points], filterMasks: {label: [points]}, switches }]
 * width/height are the detect resolution (null when missing); fps null when not set.
 */
export function readCameras(config) {
  const cameras = isObject(config?.cameras) ? config.cameras : {};
  return Object.entries(cameras)
    .filter(([, cam]) => isObject(cam))
    .map(([name, cam]) => {
      const objects = isObject(cam.objects) ? cam.objects : {};
      const objectMasks = parseMasks(objects.mask);
      // A filter's mask list starts with the objects-level masks (Frigate's shape): keep only the
      // label's own.
      const shared = new Set(objectMasks.map((p) => p.join(',')));
      const filterMasks = {};
      for (const [label, filter] of Object.entries(isObject(objects.filters) ? objects.filters : {})) {
        const masks = parseMasks(filter?.mask).filter((p) => !shared.has(p.join(',')));
        if (masks.length) filterMasks[label] = masks;
      }
      const zones = Object.entries(isObject(cam.zones) ? cam.zones : {})
        .map(([zone, z]) => ({ name: zone, points: parsePolygon(z?.coordinates) }))
        .filter((z) => z.points);
      return {
        name,
        width: positive(cam.width),
        height: positive(cam.height),
        fps: positive(cam.fps),
        labels: Array.isArray(objects.track) ? objects.track.filter((l) => typeof l === 'string') : [],
        zones,
        motionMasks: parseMasks(cam.motion?.mask),
        objectMasks,
        filterMasks,
        switches: switchesOf(cam),
      };
    });
}

/** CSS aspect-ratio of a camera's picture ("768 / 576"); 16 / 9 when its size is unknown. */
export function aspectRatio(cam) {
  return cam?.width && cam?.height ? `${cam.width} / ${cam.height}` : '16 / 9';
}

/** Every label tracked by some camera (or by `camera` alone), sorted. */
export function labelsOf(cameras, camera = '') {
  const set = new Set();
  for (const cam of cameras) if (!camera || cam.name === camera) cam.labels.forEach((l) => set.add(l));
  return [...set].sort();
}

/** Every zone name of some camera (or of `camera` alone), sorted. */
export function zonesOf(cameras, camera = '') {
  const set = new Set();
  for (const cam of cameras) if (!camera || cam.name === camera) cam.zones.forEach((z) => set.add(z.name));
  return [...set].sort();
}

/**
 * The frame rate the live view asks for: the camera's configured fps, else the rate frames
 * arrive at (stats' camera_fps), else 5; whole, between 1 and 30 (the stream's range), never
 * above the camera's own. `current` is the rate the view already streams at: a measured rate
 * jitters around its value (4.98, 5.02 ...), and each new rate is a new stream, so `current`
 * is kept while the measured rate is within a quarter of it.
 */
export function liveFps(cam, statsFps, current = 0) {
  const clampFps = (v) => Math.min(30, Math.max(1, Math.floor(v) || 1));
  if (cam?.fps) return clampFps(cam.fps);
  if (!(statsFps > 0)) return current > 0 ? current : 5;
  if (current > 0 && Math.abs(statsFps - current) <= current / 4) return current;
  return clampFps(statsFps);
}

/**
 * The picture height to ask the server for, to fill `displayHeight` CSS pixels at
 * `devicePixelRatio`: the next of a few fixed steps (so viewers share the server's encodes), at
 * most the camera's height.
 */
export function pictureHeight(displayHeight, devicePixelRatio, cameraHeight) {
  const want = Math.max(1, displayHeight) * (devicePixelRatio || 1);
  const steps = [180, 270, 360, 540, 720, 1080, 1440, 2160];
  const step = steps.find((s) => s >= want) || steps[steps.length - 1];
  return cameraHeight ? Math.min(step, cameraHeight) : step;
}

/**
 * Why `name` cannot be a zone name of the config (docs/config.md: no `/ \ + #`, no control
 * characters, not starting with `.`, not a camera's name); '' when it can.
 */
export function zoneNameProblem(name, cameraNames = []) {
  if (!name) return 'A zone needs a name.';
  if (/[/\\+#]/.test(name)) return 'A zone name may not contain / \\ + or #.';
  if (/[\u0000-\u001f\u007f]/.test(name)) return 'A zone name may not contain control characters.';
  if (name.startsWith('.')) return 'A zone name may not start with a dot.';
  if (cameraNames.includes(name)) return 'A zone may not be named like a camera.';
  return '';
}
