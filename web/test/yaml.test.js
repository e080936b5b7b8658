import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  dumpYaml,
  isPlainSafe,
  parseMasks,
  parsePolygon,
  pointsToString,
  polygonYaml,
  quote,
  scalar,
} from '../src/lib/yaml.js';

const square = [
  [0, 0],
  [100, 0],
  [100, 50],
  [0, 50],
];

test('a zone under its camera, two spaces an indent', () => {
  assert.equal(
    polygonYaml({ kind: 'zone', camera: 'front', name: 'yard', points: square }),
    'cameras:\n  front:\n    zones:\n      yard:\n        coordinates: 0,0,100,0,100,50,0,50\n',
  );
});

test('a motion mask is a list item under motion.mask', () => {
  assert.equal(
    polygonYaml({ kind: 'motion', camera: 'front', points: square }),
    'cameras:\n  front:\n    motion:\n      mask:\n        - 0,0,100,0,100,50,0,50\n',
  );
});

test('an object mask for every label, and one for a label', () => {
  assert.equal(
    polygonYaml({ kind: 'objects', camera: 'front', points: square }),
    'cameras:\n  front:\n    objects:\n      mask:\n        - 0,0,100,0,100,50,0,50\n',
  );
  assert.equal(
    polygonYaml({ kind: 'filter', camera: 'front', label: 'car', points: square }),
    'cameras:\n  front:\n    objects:\n      filters:\n        car:\n          mask:\n            - 0,0,100,0,100,50,0,50\n',
  );
});

test('names that YAML would read otherwise are quoted', () => {
  const yaml = polygonYaml({ kind: 'zone', camera: 'on', name: 'front: door', points: square });
  assert.match(yaml, /^cameras:\n {2}"on":\n {4}zones:\n {6}"front: door":\n/);
  for (const name of ['yes', 'No', 'off', 'null', '~', '123', '1e3', '0x1f', '-1', '.5', '.inf', '2024-01-01',
    '#x', '*a', '&a', '!x', '- x', '', ' x', 'x ', 'a #b', 'x:', '<<', '=', '@x', '`x', '%x', '"x', "'x", '[a]', '{a}']) {
    assert.equal(isPlainSafe(name), false, JSON.stringify(name));
    assert.ok(scalar(name).startsWith('"'), JSON.stringify(name));
  }
});

test('ordinary names stay plain', () => {
  for (const name of ['yard', 'front_door', 'front door', 'Zone-2', 'café', 'a#b', 'rtsp://x/y', 'x:y', '0,0,10,5']) {
    assert.equal(isPlainSafe(name), true, name);
    assert.equal(scalar(name), name);
  }
});

test('quoting escapes backslashes, quotes and control characters', () => {
  assert.equal(quote('a"b\\c'), '"a\\"b\\\\c"');
  assert.equal(quote('a\nb\tc'), '"a\\nb\\tc"');
  assert.equal(quote('\u0001\u007f\u2028'), '"\\u0001\\u007f\\u2028"');
  assert.equal(quote('\ud800'), '"\\ud800"');
});

test('points are rounded to whole pixels', () => {
  assert.equal(pointsToString([[1.4, 2.6], [3, 4]]), '1,3,3,4');
});

test('polygons are read from a string or a list of "x,y"', () => {
  assert.deepEqual(parsePolygon('0,0,100,0,100,50'), [[0, 0], [100, 0], [100, 50]]);
  assert.deepEqual(parsePolygon(['0,0', '100,0', '100,50']), [[0, 0], [100, 0], [100, 50]]);
  assert.deepEqual(parsePolygon(' 1, 2,3,4 ,5,6'), [[1, 2], [3, 4], [5, 6]]);
  assert.equal(parsePolygon('0,0,100,0'), null); // two points
  assert.equal(parsePolygon('0,0,100,0,100'), null); // odd count
  assert.equal(parsePolygon('0,0,1.5,0,100,50'), null); // not integers
  assert.equal(parsePolygon(null), null);
  // The editor's typed text goes in as is: a space inside a number must not join two numbers.
  assert.equal(parsePolygon('100 200,300,400,500,600'), null);
});

test('masks: null, one string, or a list', () => {
  assert.deepEqual(parseMasks(null), []);
  assert.equal(parseMasks('0,0,1,0,1,1').length, 1);
  assert.equal(parseMasks(['0,0,1,0,1,1', 'bad', '5,5,6,5,6,6']).length, 2);
});

test('dumpYaml writes maps, lists, scalars and empty containers', () => {
  const doc = {
    cameras: {
      front: {
        fps: 5,
        enabled: true,
        height: null,
        zones: {},
        track: ['person', 'car'],
        cmds: [{ cmd: 'ffmpeg -i x', roles: ['detect'] }],
        empty: [],
        name: 'on',
      },
    },
  };
  assert.equal(
    dumpYaml(doc),
    [
      'cameras:',
      '  front:',
      '    fps: 5',
      '    enabled: true',
      '    height: null',
      '    zones: {}',
      '    track:',
      '      - person',
      '      - car',
      '    cmds:',
      '      - cmd: ffmpeg -i x',
      '        roles:',
      '          - detect',
      '    empty: []',
      '    name: "on"',
      '',
    ].join('\n'),
  );
  assert.equal(dumpYaml({}), '{}\n');
  assert.equal(dumpYaml([[1, 2], 'x']), '- - 1\n  - 2\n- x\n');
});
