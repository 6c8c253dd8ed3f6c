// Benchmark: prepare emotion train+test (18,000 texts), padding max_length 512, local files -> local
// folders. Ours: the built CLI (`node dist/cli.js prepare --no-upload`). Anchor in the same invocation:
// Python `datasets.map(batched=True)` with the Rust tokenizer (bench/prepare_anchor.py, .cache/venv).
// Wall time of each whole process (what a user waits, imports included) and the work part alone; peak
// RSS from /usr/bin/time -v (falls back to getrusage of the children). Usage: node bench/prepare.bench.mjs [runs]
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const shared = resolve(repo, '../shared');
const emotion = join(shared, 'data/emotion');
const tokenizer = join(shared, 'models/bert-base-uncased');
const python = join(repo, '.cache/venv/bin/python');
const runs = Number(process.argv[2] ?? 3);
if (!existsSync(join(repo, 'dist/cli.js')))
  execFileSync('npm', ['run', '--silent', 'build'], { cwd: repo, stdio: 'inherit' });
const haveTime = existsSync('/usr/bin/time');

function measure(cmd, args) {
  const full = haveTime ? ['/usr/bin/time', ['-v', cmd, ...args]] : [cmd, args];
  const t0 = process.hrtime.bigint();
  const r = spawnSync(full[0], full[1], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const wall = Number(process.hrtime.bigint() - t0) / 1e9;
  if (r.status !== 0) throw new Error(`${cmd} failed (${r.status}): ${r.stderr.slice(-2000)}`);
  const m = /Maximum resident set size \(kbytes\): (\d+)/.exec(r.stderr);
  return { wall, rssMiB: m ? Number(m[1]) / 1024 : NaN, stdout: r.stdout };
}

const work = mkdtempSync(join(tmpdir(), 'prepare-bench-'));
const spec = join(work, 'emotion.sagemaker-hf.json');
writeFileSync(
  spec,
  JSON.stringify({
    version: 1,
    dataset: {
      source: { train: join(emotion, 'train.jsonl'), test: join(emotion, 'test.jsonl') },
      splits: { train: 'train', test: 'test' },
      tokenizer,
      labelNames: ['sadness', 'joy', 'love', 'anger', 'fear', 'surprise'],
      padding: 'max_length',
      maxLength: 512,
    },
    training: { entryPoint: 'train.py', sourceDir: '.', instanceType: 'local' },
  }),
);

const ours = [],
  anchor = [];
try {
  for (let i = 0; i < runs; i++) {
    // Alternated so that a noisy neighbour hurts both sides alike.
    const o = measure(process.execPath, [
      join(repo, 'dist/cli.js'),
      'prepare',
      spec,
      '--no-upload',
      '--json',
      '--out',
      join(work, `ours-${i}`),
    ]);
    o.work = JSON.parse(o.stdout).report.seconds;
    ours.push(o);
    const a = measure(python, [join(repo, 'bench/prepare_anchor.py'), emotion, tokenizer, join(work, `py-${i}`)]);
    const j = JSON.parse(a.stdout.trim().split('\n').pop());
    a.work = j.work_s;
    a.importS = j.import_s;
    anchor.push(a);
    rmSync(join(work, `ours-${i}`), { recursive: true, force: true });
    rmSync(join(work, `py-${i}`), { recursive: true, force: true });
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const o = {
  wall: median(ours.map((r) => r.wall)),
  work: median(ours.map((r) => r.work)),
  rss: Math.max(...ours.map((r) => r.rssMiB)),
};
const a = {
  wall: median(anchor.map((r) => r.wall)),
  work: median(anchor.map((r) => r.work)),
  rss: Math.max(...anchor.map((r) => r.rssMiB)),
  imp: median(anchor.map((r) => r.importS)),
};
console.log(`prepare emotion train+test (18,000 texts), max_length 512, local -> local; ${runs} run(s), medians`);
console.log(
  `ours   (node dist/cli.js prepare)      wall ${o.wall.toFixed(2)} s  work ${o.work.toFixed(2)} s  peak RSS ${o.rss.toFixed(0)} MiB`,
);
console.log(
  `anchor (python datasets.map batched)   wall ${a.wall.toFixed(2)} s  work ${a.work.toFixed(2)} s  (imports ${a.imp.toFixed(2)} s)  peak RSS ${a.rss.toFixed(0)} MiB`,
);
console.log(
  `ratio  wall ${(a.wall / o.wall).toFixed(2)}x  work ${(a.work / o.work).toFixed(2)}x faster; target >= 4x wall, peak < 1024 MiB: ${a.wall / o.wall >= 4 && o.rss < 1024 ? 'met' : 'NOT met'}`,
);
