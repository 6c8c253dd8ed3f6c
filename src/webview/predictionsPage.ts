// The predictions page: a text box and Predict, ranked labels with score bars, latency, history,
// example inputs and an evaluation (accuracy, macro-F1, confusion matrix, per-class precision / recall /
// F1, latency percentiles). It renders with
// textContent only (endpoint answers may contain markup) and keeps its UI state with setState.
import { formatLatencySplit, splitLatencies } from '../core/endpoints/coldStart';
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-textarea/index.js';
import '@vscode-elements/elements/dist/vscode-textfield/index.js';
import '@vscode-elements/elements/dist/vscode-progress-ring/index.js';
import { predictionsCss } from './predictionsStyles';
import type {
  EvaluationSummary,
  Example,
  HistoryEntry,
  HostMessage,
  LabelScore,
  PageMessage,
  PageState,
} from './predictionsProtocol';

interface VsCodeApi {
  postMessage(message: PageMessage): void;
  getState(): PageState | undefined;
  setState(state: PageState): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

(() => {
  const vscode = acquireVsCodeApi();
  const sheet = new CSSStyleSheet();
  sheet.replaceSync(predictionsCss);
  document.adoptedStyleSheets = [...document.adoptedStyleSheets, sheet];

  let state: PageState = vscode.getState() ?? { text: '', sampleSize: 200, concurrency: 4 };
  const save = (patch: Partial<PageState>) => {
    state = { ...state, ...patch };
    vscode.setState(state);
  };
  let history: HistoryEntry[] = [];
  let nextRequest = 1;
  let pending: number | undefined;

  const el = <K extends keyof HTMLElementTagNameMap>(
    tag: K,
    props: Partial<HTMLElementTagNameMap[K]> & { className?: string } = {},
    ...kids: (Node | string)[]
  ) => {
    const e = document.createElement(tag);
    Object.assign(e, props);
    for (const k of kids) e.append(k);
    return e;
  };
  const custom = (tag: string, attrs: Record<string, string | boolean> = {}, text?: string) => {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs)) if (v !== false) e.setAttribute(k, v === true ? '' : v);
    if (text) e.textContent = text;
    return e as HTMLElement & { value: string; disabled: boolean };
  };

  const app = document.getElementById('app')!;
  const title = el('h1');
  // Shown once the endpoint is gone (the host's 'ended'): predictions stop, the history stays readable.
  const endedBanner = el('div', { className: 'ended-banner' });
  endedBanner.id = 'ended';
  endedBanner.setAttribute('role', 'alert');
  endedBanner.hidden = true;
  let ended = false;
  const input = custom('vscode-textarea', {
    rows: '4',
    resize: 'vertical',
    placeholder: 'Type a sentence, e.g. Winter is coming and it will be dark soon.',
    'aria-label': 'Text to classify',
  });
  input.value = state.text;
  // Each control's aria-label says what it does, not only its caption (screen readers read it out).
  const predictBtn = custom('vscode-button', { 'aria-label': 'Predict: send the text to the endpoint' }, 'Predict');
  predictBtn.id = 'predict';
  const busy = custom('vscode-progress-ring');
  busy.hidden = true;
  const latency = el('span', { className: 'subtle' });
  latency.id = 'latency';
  // Serverless cold starts, apart from the warm latency (only shown once there was one).
  const latencySplit = el('span', { className: 'subtle' });
  latencySplit.id = 'latency-split';
  const results = el('div', { className: 'results' });
  results.setAttribute('role', 'region');
  results.setAttribute('aria-live', 'polite');
  results.setAttribute('aria-label', 'Prediction');
  const examplesBox = el('div', { className: 'examples' });
  const historyList = el('ul', { className: 'history' });
  const clearBtn = custom(
    'vscode-button',
    { secondary: true, 'aria-label': 'Clear the prediction history of this endpoint' },
    'Clear history',
  );
  const sampleField = custom('vscode-textfield', {
    type: 'number',
    min: '1',
    max: '5000',
    'aria-label': 'Sample size: how many labelled test examples Evaluate sends',
    class: 'num',
  });
  sampleField.value = String(state.sampleSize);
  const concField = custom('vscode-textfield', {
    type: 'number',
    min: '1',
    max: '16',
    'aria-label': 'Concurrency: how many requests Evaluate keeps in flight',
    class: 'num',
  });
  concField.value = String(state.concurrency);
  const evalBtn = custom(
    'vscode-button',
    { 'aria-label': 'Evaluate: score the endpoint on a sample of labelled test examples' },
    'Evaluate',
  );
  evalBtn.id = 'evaluate';
  const cancelBtn = custom('vscode-button', { secondary: true, 'aria-label': 'Cancel the evaluation' }, 'Cancel');
  cancelBtn.hidden = true;
  const evalStatus = el('span', { className: 'subtle' });
  // Progress and refusals ("Sample size: a whole number…") are read out as they change.
  evalStatus.setAttribute('role', 'status');
  const evalResult = el('div', { className: 'results' });
  const evalSection = el(
    'section',
    {},
    el('h2', {}, 'Evaluate'),
    el(
      'div',
      { className: 'row' },
      el('label', {}, 'Sample size '),
      sampleField,
      el('label', {}, 'Concurrency '),
      concField,
      evalBtn,
      cancelBtn,
      evalStatus,
    ),
    evalResult,
  );

