// fetch() wrappers for the API. Every URL is relative (lib/urls.js); errors are thrown as Error
// whose message is the server's text (e.g. "Camera named x not found") or the network failure.

export class HttpError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

async function check(response) {
  if (response.ok) return response;
  let text = '';
  try {
    text = (await response.text()).trim();
  } catch {
    // the body is optional
  }
  throw new HttpError(response.status, text.slice(0, 300) || `HTTP ${response.status}`);
}

/** GET a JSON document. `signal` aborts it. */
export async function getJson(url, signal) {
  const response = await check(await fetch(url, { signal, cache: 'no-store' }));
  return response.json();
}

/** GET a text document. */
export async function getText(url, signal) {
  const response = await check(await fetch(url, { signal, cache: 'no-store' }));
  return response.text();
}

/** POST a text/plain body, answer the JSON reply. */
export async function postText(url, body) {
  const response = await check(
    await fetch(url, { method: 'POST', body, headers: { 'Content-Type': 'text/plain' }, cache: 'no-store' }),
  );
  return response.json();
}

/** True for the error of an aborted fetch (a view that went away), which is not shown. */
export const isAbort = (error) => error?.name === 'AbortError';

/**
 * Checks that a media URL answers (an export is written whole before its first byte, so this
 * waits for it): GET with `Range: bytes=0-0`, the body dropped. Throws the HttpError with the
 * server's text (400, 404) otherwise.
 */
export async function probe(url, signal) {
  const headers = { Range: 'bytes=0-0' };
  const response = await check(await fetch(url, { signal, cache: 'no-store', headers }));
  try {
    await response.body?.cancel();
  } catch {
    // nothing to drop
  }
}
