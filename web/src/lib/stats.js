// Reading /api/stats (docs/api.md): every top-level key other than detectors, detection_fps and
// service is a camera.

const RESERVED = new Set(['detectors', 'detection_fps', 'service']);
const num = (v) => (typeof v === 'number' && Number.isFinite(v) ? v : NaN);
const isObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);

/**
 * The stats document as lists:
 * { cameras: [{name, cameraFps, processFps, skippedFps, detectionFps, capturePid, pid, roles}],
 *   detectors: [{name, inferenceSpeed, detectionStart, pid, busy}], detectionFps,
 *   uptime, version, storage: [{path, total, used, free, mountType, usedFraction}] }
 * Cameras, detectors and storage paths are sorted by name. Missing figures are NaN.
 */
export function readStats(doc) {
  const out = { cameras: [], detectors: [], detectionFps: NaN, uptime: NaN, version: '', storage: [] };
  if (!isObject(doc)) return out;
  for (const [name, cam] of Object.entries(doc)) {
    if (RESERVED.has(name) || !isObject(cam)) continue;
    out.cameras.push({
      name,
      cameraFps: num(cam.camera_fps),
      processFps: num(cam.process_fps),
      skippedFps: num(cam.skipped_fps),
      detectionFps: num(cam.detection_fps),
      capturePid: num(cam.capture_pid),
      pid: num(cam.pid),
      roles: readRoles(cam.roles),
    });
  }
  for (const [name, det] of Object.entries(isObject(doc.detectors) ? doc.detectors : {})) {
    if (!isObject(det)) continue;
    const start = num(det.detection_start);
    out.detectors.push({
      name,
      inferenceSpeed: num(det.inference_speed),
      detectionStart: start,
      pid: num(det.pid),
      busy: start > 0,
    });
  }
  out.detectionFps = num(doc.detection_fps);
  const service = isObject(doc.service) ? doc.service : {};
  out.uptime = num(service.uptime);
  out.version = typeof service.version === 'string' ? service.version : '';
  for (const [path, s] of Object.entries(isObject(service.storage) ? service.storage : {})) {
    if (!isObject(s)) continue;
    const total = num(s.total);
    const used = num(s.used);
    out.storage.push({
      path,
      total,
      used,
      free: num(s.free),
      mountType: s.mount_type || s.mnt_type || '',
      usedFraction: total > 0 ? Math.min(1, Math.max(0, used / total)) : NaN,
    });
  }
  const byName = (a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
  out.cameras.sort(byName);
  out.detectors.sort(byName);
  out.storage.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return out;
}

/** corvette's `roles` ({detect: {state, error?}, ...}) as [{role, state, error}]. */
export function readRoles(roles) {
  if (!isObject(roles)) return [];
  return Object.entries(roles)
    .filter(([, r]) => isObject(r))
    .map(([role, r]) => ({ role, state: String(r.state || 'unknown'), error: r.error ? String(r.error) : '' }));
}

/**
 * A camera's health from its figures: 'ok' (frames arrive, every role running), 'warn' (frames
 * arrive but a role is not running, or frames are skipped), 'down' (no frames), 'unknown' (no
 * figures).
 */
export function cameraHealth(cam) {
  if (!cam || Number.isNaN(cam.cameraFps)) return 'unknown';
  if (!(cam.cameraFps > 0)) return 'down';
  if (cam.roles.some((r) => r.state !== 'running') || cam.skippedFps > 0) return 'warn';
  return 'ok';
}

/** The used fraction of a storage entry at or over which the page warns (90 %). */
export const STORAGE_WARN = 0.9;
