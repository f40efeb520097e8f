import { html, useState, useEffect, useRef, uPlot } from './lib.js';
import { api, query } from './api.js';
import { ErrorNote } from './ui.js';

// The Overview: action volume, delivered, failed and retries over a chosen window as uPlot charts,
// with the totals and the latency of delivered requests.

const WINDOWS = [
  ['1h', 'Last hour', 3600e3],
  ['6h', 'Last 6 hours', 6 * 3600e3],
  ['24h', 'Last 24 hours', 24 * 3600e3],
  ['7d', 'Last 7 days', 7 * 24 * 3600e3],
];
const INTERVALS = ['', '1m', '5m', '15m', '1h', '1d'];

export function Overview({ destinationId, refreshMs }) {
  const [windowKey, setWindowKey] = useState('1h');
  const [interval, setInterval_] = useState('');
  const [data, setData] = useState(null);
  const [error, setError] = useState(null);
  useEffect(() => {
    const load = async () => {
      const span = WINDOWS.find((w) => w[0] === windowKey)[2];
      const to = new Date();
      const from = new Date(to.getTime() - span);
      try {
        setData(await api('GET', '/destinations/' + encodeURIComponent(destinationId) + '/overview'
          + query({ from: from.toISOString(), to: to.toISOString(), interval })));
        setError(null);
      } catch (e) {
        setError(e);
      }
    };
    load();
    const timer = setInterval(() => document.visibilityState === 'visible' && load(), refreshMs);
    return () => clearInterval(timer);
  }, [destinationId, windowKey, interval]);

  const sum = (key) => (data ? data.series.reduce((n, p) => n + p[key], 0) : 0);
  const xs = data ? data.series.map((p) => Date.parse(p.t) / 1000) : [];
  const col = (key) => (data ? data.series.map((p) => p[key]) : []);
  return html`<section class="overview">
    <form class="grid" aria-label="Overview window" onSubmit=${(e) => e.preventDefault()}>
      <label for="overview-window">Window
        <select id="overview-window" value=${windowKey} onChange=${(e) => setWindowKey(e.target.value)}>
          ${WINDOWS.map(([key, label]) => html`<option value=${key}>${label}</option>`)}
        </select></label>
      <label for="overview-interval">Interval
        <select id="overview-interval" value=${interval} onChange=${(e) => setInterval_(e.target.value)}>
          ${INTERVALS.map((i) => html`<option value=${i}>${i || 'automatic'}</option>`)}
        </select></label>
    </form>
    <${ErrorNote} error=${error} />
    ${data === null ? html`<p aria-busy="true">Loading…</p>` : html`
      <div class="totals" id="overview-totals">
        ${[['queued', 'Volume'], ['delivered', 'Delivered'], ['failed', 'Failed'], ['retrying', 'Retries'], ['discarded', 'Discarded']]
          .map(([key, label]) => html`<article class=${'total total-' + key} key=${key}>
            <small>${label}</small><strong data-total=${key}>${data.totals[key]}</strong></article>`)}
        <article class="total total-latency"><small>Latency p50 / p95 / p99</small>
          <strong id="overview-latency">${['p50', 'p95', 'p99'].map((p) => (data.latencyMs[p] ?? '—')).join(' / ')} ms</strong></article>
      </div>
      <div class="charts">
        <article>
          <h4>Volume <small>(actions queued per ${data.interval || 'interval'}: <span data-sum="queued">${sum('queued')}</span>)</small></h4>
          <${Chart} id="chart-volume" xs=${xs} series=${[{ label: 'Queued', values: col('queued'), stroke: '#1e88e5', fill: 'rgba(30,136,229,0.25)', bars: true }]} />
        </article>
        <article>
          <h4>Outcomes <small>(delivered <span data-sum="delivered">${sum('delivered')}</span> ·
            failed <span data-sum="failed">${sum('failed')}</span> · retries <span data-sum="retried">${sum('retried')}</span>)</small></h4>
          <${Chart} id="chart-outcomes" xs=${xs} series=${[
            { label: 'Delivered', values: col('delivered'), stroke: '#2e7d32' },
            { label: 'Failed', values: col('failed'), stroke: '#c62828' },
            { label: 'Retries', values: col('retried'), stroke: '#ef6c00' },
          ]} />
        </article>
        <article>
          <h4>Latency <small>(delivered requests over the window, ms)</small></h4>
          <${Chart} id="chart-latency" xs=${[0, 1, 2]} labels=${['p50', 'p95', 'p99']}
              series=${[{ label: 'Latency (ms)', values: ['p50', 'p95', 'p99'].map((p) => data.latencyMs[p]),
                stroke: '#6a1b9a', fill: 'rgba(106,27,154,0.25)', bars: true }]} />
        </article>
      </div>
      <p><small>Test calls from the API call tester are not counted. Latency is of delivered requests over the whole window.</small></p>`}
  </section>`;
}

/** A uPlot chart (over time, or of named bars) that follows its container's width and takes new data in place. */
function Chart({ id, xs, series, labels }) {
  const box = useRef(null);
  const chart = useRef(null);
  const data = [xs, ...series.map((s) => s.values)];
  useEffect(() => {
    const options = {
      width: Math.max(box.current.clientWidth, 200),
      height: 220,
      // With labels, x is a category (0, 1, 2, …) and the bars are named; else it is time.
      scales: {
        x: labels ? { time: false, range: [-0.5, labels.length - 0.5] } : { time: true },
        // Counts and latencies start at zero, so bar heights compare honestly.
        y: { range: (u, min, max) => [0, max > 0 ? max * 1.1 : 1] },
      },
      axes: [
        labels ? { splits: () => labels.map((_, i) => i), values: (u, splits) => splits.map((i) => labels[i]) } : {},
        { size: 50 },
      ],
      series: [{}, ...series.map((s) => ({
        label: s.label,
        stroke: s.stroke,
        fill: s.fill,
        width: 2,
        paths: s.bars ? uPlot.paths.bars({ size: [0.8, 40] }) : undefined,
        points: { show: false },
      }))],
    };
    chart.current = new uPlot(options, data, box.current);
    const resize = new ResizeObserver(() => chart.current.setSize({ width: Math.max(box.current.clientWidth, 200), height: 220 }));
    resize.observe(box.current);
    return () => {
      resize.disconnect();
      chart.current.destroy();
    };
  }, []);
  useEffect(() => {
    if (chart.current) chart.current.setData(data);
  }, [JSON.stringify(data)]);
  return html`<div class="chart" id=${id} ref=${box} role="img" aria-label=${series.map((s) => s.label).join(', ') + (labels ? '' : ' over time')}></div>`;
}
