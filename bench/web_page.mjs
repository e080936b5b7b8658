#!/usr/bin/env node
// The web page's figures (issue 15), in Debian's chromium against the real binary:
// 1. First useful paint of `/` with 4 busy cameras (vtest, detection on): first contentful paint,
//    and the time until every camera card shows its picture; 10 loads with an empty cache and 10
//    with a warm one.
// 2. The events page with 100,000 events in the database: time to the first rows, the time each
//    next page takes to arrive while scrolling (the API's `before`), and the longest task the
//    page's main thread ran while 40 pages were scrolled in (a smooth page stays under 50 ms).
// Usage: bench/web_page.mjs [build folder]
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const build = path.resolve(process.argv[2] ?? 'build');
process.env.CORVETTE_BINARY_DIR ??= build;
process.env.CORVETTE_BIN ??= path.join(build, 'corvette');
const { Corvette, camera, launchBrowser, makeH264Camera } = await import('../web/e2e/corvette.mjs');

const CAMERAS = 4;
const EVENTS = 100_000;

const quantile = (values, q) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
};
const summary = (values) =>
  `median ${quantile(values, 0.5).toFixed(0)} ms, p90 ${quantile(values, 0.9).toFixed(0)} ms, ` +
  `max ${Math.max(...values).toFixed(0)} ms (n=${values.length})`;

async function firstPaint(browser, corvette, warm) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  if (warm) await page.goto(corvette.url());  // fills the cache
  const started = Date.now();
  await page.goto(corvette.url());
  // A card shows its picture once one of its two buffers is loaded and in front.
  await page.waitForFunction((count) => {
    const cards = [...document.querySelectorAll('article.camera-card')];
    return cards.length >= count && cards.every((card) => {
      const shown = card.querySelector('img.front');
      return shown && shown.complete && shown.naturalWidth > 0;
    });
  }, CAMERAS, { timeout: 30_000, polling: 10 });
  const useful = Date.now() - started;
  const fcp = await page.evaluate(
    () => performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? NaN);
  await context.close();
  return { useful, fcp };
}

function insertEvents(databasePath, count) {
  const now = Date.now() / 1000;
  const statement = `
    WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < ${count - 1})
    INSERT INTO event (id, label, camera, start_time, end_time, top_score, false_positive, zones,
                       thumbnail, has_clip, has_snapshot, in_progress)
    SELECT printf('%.6f-bench%d', ${now} - 60 - i * 30, i), CASE i % 3 WHEN 0 THEN 'car' ELSE 'person' END,
           'cam' || (i % ${CAMERAS}), ${now} - 60 - i * 30, ${now} - 50 - i * 30, 0.8, 0,
           CASE i % 2 WHEN 0 THEN '["driveway"]' ELSE '[]' END,
           (SELECT thumbnail FROM event WHERE thumbnail != '' LIMIT 1), 0, 0, 0 FROM n;`;
  execFileSync('sqlite3', ['-cmd', '.timeout 20000', databasePath], { input: statement });
}

async function eventsPage(browser, corvette) {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await page.addInitScript(() => {
    window.__longTasks = [];
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) window.__longTasks.push(entry.duration);
    }).observe({ type: 'longtask', buffered: true });
  });
  const pageTimes = [];
  const asked = new Map();
  page.on('request', (r) => { if (r.url().includes('api/events?')) asked.set(r, Date.now()); });
  page.on('requestfinished', (r) => {
    if (asked.has(r) && r.url().includes('before=')) pageTimes.push(Date.now() - asked.get(r));
  });
  const started = Date.now();
  await page.goto(corvette.url('#/events'));
  await page.locator('.event-rows a').first().waitFor({ timeout: 30_000 });
  const firstRows = Date.now() - started;
  await page.evaluate(() => { window.__longTasks = []; });
  const rowsHeight = () => page.locator('.event-rows').evaluate((el) => el.offsetHeight);
  const target = 80 * 50 * 40;  // 40 pages of 50 rows of 80 px
  const scrollStarted = Date.now();
  while ((await rowsHeight()) < target && Date.now() - scrollStarted < 120_000) {
    await page.mouse.wheel(0, 3000);
    await page.waitForTimeout(50);
  }
  const scrolled = Date.now() - scrollStarted;
  const domRows = await page.locator('.event-rows a').count();
  const longTasks = await page.evaluate(() => window.__longTasks);
  const loaded = Math.round((await rowsHeight()) / 80);
  await page.close();
  return { firstRows, pageTimes, scrolled, domRows, longTasks, loaded };
}

const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'corvette-web-bench-'));
const file = makeH264Camera(folder, 60);
const cameras = {};
for (let i = 0; i < CAMERAS; ++i) cameras[`cam${i}`] = camera(file, ['detect']);
const corvette = new Corvette(cameras);
let browser;
try {
  console.log(`# ${os.cpus().length} cores, ${os.cpus()[0].model}`);
  await corvette.start();
  browser = await launchBrowser();
  // Warm-up: the cameras decode and detect; the first events (and a thumbnail) are stored.
  await corvette.waitForJson('api/events?limit=1', (list) => list.length > 0, 120);
  const stats = await corvette.json('api/stats');
  console.log(`cameras: ${CAMERAS} x vtest 768x576 at 5 fps, detection on; process_fps ` +
    Object.keys(cameras).map((c) => stats[c].process_fps).join(', '));

  for (const warm of [false, true]) {
    const useful = [];
    const fcp = [];
    for (let i = 0; i < 10; ++i) {
      const figures = await firstPaint(browser, corvette, warm);
      useful.push(figures.useful);
      fcp.push(figures.fcp);
    }
    console.log(`/ ${warm ? 'warm' : 'cold'} cache: first contentful paint ${summary(fcp)}; ` +
      `every camera's picture shown ${summary(useful)}`);
  }

  insertEvents(corvette.databasePath, EVENTS);
  const count = (await corvette.json('api/events/summary')).reduce((n, row) => n + row.count, 0);
  const events = await eventsPage(browser, corvette);
  console.log(`events page, ${count} events stored: first rows after ${events.firstRows} ms; ` +
    `${events.loaded} rows loaded by scrolling in ${events.scrolled} ms; next page ${summary(events.pageTimes)}; ` +
    `rows in the DOM at the end: ${events.domRows}; long tasks while scrolling: ${events.longTasks.length}` +
    (events.longTasks.length ? `, longest ${Math.max(...events.longTasks).toFixed(0)} ms` : ''));
} finally {
  await browser?.close();
  await corvette.stop();
  fs.rmSync(folder, { recursive: true, force: true });
}
