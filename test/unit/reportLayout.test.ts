// The dataset report's histogram reads at a narrow Markdown preview (about 600 px and less): a table
// whose count sits in its own cell before the bar (in a code block a line too long for the preview wraps,
// carrying the count away from its range), with bars of at most HISTOGRAM_BAR cells: a fixed width.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  HISTOGRAM_BAR,
  histogram,
  paddingOptions,
  renderReportMarkdown,
  splitReport,
} from '../../src/core/dataset/prepareReport';

const NAMES = ['sadness', 'joy', 'love', 'anger', 'fear', 'surprise'];

// 16,000 rows of 4 to 87 tokens, the spread of the emotion train split.
const lengths = Int32Array.from({ length: 16000 }, (_, i) => 4 + ((i * 7919) % 84));
const labels = BigInt64Array.from({ length: 16000 }, (_, i) => BigInt(i % 6));

function report(): string {
  const s = splitReport({
    channel: 'train',
    split: 'train',
    lengths,
    labels,
    labelNames: NAMES,
    truncateAt: 512,
    padTo: 512,
    bytes: 51_095_056,
  });
  return renderReportMarkdown({
    createdAt: '2026-12-07T21:30:12.000Z',
    tool: 'sagemaker-hf test',
    source: 'local files',
    tokenizer: 'bert-base-uncased',
    padding: 'max_length',
    maxLength: 512,
    truncateAt: 512,
    labelNames: NAMES,
    labelNamesFrom: 'spec',
    splits: [s],
    options: paddingOptions([lengths], 512, 512, true),
    bytesWritten: 51_095_056,
    seconds: 1,
  });
}

/** The lines of the section under `## Histogram: train`, up to the next blank line. */
function histogramSection(md: string): string[] {
  const lines = md.split('\n');
  const start = lines.indexOf('## Histogram: train');
  assert.ok(start >= 0, 'a histogram section');
  const body = lines.slice(start + 2);
  const end = body.indexOf('');
  return end < 0 ? body : body.slice(0, end);
}

test('the histogram is a table: range, count, share, then the bar; counts add up to the rows', () => {
  const section = histogramSection(report());
  assert.equal(section[0], '| tokens | rows | share | |');
  assert.equal(section[1], '| ---: | ---: | ---: | :--- |');
  const bins = histogram(lengths);
  const rows = section.slice(2);
  assert.equal(rows.length, bins.length);
  let total = 0;
  rows.forEach((line, i) => {
    const cells = line
      .split('|')
      .slice(1, -1)
      .map((c) => c.trim());
    assert.equal(cells.length, 4, line);
    assert.equal(cells[0], `${bins[i]!.from}-${bins[i]!.to}`);
    assert.equal(Number(cells[1]), bins[i]!.count, 'the count is its own cell, before the bar');
    assert.match(cells[2]!, /^\d+\.\d%$/);
    assert.match(cells[3]!, /^█*$/);
    total += Number(cells[1]);
  });
  assert.equal(total, 16000);
  assert.ok(!section.some((l) => l.startsWith('```')), 'no code block, whose lines wrap as a whole');
});

test('every histogram row stays within a fixed width: bars of at most HISTOGRAM_BAR cells', () => {
  const rows = histogramSection(report()).slice(2);
  const bars = rows.map((l) => (l.match(/█+/)?.[0] ?? '').length);
  assert.equal(Math.max(...bars), HISTOGRAM_BAR, 'the tallest bin gets the full bar');
  assert.ok(HISTOGRAM_BAR <= 20);
  // Range, a 5-digit count, a share and the bar: 48 characters at most, whatever the data.
  for (const l of rows) assert.ok([...l].length <= 48, `${[...l].length} characters: ${l}`);
});
