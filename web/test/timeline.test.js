import { test } from 'node:test';
import assert from 'node:assert/strict';

// Local time matters here: Berlin has a 23-h day (2026-03-29) and a 25-h day (2026-10-25).
process.env.TZ = 'Europe/Berlin';
const {
  EVENT_LEAD,
  MAX_EXPORT_SECONDS,
  PIECE_SECONDS,
  addDays,
  dayBounds,
  dayOf,
  eventTitle,
  fractionAt,
  gapsBetween,
  hourTicks,
  layoutDay,
  markNear,
  nextEvent,
  nextPiece,
  parseDay,
  pieceAt,
  prevEvent,
  rangeExport,
  rangeProblem,
  timeAt,
  timeAtX,
} = await import('../src/lib/timeline.js');
const { exportUrl, recordingsUrl } = await import('../src/lib/urls.js');
const { hrefRecordings, parseRoute } = await import('../src/lib/route.js');

// 2026-06-15 in Berlin (UTC+2): midnight is 2026-06-14T22:00:00Z.
const JUNE = Date.UTC(2026, 5, 14, 22) / 1000;
const H = 3600;
const near = (actual, expected, what = '') =>
  assert.ok(Math.abs(actual - expected) < 1e-9, `${what} ${actual} is not ${expected}`);

test('days are parsed only when they exist', () => {
  assert.deepEqual(parseDay('2026-06-15'), { year: 2026, month: 6, day: 15 });
  assert.deepEqual(parseDay('2028-02-29'), { year: 2028, month: 2, day: 29 });
  for (const bad of ['2026-02-29', '2026-13-01', '2026-06-31', '2026-6-15', '15.06.2026', '', null, undefined, '1969-12-31', '2026-06-15x']) {
    assert.equal(parseDay(bad), null, String(bad));
  }
});

test('a day is local midnight to the next local midnight', () => {
  assert.deepEqual(dayBounds('2026-06-15'), { start: JUNE, end: JUNE + 24 * H });
  assert.equal(dayBounds('2026-02-30'), null);
  assert.equal(dayOf(JUNE), '2026-06-15');
  assert.equal(dayOf(JUNE - 1), '2026-06-14');
  assert.equal(dayOf(JUNE + 24 * H - 1), '2026-06-15');
});

test('DST days last 23 and 25 hours, and their hour ticks follow the clock', () => {
  const spring = dayBounds('2026-03-29');
  assert.equal(spring.end - spring.start, 23 * H);
  assert.equal(spring.start, Date.UTC(2026, 2, 28, 23) / 1000);
  const springTicks = hourTicks(spring);
  assert.equal(springTicks.length, 23);
  assert.deepEqual(springTicks.slice(0, 4).map((k) => k.label), ['00', '01', '03', '04']);
  assert.equal(springTicks.at(-1).label, '23');

  const autumn = dayBounds('2026-10-25');
  assert.equal(autumn.end - autumn.start, 25 * H);
  const autumnTicks = hourTicks(autumn);
  assert.equal(autumnTicks.length, 25);
  assert.deepEqual(autumnTicks.slice(0, 5).map((k) => k.label), ['00', '01', '02', '02', '03']);
  // Ticks are an hour of real time apart, so they are evenly spaced on the timeline.
  near(autumnTicks[1].fraction, 1 / 25);
  assert.deepEqual(
    autumnTicks.filter((k) => k.major).map((k) => k.label),
    ['00', '03', '06', '09', '12', '15', '18', '21'],
  );

  // Walking the days across both changes lands on every calendar day once.
  assert.equal(addDays('2026-03-28', 1), '2026-03-29');
  assert.equal(addDays('2026-03-29', 1), '2026-03-30');
  assert.equal(addDays('2026-10-25', 1), '2026-10-26');
  assert.equal(addDays('2026-10-26', -1), '2026-10-25');
  assert.equal(addDays('2026-12-31', 1), '2027-01-01');
  assert.equal(addDays('2024-03-01', -1), '2024-02-29');
  assert.equal(addDays('nope', 1), '');
});

