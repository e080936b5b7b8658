// The web page in Debian's chromium (driven by playwright-core), against the real corvette binary
// with a real camera (vtest as H.264, detection with the real model) and its real events. Each
// test saves a screenshot under <build>/e2e-screenshots/ for a person to look at.
//
// Run by ctest as integration.web_e2e (cmake/web.cmake): `node --test e2e/`.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import {
  Corvette, camera, launchBrowser, makeH264Camera, screenshotPath, startPrefixProxy,
} from './corvette.mjs';

const FRONT = 'front';
const BACK = 'back';
const FILLER_EVENTS = 180;
// Names that would run as script if the page put them into its markup.
const HOSTILE_LABEL = '<img src=x onerror="window.__xss=1">';
const HOSTILE_ZONE = '<script>window.__xss=2</script>';

let folder;
let corvette;
let browser;
let page;

// Older events, written into the real database as corvette stores them, so that the list has
// more than one page to scroll through and names that must stay text.
function insertFillerEvents(thumbnail) {
  const now = Date.now() / 1000;
  const rows = [];
  for (let i = 0; i < FILLER_EVENTS; ++i) {
    const start = now - 86400 - i * 60;
    const label = i === 5 ? HOSTILE_LABEL : 'car';
    const zones = i === 5 ? JSON.stringify([HOSTILE_ZONE]) : '["driveway"]';
    rows.push(`('${start.toFixed(6)}-filler${i}', ${sql(label)}, '${FRONT}', ${start}, ${start + 12}, ` +
      `0.8, 0, ${sql(zones)}, ${sql(thumbnail)}, 0, 0, 0)`);
  }
  const statement = 'INSERT INTO event (id, label, camera, start_time, end_time, top_score, ' +
    'false_positive, zones, thumbnail, has_clip, has_snapshot, in_progress) VALUES ' +
    rows.join(',\n') + ';';
  execFileSync('sqlite3', ['-cmd', '.timeout 10000', corvette.databasePath], { input: statement });
}

function sql(text) {
  return `'${text.replaceAll("'", "''")}'`;
}

async function shot(name) {
  await page.screenshot({ path: screenshotPath(name), fullPage: true });
}

before(async () => {
  folder = fs.mkdtempSync(path.join(os.tmpdir(), 'corvette-e2e-camera-'));
  const file = makeH264Camera(folder);
  corvette = new Corvette({
    [FRONT]: camera(file, ['detect', 'clips', 'record'], {
      clips: { enabled: true, pre_capture: 2, post_capture: 2 },
      // 24/7 recordings in 5-s segments, so that the timeline has some within seconds.
      record: { enabled: true },
      ffmpeg: {
        inputs: [{ path: file, input_args: '-re -stream_loop -1', roles: ['detect', 'clips', 'record'] }],
        output_args: {
          record: '-f segment -segment_time 5 -segment_format mp4 -reset_timestamps 1 -strftime 1 -c copy -an',
        },
      },
      snapshots: { enabled: true },
      objects: { track: ['person', 'car'] },
      zones: { driveway: { coordinates: '0,576,768,576,768,300,0,300' } },
    }),
    // A second camera that only decodes: two cards, and little work for two cores.
    [BACK]: camera(file, ['detect'], { detect: { enabled: false } }),
  });
  await corvette.start();
  browser = await launchBrowser();
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.on('pageerror', (error) => console.log(`page error: ${error.message}`));
});

after(async () => {
  await browser?.close();
  if (corvette) {
    if (process.exitCode) console.log(`----- corvette log -----\n${corvette.log()}`);
    await corvette.stop();
  }
  if (folder) fs.rmSync(folder, { recursive: true, force: true });
});

