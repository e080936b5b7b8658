// The recordings timeline (views/recordings.js): a camera's day in the browser's local time, the
// recordings index of that day (GET api/<camera>/recordings, docs/api.md) laid out on it, the
// pieces the player asks the export for (api/<camera>/start/<start>/end/<end>/clip.mp4), the
// next and previous events, and the range a person exports.
//
// Times are epoch seconds. Positions on the timeline are fractions of the day, 0..1, so the view
// draws with percentages and needs no measured width. A day is local midnight to the next local
// midnight: 24 h, or 23 h and 25 h on the days daylight saving time starts and ends (where a
// midnight does not exist, the day starts at the first moment that does). Every function answers
// new values and never changes its arguments.

import { isInProgress } from './events.js';
import { formatDateTime, formatPercent } from './format.js';
import { exportUrl } from './urls.js';

/** Seconds of recording the player asks the export for at once. */
export const PIECE_SECONDS = 600;
/** Playing an event starts this many seconds before it. */
export const EVENT_LEAD = 5;
/** The longest range the export accepts (the server answers 400 above it). */
export const MAX_EXPORT_SECONDS = 6 * 3600;

const pad2 = (n) => String(n).padStart(2, '0');
const finite = (n) => typeof n === 'number' && Number.isFinite(n);

/** { year, month, day } of "YYYY-MM-DD" when it names a real calendar day (1970..9999), else null. */
export function parseDay(text) {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(String(text ?? ''));
  if (!m) return null;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (year < 1970) return null;
  // Noon never falls into a DST change, so the date it lands on says whether the day exists.
  const d = new Date(year, month - 1, day, 12);
  if (d.getFullYear() !== year || d.getMonth() !== month - 1 || d.getDate() !== day) return null;
  return { year, month, day };
}

/** The local day ("YYYY-MM-DD") an epoch time falls on. */
export function dayOf(epochSeconds) {
  const d = new Date(epochSeconds * 1000);
  return `${d.getFullYear()}-${pad2(d.getMonth() + 1)}-${pad2(d.getDate())}`;
}

/** The day `n` days after `day` ("2026-03-31" + 1 = "2026-04-01"); '' for a day that is not one. */
export function addDays(day, n) {
  const p = parseDay(day);
  if (!p) return '';
  return dayOf(new Date(p.year, p.month - 1, p.day + n, 12).getTime() / 1000);
}

/** { start, end } of a local day, epoch seconds (end = the next day's start); null for a bad day. */
export function dayBounds(day) {
  const p = parseDay(day);
  if (!p) return null;
  return {
    start: new Date(p.year, p.month - 1, p.day).getTime() / 1000,
    end: new Date(p.year, p.month - 1, p.day + 1).getTime() / 1000,
  };
}

const clamp = (v, lo, hi) => Math.min(hi, Math.max(lo, v));

/** Where `t` falls on the day, 0..1 (clamped). */
export function fractionAt(t, bounds) {
  return clamp((t - bounds.start) / (bounds.end - bounds.start), 0, 1);
}

/** The time at a fraction of the day (clamped to the day). */
export function timeAt(fraction, bounds) {
  return bounds.start + clamp(fraction, 0, 1) * (bounds.end - bounds.start);
}

/** The time under a pointer at `x` px in a timeline `width` px wide. */
export function timeAtX(x, width, bounds) {
  return timeAt(width > 0 ? x / width : 0, bounds);
}

/**
 * One tick per elapsed hour from the day's start: [{ t, fraction, label, major }]. The label is
 * the local clock's hour ("00".."23", with ":MM" where a zone's offset is not whole hours), so a
 * 23-h day skips an hour and a 25-h day shows one twice. `major` marks the hours divisible by 3,
 * the ones a narrow screen labels.
 */
export function hourTicks(bounds) {
  const ticks = [];
  for (let t = bounds.start; t < bounds.end - 1; t += 3600) {
    const d = new Date(t * 1000);
    const minutes = d.getMinutes();
    ticks.push({
      t,
      fraction: fractionAt(t, bounds),
      label: minutes ? `${pad2(d.getHours())}:${pad2(minutes)}` : pad2(d.getHours()),
      major: minutes === 0 && d.getHours() % 3 === 0,
    });
  }
  return ticks;
}

