import { html, useState, useEffect } from './lib.js';
import { api, paths } from './api.js';
import { ActionList, SourcePicker } from './setup.js';
import { Journal } from './journal.js';
import { Overview } from './overview.js';
import { Tester } from './tester.js';
import { SchemaForm, mergePatch } from './schema-form.js';
import { Badge, ConfirmButton, ErrorNote, fieldErrors } from './ui.js';

// One destination, in the product's tabs: Actions (its actions and the journal of what they did),
// Overview, API call tester and Settings.

const TABS = [
  ['actions', 'Actions'],
  ['overview', 'Overview'],
  ['tester', 'API call tester'],
  ['settings', 'Settings'],
];

export function DestinationPage({ id, tab, boot }) {
  const [destination, setDestination] = useState(null);
  const [catalog, setCatalog] = useState(null);
  const [error, setError] = useState(null);
  useEffect(() => {
    setDestination(null);
    Promise.all([api('GET', paths.destination(id)), api('GET', '/catalog')]).then(([d, c]) => {
      setDestination(d);
      setCatalog(c);
    }, setError);
  }, [id]);
  if (error) return html`<${ErrorNote} error=${error} />`;
  if (!destination) return html`<p aria-busy="true">Loading…</p>`;
  const type = catalog.find((t) => t.type === destination.type);
  return html`<section class="destination">
    <header class="row-between">
      <h2>${destination.name} <small><code>${destination.type}</code></small></h2>
      <${Badge} status=${destination.enabled ? 'enabled' : 'disabled'} />
    </header>
    <nav class="tabs" aria-label="Destination tabs">
      <ul>${TABS.map(([key, label]) => html`<li key=${key}>
        <a href=${'#/destinations/' + id + '/' + key} id=${'tab-' + key} aria-current=${key === tab ? 'page' : undefined}>${label}</a>
      </li>`)}</ul>
    </nav>
    ${tab === 'actions' && html`<${ActionsTab} destination=${destination} onChanged=${setDestination} boot=${boot} />`}
    ${tab === 'overview' && html`<${Overview} destinationId=${id} refreshMs=${boot.refreshIntervalMs} />`}
    ${tab === 'tester' && html`<${Tester} destinationId=${id} samples=${boot.sampleEvents} />`}
    ${tab === 'settings' && html`<${SettingsTab} destination=${destination} type=${type} onChanged=${setDestination} />`}
  </section>`;
}

function ActionsTab({ destination, onChanged, boot }) {
  const [error, setError] = useState(null);
  const toggle = async (action, enabled) => {
    try {
      onChanged(await api('PATCH', paths.destination(destination.id) + '/actions/' + encodeURIComponent(action.id), { enabled }));
    } catch (e) {
      setError(e);
    }
  };
  return html`<div>
    <details open=${destination.actions.length > 0 && !destination.enabled}>
      <summary>Actions: how events map to ${destination.name} (${destination.actions.filter((a) => a.enabled).length} on)</summary>
      <${ActionList} destination=${destination} samples=${boot.sampleEvents} onToggle=${toggle} onChanged=${onChanged} />
      <${ErrorNote} error=${error} />
    </details>
    <${Journal} destinationId=${destination.id} refreshMs=${boot.refreshIntervalMs} pageSize=${boot.journalPageSize} />
  </div>`;
}

function SettingsTab({ destination, type, onChanged }) {
  const [settings, setSettings] = useState(destination.settings);
  const [errors, setErrors] = useState({ fields: {}, general: '' });
  const [saved, setSaved] = useState(false);
  const [error, setError] = useState(null);
  const base = paths.destination(destination.id);
  const save = async (e) => {
    e.preventDefault();
    setSaved(false);
    try {
      const next = await api('PATCH', base + '/settings', mergePatch(destination.settings, settings));
      setErrors({ fields: {}, general: '' });
      setSettings(next.settings);
      onChanged(next);
      setSaved(true);
    } catch (err) {
      setErrors(fieldErrors(err.message));
    }
  };
  const setEnabled = async (enabled) => {
    try {
      onChanged(await api('POST', base + (enabled ? '/enable' : '/disable')));
    } catch (e) {
      setError(e);
    }
  };
  return html`<div class="settings">
    <form onSubmit=${save} aria-label="Settings" novalidate>
      <h3>Settings</h3>
      <p>A change applies on the next attempt, retries of actions that already failed included.</p>
      <${SchemaForm} schema=${type.settings} values=${settings} onChange=${(s) => { setSaved(false); setSettings(s); }} errors=${errors.fields} />
      ${errors.general ? html`<p class="error-note" role="alert">${errors.general}</p>` : null}
      <button type="submit" id="settings-save">Save settings</button>
      ${saved ? html`<span class="saved" role="status" id="settings-saved">Saved</span>` : null}
    </form>
    <article>
      <h3>Status</h3>
      <label for="destination-enabled">
        <input type="checkbox" role="switch" id="destination-enabled" checked=${destination.enabled}
            onChange=${(e) => setEnabled(e.target.checked)} />
        ${destination.enabled ? 'Enabled: events are delivered' : 'Disabled: events wait until it is enabled'}
      </label>
      <${ErrorNote} error=${error} />
    </article>
    <article>
      <h3>Connected sources</h3>
      <${SourcePicker} destination=${destination} onSaved=${onChanged} saveLabel="Save connections" />
    </article>
    <article class="danger-zone">
      <h3>Delete</h3>
      <p>Deleting it discards its pending actions.</p>
      <${ConfirmButton} id="delete-destination" label="Delete destination" className="danger" confirmLabel="Delete"
          question=${'Delete “' + destination.name + '”? This cannot be undone.'}
          onConfirm=${async () => {
            await api('DELETE', base);
            window.location.hash = '#/connections';
          }} />
    </article>
  </div>`;
}
