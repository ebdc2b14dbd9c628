// The console's shell: login, the header, and the pages by the address's #fragment.
import { html, render } from 'lit-html';
import { accessToken, authEnabled, logIn, logOut, providerName, startAuth, useToken, who } from './auth.js';
import { datasetPage, datasetsPage } from './datasets.js';
import { jobPage, jobsPage } from './jobs.js';
import { modelPage } from './models.js';
import { failure } from './ui.js';

const main = document.getElementById('main');
const top = document.getElementById('top');
let leave = null;
let generation = 0;

const ROUTES = [
  [/^#\/datasets\/([^/?]+)$/, (view, [id]) => datasetPage(view, id)],
  [/^#\/datasets$/, (view) => datasetsPage(view)],
  [/^#\/jobs\/([^/?]+)$/, (view, [id]) => jobPage(view, id)],
  [/^#\/jobs$/, (view, _, query) => jobsPage(view, query)],
  [/^#\/models\/([^/?]+)$/, (view, [id]) => modelPage(view, id)],
];

function header(user, page) {
  const link = (hash, label) => html`<a href=${hash} aria-current=${page === hash ? 'page' : 'false'}>${label}</a>`;
  render(html`<span class="brand">TransferLab</span>
    ${user ? html`<nav aria-label="pages">${link('#/datasets', 'Datasets')}${link('#/jobs', 'Training')}</nav>
      <div class="who" id="who"><span>${user.user} · tenant <strong id="tenant">${user.tenant}</strong></span>
        ${authEnabled() ? html`<button class="secondary" style="color:#fff;border-color:#fff" @click=${() => logOut().then(route)}>Log out</button>` : ''}</div>` : ''}`, top);
}

function loginPage(error) {
  const paste = (e) => {
    e.preventDefault();
    try {
      useToken(new FormData(e.target).get('token'));
      route();
    } catch (err) {
      loginPage(err);
    }
  };
  header(null);
  render(html`<h1>Log in</h1>
    <section class="card">
      <p>Log in at the platform's OpenID provider (<code>${providerName()}</code>); you will see your tenant's
        datasets, jobs and models only.</p>
      <button id="login" @click=${() => logIn()}>Log in</button>
    </section>
    <section class="card">
      <h2>Or paste an access token</h2>
      <form @submit=${paste}>
        <label for="token">access token</label>
        <textarea id="token" name="token" rows="4" required></textarea>
        <p><button type="submit" id="use-token">Use this token</button></p>
      </form>
      ${failure(error)}
    </section>`, main);
}

async function route() {
  const current = ++generation;
  if (leave) {
    leave();
    leave = null;
  }
  if (authEnabled() && !(await accessToken())) {
    loginPage();
    return;
  }
  const hash = location.hash || '#/datasets';
  const [place, search = ''] = hash.split('?');
  const query = new URLSearchParams(search);
  const match = ROUTES.map(([pattern, page]) => [place.match(pattern), page]).find(([m]) => m);
  header(await who(), `#/${place.split('/')[1]}`);
  // A page renders into main only while it is the one shown: a slow answer for a page left behind is dropped.
  const view = { render: (template) => current === generation && render(template, main) };
  if (!match) {
    view.render(html`<h1>Not found</h1><p>No page at ${hash}. <a href="#/datasets">Datasets</a></p>`);
    return;
  }
  const cleanup = await match[1](view, match[0].slice(1), query);
  if (current === generation) {
    leave = cleanup || null;
  } else if (cleanup) {
    cleanup();
  }
}

// lit-html renders after what a container holds: the page's "Loading…" goes first.
main.replaceChildren();
window.addEventListener('hashchange', route);
startAuth().then(route).catch((e) => render(failure(e), main));
