// htm bound to Preact's h: html`<div class=${c}>${text}</div>`. Interpolated values are
// children or attribute values, never markup, so data is always rendered as text.
import { h } from 'preact';
import htm from 'htm';

export const html = htm.bind(h);
