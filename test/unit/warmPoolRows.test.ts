// The warm pool in the Training Jobs tree and "Release Warm Pool", in plain Node over the stand-in vscode
// module (with real TreeItem/ThemeIcon shapes, so the row's icon and text can be read): a finished job
// whose pool bills shows the pool's icon and its cost right after the status, not the green check of a
// finished job; a pool asked for but not reported shows as requested; nothing to release is information.
import { fakeContext, fakeVscode, scriptedUi } from './helpers/fakeVscode';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as os from 'node:os';
import { SageMakerJobNode, WarmPoolNode } from '../../src/extension/tree/jobNodes';
import { releaseWarmPoolCommand } from '../../src/extension/training/warmPools';
import { warmPoolOf } from '../../src/core/billing/billing';
import type { Services } from '../../src/extension/services';

const v = fakeVscode as unknown as Record<string, unknown>;
v.ThemeIcon = class {
  constructor(
    readonly id: string,
    readonly color?: { id: string },
  ) {}
};
v.ThemeColor = class {
  constructor(readonly id: string) {}
};
v.TreeItem = class {
  constructor(readonly label: string) {}
};
v.MarkdownString = class {
  value = '';
  appendMarkdown(s: string) {
    this.value += s;
    return this;
  }
  appendText(s: string) {
    this.value += s;
    return this;
  }
};

interface Item {
  label: string;
  description?: string;
  iconPath: { id: string; color?: { id: string } };
  contextValue?: string;
  tooltip?: string | { value: string };
}

const model = { region: 'us-east-1', describe: async () => ({}) as never };
const minutesAgo = (m: number) => new Date(Date.now() - m * 60_000);

function jobRow(desc: Record<string, unknown>): Item {
  const n = new SageMakerJobNode('job-1', undefined, model);
  n.desc = desc as never;
  return n.treeItem() as unknown as Item;
}

test('a completed job whose warm pool bills: the pool icon, and its cost right after the status', () => {
  const row = jobRow({
    TrainingJobStatus: 'Completed',
    TrainingStartTime: minutesAgo(30),
    TrainingEndTime: minutesAgo(18),
    ResourceConfig: { InstanceType: 'ml.p3.2xlarge', InstanceCount: 1, KeepAlivePeriodInSeconds: 1800 },
    WarmPoolStatus: { Status: 'Available' },
  });
  assert.equal(row.iconPath.id, 'flame', 'not the green check of a finished job');
  assert.equal(row.iconPath.color?.id, 'charts.orange');
  assert.match(row.description!, /^Completed · warm pool about \$3\.83\/h · 1[12] min left · ml\.p3\.2xlarge × 1/);
  assert.equal(row.contextValue, 'job.Completed.warmPool');
  assert.match((row.tooltip as { value: string }).value, /offline table \(us-east-1 prices\)/);

  const done = jobRow({
    TrainingJobStatus: 'Completed',
    ResourceConfig: { InstanceType: 'ml.p3.2xlarge', KeepAlivePeriodInSeconds: 1800 },
    WarmPoolStatus: { Status: 'Terminated' },
  });
  assert.equal(done.iconPath.id, 'pass', 'a pool that ended leaves the finished job its check');
  assert.doesNotMatch(done.description!, /warm pool/);
});

test('the warm pool row: short, cost first while billing; requested when SageMaker reports no status', () => {
  const billing = new WarmPoolNode(
    'job-1',
    warmPoolOf(
      {
        TrainingEndTime: minutesAgo(18),
        ResourceConfig: { InstanceType: 'ml.p3.2xlarge', InstanceCount: 1, KeepAlivePeriodInSeconds: 1800 },
        WarmPoolStatus: { Status: 'Available' },
      },
      'us-east-1',
    )!,
  ).treeItem() as unknown as Item;
  assert.match(billing.description!, /^about \$3\.83\/h · 1[12] min left$/);
  assert.equal(billing.iconPath.id, 'flame');
  assert.equal(billing.contextValue, 'warmPool.billing');

  const requested = new WarmPoolNode(
    'job-1',
    warmPoolOf(
      {
        TrainingJobStatus: 'InProgress',
        ResourceConfig: { InstanceType: 'ml.p3.2xlarge', KeepAlivePeriodInSeconds: 1800 },
      },
      'us-east-1',
    )!,
  ).treeItem() as unknown as Item;
  assert.equal(requested.description, 'requested · kept 30 min');
  assert.equal(requested.iconPath.id, 'watch');
  assert.equal(requested.contextValue, 'warmPool', 'nothing to release yet');
});

test('Release Warm Pool with no pool billing says so as information, and asks for no connection', async () => {
  const { ui, asked } = scriptedUi({});
  let connected = 0;
  const services = {
    context: fakeContext(os.tmpdir()),
    ui,
    connection: {
      require: async () => {
        connected++;
        throw new Error('no connection in this test');
      },
    },
  } as unknown as Services;
  await releaseWarmPoolCommand(services)();
  assert.deepEqual(
    asked.map((a) => [a.kind, a.message]),
    [['info', 'Nothing to release: no warm pool is billing now (the tree shows warm pools under their training job).']],
  );
  assert.equal(connected, 0);
});
