// Benchmark: prepare at scale, padding max_length 128, one local JSONL split -> local folder.
// Inputs are built at bench time in /tmp from the emotion texts (train+validation+test, 20,000 rows,
// repeated in order) and removed afterwards; they are never committed.
// Ours: the built CLI (`node dist/cli.js prepare --no-upload`, tokenizer workers = cores).
// Anchor in the same invocation: Python `datasets.map(batched=True, num_proc=cores)` with the Rust
// tokenizer and `save_to_disk(num_proc=cores)` (bench/prepare_scale_anchor.py, .cache/venv).
// Whole-process wall time and peak RSS (/usr/bin/time -v) of each; then every row's token ids, mask,
// type ids and label of our folder are compared with the anchor's (bench/prepare_scale_compare.py).
// Usage: node bench/prepare_scale.bench.mjs [rows,rows,...] [--anchor-max ROWS]
//   default rows 180000,1800000,5000000; the anchor (and the id check) runs for row counts <= --anchor-max
//   (default: all); above it every row is still checked against the Rust tokenizer run on the input.
import { execFileSync, spawnSync } from 'node:child_process';
import { createWriteStream, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const shared = resolve(repo, '../shared');
const emotion = join(shared, 'data/emotion');
const tokenizer = join(shared, 'models/bert-base-uncased');
const python = join(repo, '.cache/venv/bin/python');
const args = process.argv.slice(2);
const sizes = (args.find((a) => /^\d[\d,]*$/.test(a)) ?? '180000,1800000,5000000').split(',').map(Number);
const anchorMax = args.includes('--anchor-max') ? Number(args[args.indexOf('--anchor-max') + 1]) : Infinity;
const cores = cpus().length;
if (!existsSync(join(repo, 'dist/cli.js')) || !existsSync(join(repo, 'dist/tokenizeWorker.js')))
  execFileSync('npm', ['run', '--silent', 'build'], { cwd: repo, stdio: 'inherit' });

function measure(cmd, argv) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync('/usr/bin/time', ['-v', cmd, ...argv], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  const wall = Number(process.hrtime.bigint() - t0) / 1e9;
  if (r.status !== 0) throw new Error(`${cmd} failed (${r.status}): ${r.stderr.slice(-3000)}`);
  const m = /Maximum resident set size \(kbytes\): (\d+)/.exec(r.stderr);
  // CPU seconds (user + system, children included): the figure a machine shared with others disturbs least.
  const cpu = ['User', 'System'].reduce(
    (a, k) => a + Number(new RegExp(`${k} time \\(seconds\\): ([\\d.]+)`).exec(r.stderr)?.[1] ?? NaN),
    0,
  );
  return { wall, cpu, rssMiB: m ? Number(m[1]) / 1024 : NaN, stdout: r.stdout };
}

async function buildInput(file, rows) {
  const lines = ['train', 'validation', 'test'].flatMap((s) =>
    readFileSync(join(emotion, `${s}.jsonl`), 'utf8')
      .trim()
      .split('\n'),
  );
  const out = createWriteStream(file);
  for (let i = 0; i < rows;) {
    const n = Math.min(10_000, rows - i);
    let chunk = '';
    for (let k = 0; k < n; k++) chunk += lines[(i + k) % lines.length] + '\n';
    if (!out.write(chunk)) await new Promise((r) => out.once('drain', r));
    i += n;
  }
  await new Promise((r) => out.end(r));
}

const work = mkdtempSync(join(tmpdir(), 'prepare-scale-bench-'));
const results = [];
try {
  for (const rows of sizes) {
    const data = join(work, `emotion-${rows}.jsonl`);
    await buildInput(data, rows);
    const spec = join(work, `scale-${rows}.sagemaker-hf.json`);
    writeFileSync(
      spec,
      JSON.stringify({
        version: 1,
        dataset: {
          source: { train: data },
          splits: { train: 'train' },
          tokenizer,
          labelNames: ['sadness', 'joy', 'love', 'anger', 'fear', 'surprise'],
          padding: 'max_length',
          maxLength: 128,
        },
        training: { entryPoint: 'train.py', sourceDir: '.', instanceType: 'local' },
      }),
    );
    const oursDir = join(work, `ours-${rows}`);
    const o = measure(process.execPath, [
      join(repo, 'dist/cli.js'),
      'prepare',
      spec,
      '--no-upload',
      '--json',
      '--out',
      oursDir,
    ]);
    const res = JSON.parse(o.stdout);
    const r = {
      rows,
      ours: { wall: o.wall, cpu: o.cpu, rss: o.rssMiB, work: res.report.seconds, workers: res.workers },
    };
    console.error(
      `[${rows}] ours wall ${o.wall.toFixed(1)} s, CPU ${o.cpu.toFixed(1)} s, peak RSS ${o.rssMiB.toFixed(0)} MiB, ${res.workers} workers`,
    );
    if (rows <= anchorMax) {
      const refDir = join(work, `py-${rows}`);
      const a = measure(python, [join(repo, 'bench/prepare_scale_anchor.py'), data, tokenizer, refDir, String(cores)]);
      const j = JSON.parse(a.stdout.trim().split('\n').pop());
      r.anchor = { wall: a.wall, cpu: a.cpu, rss: a.rssMiB, work: j.work_s, imports: j.import_s };
      console.error(
        `[${rows}] anchor wall ${a.wall.toFixed(1)} s, CPU ${a.cpu.toFixed(1)} s, peak RSS ${a.rssMiB.toFixed(0)} MiB`,
      );
      const cmp = JSON.parse(
        execFileSync(python, [join(repo, 'bench/prepare_scale_compare.py'), join(oursDir, 'train'), refDir], {
          encoding: 'utf8',
        }).trim(),
      );
      r.check = cmp;
      if (cmp.rows !== rows || cmp.mismatched_rows !== 0)
        throw new Error(`token ids differ from the Rust tokenizer's: ${JSON.stringify(cmp)} of ${rows} rows`);
      rmSync(refDir, { recursive: true, force: true });
      rmSync(`${refDir}-cache`, { recursive: true, force: true });
    } else {
      // No anchor at this size: every row still checked against the Rust tokenizer, run on the input.
      const cmp = JSON.parse(
        execFileSync(
          python,
          [join(repo, 'bench/prepare_scale_compare.py'), join(oursDir, 'train'), data, tokenizer, '128'],
          { encoding: 'utf8' },
        ).trim(),
      );
      r.check = cmp;
      if (cmp.rows !== rows || cmp.mismatched_rows !== 0)
        throw new Error(`token ids differ from the Rust tokenizer's: ${JSON.stringify(cmp)} of ${rows} rows`);
    }
    rmSync(oursDir, { recursive: true, force: true });
    rmSync(data, { force: true });
    results.push(r);
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
console.log(
  `prepare at scale: one JSONL split of emotion texts, max_length 128, local -> local; ${cores} cores (machine shared: read the ratios)`,
);
console.log(
  '| rows | ours wall | ours CPU | ours peak RSS | anchor wall (num_proc ' +
    cores +
    ') | anchor CPU | anchor peak RSS | ratio (wall) | ratio (CPU) | ids equal |',
);
console.log('| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |');
for (const r of results) {
  const a = r.anchor;
  console.log(
    `| ${r.rows.toLocaleString('en-US')} | ${r.ours.wall.toFixed(1)} s | ${r.ours.cpu.toFixed(1)} s | ${r.ours.rss.toFixed(0)} MiB | ${a ? `${a.wall.toFixed(1)} s` : '–'} | ${a ? `${a.cpu.toFixed(1)} s` : '–'} | ${a ? `${a.rss.toFixed(0)} MiB` : '–'} | ${a ? `${(a.wall / r.ours.wall).toFixed(2)}x` : '–'} | ${a ? `${(a.cpu / r.ours.cpu).toFixed(2)}x` : '–'} | ${r.check ? `${r.check.rows.toLocaleString('en-US')} rows, ${r.check.mismatched_rows} differ` : '–'} |`,
  );
}
const peak = Math.max(...results.map((r) => r.ours.rss));
const big = results.find((r) => r.rows === 1_800_000 && r.anchor);
console.log(
  `targets: peak RSS < 600 MiB at every size: ${peak < 600 ? 'met' : 'NOT met'} (max ${peak.toFixed(0)} MiB)` +
    (big
      ? `; 1.8M rows >= 2x faster than the anchor: ${big.anchor.wall / big.ours.wall >= 2 ? 'met' : 'NOT met'} (${(big.anchor.wall / big.ours.wall).toFixed(2)}x)`
      : ''),
);
