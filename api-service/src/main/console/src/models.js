// A model: its evaluation (confusion matrix, per-class figures, the images it gets wrong), a try-it box, its
// manifest, and the export download.
import { html } from 'lit-html';
import { ref, createRef } from 'lit-html/directives/ref.js';
import * as api from './api.js';
import { confusionMatrix, probabilities } from './charts.js';
import { authImage, dropZone, failure, fixed, percent } from './ui.js';

const MISCLASSIFIED_SHOWN = 24;

export async function modelPage(view, id) {
  const path = `/v1/models/${encodeURIComponent(id)}`;
  const matrixCanvas = createRef();
  const barsCanvas = createRef();
  let manifest = null;
  let report = null;
  let split = null;
  let prediction = null;
  let predicting = false;
  let error = null;
  let tryError = null;
  let matrix = null;
  let bars = null;

  const drawMatrix = () => {
    if (matrix) {
      matrix.destroy();
      matrix = null;
    }
    if (report && split && matrixCanvas.value) {
      matrix = confusionMatrix(matrixCanvas.value, report.classes, report[split].confusionMatrix);
    }
  };

  const tryImage = async (file) => {
    tryError = null;
    predicting = true;
    draw();
    try {
      const type = file.type === 'image/png' || file.type === 'image/jpeg' ? file.type : 'application/octet-stream';
      prediction = await api.request('POST', `${path}/predictions`, { body: file, type });
    } catch (e) {
      tryError = e;
      prediction = null;
    }
    predicting = false;
    draw();
    if (bars) {
      bars.destroy();
      bars = null;
    }
    if (prediction && barsCanvas.value) {
      bars = probabilities(barsCanvas.value, prediction.predictions);
    }
  };

  const download = async () => {
    try {
      const file = await api.blob(`${path}/export`);
      const link = document.createElement('a');
      link.href = URL.createObjectURL(file);
      link.download = `${id}.safetensors`;
      link.click();
      URL.revokeObjectURL(link.href);
    } catch (e) {
      error = e;
      draw();
    }
  };

  const evaluation = () => {
    if (!report) {
      return html`<p class="muted">No evaluation report for this model.</p>`;
    }
    const figures = report[split];
    return html`
      <div class="row">
        <label for="split" class="sr-only">set</label>
        <select id="split" style="width:auto" @change=${(e) => { split = e.target.value; draw(); drawMatrix(); }}>
          ${['test', 'validation'].filter((s) => report[s]).map((s) => html`<option value=${s} ?selected=${s === split}>${s} set</option>`)}
        </select>
        <span id="accuracy">${figures.images} images; accuracy ${percent(figures.accuracy)}, log loss ${fixed(figures.logLoss)}${
          figures.topKAccuracy !== undefined ? `, top-${figures.topK} accuracy ${percent(figures.topKAccuracy)}` : ''}${
          figures.calibration ? `, expected calibration error ${fixed(figures.calibration.expectedCalibrationError)}` : ''}</span>
      </div>
      <div class="grid2">
        <div><h3>Confusion matrix</h3>
          <div class="chart square"><canvas id="confusion-matrix" ${ref(matrixCanvas)} role="img"
            aria-label="confusion matrix: rows are the true classes, columns the predicted ones; the table after it has the same counts"></canvas></div>
          <table class="sr-only" id="confusion-table"><caption>Confusion matrix (row: true class, column: predicted)</caption>
            <thead><tr><th>true \\ predicted</th>${report.classes.map((c) => html`<th>${c}</th>`)}</tr></thead>
            <tbody>${figures.confusionMatrix.map((row, t) => html`<tr><th scope="row">${report.classes[t]}</th>
              ${row.map((v) => html`<td>${v}</td>`)}</tr>`)}</tbody></table>
        </div>
        <div><h3>Per class</h3>
          <table id="per-class">
            <thead><tr><th>class</th><th class="num">precision</th><th class="num">recall</th><th class="num">F1</th><th class="num">support</th></tr></thead>
            <tbody>${figures.perClass.map((c) => html`<tr><th scope="row">${c.className}</th><td class="num">${fixed(c.precision, 3)}</td>
              <td class="num">${fixed(c.recall, 3)}</td><td class="num">${fixed(c.f1, 3)}</td><td class="num">${c.support}</td></tr>`)}
              ${[['macro average', figures.macroAverage], ['weighted average', figures.weightedAverage]].map(([name, a]) => html`
              <tr><th scope="row">${name}</th><td class="num">${fixed(a.precision, 3)}</td><td class="num">${fixed(a.recall, 3)}</td>
              <td class="num">${fixed(a.f1, 3)}</td><td class="num">${a.support}</td></tr>`)}</tbody>
          </table>
        </div>
      </div>
      <h3>What it gets wrong (${figures.misclassifiedImages} of ${figures.images})</h3>
      ${figures.misclassified.length ? html`<div class="thumbs misclassified" id="misclassified">
        ${figures.misclassified.slice(0, MISCLASSIFIED_SHOWN).map((m) => html`<figure>
          ${authImage(`${path}/thumbnails?path=${encodeURIComponent(m.path)}`, m.path)}
          <figcaption>I guess it's a ${m.predictedClass} (${(m.probability * 100).toFixed(0)}%) — it is a ${m.trueClass}</figcaption>
        </figure>`)}</div>` : html`<p class="muted">Nothing: every image is classified right.</p>`}`;
  };

  const draw = () => view.render(!manifest ? failure(error) : html`
    <h1>Model <code>${id}</code></h1>
    <section class="card">
      <p>${manifest.classes.length} classes (${manifest.classes.join(', ')}); trained on ${manifest.trainImages} images,
        chosen on ${manifest.validationImages}, tested on ${manifest.testImages}; stored epoch ${manifest.bestEpoch}.</p>
      <div class="row"><button id="export" @click=${download}>Download the export (safetensors)</button>
        <a href="#/jobs/${manifest.jobId}">The job</a></div>
      ${failure(error)}
    </section>
    <section class="card" aria-labelledby="try-title">
      <h2 id="try-title">Try it</h2>
      ${dropZone('try-image', 'Drop a JPEG or PNG image here, or choose one', 'image/png,image/jpeg', tryImage, predicting)}
      ${predicting ? html`<p>Asking the model…</p>` : ''}
      ${failure(tryError)}
      <div ?hidden=${!prediction}>
        <p class="guess" id="guess">${prediction ? `I guess it's a ${prediction.label} (${percent(prediction.probability)})` : ''}</p>
        <div class="chart" style="min-height:${Math.max(120, 34 * manifest.classes.length)}px"><canvas id="probabilities"
          ${ref(barsCanvas)} role="img" aria-label="probability per class"></canvas></div>
      </div>
    </section>
    <section class="card" aria-labelledby="eval-title">
      <h2 id="eval-title">Evaluation</h2>
      ${evaluation()}
    </section>
    <section class="card" aria-labelledby="manifest-title">
      <h2 id="manifest-title">Manifest</h2>
      <details><summary>The model's manifest as JSON</summary><pre id="manifest">${JSON.stringify(manifest, null, 2)}</pre></details>
    </section>`);

  try {
    manifest = await api.get(path);
    report = await api.get(`${path}/evaluation`).catch((e) => (e.status === 404 ? null : Promise.reject(e)));
    split = report ? ['test', 'validation'].find((s) => report[s]) || null : null;
    if (!split) {
      report = null;
    }
  } catch (e) {
    error = e;
  }
  draw();
  drawMatrix();
  return () => {
    [matrix, bars].forEach((c) => c && c.destroy());
  };
}
