// `#/recordings/<camera>?day=YYYY-MM-DD`: a camera's 24/7 recordings, a local day at a time (today
// when the URL names no day). A timeline shows the recorded spans, the gaps, and the events as
// marks (lib/timeline.js lays them out); it comes from the recordings index
// (api/<camera>/recordings), reloaded every 60 s while the day is today.
//
// Clicking or dragging on the timeline plays from that moment: the <video> gets the export of a
// piece of up to 10 minutes within one span (api/<camera>/start/<s>/end/<e>/clip.mp4), and the
// next piece follows when it ends. The export starts at the keyframe at or before the piece's
// start, up to one GOP (often 1 to 4 s) earlier, which the page cannot know: it takes the clip's
// currentTime 0 as the piece's start, so the cursor may run up to a GOP ahead of the picture.
// Mark start / Mark end (at the playback position, so they work on touch screens) or a shift-drag
// pick a range to download as one mp4; the page refuses ranges over 6 hours and, before the
// download, asks the export once so the server's error text can be shown.
//
// `#/recordings` alone lists the cameras.

import { Component } from 'preact';
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { html } from '../html.js';
import { Note, useNow, useTitle } from '../components.js';
import { getJson, isAbort, probe } from '../api.js';
import { aspectRatio } from '../lib/config.js';
import { formatDateTime, formatDuration, formatPercent } from '../lib/format.js';
import { hrefCamera, hrefEvent, hrefEvents, hrefRecordings } from '../lib/route.js';
import {
  addDays,
  dayBounds,
  dayOf,
  eventEnd,
  eventTarget,
  fractionAt,
  hourTicks,
  layoutDay,
  markNear,
  nextEvent,
  nextPiece,
  parseDay,
  pieceAt,
  prevEvent,
  rangeExport,
  timeAtX,
} from '../lib/timeline.js';
import { exportUrl, recordingsUrl } from '../lib/urls.js';
import { useLive } from '../live.js';

/** The index of today is reloaded this often, ms. */
const REFRESH = 60000;
/** A pointer that moves less than this, px, taps rather than drags. */
const TAP = 5;
/** A tap in the events lane this close to a mark, px, picks the mark (fingers are wide). */
const MARK_REACH = 10;
/** A download's check of the export counts this long, ms (the server keeps an export 60 s). */
const CHECK_VALID = 50000;
const NO_RANGE = { start: null, end: null };

const clock = (t) => formatDateTime(t).slice(11);
const pct = (f) => `${(f * 100).toFixed(4)}%`;
const box = (left, width) => ({ left: pct(left), width: pct(width) });

/** The recordings index of a day: { day, index, error, loading, at }; today's is reloaded. */
function useIndex(camera, day, bounds, today) {
  const [state, setState] = useState({ day: '', index: null, error: '', loading: true, at: 0 });
  useEffect(() => {
    if (!bounds) return undefined;
    const fresh = { day, index: null, error: '', loading: true, at: 0 };
    setState((s) => (s.day === day ? { ...s, loading: true } : fresh));
    const controller = new AbortController();
    let timer = 0;
    let first = true;
    const load = async () => {
      if (first || !document.hidden) {
        first = false;
        try {
          const url = recordingsUrl(camera, { after: bounds.start, before: bounds.end });
          const index = await getJson(url, controller.signal);
          setState({ day, index, error: '', loading: false, at: Date.now() / 1000 });
        } catch (e) {
          if (isAbort(e)) return;
          setState((s) => ({ ...s, day, error: e.message || String(e), loading: false }));
        }
      }
      if (today) timer = setTimeout(load, REFRESH);
    };
    load();
    return () => {
      controller.abort();
      clearTimeout(timer);
    };
  }, [camera, day, today]);
  return state.day === day ? state : { day, index: null, error: '', loading: true, at: 0 };
}

/**
 * What does not change while a piece plays: ticks, spans, gaps and event marks. It draws again
 * only when the layout or the ticks are new objects, not on each timeupdate of the video.
 */
class Layers extends Component {
  shouldComponentUpdate(next) {
    return next.layout !== this.props.layout || next.ticks !== this.props.ticks;
  }

