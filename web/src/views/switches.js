// A camera's detect, clips and snapshots switches. Each shows the state the server last reported
// (a POST answer, a socket message, the polled config); while a change is on its way the switch
// is busy, and a refused change shows the server's message.

import { useState } from 'preact/hooks';
import { html } from '../html.js';
import { Toggle } from '../components.js';
import { FEATURES } from '../lib/config.js';
import { setSwitch } from '../live.js';

const LABELS = { detect: 'Detect', clips: 'Clips', snapshots: 'Snapshots' };

export function Switches({ camera, switches }) {
  const [busy, setBusy] = useState({});
  const [error, setError] = useState('');

  const change = async (feature, on) => {
    setBusy((b) => ({ ...b, [feature]: true }));
    setError('');
    try {
      await setSwitch(camera, feature, on);
    } catch (e) {
      setError(`${LABELS[feature]}: ${e.message || e}`);
    } finally {
      setBusy((b) => ({ ...b, [feature]: false }));
    }
  };

  return html`<div class="switches">
    ${FEATURES.map(
      (f) => html`<${Toggle}
        key=${f}
        label=${LABELS[f]}
        checked=${Boolean(switches?.[f])}
        busy=${Boolean(busy[f])}
        disabled=${!switches}
        onChange=${(on) => change(f, on)}
      />`,
    )}
    ${error && html`<p class="switch-error" role="alert">${error}</p>`}
  </div>`;
}
