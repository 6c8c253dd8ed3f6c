// The local endpoint in the editor, in plain Node over the stand-in vscode module: its tree row shows
// status and uptime, and the status bar prices only what bills, listing local endpoints apart
// ("1 endpoint · about $0.74/h + 1 local"), where it used to count the free server among the endpoints.
import { fakeContext, fakeVscode } from './helpers/fakeVscode';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as os from 'node:os';
import { EndpointsModel } from '../../src/extension/endpoints/endpointsModel';
import { registerEndpointSource } from '../../src/extension/tree/endpointsSection';
import { LocalEndpointNode, type LocalActions } from '../../src/extension/local/localNodes';
import type { Services } from '../../src/extension/services';
import type { LocalEndpointRecord } from '../../src/workflow/local/localEndpoint';

const v = fakeVscode as unknown as Record<string, unknown>;
v.TreeItem = class {
  constructor(readonly label: string) {}
};

const record = {
  name: 'local-bert-tiny-20261207-120000',
  url: 'http://127.0.0.1:8080',
  port: 8080,
  pid: 4242,
  model: '/w/model',
  python: 'python3',
  logFile: '/w/serve.log',
  startedAt: new Date(Date.now() - 12 * 60_000).toISOString(),
  local: true,
} as LocalEndpointRecord;
const localNode = new LocalEndpointNode(record, {} as LocalActions);
const off = { dispose() {} };

test('the local endpoint row: status and uptime first, then local and its address', () => {
  const item = localNode.treeItem() as unknown as { description: string; tooltip: string; contextValue: string };
  assert.equal(item.description, 'InService · up 12 min · local · 127.0.0.1:8080');
  assert.match(item.tooltip, /no AWS cost/);
  assert.equal(item.contextValue, 'endpoint.local.InService');
});

function model(connected: boolean) {
  const services = {
    context: fakeContext(os.tmpdir()),
    log: { info() {}, warn() {}, error() {}, debug() {} },
    tree: { view: { onDidChangeVisibility: () => off }, refresh() {}, visible: false },
    connection: {
      current: connected ? { region: 'us-east-1', account: '123456789012', endpoint: 'http://127.0.0.1:9' } : undefined,
      onDidChange: () => off,
    },
  } as unknown as Services;
  const m = new EndpointsModel(services);
  return { m, bar: (m as unknown as { statusItem: { text: string; tooltip: string } }).statusItem };
}

test('status bar: the billed endpoint priced, the local one listed apart; only local: no AWS cost', () => {
  const source = registerEndpointSource({ id: 'test.local', nodes: () => [localNode], onDidChange: () => off });
  try {
    const remote = model(true);
    const n = remote.m.node('ep-1');
    n.facts = {
      desc: { EndpointStatus: 'InService' } as never,
      instanceType: 'ml.g4dn.xlarge',
      count: 1,
      price: { amount: 0.736, unit: 'hour', source: 'offline-table' } as never,
    };
    remote.m.renderStatus();
    assert.equal(remote.bar.text, '$(server) 1 endpoint · about $0.74/h + 1 local');
    assert.match(remote.bar.tooltip, /local-bert-tiny-20261207-120000: local \(this machine\), InService, no AWS cost/);
    remote.m.dispose();

    const local = model(false);
    local.m.renderStatus();
    assert.equal(local.bar.text, '$(server) 1 local endpoint · no AWS cost');
    local.m.dispose();
  } finally {
    source.dispose();
  }
});
