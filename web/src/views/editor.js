// `#/editor?camera=<name>`: draw a zone or a mask on a camera's picture and get the YAML to paste
// into the config. Points are in the camera's detect resolution (its width x height), whatever
// size the picture is shown at: the SVG drawn over the picture has that size as its viewBox.
// Click to add a point, drag a point to move it, or type the coordinates.

import { useEffect, useRef, useState } from 'preact/hooks';
import { html } from '../html.js';
import { Note, useTitle } from '../components.js';
import { aspectRatio, zoneNameProblem } from '../lib/config.js';
import { pointOutside, svgPoints, toFramePoint } from '../lib/geometry.js';
import { hrefEditor } from '../lib/route.js';
import { latestUrl } from '../lib/urls.js';
import { POLYGON_KINDS, parsePolygon, pointsToString, polygonYaml } from '../lib/yaml.js';
import { useLive } from '../live.js';

/** The polygons the camera's config already has, to show and to start from. */
function existingPolygons(cam) {
  const out = [];
  cam.zones.forEach((z) => out.push({ kind: 'zone', name: z.name, points: z.points, title: `Zone ${z.name}` }));
  cam.motionMasks.forEach((p, i) => out.push({ kind: 'motion', points: p, title: `Motion mask ${i + 1}` }));
  cam.objectMasks.forEach((p, i) => out.push({ kind: 'objects', points: p, title: `Object mask ${i + 1}` }));
  for (const [label, masks] of Object.entries(cam.filterMasks)) {
    masks.forEach((p, i) =>
      out.push({ kind: 'filter', label, points: p, title: `Object mask of ${label} ${i + 1}` }),
    );
  }
  return out;
}

/** Copies `text`; falls back to selecting `textarea` and execCommand where the Clipboard API is
 * missing (a page served over plain HTTP). Answers true when it worked. */
async function copyText(text, textarea) {
  try {
    if (navigator.clipboard && window.isSecureContext) {
      await navigator.clipboard.writeText(text);
      return true;
    }
  } catch {
    // fall through to the old way
  }
  if (!textarea) return false;
  textarea.focus();
  textarea.select();
  try {
    return document.execCommand('copy');
  } catch {
    return false;
  }
}

function Drawing({ cam, points, setPoints, existing, showExisting, pictureKey }) {
  const svg = useRef(null);
  const dragging = useRef(-1);
  const w = cam.width || 1280;
  const h = cam.height || 720;
  const r = Math.max(w, h) / 120; // handle radius, in frame pixels

  const pointAt = (e) => toFramePoint(e.clientX, e.clientY, svg.current.getBoundingClientRect(), w, h);

  const onClick = (e) => {
    if (e.target?.dataset?.vertex !== undefined) return; // the end of a drag
    setPoints([...points, pointAt(e)]);
  };
  const onVertexDown = (i) => (e) => {
    e.stopPropagation();
    e.currentTarget.setPointerCapture?.(e.pointerId);
    dragging.current = i;
  };
  const onMove = (e) => {
    const i = dragging.current;
    if (i < 0) return;
    const p = pointAt(e);
    setPoints(points.map((q, j) => (j === i ? p : q)));
  };
  const onUp = () => {
    dragging.current = -1;
  };

  return html`<div class="picture editor-picture" style=${{ aspectRatio: aspectRatio(cam) }}>
    <img class="front fit-fill" src=${latestUrl(cam.name, { t: pictureKey })} alt=${`Picture of ${cam.name}`} />
    <svg
      ref=${svg}
      class="editor-svg"
      viewBox=${`0 0 ${w} ${h}`}
      preserveAspectRatio="none"
      onClick=${onClick}
      onPointerMove=${onMove}
      onPointerUp=${onUp}
      onPointerCancel=${onUp}
    >
      ${showExisting &&
      existing.map(
        (p, i) => html`<polygon
          key=${`x${i}`}
          class=${`existing existing-${p.kind}`}
          points=${svgPoints(p.points)}
          vector-effect="non-scaling-stroke"
        ><title>${p.title}</title></polygon>`,
      )}
      ${points.length >= 2 &&
      html`<polygon class="drawn" points=${svgPoints(points)} vector-effect="non-scaling-stroke" />`}
      ${points.map(
        ([x, y], i) => html`<circle
          key=${i}
          class=${i === 0 ? 'vertex first' : 'vertex'}
          data-vertex=${i}
          cx=${x}
          cy=${y}
          r=${r}
          vector-effect="non-scaling-stroke"
          onPointerDown=${onVertexDown(i)}
        ><title>${`Point ${i + 1}: ${x},${y}`}</title></circle>`,
      )}
    </svg>
  </div>`;
}

