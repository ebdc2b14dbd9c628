// Training: the job form (the tutorial's recipe by default), the jobs list, and one job live from its events.
import { html } from 'lit-html';
import { ref, createRef } from 'lit-html/directives/ref.js';
import * as api from './api.js';
import { curves } from './charts.js';
import { follow } from './events.js';
import { duration, failure, fixed, percent, state } from './ui.js';

// The tutorial's recipe: 10 epochs of Adam at 1e-3, batches of 400, a 500-unit hidden layer, on DenseNet121.
const DEFAULTS = { epochs: 10, batchSize: 400, learningRate: 0.001, hiddenUnits: 500, validationFraction: 0.2,
  testFraction: 0.2, seed: 0 };
const DEFAULT_BACKBONE = '{"name": "densenet121"}';

export async function jobsPage(view, query) {
  let datasets = [];
  let jobs = [];
  let error = null;
  let busy = false;

  const submit = async (e) => {
    e.preventDefault();
    const form = new FormData(e.target);
    error = null;
    try {
      const body = { datasetId: form.get('datasetId') };
      Object.keys(DEFAULTS).forEach((name) => {
        body[name] = Number(form.get(name));
      });
      body.backbone = JSON.parse(form.get('backbone'));
      busy = true;
      draw();
      const job = await api.postJson('/v1/training-jobs', body);
      location.hash = `#/jobs/${job.id}`;
    } catch (err) {
      error = err instanceof SyntaxError ? new Error(`backbone: ${err.message}`) : err;
      busy = false;
      draw();
    }
  };

  const field = (name, label, step) => html`<div><label for=${name}>${label}</label>
    <input id=${name} name=${name} type="number" step=${step} required .value=${String(DEFAULTS[name])}></div>`;

  const draw = () => view.render(html`
    <h1>Training</h1>
    <section class="card" aria-labelledby="form-title">
      <h2 id="form-title">New job</h2>
      <form class="fields" id="job-form" @submit=${submit}>
        <div class="wide"><label for="datasetId">dataset</label>
          <select id="datasetId" name="datasetId" required>
            ${datasets.map((d) => html`<option value=${d.id} ?selected=${d.id === query.get('dataset')}>
              ${d.name || d.id} (${d.images} images, ${d.classes.length} classes)</option>`)}
          </select></div>
        ${field('epochs', 'epochs', '1')}
        ${field('batchSize', 'batch size', '1')}
        ${field('learningRate', 'learning rate', 'any')}
        ${field('hiddenUnits', 'hidden units', '1')}
        ${field('validationFraction', 'validation fraction', 'any')}
        ${field('testFraction', 'test fraction', 'any')}
        ${field('seed', 'seed', '1')}
        <div class="wide"><label for="backbone">backbone (JSON)</label>
          <textarea id="backbone" name="backbone" rows="2" .value=${DEFAULT_BACKBONE}></textarea></div>
        <div class="wide"><button type="submit" id="start-job" ?disabled=${busy || !datasets.length}>Start training</button></div>
      </form>
      ${failure(error)}
    </section>
    <section class="card" aria-labelledby="jobs-title">
      <h2 id="jobs-title">Jobs</h2>
      ${jobs.length === 0 ? html`<p class="muted">None yet.</p>` : html`
      <table id="jobs">
        <thead><tr><th>job</th><th>state</th><th>phase</th><th class="num">epoch</th><th class="num">val. accuracy</th><th>submitted</th></tr></thead>
        <tbody>${jobs.map((j) => html`<tr>
          <td><a href="#/jobs/${j.id}">${j.id}</a></td><td>${state(j.state)}</td><td>${j.phase || ''}</td>
          <td class="num">${j.latestMetrics ? `${j.latestMetrics.epoch}/${j.latestMetrics.epochs}` : ''}</td>
          <td class="num">${j.latestMetrics ? percent(j.latestMetrics.validationAccuracy) : ''}</td>
          <td>${new Date(j.submittedAt).toLocaleString()}</td></tr>`)}</tbody>
      </table>`}
    </section>`);

  draw();
  try {
    [datasets, jobs] = await Promise.all([api.get('/v1/datasets'), api.get('/v1/training-jobs?limit=100')
      .then((page) => page.items)]);
  } catch (e) {
    error = e;
  }
  draw();
}

