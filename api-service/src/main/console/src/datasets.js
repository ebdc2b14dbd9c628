// Datasets: upload (drop or choose a zip or tar.gz, with a progress bar), the list, and one dataset's report with
// sample thumbnails per class.
import { html } from 'lit-html';
import * as api from './api.js';
import { authImage, bytes, dropZone, failure, percent } from './ui.js';

const SAMPLES_PER_CLASS = 8;

function archiveType(name) {
  return /\.zip$/i.test(name) ? 'application/zip' : 'application/gzip';
}

export async function datasetsPage(view) {
  let datasets = [];
  let uploading = null;
  let error = null;

  const draw = () => view.render(html`
    <h1>Datasets</h1>
    <section class="card" aria-labelledby="upload-title">
      <h2 id="upload-title">Upload a dataset</h2>
      <p class="muted">A zip or tar.gz of an ImageFolder tree: <code>train/&lt;class&gt;/…</code> with optional
        <code>val/</code> and <code>test/</code>, or just <code>&lt;class&gt;/…</code>.</p>
      ${dropZone('dataset-file', 'Drop a .zip or .tar.gz here, or choose one', '.zip,.tar.gz,.tgz', send, !!uploading)}
      ${uploading ? html`<p><label for="upload-progress">Uploading ${uploading.name}: ${uploading.percent}%</label>
        <progress id="upload-progress" max="100" .value=${uploading.percent}></progress></p>` : ''}
      ${failure(error)}
    </section>
    <section class="card" aria-labelledby="list-title">
      <h2 id="list-title">Your datasets</h2>
      ${datasets.length === 0 ? html`<p class="muted">None yet.</p>` : html`
      <table id="datasets">
        <thead><tr><th>name</th><th>classes</th><th class="num">images</th><th class="num">size</th><th>created</th></tr></thead>
        <tbody>${datasets.map((d) => html`<tr>
          <td><a href="#/datasets/${d.id}">${d.name || d.id}</a></td><td>${d.classes.join(', ')}</td>
          <td class="num">${d.images}</td><td class="num">${bytes(d.bytes)}</td>
          <td>${new Date(d.createdAt).toLocaleString()}</td></tr>`)}</tbody>
      </table>`}
    </section>`);

  async function send(file) {
    error = null;
    uploading = { name: file.name, percent: 0 };
    draw();
    try {
      const name = file.name.replace(/\.(zip|tar\.gz|tgz)$/i, '');
      const manifest = await api.upload(`/v1/datasets?name=${encodeURIComponent(name)}`, file,
        archiveType(file.name), (loaded, total) => {
          uploading.percent = Math.round((100 * loaded) / total);
          draw();
        });
      location.hash = `#/datasets/${manifest.id}`;
    } catch (e) {
      error = e;
      uploading = null;
      draw();
    }
  }

  draw();
  try {
    datasets = await api.get('/v1/datasets');
  } catch (e) {
    error = e;
  }
  draw();
}

export async function datasetPage(view, id) {
  let dataset;
  let samples = {};
  let baselines = [];
  let error = null;
  const path = `/v1/datasets/${encodeURIComponent(id)}`;

  const remove = async () => {
    if (!window.confirm(`Delete the dataset ${dataset.name || id}? Its files go too.`)) {
      return;
    }
    try {
      await api.remove(path);
      location.hash = '#/datasets';
    } catch (e) {
      error = e;
      draw();
    }
  };

  const draw = () => view.render(!dataset ? failure(error) : html`
    <h1>Dataset ${dataset.name || id}</h1>
    <div class="row">
      <a class="button" href="#/jobs?dataset=${id}">Train on it</a>
      <button class="danger" id="delete-dataset" @click=${remove}>Delete</button>
    </div>
    ${failure(error)}
    <section class="card" aria-labelledby="report-title" id="report">
      <h2 id="report-title">Validation report</h2>
      <p>${dataset.images} images in ${dataset.classes.length} classes, ${bytes(dataset.bytes)};
        layout <code>${dataset.layout}</code>; <code>${dataset.id}</code></p>
      <table id="counts">
        <caption class="sr-only">Images per class and split</caption>
        <thead><tr><th>class</th>${Object.keys(dataset.counts).map((s) => html`<th class="num">${s}</th>`)}</tr></thead>
        <tbody>${dataset.classes.map((c) => html`<tr><th scope="row">${c}</th>
          ${Object.values(dataset.counts).map((perClass) => html`<td class="num">${perClass[c] ?? 0}</td>`)}</tr>`)}
        </tbody>
      </table>
      ${dataset.layout === 'classes' ? html`<p class="muted">Class folders only: the counts show the split a job
        makes with the default fractions (validation 0.2, test 0.2).</p>` : ''}
      <h3>Warnings</h3>
      ${(dataset.warnings || []).length ? html`<ul id="warnings">${dataset.warnings.map((w) => html`<li class="warning">${w}</li>`)}</ul>`
        : html`<p class="muted" id="warnings">None.</p>`}
      <h3>Skipped files (${dataset.skippedCount})</h3>
      ${dataset.skippedCount ? html`<table id="skipped"><thead><tr><th>file</th><th>why</th></tr></thead>
        <tbody>${(dataset.skipped || []).map((s) => html`<tr><td><code>${s.path}</code></td><td>${s.reason}</td></tr>`)}</tbody>
        </table>` : html`<p class="muted">None.</p>`}
    </section>
    ${baselines.length ? html`<section class="card" aria-labelledby="baseline-title" id="baselines">
      <h2 id="baseline-title">Learnability baseline</h2>
      ${baselines.map((b) => html`<p>A linear probe on the features (${b.probe}, ${b.images} images, ${b.folds} folds)
        reaches ${percent(b.accuracy)} ± ${percent(b.accuracyStd)}, against ${percent(b.chanceAccuracy)} for always
        answering the largest class: a trained head should do at least as well.</p>
        ${(b.warnings || []).length ? html`<ul>${b.warnings.map((w) => html`<li class="warning">${w}</li>`)}</ul>` : ''}`)}
    </section>` : ''}
    <section class="card" aria-labelledby="samples-title">
      <h2 id="samples-title">Samples</h2>
      ${Object.entries(samples).map(([className, paths]) => html`
        <h3>${className}</h3>
        <div class="thumbs" data-class=${className}>${paths.map((p) => html`<figure>
          ${authImage(`${path}/thumbnails?path=${encodeURIComponent(p)}`, `${className}: ${p}`)}
          <figcaption>${p.split('/').pop()}</figcaption></figure>`)}</div>`)}
    </section>`);

  try {
    dataset = await api.get(path);
    draw();
    samples = await api.get(`${path}/samples?perClass=${SAMPLES_PER_CLASS}`);
    // Worked out by the worker once a job has the dataset's features; none before that, or from an older API.
    baselines = await api.get(`${path}/baselines`).catch(() => []);
  } catch (e) {
    error = e;
  }
  draw();
}