/** The part of [start, end) within [lo, hi), or null when nothing is left. */
function clip(start, end, lo, hi) {
  const s = Math.max(start, lo);
  const e = Math.min(end, hi);
  return e > s ? { start: s, end: e } : null;
}

/** Intervals [{start, end}] of a list, sorted, with the unusable ones left out. */
function intervals(list) {
  return (Array.isArray(list) ? list : [])
    .filter((x) => finite(x?.start) && finite(x?.end) && x.end > x.start)
    .map((x) => ({ start: x.start, end: x.end }))
    .sort((a, b) => a.start - b.start);
}

/** The parts of [lo, hi) that no interval covers (intervals sorted by start). */
export function gapsBetween(spans, lo, hi) {
  const out = [];
  let at = lo;
  for (const s of spans) {
    if (s.start > at) out.push({ start: at, end: Math.min(s.start, hi) });
    at = Math.max(at, s.end);
    if (at >= hi) break;
  }
  if (at < hi) out.push({ start: at, end: hi });
  return out.filter((g) => g.end > g.start);
}

/** The time an event's mark ends: its end_time, or now for an event in progress. */
export function eventEnd(event, now) {
  const seen = finite(event.end_time) ? event.end_time : event.start_time;
  return isInProgress(event) ? Math.max(seen, now) : seen;
}

/** The text of an event's mark: "person 88% 12:34:56–12:35:10" (or "…, in progress"). */
export function eventTitle(event, now) {
  const start = formatDateTime(event.start_time).slice(11);
  const label = `${event.label} ${formatPercent(event.top_score)} ${start}`;
  return isInProgress(event)
    ? `${label}, in progress`
    : `${label}–${formatDateTime(eventEnd(event, now)).slice(11)}`;
}

/** The events of an index answer that have a start time, oldest first. */
export function indexEvents(index) {
  return (Array.isArray(index?.events) ? index.events : [])
    .filter((e) => e && finite(e.start_time))
    .sort((a, b) => a.start_time - b.start_time || String(a.id).localeCompare(String(b.id)));
}

const pos = (start, end, bounds) => {
  const left = fractionAt(start, bounds);
  return { left, width: fractionAt(end, bounds) - left };
};

/**
 * What the timeline draws for an index answer ({spans, gaps, events}) on a day, at `now`:
 * { spans, gaps, events, now } where spans and gaps are [{ start, end, left, width }] clipped to
 * the day, events [{ event, start, end, left, width, inProgress, title }] and now the fraction of
 * `now` (1 for a past day, 0 for a future one). Gaps are the server's, clipped to the day and to
 * now; when the answer has none listed, the parts of the day up to now that no span covers.
 * Without an answer (null) nothing is drawn. The part of the day after now is neither a span nor
 * a gap.
 */
export function layoutDay(index, bounds, now) {
  const upTo = Math.min(bounds.end, now);
  const spans = intervals(index?.spans);
  // No answer yet (or a failed one) says nothing: no gaps either.
  let gaps = [];
  if (index) gaps = Array.isArray(index.gaps) ? intervals(index.gaps) : gapsBetween(spans, bounds.start, upTo);
  const place = (list, hi) =>
    list
      .map((x) => clip(x.start, x.end, bounds.start, hi))
      .filter(Boolean)
      .map((x) => ({ ...x, ...pos(x.start, x.end, bounds) }));
  const events = indexEvents(index)
    .map((event) => {
      const part = clip(event.start_time, eventEnd(event, now), bounds.start, bounds.end);
      // An event of no length still gets a mark (the view gives marks a minimum width).
      const at = part || (event.start_time >= bounds.start && event.start_time < bounds.end
        ? { start: event.start_time, end: event.start_time }
        : null);
      if (!at) return null;
      return {
        event,
        ...at,
        ...pos(at.start, at.end, bounds),
        inProgress: isInProgress(event),
        title: eventTitle(event, now),
      };
    })
    .filter(Boolean);
  return {
    spans: place(spans, bounds.end),
    gaps: place(gaps, upTo),
    events,
    now: fractionAt(now, bounds),
  };
}