  render({ layout, ticks }) {
    return html`<div class="tl-track">
        ${ticks.map((k) => html`<span key=${k.t} class="tl-tick" style=${{ left: pct(k.fraction) }}></span>`)}
        ${layout.gaps.map(
          (g) => html`<span key=${`g${g.start}`} class="tl-gap" style=${box(g.left, g.width)}></span>`,
        )}
        ${layout.spans.map(
          (s) => html`<span key=${`s${s.start}`} class="tl-span" style=${box(s.left, s.width)}></span>`,
        )}
      </div>
      <div class="tl-events">
        ${layout.events.map(
          (m, i) => html`<span
            key=${m.event.id}
            class=${m.inProgress ? 'tl-event tl-event-live' : 'tl-event'}
            data-event=${i}
            title=${m.title}
            style=${box(m.left, m.width)}
          ></span>`,
        )}
      </div>
      <div class="tl-hours" aria-hidden="true">
        ${ticks.map(
          (k) => html`<span
            key=${k.t}
            class=${k.major ? 'tl-hour' : 'tl-hour tl-minor'}
            style=${{ left: pct(k.fraction) }}
          >${k.label}</span>`,
        )}
      </div>`;
  }
}

/**
 * The day's timeline. A tap plays from that moment (a tap on an event mark, from the event); a
 * drag scrubs (the time under the pointer is shown, and played on release); a shift-drag selects
 * a range. Arrow keys move the playback a minute (with shift, 10 minutes).
 */
function Timeline({ day, bounds, layout, ticks, pos, scrub, range, onScrub, onPlay, onPlayEvent, onRange }) {
  const el = useRef(null);
  const drag = useRef(null);

  const at = (e) => {
    const rect = el.current.getBoundingClientRect();
    const x = e.clientX - rect.left;
    return { t: timeAtX(x, rect.width, bounds), x, width: rect.width };
  };
  const onPointerDown = (e) => {
    if (e.button > 0) return;
    el.current.setPointerCapture?.(e.pointerId);
    const p = at(e);
    drag.current = { x0: e.clientX, t0: p.t, moved: false, shift: e.shiftKey, target: e.target };
    if (!e.shiftKey) onScrub(p.t);
  };
  const onPointerMove = (e) => {
    const d = drag.current;
    if (!d) return;
    if (Math.abs(e.clientX - d.x0) >= TAP) d.moved = true;
    const { t } = at(e);
    if (d.shift) {
      if (d.moved) onRange(Math.min(d.t0, t), Math.max(d.t0, t));
    } else onScrub(t);
  };
  const onPointerUp = (e) => {
    const d = drag.current;
    if (!d) return;
    drag.current = null;
    onScrub(null);
    const { t, x, width } = at(e);
    if (d.shift && d.moved) return;
    if (!d.moved && d.target?.closest?.('.tl-events')) {
      const i = markNear(layout.events, x / width, MARK_REACH / width);
      if (i >= 0) {
        onPlayEvent(layout.events[i].event);
        return;
      }
    }
    onPlay(t);
  };
  const onPointerCancel = () => {
    drag.current = null;
    onScrub(null);
  };
  const onKeyDown = (e) => {
    const step = { ArrowLeft: -60, ArrowRight: 60 }[e.key];
    if (!step) return;
    e.preventDefault();
    const from = pos ?? Math.min(Date.now() / 1000, bounds.end);
    onPlay(Math.min(bounds.end - 1, Math.max(bounds.start, from + step * (e.shiftKey ? 10 : 1))));
  };

  const inDay = (t) => t !== null && t >= bounds.start && t < bounds.end;
  const rangeLeft = range.start !== null ? fractionAt(range.start, bounds) : 0;
  const rangeRight = range.end !== null ? fractionAt(range.end, bounds) : 0;
  const showRange = range.start !== null && range.end !== null && rangeRight > rangeLeft;
  const line = (cls, f) => html`<span class=${cls} style=${{ left: pct(f) }}></span>`;

  return html`<div
    class="timeline"
    ref=${el}
    role="slider"
    tabindex="0"
    aria-label=${`Recordings of ${day}`}
    aria-valuemin="0"
    aria-valuemax=${Math.round(bounds.end - bounds.start)}
    aria-valuenow=${inDay(pos) ? Math.round(pos - bounds.start) : 0}
    aria-valuetext=${inDay(pos) ? clock(pos) : 'not playing'}
    onPointerDown=${onPointerDown}
    onPointerMove=${onPointerMove}
    onPointerUp=${onPointerUp}
    onPointerCancel=${onPointerCancel}
    onKeyDown=${onKeyDown}
  >
    <${Layers} layout=${layout} ticks=${ticks} />
    <div class="tl-over" aria-hidden="true">
      ${showRange && html`<span class="tl-range" style=${box(rangeLeft, rangeRight - rangeLeft)}></span>`}
      ${range.start !== null && inDay(range.start) && line('tl-mark', rangeLeft)}
      ${range.end !== null && inDay(range.end) && line('tl-mark', rangeRight)}
      ${layout.now > 0 && layout.now < 1 && line('tl-now', layout.now)}
      ${inDay(pos) && line('tl-cursor', fractionAt(pos, bounds))}
      ${inDay(scrub) && line('tl-scrub', fractionAt(scrub, bounds))}
    </div>
  </div>`;
}