test('a day whose midnight does not exist starts at its first moment', () => {
  process.env.TZ = 'America/Santiago'; // 2026-09-06: 00:00 jumps to 01:00
  try {
    const b = dayBounds('2026-09-06');
    assert.equal(new Date(b.start * 1000).getHours(), 1);
    assert.equal(b.end - b.start, 23 * H);
    assert.equal(hourTicks(b)[0].label, '01');
    assert.equal(dayOf(b.start), '2026-09-06');
    assert.equal(dayOf(b.start - 1), '2026-09-05');
  } finally {
    process.env.TZ = 'Europe/Berlin';
  }
});

test('time and position map onto each other, clamped to the day', () => {
  const b = dayBounds('2026-06-15');
  assert.equal(fractionAt(JUNE + 6 * H, b), 0.25);
  assert.equal(fractionAt(JUNE - 100, b), 0);
  assert.equal(fractionAt(JUNE + 30 * H, b), 1);
  assert.equal(timeAt(0.5, b), JUNE + 12 * H);
  assert.equal(timeAt(-1, b), JUNE);
  assert.equal(timeAt(2, b), JUNE + 24 * H);
  assert.equal(timeAtX(300, 1200, b), JUNE + 6 * H);
  assert.equal(timeAtX(-5, 1200, b), JUNE);
  assert.equal(timeAtX(10, 0, b), JUNE);
  for (const f of [0, 0.1, 0.333, 0.9, 1]) assert.ok(Math.abs(fractionAt(timeAt(f, b), b) - f) < 1e-12);
});

test('gapsBetween is what the spans leave uncovered', () => {
  const spans = [
    { start: 10, end: 20 },
    { start: 15, end: 30 },
    { start: 40, end: 50 },
  ];
  assert.deepEqual(gapsBetween(spans, 0, 60), [
    { start: 0, end: 10 },
    { start: 30, end: 40 },
    { start: 50, end: 60 },
  ]);
  assert.deepEqual(gapsBetween(spans, 12, 45), [{ start: 30, end: 40 }]);
  assert.deepEqual(gapsBetween([], 0, 5), [{ start: 0, end: 5 }]);
});

const ev = (id, start, end, extra = {}) => ({
  id,
  label: 'person',
  start_time: start,
  end_time: end,
  top_score: 0.876,
  in_progress: false,
  ...extra,
});

test('the layout clips spans to the day and gaps to now; the rest of today is neither', () => {
  const b = dayBounds('2026-06-15');
  const now = JUNE + 12 * H;
  const index = {
    spans: [
      { start: JUNE - 600, end: JUNE + H }, // starts the day before
      { start: JUNE + 2 * H, end: JUNE + 11 * H },
    ],
    gaps: [
      { start: JUNE, end: JUNE - 1 }, // empty: left out
      { start: JUNE + H, end: JUNE + 2 * H },
      { start: JUNE + 11 * H, end: JUNE + 13 * H }, // past now: clipped
    ],
    events: [],
  };
  const l = layoutDay(index, b, now);
  assert.deepEqual(
    l.spans.map((s) => [s.start, s.end]),
    [
      [JUNE, JUNE + H],
      [JUNE + 2 * H, JUNE + 11 * H],
    ],
  );
  assert.equal(l.spans[0].left, 0);
  near(l.spans[0].width, 1 / 24);
  assert.deepEqual(
    l.gaps.map((g) => [g.start, g.end]),
    [
      [JUNE + H, JUNE + 2 * H],
      [JUNE + 11 * H, now],
    ],
  );
  assert.equal(l.now, 0.5);
  // Nothing is drawn after now.
  for (const x of [...l.spans, ...l.gaps]) assert.ok(x.left + x.width <= 0.5 + 1e-12);
});

