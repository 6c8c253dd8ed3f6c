// Datasets: the Prepare Dataset command (progress with cancel, the padding choice shown with what
// `auto` saves, optional upload), the report, the Hub token in secret storage, and the 'Datasets' tree
// section listing prepared datasets (manifests in the default bucket and this session's runs).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { formatBytes, reportSummary, renderReportMarkdown, type PrepareReport } from '../../core/dataset/prepareReport';
import { datasetPaddingSpan, paddingQuestion } from '../../core/dataset/padding';
import { type JobSpec } from '../../core/spec/spec';
import { loadSpecFile } from '../../workflow/specFile';
import { listDatasetManifests, readS3Text } from '../../workflow/dataset/datasetCatalog';
import { REPORT_NAME, type DatasetManifest } from '../../core/dataset/manifest';
import { prepareDataset, type PrepareResult } from '../../workflow/dataset/prepare';
import type { Connection } from '../../workflow/connect';
import { readSettings } from '../settings';
import type { Services } from '../services';
import { InfoNode, type Node } from '../tree/tree';
import { toAbortSignal } from '../ui';
import { register } from '../commands';
import {
  LARGE_DATASET_BYTES,
  prepareOnSageMakerFlow,
  processingJobsNode,
  registerProcessingRunningSource,
} from './processing';
import { readyNode, rememberReady } from './datasetReady';

const TOKEN_KEY = 'sagemakerHf.hubToken';
// S3 Standard in us-east-1, per GB-month; shown before uploading.
const S3_GB_MONTH_USD = 0.023;

interface PreparedEntry {
  prefix: string;
  bucket?: string;
  channels: Record<string, { split: string; rows: number; s3Uri?: string; dir?: string }>;
  labelNames: string[];
  padding: string;
  maxLength: number | null;
  createdAt: string;
  reportPath?: string;
  reportKey?: string;
  report?: PrepareReport;
}

class DatasetNode implements Node {
  constructor(readonly entry: PreparedEntry) {}
  treeItem(): vscode.TreeItem {
    const e = this.entry;
    const item = new vscode.TreeItem(e.prefix, vscode.TreeItemCollapsibleState.Collapsed);
    const rows = Object.values(e.channels).reduce((a, c) => a + c.rows, 0);
    item.description = `${rows} rows · ${e.padding}${e.maxLength ? ` ${e.maxLength}` : ''}${e.bucket ? '' : ' · local'}`;
    item.tooltip = new vscode.MarkdownString(
      `**${e.prefix}**\n\n${e.bucket ? `s3://${e.bucket}/${e.prefix}/` : 'not uploaded'}\n\nPrepared ${e.createdAt}\n\nLabels: ${e.labelNames.join(', ')}`,
    );
    item.iconPath = new vscode.ThemeIcon('database');
    item.contextValue = 'dataset';
    item.id = `dataset.${e.bucket ?? 'local'}.${e.prefix}`;
    return item;
  }
  children(): Node[] {
    const e = this.entry;
    const kids: Node[] = Object.entries(e.channels).map(
      ([channel, c]) =>
        new InfoNode(channel, `${c.rows} rows · ${c.s3Uri ?? c.dir ?? ''}`, {
          icon: 'folder',
          tooltip: c.s3Uri ?? c.dir,
        }),
    );
    kids.push(new InfoNode('labels', e.labelNames.join(', '), { icon: 'tag' }));
    kids.push(
      new InfoNode('report', e.reportPath ?? (e.bucket && e.reportKey ? `s3://${e.bucket}/${e.reportKey}` : ''), {
        icon: 'graph',
        contextValue: 'dataset.report',
        command: { command: 'sagemakerHf.openDatasetReport', title: 'Open Dataset Report', arguments: [this] },
      }),
    );
    return kids;
  }
}

function entryOfResult(spec: JobSpec, r: PrepareResult, conn?: Connection): PreparedEntry {
  return {
    prefix: spec.dataset.s3Prefix,
    bucket: r.manifestUri ? conn?.bucket : undefined,
    channels: Object.fromEntries(
      Object.entries(r.channels).map(([k, c]) => [k, { split: c.split, rows: c.rows, s3Uri: c.s3Uri, dir: c.dir }]),
    ),
    labelNames: r.labelNames,
    padding: r.report.padding,
    maxLength: r.report.maxLength,
    createdAt: r.report.createdAt,
    reportPath: r.reportPath,
    reportKey: r.manifestUri ? `${spec.dataset.s3Prefix}/${REPORT_NAME}` : undefined,
    report: r.report,
  };
}