/** The range to export: marks, length, problem or the download link (checked before it runs). */
function ExportPanel({ camera, range, pos, now, setRange }) {
  const ex = rangeExport(camera, range.start, range.end, now);
  const [check, setCheck] = useState({ url: '', state: '', error: '' });
  const checked = useRef({ url: '', at: 0 });
  const link = useRef(null);
  const anyMark = range.start !== null || range.end !== null;
  const complete = range.start !== null && range.end !== null;
  const mark = (key) => setRange({ ...range, [key]: Math.round(pos) });

  const onDownload = (e) => {
    const url = ex.url;
    // Checked a moment ago: the browser downloads.
    if (checked.current.url === url && Date.now() - checked.current.at < CHECK_VALID) return;
    e.preventDefault();
    if (check.url === url && check.state === 'checking') return;
    setCheck({ url, state: 'checking', error: '' });
    probe(url).then(
      () => {
        checked.current = { url, at: Date.now() };
        setCheck((c) => (c.url === url ? { url, state: 'ok', error: '' } : c));
        // The export is written now, and kept a minute: this click downloads it.
        if (link.current?.getAttribute('href') === url) link.current.click();
      },
      (error) => {
        const failed = { url, state: 'failed', error: error.message || String(error) };
        setCheck((c) => (c.url === url ? failed : c));
      },
    );
  };

  const state = check.url === ex.url ? check : { state: '', error: '' };
  return html`<section class="card card-body export" aria-label="Export">
    <h2>Export a range</h2>
    <div class="toolbar">
      <button type="button" class="range-start-button" disabled=${pos === null} onClick=${() => mark('start')}>
        Mark start
      </button>
      <button type="button" class="range-end-button" disabled=${pos === null} onClick=${() => mark('end')}>
        Mark end
      </button>
      <button type="button" class="range-clear" disabled=${!anyMark} onClick=${() => setRange(NO_RANGE)}>Clear</button>
    </div>
    <dl class="figures">
      <dt>Start</dt><dd class="range-start">${range.start === null ? '–' : formatDateTime(range.start)}</dd>
      <dt>End</dt><dd class="range-end">${range.end === null ? '–' : formatDateTime(range.end)}</dd>
      <dt>Length</dt><dd class="range-length">${formatDuration(ex.length)}</dd>
    </dl>
    <div class="export-result">
      ${ex.url
        ? html`<a class="export-link" href=${ex.url} download=${ex.name} ref=${link} onClick=${onDownload}
              >Download the export (mp4)</a
            >
            ${state.state === 'checking' &&
            html`<p class="muted small" role="status">Preparing the export…</p>`}
            ${state.state === 'failed' &&
            html`<p class="error-text export-error" role="alert">The export failed: ${state.error}</p>`}`
        : anyMark
          ? html`<p class=${`range-problem ${complete ? 'error-text' : 'muted small'}`} role="status">${ex.problem}</p>`
          : html`<p class="muted small">
              Play a moment, then mark the start and the end at the playback position (or shift-drag on
              the timeline). One export holds up to 6 hours.
            </p>`}
    </div>
  </section>`;
}

function CameraList({ cameras }) {
  return html`<section aria-label="Cameras">
    <h1>Recordings</h1>
    <ul class="rec-cameras">
      ${cameras.map((c) => html`<li key=${c.name}><a href=${hrefRecordings(c.name)}>${c.name}</a></li>`)}
    </ul>
  </section>`;
}

