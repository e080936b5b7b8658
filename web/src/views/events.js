// `#/events?camera=&label=&zone=`: the event list, newest first, filtered by the URL's query.
//
// Pages of PAGE_SIZE events load as the user scrolls (the API's `before`, an IntersectionObserver
// on a sentinel below the list), never the whole table. Rows have one fixed height and only those
// near the viewport are in the DOM, so the page stays smooth however many have been loaded. New
// and changed events come from the socket (and a poll of the newest page, every few seconds
// without the socket, every minute with it).

import { useEffect, useLayoutEffect, useMemo, useRef, useState } from 'preact/hooks';
import { html } from '../html.js';
import { LiveMark, Note, useTitle } from '../components.js';
import { getJson, isAbort } from '../api.js';
import { labelsOf, zonesOf } from '../lib/config.js';
import {
  PAGE_SIZE,
  applyEventMessage,
  eventDuration,
  isInProgress,
  mergeEvents,
  mergeHead,
  nextCursor,
} from '../lib/events.js';
import { formatDuration, formatPercent, formatWhen } from '../lib/format.js';
import { visibleRange } from '../lib/geometry.js';
import { hrefEvent, hrefEvents } from '../lib/route.js';
import { eventsUrl, thumbnailUrl } from '../lib/urls.js';
import { onEventMessage, POLL_FAST, POLL_SLOW, useLive } from '../live.js';

/** Height of a row, px; the CSS gives .event-row the same (--row-height). */
export const ROW_HEIGHT = 80;
/** How far below the viewport the next page starts loading, px. */
const PRELOAD_MARGIN = 1200;

/** A <select> of one filter; a value from the URL that is not among the options is kept. */
function FilterSelect({ label, value, options, onChange }) {
  const all = value && !options.includes(value) ? [value, ...options] : options;
  return html`<label class="filter">
    <span>${label}</span>
    <select value=${value} onChange=${(e) => onChange(e.currentTarget.value)}>
      <option value="">All</option>
      ${all.map((o) => html`<option key=${o} value=${o}>${o}</option>`)}
    </select>
  </label>`;
}

function Filters({ filters, cameras }) {
  const set = (key, value) => {
    const next = { ...filters, [key]: value };
    // A zone belongs to a camera: drop a zone the newly chosen camera lacks.
    if (key === 'camera' && value && next.zone && !zonesOf(cameras, value).includes(next.zone)) next.zone = '';
    location.hash = hrefEvents(next);
  };
  const any = filters.camera || filters.label || filters.zone;
  return html`<form class="filters" onSubmit=${(e) => e.preventDefault()} aria-label="Filters">
    <${FilterSelect}
      label="Camera"
      value=${filters.camera}
      options=${cameras.map((c) => c.name)}
      onChange=${(v) => set('camera', v)}
    />
    <${FilterSelect}
      label="Label"
      value=${filters.label}
      options=${labelsOf(cameras, filters.camera)}
      onChange=${(v) => set('label', v)}
    />
    <${FilterSelect}
      label="Zone"
      value=${filters.zone}
      options=${zonesOf(cameras, filters.camera)}
      onChange=${(v) => set('zone', v)}
    />
    ${any && html`<a class="filter-clear" href=${hrefEvents({})}>Clear filters</a>`}
  </form>`;
}

function EventRow({ event, top, now }) {
  const live = isInProgress(event);
  return html`<a
    class=${`event-row${live ? ' is-live' : ''}`}
    href=${hrefEvent(event.id)}
    style=${{ transform: `translateY(${top}px)` }}
  >
    <span class="ev-thumb">
      <img src=${thumbnailUrl(event.id)} alt="" loading="lazy" decoding="async" width="64" height="64" />
    </span>
    <span class="ev-label"><strong>${event.label}</strong></span>
    <span class="ev-score">${formatPercent(event.top_score)}</span>
    <span class="ev-camera">${event.camera}</span>
    <span class="ev-zones">${(event.zones || []).join(', ')}</span>
    <span class="ev-start">${formatWhen(event.start_time, now)}</span>
    <span class="ev-duration">
      ${live && html`<${LiveMark} />`} ${formatDuration(eventDuration(event, now))}
    </span>
  </a>`;
}