function entryOfManifest(m: DatasetManifest): PreparedEntry {
  return {
    prefix: m.prefix,
    bucket: m.bucket,
    channels: Object.fromEntries(
      Object.entries(m.channels).map(([k, c]) => [k, { split: c.split, rows: c.rows, s3Uri: c.s3Uri }]),
    ),
    labelNames: m.labelNames,
    padding: m.padding,
    maxLength: m.maxLength,
    createdAt: m.createdAt,
    reportKey: m.report?.key,
  };
}

/**
 * The padding chosen in the prompt, offered for the spec file too (a WorkspaceEdit on dataset.padding,
 * left unsaved for the user to see): otherwise the spec keeps saying what was not used.
 */
function offerPaddingInSpec({ ui, log }: Services, specUri: vscode.Uri, padding: string): void {
  const file = path.basename(specUri.fsPath);
  void ui
    .showInformationMessage(
      `Padding "${padding}" is used for this dataset. Write it into ${file} (dataset.padding)?`,
      'Update Spec',
    )
    .then(async (choice) => {
      if (choice !== 'Update Spec') return;
      try {
        const doc = await vscode.workspace.openTextDocument(specUri);
        const edit = paddingEdit(doc, padding);
        if (!edit) throw new Error(`no "dataset" object found in ${file}`);
        await vscode.workspace.applyEdit(edit);
        await vscode.window.showTextDocument(doc, { preview: false });
      } catch (err) {
        log.warn(`writing dataset.padding into ${file} failed: ${(err as Error).message}`);
        void ui.showErrorMessage(
          `Updating ${file} failed: ${(err as Error).message}. Set "padding": "${padding}" under "dataset" by hand.`,
        );
      }
    });
}

/** Replaces dataset.padding's value, or adds the key at the start of the dataset object. */
export function paddingEdit(doc: vscode.TextDocument, padding: string): vscode.WorkspaceEdit | undefined {
  const text = doc.getText();
  const edit = new vscode.WorkspaceEdit();
  const span = datasetPaddingSpan(text);
  if (span && 'value' in span)
    edit.replace(
      doc.uri,
      new vscode.Range(doc.positionAt(span.value[0]), doc.positionAt(span.value[1])),
      JSON.stringify(padding),
    );
  else if (span) {
    const indent = /^\s*?\n([ \t]*)/.exec(text.slice(span.insertAt))?.[1];
    edit.insert(
      doc.uri,
      doc.positionAt(span.insertAt),
      indent !== undefined
        ? `\n${indent}"padding": ${JSON.stringify(padding)},`
        : ` "padding": ${JSON.stringify(padding)},`,
    );
  } else return undefined;
  return edit;
}

/** The Datasets feature's context: the services and this window's prepared datasets. */
interface DatasetsCtx extends Services {
  session: Map<string, PreparedEntry>;
}

const hubToken = async (ctx: DatasetsCtx) =>
  (await ctx.context.secrets.get(TOKEN_KEY)) || process.env.HF_TOKEN || undefined;

const runPrepare = async (
  ctx: DatasetsCtx,
  spec: JobSpec,
  outDir: string,
  upload: Connection | undefined,
  title: string,
): Promise<PrepareResult> =>
  ctx.ui.withProgress(
    { location: vscode.ProgressLocation.Notification, title, cancellable: true },
    async (progress, token) => {
      let last = 0;
      let tokenizing = false;
      return prepareDataset(spec, {
        outDir,
        upload,
        // The folder the local pass just wrote goes up as it is when it still matches the spec.
        reuseFolder: true,
        signal: toAbortSignal(token),
        hubToken: await hubToken(ctx),
        hubEndpoint: readSettings().hubEndpoint,
        // Objects under the prefix that this tool did not write: asked before anything is uploaded;
        // proceeding never deletes them.
        confirmForeignObjects: async (keys) => {
          const shown =
            keys
              .slice(0, 5)
              .map((k) => k.slice(spec.dataset.s3Prefix.length + 1))
              .join(', ') + (keys.length > 5 ? `, … (${keys.length})` : '');
          const pick = await ctx.ui.showWarningMessage(
            `s3://${upload?.bucket}/${spec.dataset.s3Prefix}/ holds ${keys.length} object(s) that SageMaker HF did not write: ${shown}. Upload beside them? They are never deleted, but a channel folder that holds them passes them to training.`,
            { modal: true },
            'Upload Beside Them',
          );
          return pick === 'Upload Beside Them';
        },
        onProgress: (p) => {
          const pct = p.fraction === undefined ? 0 : Math.round(p.fraction * 100);
          // Streaming: tokenizing, writing and uploading shards run together in the 'tokenize' stage.
          const stageShare = {
            read: [0, 5],
            count: [5, 25],
            tokenize: [25, 90],
            write: [25, 90],
            upload: [90, 100],
            done: [100, 100],
          }[p.stage] ?? [0, 0];
          // Shards upload while tokenizing goes on; the tokenize line already shows those bytes. An
          // upload of the folder as it is has no tokenize stage: its bytes are the whole bar.
          if (p.stage === 'tokenize') tokenizing = true;
          if (p.stage === 'upload' && !tokenizing) {
            progress.report({ message: p.message, increment: Math.max(0, pct - last) });
            last = Math.max(last, pct);
            return;
          }
          if (p.stage === 'upload' && last < stageShare[0]!) return;
          const at = stageShare[0]! + ((stageShare[1]! - stageShare[0]!) * pct) / 100;
          progress.report({ message: p.message, increment: Math.max(0, at - last) });
          last = Math.max(last, at);
        },
      });
    },
  );