  app.append(
    title,
    endedBanner,
    el('div', {}, input),
    el('div', { className: 'row' }, predictBtn, busy, latency, latencySplit),
    results,
    el('h2', {}, 'Examples'),
    examplesBox,
    evalSection,
    el('div', { className: 'row' }, el('h2', {}, 'History'), clearBtn),
    historyList,
  );

  const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
  const ms = (x: number) => `${Math.round(x)} ms`;

  function renderPrediction(entry: { predictions: LabelScore[]; latencyMs: number; coldStart?: boolean }): void {
    results.replaceChildren(
      ...entry.predictions.map((p, i) => {
        const fill = el('div');
        fill.style.width = `${Math.max(0, Math.min(1, p.score)) * 100}%`;
        const row = el(
          'div',
          { className: `bar-row${i === 0 ? ' top' : ''}` },
          el('span', { className: 'label', title: p.label }, p.label),
          el('div', { className: 'bar' }, fill),
          el('span', { className: 'score' }, pct(p.score)),
        );
        row.dataset.label = p.label;
        return row;
      }),
    );
    latency.textContent = `latency ${ms(entry.latencyMs)}${entry.coldStart ? ' (cold start)' : ''}`;
  }

  function renderError(message: string): void {
    results.replaceChildren(el('div', { className: 'error' }, message));
    latency.textContent = '';
  }

  function renderHistory(): void {
    historyList.replaceChildren(
      ...history.map((h) => {
        // A button, not an <a> without href: Tab reaches it, Enter and Space press it.
        const a = el(
          'button',
          { className: 'link', type: 'button', title: h.input },
          h.input.length > 80 ? `${h.input.slice(0, 80)}…` : h.input,
        );
        a.setAttribute('aria-label', `Show this prediction again: ${h.input}`);
        a.addEventListener('click', () => {
          input.value = h.input;
          save({ text: h.input });
          renderPrediction(h);
        });
        const top = h.predictions[0];
        return el(
          'li',
          {},
          a,
          el(
            'span',
            { className: 'subtle' },
            ` → ${top ? `${top.label} ${pct(top.score)}` : '—'} · ${ms(h.latencyMs)}${h.coldStart ? ' (cold start)' : ''}`,
          ),
        );
      }),
    );
    const split = formatLatencySplit(splitLatencies(history));
    latencySplit.textContent = split ?? '';
    clearBtn.hidden = history.length === 0;
    if (history.length === 0) historyList.replaceChildren(el('li', { className: 'subtle' }, 'No predictions yet.'));
  }

  function renderExamples(examples: Example[]): void {
    if (examples.length === 0) {
      examplesBox.replaceChildren(
        el(
          'span',
          { className: 'subtle' },
          'No test split known for this endpoint (prepare the dataset from a spec with local files to get examples here).',
        ),
      );
      return;
    }
    examplesBox.replaceChildren(
      el(
        'ul',
        {},
        ...examples.slice(0, 8).map((ex) => {
          const a = el('button', { className: 'link', type: 'button', title: 'Use this example' }, ex.text);
          a.setAttribute('aria-label', `Predict this example: ${ex.text}`);
          a.disabled = ended;
          a.addEventListener('click', () => {
            input.value = ex.text;
            save({ text: ex.text });
            predict();
          });
          return el('li', {}, a, ...(ex.label ? [el('span', { className: 'subtle' }, ` (${ex.label})`)] : []));
        }),
      ),
    );
  }

