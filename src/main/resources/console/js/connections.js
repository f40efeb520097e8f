import { html, useState, useEffect } from './lib.js';
import { api } from './api.js';
import { Badge, ConfirmButton, CopyButton, ErrorNote, Field, fieldErrors } from './ui.js';

// Connections: the sources (write keys, library snippets pointed at this node) and the destinations.

export function Connections() {
  const [sources, setSources] = useState(null);
  const [destinations, setDestinations] = useState(null);
  const [error, setError] = useState(null);
  const load = async () => {
    try {
      const [s, d] = await Promise.all([api('GET', '/sources'), api('GET', '/destinations')]);
      setSources(s);
      setDestinations(d);
    } catch (e) {
      setError(e);
    }
  };
  useEffect(() => {
    load();
  }, []);
  return html`<section>
    <h2>Connections</h2>
    <${ErrorNote} error=${error} />
    <div class="connections">
      <article aria-labelledby="sources-title">
        <header class="row-between"><h3 id="sources-title">Sources</h3></header>
        ${sources === null ? html`<p aria-busy="true">Loading…</p>`
          : sources.length === 0 ? html`<p>No sources yet. A source is a website or a server that sends events.</p>`
          : sources.map((s) => html`<${SourceCard} key=${s.id} source=${s} onDeleted=${load} />`)}
        <${AddSource} onAdded=${load} />
      </article>
      <article aria-labelledby="destinations-title">
        <header class="row-between">
          <h3 id="destinations-title">Destinations</h3>
          <a href="#/add" role="button" id="add-destination">Add new</a>
        </header>
        ${destinations === null ? html`<p aria-busy="true">Loading…</p>`
          : destinations.length === 0 ? html`<p>No destinations yet.</p>`
          : html`<div class="overflow-auto"><table class="striped" id="destinations-table">
              <thead><tr><th>Name</th><th>Type</th><th>Status</th><th>Actions</th><th>Sources</th></tr></thead>
              <tbody>${destinations.map((d) => html`<tr key=${d.id}>
                <td><a href=${'#/destinations/' + d.id + '/actions'}>${d.name}</a></td>
                <td>${d.type}</td>
                <td><${Badge} status=${d.enabled ? 'enabled' : 'disabled'} /></td>
                <td>${d.actions.filter((a) => a.enabled).length} of ${d.actions.length}</td>
                <td>${d.sources.length}</td>
              </tr>`)}</tbody>
            </table></div>`}
      </article>
    </div>
  </section>`;
}

function SourceCard({ source, onDeleted }) {
  const remove = async () => {
    await api('DELETE', '/sources/' + encodeURIComponent(source.id));
    onDeleted();
  };
  return html`<details class="source" data-source=${source.name}>
    <summary><strong>${source.name}</strong> <small>${source.type} · ${source.destinations.length} destination(s)</small></summary>
    <p class="write-key">Write key <code data-write-key>${source.writeKey}</code> <${CopyButton} text=${source.writeKey} /></p>
    <${Snippets} writeKey=${source.writeKey} />
    <${ConfirmButton} label="Delete source" className="outline secondary small" confirmLabel="Delete"
        question=${'Delete source “' + source.name + '”? Its write key stops working.'} onConfirm=${remove} />
  </details>`;
}

/** How each source library sends to this node: the write key and this node's address. */
function Snippets({ writeKey }) {
  const host = window.location.origin;
  const snippets = {
    Node: `// npm install @customerio/cdp-analytics-node
const { Analytics } = require('@customerio/cdp-analytics-node')
const analytics = new Analytics({ writeKey: '${writeKey}', host: '${host}' })
analytics.track({ userId: 'u-1', event: 'Signed Up' })`,
    Java: `// com.segment.analytics.java:analytics
Analytics analytics = Analytics.builder("${writeKey}")
    .endpoint("${host}")
    .build();
analytics.enqueue(TrackMessage.builder("Signed Up").userId("u-1"));`,
    Browser: `// npm install @segment/analytics-next
import { AnalyticsBrowser } from '@segment/analytics-next'
const analytics = AnalyticsBrowser.load({
  writeKey: '${writeKey}',
  // Settings given here: nothing is fetched from a CDN.
  cdnSettings: { integrations: { 'Segment.io': {
    apiKey: '${writeKey}', apiHost: '${window.location.host}/v1', protocol: '${window.location.protocol.replace(':', '')}' } } },
})
analytics.track('Signed Up')`,
  };
  const [shown, setShown] = useState('Node');
  return html`<div class="snippets">
    <div role="group" aria-label="Library">
      ${Object.keys(snippets).map((name) => html`<button type="button" class=${name === shown ? '' : 'outline'}
          aria-pressed=${name === shown} onClick=${() => setShown(name)}>${name}</button>`)}
    </div>
    <pre class="snippet"><code>${snippets[shown]}</code></pre>
    <${CopyButton} text=${snippets[shown]} label="Copy snippet" />
  </div>`;
}

function AddSource({ onAdded }) {
  const [name, setName] = useState('');
  const [type, setType] = useState('server');
  const [errors, setErrors] = useState({ fields: {}, general: '' });
  const add = async (e) => {
    e.preventDefault();
    try {
      await api('POST', '/sources', { name, type });
      setName('');
      setErrors({ fields: {}, general: '' });
      onAdded();
    } catch (err) {
      setErrors(fieldErrors(err.message));
    }
  };
  return html`<form onSubmit=${add} class="add-source" aria-label="Add a source">
    <h4>Add a source</h4>
    <div class="grid">
      <${Field} id="source-name" label="Name" error=${errors.fields.name}>
        <input id="source-name" value=${name} required aria-invalid=${errors.fields.name ? 'true' : undefined}
            onInput=${(e) => setName(e.target.value)} />
      <//>
      <${Field} id="source-type" label="Type" error=${errors.fields.type}>
        <select id="source-type" value=${type} onChange=${(e) => setType(e.target.value)}>
          <option value="server">server</option>
          <option value="website">website</option>
        </select>
      <//>
    </div>
    ${errors.general ? html`<p class="error-note" role="alert">${errors.general}</p>` : null}
    <button type="submit">Add source</button>
  </form>`;
}