test("the server's gaps are drawn as listed", () => {
  const b = dayBounds('2026-06-15');
  const l = layoutDay({ spans: [], gaps: [{ start: JUNE + H, end: JUNE + 2 * H }] }, b, JUNE + 3 * H);
  assert.deepEqual(l.gaps.map((g) => [g.start, g.end]), [[JUNE + H, JUNE + 2 * H]]);
});

test('without a gaps list the layout finds the gaps itself, up to now', () => {
  const b = dayBounds('2026-06-15');
  const l = layoutDay({ spans: [{ start: JUNE + H, end: JUNE + 2 * H }] }, b, JUNE + 3 * H);
  assert.deepEqual(
    l.gaps.map((g) => [g.start, g.end]),
    [
      [JUNE, JUNE + H],
      [JUNE + 2 * H, JUNE + 3 * H],
    ],
  );
  const empty = layoutDay(null, b, JUNE + 3 * H);
  assert.deepEqual(empty.spans, []);
  assert.deepEqual(empty.events, []);
  // No answer yet: no gaps either (the day is not "not recorded" while it loads).
  assert.deepEqual(empty.gaps, []);
  const none = layoutDay({ spans: [], events: [] }, b, JUNE + 3 * H);
  assert.deepEqual(none.gaps.map((g) => [g.start, g.end]), [[JUNE, JUNE + 3 * H]]);
});

test('a past day is laid out whole; a future day has nothing', () => {
  const b = dayBounds('2026-06-15');
  const past = layoutDay({ spans: [], gaps: [{ start: JUNE, end: JUNE + 24 * H }] }, b, JUNE + 48 * H);
  assert.equal(past.now, 1);
  assert.equal(past.gaps[0].width, 1);
  const future = layoutDay({ spans: [], gaps: [] }, b, JUNE - H);
  assert.equal(future.now, 0);
  assert.deepEqual(future.gaps, []);
});

test('event marks: clipped to the day, in progress up to now, titled as text', () => {
  const b = dayBounds('2026-06-15');
  const now = JUNE + 10 * H;
  const l = layoutDay(
    {
      spans: [],
      events: [
        ev('b', JUNE + 9 * H, null, { in_progress: true, label: '<img src=x onerror=alert(1)>' }),
        ev('a', JUNE + H, JUNE + H + 30),
        ev('y', JUNE - 60, JUNE + 60), // from the day before
        ev('z', JUNE + 25 * H, JUNE + 25 * H + 5), // the next day: no mark
        ev('p', JUNE + 3 * H, JUNE + 3 * H), // no length
        { id: 'broken' },
      ],
    },
    b,
    now,
  );
  assert.deepEqual(l.events.map((m) => m.event.id), ['y', 'a', 'p', 'b']);
  const [y, a, p, live] = l.events;
  assert.equal(y.start, JUNE);
  assert.equal(y.left, 0);
  near(a.width, 30 / (24 * H));
  assert.equal(p.width, 0);
  near(p.left, 3 / 24);
  assert.equal(live.inProgress, true);
  assert.equal(live.end, now);
  assert.equal(a.inProgress, false);
  assert.equal(a.title, 'person 88% 01:00:00–01:00:30');
  assert.equal(live.title, '<img src=x onerror=alert(1)> 88% 09:00:00, in progress');
  // Frigate 0.8's shape: no in_progress, end_time null.
  assert.equal(eventTitle({ label: 'car', start_time: JUNE, end_time: null, top_score: 0.5 }, now), 'car 50% 00:00:00, in progress');
});

