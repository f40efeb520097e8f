import { html, useState, useEffect, useRef } from './lib.js';
import { api, paths, ApiError } from './api.js';
import { Badge, CALL_TYPES, ErrorNote, JsonBlock, time } from './ui.js';

// The action journal: every action of the destination with every filter of the API, newest first,
// paged by cursor, refreshed while the first page is open. Retry and redrive appear only where the
// node offers them (its OpenAPI description lists them; a 404 or 405 hides them again).

const STATUSES = ['queued', 'retrying', 'delivered', 'failed', 'discarded'];

let replayOffered; // one answer per page load: does this node offer retry and redrive?
function replayAvailable() {
  if (replayOffered === undefined) {
    replayOffered = api('GET', '/openapi.json').then(
      (doc) => Object.keys((doc && doc.paths) || {}).some((p) => p.endsWith('/redrive')),
      () => false);
  }
  return replayOffered;
}
const notOffered = (e) => e instanceof ApiError && (e.status === 404 || e.status === 405);

export function Journal({ destinationId, refreshMs, pageSize }) {
  const [filters, setFilters] = useState({});
  const [draft, setDraft] = useState({});
  const [cursors, setCursors] = useState([null]); // the cursor of each page shown so far
  const [page, setPage] = useState(null);
  const [live, setLive] = useState(true);
  const [selected, setSelected] = useState(null);
  const [error, setError] = useState(null);
  const [replay, setReplay] = useState(false);
  const [note, setNote] = useState(null);
  const cursor = cursors[cursors.length - 1];

  useEffect(() => {
    replayAvailable().then(setReplay);
  }, []);

  const load = async () => {
    try {
      setPage(await api('GET', paths.journal(destinationId, { ...filters, limit: pageSize, cursor })));
      setError(null);
    } catch (e) {
      setError(e);
    }
  };
  useEffect(() => {
    load();
    if (!live || cursor !== null) return undefined;
    const timer = setInterval(() => document.visibilityState === 'visible' && load(), refreshMs);
    return () => clearInterval(timer);
  }, [destinationId, filters, cursor, live]);

  const apply = (e) => {
    e.preventDefault();
    setFilters(toQuery(draft));
    setCursors([null]);
  };
  const redrive = async () => {
    try {
      // The filters of the list shown; redrive takes all of them but messageId.
      const { messageId, ...body } = filters;
      const answer = await api('POST', '/destinations/' + encodeURIComponent(destinationId) + '/redrive', body);
      setNote(answer.count + ' action(s) queued again.');
      load();
    } catch (e) {
      if (notOffered(e)) setReplay(false);
      else setError(e);
    }
  };
  const input = (name, label, type = 'text') => html`<label for=${'filter-' + name}>${label}
    <input id=${'filter-' + name} type=${type} value=${draft[name] || ''}
        onInput=${(e) => setDraft({ ...draft, [name]: e.target.value })} /></label>`;

  return html`<section class="journal" aria-labelledby="journal-title">
    <header class="row-between">
      <h3 id="journal-title">Journal</h3>
      <label for="journal-live"><input type="checkbox" role="switch" id="journal-live" checked=${live}
          onChange=${(e) => setLive(e.target.checked)} /> Refresh while open</label>
    </header>
    <details class="filters-box" open=${window.matchMedia('(min-width: 900px)').matches}>
    <summary>Filters${Object.keys(filters).length ? ' (' + Object.keys(filters).length + ' on)' : ''}</summary>
    <form class="filters" onSubmit=${apply} aria-label="Journal filters">
      <label for="filter-status">Status
        <select id="filter-status" value=${draft.status || ''} onChange=${(e) => setDraft({ ...draft, status: e.target.value })}>
          <option value="">any</option>${STATUSES.map((s) => html`<option value=${s}>${s}</option>`)}
        </select></label>
      <label for="filter-eventType">Call type
        <select id="filter-eventType" value=${draft.eventType || ''} onChange=${(e) => setDraft({ ...draft, eventType: e.target.value })}>
          <option value="">any</option>${CALL_TYPES.map((s) => html`<option value=${s}>${s}</option>`)}
        </select></label>
      ${input('event', 'Event')}
      ${input('userId', 'User id')}
      ${input('messageId', 'Message id')}
      ${input('from', 'From', 'datetime-local')}
      ${input('to', 'To', 'datetime-local')}
      <div class="filter-buttons">
        <button type="submit" id="filter-apply">Apply</button>
        ${replay && (filters.status === 'failed' || filters.status === 'discarded')
          ? html`<button type="button" class="secondary" id="redrive" onClick=${redrive}>Redrive these</button>` : null}
      </div>
    </form>
    </details>
    ${note ? html`<p role="status">${note}</p>` : null}
    <${ErrorNote} error=${error} />
    ${page === null ? html`<p aria-busy="true">Loading…</p>`
      : page.items.length === 0 ? html`<p id="journal-empty">No actions${Object.keys(filters).length ? ' match these filters' : ' yet'}.</p>`
      : html`<div class="overflow-auto"><table class="striped" id="journal-table">
          <thead><tr><th>Queued</th><th>Call</th><th>User</th><th>Action</th><th>Status</th><th>Attempts</th><th>Last answer</th></tr></thead>
          <tbody>${page.items.map((item) => html`<tr key=${item.id} data-item=${item.id} data-status=${item.status}
              aria-selected=${selected === item.id}>
            <td><a href="#" onClick=${(e) => { e.preventDefault(); setSelected(item.id); }}>${time(item.queuedAt)}</a></td>
            <td>${item.eventType}${item.event ? html` <strong>${item.event}</strong>` : null}${item.test ? html` <small>(test)</small>` : null}</td>
            <td>${item.userId || '—'}</td>
            <td>${item.action}</td>
            <td><${Badge} status=${item.status} /></td>
            <td>${item.attempts}</td>
            <td>${item.lastStatus || ''} <small>${item.lastError || ''}</small></td>
          </tr>`)}</tbody>
        </table></div>`}
    <nav class="pager" aria-label="Journal pages">
      <button type="button" class="outline" disabled=${cursors.length === 1} onClick=${() => setCursors([null])}>Newest</button>
      <button type="button" class="outline" disabled=${cursors.length === 1} onClick=${() => setCursors(cursors.slice(0, -1))}>Newer</button>
      <button type="button" class="outline" id="journal-older" disabled=${!page || !page.nextCursor}
          onClick=${() => setCursors([...cursors, page.nextCursor])}>Older</button>
    </nav>
    ${selected ? html`<${ItemDetail} key=${selected} destinationId=${destinationId} itemId=${selected} replay=${replay}
        revision=${revisionOf(page, selected)}
        onClose=${() => setSelected(null)} onNotOffered=${() => setReplay(false)} onRetried=${load} />` : null}
  </section>`;
}