/** The list of events matching `filters`; the view is remounted when the filters change. */
function EventList({ filters }) {
  const live = useLive();
  const socketOpen = live.socket === 'open';
  const [list, setList] = useState([]);
  const [status, setStatus] = useState({ loading: true, done: false, error: '' });
  const [range, setRange] = useState({ start: 0, end: 0 });
  const cursor = useRef(undefined); // `before` of the next page; undefined = the newest page
  const loading = useRef(false);
  const done = useRef(false);
  const listRef = useRef(list);
  listRef.current = list;
  const container = useRef(null);
  const sentinel = useRef(null);
  const controller = useMemo(() => new AbortController(), []);
  const anchor = useRef(null); // { id, index } of the first row in view, to keep it in place

  useEffect(() => () => controller.abort(), [controller]);

  // Recompute which rows are on screen (on scroll, resize and list changes).
  const measure = () => {
    const el = container.current;
    if (!el) return;
    const listTop = el.getBoundingClientRect().top + window.scrollY;
    const next = visibleRange({
      scrollTop: window.scrollY,
      viewportHeight: window.innerHeight,
      listTop,
      rowHeight: ROW_HEIGHT,
      count: listRef.current.length,
    });
    setRange((r) => (r.start === next.start && r.end === next.end ? r : next));
    const first = Math.floor((window.scrollY - listTop) / ROW_HEIGHT);
    const row = first >= 0 ? listRef.current[first] : undefined;
    anchor.current = row ? { id: row.id, index: first } : null;
  };

  // When the sentinel is within PRELOAD_MARGIN of the viewport, the next page is wanted.
  const sentinelNear = () => {
    const el = sentinel.current;
    return Boolean(el) && el.getBoundingClientRect().top < window.innerHeight + PRELOAD_MARGIN;
  };

  const loadMore = async () => {
    if (loading.current || done.current) return;
    loading.current = true;
    setStatus((s) => ({ ...s, loading: true, error: '' }));
    const before = cursor.current;
    try {
      const page = await getJson(eventsUrl({ ...filters, before, limit: PAGE_SIZE }), controller.signal);
      const current = listRef.current;
      const merged = mergeEvents(current, page);
      const next = nextCursor({ list: merged, page, added: merged.length - current.length, before });
      cursor.current = next.before;
      done.current = next.done;
      listRef.current = merged;
      setList(merged);
      setStatus({ loading: false, done: next.done, error: '' });
    } catch (e) {
      if (isAbort(e)) return;
      // Shown with a Retry button; no retry by itself (the server may be down).
      setStatus({ loading: false, done: false, error: e.message || String(e) });
      return;
    } finally {
      loading.current = false;
    }
    // The viewport may still reach the end (a tall window): keep going.
    requestAnimationFrame(() => {
      if (!done.current && sentinelNear()) loadMore();
    });
  };

  useEffect(() => {
    loadMore();
    const observer = new IntersectionObserver(
      (entries) => {
        if (entries.some((e) => e.isIntersecting)) loadMore();
      },
      { rootMargin: `0px 0px ${PRELOAD_MARGIN}px 0px` },
    );
    observer.observe(sentinel.current);
    let frame = 0;
    const onScroll = () => {
      cancelAnimationFrame(frame);
      frame = requestAnimationFrame(measure);
    };
    window.addEventListener('scroll', onScroll, { passive: true });
    window.addEventListener('resize', onScroll);
    return () => {
      observer.disconnect();
      cancelAnimationFrame(frame);
      window.removeEventListener('scroll', onScroll);
      window.removeEventListener('resize', onScroll);
    };
  }, []);

  // Live changes from the socket.
  useEffect(
    () =>
      onEventMessage((message) => {
        const next = applyEventMessage(listRef.current, message, filters, done.current);
        if (next !== listRef.current) {
          listRef.current = next;
          setList(next);
        }
      }),
    [],
  );

  // The newest page, polled: catches what the socket missed (or all of it, without a socket).
  useEffect(() => {
    const timer = setInterval(
      async () => {
        if (document.hidden || loading.current) return;
        try {
          const page = await getJson(eventsUrl({ ...filters, limit: PAGE_SIZE }), controller.signal);
          // An older page started meanwhile would land after a restart below, past a gap (and set
          // the cursor from it): leave this poll to the next one.
          if (loading.current) return;
          const { list: next, reset } = mergeHead(listRef.current, page);
          setStatus((st) => (st.error ? { ...st, error: '' } : st)); // the server answers again
          // A restart, or the first page (when the first load failed): the cursor starts here.
          if (reset || cursor.current === undefined) {
            done.current = page.length < PAGE_SIZE;
            cursor.current = next.length ? next[next.length - 1].start_time : undefined;
            setStatus({ loading: false, done: done.current, error: '' });
          }
          if (next !== listRef.current) {
            listRef.current = next;
            setList(next);
          }
          // The server answers again after a failed page: the sentinel may have stayed in view
          // (no new IntersectionObserver callback), so go on loading from here.
          if (!done.current) requestAnimationFrame(() => sentinelNear() && loadMore());
        } catch {
          // the next poll tries again
        }
      },
      socketOpen ? POLL_SLOW : POLL_FAST,
    );
    return () => clearInterval(timer);
  }, [socketOpen]);

  // Rows inserted above the viewport (new events while the user reads further down) would push
  // what is read down: scroll by as much, so the rows in view stay in place.
  useLayoutEffect(() => {
    const a = anchor.current;
    if (a) {
      const index = list.findIndex((e) => e.id === a.id);
      if (index > a.index) window.scrollBy(0, (index - a.index) * ROW_HEIGHT);
    }
    measure();
  }, [list]);

  // Durations of events in progress grow: re-render every second while one is in view.
  const liveInView = list.slice(range.start, range.end).some(isInProgress);
  const [, setTick] = useState(0);
  useEffect(() => {
    if (!liveInView) return undefined;
    const timer = setInterval(() => setTick((n) => n + 1), 1000);
    return () => clearInterval(timer);
  }, [liveInView]);

  const now = Date.now() / 1000;
  const rows = [];
  for (let i = range.start; i < Math.min(range.end, list.length); i += 1) {
    rows.push(html`<${EventRow} key=${list[i].id} event=${list[i]} top=${i * ROW_HEIGHT} now=${now} />`);
  }

  return html`<div>
    <div class="event-table">
      <div class="event-head" aria-hidden="true">
        <span class="ev-thumb"></span>
        <span class="ev-label">Label</span>
        <span class="ev-score">Score</span>
        <span class="ev-camera">Camera</span>
        <span class="ev-zones">Zones</span>
        <span class="ev-start">Start</span>
        <span class="ev-duration">Duration</span>
      </div>
      <div class="event-rows" aria-label="Events" ref=${container} style=${{ height: `${list.length * ROW_HEIGHT}px` }}>
        ${rows}
      </div>
    </div>
    <div ref=${sentinel} class="sentinel" aria-hidden="true"></div>
    <p class="list-status muted" aria-live="polite">
      ${status.error
        ? html`<span class="error-text">Could not load events: ${status.error} </span>
            <button type="button" onClick=${() => loadMore()}>Retry</button>`
        : status.loading
          ? 'Loading…'
          : status.done
            ? list.length === 0
              ? 'No events match.'
              : `${list.length} event${list.length === 1 ? '' : 's'}, all shown.`
            : `${list.length} events loaded; more load as you scroll.`}
    </p>
  </div>`;
}

export function EventsView({ filters }) {
  const live = useLive();
  useTitle('Events');
  const key = hrefEvents(filters);
  return html`<div class="events-page">
    <header class="page-head">
      <h1>Events</h1>
      <${Filters} filters=${filters} cameras=${live.cameras} />
    </header>
    ${live.configError && html`<${Note} kind="error">Cannot reach the server: ${live.configError}</${Note}>`}
    <${EventList} key=${key} filters=${filters} />
  </div>`;
}
