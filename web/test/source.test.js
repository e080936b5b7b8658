// Checks over the page's source: rules that keep data from running as script and keep every URL
// relative (the page lives under a path prefix behind Home Assistant's ingress or a proxy).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const src = path.join(path.dirname(path.dirname(fileURLToPath(import.meta.url))), 'src');

async function sources() {
  const out = [];
  for (const entry of await readdir(src, { recursive: true, withFileTypes: true })) {
    if (entry.isFile() && entry.name.endsWith('.js')) {
      const file = path.join(entry.parentPath ?? entry.path, entry.name);
      out.push({ file: path.relative(src, file), text: await readFile(file, 'utf8') });
    }
  }
  return out;
}

test('no HTML is built from strings', async () => {
  const files = await sources();
  assert.ok(files.length > 10);
  for (const { file, text } of files) {
    for (const banned of ['dangerouslySetInnerHTML', 'innerHTML', 'outerHTML', 'insertAdjacentHTML', 'document.write', 'eval(', 'new Function']) {
      assert.ok(!text.includes(banned), `${file} uses ${banned}`);
    }
  }
});

test('no absolute URL to the server', async () => {
  for (const { file, text } of await sources()) {
    assert.doesNotMatch(text, /['"`]\/(api|clips|recordings|ws)\b/, `${file} has an absolute path`);
    assert.doesNotMatch(text, /['"`](https?|wss?):\/\/(?!www\.w3\.org)/, `${file} has an absolute URL`);
  }
});