/**
 * The index of the event mark at `fraction` of the day, or within `tolerance` (a fraction) of it,
 * the nearest one winning; -1 when none is that close. Marks are layoutDay's events.
 */
export function markNear(marks, fraction, tolerance = 0) {
  let best = -1;
  let bestDistance = Infinity;
  marks.forEach((m, i) => {
    const distance = fraction < m.left ? m.left - fraction : Math.max(0, fraction - (m.left + m.width));
    if (distance <= tolerance && distance < bestDistance) {
      best = i;
      bestDistance = distance;
    }
  });
  return best;
}

/** Where playing `event` starts: EVENT_LEAD seconds before it. */
export const eventTarget = (event) => event.start_time - EVENT_LEAD;

/**
 * The first event (of a list oldest first) whose playing starts after position `t` (by more than
 * `slack` seconds, so the event just jumped to is not found again), or null.
 */
export function nextEvent(events, t, slack = 1) {
  return events.find((e) => eventTarget(e) > t + slack) || null;
}

/**
 * The last event whose playing starts before `t` by more than `slack` seconds, or null: inside an
 * event this is its own start, and pressed again right after a jump, the event before.
 */
export function prevEvent(events, t, slack = 3) {
  for (let i = events.length - 1; i >= 0; i -= 1) {
    if (eventTarget(events[i]) < t - slack) return events[i];
  }
  return null;
}

/**
 * The piece of recording to play from `t`: { start, end } in whole seconds, within one span (the
 * export joins spans without their gap, so a piece that crossed a gap would no longer map its
 * currentTime onto the clock), at most PIECE_SECONDS long, within the day and before `now`. When
 * `t` falls into a gap the piece starts where the recordings resume. null when nothing on the day
 * is recorded at or after `t`. (The export itself starts at the keyframe at or before `start`.)
 */
export function pieceAt(t, rawSpans, bounds, now) {
  const limit = Math.min(bounds.end, now);
  let from = Math.max(t, bounds.start);
  for (const span of intervals(rawSpans)) {
    if (span.end <= from) continue;
    if (span.start >= limit) break;
    const start = Math.floor(Math.max(from, span.start));
    const end = Math.ceil(Math.min(start + PIECE_SECONDS, span.end, limit));
    if (end - start >= 1) return { start, end };
    from = span.end;
  }
  return null;
}

/** The piece after `piece`, where the recordings continue; null at their end. */
export function nextPiece(piece, spans, bounds, now) {
  return piece ? pieceAt(piece.end, spans, bounds, now) : null;
}

/**
 * Why a range cannot be exported ('' when it can): a mark missing, the end not after the start,
 * longer than the server's 6 hours, or a start not yet come.
 */
export function rangeProblem(start, end, now = Infinity) {
  if (!finite(start) || !finite(end)) return 'Mark a start and an end.';
  if (end <= start) return 'The end must be after the start.';
  if (end - start > MAX_EXPORT_SECONDS) return 'The range is longer than 6 hours, the most one export holds.';
  if (start >= now) return 'The range starts in the future.';
  return '';
}

/** "front-20261130-093005-20261130-100000.mp4": the name a downloaded export is saved under. */
export function exportName(camera, start, end) {
  const stamp = (t) => formatDateTime(t).replace(/[-:]/g, '').replace(' ', '-');
  return `${camera}-${stamp(start)}-${stamp(end)}.mp4`.replace(/[\\/]/g, '_');
}

/**
 * The export of a range: { url, name, start, end, length, problem }, the times rounded to whole
 * seconds (what the URL asks for, and what is checked). url and name are '' when the range has a
 * problem (rangeProblem's text).
 */
export function rangeExport(camera, start, end, now = Infinity) {
  const s = finite(start) ? Math.round(start) : NaN;
  const e = finite(end) ? Math.round(end) : NaN;
  const problem = rangeProblem(s, e, now);
  const out = { url: '', name: '', start: s, end: e, length: e - s, problem };
  if (problem) return out;
  return { ...out, url: exportUrl(camera, s, e), name: exportName(camera, s, e) };
}
