// sagemaker-hf prepare: the spec's dataset tokenized into one save_to_disk folder per channel and
// uploaded to S3, on this machine or (--on sagemaker, prepareRemote.ts) as a Processing job.
import * as path from 'node:path';
import { UserError } from '../../core/errors';
import { redactSecrets } from '../../core/secrets';
import { loadSpecFile } from '../../workflow/specFile';
import { reportSummary } from '../../core/dataset/prepareReport';
import { prepareDataset, type PrepareProgress } from '../../workflow/dataset/prepare';
import type { CliCommand, CliContext } from '../context';
import { runRemotePrepare } from './prepareRemote';

/**
 * Progress a person can read: on a terminal one line rewritten in place (rows/s, ETA, bytes uploaded);
 * otherwise (a log, CI) plain lines, one per stage and then at most one every 10 s.
 */
function progressPrinter(ctx: CliContext): { show: (p: PrepareProgress) => void; end: () => void } {
  const tty = !!process.stderr.isTTY;
  let stage = '',
    lastLine = 0,
    width = 0;
  return {
    show(p) {
      const now = Date.now();
      if (tty) {
        if (p.stage !== stage && width) process.stderr.write('\n');
        if (p.stage !== stage) width = 0;
        const cols = process.stderr.columns || 120;
        const line = `${p.stage}: ${p.message}`.slice(0, cols - 1);
        process.stderr.write(`\r${redactSecrets(line).padEnd(width)}`);
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

export const command: CliCommand<'prepare'> = {
  summary:
    "tokenize the spec's dataset into save_to_disk folders (one per channel) and upload them to S3 (--on sagemaker: as a Processing job)",
  usage: ['<spec.sagemaker-hf.json>', '<spec.sagemaker-hf.json> --on sagemaker'],
  about: `Writes DIR/<channel>/ (datasets.load_from_disk folders) and DIR/report.md; without --no-upload also
uploads to s3://{default bucket}/{dataset.s3Prefix}/{channel}/ (creating the SageMaker default bucket if absent).
Objects under the prefix that sagemaker-hf did not write stop the run before anything is uploaded, unless
--allow-foreign-objects.
--on sagemaker runs the same preparation as a SageMaker Processing job (datasets.map on every vCPU, local JSONL
split over N instances with ShardedByS3Key), tails its log, and writes the same folders and manifest to the
same S3 prefix. Billable: asks first (or --yes); --dry-run prints the CreateProcessingJob request and creates nothing.`,
  async run(args, ctx) {
    const { values, positionals } = args;
    if (positionals.length === 0) {
      ctx.stdout(args.usage);
      return 2;
    }
    if (positionals.length > 1) throw new UserError(`prepare takes one spec file, got ${positionals.length}`);
    const on = args.text('on');
    if (on !== 'local' && on !== 'sagemaker')
      throw new UserError(`--on must be 'local' or 'sagemaker', got '${on}'`, 'on');
    const workers = args.number('workers');
    const spec = await loadSpecFile(positionals[0]!);
    if (on === 'sagemaker') return runRemotePrepare(spec, args, ctx);
    const outDir = path.resolve(
      values.out ??
        path.join(
          path.dirname(spec.file!),
          '.sagemaker-hf',
          'datasets',
          path.basename(spec.file!).replace(/\.sagemaker-hf\.json$/, ''),
        ),
    );
    const upload = values['no-upload'] ? undefined : await ctx.connection();
    if (upload && !values.quiet)
      ctx.stderr(`Uploading to s3://${upload.bucket}/${spec.dataset.s3Prefix}/ (S3 storage is billed by the GB-month)`);
    const printer = progressPrinter(ctx);
    let result;
    try {
      result = await prepareDataset(spec, {
        outDir,
        upload,
        signal: ctx.signal,
        hubToken: process.env.HF_TOKEN || undefined,
        allowForeignObjects: !!values['allow-foreign-objects'],
        workers,
        onProgress: (p) => {
          if (!values.quiet && !values.json) printer.show(p);
        },
      });
    } finally {
      printer.end();
    }
    if (values.json && result.report.emptyClasses?.length)
      ctx.stderr(reportSummary(result.report).find((l) => l.startsWith('WARNING'))!);
    if (values.json) {
      ctx.stdout(
        JSON.stringify(
          {
            outDir: result.outDir,
            channels: result.channels,
            labelNames: result.labelNames,
            maxLength: result.maxLength,
            reportPath: result.reportPath,
            manifestUri: result.manifestUri ?? null,
            removedKeys: result.removedKeys ?? [],
            foreignKeys: result.foreignKeys ?? [],
            abortedUploads: result.abortedUploads ?? 0,
            workers: result.workers ?? 0,
            report: result.report,
          },
          null,
          2,
        ),
      );
      return 0;
    }
    for (const line of reportSummary(result.report)) ctx.stdout(line);
    for (const [channel, c] of Object.entries(result.channels))
      ctx.stdout(`${channel.padEnd(10)} ${c.dir}${c.s3Uri ? `  ->  ${c.s3Uri}` : ''}`);
    if (result.bucketCreated) ctx.stdout(`created bucket s3://${upload!.bucket}`);
    if (result.abortedUploads)
      ctx.stdout(`aborted    ${result.abortedUploads} unfinished multipart upload(s) an earlier run left`);
    if (result.removedKeys?.length)
      ctx.stdout(
        `removed    ${result.removedKeys.length} object(s) an earlier run wrote: ${result.removedKeys.map((k) => `s3://${upload!.bucket}/${k}`).join(', ')}`,
      );
    if (result.foreignKeys?.length)
      ctx.stdout(
        `kept       ${result.foreignKeys.length} object(s) sagemaker-hf did not write: ${result.foreignKeys.map((k) => `s3://${upload!.bucket}/${k}`).join(', ')}`,
      );
    if (result.manifestUri) ctx.stdout(`manifest   ${result.manifestUri}`);
    ctx.stdout(`report     ${result.reportPath}`);
    return 0;
  },
};
