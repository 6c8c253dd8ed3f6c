// The editor's confirmations, run in plain Node over a stand-in vscode module and a scripted ui: every
// billable or destructive command asks in a modal that names what it costs or removes, and answering
// anything but the action's button does nothing.
import { fakeContext, scriptedUi, workspace } from './helpers/fakeVscode';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { confirmDeploy, pickCapacity } from '../../src/extension/endpoints/pickers';
import { deployFromHubCommand } from '../../src/extension/endpoints/deploy';
import type { EndpointsCtx } from '../../src/extension/endpoints/endpointsModel';
import { stopTrainingCommand } from '../../src/extension/training/training';
import { LocalFeature } from '../../src/extension/local/localFeature';
import type { Services } from '../../src/extension/services';
import type { DeployPlan } from '../../src/workflow/endpoints/deploy';
import { mergeSdkDefaults, parseSdkDefaultsFile } from '../../src/core/sagemaker/sdkDefaults';

// An endpoint override, as with an emulator: prices come from the offline table, labelled so, and no
// Price List (nor any credential lookup) is asked from a unit test.
process.env.AWS_ENDPOINT_URL = 'http://127.0.0.1:9';
// The Hub deploy reads the model card: a port that refuses, so no test reaches the internet (the card's
// task is tested against a local server in hubDeploySteps.test.ts).
process.env.HF_ENDPOINT = 'http://127.0.0.1:9';
const OFFLINE = 'offline table (us-east-1 prices)';

const conn = {
  region: 'us-east-1',
  account: '123456789012',
  arn: 'arn:aws:iam::123456789012:user/u',
  role: 'arn:aws:iam::123456789012:role/SageMaker',
  bucket: 'sagemaker-us-east-1-123456789012',
};
const log = { info() {}, warn() {}, error() {}, debug() {}, show() {} };
const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'sm-hf-confirm-'));

/** Services with a scripted ui; `required` counts the connections a command asked for. */
function services(ui: unknown, extra: Record<string, unknown> = {}) {
  const counts = { required: 0 };
  const s = {
    context: fakeContext(tmp()),
    log,
    ui,
    connection: {
      current: conn,
      require: async () => {
        counts.required++;
        return conn;
      },
    },
    tree: { refresh() {} },
    specs: {},
    jobChannels: { appendLine() {}, show() {} },
    ...extra,
  };
  return { s: s as unknown as Services, counts };
}

const plan = {
  jobName: 'job-1',
  endpointName: 'ep-1',
  image: {
    uri: '763104351884.dkr.ecr.us-east-1.amazonaws.com/huggingface-pytorch-inference:2.1',
    note: 'from the job',
  },
  modelDataUrl: 's3://b/job-1/model.tar.gz',
  notes: [],
} as unknown as DeployPlan;

test('the deploy modal names the instances, their count and the price; only the Deploy buttons deploy, with or without a deletion time', async () => {
  for (const [answer, deploys] of [
    [undefined, false],
    ['Deploy', { deleteAfter: 'never' }],
    ['Deploy, Delete After 4 h', { deleteAfter: '4 h' }],
    ['Cancel', false],
  ] as const) {
    const { ui, asked } = scriptedUi({ message: () => answer });
    const ok = await confirmDeploy(
      ui as never,
      plan,
      { instanceType: 'ml.g4dn.xlarge', initialInstanceCount: 2 },
      'Deploy job-1 as endpoint ep-1?',
      'Model: s3://b/job-1/model.tar.gz',
      '$1.05/h',
    );
    assert.deepEqual(ok, deploys, `answered ${answer}`);
    assert.equal(asked.length, 1);
    const q = asked[0]!;
    assert.equal(q.kind, 'warning');
    assert.ok(q.modal, 'the confirmation is modal');
    assert.equal(q.message, 'Deploy job-1 as endpoint ep-1?');
    assert.deepEqual(q.items, [
      'Deploy',
      'Deploy, Delete After 1 h',
      'Deploy, Delete After 4 h',
      'Deploy, Delete at End of Today',
      'Deploy, Delete At…',
    ]);
    assert.match(q.detail!, /a real-time endpoint on 2 × ml\.g4dn\.xlarge: \$1\.05\/h, billed until you delete it/);
    assert.match(
      q.detail!,
      /Image: 763104351884\.dkr\.ecr.*\n\(from the job\)\nModel: s3:\/\/b\/job-1\/model\.tar\.gz\n\nThe "Delete" choices create an EventBridge Scheduler schedule/,
    );
  }
});

