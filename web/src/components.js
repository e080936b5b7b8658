// Small shared pieces of the views: hooks and components.

import { useEffect, useRef, useState } from 'preact/hooks';
import { html } from './html.js';
import { pictureHeight } from './lib/config.js';

/** The current epoch time in seconds, re-rendering every `period` ms. */
export function useNow(period = 1000) {
  const [now, setNow] = useState(() => Date.now() / 1000);
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now() / 1000), period);
    return () => clearInterval(timer);
  }, [period]);
  return now;
}

/** True while the page is shown (not a hidden tab or a minimised window). */
export function usePageVisible() {
  const [visible, setVisible] = useState(() => !document.hidden);
  useEffect(() => {
    const onChange = () => setVisible(!document.hidden);
    document.addEventListener('visibilitychange', onChange);
    return () => document.removeEventListener('visibilitychange', onChange);
  }, []);
  return visible;
}

/** Sets document.title for the view. */
export function useTitle(title) {
  useEffect(() => {
    document.title = title ? `${title} · corvette` : 'corvette';
  }, [title]);
}

/** `base` with `extra` query parameters appended ("a.jpg?crop=1" + {h: 360} -> "a.jpg?crop=1&h=360"). */
export function withParams(base, extra) {
  const parts = Object.entries(extra)
    .filter(([, v]) => v !== undefined && v !== null && v !== '')
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`);
  if (!parts.length) return base;
  return base + (base.includes('?') ? '&' : '?') + parts.join('&');
}

/**
 * A still picture refreshed every `interval` ms (latest.jpg, best.jpg) in a box of the given CSS
 * `aspect` ratio, so nothing moves while it loads. Two <img> take turns: the next picture loads
 * in the hidden one and is shown once complete, so the picture never blanks or flickers. It
 * refreshes only while on screen and while the page is visible; the height asked for follows the
 * box's size (`maxHeight` is the camera's own). `base` is the URL without `h` or `t`.
 */
export function LivePicture({ base, aspect, interval = 1000, maxHeight, alt = '', fit = 'contain' }) {
  const box = useRef(null);
  const imgs = [useRef(null), useRef(null)];
  const [failed, setFailed] = useState(false);
  const [loaded, setLoaded] = useState(false);

  useEffect(() => {
    const el = box.current;
    let front = 0;
    let timer = 0;
    let onScreen = true;
    let waiting = false;
    let stopped = false;

    const load = () => {
      if (stopped) return;
      if (!onScreen || document.hidden) {
        waiting = true;
        return;
      }
      waiting = false;
      const back = imgs[1 - front].current;
      const h = pictureHeight(el.clientHeight || 360, window.devicePixelRatio, maxHeight);
      back.onload = () => {
        if (stopped) return;
        back.classList.add('front');
        imgs[front].current.classList.remove('front');
        front = 1 - front;
        setFailed(false);
        setLoaded(true);
        timer = setTimeout(load, interval);
      };
      back.onerror = () => {
        if (stopped) return;
        setFailed(true);
        timer = setTimeout(load, Math.max(interval, 5000));
      };
      back.src = withParams(base, { h, t: Date.now() });
    };

    const resume = () => {
      if (waiting && onScreen && !document.hidden) load();
    };
    const observer = new IntersectionObserver((entries) => {
      onScreen = entries[entries.length - 1].isIntersecting;
      resume();
    });
    observer.observe(el);
    document.addEventListener('visibilitychange', resume);
    load();
    return () => {
      stopped = true;
      clearTimeout(timer);
      observer.disconnect();
      document.removeEventListener('visibilitychange', resume);
      for (const ref of imgs) {
        if (ref.current) ref.current.onload = ref.current.onerror = null;
      }
    };
  }, [base, interval, maxHeight]);

  return html`<div class="picture" ref=${box} style=${{ aspectRatio: aspect }}>
    <img ref=${imgs[0]} alt=${alt} class=${`fit-${fit}`} decoding="async" />
    <img ref=${imgs[1]} alt=${alt} class=${`fit-${fit}`} decoding="async" />
    ${failed
      ? html`<span class="picture-note">No picture</span>`
      : !loaded && html`<span class="picture-note">Loading…</span>`}
  </div>`;
}

/**
 * The live MJPEG stream in a box of the given `aspect` ratio. The stream is dropped while the
 * page is hidden and when the component goes away (a removed <img> may otherwise keep the
 * connection), and retried 5 s after a failure.
 */
export function Stream({ src, aspect, alt = '' }) {
  const img = useRef(null);
  const visible = usePageVisible();
  const [failed, setFailed] = useState(false);
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    const el = img.current;
    if (!el || !visible) return undefined;
    let retry = 0;
    setFailed(false);
    el.onerror = () => {
      setFailed(true);
      retry = setTimeout(() => setAttempt((n) => n + 1), 5000);
    };
    el.src = src;
    return () => {
      clearTimeout(retry);
      el.onerror = null;
      // Ends the multipart response: the browser drops a stream whose src goes away (a removed
      // <img> alone may keep it open).
      el.removeAttribute('src');
    };
  }, [src, visible, attempt]);

  return html`<div class="picture" style=${{ aspectRatio: aspect }}>
    <img ref=${img} alt=${alt} class="front fit-contain" />
    ${failed && html`<span class="picture-note">Stream unavailable, retrying…</span>`}
    ${!visible && html`<span class="picture-note">Paused</span>`}
  </div>`;
}

/** An on/off switch (a button with role=switch). */
export function Toggle({ label, checked, busy = false, disabled = false, onChange }) {
  return html`<button
    type="button"
    role="switch"
    class="toggle"
    aria-checked=${checked ? 'true' : 'false'}
    aria-busy=${busy ? 'true' : 'false'}
    disabled=${disabled || busy}
    onClick=${() => onChange(!checked)}
  >
    <span class="toggle-track" aria-hidden="true"><span class="toggle-thumb"></span></span>
    <span class="toggle-label">${label}</span>
  </button>`;
}

/** A message box: kind 'error' | 'info'. */
export function Note({ kind = 'info', children }) {
  return html`<p class=${`note note-${kind}`} role=${kind === 'error' ? 'alert' : 'status'}>${children}</p>`;
}

/** The "in progress" mark of an event. */
export function LiveMark() {
  return html`<span class="mark-live" title="The object is still tracked">in progress</span>`;
}
