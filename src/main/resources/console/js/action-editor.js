import { html, useState, useEffect } from './lib.js';
import { api } from './api.js';
import { CALL_TYPES, JsonBlock, fieldErrors } from './ui.js';

// An action's trigger and mapping side by side, with a live preview on a sample event of the chosen
// type: the node evaluates both exactly as delivery would (/api/triggers/test, /api/mapping/preview).

const PREVIEW_DELAY_MS = 300; // typing pause before the preview asks the node again

export function ActionEditor({ action, samples, onSave, onCancel, saveLabel = 'Save action' }) {
  const [trigger, setTrigger] = useState(action.trigger);
  const [mappingText, setMappingText] = useState(JSON.stringify(action.mapping, null, 2));
  const [sampleType, setSampleType] = useState(typeIn(action.trigger));
  const [sampleText, setSampleText] = useState(JSON.stringify(samples[typeIn(action.trigger)], null, 2));
  const [preview, setPreview] = useState({});
  const [saveErrors, setSaveErrors] = useState({ fields: {}, general: '' });
  const [saving, setSaving] = useState(false);

  const mapping = parse(mappingText);
  const event = parse(sampleText);

  useEffect(() => {
    const timer = setTimeout(async () => {
      const next = {};
      if (event.error) {
        next.sampleError = event.error;
      } else {
        try {
          next.matches = (await api('POST', '/triggers/test', { trigger, event: event.value })).matches;
        } catch (e) {
          next.triggerError = e.message;
        }
        if (mapping.error) {
          next.mappingError = mapping.error;
        } else {
          try {
            next.result = (await api('POST', '/mapping/preview', { mapping: mapping.value, event: event.value })).result;
          } catch (e) {
            next.mappingError = e.message;
          }
        }
      }
      setPreview(next);
    }, PREVIEW_DELAY_MS);
    return () => clearTimeout(timer);
  }, [trigger, mappingText, sampleText]);

  const chooseSample = (type) => {
    setSampleType(type);
    setSampleText(JSON.stringify(samples[type], null, 2));
  };

  const save = async (e) => {
    e.preventDefault();
    if (mapping.error) return;
    setSaving(true);
    try {
      await onSave({ ...action, trigger, mapping: mapping.value });
    } catch (err) {
      setSaveErrors(fieldErrors(err.message));
    } finally {
      setSaving(false);
    }
  };

  const triggerError = saveErrors.fields.trigger || preview.triggerError;
  const mappingError = saveErrors.fields.mapping || preview.mappingError;
  return html`<form class="action-editor" onSubmit=${save} aria-label=${'Edit action ' + action.name}>
    <h3>Edit “${action.name}”</h3>
    <div class="editor-grid">
      <label for="action-trigger">Trigger
        <textarea id="action-trigger" rows="4" spellcheck="false" aria-invalid=${triggerError ? 'true' : undefined}
            value=${trigger} onInput=${(e) => setTrigger(e.target.value)}></textarea>
        ${triggerError ? html`<${PositionedError} id="action-trigger-error" text=${trigger} message=${triggerError} />`
          : html`<small>FQL, e.g. type = "track" and event = "Order Completed"</small>`}
      </label>
      <label for="action-mapping">Mapping
        <textarea id="action-mapping" rows="10" spellcheck="false" aria-invalid=${mappingError ? 'true' : undefined}
            value=${mappingText} onInput=${(e) => setMappingText(e.target.value)}></textarea>
        ${mappingError ? html`<small class="field-error" id="action-mapping-error">${mappingError}</small>`
          : html`<small>Mapping-kit JSON: @path, @template, @if, …</small>`}
      </label>
      <div>
        <label for="action-sample-type">Sample event
          <select id="action-sample-type" value=${sampleType} onChange=${(e) => chooseSample(e.target.value)}>
            ${CALL_TYPES.map((t) => html`<option value=${t}>${t}</option>`)}
          </select>
        </label>
        <textarea id="action-sample" rows="10" spellcheck="false" aria-label="Sample event (editable)"
            aria-invalid=${preview.sampleError ? 'true' : undefined}
            value=${sampleText} onInput=${(e) => setSampleText(e.target.value)}></textarea>
        ${preview.sampleError ? html`<small class="field-error">${preview.sampleError}</small>` : null}
      </div>
      <div class="preview" aria-live="polite">
        <h4>Preview</h4>
        <p id="trigger-matches">${preview.matches === undefined ? '—'
          : preview.matches ? 'The trigger matches this event.' : 'The trigger does not match this event: no request.'}</p>
        ${preview.result !== undefined ? html`<${JsonBlock} label="Mapped payload" value=${preview.result} />` : null}
      </div>
    </div>
    ${saveErrors.general ? html`<p class="error-note" role="alert">${saveErrors.general}</p>` : null}
    <div class="actions-row">
      <button type="submit" disabled=${saving || !!mapping.error} aria-busy=${saving}>${saveLabel}</button>
      <button type="button" class="secondary outline" onClick=${onCancel}>Cancel</button>
    </div>
  </form>`;
}

/** An error at a position of a one-line text (the API says "(at position N)"): a caret under it. */
function PositionedError({ id, text, message }) {
  const m = message.match(/at position (\d+)/);
  let marker = null;
  if (m) {
    const at = Math.min(Number(m[1]), text.length);
    const start = text.lastIndexOf('\n', at - 1) + 1;
    const end = text.indexOf('\n', at) < 0 ? text.length : text.indexOf('\n', at);
    // One string: htm drops whitespace with line breaks between template parts.
    marker = html`<pre class="caret" aria-hidden="true">${text.slice(start, end) + '\n' + ' '.repeat(at - start) + '^'}</pre>`;
  }
  return html`<small class="field-error" id=${id}>${message}${marker}</small>`;
}

function parse(text) {
  try {
    return { value: JSON.parse(text) };
  } catch (e) {
    return { error: 'invalid JSON: ' + e.message };
  }
}

/** The call type a trigger is about, for a sample that shows what it does. */
function typeIn(trigger) {
  const m = /type\s*=\s*"(\w+)"/.exec(trigger || '');
  return m && CALL_TYPES.includes(m[1]) ? m[1] : 'track';
}
