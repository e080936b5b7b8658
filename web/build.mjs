#!/usr/bin/env node
// Builds the web page: node build.mjs [--out DIR] [--budget BYTES]   (DIR defaults to web/dist)
//
// Writes DIR/index.html (small; it names the assets by RELATIVE urls), DIR/assets/app-<hash>.js
// and DIR/assets/app-<hash>.css (bundled and minified by esbuild from src/main.js), and a gzip
// copy (level 9) beside each of them and index.html when that is smaller. Earlier builds' app-*
// files in DIR/assets are removed; nothing else in DIR is touched.
//
// Prints each file's size and the gzipped total of JS + CSS, and exits 1 when that total exceeds
// the budget (150 kB; --budget changes it, for tests) or the bundle fails.

import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync, constants } from 'node:zlib';
import * as esbuild from 'esbuild';

const here = path.dirname(fileURLToPath(import.meta.url));
const BUDGET = 150_000; // bytes, gzipped JS + CSS
const USAGE = 'usage: node build.mjs [--out DIR] [--budget BYTES]';

function parseArgs(argv) {
  const args = { out: path.join(here, 'dist'), budget: BUDGET };
  for (let i = 0; i < argv.length; i += 1) {
    const a = argv[i];
    if (a === '--out' && argv[i + 1]) args.out = path.resolve(argv[++i]);
    else if (a.startsWith('--out=')) args.out = path.resolve(a.slice('--out='.length));
    else if (a === '--budget' && /^[0-9]+$/.test(argv[i + 1] || '')) args.budget = Number(argv[++i]);
    else if (a === '--help' || a === '-h') {
      console.log(USAGE);
      process.exit(0);
    } else {
      console.error(`build.mjs: bad argument ${a} (${USAGE})`);
      process.exit(2);
    }
  }
  return args;
}

// A camera lens as the icon, inline so the page needs no extra request.
const FAVICON =
  "data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 32 32'%3E" +
  "%3Crect x='2' y='8' width='20' height='16' rx='3' fill='%230a66c2'/%3E" +
  "%3Cpath d='M22 14l8-5v14l-8-5z' fill='%230a66c2'/%3E" +
  "%3Ccircle cx='12' cy='16' r='4' fill='%23fff'/%3E%3C/svg%3E";

function indexHtml(js, css) {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<meta name="referrer" content="same-origin">
<title>corvette</title>
<link rel="icon" href="${FAVICON}">
<link rel="stylesheet" href="${css}">
<script type="module" src="${js}"></script>
</head>
<body>
<div id="app"></div>
<noscript>corvette's page needs JavaScript.</noscript>
</body>
</html>
`;
}

const gzip = (buf) => gzipSync(buf, { level: constants.Z_BEST_COMPRESSION });

async function main() {
  const { out, budget } = parseArgs(process.argv.slice(2));
  const assets = path.join(out, 'assets');

  const result = await esbuild.build({
    entryPoints: { app: path.join(here, 'src/main.js') },
    bundle: true,
    minify: true,
    format: 'esm',
    target: ['es2020', 'chrome90', 'firefox90', 'safari15'],
    entryNames: '[name]-[hash]',
    outdir: assets,
    write: false,
    metafile: true,
    legalComments: 'none',
    logLevel: 'warning',
    charset: 'utf8',
  });

  const outputs = result.outputFiles.map((f) => ({ name: path.basename(f.path), data: Buffer.from(f.contents) }));
  const js = outputs.find((o) => o.name.endsWith('.js'));
  const css = outputs.find((o) => o.name.endsWith('.css'));
  if (!js || !css || outputs.length !== 2) {
    throw new Error(`expected one .js and one .css output, got ${outputs.map((o) => o.name).join(', ')}`);
  }

  const files = [
    { rel: `assets/${js.name}`, data: js.data },
    { rel: `assets/${css.name}`, data: css.data },
    { rel: 'index.html', data: Buffer.from(indexHtml(`assets/${js.name}`, `assets/${css.name}`)) },
  ].map((f) => ({ ...f, gz: gzip(f.data) }));

  const lines = files.map(
    (f) => `  ${f.rel.padEnd(36)} ${String(f.data.length).padStart(8)} B  gzip ${String(f.gz.length).padStart(7)} B`,
  );
  const budgetBytes = files.filter((f) => f.rel.startsWith('assets/')).reduce((n, f) => n + f.gz.length, 0);
  const kb = (budgetBytes / 1000).toFixed(1);
  console.log(lines.join('\n'));
  console.log(`gzipped JS + CSS: ${budgetBytes} B (${kb} kB of a ${budget / 1000} kB budget)`);
  if (budgetBytes > budget) {
    // Nothing is written: the folder keeps the previous build.
    console.error(`build.mjs: the page's JS + CSS is ${kb} kB gzipped, over the ${budget / 1000} kB budget`);
    process.exit(1);
  }

  await mkdir(assets, { recursive: true });
  // Remove what earlier builds left (only our own app-* names and index.html.gz).
  for (const name of await readdir(assets)) {
    if (/^app-[A-Za-z0-9]+\.(js|css)(\.gz)?$/.test(name)) await rm(path.join(assets, name));
  }
  await rm(path.join(out, 'index.html.gz'), { force: true });
  // Assets first, the page that names them last.
  for (const f of files) {
    const target = path.join(out, f.rel);
    await writeFile(target, f.data);
    if (f.gz.length < f.data.length) await writeFile(`${target}.gz`, f.gz);
  }
  console.log(`web page built in ${out}`);
}

main().catch((error) => {
  console.error(`build.mjs: ${error.message || error}`);
  process.exit(1);
});