/** The report file in the Markdown preview (read-only: no Untitled document left to save or discard). */
const openReportFile = async (file: string) => {
  const uri = vscode.Uri.file(file);
  try {
    await vscode.commands.executeCommand('markdown.showPreview', uri);
  } catch {
    await vscode.window.showTextDocument(uri, { preview: true });
  }
};
/** A report that exists only in S3: written to a file in the extension's storage, then previewed. */
const openReport = async (ctx: DatasetsCtx, markdown: string, name: string) => {
  const dir = vscode.Uri.joinPath(ctx.context.globalStorageUri, 'reports', name.replace(/[^\w.-]+/g, '_'));
  await vscode.workspace.fs.createDirectory(dir);
  const file = vscode.Uri.joinPath(dir, 'report.md');
  await vscode.workspace.fs.writeFile(file, new TextEncoder().encode(markdown));
  await openReportFile(file.fsPath);
};
const remember = (ctx: DatasetsCtx, spec: JobSpec, r: PrepareResult, upload?: Connection) => {
  ctx.session.set(`${upload?.bucket ?? 'local'}/${spec.dataset.s3Prefix}`, entryOfResult(spec, r, upload));
  ctx.tree.refresh('datasets');
};

/** The "Dataset ready" row for a finished prepare (the toast fades; the row stays). */
const markReady = async (ctx: DatasetsCtx, spec: JobSpec, r: PrepareResult, where: string) => {
  const rows = Object.values(r.channels).map((c) => c.rows);
  const { createdAt } = r.report;
  await rememberReady(ctx.context, { prefix: spec.dataset.s3Prefix, rows, where, createdAt, reportPath: r.reportPath });
  ctx.tree.refresh('datasets');
};