  function renderEvaluation(r: EvaluationSummary): void {
    const table = el('table', { className: 'confusion' });
    table.setAttribute('aria-label', 'Confusion matrix: rows are true labels, columns predicted labels');
    table.append(el('tr', {}, el('th', {}, 'true \\ predicted'), ...r.labels.map((l) => el('th', {}, l))));
    r.confusion.forEach((row, i) =>
      table.append(
        el(
          'tr',
          {},
          el('th', {}, r.labels[i] ?? ''),
          ...row.map((n, j) => el('td', { className: i === j ? 'diag' : '' }, String(n))),
        ),
      ),
    );
    // A state saved by an older page has no per-class scores: show what it has.
    const perClass = r.perClass ?? [];
    const scores = el('table', { className: 'confusion per-class' });
    scores.setAttribute('aria-label', 'Per-class precision, recall and F1');
    scores.append(
      el('tr', {}, ...['class', 'precision', 'recall', 'F1', 'support'].map((h) => el('th', {}, h))),
      ...perClass.map((c) =>
        el(
          'tr',
          {},
          el('th', {}, c.label),
          ...[c.precision, c.recall, c.f1].map((x) => el('td', {}, x.toFixed(3))),
          el('td', {}, String(c.support)),
        ),
      ),
    );
    evalResult.replaceChildren(
      el(
        'div',
        { className: 'row' },
        el('strong', { id: 'accuracy' }, `Accuracy ${pct(r.accuracy)}`),
        ...(r.macroF1 === undefined ? [] : [el('strong', { id: 'macro-f1' }, `Macro-F1 ${r.macroF1.toFixed(3)}`)]),
        el(
          'span',
          { className: 'subtle' },
          `on ${r.evaluated} of ${r.total} examples${r.errors ? `, ${r.errors} failed` : ''}`,
        ),
      ),
      el(
        'div',
        { className: 'row subtle' },
        `Latency p50 ${ms(r.latencyMs.p50)} · p90 ${ms(r.latencyMs.p90)} · p99 ${ms(r.latencyMs.p99)} · mean ${ms(r.latencyMs.mean)}`,
      ),
      ...(r.firstError ? [el('div', { className: 'error' }, `First error: ${r.firstError}`)] : []),
      table,
      ...(perClass.length ? [scores] : []),
    );
  }

  function setBusy(on: boolean): void {
    busy.hidden = !on;
    predictBtn.disabled = on || ended;
  }

  function markEnded(message: string): void {
    ended = true;
    endedBanner.textContent = message;
    endedBanner.hidden = false;
    setBusy(false);
    evalBtn.disabled = true;
    cancelBtn.hidden = true;
    examplesBox.querySelectorAll('button').forEach((b) => (b.disabled = true));
  }

  function predict(): void {
    if (ended) return;
    const text = input.value;
    if (!text.trim()) {
      renderError('Type some text first.');
      return;
    }
    pending = nextRequest++;
    setBusy(true);
    vscode.postMessage({ type: 'predict', requestId: pending, text });
  }

  predictBtn.addEventListener('click', predict);
  input.addEventListener('input', () => save({ text: input.value }));
  input.addEventListener('keydown', (e: KeyboardEvent) => {
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      predict();
    }
  });
  clearBtn.addEventListener('click', () => vscode.postMessage({ type: 'clearHistory' }));
  evalBtn.addEventListener('click', () => {
    const sampleSize = Number(sampleField.value),
      concurrency = Number(concField.value);
    if (!Number.isInteger(sampleSize) || sampleSize < 1 || sampleSize > 5000) {
      evalStatus.textContent = 'Sample size: a whole number from 1 to 5000.';
      return;
    }
    if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 16) {
      evalStatus.textContent = 'Concurrency: a whole number from 1 to 16.';
      return;
    }
    save({ sampleSize, concurrency });
    evalBtn.disabled = true;
    cancelBtn.hidden = false;
    evalStatus.textContent = 'Starting…';
    vscode.postMessage({ type: 'evaluate', sampleSize, concurrency });
  });
  cancelBtn.addEventListener('click', () => vscode.postMessage({ type: 'cancelEvaluation' }));

  const endEvaluation = (status: string) => {
    evalBtn.disabled = ended;
    cancelBtn.hidden = true;
    evalStatus.textContent = status;
  };

  window.addEventListener('message', (event: MessageEvent<HostMessage>) => {
    const m = event.data;
    switch (m?.type) {
      case 'init':
        title.textContent = m.title;
        // Kept so VS Code can hand it back to the host's serializer after a window reload.
        save({ restore: m.restore });
        history = m.history;
        renderHistory();
        renderExamples(m.examples);
        evalSection.hidden = !m.canEvaluate;
        if (m.evaluationSize && Number(sampleField.value) > m.evaluationSize)
          sampleField.value = String(m.evaluationSize);
        if (state.evaluation) renderEvaluation(state.evaluation);
        if (history[0] && !results.childElementCount) renderPrediction(history[0]);
        break;
      case 'prediction':
        if (m.requestId !== pending) break;
        setBusy(false);
        renderPrediction(m.entry);
        break;
      case 'predictionError':
        if (m.requestId !== pending) break;
        setBusy(false);
        renderError(m.message);
        break;
      case 'history':
        history = m.history;
        renderHistory();
        break;
      case 'evaluationProgress':
        evalStatus.textContent = `${m.done} / ${m.total}`;
        break;
      case 'evaluationResult':
        save({ evaluation: m.result });
        renderEvaluation(m.result);
        endEvaluation('');
        break;
      case 'evaluationError':
        endEvaluation('');
        evalResult.replaceChildren(el('div', { className: 'error' }, m.message));
        break;
      case 'ended':
        markEnded(m.message);
        break;
    }
  });
  renderHistory();
  vscode.postMessage({ type: 'ready' });
})();
