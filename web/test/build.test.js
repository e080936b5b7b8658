// Runs build.mjs into a temporary folder and checks what it writes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { gunzipSync } from 'node:zlib';

const run = promisify(execFile);
const web = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const build = (...args) => run(process.execPath, [path.join(web, 'build.mjs'), ...args], { cwd: web });

test('the build writes a small index.html naming hashed assets by relative URLs, and gzip copies', async (t) => {
  const out = await mkdtemp(path.join(tmpdir(), 'corvette-web-'));
  t.after(() => rm(out, { recursive: true, force: true }));
  const { stdout } = await build('--out', out);
  assert.match(stdout, /gzipped JS \+ CSS: \d+ B/);

  const html = await readFile(path.join(out, 'index.html'), 'utf8');
  assert.ok(html.length < 2048, `index.html is ${html.length} bytes`);
  const js = html.match(/<script type="module" src="(assets\/app-[A-Za-z0-9]+\.js)">/)?.[1];
  const css = html.match(/<link rel="stylesheet" href="(assets\/app-[A-Za-z0-9]+\.css)">/)?.[1];
  assert.ok(js && css, 'one script and one stylesheet, relative');
  assert.doesNotMatch(html, /(src|href)="\//, 'no absolute URL');
  assert.match(html, /rel="icon" href="data:image\/svg\+xml,/);

  const assets = (await readdir(path.join(out, 'assets'))).sort();
  assert.deepEqual(assets, [path.basename(css), `${path.basename(css)}.gz`, path.basename(js), `${path.basename(js)}.gz`].sort());
  for (const rel of [js, css, 'index.html']) {
    const plain = await readFile(path.join(out, rel));
    const gz = await readFile(path.join(out, `${rel}.gz`));
    assert.ok(gz.length < plain.length);
    assert.deepEqual(gunzipSync(gz), plain, `${rel}.gz holds ${rel}`);
  }
  const total = (await readFile(path.join(out, `${js}.gz`))).length + (await readFile(path.join(out, `${css}.gz`))).length;
  assert.ok(total < 150_000, `${total} bytes gzipped`);

  // A second build replaces the first one's assets rather than piling up.
  await build('--out', out);
  assert.equal((await readdir(path.join(out, 'assets'))).length, 4);
});

test('the build fails, writing nothing, over the size budget', async (t) => {
  const out = path.join(await mkdtemp(path.join(tmpdir(), 'corvette-web-')), 'dist');
  t.after(() => rm(path.dirname(out), { recursive: true, force: true }));
  await assert.rejects(build('--out', out, '--budget', '1000'), (error) => {
    assert.equal(error.code, 1);
    assert.match(error.stderr, /over the 1 kB budget/);
    return true;
  });
  await assert.rejects(readdir(out), { code: 'ENOENT' });
});
