// `#/system`: the detectors' and cameras' figures (/api/stats, polled every few seconds and
// pushed by the socket), the service's version and uptime, storage use, and the effective
// config (/api/config) as YAML.

import { useEffect, useState } from 'preact/hooks';
import { html } from '../html.js';
import { Note, useTitle } from '../components.js';
import { getText } from '../api.js';
import { formatDuration, formatMegabytes, formatMs, formatPercent, formatRate } from '../lib/format.js';
import { hrefCamera } from '../lib/route.js';
import { STORAGE_WARN, cameraHealth, readStats } from '../lib/stats.js';
import { versionUrl } from '../lib/urls.js';
import { dumpYaml } from '../lib/yaml.js';
import { useStats } from '../live.js';

function useVersion() {
  const [version, setVersion] = useState('');
  useEffect(() => {
    getText(versionUrl())
      .then((v) => setVersion(v.trim()))
      .catch(() => setVersion(''));
  }, []);
  return version;
}

function Detectors({ detectors }) {
  if (!detectors.length) return html`<p class="muted">No detector figures.</p>`;
  return html`<div class="table-wrap"><table>
    <thead><tr><th>Detector</th><th>Inference</th><th>State</th><th>pid</th></tr></thead>
    <tbody>
      ${detectors.map(
        (d) => html`<tr key=${d.name}>
          <th scope="row">${d.name}</th>
          <td class="num">${formatMs(d.inferenceSpeed)}</td>
          <td>${d.busy ? 'detecting' : 'idle'}</td>
          <td class="num">${Number.isNaN(d.pid) ? '–' : d.pid}</td>
        </tr>`,
      )}
    </tbody>
  </table></div>`;
}

function Cameras({ cameras }) {
  if (!cameras.length) return html`<p class="muted">No camera figures.</p>`;
  return html`<div class="table-wrap"><table>
    <thead>
      <tr>
        <th>Camera</th><th>Camera fps</th><th>Processed</th><th>Skipped</th><th>Detections /s</th>
        <th>ffmpeg pid</th><th>Outputs</th>
      </tr>
    </thead>
    <tbody>
      ${cameras.map(
        (c) => html`<tr key=${c.name}>
          <th scope="row">
            <span class=${`dot dot-${cameraHealth(c)}`}></span>
            <a href=${hrefCamera(c.name)}>${c.name}</a>
          </th>
          <td class="num">${formatRate(c.cameraFps)}</td>
          <td class="num">${formatRate(c.processFps)}</td>
          <td class="num">${formatRate(c.skippedFps)}</td>
          <td class="num">${formatRate(c.detectionFps)}</td>
          <td class="num">${c.capturePid > 0 ? c.capturePid : '–'}</td>
          <td>
            ${c.roles.map(
              (r) => html`<span key=${r.role} class=${`role role-${r.state}`} title=${r.error}>
                ${r.role}: ${r.state}
              </span>`,
            )}
            ${c.roles
              .filter((r) => r.error)
              .map((r) => html`<div key=${`${r.role}-e`} class="small error-text">${r.role}: ${r.error}</div>`)}
          </td>
        </tr>`,
      )}
    </tbody>
  </table></div>`;
}

function Storage({ storage }) {
  if (!storage.length) return html`<p class="muted">No storage figures.</p>`;
  return html`<ul class="storage">
    ${storage.map(
      (s) => html`<li key=${s.path}>
        <div class="storage-head">
          <strong>${s.path}</strong>
          <span class="muted small">${s.mountType}</span>
          <span class="num">
            ${`${formatMegabytes(s.used)} of ${formatMegabytes(s.total)} (${formatPercent(s.usedFraction)}), `}
            ${`${formatMegabytes(s.free)} free`}
          </span>
        </div>
        <meter
          min="0"
          max="1"
          high=${STORAGE_WARN}
          optimum="0"
          value=${Number.isNaN(s.usedFraction) ? 0 : s.usedFraction}
          aria-label=${`${s.path} used`}
        ></meter>
      </li>`,
    )}
  </ul>`;
}

export function SystemView() {
  const live = useStats();
  const version = useVersion();
  useTitle('System');
  const stats = readStats(live.stats);
  const configText = live.config ? dumpYaml(live.config) : '';

  return html`<div class="system-page">
    <header class="page-head"><h1>System</h1></header>
    ${!live.stats && html`<${Note}>Loading figures…</${Note}>`}
    <section class="card card-body">
      <h2>Service</h2>
      <dl class="figures">
        <dt>Version</dt><dd>${version || stats.version || '–'}</dd>
        <dt>Uptime</dt><dd>${formatDuration(stats.uptime)}</dd>
        <dt>Detections</dt><dd>${formatRate(stats.detectionFps)} /s</dd>
        <dt>Live updates</dt>
        <dd>${live.socket === 'open' ? 'WebSocket' : 'polling every few seconds'}</dd>
      </dl>
    </section>
    <section class="card card-body">
      <h2>Detectors</h2>
      <${Detectors} detectors=${stats.detectors} />
    </section>
    <section class="card card-body">
      <h2>Cameras</h2>
      <${Cameras} cameras=${stats.cameras} />
    </section>
    <section class="card card-body">
      <h2>Storage</h2>
      <${Storage} storage=${stats.storage} />
    </section>
    <section class="card card-body">
      <h2>Effective config</h2>
      ${live.configError && html`<${Note} kind="error">${live.configError}</${Note}>`}
      ${configText
        ? html`<details>
            <summary>Show the running configuration (YAML, passwords hidden)</summary>
            <pre class="config">${configText}</pre>
          </details>`
        : html`<p class="muted">Loading…</p>`}
    </section>
  </div>`;
}
