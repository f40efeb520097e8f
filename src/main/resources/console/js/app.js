import { html, render, useState, useEffect, Fragment } from './lib.js';
import { api, session } from './api.js';
import { Connections } from './connections.js';
import { SetupFlow } from './setup.js';
import { DestinationPage } from './destination.js';
import { ErrorNote } from './ui.js';

// The console's shell: sign-in with the admin token, the top bar, and routes on the URL's hash
// (#/connections, #/add, #/destinations/<id>/<tab>), so the browser's back button and links work.

function route() {
  const parts = window.location.hash.replace(/^#\/?/, '').split('/').filter(Boolean).map(decodeURIComponent);
  if (parts[0] === 'add') return { page: 'add' };
  if (parts[0] === 'destinations' && parts[1]) return { page: 'destination', id: parts[1], tab: parts[2] || 'actions' };
  return { page: 'connections' };
}

function SignIn({ onSignedIn }) {
  const [token, setToken] = useState('');
  const [error, setError] = useState(null);
  const submit = async (e) => {
    e.preventDefault();
    try {
      await api('GET', '/sources', undefined, token.trim());
      session.signIn(token.trim());
      onSignedIn();
    } catch (err) {
      setError(err.status === 401 ? new Error('That is not this node’s admin token.') : err);
    }
  };
  return html`<main class="container sign-in">
    <article>
      <h1>Relay console</h1>
      <form onSubmit=${submit}>
        <label for="admin-token">Admin token
          <input id="admin-token" type="password" autocomplete="current-password" required value=${token}
              aria-invalid=${error ? 'true' : undefined} onInput=${(e) => setToken(e.target.value)} />
          <small>Printed by the node at its first start and kept in its data directory (<code>admin-token</code>).
            Kept in this browser tab until it closes.</small>
        </label>
        <${ErrorNote} error=${error} />
        <button type="submit" id="sign-in">Open the console</button>
      </form>
    </article>
  </main>`;
}

function App({ boot }) {
  const [signedIn, setSignedIn] = useState(!!session.token());
  const [where, setWhere] = useState(route());
  useEffect(() => {
    const onHash = () => setWhere(route());
    const onSignedOut = () => setSignedIn(false);
    window.addEventListener('hashchange', onHash);
    window.addEventListener('relay:signed-out', onSignedOut);
    return () => {
      window.removeEventListener('hashchange', onHash);
      window.removeEventListener('relay:signed-out', onSignedOut);
    };
  }, []);
  if (!signedIn) return html`<${SignIn} onSignedIn=${() => setSignedIn(true)} />`;
  const signOut = () => {
    session.signOut();
    setSignedIn(false);
  };
  return html`<${Fragment}>
    <header class="container top">
      <nav>
        <ul><li><a href="#/connections" class="brand"><strong>Relay</strong></a></li></ul>
        <ul>
          <li><a href="#/connections" id="nav-connections" aria-current=${where.page === 'connections' ? 'page' : undefined}>Connections</a></li>
          <li><a href="#/add" id="nav-add" aria-current=${where.page === 'add' ? 'page' : undefined}>Add destination</a></li>
          <li><button type="button" class="outline secondary small" onClick=${signOut}>Sign out</button></li>
        </ul>
      </nav>
    </header>
    <main class="container">
      ${where.page === 'connections' && html`<${Connections} />`}
      ${where.page === 'add' && html`<${SetupFlow} key=${window.location.hash} samples=${boot.sampleEvents} />`}
      ${where.page === 'destination' && html`<${DestinationPage} id=${where.id} tab=${where.tab} boot=${boot} />`}
    </main>
  <//>`;
}

async function start() {
  const root = document.getElementById('app');
  try {
    const response = await fetch('/console/boot.json');
    if (!response.ok) throw new Error('the node answered ' + response.status);
    render(html`<${App} boot=${await response.json()} />`, root);
  } catch (e) {
    render(html`<main class="container"><${ErrorNote} error=${new Error('The console could not start: ' + e.message)} /></main>`, root);
  }
}

start();
