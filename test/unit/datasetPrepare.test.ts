// Dataset preparation pieces: writer bytes and schema, labels, padding, report, source errors, tokenizer.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { tableFromIPC } from 'apache-arrow';
import { datasetInfoJson, stateJson } from '../../src/core/dataset/saveToDisk';
import { SplitWriter, writeSplit } from '../../src/workflow/dataset/splitWriter';
import { encodeLabels, resolveLabelNames, type RawLabel } from '../../src/core/dataset/labels';
import { choosePadding } from '../../src/core/dataset/padding';
import {
  LengthCounts,
  escapeMarkdown,
  histogram,
  lengthStats,
  paddingOptions,
  percentile,
  renderReportMarkdown,
  reportSummary,
  splitReport,
} from '../../src/core/dataset/prepareReport';
import { pythonJsonDumps as pyJsonDumps } from '../../src/core/pythonJson';
import { CancelledError, UserError } from '../../src/core/errors';
import type { JobSpec } from '../../src/core/spec/spec';
import { defaultS3Prefix, validateSpec } from '../../src/core/spec/spec';
import { loadSplits } from '../../src/workflow/dataset/datasetSources';
import { loadTokenizer } from '../../src/workflow/dataset/tokenizerLoader';
import { prepareDataset, tokenizeTexts } from '../../src/workflow/dataset/prepare';

const repoRoot = path.resolve(__dirname, '../../..');
const shared = path.resolve(repoRoot, '../shared');
const TOKENIZER = path.join(shared, 'models/bert-base-uncased');
const NAMES = ['sadness', 'joy', 'love', 'anger', 'fear', 'surprise'];

function tmpDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'prep-unit-'));
}

function specWith(dataset: Record<string, unknown>): JobSpec {
  return validateSpec({
    version: 1,
    dataset: { tokenizer: TOKENIZER, splits: { train: 'train' }, ...dataset },
    training: { entryPoint: 'train.py', sourceDir: '.', instanceType: 'local' },
  });
}

function writeFile(dir: string, name: string, text: string): string {
  const f = path.join(dir, name);
  fs.writeFileSync(f, text);
  return f;
}

async function rejectsWith(p: Promise<unknown>, re: RegExp): Promise<void> {
  await assert.rejects(p, (err: unknown) => {
    assert.ok(err instanceof UserError, `expected a UserError, got ${String(err)}`);
    assert.match((err as Error).message, re);
    return true;
  });
}

test('pyJsonDumps writes what Python json.dumps writes', () => {
  assert.equal(pyJsonDumps({ b: [1, 'é'], a: {} }), '{"b": [1, "\\u00e9"], "a": {}}');
  assert.equal(pyJsonDumps({ b: 1, a: [] }, { indent: 2, sortKeys: true }), '{\n  "a": [],\n  "b": 1\n}');
});

test('state.json and dataset_info.json text is exactly what save_to_disk writes', () => {
  assert.equal(
    stateJson(['data-00000-of-00001.arrow'], '742c7b510e40dc43', 'train', true),
    '{\n  "_data_files": [\n    {\n      "filename": "data-00000-of-00001.arrow"\n    }\n  ],\n  "_fingerprint": "742c7b510e40dc43",\n  "_format_columns": [\n    "input_ids",\n    "token_type_ids",\n    "attention_mask",\n    "labels"\n  ],\n  "_format_kwargs": {},\n  "_format_type": "torch",\n  "_output_all_columns": false,\n  "_split": "train"\n}',
  );
  const info = JSON.parse(datasetInfoJson(['a', 'b'], false));
  assert.deepEqual(Object.keys(info), ['citation', 'description', 'features', 'homepage', 'license']);
  assert.deepEqual(Object.keys(info.features), ['input_ids', 'attention_mask', 'labels']);
  assert.deepEqual(info.features.labels, { names: ['a', 'b'], _type: 'ClassLabel' });
  assert.deepEqual(info.features.input_ids, { feature: { dtype: 'int32', _type: 'Value' }, _type: 'Sequence' });
});

