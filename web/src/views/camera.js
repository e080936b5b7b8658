// `#/cameras/<name>`: the live stream with its overlay options (kept per camera in
// localStorage), the camera's switches and figures, the objects it tracks now (its in-progress
// events, with their label's best picture), and links to its recordings and its events.

import { useEffect, useRef, useState } from 'preact/hooks';
import { html } from '../html.js';
import { LiveMark, LivePicture, Note, Stream, useNow, useTitle } from '../components.js';
import { getJson, isAbort } from '../api.js';
import { aspectRatio, liveFps, pictureHeight } from '../lib/config.js';
import { applyEventMessage, eventDuration, trackedObjects } from '../lib/events.js';
import { formatDuration, formatPercent, formatRate } from '../lib/format.js';
import { OVERLAYS, OVERLAY_LABELS, loadOverlays, overlayParams, saveOverlays } from '../lib/prefs.js';
import { hrefEditor, hrefEvent, hrefEvents, hrefRecordings } from '../lib/route.js';
import { readStats } from '../lib/stats.js';
import { bestUrl, eventsUrl, streamUrl } from '../lib/urls.js';
import { onEventMessage, POLL_FAST, useLive, useStats } from '../live.js';
import { Switches } from './switches.js';

function storage() {
  try {
    return window.localStorage;
  } catch {
    return null;
  }
}

/** The camera's in-progress events, from a poll of its newest events and the socket. */
function useTrackedObjects(camera) {
  const live = useLive();
  const [objects, setObjects] = useState([]);
  const socketOpen = live.socket === 'open';

  useEffect(() => {
    setObjects([]);
    return onEventMessage((message) => {
      setObjects((list) => trackedObjects(applyEventMessage(list, message, { camera }, true), camera));
    });
  }, [camera]);

  useEffect(() => {
    let timer = 0;
    const controller = new AbortController();
    const poll = async () => {
      try {
        if (!document.hidden) {
          const page = await getJson(eventsUrl({ camera, limit: 100 }), controller.signal);
          setObjects(trackedObjects(page, camera));
        }
      } catch (e) {
        if (isAbort(e)) return;
      }
      timer = setTimeout(poll, socketOpen ? 30000 : POLL_FAST);
    };
    poll();
    return () => {
      controller.abort();
      clearTimeout(timer);
    };
  }, [camera, socketOpen]);

  return objects;
}

function TrackedObjects({ camera, objects, maxHeight }) {
  const now = useNow(1000);
  if (objects.length === 0) return html`<p class="muted">Nothing tracked right now.</p>`;
  return html`<ul class="object-grid">
    ${objects.map(
      (e) => html`<li key=${e.id} class="card object-card">
        <a href=${hrefEvent(e.id)}>
          <${LivePicture}
            base=${bestUrl(camera, e.label, { crop: 1 })}
            aspect="1 / 1"
            interval=${5000}
            maxHeight=${maxHeight}
            alt=${`Best picture of ${e.label}`}
          />
          <div class="card-body">
            <strong>${e.label}</strong> <span>${formatPercent(e.top_score)}</span>
            <div class="muted small">
              <${LiveMark} /> ${formatDuration(eventDuration(e, now))}
            </div>
            ${e.zones?.length > 0 && html`<div class="small">${e.zones.join(', ')}</div>`}
          </div>
        </a>
      </li>`,
    )}
  </ul>`;
}

export function CameraView({ name }) {
  const live = useStats();
  useTitle(name);
  const [overlays, setOverlays] = useState(() => loadOverlays(storage(), name));
  useEffect(() => setOverlays(loadOverlays(storage(), name)), [name]);
  const objects = useTrackedObjects(name);
  const streamFps = useRef(0); // the fps the stream was opened with (see liveFps)

  const cam = live.cameras.find((c) => c.name === name);
  if (!live.config) {
    return live.configError
      ? html`<${Note} kind="error">Cannot reach the server: ${live.configError}</${Note}>`
      : html`<${Note}>Loading…</${Note}>`;
  }
  if (!cam) return html`<${Note} kind="error">There is no camera named “${name}”.</${Note}>`;

  const figures = readStats(live.stats).cameras.find((c) => c.name === name);
  const fps = liveFps(cam, figures?.cameraFps, streamFps.current);
  streamFps.current = fps;
  // The stream's height follows the size it is shown at (the window's, when the view opened).
  const shownHeight = Math.min(
    window.innerHeight * 0.78,
    (Math.min(window.innerWidth, 1600) * (cam.height || 9)) / (cam.width || 16),
  );
  const h = pictureHeight(shownHeight, window.devicePixelRatio, cam.height);
  const src = streamUrl(name, { fps, h, ...overlayParams(overlays) });

  const toggle = (option) => {
    const next = { ...overlays, [option]: !overlays[option] };
    setOverlays(next);
    saveOverlays(storage(), name, next);
  };

  const labels = cam.labels;
  return html`<div class="camera-page">
    <header class="page-head">
      <h1>${name}</h1>
      <nav class="links">
        <a href=${hrefRecordings(name)}>Recordings</a>
        <a href=${hrefEvents({ camera: name })}>Events of ${name}</a>
        ${labels.map((l) => html`<a key=${l} href=${hrefEvents({ camera: name, label: l })}>${l}</a>`)}
        <a href=${hrefEditor(name)}>Masks and zones</a>
      </nav>
    </header>
    <div class="camera-layout">
      <section class="live" aria-label="Live view">
        <${Stream} src=${src} aspect=${aspectRatio(cam)} alt=${`Live view of ${name}`} />
        <p class="muted small">
          Live at ${fps} fps${cam.width ? ` · ${cam.width}×${cam.height} detect` : ''}
        </p>
        <fieldset class="overlays">
          <legend>Overlays</legend>
          ${OVERLAYS.map(
            (o) => html`<label key=${o} class="check">
              <input type="checkbox" checked=${overlays[o]} onChange=${() => toggle(o)} />
              ${OVERLAY_LABELS[o]}
            </label>`,
          )}
        </fieldset>
      </section>
      <aside class="camera-side">
        <section class="card card-body">
          <h2>Switches</h2>
          <${Switches} camera=${name} switches=${live.switches[name]} />
        </section>
        ${figures &&
        html`<section class="card card-body">
          <h2>Figures</h2>
          <dl class="figures">
            <dt>Camera</dt><dd>${formatRate(figures.cameraFps)} fps</dd>
            <dt>Processed</dt><dd>${formatRate(figures.processFps)} fps</dd>
            <dt>Skipped</dt><dd>${formatRate(figures.skippedFps)} fps</dd>
            <dt>Detections</dt><dd>${formatRate(figures.detectionFps)} /s</dd>
          </dl>
        </section>`}
      </aside>
    </div>
    <section aria-label="Tracked objects">
      <h2>Tracked now</h2>
      <${TrackedObjects} camera=${name} objects=${objects} maxHeight=${cam.height} />
    </section>
  </div>`;
}
