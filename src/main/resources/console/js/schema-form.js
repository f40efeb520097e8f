import { html, useState } from './lib.js';
import { Field } from './ui.js';

// A settings form generated from a destination type's JSON Schema. Secrets ("writeOnly": true) are
// password fields; the API answers them masked, and a masked value sent back means "unchanged".

export function SchemaForm({ schema, values, onChange, errors = {} }) {
  const properties = schema.properties || {};
  const required = new Set(schema.required || []);
  const set = (name, value) => {
    const next = { ...values };
    if (value === undefined || value === '') delete next[name];
    else next[name] = value;
    onChange(next);
  };
  return html`<div class="schema-form">
    ${Object.entries(properties).map(([name, property]) =>
      html`<${Property} key=${name} name=${name} property=${property} required=${required.has(name)}
          value=${values[name]} error=${errors[name]} onChange=${(v) => set(name, v)} />`)}
  </div>`;
}

function Property({ name, property, required, value, error, onChange }) {
  const id = 'setting-' + name;
  const label = html`${title(name)}${required ? html`<span aria-hidden="true"> *</span>` : null}`;
  const invalid = error ? 'true' : undefined;
  const common = { id, name, 'aria-invalid': invalid, 'aria-describedby': error ? id + '-error' : undefined };
  const placeholder = property.default !== undefined ? 'default: ' + property.default : '';
  let input;
  if (property.enum) {
    input = html`<select ...${common} value=${value ?? ''} onChange=${(e) => onChange(e.target.value)}>
      <option value="">${placeholder || '—'}</option>
      ${property.enum.map((option) => html`<option value=${option}>${option}</option>`)}
    </select>`;
  } else if (property.type === 'integer' || property.type === 'number') {
    input = html`<input ...${common} type="number" min=${property.minimum} max=${property.maximum}
        placeholder=${placeholder} value=${value ?? ''}
        onInput=${(e) => onChange(e.target.value === '' ? undefined : Number(e.target.value))} />`;
  } else if (property.type === 'boolean') {
    return html`<label for=${id}>
      <input ...${common} type="checkbox" role="switch" checked=${!!value} onChange=${(e) => onChange(e.target.checked)} />
      ${label}
      ${error ? html`<small class="field-error" id=${id + '-error'} data-field-error=${id}>${error}</small>` : null}
    </label>`;
  } else if (property.type === 'object') {
    return html`<fieldset>
      <legend>${label}</legend>
      <${KeyValues} id=${id} secret=${!!property.writeOnly} value=${value || {}} onChange=${onChange} />
      ${error
        ? html`<small class="field-error" id=${id + '-error'} data-field-error=${id}>${error}</small>`
        : html`<small>${property.description}</small>`}
    </fieldset>`;
  } else {
    input = html`<input ...${common} type=${property.writeOnly ? 'password' : 'text'} autocomplete="off"
        placeholder=${placeholder} value=${value ?? ''} onInput=${(e) => onChange(e.target.value)} />`;
  }
  return html`<${Field} id=${id} label=${label} error=${error} help=${property.description}>${input}<//>`;
}

/** Name/value rows of an object setting such as headers; values are password fields when secret. */
function KeyValues({ id, secret, value, onChange }) {
  const [rows, setRows] = useState(() => Object.entries(value).map(([k, v]) => ({ k, v })));
  const update = (next) => {
    setRows(next);
    const object = {};
    next.filter((r) => r.k.trim() !== '').forEach((r) => (object[r.k.trim()] = r.v));
    onChange(Object.keys(object).length ? object : undefined);
  };
  return html`<div class="key-values">
    ${rows.map((row, i) => html`<div class="grid key-value" key=${i}>
      <input id=${id + '-name-' + i} aria-label="Name" placeholder="Name" value=${row.k}
          onInput=${(e) => update(rows.map((r, j) => (j === i ? { ...r, k: e.target.value } : r)))} />
      <input id=${id + '-value-' + i} aria-label="Value" placeholder="Value" autocomplete="off"
          type=${secret ? 'password' : 'text'} value=${row.v}
          onInput=${(e) => update(rows.map((r, j) => (j === i ? { ...r, v: e.target.value } : r)))} />
      <button type="button" class="outline secondary" aria-label=${'Remove ' + (row.k || 'row')}
          onClick=${() => update(rows.filter((_, j) => j !== i))}>Remove</button>
    </div>`)}
    <button type="button" class="outline small" onClick=${() => setRows([...rows, { k: '', v: '' }])}>Add</button>
  </div>`;
}

function title(name) {
  const words = name.replace(/([a-z])([A-Z])/g, '$1 $2').replace(/[-_]/g, ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/**
 * A JSON merge patch (RFC 7386) taking {@code before} to {@code after}: what the settings PATCH
 * takes. A removed key is null; nested objects are patched key by key.
 */
export function mergePatch(before, after) {
  const patch = {};
  Object.keys(before).forEach((k) => {
    if (!(k in after)) patch[k] = null;
  });
  Object.entries(after).forEach(([k, v]) => {
    const old = before[k];
    if (isObject(v) && isObject(old)) {
      const inner = mergePatch(old, v);
      if (Object.keys(inner).length) patch[k] = inner;
    } else if (JSON.stringify(v) !== JSON.stringify(old)) {
      patch[k] = v;
    }
  });
  return patch;
}

const isObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);
