import * as path from 'node:path';
import { UserError } from '../../core/errors';
import { loadSpecFile } from '../../core/spec/spec';
import { reportSummary } from '../../core/dataset/prepareReport';
import { prepareDataset, type PrepareProgress } from '../../workflow/dataset/prepare';
import { parseCommandArgs, type CliContext } from '../context';
import { runRemotePrepare } from './prepareRemote';

/**
 * Progress a person can read: on a terminal one line rewritten in place (rows/s, ETA, bytes uploaded);
 * otherwise (a log, CI) plain lines, one per stage and then at most one every 10 s.
 */
function progressPrinter(ctx: CliContext): { show: (p: PrepareProgress) => void; end: () => void } {
  const tty = !!process.stderr.isTTY;
  let stage = '', lastLine = 0, width = 0;
  return {
    show(p) {
      const now = Date.now();
      if (tty) {
        if (p.stage !== stage && width) process.stderr.write('\n');
        if (p.stage !== stage) width = 0;
        const cols = process.stderr.columns || 120;
        const line = `${p.stage}: ${p.message}`.slice(0, cols - 1);
        process.stderr.write(`\r${line.padEnd(width)}`);
        width = line.length;
      } else if (p.stage !== stage || now - lastLine >= 10_000) {
        ctx.stderr(`${p.stage}: ${p.message}`);
        lastLine = now;
      }
      stage = p.stage;
    },
    end() {
      if (tty && width) process.stderr.write('\n');
      width = 0;
    },
  };
}

export const command = {
  summary: 'tokenize the spec\'s dataset into save_to_disk folders (one per channel) and upload them to S3 (--out DIR, --no-upload, --json, --allow-foreign-objects, --on sagemaker)',
  async run(argv: string[], ctx: CliContext): Promise<number> {
    const { values, positionals } = parseCommandArgs(argv, {
      out: { type: 'string' },
      'no-upload': { type: 'boolean' },
      json: { type: 'boolean' },
      quiet: { type: 'boolean', short: 'q' },
      on: { type: 'string' },
      'instance-type': { type: 'string' },
      'instance-count': { type: 'string' },
      'volume-gb': { type: 'string' },
      'max-runtime': { type: 'string' },
      'dry-run': { type: 'boolean' },
      yes: { type: 'boolean', short: 'y' },
      'allow-foreign-objects': { type: 'boolean' },
      workers: { type: 'string' },
    });
    if (values.help || positionals.length === 0) {
      ctx.stdout('Usage: sagemaker-hf prepare <spec.sagemaker-hf.json> [--out DIR] [--no-upload] [--json] [--allow-foreign-objects] [--workers N] [--profile P] [--region R]');
      ctx.stdout('  Writes DIR/<channel>/ (datasets.load_from_disk folders) and DIR/report.md; without --no-upload also');
      ctx.stdout('  uploads to s3://{default bucket}/{dataset.s3Prefix}/{channel}/ (creating the SageMaker default bucket if absent).');
      ctx.stdout('  Objects under the prefix that sagemaker-hf did not write stop the run before anything is uploaded;');
      ctx.stdout('  --allow-foreign-objects prepares beside them (they are never deleted). --workers: tokenizer threads (default: one per core).');
      ctx.stdout('       sagemaker-hf prepare <spec> --on sagemaker [--instance-type ml.c5.4xlarge] [--instance-count N] [--volume-gb 30]');
      ctx.stdout('                            [--max-runtime SECONDS] [--dry-run] [--yes] [--json]');
      ctx.stdout('  Runs the same preparation as a SageMaker Processing job (datasets.map on every vCPU, local JSONL split over');
      ctx.stdout('  N instances with ShardedByS3Key), tails its log, and writes the same folders and manifest to the same S3 prefix.');
      ctx.stdout('  Billable: asks first (or --yes); --dry-run prints the CreateProcessingJob request and creates nothing.');
      return values.help ? 0 : 2;
    }
    if (positionals.length > 1) throw new UserError(`prepare takes one spec file, got ${positionals.length}`);
    const on = (values.on as string | undefined) ?? 'local';
    if (on !== 'local' && on !== 'sagemaker') throw new UserError(`--on must be 'local' or 'sagemaker', got '${on}'`, 'on');
    const workersText = values.workers as string | undefined;
    if (workersText !== undefined && !/^\d+$/.test(workersText)) throw new UserError(`--workers: expected a whole number of threads (0 = tokenize on the main thread), got '${workersText}'`, 'workers');
    const spec = await loadSpecFile(positionals[0]!);
    if (on === 'sagemaker') return runRemotePrepare(spec, values, ctx);
    const outDir = path.resolve((values.out as string | undefined) ?? path.join(path.dirname(spec.file!), '.sagemaker-hf', 'datasets', path.basename(spec.file!).replace(/\.sagemaker-hf\.json$/, '')));
    const upload = values['no-upload'] ? undefined : await ctx.connection();
    if (upload && !values.quiet) ctx.stderr(`Uploading to s3://${upload.bucket}/${spec.dataset.s3Prefix}/ (S3 storage is billed by the GB-month)`);
    const printer = progressPrinter(ctx);
    let result;
    try {
      result = await prepareDataset(spec, {
        outDir,
        upload,
        signal: ctx.signal,
        hubToken: process.env.HF_TOKEN || undefined,
        allowForeignObjects: !!values['allow-foreign-objects'],
        workers: workersText === undefined ? undefined : Number(workersText),
        onProgress: (p) => {
          if (!values.quiet && !values.json) printer.show(p);
        },
      });
    } finally {
      printer.end();
    }
    if (values.json && result.report.emptyClasses?.length) ctx.stderr(reportSummary(result.report).find((l) => l.startsWith('WARNING'))!);
    if (values.json) {
      ctx.stdout(JSON.stringify({ outDir: result.outDir, channels: result.channels, labelNames: result.labelNames, maxLength: result.maxLength, reportPath: result.reportPath, manifestUri: result.manifestUri ?? null, removedKeys: result.removedKeys ?? [], foreignKeys: result.foreignKeys ?? [], abortedUploads: result.abortedUploads ?? 0, workers: result.workers ?? 0, report: result.report }, null, 2));
      return 0;
    }
    for (const line of reportSummary(result.report)) ctx.stdout(line);
    for (const [channel, c] of Object.entries(result.channels)) ctx.stdout(`${channel.padEnd(10)} ${c.dir}${c.s3Uri ? `  ->  ${c.s3Uri}` : ''}`);
    if (result.bucketCreated) ctx.stdout(`created bucket s3://${upload!.bucket}`);
    if (result.abortedUploads) ctx.stdout(`aborted    ${result.abortedUploads} unfinished multipart upload(s) an earlier run left`);
    if (result.removedKeys?.length) ctx.stdout(`removed    ${result.removedKeys.length} object(s) an earlier run wrote: ${result.removedKeys.map((k) => `s3://${upload!.bucket}/${k}`).join(', ')}`);
    if (result.foreignKeys?.length) ctx.stdout(`kept       ${result.foreignKeys.length} object(s) sagemaker-hf did not write: ${result.foreignKeys.map((k) => `s3://${upload!.bucket}/${k}`).join(', ')}`);
    if (result.manifestUri) ctx.stdout(`manifest   ${result.manifestUri}`);
    ctx.stdout(`report     ${result.reportPath}`);
    return 0;
  },
};
