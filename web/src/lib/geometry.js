// Pixel arithmetic of the page: the editor's clicks in the camera's coordinates, and the window
// of rows the event list renders.

const clamp = (v, lo, hi) => Math.min(hi, Math.max(lo, v));

/**
 * A point clicked on a picture shown in `rect` (a DOMRect: left, top, width, height) in the
 * coordinates of a `width` x `height` frame: whole pixels, clamped to [0, width] x [0, height]
 * (the server accepts points on the frame's edge).
 */
export function toFramePoint(clientX, clientY, rect, width, height) {
  const x = ((clientX - rect.left) / rect.width) * width;
  const y = ((clientY - rect.top) / rect.height) * height;
  return [clamp(Math.round(x), 0, width), clamp(Math.round(y), 0, height)];
}

/**
 * The index of the first point outside a `width` x `height` frame ([0, width] x [0, height], the
 * range the server accepts without a warning), or -1 when every point is inside.
 */
export function pointOutside(points, width, height) {
  return points.findIndex(([x, y]) => !(x >= 0 && y >= 0 && x <= width && y <= height));
}

/** The rows to render of a list of `count` rows of `rowHeight` px whose top is `listTop` px
 * below the top of the scrolled page, for a viewport at `scrollTop` of height `viewportHeight`:
 * { start, end } (end exclusive), `overscan` rows added on each side. */
export function visibleRange({ scrollTop, viewportHeight, listTop, rowHeight, count, overscan = 5 }) {
  if (count <= 0 || rowHeight <= 0) return { start: 0, end: 0 };
  const top = scrollTop - listTop;
  const first = Math.floor(top / rowHeight) - overscan;
  const last = Math.ceil((top + viewportHeight) / rowHeight) + overscan;
  const start = clamp(first, 0, count);
  const end = clamp(last, start, count);
  return { start, end };
}

/** SVG "points" attribute of a polygon. */
export const svgPoints = (points) => points.map(([x, y]) => `${x},${y}`).join(' ');
