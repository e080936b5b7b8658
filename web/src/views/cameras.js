// `#/`: a card per camera with its picture (latest.jpg, refreshed), its name, its figures, a link
// to its recordings and its switches.

import { html } from '../html.js';
import { LivePicture, Note, useTitle } from '../components.js';
import { aspectRatio } from '../lib/config.js';
import { formatRate } from '../lib/format.js';
import { hrefCamera, hrefRecordings } from '../lib/route.js';
import { cameraHealth, readStats } from '../lib/stats.js';
import { latestUrl } from '../lib/urls.js';
import { useStats } from '../live.js';
import { Switches } from './switches.js';

export function CamerasView() {
  const live = useStats();
  useTitle('Cameras');
  const stats = readStats(live.stats);
  if (!live.config) {
    return live.configError
      ? html`<${Note} kind="error">Cannot reach the server: ${live.configError}</${Note}>`
      : html`<${Note}>Loading…</${Note}>`;
  }
  if (live.cameras.length === 0) return html`<${Note}>No cameras are configured.</${Note}>`;
  return html`<section class="camera-grid" aria-label="Cameras">
    ${live.cameras.map((cam) => {
      const figures = stats.cameras.find((c) => c.name === cam.name);
      const health = cameraHealth(figures);
      return html`<article class="card camera-card" key=${cam.name}>
        <a href=${hrefCamera(cam.name)} class="camera-link" aria-label=${`Open ${cam.name}`}>
          <${LivePicture}
            base=${latestUrl(cam.name)}
            aspect=${aspectRatio(cam)}
            maxHeight=${cam.height}
            interval=${1000}
            alt=${`Latest picture of ${cam.name}`}
          />
        </a>
        <div class="card-body">
          <h2 class="card-title">
            <span class=${`dot dot-${health}`} title=${`Camera ${health}`}></span>
            <a href=${hrefCamera(cam.name)}>${cam.name}</a>
            ${figures &&
            html`<span class="muted small">${formatRate(figures.cameraFps)} fps</span>`}
            <a class="card-rec small" href=${hrefRecordings(cam.name)}>Recordings</a>
          </h2>
          <${Switches} camera=${cam.name} switches=${live.switches[cam.name]} />
        </div>
      </article>`;
    })}
  </section>`;
}