export function RecordingsView({ camera, day: dayParam }) {
  const live = useLive();
  const now = useNow(1000);
  const today = dayOf(now);
  const day = dayParam || today;
  const bounds = useMemo(() => dayBounds(day), [day]);
  const isToday = day === today;
  useTitle(camera ? `${camera} recordings` : 'Recordings');

  const { index, error, loading, at } = useIndex(camera, day, bounds, isToday);
  // The layout follows the clock in steps of 10 s (the part of today after now is drawn empty).
  const layoutNow = bounds && now >= bounds.end ? bounds.end : Math.floor(now / 10) * 10;
  const layout = useMemo(
    () => (bounds ? layoutDay(index, bounds, layoutNow) : null),
    [index, bounds, layoutNow],
  );
  const ticks = useMemo(() => (bounds ? hourTicks(bounds) : []), [bounds]);
  const events = useMemo(() => (layout ? layout.events.map((m) => m.event) : []), [layout]);

  const video = useRef(null);
  const [piece, setPiece] = useState(null); // { start, end, url } playing in the video
  const [pos, setPos] = useState(null); // the playback position, epoch s
  const [scrub, setScrub] = useState(null); // the time under a dragging pointer
  const [note, setNote] = useState({ text: '', error: false });
  const [range, setRange] = useState(NO_RANGE);

  // Handlers of the video read the newest values through this.
  const latest = useRef({});
  latest.current = { spans: index?.spans, bounds, piece, isToday };

  // Another day: the player starts over (a marked range stays, so it may cross midnight).
  useEffect(() => {
    setPiece(null);
    setPos(null);
    setNote({ text: '', error: false });
  }, [day, camera]);

  useEffect(() => {
    if (!piece || !video.current) return;
    video.current.play().catch((e) => {
      if (e?.name === 'NotAllowedError') setNote({ text: 'Press play to start.', error: false });
    });
  }, [piece]);

  const startPiece = (p) => setPiece({ ...p, url: exportUrl(camera, p.start, p.end) });

  const play = (t) => {
    const { spans, bounds: b, piece: current } = latest.current;
    const el = video.current;
    setNote({ text: '', error: false });
    const p = pieceAt(t, spans, b, Date.now() / 1000);
    if (!p) {
      setPiece(null);
      setPos(t);
      setNote({ text: `Nothing is recorded from ${clock(t)} to the end of the day.`, error: false });
      return;
    }
    if (p.start - t > 60) {
      setNote({ text: `Not recorded at ${clock(t)}: playing from ${clock(p.start)}.`, error: false });
    }
    const target = Math.max(t, p.start);
    if (current && el && target >= current.start && target < current.end - 1) {
      // Within the piece loaded: a seek, no new export.
      el.currentTime = target - current.start;
      setPos(target);
      el.play().catch(() => {});
      return;
    }
    setPos(p.start);
    startPiece(p);
  };
  const playEvent = (e) => play(Math.max(eventTarget(e), bounds.start));

  // The clip's currentTime 0 is taken as the piece's start; the export really starts at the
  // keyframe before it, up to a GOP earlier, which the page has no way to learn.
  const onTimeUpdate = () => {
    const p = latest.current.piece;
    if (p && video.current) setPos(p.start + video.current.currentTime);
  };
  const onEnded = () => {
    const { spans, bounds: b, piece: p, isToday: stillToday } = latest.current;
    const next = nextPiece(p, spans, b, Date.now() / 1000);
    if (next) startPiece(next);
    else setNote({ text: stillToday ? 'No more recordings yet.' : "End of this day's recordings.", error: false });
  };
  const onError = () => {
    const p = latest.current.piece;
    const el = video.current;
    if (!p || !el?.error) return;
    const code = el.error.code;
    // The video says little; the export's own answer says why (400, 404 with its text).
    probe(p.url).then(
      () => {
        if (latest.current.piece === p) {
          setNote({ text: `The browser cannot play this recording (media error ${code}).`, error: true });
        }
      },
      (e) => {
        if (latest.current.piece === p) setNote({ text: `Could not play: ${e.message || e}`, error: true });
      },
    );
  };

  if (!live.config) {
    return live.configError
      ? html`<${Note} kind="error">Cannot reach the server: ${live.configError}</${Note}>`
      : html`<${Note}>Loading…</${Note}>`;
  }
  if (!camera) return html`<${CameraList} cameras=${live.cameras} />`;
  const cam = live.cameras.find((c) => c.name === camera);
  if (!cam) return html`<${Note} kind="error">There is no camera named “${camera}”.</${Note}>`;
  if (!bounds || !parseDay(day)) {
    return html`<${Note} kind="error">
      “${day}” is not a day (YYYY-MM-DD). <a href=${hrefRecordings(camera)}>Today</a>
    </${Note}>`;
  }

  const go = (d) => {
    location.hash = hrefRecordings(camera, d === today ? '' : d);
  };
  const next = pos === null ? events[0] : nextEvent(events, pos);
  const prev = pos === null ? events[events.length - 1] : prevEvent(events, pos);
  const playing = pos === null ? null : events.filter((e) => e.start_time <= pos && pos <= eventEnd(e, now)).pop();

  return html`<div class="recordings-page">
    <header class="page-head">
      <h1>${camera} <span class="muted">recordings</span></h1>
      <nav class="links">
        <a href=${hrefCamera(camera)}>Live view</a>
        <a href=${hrefEvents({ camera })}>Events of ${camera}</a>
      </nav>
    </header>
    <div class="toolbar day-bar">
      <button type="button" class="day-prev" onClick=${() => go(addDays(day, -1))}>‹ Previous day</button>
      <input
        type="date"
        class="day-pick"
        aria-label="Day"
        value=${day}
        max=${today}
        onChange=${(e) => parseDay(e.currentTarget.value) && go(e.currentTarget.value)}
      />
      <button type="button" class="day-next" disabled=${day >= today} onClick=${() => go(addDays(day, 1))}>
        Next day ›
      </button>
      <button type="button" class="day-today" disabled=${isToday} onClick=${() => go(today)}>Today</button>
    </div>
    <div class="tl-status small">
      <span class="tl-readout num">
        ${scrub !== null
          ? `Go to ${clock(scrub)}`
          : pos !== null
            ? `At ${clock(pos)}`
            : 'Tap or drag on the timeline to play.'}
      </span>
      <span class=${error ? 'error-text' : 'muted'}>
        ${error
          ? `Could not load the recordings: ${error}`
          : loading && !index
            ? 'Loading…'
            : isToday && at
              ? `Updated ${clock(at)}`
              : ''}
      </span>
    </div>
    <${Timeline}
      day=${day}
      bounds=${bounds}
      layout=${layout}
      ticks=${ticks}
      pos=${pos}
      scrub=${scrub}
      range=${range}
      onScrub=${setScrub}
      onPlay=${play}
      onPlayEvent=${playEvent}
      onRange=${(start, end) => setRange({ start: Math.round(start), end: Math.round(end) })}
    />
    <p class="tl-legend small muted" aria-hidden="true">
      <span><i class="swatch tl-span"></i>recorded</span>
      <span><i class="swatch tl-gap"></i>not recorded</span>
      <span><i class="swatch tl-event"></i>event</span>
      <span><i class="swatch tl-event tl-event-live"></i>in progress</span>
    </p>
    <div class="recordings-layout">
      <section class="player" aria-label="Player">
        <div class="picture" style=${{ aspectRatio: aspectRatio(cam) }}>
          ${piece &&
          html`<video
            ref=${video}
            class="front fit-contain rec-video"
            src=${piece.url}
            controls
            playsinline
            preload="auto"
            onTimeUpdate=${onTimeUpdate}
            onEnded=${onEnded}
            onError=${onError}
          ></video>`}
          ${note.text
            ? html`<span
                class=${note.error ? 'picture-note rec-note rec-error' : 'picture-note rec-note'}
                role=${note.error ? 'alert' : 'status'}
              >${note.text}</span>`
            : !piece && html`<span class="picture-note rec-note">Nothing playing</span>`}
        </div>
        <div class="toolbar">
          <button type="button" class="event-prev" disabled=${!prev} onClick=${() => prev && playEvent(prev)}>
            ‹ Previous event
          </button>
          <button type="button" class="event-next" disabled=${!next} onClick=${() => next && playEvent(next)}>
            Next event ›
          </button>
          <span class="rec-playing small">
            ${playing &&
            html`<a href=${hrefEvent(playing.id)}>${playing.label} ${formatPercent(playing.top_score)}</a>`}
          </span>
        </div>
      </section>
      <${ExportPanel} camera=${camera} range=${range} pos=${pos} now=${now} setRange=${setRange} />
    </div>
  </div>`;
}