export async function jobPage(view, id) {
  const path = `/v1/training-jobs/${encodeURIComponent(id)}`;
  const canvas = createRef();
  let job = null;
  let extraction = null;
  let cacheHit = false;
  let epochs = 0;
  let error = null;
  let chart = null;
  let refreshing = false;
  let again = false;

  // State and phase as the job's own view words them, asked again after events; one request at a time, so the
  // events a reload replays cost one or two, not one each.
  const refresh = async () => {
    if (refreshing) {
      again = true;
      return;
    }
    refreshing = true;
    do {
      again = false;
      const fresh = await api.get(path).catch(() => null);
      if (fresh) {
        job = fresh;
        draw();
      }
    } while (again);
    refreshing = false;
  };

  const cancel = async () => {
    try {
      await api.remove(path);
      job = await api.get(path);
    } catch (e) {
      error = e;
    }
    draw();
  };

  const draw = () => view.render(!job ? failure(error) : html`
    <h1>Job <code>${id}</code></h1>
    <section class="card">
      <div class="row">
        <span id="job-state">${state(job.state)}</span>
        <span id="job-phase" class="muted">${job.phase || ''}</span>
        ${['queued', 'running'].includes(job.state) ? html`<button class="danger" id="cancel-job" @click=${cancel}
          ?disabled=${job.cancelRequested}>${job.cancelRequested ? 'Cancelling…' : 'Cancel'}</button>` : ''}
        ${job.modelId ? html`<a class="button" id="open-model" href="#/models/${job.modelId}">Open the model</a>` : ''}
      </div>
      ${job.reason ? html`<p class="error">${job.reason}</p>` : ''}
      ${failure(error)}
    </section>
    <section class="card" aria-labelledby="extraction-title">
      <h2 id="extraction-title">Features</h2>
      ${cacheHit ? html`<p>From the feature cache: the backbone did no work.</p>` : extraction ? html`
        <label for="extraction-progress">${extraction.done} of ${extraction.total} images
          (${fixed(extraction.imagesPerSecond, 1)} images/s${extraction.skipped ? `, ${extraction.skipped} skipped` : ''});
          <span id="eta">${extraction.done >= extraction.total ? 'done' : `about ${duration(extraction.etaSeconds)} left`}</span></label>
        <progress id="extraction-progress" max=${extraction.total} .value=${extraction.done}></progress>`
        : html`<p class="muted">Not started yet.</p>`}
    </section>
    <section class="card" aria-labelledby="curves-title">
      <h2 id="curves-title">Curves <span class="muted" id="epochs-done">${epochs} of ${job.hyperparameters?.epochs ?? '?'} epochs</span></h2>
      <div class="chart"><canvas id="curves" ${ref(canvas)} role="img"
        aria-label="train loss, validation loss and validation accuracy per epoch"></canvas></div>
      ${job.latestMetrics ? html`<p id="latest">Epoch ${job.latestMetrics.epoch}: train loss ${fixed(job.latestMetrics.trainLoss)},
        validation loss ${fixed(job.latestMetrics.validationLoss)}, validation accuracy
        ${percent(job.latestMetrics.validationAccuracy)}</p>` : ''}
      ${job.bestEpoch ? html`<p>The stored model is epoch ${job.bestEpoch}, the lowest validation loss.</p>` : ''}
    </section>`);

  const onEvent = (event) => {
    const data = event.data;
    if (event.type === 'extraction-progress' && data.extraction) {
      extraction = data.extraction;
    } else if (event.type === 'feature-cache-hit') {
      cacheHit = true;
    } else if (event.type === 'epoch-completed' && data.metrics) {
      chart.add(data.metrics);
      epochs += 1;
      job.latestMetrics = data.metrics;
    }
    draw();
    if (event.type !== 'extraction-progress') {
      refresh();
    }
  };

  try {
    job = await api.get(path);
  } catch (e) {
    error = e;
    draw();
    return undefined;
  }
  draw();
  chart = curves(canvas.value);
  const stop = follow(id, onEvent);
  return () => {
    stop();
    chart.destroy();
  };
}
