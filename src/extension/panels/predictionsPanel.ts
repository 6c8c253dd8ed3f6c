// The predictions webview, for SageMaker and local endpoints alike: one panel and one history per
// endpoint, single predictions and Evaluate over labelled examples. The page is untrusted: the shared
// shell's CSP (webviewHtml), scripts only from dist/webview, every message checked by parsePageMessage.
import * as vscode from 'vscode';
import { errorLine, isCancelled } from '../../core/errors';
import type { Predictor } from '../../workflow/endpoints/predictor';
import { isColdStart } from '../../core/endpoints/coldStart';
import { endpointGoneReason } from '../../core/endpoints/endpointGone';
import { evaluate } from '../../workflow/endpoints/evaluate';
import {
  HISTORY_LIMIT,
  parsePageMessage,
  type Example,
  type HistoryEntry,
  type HostMessage,
  type LabelScore,
  type PanelTarget,
} from '../../webview/predictionsProtocol';
import type { Services } from '../services';
import { redactedMessage } from '../redacting';
import { escapeHtml, webviewHtml } from './webviewHtml';

export interface PredictionsPanelOptions {
  title: string;
  predictor: Predictor;
  /** The model's class names, to show LABEL_n answers by name. */
  labelNames?: string[];
  examples?: Example[];
  /** Identifies the endpoint: one panel and one history per key. */
  stateKey: string;
  /** Kept in the page's state so the panel reopens after a window reload (see the panel serializer). */
  target?: PanelTarget;
  /** A panel VS Code restored after a reload, to reuse instead of creating one. */
  panel?: vscode.WebviewPanel;
  /** Mark the first request after idle as a cold start (serverless endpoints). */
  coldStarts?: boolean;
}

export const PREDICTIONS_VIEW_TYPE = 'sagemakerHf.predictions';

/** A restored panel whose endpoint cannot be used any more: says so, and what to do, instead of the page. */
export function showPanelMessage(panel: vscode.WebviewPanel, title: string, message: string): void {
  panel.title = title;
  panel.webview.options = { enableScripts: false };
  panel.webview.html = webviewHtml({
    title,
    style:
      'body { font-family: var(--vscode-font-family); color: var(--vscode-foreground); padding: 16px; } p { max-width: 60em; }',
    body: `<h2>${escapeHtml(title)}</h2><p role="alert" class="restore-message">${escapeHtml(message)}</p>`,
  });
}

/** The open panels by state key; `end` marks one's endpoint gone, `ended` holds why once it is. */
const panels = new Map<string, { panel: vscode.WebviewPanel; end(reason: string): void; ended?: string }>();

/** The state key of a SageMaker endpoint's panel: one panel and one history per account, region and name. */
export function sageMakerPanelKey(account: string, region: string, endpointName: string): string {
  return `sagemaker:${account}:${region}:${endpointName}`;
}

/**
 * Marks the open predictions page of `stateKey` ended because its endpoint is gone: a banner saying
 * `reason`, Predict and Evaluate disabled there, and the host refuses both. False when no page is open.
 */
export function endPredictions(stateKey: string, reason: string): boolean {
  const open = panels.get(stateKey);
  if (!open || open.ended !== undefined) return false;
  open.end(reason);
  return true;
}
/** When each endpoint's last request ended (per state key), for cold-start marking across panel reopenings. */
const lastCallEnded = new Map<string, number>();
const historyKey = (stateKey: string) => `sagemakerHf.predictionHistory.${stateKey}`;

/** LABEL_3 → "anger" when the model's names are known. */
function nameLabels(predictions: LabelScore[], names: string[] | undefined): LabelScore[] {
  if (!names?.length) return predictions;
  return predictions.map((p) => {
    const m = /^LABEL_(\d+)$/.exec(p.label);
    return m && names[Number(m[1])] !== undefined ? { label: names[Number(m[1])]!, score: p.score } : p;
  });
}

function predictionsHtml(webview: vscode.Webview, extensionUri: vscode.Uri, title: string): string {
  const script = webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'dist', 'webview', 'predictionsPage.js'));
  return webviewHtml({
    title,
    cspSource: webview.cspSource,
    script: script.toString(),
    body: '<main id="app"></main>',
  });
}

