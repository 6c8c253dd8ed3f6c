// Datasets in the real VS Code extension host against moto: Prepare Dataset on a spec (local emotion
// jsonl files, the shared bert-base-uncased tokenizer) answers the padding question and the upload
// confirmation, writes the manifest and the channel files to the default bucket, lists the dataset in
// the Datasets tree with its S3 prefix, and Open Dataset Report shows the row counts. Upload after the
// local pass sends the folder it wrote (no second tokenization), and a "Dataset ready" row stays in the
// Datasets section after the notification. A malformed jsonl line is reported as file:line.
import * as assert from 'node:assert/strict';
import { readFileSync, writeFileSync, mkdtempSync, statSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { api, treeNodes, EMOTIONS, shared, waitFor } from './util';

const PREFIX = 'e2e/datasets/emotion-small';

function writeSpec(
  name: string,
  source: Record<string, string>,
  splits: Record<string, string>,
  s3Prefix: string,
): vscode.Uri {
  const ws = vscode.workspace.workspaceFolders?.[0];
  assert.ok(ws, 'a workspace folder is open');
  const uri = vscode.Uri.joinPath(ws.uri, `${name}.sagemaker-hf.json`);
  writeFileSync(
    uri.fsPath,
    JSON.stringify(
      {
        version: 1,
        dataset: {
          source,
          splits,
          labelNames: EMOTIONS,
          tokenizer: path.join(shared, 'models/bert-base-uncased'),
          padding: 'max_length',
          maxLength: 256,
          limit: 200,
          s3Prefix,
        },
        training: {
          entryPoint: 'train.py',
          sourceDir: '../training-scripts',
          instanceType: 'ml.p3.2xlarge',
          instanceCount: 1,
        },
      },
      null,
      2,
    ),
  );
  return uri;
}

type Win = Record<'showInformationMessage' | 'showWarningMessage' | 'showErrorMessage', unknown>;

/**
 * Runs fn with the message functions answered here: a modal (or any notification awaited by the command)
 * cannot be clicked from inside the extension host, so the stubs record what was asked and pick an answer
 * (the GUI scenarios click real dialogs). The originals are restored afterwards.
 */
async function answering<T>(
  answer: (message: string, items: string[]) => string | undefined | Promise<string | undefined>,
  fn: () => Thenable<T>,
): Promise<{ result: T; asked: { kind: string; message: string; items: string[]; modal: boolean }[] }> {
  const win = vscode.window as unknown as Win;
  const saved = {
    showInformationMessage: win.showInformationMessage,
    showWarningMessage: win.showWarningMessage,
    showErrorMessage: win.showErrorMessage,
  };
  const asked: { kind: string; message: string; items: string[]; modal: boolean }[] = [];
  for (const kind of Object.keys(saved) as (keyof Win)[]) {
    win[kind] = async (message: string, ...rest: unknown[]) => {
      const opts =
        rest[0] && typeof rest[0] === 'object' && !('title' in (rest[0] as object))
          ? (rest.shift() as vscode.MessageOptions)
          : undefined;
      const items = rest.map((r) => (typeof r === 'string' ? r : (r as vscode.MessageItem).title));
      asked.push({ kind, message, items, modal: opts?.modal === true });
      return answer(message, items);
    };
  }
  try {
    return { result: await fn(), asked };
  } finally {
    Object.assign(win, saved);
  }
}

/** The Markdown preview tab of a report.md, if one is open. */
function reportPreviewTab(): vscode.Tab | undefined {
  return vscode.window.tabGroups.all
    .flatMap((g) => g.tabs)
    .find((t) => t.input instanceof vscode.TabInputWebview && /report\.md/.test(t.label));
}

suite('datasets', function () {
  this.timeout(300_000);
  const s3 = () =>
    new S3Client({ region: 'us-east-1', endpoint: process.env.AWS_ENDPOINT_URL, forcePathStyle: true, maxAttempts: 1 });

  test('without a connection: the dataset is registered before the toast is answered, its report.md opens in the preview, "Use auto" can be written into the spec', async () => {
    const a = await api();
    assert.equal(a.services.connection.current, undefined, 'this suite runs first, before anything connects');
    const spec = writeSpec(
      'e2e-datasets-offline',
      { train: path.join(shared, 'data/emotion/train.jsonl'), test: path.join(shared, 'data/emotion/test.jsonl') },
      { train: 'train', test: 'test' },
      'e2e/datasets/offline',
    );
    let reportWhileAsking: vscode.Tab | undefined;
    let untitledWhileAsking = true;
    const { asked } = await answering(
      async (message, items) => {
        if (message.startsWith('Padding "auto" is used')) return 'Update Spec';
        if (message.startsWith('Padding "auto"')) return items.find((i) => i.startsWith('Use auto'));
        if (message.startsWith('Prepared ')) {
          // The toast is still open: Open Dataset Report must already know the dataset.
          await vscode.commands.executeCommand('sagemakerHf.openDatasetReport');
          reportWhileAsking = await waitFor(async () => reportPreviewTab(), 20_000, 'the report.md preview');
          untitledWhileAsking = vscode.workspace.textDocuments.some((d) => d.isUntitled && d.languageId === 'markdown');
        }
        return undefined;
      },
      () => vscode.commands.executeCommand('sagemakerHf.prepareDataset', spec),
    );
    assert.deepEqual(
      asked.filter((q) => q.kind === 'showErrorMessage').map((q) => q.message),
      [],
    );
    assert.ok(
      asked.some((q) => q.message.startsWith('Prepared e2e-datasets-offline locally')),
      asked.map((q) => q.message).join(' | '),
    );
    assert.ok(reportWhileAsking, 'the report preview opened while the toast was open');
    assert.equal(untitledWhileAsking, false, 'no Untitled document for the report');
    // 8. The padding choice, offered for the spec, is written into dataset.padding (unsaved edit).
    const offer = asked.find((q) => q.message.startsWith('Padding "auto" is used'));
    assert.ok(offer, 'writing the choice into the spec was offered');
    // (VS Code saves a workspace edit to a file that was not open: files.refactoring.autoSave.)
    type Edited = { dataset: { padding: string; maxLength: number } };
    const textNow = () =>
      vscode.workspace.textDocuments.find((d) => d.uri.fsPath === spec.fsPath)?.getText() ??
      readFileSync(spec.fsPath, 'utf8');
    const edited = await waitFor(
      async () => {
        const j = JSON.parse(textNow()) as Edited;
        return j.dataset.padding === 'auto' ? j : undefined;
      },
      20_000,
      'dataset.padding "auto" in the spec',
    );
    assert.equal(edited.dataset.maxLength, 256, 'nothing else changed');
    const doc = vscode.workspace.textDocuments.find((d) => d.uri.fsPath === spec.fsPath);
    if (doc?.isDirty) await doc.save();
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  test('Prepare Dataset asks about padding and upload, then the manifest and channels are in S3', async () => {
    const a = await api();
    await vscode.commands.executeCommand('sagemakerHf.connect');
    const conn = a.services.connection.current;
    assert.ok(conn, `not connected: ${a.services.connection.lastError}`);
    const spec = writeSpec(
      'e2e-datasets',
      {
        train: path.join(shared, 'data/emotion/train.jsonl'),
        test: path.join(shared, 'data/emotion/test.jsonl'),
      },
      { train: 'train', test: 'test' },
      PREFIX,
    );

    // The local pass's shard: Upload sends that folder as it is, without tokenizing again.
    const shard = path.join(
      path.dirname(spec.fsPath),
      '.sagemaker-hf/datasets/e2e-datasets/train/data-00000-of-00001.arrow',
    );
    let shardAtUpload: number | undefined;
    const { asked } = await answering(
      (message, items) => {
        if (message.startsWith('Padding "auto"')) return items.find((i) => i.startsWith('Keep max_length'));
        if (message.startsWith('Upload ')) {
          shardAtUpload = statSync(shard).mtimeMs;
          return 'Upload';
        }
        return undefined; // "Dataset ready": do not open the report here, the last test does
      },
      () => vscode.commands.executeCommand('sagemakerHf.prepareDataset', spec),
    );

    const errors = asked.filter((q) => q.kind === 'showErrorMessage');
    assert.deepEqual(errors, [], 'no error reported');
    // Emotion texts are short: auto padding saves far more than 25 % over max_length 256, so it is offered.
    const padding = asked.find((q) => q.message.startsWith('Padding "auto"'));
    assert.ok(padding, `the padding choice was offered: ${asked.map((q) => q.message).join(' | ')}`);
    assert.deepEqual(padding.items.slice(0, 1), ['Keep max_length (256)']);
    const upload = asked.find((q) => q.message.startsWith('Upload '));
    assert.ok(upload, 'the upload was confirmed');
    assert.ok(upload.modal, 'the upload confirmation is modal');
    assert.match(upload.message, new RegExp(`to s3://${conn.bucket}/${PREFIX}/\\?`));
    assert.match(upload.message, /billed/);
    const ready = asked.find((q) => q.message.startsWith('Dataset ready'));
    assert.ok(ready, 'the result was announced');
    assert.match(ready.message, new RegExp(`200 / 200 rows at s3://${conn.bucket}/${PREFIX}/`));
    assert.ok(shardAtUpload, 'the local shard existed when the upload was asked');
    assert.equal(statSync(shard).mtimeMs, shardAtUpload, 'the upload did not write the shard again');

    // The toast fades; the "Dataset ready" row stays at the top of the Datasets section with its report.
    const readyRow = (await treeNodes(a, 'datasets'))[0]!;
    assert.equal(readyRow.item.label, `Dataset ready: ${PREFIX}`);
    assert.match(String(readyRow.item.description), new RegExp(`^200 / 200 rows · s3://${conn.bucket}/${PREFIX}/$`));
    assert.equal(readyRow.item.command?.command, 'sagemakerHf.openDatasetReport');
    const reportArg = readyRow.item.command?.arguments?.[0] as { reportPath: string };
    assert.match(reportArg.reportPath, /e2e-datasets[\\/]report\.md$/);

    const keys = (
      (await s3().send(new ListObjectsV2Command({ Bucket: conn.bucket, Prefix: `${PREFIX}/` }))).Contents ?? []
    ).map((o) => o.Key!);
    assert.ok(keys.includes(`${PREFIX}/.sagemaker-hf-manifest.json`), `manifest in ${keys.join(', ')}`);
    assert.ok(keys.includes(`${PREFIX}/.sagemaker-hf-report.md`), `report in ${keys.join(', ')}`);
    for (const channel of ['train', 'test'])
      assert.ok(
        keys.some((k) => k.startsWith(`${PREFIX}/${channel}/`)),
        `channel ${channel} files in ${keys.join(', ')}`,
      );
    const manifest = JSON.parse(
      await (
        await s3().send(new GetObjectCommand({ Bucket: conn.bucket, Key: `${PREFIX}/.sagemaker-hf-manifest.json` }))
      ).Body!.transformToString(),
    ) as {
      format: string;
      prefix: string;
      padding: string;
      maxLength: number;
      labelNames: string[];
      channels: Record<string, { rows: number; s3Uri: string }>;
    };
    assert.equal(manifest.format, 'sagemaker-hf-dataset');
    assert.equal(manifest.prefix, PREFIX);
    assert.equal(manifest.padding, 'max_length');
    assert.equal(manifest.maxLength, 256);
    assert.deepEqual(manifest.labelNames, EMOTIONS);
    assert.equal(manifest.channels.train?.rows, 200);
    assert.equal(manifest.channels.test?.rows, 200);
    assert.match(manifest.channels.train?.s3Uri ?? '', new RegExp(`^s3://${conn.bucket}/${PREFIX}/train/?$`));
  });

  test('the Datasets section lists the dataset with its S3 prefix and channels', async () => {
    const a = await api();
    const conn = a.services.connection.current!;
    const row = await waitFor(
      async () => (await treeNodes(a, 'datasets')).find((n) => n.item.label === PREFIX),
      20_000,
      `dataset ${PREFIX} in the tree`,
    );
    assert.equal(row.item.contextValue, 'dataset');
    assert.match(String(row.item.description), /^400 rows · max_length 256$/);
    const tooltip =
      row.item.tooltip instanceof vscode.MarkdownString ? row.item.tooltip.value : String(row.item.tooltip);
    assert.ok(tooltip.includes(`s3://${conn.bucket}/${PREFIX}/`), tooltip);
    const kids = await Promise.all((await a.services.tree.getChildren(row.node)).map(async (n) => n.treeItem()));
    const train = kids.find((k) => k.label === 'train');
    assert.ok(train, `a train channel among ${kids.map((k) => k.label).join(', ')}`);
    assert.match(String(train.description), new RegExp(`^200 rows · s3://${conn.bucket}/${PREFIX}/train/?$`));
  });

  test('Open Dataset Report on the tree node shows the row counts', async () => {
    const a = await api();
    const row = (await treeNodes(a, 'datasets')).find((n) => n.item.label === PREFIX);
    assert.ok(row, 'dataset row missing');
    await vscode.commands.executeCommand('sagemakerHf.openDatasetReport', row.node);
    // The report file prepare wrote opens in the Markdown preview (no Untitled document to discard).
    await waitFor(async () => reportPreviewTab(), 20_000, 'the report.md preview');
    assert.equal(
      vscode.workspace.textDocuments.some((d) => d.isUntitled && d.languageId === 'markdown'),
      false,
      'no Untitled report',
    );
    const entry = (row.node as unknown as { entry: { reportPath?: string } }).entry;
    assert.ok(entry.reportPath, 'the entry knows its report file');
    const text = readFileSync(entry.reportPath, 'utf8');
    assert.match(text, /max_length/);
    assert.match(text, /\b200\b/);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  test('a malformed jsonl line is reported with file and line, nothing uploaded', async () => {
    const a = await api();
    const conn = a.services.connection.current!;
    const dir = mkdtempSync(path.join(os.tmpdir(), 'sagemaker-hf-e2e-datasets-'));
    const bad = path.join(dir, 'bad.jsonl');
    writeFileSync(
      bad,
      '{"text": "i feel fine", "label": 1}\n{"text": "so sad", "label": 0}\n{"text": "broken", "label": \n{"text": "ok", "label": 2}\n',
    );
    const badPrefix = 'e2e/datasets/bad';
    const spec = writeSpec('e2e-datasets-bad', { train: bad }, { train: 'train' }, badPrefix);
    const { asked } = await answering(
      () => undefined,
      () => vscode.commands.executeCommand('sagemakerHf.prepareDataset', spec),
    );
    const err = asked.find((q) => q.kind === 'showErrorMessage');
    assert.ok(err, `an error was reported: ${asked.map((q) => q.message).join(' | ')}`);
    assert.match(err.message, /^Prepare dataset failed: .*bad\.jsonl:3: not a valid JSON line/);
    assert.equal(
      asked.find((q) => q.message.startsWith('Upload ')),
      undefined,
      'no upload offered',
    );
    const keys =
      (await s3().send(new ListObjectsV2Command({ Bucket: conn.bucket, Prefix: `${badPrefix}/` }))).Contents ?? [];
    assert.deepEqual(keys, []);
  });
});