test('writer: arrow stream with list<int32>/list<int8>/int64, padding, 1000-row batches, shards', async () => {
  const dir = tmpDir();
  const rows = 2500;
  const offsets = new Int32Array(rows + 1);
  const ids: number[] = [];
  for (let i = 0; i < rows; i++) {
    const n = 3 + (i % 5);
    ids.push(101, ...Array.from({ length: n - 2 }, (_, k) => 1000 + i + k), 102);
    offsets[i + 1] = ids.length;
  }
  const labels = BigInt64Array.from({ length: rows }, (_, i) => BigInt(i % 3));
  const s = { split: 'train', rows, offsets, ids: Int32Array.from(ids), typeIds: new Int8Array(ids.length), labels };
  const w = await writeSplit(path.join(dir, 'train'), s, { labelNames: ['x', 'y', 'z'], padTo: 8, padTokenId: 0 });
  assert.deepEqual(
    w.files.map((f) => f.name),
    ['data-00000-of-00001.arrow', 'dataset_info.json', 'state.json'],
  );
  const bytes = fs.readFileSync(path.join(dir, 'train', 'data-00000-of-00001.arrow'));
  assert.notEqual(bytes.subarray(0, 6).toString(), 'ARROW1', 'stream format, not file format');
  assert.deepEqual([...bytes.subarray(-8)], [0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0], 'ends with the EOS marker');
  const table = tableFromIPC(bytes);
  assert.equal(table.numRows, rows);
  assert.deepEqual(
    table.batches.map((b) => b.numRows),
    [1000, 1000, 500],
  );
  assert.equal(
    String(table.schema.fields.map((f) => `${f.name}:${f.type}`)),
    'input_ids:List<Int32>,token_type_ids:List<Int8>,attention_mask:List<Int8>,labels:Int64',
  );
  const meta = JSON.parse(table.schema.metadata.get('huggingface')!);
  assert.deepEqual(meta.info.features.labels.names, ['x', 'y', 'z']);
  const row7 = [...(table.getChild('input_ids')!.get(7) as Iterable<number>)];
  assert.deepEqual(row7, [101, 1007, 1008, 1009, 102, 0, 0, 0]);
  assert.deepEqual([...(table.getChild('attention_mask')!.get(7) as Iterable<number>)], [1, 1, 1, 1, 1, 0, 0, 0]);
  assert.equal(table.getChild('labels')!.get(7), 1n);
  // Unpadded, and split into shards once over the shard size (contiguous, like Dataset.shard).
  const w2 = await writeSplit(path.join(dir, 'dyn'), s, {
    labelNames: ['x', 'y', 'z'],
    padTo: null,
    padTokenId: 0,
    maxShardBytes: 40_000,
  });
  const shards = w2.files.filter((f) => f.name.endsWith('.arrow'));
  assert.ok(shards.length >= 2);
  const back = shards.map((f) => tableFromIPC(fs.readFileSync(path.join(dir, 'dyn', f.name))));
  assert.equal(
    back.reduce((a, t) => a + t.numRows, 0),
    rows,
  );
  assert.deepEqual([...(back[0]!.getChild('input_ids')!.get(7) as Iterable<number>)], [101, 1007, 1008, 1009, 102]);
  const state = JSON.parse(fs.readFileSync(path.join(dir, 'dyn', 'state.json'), 'utf8'));
  assert.deepEqual(
    state._data_files.map((f: { filename: string }) => f.filename),
    shards.map((f) => f.name),
  );
});

