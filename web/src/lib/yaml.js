// YAML text the page writes: the snippet of a polygon drawn in the editor (a zone, a motion mask,
// an object mask) and the effective config shown on the system page. Strings are written plain
// when a YAML 1.1 reader (PyYAML, corvette's config reader) reads them back as the same string,
// and double-quoted otherwise.

const INDENT = '  ';

// Plain scalars YAML 1.1 reads as something else than a string: booleans, null, the merge key
// and the "value" key.
const RESERVED = new Set([
  'y', 'yes', 'n', 'no', 'true', 'false', 'on', 'off', 'null', '~', '<<', '=',
]);

// Characters a plain scalar may not start with.
const INDICATORS = '-?:,[]{}#&*!|>\'"%@`';

// Characters PyYAML accepts in a document (tab, line breaks, printable ASCII, NEL, and the
// printable Unicode planes); anything else must be escaped.
function printable(code) {
  return (
    code === 0x09 ||
    code === 0x0a ||
    code === 0x0d ||
    (code >= 0x20 && code <= 0x7e) ||
    code === 0x85 ||
    (code >= 0xa0 && code <= 0xd7ff) ||
    (code >= 0xe000 && code <= 0xfffd) ||
    code >= 0x10000
  );
}

/** True when `text` can be written as a plain (unquoted) YAML 1.1 scalar. */
export function isPlainSafe(text) {
  if (typeof text !== 'string' || text === '') return false;
  if (RESERVED.has(text.toLowerCase())) return false;
  if (INDICATORS.includes(text[0])) return false;
  if (/^\s|\s$/.test(text)) return false;
  // Numbers, dates and times in any YAML 1.1 form start with a digit, or with a sign or a dot
  // before one; ".inf" and ".nan" start with a dot (an indicator above does not cover it).
  // Integers separated by commas (a mask's "x,y,...") are none of those.
  if (/^[0-9]+(,[0-9]+)+$/.test(text)) return true;
  if (/^[-+.]?[0-9]/.test(text) || /^[-+]?\.(inf|nan)$/i.test(text)) return false;
  if (text.includes(': ') || text.includes(' #') || text.endsWith(':')) return false;
  for (const ch of text) {
    const code = ch.codePointAt(0);
    if (code < 0x20 || code === 0x85 || code === 0x2028 || code === 0x2029 || !printable(code)) {
      return false;
    }
  }
  return true;
}

/** `text` as a double-quoted YAML scalar, escaping what must be. */
export function quote(text) {
  let out = '"';
  for (const ch of String(text)) {
    const code = ch.codePointAt(0);
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\r') out += '\\r';
    else if (code < 0x20 || code === 0x7f || code === 0x85 || code === 0x2028 || code === 0x2029) {
      out += `\\u${code.toString(16).padStart(4, '0')}`;
    } else if (!printable(code)) {
      // Lone surrogates and non-characters (U+FFFE, U+FFFF).
      out += `\\u${code.toString(16).padStart(4, '0')}`;
    } else out += ch;
  }
  return `${out}"`;
}

/** A string as a YAML scalar: plain when safe, else double-quoted. */
export function scalar(text) {
  return isPlainSafe(text) ? text : quote(text);
}

/** [[x, y], ...] as Frigate's mask and zone text "x1,y1,x2,y2,...". */
export function pointsToString(points) {
  return points.map(([x, y]) => `${Math.round(x)},${Math.round(y)}`).join(',');
}

/**
 * Points from a mask or zone as the config holds it: "x1,y1,x2,y2,..." or a list of "x,y"
 * strings. Answers null when it is not a polygon of at least 3 points of integers.
 */
export function parsePolygon(value) {
  const text = Array.isArray(value) ? value.join(',') : value;
  if (typeof text !== 'string') return null;
  const numbers = text.split(',').map((s) => s.trim());
  if (numbers.length < 6 || numbers.length % 2 !== 0) return null;
  if (!numbers.every((s) => /^[-+]?[0-9]+$/.test(s))) return null;
  const points = [];
  for (let i = 0; i < numbers.length; i += 2) points.push([Number(numbers[i]), Number(numbers[i + 1])]);
  return points;
}

