// Runs the real corvette binary for the browser tests: a temporary folder, a JSON config (which is
// also YAML), a free loopback port, and the log kept for the report when a test fails.
//
// Environment (ctest sets both): CORVETTE_BIN (the binary), CORVETTE_BINARY_DIR (the build folder,
// where screenshots go under e2e-screenshots/).

import { spawn, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

export const VTEST = '/usr/share/doc/opencv-doc/examples/data/vtest.avi';
export const BINARY_DIR = process.env.CORVETTE_BINARY_DIR ?? path.resolve('../../build');
export const BIN = process.env.CORVETTE_BIN ?? path.join(BINARY_DIR, 'corvette');

export function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

// vtest as a camera sends it: H.264 with a keyframe every 10 frames, so that clips are stream
// copies a browser plays. Written once per run into `folder`.
export function makeH264Camera(folder, seconds = 40) {
  const file = path.join(folder, 'camera.mp4');
  execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', '-i', VTEST, '-t',
    String(seconds), '-c:v', 'libx264', '-preset', 'ultrafast', '-g', '10', '-bf', '0',
    '-pix_fmt', 'yuv420p', file], { timeout: 120_000 });
  return file;
}

export function camera(file, roles, extra = {}) {
  return {
    ffmpeg: { inputs: [{ path: file, input_args: '-re -stream_loop -1', roles }] },
    width: 768,
    height: 576,
    fps: 5,
    ...extra,
  };
}

export class Corvette {
  constructor(cameras, extra = {}) {
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), 'corvette-e2e-'));
    this.cameras = cameras;
    this.extra = extra;
    this.logPath = path.join(this.dir, 'corvette.log');
  }

  get databasePath() {
    return path.join(this.dir, 'media', 'clips', 'frigate.db');
  }

  url(relative = '') {
    return `http://127.0.0.1:${this.port}/${relative}`;
  }

  async start() {
    this.port = await freePort();
    const config = {
      server: { host: '127.0.0.1', port: this.port },
      storage: {
        clips: path.join(this.dir, 'media', 'clips'),
        recordings: path.join(this.dir, 'media', 'recordings'),
        cache: path.join(this.dir, 'cache'),
      },
      database: { path: this.databasePath },
      cameras: this.cameras,
      ...this.extra,
    };
    const configPath = path.join(this.dir, 'config.yml');
    fs.writeFileSync(configPath, JSON.stringify(config, null, 2));
    const log = fs.openSync(this.logPath, 'a');
    this.process = spawn(BIN, ['--config', configPath], { cwd: this.dir, stdio: ['ignore', log, log] });
    this.exited = new Promise((resolve) => this.process.on('exit', (code) => resolve(code)));
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      if (this.process.exitCode !== null)
        throw new Error(`corvette exited with ${this.process.exitCode}:\n${this.log()}`);
      try {
        const response = await fetch(this.url('api/'));
        if (response.ok) return this;
      } catch {
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`corvette did not answer /api/ within 30 s:\n${this.log()}`);
  }

  async json(relative) {
    const response = await fetch(this.url(relative));
    if (!response.ok) throw new Error(`GET ${relative}: ${response.status}`);
    return response.json();
  }

  // Polls `relative` until `predicate(document)` holds; returns the document.
  async waitForJson(relative, predicate, seconds) {
    const deadline = Date.now() + seconds * 1000;
    let last;
    while (Date.now() < deadline) {
      last = await this.json(relative);
      if (predicate(last)) return last;
      await new Promise((r) => setTimeout(r, 1000));
    }
    throw new Error(`GET ${relative} never matched within ${seconds} s: ${JSON.stringify(last).slice(0, 500)}`);
  }

  log() {
    try {
      return fs.readFileSync(this.logPath, 'utf8');
    } catch {
      return '';
    }
  }

  async stop() {
    if (this.process && this.process.exitCode === null) {
      this.process.kill('SIGTERM');
      const timer = setTimeout(() => this.process.kill('SIGKILL'), 10_000);
      await this.exited;
      clearTimeout(timer);
    }
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

// Debian's chromium, headless, with nothing that reaches for the network.
export async function launchBrowser() {
  const { chromium } = await import('playwright-core');
  return chromium.launch({
    executablePath: process.env.CORVETTE_CHROMIUM ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

export function screenshotPath(name) {
  const folder = path.join(BINARY_DIR, 'e2e-screenshots');
  fs.mkdirSync(folder, { recursive: true });
  return path.join(folder, `${name}.png`);
}

// A reverse proxy that serves `targetPort` under `prefix` ("/nvr/"), as Home Assistant's ingress
// does (it also forwards WebSocket upgrades and sets X-Ingress-Path). Resolves to { port, close }.
export async function startPrefixProxy(targetPort, prefix) {
  const http = await import('node:http');
  const strip = (url) => '/' + url.slice(prefix.length);
  const server = http.createServer((request, response) => {
    if (!request.url.startsWith(prefix)) {
      response.writeHead(404).end('outside the prefix');
      return;
    }
    const upstream = http.request({
      host: '127.0.0.1', port: targetPort, method: request.method, path: strip(request.url),
      headers: { ...request.headers, 'x-ingress-path': prefix.slice(0, -1) },
    }, (answer) => {
      response.writeHead(answer.statusCode, answer.headers);
      answer.pipe(response);
    });
    upstream.on('error', () => response.destroy());
    request.pipe(upstream);
  });
  server.on('upgrade', (request, socket, head) => {
    if (!request.url.startsWith(prefix)) {
      socket.destroy();
      return;
    }
    const upstream = net.connect(targetPort, '127.0.0.1', () => {
      const lines = [`${request.method} ${strip(request.url)} HTTP/1.1`];
      for (let i = 0; i < request.rawHeaders.length; i += 2)
        lines.push(`${request.rawHeaders[i]}: ${request.rawHeaders[i + 1]}`);
      upstream.write(lines.join('\r\n') + '\r\n\r\n');
      upstream.write(head);
      upstream.pipe(socket);
      socket.pipe(upstream);
    });
    upstream.on('error', () => socket.destroy());
    socket.on('error', () => upstream.destroy());
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: server.address().port,
    close: () => new Promise((resolve) => { server.closeAllConnections?.(); server.close(resolve); }),
  };
}
