// Bad and long inputs on the command line, through the built CLI: every numeric option is checked
// with an error naming it (before any AWS call), and `predict` takes its text from --file or standard
// input (beyond what a shell accepts as an argument) and refuses empty text. A local HTTP server speaks
// the container contract (POST /invocations) so the request body the CLI sends can be checked.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import { numberOption } from '../../src/cli/options';

const CLI_JS = path.resolve(__dirname, '../../../dist/cli.js');
let server: Server;
let url: string;
let tmp: string;
const bodies: string[] = [];
// No AWS anywhere: a call that slipped through would fail on this endpoint, not hang or succeed.
const env = {
  ...process.env,
  AWS_ENDPOINT_URL: 'http://127.0.0.1:9',
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'x',
  AWS_SECRET_ACCESS_KEY: 'x',
};

before(async () => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'cli-inputs-'));
  server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    bodies.push(Buffer.concat(chunks).toString('utf8'));
    const body = JSON.stringify([
      [
        { label: 'joy', score: 0.9 },
        { label: 'sadness', score: 0.1 },
      ],
    ]);
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
after(async () => {
  await new Promise((r) => server.close(r));
  rmSync(tmp, { recursive: true, force: true });
});

async function cli(args: string[], stdin?: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [CLI_JS, ...args], { env, cwd: tmp });
  let stdout = '',
    stderr = '';
  child.stdout.on('data', (d) => (stdout += String(d)));
  child.stderr.on('data', (d) => (stderr += String(d)));
  child.stdin.end(stdin ?? '');
  const code = await new Promise<number>((r) => child.on('exit', (c) => r(c ?? -1)));
  return {
    code,
    stdout,
    stderr: stderr.replace(/.*NodeVersionSupportWarning[\s\S]*?https:\/\/a\.co\/\S+\n(\(Use .*\n)?/g, ''),
  };
}

test('numberOption: plain decimals only, named in the error', () => {
  assert.equal(numberOption({}, 'poll-seconds', 30), 30);
  assert.equal(numberOption({ 'poll-seconds': '0.5' }, 'poll-seconds', 30, { min: 0.1 }), 0.5);
  for (const bad of ['abc', '', ' ', '0x10', '1e999', 'NaN', 'Infinity', '5s']) {
    assert.throws(
      () => numberOption({ 'poll-seconds': bad }, 'poll-seconds', 30),
      new RegExp(`^UserError: --poll-seconds: '${bad.trim().replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}' is not a number`),
    );
  }
  assert.throws(
    () => numberOption({ count: '1.5' }, 'count', 1, { integer: true, min: 1 }),
    /--count: '1\.5' is not a whole number of at least 1/,
  );
  assert.throws(
    () => numberOption({ count: '0' }, 'count', 1, { integer: true, min: 1 }),
    /--count: '0' is not a whole number of at least 1/,
  );
});

test('--poll-seconds abc and --count 1.5: one line naming the option, exit 1, before anything else', async () => {
  const t = await cli(['train', path.join(tmp, 'no-such.sagemaker-hf.json'), '--wait', '--poll-seconds', 'abc']);
  assert.equal(t.code, 1);
  assert.equal(
    t.stderr,
    "sagemaker-hf train: --poll-seconds: 'abc' is not a number from 0.1 to 3600\n",
    'checked before the spec is even read',
  );
  const d = await cli(['deploy', 'some-job', '--count', '1.5']);
  assert.equal(d.code, 1);
  assert.equal(d.stderr, "sagemaker-hf deploy: --count: '1.5' is not a whole number of at least 1\n");
  const p = await cli(['deploy', 'some-job', '--poll-seconds=-3']);
  assert.match(p.stderr, /--poll-seconds: '-3' is not a number from 0\.1 to 3600/);
});

test('predict --file: a text longer than a shell argument may be, sent as one input', async () => {
  const long = 'winter is coming and it will be dark soon '.repeat(5000); // ~210 KB, over the ~128 KiB argument limit
  const file = path.join(tmp, 'long.txt');
  writeFileSync(file, `${long}\n`);
  bodies.length = 0;
  const r = await cli(['predict', url, '--file', file]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(JSON.parse(bodies[0]!).inputs, long, "the file's text, its final newline dropped");
  assert.match(r.stdout, /"joy"/);
});

test('predict from standard input (--file - and a lone -)', async () => {
  for (const args of [['--file', '-'], ['-']]) {
    bodies.length = 0;
    const r = await cli(['predict', url, ...args], 'I feel great today\n');
    assert.equal(r.code, 0, r.stderr);
    assert.equal(JSON.parse(bodies[0]!).inputs, 'I feel great today');
  }
});

test('predict refuses empty text, as the predictions page does, without sending anything', async () => {
  bodies.length = 0;
  const cases: [string[], string | undefined, RegExp][] = [
    [['   '], undefined, /text: the text is empty/],
    [['-'], '\n', /text: standard input is empty/],
    [['--file', path.join(tmp, 'empty.txt')], undefined, /text: --file .*empty\.txt is empty/],
    [['ok', ''], undefined, /text: text 2 is empty/],
    [['--file', path.join(tmp, 'missing.txt')], undefined, /--file: cannot read .*missing\.txt \(ENOENT\)/],
    [['--file', path.join(tmp, 'empty.txt'), 'also text'], undefined, /either as arguments or with --file/],
  ];
  writeFileSync(path.join(tmp, 'empty.txt'), '\n');
  for (const [args, stdin, re] of cases) {
    const r = await cli(['predict', url, ...args], stdin);
    assert.equal(r.code, 1, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, re);
    assert.equal(r.stderr.trimEnd().split('\n').length, 1, r.stderr);
  }
  assert.equal(bodies.length, 0, 'no request for empty text');
});
