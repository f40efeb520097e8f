import { html, useState, useEffect } from './lib.js';
import { api, paths } from './api.js';
import { ActionEditor } from './action-editor.js';
import { SchemaForm, mergePatch } from './schema-form.js';
import { ErrorNote, Field, fieldErrors } from './ui.js';

// Add a destination, as the product's setup flow: choose a type, configure it (Continue creates it,
// disabled, so the node validates the settings), choose its actions, connect sources, enable.

const STEPS = ['Choose a type', 'Configure', 'Actions', 'Sources', 'Enable'];

export function SetupFlow({ samples }) {
  const [step, setStep] = useState(0);
  const [catalog, setCatalog] = useState(null);
  const [type, setType] = useState(null);
  const [destination, setDestination] = useState(null);
  const [error, setError] = useState(null);
  useEffect(() => {
    api('GET', '/catalog').then(setCatalog, setError);
  }, []);

  return html`<section class="setup">
    <h2>Add a destination</h2>
    <ol class="steps">
      ${STEPS.map((name, i) => html`<li aria-current=${i === step ? 'step' : undefined} class=${i < step ? 'done' : ''}>${name}</li>`)}
    </ol>
    <${ErrorNote} error=${error} />
    ${step === 0 && html`<${ChooseType} catalog=${catalog} onChoose=${(t) => { setType(t); setStep(1); }} />`}
    ${step === 1 && html`<${Configure} type=${type} destination=${destination}
        onBack=${() => setStep(0)} onDone=${(d) => { setDestination(d); setStep(2); }} />`}
    ${step === 2 && html`<${ChooseActions} destination=${destination} samples=${samples}
        onBack=${() => setStep(1)} onDone=${(d) => { setDestination(d); setStep(3); }} />`}
    ${step === 3 && html`<${ConnectSources} destination=${destination}
        onBack=${() => setStep(2)} onDone=${(d) => { setDestination(d); setStep(4); }} />`}
    ${step === 4 && html`<${Enable} destination=${destination} onBack=${() => setStep(3)} />`}
  </section>`;
}

function ChooseType({ catalog, onChoose }) {
  if (catalog === null) return html`<p aria-busy="true">Loading the catalog…</p>`;
  return html`<div class="catalog">
    ${catalog.map((t) => html`<article key=${t.type}>
      <header><strong>${t.name}</strong> <small><code>${t.type}</code></small></header>
      <p>${t.defaultActions.length} default action(s): ${t.defaultActions.map((a) => a.name).join(', ')}</p>
      <button type="button" id=${'choose-' + t.type} onClick=${() => onChoose(t)}>Select ${t.name}</button>
    </article>`)}
  </div>`;
}

function Configure({ type, destination, onBack, onDone }) {
  const [name, setName] = useState(destination ? destination.name : '');
  const [settings, setSettings] = useState(destination ? destination.settings : {});
  const [errors, setErrors] = useState({ fields: {}, general: '' });
  const [busy, setBusy] = useState(false);
  const submit = async (e) => {
    e.preventDefault();
    setBusy(true);
    try {
      const saved = destination
        ? await api('PATCH', paths.destination(destination.id) + '/settings', mergePatch(destination.settings, settings))
        : await api('POST', '/destinations', { name, type: type.type, settings, enabled: false });
      onDone(saved);
    } catch (err) {
      setErrors(fieldErrors(err.message));
    } finally {
      setBusy(false);
    }
  };
  return html`<form onSubmit=${submit} aria-label="Configure the destination" novalidate>
    <h3>Configure ${type.name}</h3>
    <${Field} id="destination-name" label="Name" error=${errors.fields.name}>
      <input id="destination-name" value=${name} disabled=${!!destination} aria-invalid=${errors.fields.name ? 'true' : undefined}
          onInput=${(e) => setName(e.target.value)} />
    <//>
    <${SchemaForm} schema=${type.settings} values=${settings} onChange=${setSettings} errors=${errors.fields} />
    ${errors.general ? html`<p class="error-note" role="alert">${errors.general}</p>` : null}
    <div class="actions-row">
      <button type="button" class="secondary outline" onClick=${onBack} disabled=${!!destination}>Back</button>
      <button type="submit" id="configure-continue" aria-busy=${busy}>Continue</button>
    </div>
  </form>`;
}

/** The actions: the type's defaults, each on or off, each can be edited before the destination is enabled. */
export function ActionList({ destination, samples, onChanged, onToggle, onEditing = () => {} }) {
  const [editing, setEditingState] = useState(null);
  const setEditing = (id) => {
    setEditingState(id);
    onEditing(id !== null);
  };
  if (editing !== null) {
    const action = destination.actions.find((a) => a.id === editing);
    return html`<${ActionEditor} action=${action} samples=${samples} onCancel=${() => setEditing(null)}
        onSave=${async (a) => {
          const saved = await api('PATCH', paths.destination(destination.id) + '/actions/' + encodeURIComponent(a.id),
            { trigger: a.trigger, mapping: a.mapping });
          onChanged(saved);
          setEditing(null);
        }} />`;
  }
  return html`<div class="overflow-auto"><table class="action-list">
    <thead><tr><th>On</th><th>Action</th><th>Trigger</th><th></th></tr></thead>
    <tbody>${destination.actions.map((a, i) => html`<tr key=${a.id} data-action=${a.name}>
      <td><input type="checkbox" role="switch" id=${'action-enabled-' + i} aria-label=${'Enable ' + a.name}
          checked=${a.enabled} onChange=${(e) => onToggle(a, e.target.checked)} /></td>
      <td>${a.name} <small><code>${a.type}</code></small></td>
      <td><code class="trigger">${a.trigger}</code></td>
      <td><button type="button" class="outline small" id=${'action-edit-' + i} onClick=${() => setEditing(a.id)}>Edit</button></td>
    </tr>`)}</tbody>
  </table></div>`;
}

