#!/usr/bin/env node
// A development server for the built page (not used by corvette itself):
//
//   node serve.mjs [--dir DIR] [--port 8080] [--prefix /some/prefix/] [--backend http://127.0.0.1:5000]
//
// Serves DIR (default web/dist: index.html and assets/) under PREFIX (default "/"), the way a
// reverse proxy or Home Assistant's ingress puts the page under a path, and forwards everything
// else under PREFIX (api/, clips/, recordings/, the ws WebSocket) to BACKEND with PREFIX removed.
// The page gets the Content-Security-Policy corvette sends, so a violation shows here too.
// Listens on 127.0.0.1 only.

import http from 'node:http';
import net from 'node:net';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const args = { dir: path.join(here, 'dist'), port: 8080, prefix: '/', backend: 'http://127.0.0.1:5000' };
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i += 2) {
  const key = argv[i].replace(/^--/, '');
  if (!(key in args) || argv[i + 1] === undefined) {
    console.error('usage: node serve.mjs [--dir DIR] [--port N] [--prefix /p/] [--backend URL]');
    process.exit(2);
  }
  args[key] = key === 'port' ? Number(argv[i + 1]) : argv[i + 1];
}
if (!args.prefix.startsWith('/')) args.prefix = `/${args.prefix}`;
if (!args.prefix.endsWith('/')) args.prefix += '/';
const backend = new URL(args.backend);

const CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; " +
  "img-src 'self' data: blob:; media-src 'self' blob:; connect-src 'self'; object-src 'none'; " +
  "base-uri 'self'; form-action 'self'";
const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8' };

function forward(req, res, rest) {
  const upstream = http.request(
    { host: backend.hostname, port: backend.port || 80, method: req.method, path: `/${rest}`, headers: { ...req.headers, host: backend.host } },
    (up) => {
      res.writeHead(up.statusCode, up.headers);
      up.pipe(res);
    },
  );
  // A client that goes away (an <img> whose stream is dropped) ends the backend request too.
  res.on('close', () => upstream.destroy());
  upstream.on('error', (e) => {
    if (res.writableEnded || res.destroyed) return;
    if (!res.headersSent) res.writeHead(502, { 'Content-Type': 'text/plain' });
    res.end(`backend: ${e.message}`);
  });
  req.pipe(upstream);
}

const server = http.createServer(async (req, res) => {
  const url = new URL(req.url, 'http://localhost');
  if (url.pathname === args.prefix.slice(0, -1)) {
    res.writeHead(301, { Location: args.prefix });
    return res.end();
  }
  if (!url.pathname.startsWith(args.prefix)) {
    res.writeHead(404);
    return res.end('outside the prefix');
  }
  const rest = url.pathname.slice(args.prefix.length);
  const file = rest === '' || rest === 'index.html' ? 'index.html' : /^assets\/[\w.-]+$/.test(rest) ? rest : null;
  if (file) {
    try {
      const body = await readFile(path.join(args.dir, file));
      const headers = { 'Content-Type': TYPES[path.extname(file)] || 'application/octet-stream' };
      if (file === 'index.html') headers['Content-Security-Policy'] = CSP;
      res.writeHead(200, headers);
      return res.end(body);
    } catch {
      res.writeHead(404);
      return res.end('not built');
    }
  }
  return forward(req, res, rest + url.search);
});

// The WebSocket: a raw byte pipe to the backend after re-sending the upgrade request.
server.on('upgrade', (req, socket, head) => {
  const url = new URL(req.url, 'http://localhost');
  if (!url.pathname.startsWith(args.prefix)) return socket.destroy();
  const target = `/${url.pathname.slice(args.prefix.length)}${url.search}`;
  const up = net.connect(Number(backend.port || 80), backend.hostname, () => {
    const lines = [`GET ${target} HTTP/1.1`];
    for (let i = 0; i < req.rawHeaders.length; i += 2) {
      const name = req.rawHeaders[i];
      lines.push(`${name}: ${name.toLowerCase() === 'host' ? backend.host : req.rawHeaders[i + 1]}`);
    }
    up.write(`${lines.join('\r\n')}\r\n\r\n`);
    if (head.length) up.write(head);
    up.pipe(socket);
    socket.pipe(up);
  });
  up.on('error', () => socket.destroy());
  socket.on('error', () => up.destroy());
});

server.listen(args.port, '127.0.0.1', () => {
  console.log(`serving ${args.dir} at http://127.0.0.1:${args.port}${args.prefix} (backend ${backend.origin})`);
});