/** Prepare Dataset: locally first (the padding choice made with the report in hand), then the upload, asked. */
export const prepareDatasetCommand = (ctx: DatasetsCtx) => async (arg?: unknown) => {
  const uri = await ctx.specs.pick(arg);
  if (!uri) return;
  const spec = await loadSpecFile(uri.fsPath);
  const name = path.basename(uri.fsPath).replace(/\.sagemaker-hf\.json$/, '');
  const root = vscode.workspace.getWorkspaceFolder(uri)?.uri.fsPath ?? path.join(os.tmpdir(), 'sagemaker-hf');
  const outDir = path.join(root, '.sagemaker-hf', 'datasets', name);
  // A large local dataset: offer the Processing job (every vCPU of one or more instances) first.
  const localBytes =
    typeof spec.dataset.source === 'object'
      ? Object.values(spec.dataset.source).reduce((a, f) => a + (fs.existsSync(f) ? fs.statSync(f).size : 0), 0)
      : 0;
  if (localBytes > LARGE_DATASET_BYTES) {
    const where = await ctx.ui.showInformationMessage(
      `${name}: ${formatBytes(localBytes)} of local data. Prepare it on SageMaker (a Processing job, billed per instance-hour) or on this machine?`,
      'On SageMaker',
      'On This Machine',
    );
    if (where === undefined) return;
    if (where === 'On SageMaker') {
      const remote = await prepareOnSageMakerFlow(ctx, spec, name);
      if (remote)
        void ctx.ui.showInformationMessage(
          `Dataset ready: ${Object.values(remote.channels)
            .map((c) => c.rows)
            .join(' / ')} rows at ${remote.manifestUri.replace(/\/[^/]+$/, '/')}.`,
        );
      return;
    }
  }
  // First pass writes locally only, so the padding choice can be made with the report in hand.
  let result = await runPrepare(ctx, spec, outDir, undefined, `Preparing ${name}`);
  ctx.log.info(`Prepared ${name} in ${outDir}:\n${reportSummary(result.report).join('\n')}`);
  // Registered now: Open Dataset Report works while the questions below are still open.
  remember(ctx, spec, result);
  const warning = reportSummary(result.report).find((l) => l.startsWith('WARNING'));
  if (warning) {
    ctx.log.warn(warning);
    void ctx.ui
      .showWarningMessage(warning, 'Open Report')
      .then((pick) => (pick ? openReportFile(result.reportPath) : undefined));
  }
  const auto = result.report.options.find((o) => o.mode === 'auto')!;
  const chosen = result.report.options.find((o) => o.mode === result.report.padding)!;
  let changed = false;
  if (result.report.padding !== 'auto' && auto.bytes < chosen.bytes * 0.75) {
    const { message, keep, useAuto } = paddingQuestion(chosen, auto, formatBytes);
    const pick = await ctx.ui.showInformationMessage(message, keep, useAuto, 'Open Report');
    if (pick === 'Open Report') await openReportFile(result.reportPath);
    if (pick === useAuto) {
      spec.dataset.padding = 'auto';
      changed = true;
      offerPaddingInSpec(ctx, uri, 'auto');
    }
  }
  let conn = ctx.connection.current;
  let upload: Connection | undefined;
  const bytes = result.report.bytesWritten;
  if (conn) {
    const target = `s3://${conn.bucket}/${spec.dataset.s3Prefix}/`;
    const size = changed ? auto.bytes : bytes;
    const pick = await ctx.ui.showInformationMessage(
      `Upload ${formatBytes(size)} to ${target}? S3 storage is billed (about $${S3_GB_MONTH_USD}/GB-month in us-east-1); existing objects under each channel prefix there are replaced.`,
      { modal: true },
      'Upload',
      'Keep Local Only',
    );
    if (pick === undefined) return;
    if (pick === 'Upload') upload = conn;
  } else {
    if (changed) {
      result = await runPrepare(ctx, spec, outDir, undefined, `Preparing ${name} (auto padding)`);
      remember(ctx, spec, result);
      changed = false;
    }
    await markReady(ctx, spec, result, outDir);
    const pick = await ctx.ui.showInformationMessage(
      `Prepared ${name} locally in ${outDir}. Connect to AWS to upload it to S3.`,
      'Connect',
      'Open Report',
    );
    if (pick === 'Open Report') await openReportFile(result.reportPath);
    if (pick !== 'Connect') return;
    conn = await ctx.connection.require();
    upload = conn;
  }
  if (changed || upload)
    result = await runPrepare(
      ctx,
      spec,
      outDir,
      upload,
      upload ? `Uploading ${name}` : `Preparing ${name} (auto padding)`,
    );
  if (upload) ctx.session.delete(`local/${spec.dataset.s3Prefix}`);
  remember(ctx, spec, result, upload);
  const where = result.manifestUri ? `s3://${upload!.bucket}/${spec.dataset.s3Prefix}/` : outDir;
  ctx.log.info(
    `Dataset ${name} ready at ${where}${result.bucketCreated ? ` (created bucket ${upload!.bucket})` : ''}${result.reused ? ' (the folder just prepared, uploaded as it was)' : ''}`,
  );
  await markReady(ctx, spec, result, where);
  const pick = await ctx.ui.showInformationMessage(
    `Dataset ready: ${Object.values(result.channels)
      .map((c) => c.rows)
      .join(' / ')} rows at ${where}.`,
    'Open Report',
  );
  if (pick === 'Open Report') await openReportFile(result.reportPath);
};

