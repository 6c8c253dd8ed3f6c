// The job details page: loss, learning rate and eval accuracy over step, drawn with uPlot in the VS Code
// theme's colours. It only renders what the extension sends (validated) and asks for nothing else.
import uPlot from 'uplot';
import uplotCss from 'uplot/dist/uPlot.min.css';
import { isToPage, type FromPage, type MetricPoint } from './jobDetailsProtocol';

declare function acquireVsCodeApi(): { postMessage(msg: unknown): void; getState(): unknown; setState(s: unknown): void };

(() => {
  const vscode = acquireVsCodeApi();
  const send = (m: FromPage) => vscode.postMessage(m);
  const nonce = (document.currentScript as HTMLScriptElement | null)?.nonce ?? '';
  const style = document.createElement('style');
  style.nonce = nonce;
  style.textContent = uplotCss;
  document.head.appendChild(style);

  const $ = (id: string) => document.getElementById(id)!;
  const css = (name: string, fallback: string) => getComputedStyle(document.body).getPropertyValue(name).trim() || fallback;

  let points: MetricPoint[] = [];
  const charts: { el: HTMLElement; plot?: uPlot; keys: (keyof MetricPoint)[]; title: string; colors: string[] }[] = [
    { el: $('chart-loss'), keys: ['loss', 'eval_loss'], title: 'Loss', colors: ['--vscode-charts-blue', '--vscode-charts-orange'] },
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

  function render(): void {
    const fg = css('--vscode-foreground', '#ccc');
    const grid = css('--vscode-editorWidget-border', 'rgba(128,128,128,0.3)');
    const width = Math.max(300, document.body.clientWidth - 32);
    for (const c of charts) {
      const d = data(c.keys);
      const has = d.slice(1).some((s) => (s as (number | null)[]).some((v) => v !== null));
      c.el.hidden = !has;
      if (!has) continue;
      if (c.plot) {
        c.plot.setData(d);
        c.plot.setSize({ width, height: 220 });
        continue;
      }
      c.plot = new uPlot(
        {
          title: c.title,
          width,
          height: 220,
          scales: { x: { time: false } },
          axes: [
            { label: 'step', stroke: fg, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid } },
            { stroke: fg, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid }, size: 70 },
          ],
          series: [{ label: 'step' }, ...c.keys.map((k, i) => ({ label: k, stroke: css(c.colors[i]!, '#3794ff'), width: 2, spanGaps: true, points: { show: false } }))],
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
      const row = document.createElement('tr');
      const a = document.createElement('th');
      a.textContent = k;
      const b = document.createElement('td');
      b.textContent = String(Number((v as number).toPrecision(5)));
      row.append(a, b);
      table.append(row);
    }
    $('empty').hidden = !!last;
  }

  window.addEventListener('message', (ev: MessageEvent) => {
    const msg = ev.data;
    if (!isToPage(msg)) return;
    if (msg.type === 'init') {
      $('title').textContent = msg.job;
      points = msg.points;
    } else if (msg.type === 'append') points = points.concat(msg.points);
    if (msg.type === 'init' || msg.type === 'status') {
      $('status').textContent = msg.status;
      $('detail').textContent = msg.detail;
    }
    render();
  });
  window.addEventListener('resize', () => render());
  $('show-logs').addEventListener('click', () => send({ type: 'showLogs' }));
  send({ type: 'ready' });
})();