function ChooseActions({ destination, samples, onBack, onDone }) {
  const [current, setCurrent] = useState(destination);
  const [error, setError] = useState(null);
  const [editing, setEditing] = useState(false);
  const toggle = (action, enabled) =>
    setCurrent({ ...current, actions: current.actions.map((a) => (a.id === action.id ? { ...a, enabled } : a)) });
  const next = async () => {
    try {
      onDone(await api('PUT', paths.destination(current.id) + '/actions', current.actions));
    } catch (e) {
      setError(e);
    }
  };
  return html`<div>
    <h3>Choose the actions</h3>
    <p>The defaults are selected. Turn off what this destination should not get, or edit how an action maps events.</p>
    <${ActionList} destination=${current} samples=${samples} onToggle=${toggle} onEditing=${setEditing}
        onChanged=${(saved) => setCurrent({ ...saved, actions: saved.actions.map((a) => ({
          ...a, enabled: (current.actions.find((c) => c.id === a.id) || a).enabled })) })} />
    <${ErrorNote} error=${error} />
    ${editing ? null : html`<div class="actions-row">
      <button type="button" class="secondary outline" onClick=${onBack}>Back</button>
      <button type="button" id="actions-continue" onClick=${next}>Continue</button>
    </div>`}
  </div>`;
}

/** Connects the checked sources and disconnects the others; used by the setup flow and the Settings tab. */
export function SourcePicker({ destination, onSaved, saveLabel, onBack, skippable }) {
  const [sources, setSources] = useState(null);
  const [chosen, setChosen] = useState(new Set(destination.sources));
  const [error, setError] = useState(null);
  useEffect(() => {
    api('GET', '/sources').then(setSources, setError);
  }, []);
  const save = async () => {
    try {
      const base = paths.destination(destination.id) + '/sources/';
      for (const s of sources) {
        const was = destination.sources.includes(s.id);
        if (chosen.has(s.id) && !was) await api('PUT', base + encodeURIComponent(s.id));
        if (!chosen.has(s.id) && was) await api('DELETE', base + encodeURIComponent(s.id));
      }
      onSaved(await api('GET', paths.destination(destination.id)));
    } catch (e) {
      setError(e);
    }
  };
  const flip = (id, on) => {
    const next = new Set(chosen);
    on ? next.add(id) : next.delete(id);
    setChosen(next);
  };
  return html`<div>
    ${sources === null ? html`<p aria-busy="true">Loading sources…</p>`
      : sources.length === 0 ? html`<p>No sources yet: add them under Connections, and connect them later.</p>`
      : html`<fieldset>${sources.map((s) => html`<label key=${s.id}>
          <input type="checkbox" name="source" value=${s.id} data-source=${s.name} checked=${chosen.has(s.id)}
              onChange=${(e) => flip(s.id, e.target.checked)} />
          <span>${s.name} <small>${s.type}</small></span></label>`)}</fieldset>`}
    <${ErrorNote} error=${error} />
    <div class="actions-row">
      ${onBack ? html`<button type="button" class="secondary outline" onClick=${onBack}>Back</button>` : null}
      ${skippable ? html`<button type="button" class="secondary" onClick=${() => onSaved(destination)}>Skip for now</button>` : null}
      <button type="button" id="sources-save" onClick=${save} disabled=${sources === null}>${saveLabel}</button>
    </div>
  </div>`;
}

function ConnectSources({ destination, onBack, onDone }) {
  return html`<div>
    <h3>Connect sources (optional)</h3>
    <p>Events from the connected sources go to this destination. You can connect sources later.</p>
    <${SourcePicker} destination=${destination} onSaved=${onDone} saveLabel="Continue" onBack=${onBack} skippable />
  </div>`;
}

function Enable({ destination, onBack }) {
  const [error, setError] = useState(null);
  const enable = async () => {
    try {
      await api('POST', paths.destination(destination.id) + '/enable');
      window.location.hash = '#/destinations/' + destination.id + '/actions';
    } catch (e) {
      setError(e);
    }
  };
  const on = destination.actions.filter((a) => a.enabled);
  return html`<article>
    <h3>Enable “${destination.name}”</h3>
    <ul>
      <li>${on.length} action(s) on: ${on.map((a) => a.name).join(', ') || 'none'}</li>
      <li>${destination.sources.length} source(s) connected</li>
    </ul>
    <p>Once enabled, events from its sources are delivered. Watch them arrive in the Actions tab.</p>
    <${ErrorNote} error=${error} />
    <div class="actions-row">
      <button type="button" class="secondary outline" onClick=${onBack}>Back</button>
      <button type="button" id="enable-destination" onClick=${enable}>Enable destination</button>
    </div>
  </article>`;
}
