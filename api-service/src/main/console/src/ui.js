// Small pieces the pages share. lit-html renders every template: values are escaped, so a class or file name from
// a dataset can never turn into markup.
import { html } from 'lit-html';
import { until } from 'lit-html/directives/until.js';
import { imageUrl } from './api.js';

export const percent = (p) => `${(p * 100).toFixed(1)}%`;
export const fixed = (v, digits = 4) => (v === undefined || v === null || Number.isNaN(v) ? '–' : Number(v).toFixed(digits));

export function bytes(n) {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let value = n;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit += 1;
  }
  return `${value.toFixed(unit ? 1 : 0)} ${units[unit]}`;
}

export function duration(seconds) {
  if (seconds === undefined || seconds === null || !Number.isFinite(seconds)) {
    return '–';
  }
  const s = Math.max(0, Math.round(seconds));
  return s >= 60 ? `${Math.floor(s / 60)} min ${s % 60} s` : `${s} s`;
}

export const state = (value) => html`<span class="state ${value}">${value}</span>`;

export const failure = (error) => (error ? html`<p class="error" role="alert">${error.message || error}</p>` : '');

/** An image the API serves behind the token, as an img whose src is filled once it has loaded. */
export function authImage(path, alt) {
  const src = imageUrl(path).catch(() => '');
  return html`<img alt=${alt} loading="lazy" src=${until(src, '')}>`;
}

/**
 * A drop zone with a file input for the keyboard and for tests; onFile gets the one file dropped or chosen.
 */
export function dropZone(id, label, accept, onFile, disabled = false) {
  const over = (e, on) => {
    e.preventDefault();
    e.currentTarget.classList.toggle('over', on);
  };
  const drop = (e) => {
    over(e, false);
    if (!disabled && e.dataTransfer.files.length) {
      onFile(e.dataTransfer.files[0]);
    }
  };
  return html`<div class="drop" id="${id}-zone" @dragover=${(e) => over(e, true)} @dragleave=${(e) => over(e, false)}
      @drop=${drop}>
    <p>${label}</p>
    <label class="sr-only" for=${id}>${label}</label>
    <input type="file" id=${id} accept=${accept} ?disabled=${disabled}
      @change=${(e) => e.target.files.length && onFile(e.target.files[0])}>
  </div>`;
}