export function EditorView({ camera }) {
  const live = useLive();
  useTitle('Masks and zones');
  const cam = live.cameras.find((c) => c.name === camera) || (!camera ? live.cameras[0] : undefined);
  const [kind, setKind] = useState('zone');
  const [name, setName] = useState('');
  const [label, setLabel] = useState('person');
  const [points, setPoints] = useState([]);
  const [coordsText, setCoordsText] = useState('');
  const [coordsError, setCoordsError] = useState('');
  const [showExisting, setShowExisting] = useState(true);
  const [pictureKey, setPictureKey] = useState(() => Date.now());
  const [copied, setCopied] = useState('');
  const output = useRef(null);

  // A new camera starts a new drawing.
  useEffect(() => {
    setPoints([]);
    setCopied('');
  }, [cam?.name]);
  // The text field follows the drawing (unless it is being typed in and does not parse).
  useEffect(() => {
    setCoordsText(pointsToString(points));
    setCoordsError('');
    setCopied('');
  }, [points]);

  if (!live.config) {
    return live.configError
      ? html`<${Note} kind="error">Cannot reach the server: ${live.configError}</${Note}>`
      : html`<${Note}>Loading…</${Note}>`;
  }
  if (live.cameras.length === 0) return html`<${Note}>No cameras are configured.</${Note}>`;
  if (!cam) return html`<${Note} kind="error">There is no camera named “${camera}”.</${Note}>`;

  const existing = existingPolygons(cam);
  const cameraNames = live.cameras.map((c) => c.name);
  // Typed (or loaded) points are not clamped like clicked ones: say which one is off the frame.
  const frameW = cam.width || 1280;
  const frameH = cam.height || 720;
  const outside = pointOutside(points, frameW, frameH);
  const problem =
    points.length < 3
      ? `Click at least ${3 - points.length} more point${points.length === 2 ? '' : 's'} on the picture.`
      : outside >= 0
        ? `Point ${outside + 1} (${points[outside].join(',')}) is outside the ${frameW}×${frameH} frame.`
        : kind === 'zone'
          ? zoneNameProblem(name, cameraNames)
          : kind === 'filter' && !label
            ? 'An object mask of one label needs the label.'
            : '';
  const yaml = problem ? '' : polygonYaml({ kind, camera: cam.name, name, label, points });

  const onCoords = (text) => {
    setCoordsText(text);
    if (text.trim() === '') {
      setPoints([]);
      return;
    }
    // Spaces around the commas are fine; a space inside a number is not (it would join two).
    const parsed = parsePolygon(text);
    if (parsed) setPoints(parsed);
    else setCoordsError('Coordinates are whole numbers x,y,x,y,… (at least 3 points).');
  };

  const loadExisting = (index) => {
    const p = existing[Number(index)];
    if (!p) return;
    setKind(p.kind);
    if (p.name) setName(p.name);
    if (p.label) setLabel(p.label);
    setPoints(p.points.map(([x, y]) => [x, y]));
  };

  const copy = async () => {
    const ok = await copyText(yaml, output.current);
    setCopied(ok ? 'Copied.' : 'Select the text and copy it.');
  };

  return html`<div class="editor-page">
    <header class="page-head">
      <h1>Masks and zones</h1>
      <label class="filter">
        <span>Camera</span>
        <select value=${cam.name} onChange=${(e) => (location.hash = hrefEditor(e.currentTarget.value))}>
          ${live.cameras.map((c) => html`<option key=${c.name} value=${c.name}>${c.name}</option>`)}
        </select>
      </label>
    </header>
    <div class="editor-layout">
      <section aria-label="Drawing">
        <${Drawing}
          cam=${cam}
          points=${points}
          setPoints=${setPoints}
          existing=${existing}
          showExisting=${showExisting}
          pictureKey=${pictureKey}
        />
        <div class="toolbar">
          <button type="button" onClick=${() => setPoints(points.slice(0, -1))} disabled=${!points.length}>
            Undo point
          </button>
          <button type="button" onClick=${() => setPoints([])} disabled=${!points.length}>Clear</button>
          <button type="button" onClick=${() => setPictureKey(Date.now())}>New picture</button>
          <label class="check">
            <input
              type="checkbox"
              checked=${showExisting}
              onChange=${(e) => setShowExisting(e.currentTarget.checked)}
            />
            Show the config's zones and masks
          </label>
        </div>
        <p class="muted small">
          ${cam.width}×${cam.height} detect pixels. Click to add a point, drag a point to move it.
        </p>
      </section>
      <section class="card card-body editor-form" aria-label="Polygon">
        <label class="field">
          <span>Kind</span>
          <select value=${kind} onChange=${(e) => setKind(e.currentTarget.value)}>
            ${Object.entries(POLYGON_KINDS).map(([k, text]) => html`<option key=${k} value=${k}>${text}</option>`)}
          </select>
        </label>
        ${kind === 'zone' &&
        html`<label class="field">
          <span>Zone name</span>
          <input type="text" value=${name} onInput=${(e) => setName(e.currentTarget.value)} />
        </label>`}
        ${kind === 'filter' &&
        html`<label class="field">
          <span>Label</span>
          <input
            type="text"
            list="editor-labels"
            value=${label}
            onInput=${(e) => setLabel(e.currentTarget.value)}
          />
          <datalist id="editor-labels">
            ${cam.labels.map((l) => html`<option key=${l} value=${l}></option>`)}
          </datalist>
        </label>`}
        ${existing.length > 0 &&
        html`<label class="field">
          <span>Start from</span>
          <select value="" onChange=${(e) => loadExisting(e.currentTarget.value)}>
            <option value="">(a new polygon)</option>
            ${existing.map((p, i) => html`<option key=${i} value=${i}>${p.title}</option>`)}
          </select>
        </label>`}
        <label class="field">
          <span>Coordinates</span>
          <input
            type="text"
            inputmode="numeric"
            value=${coordsText}
            onInput=${(e) => onCoords(e.currentTarget.value)}
            aria-invalid=${coordsError ? 'true' : 'false'}
          />
        </label>
        ${coordsError && html`<p class="small error-text">${coordsError}</p>`}
        ${problem
          ? html`<p class="muted">${problem}</p>`
          : html`<label class="field">
              <span>YAML for the config file (merge under <code>cameras:</code>)</span>
              <textarea
                ref=${output}
                class="yaml"
                readonly
                spellcheck="false"
                rows=${yaml.split('\n').length}
                value=${yaml}
              ></textarea>
            </label>
            <div class="toolbar">
              <button type="button" class="primary" onClick=${copy}>Copy</button>
              <span class="muted small" aria-live="polite">${copied}</span>
            </div>`}
      </section>
    </div>
  </div>`;
}