test('next and previous event, relative to the playback position', () => {
  const events = [ev('a', 1000, 1010), ev('b', 2000, 2100), ev('c', 3000, 3010)];
  assert.equal(nextEvent(events, 0).id, 'a');
  // Jumped to b (b - 5 s): next is c, not b again; previous is a, not b again.
  const atB = 2000 - EVENT_LEAD;
  assert.equal(nextEvent(events, atB).id, 'c');
  assert.equal(prevEvent(events, atB).id, 'a');
  assert.equal(prevEvent(events, atB + 1).id, 'a');
  // Inside b, a while after its start: previous goes back to b's start.
  assert.equal(prevEvent(events, 2050).id, 'b');
  assert.equal(nextEvent(events, 2050).id, 'c');
  assert.equal(nextEvent(events, 3000), null);
  assert.equal(prevEvent(events, 990), null);
  assert.equal(nextEvent([], 0), null);
  // The player's position starts at a whole second (pieces do): a fractional start is not found
  // again either.
  const odd = [ev('a', 1000.6, 1010), ev('b', 2000.3, 2100)];
  assert.equal(nextEvent(odd, Math.floor(1000.6 - EVENT_LEAD)).id, 'b');
});

test('a tap finds the nearest event mark within reach', () => {
  const marks = [
    { left: 0.1, width: 0 },
    { left: 0.2, width: 0.05 },
    { left: 0.26, width: 0 },
  ];
  assert.equal(markNear(marks, 0.1, 0), 0);
  assert.equal(markNear(marks, 0.22, 0), 1);
  assert.equal(markNear(marks, 0.258, 0.01), 2); // 0.002 from c, 0.008 from b
  assert.equal(markNear(marks, 0.15, 0.01), -1);
  assert.equal(markNear(marks, 0.105, 0.01), 0);
  assert.equal(markNear([], 0.5, 1), -1);
});

test('pieces: up to 10 minutes within one span, skipping gaps, within the day and before now', () => {
  const b = dayBounds('2026-06-15');
  const spans = [
    { start: JUNE + 100.5, end: JUNE + 1000.2 },
    { start: JUNE + 2000, end: JUNE + 2300 },
  ];
  const later = JUNE + 10 * H;
  assert.equal(PIECE_SECONDS, 600);
  // Inside a span: from t, 10 minutes.
  assert.deepEqual(pieceAt(JUNE + 200.7, spans, b, later), { start: JUNE + 200, end: JUNE + 800 });
  // Near a span's end: the piece stops there (the export would skip the gap).
  assert.deepEqual(pieceAt(JUNE + 900, spans, b, later), { start: JUNE + 900, end: JUNE + 1001 });
  // In a gap: where the recordings resume.
  assert.deepEqual(pieceAt(JUNE + 1500, spans, b, later), { start: JUNE + 2000, end: JUNE + 2300 });
  assert.deepEqual(pieceAt(JUNE - 50, spans, b, later), { start: JUNE + 100, end: JUNE + 700 });
  // Nothing after: null.
  assert.equal(pieceAt(JUNE + 2300, spans, b, later), null);
  assert.equal(pieceAt(JUNE, [], b, later), null);
  // Clamped to now.
  assert.deepEqual(pieceAt(JUNE + 200, spans, b, JUNE + 500.5), { start: JUNE + 200, end: JUNE + 501 });
  assert.equal(pieceAt(JUNE + 1500, spans, b, JUNE + 1800), null);
  // Clamped to the day's end.
  const late = [{ start: JUNE + 24 * H - 120, end: JUNE + 24 * H + 600 }];
  assert.deepEqual(pieceAt(JUNE + 24 * H - 60, late, b, JUNE + 48 * H), { start: JUNE + 24 * H - 60, end: JUNE + 24 * H });
});

test('nextPiece continues through a span and then the next one, and stops at the end', () => {
  const b = dayBounds('2026-06-15');
  const now = JUNE + 10 * H;
  const spans = [
    { start: JUNE, end: JUNE + 1300 },
    { start: JUNE + 2000, end: JUNE + 2100 },
  ];
  const pieces = [];
  for (let p = pieceAt(JUNE, spans, b, now); p; p = nextPiece(p, spans, b, now)) pieces.push([p.start - JUNE, p.end - JUNE]);
  assert.deepEqual(pieces, [
    [0, 600],
    [600, 1200],
    [1200, 1300],
    [2000, 2100],
  ]);
  assert.equal(nextPiece(null, spans, b, now), null);
});