/** Opens (or reveals) the predictions page for an endpoint. */
export function openPredictionsPanel(services: Services, opts: PredictionsPanelOptions): vscode.WebviewPanel {
  const existing = panels.get(opts.stateKey);
  // An ended page (its endpoint deleted) gives way to a fresh one: the name may be deployed again.
  if (existing?.ended !== undefined) existing.panel.dispose();
  else if (existing) {
    opts.panel?.dispose();
    existing.panel.reveal();
    return existing.panel;
  }
  const { context, log } = services;
  const webviewOptions = {
    enableScripts: true,
    localResourceRoots: [
      vscode.Uri.joinPath(context.extensionUri, 'dist', 'webview'),
      vscode.Uri.joinPath(context.extensionUri, 'media'),
    ],
  };
  let panel: vscode.WebviewPanel;
  if (opts.panel) {
    panel = opts.panel;
    panel.title = opts.title;
    panel.webview.options = webviewOptions;
  } else {
    panel = vscode.window.createWebviewPanel(PREDICTIONS_VIEW_TYPE, opts.title, vscode.ViewColumn.Active, {
      ...webviewOptions,
      retainContextWhenHidden: false,
    });
  }
  panel.webview.html = predictionsHtml(panel.webview, context.extensionUri, opts.title);
  const abort = new AbortController();
  let evaluation: AbortController | undefined;
  const post = (m: HostMessage) => void panel.webview.postMessage(redactedMessage(m));
  const entry: { panel: vscode.WebviewPanel; end(reason: string): void; ended?: string } = {
    panel,
    end: (reason) => {
      entry.ended = reason;
      evaluation?.abort();
      panel.title = `${opts.title} (ended)`;
      post({ type: 'ended', message: reason });
    },
  };
  panels.set(opts.stateKey, entry);
  const history = () => context.workspaceState.get<HistoryEntry[]>(historyKey(opts.stateKey), []);
  const labelled = (opts.examples ?? []).filter((e): e is Required<Example> => typeof e.label === 'string');

  const sub = panel.webview.onDidReceiveMessage(async (data: unknown) => {
    const parsed = parsePageMessage(data);
    if (!parsed.ok) {
      log.warn(`predictions page (${opts.title}): ignored a message: ${parsed.error}`);
      return;
    }
    const m = parsed.message;
    switch (m.type) {
      case 'ready':
        post({
          type: 'init',
          title: opts.title,
          labelNames: opts.labelNames ?? [],
          examples: (opts.examples ?? []).slice(0, 8),
          history: history(),
          canEvaluate: labelled.length > 0,
          evaluationSize: labelled.length,
          restore: opts.target
            ? { title: opts.title, stateKey: opts.stateKey, labelNames: opts.labelNames ?? [], target: opts.target }
            : undefined,
        });
        // A page reloaded (hidden and shown again) after its endpoint went is told again.
        if (entry.ended !== undefined) post({ type: 'ended', message: entry.ended });
        break;
      case 'predict':
        if (entry.ended !== undefined) {
          post({ type: 'predictionError', requestId: m.requestId, message: entry.ended });
          break;
        }
        try {
          const cold = opts.coldStarts === true && isColdStart(lastCallEnded.get(opts.stateKey), Date.now());
          const r = await opts.predictor.predict(m.text, abort.signal);
          lastCallEnded.set(opts.stateKey, Date.now());
          const entry: HistoryEntry = {
            input: m.text.length > 2000 ? `${m.text.slice(0, 2000)}…` : m.text,
            predictions: nameLabels(r.predictions[0] ?? [], opts.labelNames),
            latencyMs: r.latencyMs,
            at: Date.now(),
            ...(cold ? { coldStart: true } : {}),
          };
          const next = [entry, ...history()].slice(0, HISTORY_LIMIT);
          await context.workspaceState.update(historyKey(opts.stateKey), next);
          post({ type: 'prediction', requestId: m.requestId, entry });
          post({ type: 'history', history: next });
        } catch (err) {
          if (isCancelled(err)) return;
          log.warn(`predict ${opts.title}: ${errorLine(err)}`);
          post({ type: 'predictionError', requestId: m.requestId, message: errorLine(err) });
          // An endpoint found gone by a request ends the page too: the next Predict would only fail again.
          const gone = opts.target ? endpointGoneReason(err, opts.target) : undefined;
          if (gone && entry.ended === undefined) entry.end(gone);
        }
        break;
      case 'clearHistory':
        await context.workspaceState.update(historyKey(opts.stateKey), []);
        post({ type: 'history', history: [] });
        break;
      case 'cancelEvaluation':
        evaluation?.abort();
        break;
      case 'evaluate': {
        if (entry.ended !== undefined) {
          post({ type: 'evaluationError', message: entry.ended });
          break;
        }
        if (evaluation) return;
        evaluation = new AbortController();
        const signal = AbortSignal.any([abort.signal, evaluation.signal]);
        let lastPost = 0;
        try {
          // The model may answer LABEL_n: compare by name.
          const named = {
            label: opts.predictor.label,
            predict: async (t: string | string[], s?: AbortSignal) => {
              const r = await opts.predictor.predict(t, s);
              return { ...r, predictions: r.predictions.map((p) => nameLabels(p, opts.labelNames)) };
            },
          };
          const result = await evaluate(named, labelled, {
            sampleSize: m.sampleSize,
            concurrency: m.concurrency,
            ...(opts.labelNames?.length ? { labelNames: opts.labelNames } : {}),
            signal,
            onProgress: (done, total) => {
              if (done === total || Date.now() - lastPost > 250) {
                lastPost = Date.now();
                post({ type: 'evaluationProgress', done, total });
              }
            },
          });
          const { durationMs: _d, correct: _c, ...summary } = result;
          post({ type: 'evaluationResult', result: summary });
          log.info(
            `evaluated ${opts.title}: accuracy ${(result.accuracy * 100).toFixed(1)}%, macro-F1 ${result.macroF1.toFixed(3)} on ${result.evaluated}, p50 ${result.latencyMs.p50.toFixed(0)} ms`,
          );
        } catch (err) {
          post({ type: 'evaluationError', message: isCancelled(err) ? 'Evaluation cancelled.' : errorLine(err) });
        } finally {
          evaluation = undefined;
        }
        break;
      }
    }
  });
  panel.onDidDispose(() => {
    abort.abort();
    sub.dispose();
    if (panels.get(opts.stateKey) === entry) panels.delete(opts.stateKey);
  });
  return panel;
}
