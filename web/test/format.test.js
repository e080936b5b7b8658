import { test } from 'node:test';
import assert from 'node:assert/strict';

process.env.TZ = 'UTC';
const {
  formatBytes,
  formatDateTime,
  formatDuration,
  formatMegabytes,
  formatMs,
  formatPercent,
  formatRate,
  formatWhen,
} = await import('../src/lib/format.js');

test('durations', () => {
  assert.equal(formatDuration(0), '0s');
  assert.equal(formatDuration(42.9), '42s');
  assert.equal(formatDuration(65), '1m 05s');
  assert.equal(formatDuration(3600 + 120 + 5), '1h 02m');
  assert.equal(formatDuration(2 * 86400 + 3 * 3600 + 59), '2d 03h');
  assert.equal(formatDuration(-1), '–');
  assert.equal(formatDuration(NaN), '–');
  assert.equal(formatDuration(undefined), '–');
});

test('date and time (local; TZ=UTC here)', () => {
  assert.equal(formatDateTime(1700000000), '2023-11-14 22:13:20');
  assert.equal(formatDateTime(null), '–');
});

test('formatWhen drops the date on the same day only', () => {
  assert.equal(formatWhen(1700000000, 1700000000 + 3600), '22:13:20');
  assert.equal(formatWhen(1700000000, 1700000000 + 86400), '2023-11-14 22:13:20');
});

test('percentages', () => {
  assert.equal(formatPercent(0.8765), '88%');
  assert.equal(formatPercent(1), '100%');
  assert.equal(formatPercent(0), '0%');
  assert.equal(formatPercent(undefined), '–');
});

test('bytes in SI units', () => {
  assert.equal(formatBytes(0), '0 B');
  assert.equal(formatBytes(999), '999 B');
  assert.equal(formatBytes(1234), '1.23 kB');
  assert.equal(formatBytes(45_600_000), '45.6 MB');
  assert.equal(formatBytes(789e9), '789 GB');
  assert.equal(formatBytes(1.2e12), '1.20 TB');
  assert.equal(formatBytes(-5), '–');
  assert.equal(formatMegabytes(270553.2), '271 GB');
  assert.equal(formatMegabytes(0.5), '500 kB');
});

test('rates and milliseconds', () => {
  assert.equal(formatRate(5), '5.0');
  assert.equal(formatRate(7.66), '7.7');
  assert.equal(formatRate(NaN), '–');
  assert.equal(formatMs(12.345), '12.3 ms');
});