/** Open Dataset Report: a node's, this ctx.session's only one, or picked. */
export const openDatasetReportCommand = (ctx: DatasetsCtx) => async (arg?: unknown) => {
  // The "Dataset ready" row names its report file.
  const file = (arg as { reportPath?: unknown } | undefined)?.reportPath;
  if (typeof file === 'string' && !(arg instanceof DatasetNode)) return openReportFile(file);
  const node = arg instanceof DatasetNode ? arg : undefined;
  let entry = node?.entry;
  if (!entry) {
    const all = [...ctx.session.values()];
    if (all.length === 0) {
      void ctx.ui.showInformationMessage(
        'No dataset prepared in this ctx.session: run Prepare Dataset, or open one from the Datasets section.',
      );
      return;
    }
    const pick =
      all.length === 1
        ? all[0]
        : (
            await ctx.ui.showQuickPick(
              all.map((e) => ({ label: e.prefix, description: e.bucket ?? 'local', e })),
              { title: 'Dataset report' },
            )
          )?.e;
    if (!pick) return;
    entry = pick;
  }
  if (entry.reportPath) return openReportFile(entry.reportPath);
  if (entry.report) return openReport(ctx, renderReportMarkdown(entry.report), entry.prefix);
  const conn = ctx.connection.current ?? (await ctx.connection.require());
  if (!entry.reportKey) throw new Error(`dataset ${entry.prefix} has no report`);
  await openReport(ctx, await readS3Text(conn, entry.bucket ?? conn.bucket, entry.reportKey), entry.prefix);
};

/** Set Hugging Face Hub Token: stored in secret storage; empty removes it. */
export const setHubTokenCommand = (ctx: DatasetsCtx) => async () => {
  const existing = await ctx.context.secrets.get(TOKEN_KEY);
  const value = await ctx.ui.showInputBox({
    title: 'Hugging Face Hub Token',
    prompt: existing
      ? 'A token is stored. Enter a new one, or leave empty and press Enter to remove it.'
      : 'Needed for private or gated datasets and models. Stored in VS Code secret storage.',
    password: true,
    ignoreFocusOut: true,
    placeHolder: 'hf_…',
    validateInput: (v) =>
      v === '' || /^hf_[A-Za-z0-9]{10,}$/.test(v.trim())
        ? undefined
        : 'A Hub token starts with hf_ (create one at huggingface.co/settings/tokens)',
  });
  if (value === undefined) return;
  if (value.trim() === '') {
    await ctx.context.secrets.delete(TOKEN_KEY);
    void ctx.ui.showInformationMessage('Hugging Face Hub token removed.');
  } else {
    await ctx.context.secrets.store(TOKEN_KEY, value.trim());
    void ctx.ui.showInformationMessage('Hugging Face Hub token stored in secret storage.');
  }
  ctx.log.info('Hugging Face Hub token updated');
};

export function activate(services: Services): void {
  const { log, context } = services;
  const session = new Map<string, PreparedEntry>();
  context.subscriptions.push(registerProcessingRunningSource(services));

  services.tree.registerSection({
    id: 'datasets',
    label: 'Datasets',
    icon: 'database',
    order: 1,
    children: async () => {
      const entries = new Map<string, PreparedEntry>();
      const conn = services.connection.current;
      if (conn) {
        try {
          for (const m of await listDatasetManifests(conn)) entries.set(`${m.bucket}/${m.prefix}`, entryOfManifest(m));
        } catch (err) {
          log.warn(`Listing prepared datasets in s3://${conn.bucket} failed: ${(err as Error).message}`);
        }
      }
      // This window's runs know their local report file: they win over the listing of the same prefix.
      for (const [k, e] of session) entries.set(k, e);
      const jobs = await processingJobsNode(services);
      const ready = readyNode(context, fs.existsSync);
      if (entries.size === 0 && (jobs || ready)) return [...(ready ? [ready] : []), ...(jobs ? [jobs] : [])];
      if (entries.size === 0)
        return [
          new InfoNode('No prepared datasets', 'run Prepare Dataset on a spec', {
            icon: 'info',
            command: { command: 'sagemakerHf.prepareDataset', title: 'Prepare Dataset' },
          }),
        ];
      return [
        ...(ready ? [ready] : []),
        ...(jobs ? [jobs] : []),
        ...[...entries.values()].sort((a, b) => b.createdAt.localeCompare(a.createdAt)).map((e) => new DatasetNode(e)),
      ];
    },
  });

  const ctx: DatasetsCtx = { ...services, session };
  register(ctx, 'sagemakerHf.prepareDataset', prepareDatasetCommand);
  register(ctx, 'sagemakerHf.openDatasetReport', openDatasetReportCommand);
  register(ctx, 'sagemakerHf.setHubToken', setHubTokenCommand);
  context.subscriptions.push(services.connection.onDidChange(() => services.tree.refresh('datasets')));
}
