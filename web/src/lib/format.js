// Text for numbers: durations, times, percentages, sizes. Every function answers '–' for a value
// it cannot show (undefined, NaN, a negative duration), never throws.

export const NONE = '–';

const finite = (n) => typeof n === 'number' && Number.isFinite(n);
const pad2 = (n) => String(n).padStart(2, '0');

/**
 * A duration in seconds: "0s", "42s", "3m 05s", "1h 02m", "2d 03h". Fractions are cut, not
 * rounded, so a running counter never shows a second it has not reached.
 */
export function formatDuration(seconds) {
  if (!finite(seconds) || seconds < 0) return NONE;
  const s = Math.floor(seconds);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${pad2(s % 60)}s`;
  const h = Math.floor(m / 60);
  if (h < 24) return `${h}h ${pad2(m % 60)}m`;
  return `${Math.floor(h / 24)}d ${pad2(h % 24)}h`;
}

/** Local "YYYY-MM-DD HH:MM:SS" of an epoch time in seconds. */
export function formatDateTime(epochSeconds) {
  if (!finite(epochSeconds)) return NONE;
  const d = new Date(epochSeconds * 1000);
  const date = `${d.getFullYear()}-${pad2(d.getMonth() + 1)}-${pad2(d.getDate())}`;
  return `${date} ${pad2(d.getHours())}:${pad2(d.getMinutes())}:${pad2(d.getSeconds())}`;
}

/**
 * A shorter local time for lists: "HH:MM:SS" on the day of `nowSeconds`, else the full
 * "YYYY-MM-DD HH:MM:SS".
 */
export function formatWhen(epochSeconds, nowSeconds = Date.now() / 1000) {
  const full = formatDateTime(epochSeconds);
  if (full === NONE || !finite(nowSeconds)) return full;
  return full.slice(0, 10) === formatDateTime(nowSeconds).slice(0, 10) ? full.slice(11) : full;
}

/** A 0..1 fraction as a whole percentage: 0.8765 -> "88%". */
export function formatPercent(fraction) {
  if (!finite(fraction)) return NONE;
  return `${Math.round(fraction * 100)}%`;
}

/** Bytes in SI units, 3 significant digits: 999 B, 1.23 kB, 45.6 MB, 789 GB, 1.20 TB. */
export function formatBytes(bytes) {
  if (!finite(bytes) || bytes < 0) return NONE;
  const units = ['B', 'kB', 'MB', 'GB', 'TB', 'PB'];
  let value = bytes;
  let i = 0;
  while (value >= 999.5 && i < units.length - 1) {
    value /= 1000;
    i += 1;
  }
  if (i === 0) return `${Math.round(value)} B`;
  const digits = value >= 99.95 ? 0 : value >= 9.995 ? 1 : 2;
  return `${value.toFixed(digits)} ${units[i]}`;
}

/** The server's storage figures are in MB (10^6 bytes). */
export const formatMegabytes = (mb) => formatBytes(finite(mb) ? mb * 1e6 : NaN);

/** Frames (or calls) per second with one decimal: "5.0". */
export function formatRate(perSecond) {
  return finite(perSecond) ? perSecond.toFixed(1) : NONE;
}

/** Milliseconds with one decimal and the unit: "12.3 ms". */
export function formatMs(ms) {
  return finite(ms) ? `${ms.toFixed(1)} ms` : NONE;
}