test('ranges: both marks, end after start, at most 6 hours, not in the future', () => {
  assert.equal(MAX_EXPORT_SECONDS, 21600);
  assert.match(rangeProblem(null, 10), /Mark a start and an end/);
  assert.match(rangeProblem(10, undefined), /Mark a start and an end/);
  assert.match(rangeProblem(10, 10), /after the start/);
  assert.match(rangeProblem(20, 10), /after the start/);
  assert.equal(rangeProblem(0, 21600), '');
  assert.match(rangeProblem(0, 21601), /longer than 6 hours/);
  assert.match(rangeProblem(100, 200, 50), /future/);
  assert.equal(rangeProblem(100, 200, 150), '');
});

test('rangeExport builds the export URL and file name, or says why not', () => {
  const start = JUNE + 9 * H + 30 * 60 + 5; // 09:30:05
  const ok = rangeExport('front door', start + 0.4, start + 1795.6);
  assert.equal(ok.problem, '');
  assert.equal(ok.url, `api/front%20door/start/${start}/end/${start + 1796}/clip.mp4`);
  assert.equal(ok.url, exportUrl('front door', start, start + 1796));
  assert.equal(ok.name, 'front door-20260615-093005-20260615-100001.mp4');
  assert.equal(ok.length, 1796);
  // Rounded first, checked after: 6 h plus a fraction that rounds away is fine.
  assert.equal(rangeExport('a', 0.4, 21600.4).problem, '');
  const long = rangeExport('a', start, start + 6 * H + 1);
  assert.equal(long.url, '');
  assert.match(long.problem, /6 hours/);
  assert.equal(long.length, 6 * H + 1);
  const half = rangeExport('a', start, null);
  assert.equal(half.url, '');
  assert.ok(Number.isNaN(half.length));
  assert.equal(rangeExport('a/b', start, start + 10).name.includes('/'), false);
});

test('the index and export URLs are relative and encode the camera', () => {
  assert.equal(
    recordingsUrl('a/b c', { after: JUNE, before: JUNE + 86400 }),
    `api/a%2Fb%20c/recordings?after=${JUNE}&before=${JUNE + 86400}`,
  );
  assert.equal(recordingsUrl('x'), 'api/x/recordings');
  assert.equal(exportUrl('x', 1764720003.1, 1764720603.12345), 'api/x/start/1764720003.1/end/1764720603.123/clip.mp4');
  assert.equal(exportUrl('<x>', 1, 2), 'api/%3Cx%3E/start/1/end/2/clip.mp4');
});

test('the recordings route carries the camera and the day', () => {
  assert.deepEqual(parseRoute('#/recordings/front%20door?day=2026-06-15'), {
    view: 'recordings',
    camera: 'front door',
    day: '2026-06-15',
    path: '/recordings/front%20door',
  });
  assert.equal(parseRoute('#/recordings/front').day, '');
  assert.equal(parseRoute('#/recordings').camera, '');
  assert.equal(parseRoute('#/recordings').view, 'recordings');
  assert.equal(parseRoute('#/recordings/a/b').view, 'notfound');
  for (const name of ['front', 'a/b', '<script>', '50%', 'a?b#c', 'x&day=y']) {
    const r = parseRoute(hrefRecordings(name, '2026-03-29'));
    assert.equal(r.camera, name);
    assert.equal(r.day, '2026-03-29');
  }
  assert.equal(hrefRecordings('front'), '#/recordings/front');
  assert.equal(hrefRecordings('front door', '2026-06-15'), '#/recordings/front%20door?day=2026-06-15');
  assert.equal(hrefRecordings(), '#/recordings');
});