/** A mask value of the config (a string, a list of strings, null) as a list of polygons. */
export function parseMasks(value) {
  if (value === null || value === undefined) return [];
  const list = Array.isArray(value) ? value : [value];
  return list.map(parsePolygon).filter(Boolean);
}

/** The kinds of polygon the editor writes. */
export const POLYGON_KINDS = {
  zone: 'Zone',
  motion: 'Motion mask',
  objects: 'Object mask (all labels)',
  filter: 'Object mask (one label)',
};

/**
 * The YAML snippet for a polygon, from `cameras:` down, to merge into the config file.
 *  kind 'zone':    cameras.<camera>.zones.<name>.coordinates: x,y,...
 *  kind 'motion':  cameras.<camera>.motion.mask: [x,y,...]
 *  kind 'objects': cameras.<camera>.objects.mask: [x,y,...]
 *  kind 'filter':  cameras.<camera>.objects.filters.<label>.mask: [x,y,...]
 * Masks are written as a list item, so further masks can be added below.
 */
export function polygonYaml({ kind, camera, name, label, points }) {
  const coords = pointsToString(points);
  const keys = ['cameras', camera];
  let leaf;
  if (kind === 'zone') {
    keys.push('zones', name || 'zone');
    leaf = `coordinates: ${coords}`;
  } else if (kind === 'motion') {
    keys.push('motion');
    leaf = null;
  } else if (kind === 'objects') {
    keys.push('objects');
    leaf = null;
  } else if (kind === 'filter') {
    keys.push('objects', 'filters', label || 'person');
    leaf = null;
  } else {
    throw new Error(`unknown polygon kind: ${kind}`);
  }
  const lines = keys.map((key, depth) => `${INDENT.repeat(depth)}${scalar(key)}:`);
  const depth = keys.length;
  if (leaf) {
    lines.push(`${INDENT.repeat(depth)}${leaf}`);
  } else {
    lines.push(`${INDENT.repeat(depth)}mask:`);
    lines.push(`${INDENT.repeat(depth + 1)}- ${coords}`);
  }
  return `${lines.join('\n')}\n`;
}

function dumpScalar(value) {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '.nan';
  return scalar(String(value));
}

const isObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);
const isEmpty = (v) => (Array.isArray(v) ? v.length === 0 : isObject(v) && Object.keys(v).length === 0);

function dumpLines(value, depth, lines) {
  const pad = INDENT.repeat(depth);
  if (Array.isArray(value)) {
    for (const item of value) {
      if (isEmpty(item) || (!Array.isArray(item) && !isObject(item))) {
        lines.push(`${pad}- ${isEmpty(item) ? (Array.isArray(item) ? '[]' : '{}') : dumpScalar(item)}`);
      } else {
        // A nested map or list starts on the dash's line: "- key: value".
        const nested = [];
        dumpLines(item, depth + 1, nested);
        nested[0] = `${pad}- ${nested[0].slice(pad.length + INDENT.length)}`;
        lines.push(...nested);
      }
    }
    return;
  }
  for (const [key, item] of Object.entries(value)) {
    const head = `${pad}${scalar(key)}:`;
    if (isEmpty(item)) lines.push(`${head} ${Array.isArray(item) ? '[]' : '{}'}`);
    else if (Array.isArray(item) || isObject(item)) {
      lines.push(head);
      dumpLines(item, depth + 1, lines);
    } else lines.push(`${head} ${dumpScalar(item)}`);
  }
}

/** A JSON value (the effective config) as block-style YAML text. */
export function dumpYaml(value) {
  if (isEmpty(value)) return Array.isArray(value) ? '[]\n' : '{}\n';
  if (!Array.isArray(value) && !isObject(value)) return `${dumpScalar(value)}\n`;
  const lines = [];
  dumpLines(value, 0, lines);
  return `${lines.join('\n')}\n`;
}
