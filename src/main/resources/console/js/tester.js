import { html, useState } from './lib.js';
import { api } from './api.js';
import { Badge, CALL_TYPES, ErrorNote, JsonBlock } from './ui.js';
import { pretty } from './journal.js';

// The API call tester: a sample event of the chosen call type, editable, sent through every
// matching action for real; shows the mapped request and the destination's answer.

export function Tester({ destinationId, samples }) {
  const [type, setType] = useState('track');
  const [text, setText] = useState(JSON.stringify(samples.track, null, 2));
  const [results, setResults] = useState(null);
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const choose = (t) => {
    setType(t);
    setText(JSON.stringify(samples[t], null, 2));
    setResults(null);
  };
  const send = async (e) => {
    e.preventDefault();
    setError(null);
    let event;
    try {
      event = JSON.parse(text);
    } catch (err) {
      setError(new Error('The event is not valid JSON: ' + err.message));
      return;
    }
    setBusy(true);
    try {
      setResults((await api('POST', '/destinations/' + encodeURIComponent(destinationId) + '/test', { event })).results);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return html`<section class="tester">
    <p>Send a call to this destination to see how it is mapped and what the destination answers. It is sent for real,
      shows in the journal as a test, and is never retried.</p>
    <form onSubmit=${send} aria-label="Test call">
      <label for="tester-type">Call type
        <select id="tester-type" value=${type} onChange=${(e) => choose(e.target.value)}>
          ${CALL_TYPES.map((t) => html`<option value=${t}>${t}</option>`)}
        </select></label>
      <label for="tester-event">Event (edit it as you like)
        <textarea id="tester-event" rows="14" spellcheck="false" aria-invalid=${error ? 'true' : undefined}
            value=${text} onInput=${(e) => setText(e.target.value)}></textarea></label>
      <${ErrorNote} error=${error} />
      <button type="submit" id="tester-send" aria-busy=${busy} disabled=${busy}>Send test event</button>
    </form>
    ${results === null ? null : results.length === 0
      ? html`<p id="tester-none">No enabled action's trigger matches this event: nothing was sent.</p>`
      : results.map((r, i) => html`<article class="tester-result" key=${i} data-outcome=${r.outcome}>
          <header class="row-between"><strong>${r.action}</strong>
            <span><${Badge} status=${r.outcome} /> ${r.durationMs} ms</span></header>
          <div class="grid">
            <div>
              <h5>Request</h5>
              <p><code class="request-line">${r.request.method} ${r.request.url}</code></p>
              <${JsonBlock} label="Request headers" value=${r.request.headers} />
              <${JsonBlock} label="Request body" value=${pretty(r.request.body)} />
            </div>
            <div>
              <h5>Response</h5>
              ${r.response ? html`<p>Status <strong class="response-status">${r.response.status}</strong></p>
                <${JsonBlock} label="Response body" value=${pretty(r.response.body)} />` : null}
              ${r.error ? html`<p class="error-note">${r.error}</p>` : null}
            </div>
          </div>
        </article>`)}
  </section>`;
}