test('capacity: Escape at the first pick asks nothing more; an instance type asks the count; serverless the concurrency', async () => {
  const none = scriptedUi({ pick: () => undefined });
  assert.equal(await pickCapacity(none.ui as never, 'Deploy j', 'us-east-1'), undefined);
  assert.deepEqual(
    none.asked.map((a) => a.kind),
    ['pick'],
  );
  // Every instance row shows its hourly price.
  const items = none.asked[0]!.items;
  assert.ok(items.includes('ml.g4dn.xlarge') && items.includes('Serverless 2 GB'), items.join(', '));

  const inst = scriptedUi({
    pick: (list) => list.find((i) => (i as { label: string }).label === 'ml.m5.xlarge'),
    input: () => ' 3 ',
  });
  assert.deepEqual(await pickCapacity(inst.ui as never, 'Deploy j', 'us-east-1'), {
    instanceType: 'ml.m5.xlarge',
    initialInstanceCount: 3,
  });
  assert.deepEqual(
    inst.asked.map((a) => a.message),
    ['Deploy j: capacity', 'Deploy j: instance count'],
  );

  const sls = scriptedUi({
    pick: (list) => list.find((i) => (i as { label: string }).label === 'Serverless 2 GB'),
    input: () => '7',
  });
  assert.deepEqual(await pickCapacity(sls.ui as never, 'Deploy j', 'us-east-1'), {
    instanceType: 'serverless',
    initialInstanceCount: 1,
    serverless: { memorySizeInMB: 2048, maxConcurrency: 7 },
  });
  assert.deepEqual(
    sls.asked.map((a) => a.message),
    ['Deploy j: capacity', 'Deploy j: serverless max concurrency'],
  );
});