test('labels: spec names, dataset names, sorted strings, integer ids; errors name the row', () => {
  const src = (labels: (string | number)[]) => ({ labels, locate: (i: number) => `train.jsonl:${i + 1}` });
  assert.deepEqual(resolveLabelNames({ spec: ['b', 'a'], sources: [src(['a'])], column: 'label' }), {
    names: ['b', 'a'],
    origin: 'spec',
  });
  assert.deepEqual(resolveLabelNames({ dataset: NAMES, sources: [src([0])], column: 'label' }).names, NAMES);
  assert.deepEqual(resolveLabelNames({ sources: [src(['joy', 'anger', 'Zeta']), src(['love'])], column: 'label' }), {
    names: ['Zeta', 'anger', 'joy', 'love'],
    origin: 'sorted-strings',
  });
  assert.deepEqual(resolveLabelNames({ sources: [src([0, 3])], column: 'label' }).names, ['0', '1', '2', '3']);
  assert.throws(
    () => resolveLabelNames({ sources: [src(['a', 1])], column: 'label' }),
    /mixes class names and numeric ids/,
  );
  assert.deepEqual([...encodeLabels(src(['joy', 'sadness']), NAMES, 'label')], [1n, 0n]);
  assert.throws(
    () => encodeLabels(src(['joy', 'happy']), NAMES, 'label'),
    /train\.jsonl:2: label 'happy' is not in the class list \(sadness, joy/,
  );
  assert.throws(
    () => encodeLabels(src([2, 6]), NAMES, 'label'),
    /train\.jsonl:2: label 6 is out of range: ids go from 0 to 5/,
  );
});

test('padding modes: max_length, auto (multiple of 8, capped), dynamic', () => {
  assert.deepEqual(choosePadding('max_length', 512, 512, 87), { mode: 'max_length', truncateAt: 512, padTo: 512 });
  assert.deepEqual(choosePadding('auto', 512, 512, 87), { mode: 'auto', truncateAt: 88, padTo: 88 });
  assert.deepEqual(choosePadding('auto', 512, 512, 88), { mode: 'auto', truncateAt: 88, padTo: 88 });
  assert.deepEqual(choosePadding('auto', 1024, 512, 900), { mode: 'auto', truncateAt: 512, padTo: 512 });
  assert.deepEqual(choosePadding('auto', 60, 512, 87), { mode: 'auto', truncateAt: 60, padTo: 60 });
  assert.deepEqual(choosePadding('dynamic', 1024, 512, 87), { mode: 'dynamic', truncateAt: 512, padTo: null });
  assert.deepEqual(choosePadding('max_length', 128, Infinity, 87), { mode: 'max_length', truncateAt: 128, padTo: 128 });
});

test('report: percentiles, histogram, truncation, padding share, what auto saves', () => {
  const lengths = Int32Array.from([4, 10, 20, 20, 30, 90]);
  assert.deepEqual(lengthStats(lengths), { min: 4, p50: 20, p90: 90, p99: 90, max: 90, mean: 29 });
  const h = histogram(lengths);
  assert.equal(
    h.reduce((a, b) => a + b.count, 0),
    6,
  );
  assert.equal(h[0]!.from, 0);
  const s = splitReport({
    channel: 'train',
    split: 'train',
    lengths,
    labels: BigInt64Array.from([0n, 1n, 1n, 0n, 1n, 1n]),
    labelNames: ['a', 'b'],
    truncateAt: 64,
    padTo: 64,
    bytes: 123,
  });
  assert.equal(s.truncatedRows, 1);
  assert.equal(s.realTokens, 4 + 10 + 20 + 20 + 30 + 64);
  assert.equal(s.storedTokens, 6 * 64);
  assert.deepEqual(s.labelCounts, { a: 2, b: 4 });
  const opts = paddingOptions([lengths], 512, 512, true);
  assert.deepEqual(
    opts.map((o) => [o.mode, o.length, o.truncatedRows]),
    [
      ['max_length', 512, 0],
      ['auto', 96, 0],
      ['dynamic', null, 0],
    ],
  );
  assert.ok(opts[1]!.bytes < opts[0]!.bytes / 4);
  const report = {
    createdAt: 'now',
    tool: 't',
    source: 's',
    tokenizer: 'k',
    padding: 'max_length' as const,
    maxLength: 512,
    truncateAt: 512,
    labelNames: ['a', 'b'],
    labelNamesFrom: 'spec',
    splits: [s],
    options: opts,
    bytesWritten: 123,
    seconds: 1,
  };
  assert.match(reportSummary(report).join('\n'), /padding "auto" would store rows at 96 tokens/);
  assert.match(renderReportMarkdown(report), /\| auto \| 96 \| 0 \|/);
});

test('sources: malformed JSONL line, missing columns, empty split, absent split, CSV ids', async () => {
  const dir = tmpDir();
  const ok = '{"text":"a","label":0}\n{"text":"b","label":1}\n';
  const bad = writeFile(dir, 'bad.jsonl', ok + '{"text": "c", "label": \n');
  await rejectsWith(loadSplits(specWith({ source: { train: bad } }).dataset), /^bad\.jsonl:3: not a valid JSON line/);
  const noText = writeFile(dir, 'notext.jsonl', ok + '{"sentence":"c","label":1}\n');
  await rejectsWith(
    loadSplits(specWith({ source: { train: noText } }).dataset),
    /^notext\.jsonl:3: no 'text' column \(dataset\.textColumn\); the row has: sentence, label/,
  );
  const noLabel = writeFile(dir, 'nolabel.csv', 'text,target\nhello,1\n');
  await rejectsWith(
    loadSplits(specWith({ source: { train: noLabel } }).dataset),
    /^nolabel\.csv:2: no 'label' column \(dataset\.labelColumn\)/,
  );
  const empty = writeFile(dir, 'empty.jsonl', '\n');
  await rejectsWith(
    loadSplits(specWith({ source: { train: empty } }).dataset),
    /dataset\.splits: split 'train' \(.*empty\.jsonl\) has no rows/,
  );
  assert.throws(
    () => specWith({ source: { train: empty }, splits: { train: 'train', test: 'test' } }),
    /split 'test' of channel 'test' has no file in dataset\.source/,
  );
  const csv = writeFile(dir, 'ok.csv', 'text,label\n"hello, world",3\nbye,0\n');
  const rows = (await loadSplits(specWith({ source: { train: csv } }).dataset)).splits.get('train')!;
  assert.deepEqual(rows.texts, ['hello, world', 'bye']);
  assert.deepEqual(rows.labels, [3, 0]);
  assert.equal(rows.locate(1), 'ok.csv:3');
  const limited = await loadSplits(
    specWith({ source: { train: path.join(shared, 'data/emotion/train.jsonl') }, limit: 5 }).dataset,
  );
  assert.equal(limited.splits.get('train')!.texts.length, 5);
});

test('a label not in the class list fails the whole run, naming file and line', async () => {
  const dir = tmpDir();
  const f = writeFile(dir, 'train.jsonl', '{"text":"a","label":"joy"}\n{"text":"b","label":"glee"}\n');
  await rejectsWith(
    prepareDataset(specWith({ source: { train: f }, labelNames: NAMES }), { outDir: path.join(dir, 'out') }),
    /train\.jsonl:2: label 'glee' is not in the class list/,
  );
  assert.equal(fs.existsSync(path.join(dir, 'out', 'train', 'state.json')), false, 'nothing written');
});

test('a tokenizer that cannot be found is a UserError naming dataset.tokenizer', async () => {
  await rejectsWith(
    loadTokenizer(path.join(tmpDir(), 'nope')),
    /^dataset\.tokenizer: tokenizer folder .*nope has no tokenizer\.json/,
  );
  // A Hub id with no Hub reachable (an unused local port) fails the same way, without hanging.
  await rejectsWith(
    loadTokenizer('no-such-org/no-such-model', { hubEndpoint: 'http://127.0.0.1:9', cacheDir: tmpDir() }),
    /^dataset\.tokenizer: tokenizer 'no-such-org\/no-such-model' on http:\/\/127\.0\.0\.1:9 could not be loaded/,
  );
});

test('tokenizer: Hub files as they are give Python ids; over-long text is truncated and counted', async () => {
  const tok = await loadTokenizer(TOKENIZER);
  assert.equal(tok.modelMaxLength, 512);
  assert.equal(tok.padTokenId, 0);
  assert.equal(tok.usesTokenTypeIds, true);
  assert.deepEqual(tok.encodeBatch(['Hello, world!']).input_ids[0], [101, 7592, 1010, 2088, 999, 102]);
  const long = Array(300).fill('running').join(' ');
  const t = await tokenizeTexts(tok, ['How are you doing?', long], 16);
  assert.deepEqual([...t.rawLengths], [7, 302]);
  assert.deepEqual([...t.ids.subarray(t.offsets[1]!, t.offsets[2]!)], [101, ...Array(14).fill(2770), 102]);
  const dir = tmpDir();
  const f = writeFile(dir, 'train.jsonl', `{"text":"short","label":0}\n{"text":"${long}","label":1}\n`);
  const res = await prepareDataset(specWith({ source: { train: f }, maxLength: 16, padding: 'dynamic' }), {
    outDir: path.join(dir, 'out'),
  });
  assert.equal(res.report.splits[0]!.truncatedRows, 1);
  assert.equal(res.maxLength, 16);
  assert.deepEqual(res.labelNames, ['0', '1']);
  const table = tableFromIPC(fs.readFileSync(path.join(dir, 'out', 'train', 'data-00000-of-00001.arrow')));
  assert.equal((table.getChild('input_ids')!.get(1) as { length: number }).length, 16);
  assert.match(fs.readFileSync(res.reportPath, 'utf8'), /\| train \| train \| 2 \| 1 \|/);
});

// ---- Streaming prepare and dataset safety (issues 14 and 11) ----

test('a byte that is not UTF-8 is refused with file and line (JSONL and CSV), not turned into U+FFFD', async () => {
  const dir = tmpDir();
  const jsonl = path.join(dir, 'latin1.jsonl');
  fs.writeFileSync(
    jsonl,
    Buffer.concat([
      Buffer.from('{"text":"fine","label":0}\n{"text":"caf'),
      Buffer.from([0xe9]),
      Buffer.from('","label":1}\n'),
    ]),
  );
  await rejectsWith(
    prepareDataset(specWith({ source: { train: jsonl } }), { outDir: path.join(dir, 'out'), workers: 0 }),
    /^latin1\.jsonl:2: not valid UTF-8 \(byte 0xe9 at column 13\)/,
  );
  const csv = path.join(dir, 'latin1.csv');
  fs.writeFileSync(
    csv,
    Buffer.concat([Buffer.from('text,label\nok,0\nok,1\nna'), Buffer.from([0xef, 0xbb]), Buffer.from('ve,1\n')]),
  );
  await rejectsWith(loadSplits(specWith({ source: { train: csv } }).dataset), /^latin1\.csv:4: not valid UTF-8/);
  assert.equal(fs.existsSync(path.join(dir, 'out', 'train')), false, 'nothing written');
});

test('label 1.5 is "not a whole number", not "out of range"', async () => {
  const dir = tmpDir();
  const f = writeFile(dir, 'train.jsonl', '{"text":"a","label":0}\n{"text":"b","label":1.5}\n');
  await rejectsWith(
    prepareDataset(specWith({ source: { train: f }, labelNames: ['x', 'y'] }), {
      outDir: path.join(dir, 'o1'),
      workers: 0,
    }),
    /^train\.jsonl:2: label 1\.5 is not a whole number/,
  );
  await rejectsWith(
    prepareDataset(specWith({ source: { train: f } }), { outDir: path.join(dir, 'o2'), workers: 0 }),
    /^train\.jsonl:2: label 1\.5 is not a whole number/,
  );
});

test('a stray label making empty classes is warned about in the report, its Markdown and the summary', async () => {
  const dir = tmpDir();
  const f = writeFile(dir, 'train.jsonl', '{"text":"a","label":0}\n{"text":"b","label":1}\n{"text":"c","label":5}\n');
  const res = await prepareDataset(specWith({ source: { train: f }, padding: 'dynamic' }), {
    outDir: path.join(dir, 'out'),
    workers: 0,
  });
  assert.deepEqual(res.labelNames, ['0', '1', '2', '3', '4', '5']);
  assert.deepEqual(res.report.emptyClasses, ['2', '3', '4']);
  assert.match(reportSummary(res.report).join('\n'), /WARNING: 3 of 6 classes have no rows in any split \(2, 3, 4\)/);
  assert.match(fs.readFileSync(res.reportPath, 'utf8'), /\*\*WARNING: 3 of 6 classes have no rows/);
});

test('report Markdown escapes label names: no remote image, no broken table', () => {
  const names = ['![x](https://evil.example/x.png)', 'a|b', '<img src=x>'];
  const s = splitReport({
    channel: 'train',
    split: 'train',
    lengths: Int32Array.from([5, 6, 7]),
    labels: BigInt64Array.from([0n, 1n, 2n]),
    labelNames: names,
    truncateAt: 64,
    padTo: null,
    bytes: 1,
  });
  const md = renderReportMarkdown({
    createdAt: 'now',
    tool: 't',
    source: 's',
    tokenizer: 'k',
    padding: 'dynamic',
    maxLength: null,
    truncateAt: 64,
    labelNames: names,
    labelNamesFrom: 'spec',
    splits: [s],
    options: paddingOptions([Int32Array.from([5, 6, 7])], 64, 512, true),
    bytesWritten: 1,
    seconds: 1,
  });
  assert.doesNotMatch(md, /!\[x\]\(https/, 'no image syntax left');
  assert.doesNotMatch(md, /<img/, 'no raw HTML');
  const rows = md.split('\n').filter((l) => /^\| (.*evil|a\\\|b|&lt;img)/.test(l));
  assert.equal(rows.length, 3);
  // Each label-count row has exactly the two cells of the header (label, train): unescaped pipes only.
  for (const r of rows) assert.equal(r.replace(/\\\|/g, '').split('|').length - 2, 2, r);
  assert.equal(escapeMarkdown('a|b'), 'a\\|b');
});

test('Ctrl-C during the local write leaves the previous folder readable and no temporary folder', async () => {
  const dir = tmpDir();
  const out = path.join(dir, 'out');
  const spec = specWith({
    source: { train: path.join(shared, 'data/emotion/train.jsonl') },
    limit: 3000,
    padding: 'max_length',
    maxLength: 64,
  });
  await prepareDataset(spec, { outDir: out, workers: 0 });
  const before = fs.readFileSync(path.join(out, 'train', 'state.json'), 'utf8');
  const ctl = new AbortController();
  await assert.rejects(
    prepareDataset(
      { ...spec, dataset: { ...spec.dataset, limit: 2500 } },
      {
        outDir: out,
        workers: 0,
        signal: ctl.signal,
        onProgress: (p) => p.stage === 'tokenize' && (p.rows ?? 0) > 0 && ctl.abort(),
      },
    ),
    (err) => err instanceof CancelledError,
  );
  assert.equal(
    fs.readFileSync(path.join(out, 'train', 'state.json'), 'utf8'),
    before,
    'state.json of the previous run',
  );
  const state = JSON.parse(before) as { _data_files: { filename: string }[] };
  const table = tableFromIPC(fs.readFileSync(path.join(out, 'train', state._data_files[0]!.filename)));
  assert.equal(table.numRows, 3000, 'the arrow file state.json lists is there and whole');
  assert.deepEqual(
    fs.readdirSync(out).filter((n) => n.includes('partial') || n.includes('.old-')),
    [],
  );
});

test('streaming writer: any chunking gives the bytes and fingerprint of the one-shot writer, shards included', async () => {
  const dir = tmpDir();
  const rows = 3333;
  const offsets = new Int32Array(rows + 1);
  const ids: number[] = [];
  for (let i = 0; i < rows; i++) {
    const n = 3 + (i % 7);
    for (let k = 0; k < n; k++) ids.push(k === 0 ? 101 : k === n - 1 ? 102 : 2000 + ((i * 7 + k) % 500));
    offsets[i + 1] = ids.length;
  }
  const s = {
    split: 'train',
    rows,
    offsets,
    ids: Int32Array.from(ids),
    typeIds: new Int8Array(ids.length),
    labels: BigInt64Array.from({ length: rows }, (_, i) => BigInt(i % 4)),
  };
  for (const padTo of [null, 16]) {
    const whole = await writeSplit(path.join(dir, `whole-${padTo}`), s, {
      labelNames: ['a', 'b', 'c', 'd'],
      padTo,
      padTokenId: 0,
      maxShardBytes: 60_000,
    });
    const shards = whole.files.filter((f) => f.name.endsWith('.arrow')).length;
    assert.ok(shards >= 2, `several shards (${shards})`);
    const closed: string[] = [];
    const w = new SplitWriter(path.join(dir, `stream-${padTo}`), {
      split: 'train',
      rows,
      shards,
      withTypeIds: true,
      labelNames: ['a', 'b', 'c', 'd'],
      padTo,
      padTokenId: 0,
      onShard: (f) => closed.push(f.name),
    });
    // Chunks of odd sizes that straddle record batch and shard boundaries.
    for (let a = 0, k = 0; a < rows; k++) {
      const b = Math.min(rows, a + [1, 777, 1500, 13, 2001][k % 5]!);
      const base = offsets[a]!;
      await w.append({
        rows: b - a,
        offsets: offsets.slice(a, b + 1).map((o) => o - base),
        ids: s.ids.slice(base, offsets[b]!),
        typeIds: s.typeIds.slice(base, offsets[b]!),
        labels: s.labels.slice(a, b),
      });
      a = b;
    }
    const streamed = await w.finish();
    assert.equal(streamed.fingerprint, whole.fingerprint);
    assert.deepEqual(streamed.files, whole.files);
    assert.deepEqual(
      closed,
      whole.files.filter((f) => f.name.endsWith('.arrow')).map((f) => f.name),
      'each shard handed over as it closed',
    );
    for (const f of whole.files)
      assert.ok(
        fs
          .readFileSync(path.join(dir, `whole-${padTo}`, f.name))
          .equals(fs.readFileSync(path.join(dir, `stream-${padTo}`, f.name))),
        f.name,
      );
  }
});

test('tokenizer worker threads give the same files as the main thread', async () => {
  const dir = tmpDir();
  const long = Array(200).fill('unbelievably').join(' ');
  const rows = fs.readFileSync(path.join(shared, 'data/emotion/test.jsonl'), 'utf8').trim().split('\n').slice(0, 1500);
  rows[10] = JSON.stringify({ text: long, label: 2 });
  const f = writeFile(dir, 'train.jsonl', rows.join('\n') + '\n');
  const spec = specWith({ source: { train: f }, labelNames: NAMES, padding: 'auto', maxLength: 128 });
  const one = await prepareDataset(spec, { outDir: path.join(dir, 'main'), workers: 0 });
  const two = await prepareDataset(spec, { outDir: path.join(dir, 'workers'), workers: 2 });
  assert.equal(one.workers, 0);
  assert.equal(two.workers, 2, 'dist/tokenizeWorker.js found and used (run npm run build first)');
  assert.equal(two.maxLength, 128);
  assert.equal(two.report.splits[0]!.truncatedRows, 1);
  for (const name of ['data-00000-of-00001.arrow', 'state.json', 'dataset_info.json']) {
    assert.ok(
      fs
        .readFileSync(path.join(dir, 'main', 'train', name))
        .equals(fs.readFileSync(path.join(dir, 'workers', 'train', name))),
      name,
    );
  }
});

test('length counts give the exact nearest-rank percentiles of the sorted lengths', () => {
  const values = Int32Array.from({ length: 5000 }, (_, i) => ((i * 7919) % 613) + (i % 3));
  const sorted = Int32Array.from(values).sort();
  const c = new LengthCounts().addAll(values);
  for (const p of [1, 50, 90, 99, 99.9, 100]) assert.equal(c.percentile(p), percentile(sorted, p), `p${p}`);
  assert.deepEqual(lengthStats(c), lengthStats(values));
});

test('default s3Prefix: derived from the spec file, so two specs never share one', () => {
  const data = () => ({
    version: 1,
    dataset: { source: 'dair-ai/emotion', splits: { train: 'train' }, tokenizer: 'bert-base-uncased' },
    training: { entryPoint: 'train.py', sourceDir: '.', instanceType: 'local' },
  });
  const a = validateSpec(data(), '/work/a/emotion.sagemaker-hf.json').dataset.s3Prefix;
  const b = validateSpec(data(), '/work/b/emotion.sagemaker-hf.json').dataset.s3Prefix;
  assert.match(a, /^datasets\/emotion-[0-9a-f]{8}$/);
  assert.notEqual(a, b);
  assert.equal(validateSpec(data(), '/work/a/emotion.sagemaker-hf.json').dataset.s3Prefix, a, 'stable');
  assert.equal(validateSpec({ ...data(), dataset: { ...data().dataset, s3Prefix: 'mine' } }).dataset.s3Prefix, 'mine');
  assert.notEqual(
    defaultS3Prefix({ source: 'x/y', splits: { train: 'train' }, tokenizer: 't' }),
    defaultS3Prefix({ source: 'x/z', splits: { train: 'train' }, tokenizer: 't' }),
  );
});

test('a label column that is a struct or a list is said as such, not as missing', () => {
  const rows = (labels: unknown[]) => ({
    labels: labels as RawLabel[],
    locate: (i: number) => `train.parquet row ${i}`,
  });
  assert.throws(
    () => encodeLabels(rows([{ name: 'joy', id: 1n }]), NAMES, 'label'),
    (e) =>
      e instanceof UserError &&
      /^train\.parquet row 0: label is a struct \(\{"name":"joy","id":"1"\}\), not a class name or id; point dataset\.labelColumn/.test(
        e.message,
      ),
  );
  assert.throws(() => encodeLabels(rows([['joy']]), NAMES, 'label'), /label is a list \(\["joy"\]\)/);
  assert.throws(() => encodeLabels(rows([null]), NAMES, 'label'), /label is missing/);
});

test('inferring class names from a struct label column says its type too', () => {
  assert.throws(
    () =>
      resolveLabelNames({
        sources: [{ labels: [{ id: 1n }] as unknown as RawLabel[], locate: (i: number) => `train.parquet row ${i}` }],
        column: 'label',
      }),
    /train\.parquet row 0: label is a struct \(\{"id":"1"\}\), not a class name or id/,
  );
});
