import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  aspectRatio,
  labelsOf,
  liveFps,
  pictureHeight,
  readCameras,
  switchesOf,
  zoneNameProblem,
  zonesOf,
} from '../src/lib/config.js';

// The shape /api/config answers (trimmed).
const config = {
  cameras: {
    back: {
      width: 1280,
      height: 720,
      fps: null,
      detect: { enabled: false },
      clips: { enabled: true },
      snapshots: { enabled: false },
      objects: { track: ['car'], mask: null, filters: { car: { mask: [] } } },
      motion: { mask: null },
      zones: {},
    },
    demo: {
      width: 768,
      height: 576,
      fps: 5,
      detect: { enabled: true },
      clips: { enabled: false },
      snapshots: { enabled: true },
      motion: { mask: ['0,0,200,0,200,40,0,40'] },
      objects: {
        track: ['person', 'car'],
        mask: '1,1,2,1,2,2',
        filters: { person: { mask: ['700,500,768,500,768,576'] }, car: { mask: [] } },
      },
      zones: {
        door: { coordinates: '100,100,300,100,300,400,100,400', filters: {} },
        steps: { coordinates: ['1,2', '3,4', '5,6'] },
        broken: { coordinates: 'x' },
      },
    },
  },
};

test('cameras with their size, fps, labels and switches', () => {
  const cams = readCameras(config);
  assert.deepEqual(cams.map((c) => c.name), ['back', 'demo']);
  const [back, demo] = cams;
  assert.equal(back.fps, null);
  assert.deepEqual(back.switches, { detect: false, clips: true, snapshots: false });
  assert.deepEqual(demo.switches, { detect: true, clips: false, snapshots: true });
  assert.equal(demo.width, 768);
  assert.deepEqual(demo.labels, ['person', 'car']);
});

test('zones and masks as polygons; unreadable ones are left out', () => {
  const demo = readCameras(config)[1];
  assert.deepEqual(demo.zones.map((z) => z.name), ['door', 'steps']);
  assert.deepEqual(demo.zones[1].points, [[1, 2], [3, 4], [5, 6]]);
  assert.equal(demo.motionMasks.length, 1);
  assert.equal(demo.objectMasks.length, 1);
  assert.deepEqual(Object.keys(demo.filterMasks), ['person']);
});

test('a filter\'s masks leave out the objects-level ones /api/config lists first', () => {
  const cams = readCameras({
    cameras: {
      c: {
        width: 640,
        height: 480,
        objects: {
          track: ['person', 'car'],
          mask: ['1,1,2,1,2,2'],
          filters: {
            person: { mask: ['1,1,2,1,2,2', '5,5,9,5,9,9'] },
            car: { mask: ['1,1,2,1,2,2'] },
          },
        },
      },
    },
  });
  assert.equal(cams[0].objectMasks.length, 1);
  assert.deepEqual(cams[0].filterMasks, { person: [[[5, 5], [9, 5], [9, 9]]] });
});

test('no config, no cameras', () => {
  assert.deepEqual(readCameras(null), []);
  assert.deepEqual(readCameras({ cameras: [] }), []);
  assert.deepEqual(switchesOf(undefined), { detect: false, clips: false, snapshots: false });
});

test('labels and zones, of all cameras or one', () => {
  const cams = readCameras(config);
  assert.deepEqual(labelsOf(cams), ['car', 'person']);
  assert.deepEqual(labelsOf(cams, 'back'), ['car']);
  assert.deepEqual(zonesOf(cams), ['door', 'steps']);
  assert.deepEqual(zonesOf(cams, 'back'), []);
});

test('the picture box keeps the detect aspect ratio', () => {
  assert.equal(aspectRatio({ width: 768, height: 576 }), '768 / 576');
  assert.equal(aspectRatio({ width: null, height: 5 }), '16 / 9');
});

test('live fps: the camera\'s, else the measured one, within 1..30', () => {
  assert.equal(liveFps({ fps: 5 }, 7.9), 5);
  assert.equal(liveFps({ fps: null }, 7.9), 7);
  assert.equal(liveFps({ fps: null }, NaN), 5);
  assert.equal(liveFps({ fps: 60 }), 30);
  assert.equal(liveFps({ fps: null }, 0.4), 1);
});

test('live fps from the stats keeps the stream\'s rate while the measure jitters', () => {
  // Each new fps is a new MJPEG connection: 4.98 / 5.02 must not switch between 4 and 5.
  assert.equal(liveFps({ fps: null }, 4.98, 5), 5);
  assert.equal(liveFps({ fps: null }, 5.6, 5), 5);
  assert.equal(liveFps({ fps: null }, NaN, 5), 5, 'figures missing for a moment');
  assert.equal(liveFps({ fps: null }, 2.1, 5), 2, 'the camera really changed rate');
  assert.equal(liveFps({ fps: null }, 12.3, 5), 12);
  assert.equal(liveFps({ fps: 10 }, 4.9, 5), 10, 'a configured fps wins');
});

test('picture height: the next step up, at most the camera\'s', () => {
  assert.equal(pictureHeight(200, 1, 720), 270);
  assert.equal(pictureHeight(200, 2, 720), 540);
  assert.equal(pictureHeight(600, 2, 720), 720);
  assert.equal(pictureHeight(5000, 1, null), 2160);
});

test('zone names the config refuses', () => {
  assert.equal(zoneNameProblem('yard', ['front']), '');
  assert.equal(zoneNameProblem('front door', []), '');
  for (const bad of ['', 'a/b', 'a\\b', 'a+b', 'a#b', '.hidden', 'x\ny', 'front']) {
    assert.notEqual(zoneNameProblem(bad, ['front']), '', JSON.stringify(bad));
  }
});
