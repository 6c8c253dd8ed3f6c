// The job details page: the job's facts in groups (as the console lists them), its action buttons, and
// loss, learning rate and eval accuracy over step drawn with uPlot in the VS Code theme's colours, each
// chart with its last value beside it. It only renders what the extension sends (validated) and asks
// for nothing but the actions the extension said are possible.
import uPlot from 'uplot';
import uplotCss from 'uplot/dist/uPlot.min.css';
import {
  emptyMetricsText,
  isToPage,
  type FactGroup,
  type FromPage,
  type JobState,
  type MetricPoint,
} from './jobDetailsProtocol';

declare function acquireVsCodeApi(): {
  postMessage(msg: unknown): void;
  getState(): unknown;
  setState(s: unknown): void;
};

(() => {
  const vscode = acquireVsCodeApi();
  const send = (m: FromPage) => vscode.postMessage(m);
  const nonce = (document.currentScript as HTMLScriptElement | null)?.nonce ?? '';
  const style = document.createElement('style');
  style.nonce = nonce;
  style.textContent = uplotCss;
  document.head.appendChild(style);

  const $ = (id: string) => document.getElementById(id)!;
  const css = (name: string, fallback: string) =>
    getComputedStyle(document.body).getPropertyValue(name).trim() || fallback;

  let points: MetricPoint[] = [];
  const charts: { el: HTMLElement; plot?: uPlot; keys: (keyof MetricPoint)[]; title: string; colors: string[] }[] = [
    {
      el: $('chart-loss'),
      keys: ['loss', 'eval_loss'],
      title: 'Loss',
      colors: ['--vscode-charts-blue', '--vscode-charts-orange'],
    },
    { el: $('chart-lr'), keys: ['learning_rate'], title: 'Learning rate', colors: ['--vscode-charts-purple'] },
    { el: $('chart-acc'), keys: ['eval_accuracy'], title: 'Eval accuracy', colors: ['--vscode-charts-green'] },
  ];

  function data(keys: (keyof MetricPoint)[]): uPlot.AlignedData {
    // uPlot wants one ascending x array; several records may share a step (train and eval lines).
    const bySteps = new Map<number, Partial<MetricPoint>>();
    for (const p of points) {
      const row = bySteps.get(p.step) ?? {};
      for (const k of keys) if (p[k] !== null) row[k] = p[k] as number;
      bySteps.set(p.step, row);
    }
    const steps = [...bySteps.keys()].sort((a, b) => a - b);
    return [steps, ...keys.map((k) => steps.map((s) => (bySteps.get(s)![k] as number | undefined) ?? null))];
  }

  /**
   * A theme colour drawn as a 2px line must be opaque: some themes define charts colours with alpha (Dark
   * Modern's charts.orange is rgba(234, 92, 0, 0.33), a brown smear on the editor background).
   */
  const opaque = (c: string): string => {
    const rgba = /^rgba\(\s*([\d.]+)\s*,\s*([\d.]+)\s*,\s*([\d.]+)\s*,\s*[\d.]+\s*\)$/.exec(c);
    if (rgba) return `rgb(${rgba[1]}, ${rgba[2]}, ${rgba[3]})`;
    if (/^#[0-9a-f]{8}$/i.test(c)) return c.slice(0, 7);
    if (/^#[0-9a-f]{4}$/i.test(c)) return c.slice(0, 4);
    return c;
  };

  /** Tick and value text: uPlot's default rounds a 5e-5 learning rate to "0". */
  const fmt = (v: number | null | undefined): string => {
    if (v === null || v === undefined || !Number.isFinite(v)) return '--';
    const a = Math.abs(v);
    if (a !== 0 && (a < 1e-3 || a >= 1e6)) return Number(v.toPrecision(3)).toExponential().replace('e-', 'e−');
    return String(Number(v.toPrecision(4)));
  };
  const ticks = (_u: uPlot, splits: number[]) => splits.map(fmt);

  const sparse = (ys: (number | null)[] | undefined) => (ys ?? []).filter((v) => v !== null).length <= 12;

  /** "eval_accuracy 0.295" under the chart's title: the last value of each series, read without hovering. */
  function chartLast(c: (typeof charts)[number], d: uPlot.AlignedData): void {
    let el = c.el.querySelector<HTMLElement>('.chart-last');
    if (!el) {
      el = document.createElement('p');
      el.className = 'chart-last';
      c.el.prepend(el);
    }
    el.replaceChildren();
    c.keys.forEach((k, i) => {
      const ys = d[i + 1] as (number | null)[];
      const v = [...ys].reverse().find((y) => y !== null);
      if (v === undefined || v === null) return;
      const b = document.createElement('b');
      b.textContent = fmt(v);
      el.append(`${i ? ' · ' : ''}last ${k} `, b);
    });
  }

  function renderFacts(groups: FactGroup[]): void {
    const box = $('facts');
    box.replaceChildren();
    for (const g of groups) {
      const sec = document.createElement('section');
      const h = document.createElement('h2');
      h.textContent = g.title;
      const dl = document.createElement('dl');
      dl.setAttribute('aria-label', g.title);
      for (const r of g.rows) {
        const dt = document.createElement('dt');
        dt.textContent = r.label;
        const dd = document.createElement('dd');
        dd.textContent = r.value;
        if (r.code) dd.className = 'code';
        dl.append(dt, dd);
      }
      sec.append(h, dl);
      box.append(sec);
    }
  }

  function renderState(m: JobState): void {
    $('status').textContent = m.status;
    $('detail').textContent = m.detail;
    $('billing').textContent = m.billing ?? '';
    renderFacts(m.facts);
    $('deploy').hidden = !m.actions.deploy;
    $('stop').hidden = !m.actions.stop;
    $('copy-arn').hidden = !m.actions.arn;
  }

  function render(): void {
    const fg = css('--vscode-foreground', '#ccc');
    // Grid lines must be faint but visible on any theme: the foreground at low alpha, whatever its colour.
    const grid = css('--vscode-charts-lines', 'rgba(128,128,128,0.3)');
    // Hide empty charts first: the grid then sizes the remaining cells, whose widths the plots take.
    const shown = charts.map((c) => {
      const d = data(c.keys);
      const has = d.slice(1).some((s) => (s as (number | null)[]).some((v) => v !== null));
      c.el.hidden = !has;
      return { c, d, has };
    });
    for (const { c, d, has } of shown) {
      if (!has) continue;
      chartLast(c, d);
      const width = Math.max(280, c.el.clientWidth);
      if (c.plot) {
        c.plot.setData(d);
        c.plot.setSize({ width, height: 200 });
        continue;
      }
      c.plot = new uPlot(
        {
          title: c.title,
          width,
          height: 200,
          scales: { x: { time: false } },
          axes: [
            { label: 'step', stroke: fg, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid } },
            {
              stroke: fg,
              grid: { stroke: grid, width: 1 },
              ticks: { stroke: grid },
              size: 64,
              space: 24,
              values: ticks,
            },
          ],
          series: [
            { label: 'step' },
            ...c.keys.map((k, i) => ({
              label: k,
              stroke: opaque(css(c.colors[i]!, '#3794ff')),
              width: 2,
              spanGaps: true,
              // A series of a few points (one eval per epoch) is drawn as dots too: one point has no line.
              points: { show: (u: uPlot, si: number) => sparse(u.data[si] as (number | null)[]), size: 7 },
              value: (_u: uPlot, v: number | null) => fmt(v),
            })),
          ],
          legend: { live: true },
        },
        d,
        c.el,
      );
    }
    const last = points.at(-1);
    const table = $('last');
    table.replaceChildren();
    const lastOf: Partial<Record<keyof MetricPoint, number>> = {};
    for (const p of points) for (const [k, v] of Object.entries(p)) if (v !== null) lastOf[k as keyof MetricPoint] = v;
    for (const [k, v] of Object.entries(lastOf)) {
      const row = document.createElement('div');
      const a = document.createElement('dt');
      a.textContent = k;
      const b = document.createElement('dd');
      b.textContent = String(Number((v as number).toPrecision(5)));
      row.append(a, b);
      table.append(row);
    }
    $('empty').hidden = !!last;
    $('empty').textContent = emptyMetricsText($('status').textContent ?? '');
  }

  window.addEventListener('message', (ev: MessageEvent) => {
    const msg = ev.data;
    if (!isToPage(msg)) return;
    if (msg.type === 'init') {
      $('title').textContent = msg.job;
      points = msg.points;
    } else if (msg.type === 'append') points = points.concat(msg.points);
    if (msg.type === 'init' || msg.type === 'status') renderState(msg);
    render();
  });
  window.addEventListener('resize', () => render());
  $('show-logs').addEventListener('click', () => send({ type: 'showLogs' }));
  $('deploy').addEventListener('click', () => send({ type: 'deploy' }));
  $('stop').addEventListener('click', () => send({ type: 'stop' }));
  $('copy-arn').addEventListener('click', () => send({ type: 'copyArn' }));
  send({ type: 'ready' });
})();