/** Filters as the API takes them: times as ISO-8601 UTC, empty ones left out. */
function toQuery(draft) {
  const q = {};
  Object.entries(draft).forEach(([k, v]) => {
    if (!v) return;
    q[k] = k === 'from' || k === 'to' ? new Date(v).toISOString() : v.trim();
  });
  return q;
}

/** What changes in a listed item when it has a new attempt: the open detail reloads then. */
function revisionOf(page, itemId) {
  const item = page && page.items.find((i) => i.id === itemId);
  return item ? item.status + '/' + item.attempts : '';
}

function ItemDetail({ destinationId, itemId, revision, replay, onClose, onNotOffered, onRetried }) {
  const [item, setItem] = useState(null);
  const [error, setError] = useState(null);
  const ref = useRef(null);
  const load = () => api('GET', paths.journalItem(destinationId, itemId)).then(setItem, setError);
  useEffect(() => {
    load();
  }, [itemId, revision]);
  useEffect(() => {
    if (item && ref.current) ref.current.focus();
  }, [item !== null]);
  const retry = async () => {
    try {
      await api('POST', paths.journalItem(destinationId, itemId) + '/retry');
      load();
      onRetried();
    } catch (e) {
      if (notOffered(e)) onNotOffered();
      else setError(e);
    }
  };
  if (error) return html`<${ErrorNote} error=${error} />`;
  if (!item) return html`<p aria-busy="true">Loading the action…</p>`;
  return html`<article class="item-detail" id="journal-item" tabindex="-1" ref=${ref} aria-label="Action details">
    <header class="row-between">
      <strong>${item.action}: ${item.eventType} ${item.eventName || ''}</strong>
      <span><${Badge} status=${item.status} /> <button type="button" class="outline secondary small" onClick=${onClose}>Close</button></span>
    </header>
    <dl class="facts">
      <dt>Message id</dt><dd><code>${item.messageId}</code></dd>
      <dt>User</dt><dd>${item.userId || '—'}</dd>
      <dt>Queued</dt><dd>${time(item.queuedAt)}</dd>
      <dt>Attempts</dt><dd>${item.attempts}</dd>
      <dt>Next attempt</dt><dd id="next-attempt">${item.nextAttemptAt ? time(item.nextAttemptAt) : 'none'}</dd>
      ${item.replayOf ? html`<dt>Replay of</dt><dd id="replay-of"><code>${item.replayOf}</code></dd>` : null}
      ${item.replayedAs ? html`<dt>Replayed as</dt><dd id="replayed-as"><code>${item.replayedAs}</code></dd>` : null}
    </dl>
    ${replay && (item.status === 'failed' || item.status === 'discarded')
      ? html`<button type="button" id="retry-item" onClick=${retry}>Retry</button>` : null}
    <details>
      <summary>Source event</summary>
      <${JsonBlock} label="Source event" value=${item.event} />
    </details>
    <h4>Attempts</h4>
    ${item.attemptLog.length === 0 ? html`<p>No attempt yet.</p>` : item.attemptLog.map((a, i) => html`<details
        key=${i} open=${i === item.attemptLog.length - 1} class="attempt" data-outcome=${a.outcome}>
      <summary>Attempt ${a.attempt} · <${Badge} status=${a.outcome} /> · ${a.response ? a.response.status : 'no answer'} · ${a.durationMs} ms · ${time(a.at)}</summary>
      <div class="grid">
        <div>
          <h5>Request</h5>
          <p><code>${a.request.method} ${a.request.url}</code></p>
          <${JsonBlock} label="Request headers" value=${a.request.headers} />
          <${JsonBlock} label="Request body" value=${pretty(a.request.body)} />
        </div>
        <div>
          <h5>Response</h5>
          ${a.response ? html`<p>Status <strong class="response-status">${a.response.status}</strong></p>
            <${JsonBlock} label="Response body" value=${pretty(a.response.body)} />` : null}
          ${a.error ? html`<p class="error-note">${a.error}</p>` : null}
        </div>
      </div>
    </details>`)}
  </article>`;
}

/** A body as recorded (text): indented when it is JSON. */
export function pretty(body) {
  if (typeof body !== 'string') return body;
  try {
    return JSON.stringify(JSON.parse(body), null, 2);
  } catch {
    return body;
  }
}