test('capacity rows carry the price of one instance', async () => {
  let rows: { label: string; description?: string; detail?: string }[] = [];
  const { ui } = scriptedUi({
    pick: (list) => {
      rows = list as typeof rows;
      return undefined;
    },
  });
  await pickCapacity(ui as never, 'Deploy j', 'eu-west-1');
  const g4 = rows.find((r) => r.label === 'ml.g4dn.xlarge');
  assert.equal(g4?.description, `about $0.736/h, ${OFFLINE}`);
  assert.match(
    rows.find((r) => r.label === 'Serverless 2 GB')?.detail ?? '',
    /about \$0\.000040 per second of compute \(2 GB; offline table/,
  );
  assert.equal(rows.find((r) => r.label === 'Serverless 2 GB')?.description, 'billed per use');
});

test('deploy from the Hub: the modal names the model, the serverless size and its price; cancelling creates nothing', async () => {
  const overrides: unknown[] = [];
  const inputs = ['distilbert/distilbert-base-uncased-finetuned-sst-2-english', '5', ''];
  const { ui, asked } = scriptedUi({
    input: () => inputs.shift(),
    pick: (list, opts) =>
      list.find(
        (i) =>
          (i as { label: string }).label ===
          (opts.title?.endsWith('capacity') ? 'Serverless 2 GB' : 'text-classification'),
      ),
    message: () => undefined,
  });
  const { s, counts } = services(ui, {
    model: { setOverride: (...a: unknown[]) => overrides.push(a), refresh: async () => undefined, node: () => ({}) },
  });
  // The token comes from secret storage, else HF_TOKEN: neither here.
  const hfToken = process.env.HF_TOKEN;
  delete process.env.HF_TOKEN;
  try {
    await deployFromHubCommand(s as EndpointsCtx)();
  } finally {
    if (hfToken !== undefined) process.env.HF_TOKEN = hfToken;
  }
  assert.equal(counts.required, 1);
  const modal = asked.find((a) => a.modal);
  assert.ok(modal, `no modal among ${asked.map((a) => a.kind).join(', ')}`);
  assert.match(
    modal.message,
    /^Deploy distilbert\/distilbert-base-uncased-finetuned-sst-2-english from the Hugging Face Hub as endpoint \S+\?$/,
  );
  assert.ok(
    modal.detail!.includes(
      `a serverless endpoint (2048 MB, up to 5 concurrent, CPU): billed per use: about $0.000040 per second of compute (2 GB; ${OFFLINE}) + about $0.016/GB of data (offline table, us-east-1 prices); nothing while idle`,
    ),
    modal.detail,
  );
  assert.match(modal.detail!, /no Hub token stored/);
  assert.deepEqual(overrides, [], 'cancelled: no endpoint shown as Creating, nothing deployed');
  assert.equal(asked.at(-1), modal, 'nothing is said or asked after the cancel');
});

test('stop training job: the modal names the job; cancelling stops nothing, and a local job stops through its node', async () => {
  const cancel = scriptedUi({ message: () => undefined });
  const a = services(cancel.ui);
  await stopTrainingCommand(a.s)('hf-job-1');
  assert.equal(cancel.asked.length, 1);
  assert.equal(cancel.asked[0]!.message, 'Stop training job hf-job-1?');
  assert.ok(cancel.asked[0]!.modal);
  assert.match(cancel.asked[0]!.detail!, /billing ends when it is Stopped/);
  assert.equal(a.counts.required, 0, 'cancelled: not even connected');

  let stopped = 0;
  const go = scriptedUi({ message: (_k, _m, _o, items) => items[0] });
  const b = services(go.ui);
  await stopTrainingCommand(b.s)({
    jobName: 'local-1',
    local: true,
    stop: async () => {
      stopped++;
    },
  });
  assert.equal(go.asked[0]!.message, 'Stop local training local-1?');
  assert.deepEqual(go.asked[0]!.items, ['Stop Job']);
  assert.equal(stopped, 1);
  assert.equal(b.counts.required, 0, 'a local stop needs no AWS connection');
});

test('delete local endpoint: asks first, naming the server; only "Delete" removes it', async () => {
  const ws = tmp();
  workspace.workspaceFolders = [{ uri: { fsPath: ws }, name: 'ws', index: 0 }];
  try {
    // A registered endpoint whose process is gone: deleting it needs no process to kill.
    const record = {
      name: 'emotion-local',
      url: 'http://127.0.0.1:8765',
      port: 8765,
      pid: 2 ** 22 + 12345,
      model: path.join(ws, 'model'),
      python: 'python3',
      logFile: path.join(ws, 'serve.log'),
      startedAt: new Date().toISOString(),
      local: true as const,
    };
    const registry = path.join(ws, '.sagemaker-hf', 'endpoints.json');
    fs.mkdirSync(path.dirname(registry), { recursive: true });
    fs.writeFileSync(registry, JSON.stringify({ endpoints: [record] }));

    const cancel = scriptedUi({ message: () => undefined });
    const feature = new LocalFeature(services(cancel.ui).s);
    assert.equal(await feature.deleteEndpoint(record), false);
    assert.equal(cancel.asked.length, 1);
    assert.equal(cancel.asked[0]!.message, 'Delete local endpoint emotion-local?');
    assert.ok(cancel.asked[0]!.modal);
    assert.match(
      cancel.asked[0]!.detail!,
      /Stops serve\.py \(pid \d+\) at http:\/\/127\.0\.0\.1:8765\. The model stays in /,
    );
    assert.equal(JSON.parse(fs.readFileSync(registry, 'utf8')).endpoints.length, 1, 'cancelled: still registered');

    const go = scriptedUi({ message: (kind) => (kind === 'warning' ? 'Delete' : undefined) });
    const feature2 = new LocalFeature(services(go.ui).s);
    assert.equal(await feature2.deleteEndpoint(record), true);
    assert.deepEqual(JSON.parse(fs.readFileSync(registry, 'utf8')).endpoints, []);
    assert.equal(go.asked.at(-1)!.message, 'Local endpoint emotion-local deleted (server stopped).');
    feature.dispose();
    feature2.dispose();
  } finally {
    workspace.workspaceFolders = undefined;
  }
});

test('deploy from the Hub with an SDK defaults file: the modal says which value came from which file', async () => {
  const file = '/etc/xdg/sagemaker/config.yaml';
  const doc = parseSdkDefaultsFile(
    'SchemaVersion: "1.0"\nSageMaker:\n  Model:\n    VpcConfig: { SecurityGroupIds: [sg-1], Subnets: [subnet-1] }\n',
    file,
  )!;
  const withDefaults = { ...conn, sdkDefaults: mergeSdkDefaults([{ file, doc }]) };
  const inputs = ['distilbert/distilbert-base-uncased-finetuned-sst-2-english', '5', ''];
  const { ui, asked } = scriptedUi({
    input: () => inputs.shift(),
    pick: (list, opts) =>
      list.find(
        (i) =>
          (i as { label: string }).label ===
          (opts.title?.endsWith('capacity') ? 'Serverless 2 GB' : 'text-classification'),
      ),
    message: () => undefined,
  });
  const { s } = services(ui, {
    connection: { current: withDefaults, require: async () => withDefaults },
    model: { setOverride: () => undefined, refresh: async () => undefined, node: () => ({}) },
  });
  await deployFromHubCommand(s as EndpointsCtx)();
  const modal = asked.find((a) => a.modal)!;
  assert.ok(
    modal.detail!.includes(`Defaults file: CreateModel VpcConfig from ${file} (SageMaker.Model.VpcConfig)`),
    modal.detail,
  );
});
