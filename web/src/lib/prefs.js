// Settings kept in the browser (localStorage): the live view's overlays, per camera.
// `storage` is a Storage-like object (getItem/setItem); a storage that throws (private modes,
// quota) or holds garbage gives the defaults.

/** The overlays of the live view, in the order the page shows them (the API's flag names). */
export const OVERLAYS = ['bbox', 'timestamp', 'zones', 'mask', 'motion', 'regions'];

export const OVERLAY_LABELS = {
  bbox: 'Bounding boxes',
  timestamp: 'Timestamp',
  zones: 'Zones',
  mask: 'Motion mask',
  motion: 'Motion boxes',
  regions: 'Regions',
};

/** Boxes on, the rest off. */
export const DEFAULT_OVERLAYS = Object.freeze({
  bbox: true,
  timestamp: false,
  zones: false,
  mask: false,
  motion: false,
  regions: false,
});

export const overlayKey = (camera) => `corvette.overlays.${camera}`;

/** The overlays stored for a camera, every one of OVERLAYS as a boolean. */
export function loadOverlays(storage, camera) {
  const out = { ...DEFAULT_OVERLAYS };
  let saved = null;
  try {
    saved = JSON.parse(storage?.getItem(overlayKey(camera)) ?? 'null');
  } catch {
    saved = null;
  }
  if (saved && typeof saved === 'object') {
    for (const name of OVERLAYS) if (typeof saved[name] === 'boolean') out[name] = saved[name];
  }
  return out;
}

/** Stores a camera's overlays; answers false when the storage refused. */
export function saveOverlays(storage, camera, overlays) {
  const clean = {};
  for (const name of OVERLAYS) clean[name] = Boolean(overlays?.[name]);
  try {
    storage.setItem(overlayKey(camera), JSON.stringify(clean));
    return true;
  } catch {
    return false;
  }
}

/** The query flags for the overlays that are on: { bbox: 1, zones: 1 }. */
export function overlayParams(overlays) {
  const params = {};
  for (const name of OVERLAYS) if (overlays?.[name]) params[name] = 1;
  return params;
}
