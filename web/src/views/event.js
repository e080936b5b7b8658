// `#/events/<id>`: one event: its clip (when it has one), its snapshot, download links, its
// label, score, zones and times. An event in progress, or finished moments ago and waiting for
// its clip, is reloaded as it changes (socket) and every few seconds.

import { useEffect, useState } from 'preact/hooks';
import { html } from '../html.js';
import { LiveMark, Note, useNow, useTitle } from '../components.js';
import { getJson, isAbort } from '../api.js';
import { aspectRatio } from '../lib/config.js';
import { eventDuration, isInProgress } from '../lib/events.js';
import { formatDateTime, formatDuration, formatPercent } from '../lib/format.js';
import { hrefCamera, hrefEvents } from '../lib/route.js';
import { clipUrl, eventUrl, snapshotFileUrl, snapshotUrl } from '../lib/urls.js';
import { onEventMessage, POLL_FAST, useLive } from '../live.js';

/** How long after its end an event without a clip is still reloaded, waiting for the clip, s. */
const CLIP_WAIT = 120;

function useEvent(id) {
  const [result, setResult] = useState({ event: null, error: '', status: 0 });
  useEffect(() => {
    setResult({ event: null, error: '', status: 0 });
    const controller = new AbortController();
    let timer = 0;
    let misses = 0;
    let latest = 0; // the newest load; an older one that answers later is dropped
    const load = async () => {
      clearTimeout(timer);
      const seq = ++latest;
      let event = null;
      try {
        event = await getJson(eventUrl(id), controller.signal);
        if (seq !== latest) return;
        setResult({ event, error: '', status: 200 });
      } catch (e) {
        if (isAbort(e) || seq !== latest) return;
        // A new event's row is stored moments after its socket message: retry a few times.
        misses += 1;
        const retrying = e.status === 404 && misses <= 3;
        if (!retrying) setResult((r) => ({ ...r, error: e.message || String(e), status: e.status || 0 }));
        if (e.status === 404 && !retrying) return;
      }
      const waiting =
        !event ||
        isInProgress(event) ||
        (!event.has_clip && Date.now() / 1000 - (event.end_time || 0) < CLIP_WAIT);
      if (waiting) timer = setTimeout(load, event ? POLL_FAST : 1000 * misses);
    };
    load();
    const stop = onEventMessage((message) => {
      if (message.event.id === id) load();
    });
    return () => {
      stop();
      controller.abort();
      clearTimeout(timer);
    };
  }, [id]);
  return result;
}

export function EventView({ id }) {
  const live = useLive();
  const { event, error, status } = useEvent(id);
  const now = useNow(1000);
  const [clipFailed, setClipFailed] = useState(false);
  useTitle(event ? `${event.label} on ${event.camera}` : 'Event');

  if (!event) {
    if (status === 404) return html`<${Note} kind="error">Event “${id}” was not found.</${Note}>`;
    if (error) return html`<${Note} kind="error">Could not load the event: ${error}</${Note}>`;
    return html`<${Note}>Loading…</${Note}>`;
  }

  const cam = live.cameras.find((c) => c.name === event.camera);
  const inProgress = isInProgress(event);
  const aspect = aspectRatio(cam);
  const clip = event.has_clip ? clipUrl(event.camera, event.id) : '';
  // A finished event's snapshot is its saved file; one in progress is drawn by the API.
  const snapshot = inProgress
    ? snapshotUrl(event.id, { bbox: 1 })
    : event.has_snapshot
      ? snapshotFileUrl(event.camera, event.id)
      : '';
  const base = `${event.camera}-${event.id}`;

  return html`<article class="event-page">
    <header class="page-head">
      <h1>${event.label} <span class="muted">${formatPercent(event.top_score)}</span></h1>
      <nav class="links">
        <a href=${hrefCamera(event.camera)}>${event.camera}</a>
        <a href=${hrefEvents({ camera: event.camera })}>Events of ${event.camera}</a>
        <a href=${hrefEvents({ camera: event.camera, label: event.label })}>${event.label} on ${event.camera}</a>
      </nav>
    </header>
    <dl class="figures event-facts">
      <dt>Camera</dt><dd>${event.camera}</dd>
      <dt>Label</dt><dd>${event.label}</dd>
      <dt>Score</dt><dd>${formatPercent(event.top_score)}</dd>
      <dt>Zones</dt>
      <dd>
        ${event.zones?.length
          ? event.zones.map(
              (z, i) => html`${i > 0 && ', '}<a href=${hrefEvents({ camera: event.camera, zone: z })}>${z}</a>`,
            )
          : 'none'}
      </dd>
      <dt>Start</dt><dd>${formatDateTime(event.start_time)}</dd>
      <dt>${inProgress ? 'Seen last' : 'End'}</dt><dd>${formatDateTime(event.end_time)}</dd>
      <dt>Duration</dt>
      <dd>${inProgress && html`<${LiveMark} /> `}${formatDuration(eventDuration(event, now))}</dd>
    </dl>
    <div class="media">
      <section aria-label="Clip">
        <h2>Clip</h2>
        ${clip && clipFailed && html`<p class="error-text">The clip could not be loaded.</p>`}
        ${clip
          ? html`<div class="picture" style=${{ aspectRatio: aspect }}>
              <video
                class="front fit-contain"
                src=${clip}
                controls
                preload="metadata"
                playsinline
                onError=${() => setClipFailed(true)}
              ></video>
            </div>`
          : html`<p class="muted">
              ${inProgress
                ? 'The clip is made once the event ends.'
                : now - (event.end_time || 0) < CLIP_WAIT && live.switches[event.camera]?.clips
                  ? 'The clip is being assembled…'
                  : 'This event has no clip.'}
            </p>`}
        ${clip && html`<p><a href=${clip} download=${`${base}.mp4`}>Download the clip</a></p>`}
      </section>
      <section aria-label="Snapshot">
        <h2>Snapshot</h2>
        ${snapshot
          ? html`<div class="picture" style=${{ aspectRatio: aspect }}>
              <img class="front fit-contain" src=${snapshot} alt=${`Snapshot of ${event.label}`} />
            </div>`
          : html`<p class="muted">This event has no snapshot.</p>`}
        ${snapshot && html`<p><a href=${snapshot} download=${`${base}.jpg`}>Download the snapshot</a></p>`}
      </section>
    </div>
  </article>`;
}
