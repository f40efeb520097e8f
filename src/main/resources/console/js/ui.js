import { html, useState, useEffect, useRef, Fragment } from './lib.js';

/** A JSON value as indented text. */
export function JsonBlock({ value, label }) {
  const text = typeof value === 'string' ? value : JSON.stringify(value, null, 2);
  return html`<pre class="json" aria-label=${label}>${text}</pre>`;
}

/** The status of an action or a destination, as a coloured word. */
export function Badge({ status }) {
  return html`<span class=${'badge badge-' + status} data-status=${status}>${status}</span>`;
}

/** An error of the API (or of the page) in a line a person reads. */
export function ErrorNote({ error }) {
  if (!error) return null;
  return html`<p class="error-note" role="alert">${error.message || String(error)}</p>`;
}

/** Copies {@code text} to the clipboard; says so, or asks to copy by hand where the browser refuses. */
export function CopyButton({ text, label = 'Copy' }) {
  const [state, setState] = useState(label);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text);
      setState('Copied');
    } catch {
      // The clipboard API needs a secure origin; a node reached over plain http on a LAN is not one.
      setState(copyBySelection(text) ? 'Copied' : 'Select and copy');
    }
    setTimeout(() => setState(label), 1500);
  };
  return html`<button type="button" class="outline secondary small" onClick=${copy}>${state}</button>`;
}

function copyBySelection(text) {
  const area = document.createElement('textarea');
  area.value = text;
  area.setAttribute('readonly', '');
  area.className = 'offscreen';
  document.body.appendChild(area);
  area.select();
  try {
    return document.execCommand('copy');
  } catch {
    return false;
  } finally {
    area.remove();
  }
}

export function time(iso) {
  if (!iso) return '—';
  const d = new Date(iso);
  return d.toLocaleString(undefined, { dateStyle: 'short', timeStyle: 'medium' });
}

/**
 * The fields an API error names, so each message can stand beside its field. The API names them as
 * "name: required", "$.url: does not match …" (a settings schema error), "actions[0].trigger: …",
 * or "required property 'url' not found"; several are joined with "; ".
 */
export function fieldErrors(message) {
  const fields = {};
  const general = [];
  const text = String(message).replace(/^invalid settings for [\w.-]+: /, '');
  for (const part of text.split('; ')) {
    let m = part.match(/required property '([^']+)' not found/);
    if (m) {
      fields[m[1]] = 'required';
      continue;
    }
    m = part.match(/^(?:\$\.|\/)([A-Za-z0-9_-]+)\S*: (.*)$/) || part.match(/^(?:actions\[\d+\]\.)?([A-Za-z][\w-]*): (.*)$/);
    if (m) {
      fields[m[1]] = fields[m[1]] ? fields[m[1]] + '; ' + m[2] : m[2];
    } else {
      general.push(part);
    }
  }
  return { fields, general: general.join('; ') };
}

/** A labelled field with its error beside it (Pico shows aria-invalid fields and their note in red). */
export function Field({ label, error, help, id, children }) {
  return html`<label for=${id}>
    ${label}
    ${children}
    ${error
      ? html`<small class="field-error" id=${id + '-error'} data-field-error=${id}>${error}</small>`
      : help
        ? html`<small>${help}</small>`
        : null}
  </label>`;
}

export const CALL_TYPES = ['track', 'identify', 'page', 'screen', 'group', 'alias'];

/** A button that asks before it acts, in a modal dialog (Escape or Cancel keeps things as they are). */
export function ConfirmButton({ label, question, confirmLabel, onConfirm, className = 'secondary', id }) {
  const [open, setOpen] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const confirmRef = useRef(null);
  const dialogRef = useRef(null);
  useEffect(() => {
    // A real modal: the page behind is inert, Escape cancels, focus starts on the confirming button.
    if (open && dialogRef.current && !dialogRef.current.open) dialogRef.current.showModal();
    if (open && confirmRef.current) confirmRef.current.focus();
  }, [open]);
  const confirmIt = async () => {
    setBusy(true);
    try {
      await onConfirm();
      setOpen(false);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  return html`<${Fragment}>
    <button type="button" class=${className} id=${id} onClick=${() => setOpen(true)}>${label}</button>
    ${open ? html`<dialog ref=${dialogRef} onCancel=${() => setOpen(false)} aria-labelledby="confirm-question">
      <article>
        <p id="confirm-question">${question}</p>
        <${ErrorNote} error=${error} />
        <footer>
          <button type="button" class="secondary outline" onClick=${() => setOpen(false)}>Cancel</button>
          <button type="button" class="danger" ref=${confirmRef} aria-busy=${busy} onClick=${confirmIt}>${confirmLabel}</button>
        </footer>
      </article>
    </dialog>` : null}
  <//>`;
}