describe('the web page', () => {
  test('cameras: a card per camera, pictures load, a switch changes the camera', async () => {
    const response = await page.goto(corvette.url());
    assert.equal(response.status(), 200);
    const cards = page.locator('article.camera-card');
    await cards.first().waitFor();
    assert.equal(await cards.count(), 2);
    const front = cards.filter({ hasText: FRONT }).first();
    // The latest picture has arrived (it refreshes once a second).
    await page.waitForFunction(() => {
      const img = document.querySelector('article.camera-card img');
      return img && img.complete && img.naturalWidth > 0;
    }, null, { timeout: 20_000 });

    const snapshots = front.getByRole('switch', { name: 'Snapshots' });
    assert.equal(await snapshots.getAttribute('aria-checked'), 'true');
    await snapshots.click();
    await page.waitForFunction((el) => el.getAttribute('aria-checked') === 'false',
      await snapshots.elementHandle(), { timeout: 10_000 });
    const config = await corvette.json('api/config');
    assert.equal(config.cameras[FRONT].snapshots.enabled, false);

    // Another client switches it back: the page shows what the server reports.
    const answer = await fetch(corvette.url(`api/${FRONT}/snapshots/set`), { method: 'POST', body: 'ON' });
    assert.equal(answer.status, 200);
    await page.waitForFunction((el) => el.getAttribute('aria-checked') === 'true',
      await snapshots.elementHandle(), { timeout: 10_000 });
    await shot('cameras');
  });

  test('camera: the live view, overlays remembered, the figures', async () => {
    await page.goto(corvette.url(`#/cameras/${FRONT}`));
    await page.getByText(/Live at \d+ fps/).waitFor();
    const stream = page.locator('section.live img');
    await page.waitForFunction(() => {
      const img = document.querySelector('section.live img');
      return img && img.naturalWidth > 0;
    }, null, { timeout: 20_000 });
    assert.match(await stream.getAttribute('src'), new RegExp(`^api/${FRONT}\\?`));

    const boxes = page.locator('fieldset.overlays input[type=checkbox]');
    assert.equal(await boxes.count(), 6);
    const first = boxes.first();
    const before = await first.isChecked();
    await first.click();
    await page.reload();
    await page.locator('fieldset.overlays input[type=checkbox]').first().waitFor();
    assert.equal(await page.locator('fieldset.overlays input[type=checkbox]').first().isChecked(), !before);
    await page.waitForFunction(() => {
      const img = document.querySelector('section.live img');
      return img && img.naturalWidth > 0;
    }, null, { timeout: 20_000 });
    await shot('camera');
  });

  test('system: version, and figures that change while the page is open', async () => {
    await page.goto(corvette.url('#/system'));
    await page.getByRole('heading', { name: 'System' }).waitFor();
    const version = await (await fetch(corvette.url('api/version'))).text();
    await page.getByText(version.trim()).first().waitFor({ timeout: 10_000 });
    const text = async () => page.locator('main').innerText();
    const first = await text();
    let changed = false;
    for (let i = 0; i < 30 && !changed; ++i) {
      await page.waitForTimeout(1000);
      changed = (await text()) !== first;
    }
    assert.ok(changed, 'the system page did not change in 30 s');
    await shot('system');
  });

  test('events: real events, filters in the URL, more rows on scroll, names stay text', async () => {
    // A real event first, for its thumbnail.
    const events = await corvette.waitForJson('api/events?limit=1', (list) => list.length > 0, 120);
    const thumbnail = (await corvette.json(`api/events/${events[0].id}`)).thumbnail ?? '';
    insertFillerEvents(thumbnail);

    await page.goto(corvette.url('#/events'));
    await page.getByRole('heading', { name: 'Events' }).waitFor();
    await page.locator('.event-rows a').first().waitFor();
    const personRows = page.locator('.event-rows a', { hasText: 'person' });
    assert.ok(await personRows.count() > 0, 'no real (person) event listed');

    // The label filter goes into the URL, and the URL alone restores it.
    await page.locator('label.filter', { hasText: 'Label' }).locator('select').selectOption('car');
    await page.waitForFunction(() => location.hash.includes('label=car'));
    await page.reload();
    await page.locator('.event-rows a').first().waitFor();
    assert.equal(await page.locator('.event-rows a', { hasText: 'person' }).count(), 0);

    // Scrolling loads the next pages with `before`.
    const requested = [];
    page.on('request', (r) => { if (r.url().includes('api/events?')) requested.push(r.url()); });
    const height = async () => page.locator('.event-rows').evaluate((el) => el.offsetHeight);
    const firstHeight = await height();
    for (let i = 0; i < 40 && (await height()) <= firstHeight * 2; ++i) {
      await page.mouse.wheel(0, 4000);
      await page.waitForTimeout(300);
    }
    assert.ok(await height() > firstHeight * 2, `rows did not grow past ${firstHeight} px`);
    assert.ok(requested.some((u) => u.includes('before=')), 'no page was asked with before=');
    assert.ok(await page.locator('.event-rows a').count() < FILLER_EVENTS,
      'every row is in the DOM at once');

    // The hostile names are shown as text and ran nothing.
    await page.goto(corvette.url(`#/events?camera=${FRONT}`));
    await page.locator('.event-rows a').first().waitFor();
    for (let i = 0; i < 20 && await page.getByText(HOSTILE_LABEL).count() === 0; ++i) {
      await page.mouse.wheel(0, 2000);
      await page.waitForTimeout(300);
    }
    assert.ok(await page.getByText(HOSTILE_LABEL).count() > 0, 'the hostile label is not shown as text');
    assert.equal(await page.evaluate(() => window.__xss), undefined);
    await shot('events');
  });

  test('event: its clip plays in the page, with its snapshot and downloads', async () => {
    const [event] = await corvette.waitForJson('api/events?has_clip=1&limit=1',
      (list) => list.length > 0, 240);
    await page.goto(corvette.url(`#/events/${event.id}`));
    const video = page.locator('video');
    await video.waitFor({ timeout: 10_000 });
    await video.evaluate((v) => { v.muted = true; return v.play(); });
    await page.waitForFunction(() => document.querySelector('video')?.currentTime > 1, null,
      { timeout: 20_000 });
    const links = await page.locator('a[download]').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
    assert.ok(links.some((h) => h.endsWith('.mp4')), `no clip download in ${links}`);
    await shot('event');
  });

  test('recordings: the timeline plays from a click and exports a marked range', async () => {
    await corvette.waitForJson(`api/${FRONT}/recordings`, (index) => index.spans.length > 0, 90);
    await page.goto(corvette.url(`#/recordings/${FRONT}`));
    const span = page.locator('.timeline .tl-span').last();
    await span.waitFor({ timeout: 20_000 });
    const box = await span.boundingBox();
    // A click just left of the newest span (a gap, or the span itself) plays from where it starts.
    await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
    const video = page.locator('video.rec-video');
    await video.waitFor({ timeout: 20_000 });
    await video.evaluate((v) => { v.muted = true; return v.play().catch(() => {}); });
    await page.waitForFunction(() => document.querySelector('video.rec-video')?.currentTime > 1, null,
      { timeout: 30_000 });
    await page.locator('button.range-start-button').click();
    await page.waitForFunction(() => document.querySelector('video.rec-video')?.currentTime > 3, null,
      { timeout: 30_000 });
    await page.locator('button.range-end-button').click();
    const link = page.locator('a.export-link');
    await link.waitFor();
    const href = await link.getAttribute('href');
    assert.match(href, new RegExp(`^api/${FRONT}/start/\\d+/end/\\d+/clip\\.mp4$`));
    const exported = await page.evaluate(async (url) => {
      const response = await fetch(url);
      return { status: response.status, type: response.headers.get('content-type'),
        bytes: (await response.arrayBuffer()).byteLength };
    }, href);
    assert.equal(exported.status, 200);
    assert.equal(exported.type, 'video/mp4');
    assert.ok(exported.bytes > 10_000, `an export of ${exported.bytes} bytes`);
    await shot('recordings');
  });

  test('behind a reverse proxy under a path prefix, as Home Assistant ingress serves it', async () => {
    const proxy = await startPrefixProxy(corvette.port, '/nvr/');
    const proxied = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const outside = [];
    proxied.on('request', (r) => {
      const url = new URL(r.url());
      if (url.protocol.startsWith('http') && !url.pathname.startsWith('/nvr/')) outside.push(r.url());
    });
    try {
      await proxied.goto(`http://127.0.0.1:${proxy.port}/nvr/`);
      await proxied.locator('article.camera-card').first().waitFor();
      await proxied.waitForFunction(() => {
        const img = document.querySelector('article.camera-card img');
        return img && img.naturalWidth > 0;
      }, null, { timeout: 20_000 });
      // The switch goes through the proxy, and its state comes back over /ws through it too.
      const clips = proxied.locator('article.camera-card', { hasText: BACK }).getByRole('switch', { name: 'Clips' });
      await clips.click();
      await proxied.waitForFunction((el) => el.getAttribute('aria-checked') === 'true',
        await clips.elementHandle(), { timeout: 10_000 });
      assert.equal((await corvette.json('api/config')).cameras[BACK].clips.enabled, true);
      await proxied.getByText('live', { exact: true }).waitFor({ timeout: 10_000 });
      await proxied.goto(`http://127.0.0.1:${proxy.port}/nvr/#/system`);
      await proxied.getByRole('heading', { name: 'System' }).waitFor();
      assert.deepEqual(outside, [], 'requests left the prefix');
      await proxied.screenshot({ path: screenshotPath('prefix-system'), fullPage: true });
    } finally {
      await proxied.close();
      await proxy.close();
    }
  });

  test('a phone in the dark: no sideways scrolling, dark colours', async () => {
    const context = await browser.newContext({
      viewport: { width: 390, height: 844 }, colorScheme: 'dark', isMobile: true, hasTouch: true,
    });
    const phone = await context.newPage();
    try {
      for (const [route, name] of [['', 'phone-cameras'], ['#/events', 'phone-events'],
        [`#/cameras/${FRONT}`, 'phone-camera'], ['#/system', 'phone-system']]) {
        await phone.goto(corvette.url(route));
        await phone.locator('main *').first().waitFor();
        await phone.waitForTimeout(1500);
        const overflow = await phone.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        assert.ok(overflow <= 0, `${route || '/'} scrolls sideways by ${overflow} px on a phone`);
        await phone.screenshot({ path: screenshotPath(name), fullPage: false });
      }
      const background = await phone.evaluate(() => getComputedStyle(document.body).backgroundColor);
      const [r, g, b] = background.match(/\d+/g).map(Number);
      assert.ok(r + g + b < 200, `the dark scheme's background is ${background}`);
    } finally {
      await context.close();
    }
  });

  test('editor: points drawn on the picture give the YAML to paste', async () => {
    await page.goto(corvette.url(`#/editor?camera=${FRONT}`));
    const svg = page.locator('svg.editor-svg');
    await svg.waitFor();
    const box = await svg.boundingBox();
    for (const [x, y] of [[0.1, 0.1], [0.9, 0.1], [0.9, 0.9], [0.1, 0.9]]) {
      await page.mouse.click(box.x + x * box.width, box.y + y * box.height);
    }
    const kind = page.locator('label.field', { hasText: 'Kind' }).locator('select');
    if (await kind.inputValue() !== 'zone') await kind.selectOption('zone');
    await page.getByLabel('Zone name').fill('porch');
    const yaml = await page.locator('textarea.yaml').inputValue();
    // Four corners at 10% and 90% of the 768x576 detect frame.
    assert.match(yaml, /porch:\s*\n\s*coordinates: 7\d,5\d,69\d,5\d,69\d,51\d,7\d,51\d/);
    await shot('editor');
  });
});
