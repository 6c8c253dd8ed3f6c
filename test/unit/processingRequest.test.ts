// prepare --on sagemaker: the exact CreateProcessingJob request, the checks that refuse what cannot be
// split over instances, and the assembly of the instances' parts into one save_to_disk folder per channel.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { UserError } from '../../src/core/errors';
import { validateSpec, type JobSpec } from '../../src/core/spec/spec';
import {
  buildProcessingRequest,
  processingImage,
  processingJobBase,
  redactProcessingRequest,
} from '../../src/core/dataset/processingRequest';
import { planAssembly, type HostSummary } from '../../src/core/dataset/processingAssembly';
import { datasetInfoJson, stateJson } from '../../src/core/dataset/saveToDisk';

const ctx = {
  account: '111122223333',
  region: 'us-east-1',
  bucket: 'sagemaker-us-east-1-111122223333',
  role: 'arn:aws:iam::111122223333:role/SageMakerRole',
  now: new Date(Date.UTC(2026, 11, 2, 3, 4, 5, 678)),
};
const NAMES = ['sadness', 'joy', 'love', 'anger', 'fear', 'surprise'];

function spec(dataset: Record<string, unknown> = {}): JobSpec {
  const s = validateSpec({
    version: 1,
    dataset: {
      source: { train: '/data/emotion/train.jsonl', test: '/data/emotion/test.jsonl' },
      splits: { train: 'train', test: 'test' },
      tokenizer: 'bert-base-uncased',
      labelNames: NAMES,
      s3Prefix: 'samples/datasets/emotion',
      ...dataset,
    },
    training: { entryPoint: 'train.py', sourceDir: '.', instanceType: 'ml.p3.2xlarge' },
  });
  s.file = '/work/emotion.sagemaker-hf.json';
  return s;
}

const JOB = 'prep-emotion-2026-12-02-03-04-05-678';
const BUCKET = 's3://sagemaker-us-east-1-111122223333';
const input = (name: string, uri: string, local: string, dist: string) => ({
  InputName: name,
  AppManaged: false,
  S3Input: { S3Uri: uri, LocalPath: local, S3DataType: 'S3Prefix', S3InputMode: 'File', S3DataDistributionType: dist },
});

test('request: two instances, local JSONL and a local tokenizer, field for field', () => {
  const plan = buildProcessingRequest(
    spec(),
    ctx,
    { instanceType: 'ml.c5.4xlarge', instanceCount: 2 },
    { splits: ['test', 'train'], tokenizer: true },
    { train: 'train.jsonl', test: 'test.jsonl' },
  );
  assert.equal(plan.jobName, JOB);
  assert.deepEqual(plan.request, {
    ProcessingJobName: JOB,
    ProcessingResources: { ClusterConfig: { InstanceCount: 2, InstanceType: 'ml.c5.4xlarge', VolumeSizeInGB: 30 } },
    StoppingCondition: { MaxRuntimeInSeconds: 86400 },
    AppSpecification: {
      ImageUri:
        '763104351884.dkr.ecr.us-east-1.amazonaws.com/huggingface-pytorch-inference:2.6.0-transformers5.5.3-cpu-py312-ubuntu22.04',
      ContainerEntrypoint: ['python3', '/opt/ml/processing/input/code/prepare_dataset.py'],
    },
    ProcessingInputs: [
      input('code', `${BUCKET}/${JOB}/code/`, '/opt/ml/processing/input/code', 'FullyReplicated'),
      input('tokenizer', `${BUCKET}/${JOB}/tokenizer/`, '/opt/ml/processing/input/tokenizer', 'FullyReplicated'),
      input('data-test', `${BUCKET}/${JOB}/input/test/`, '/opt/ml/processing/input/data/test', 'ShardedByS3Key'),
      input('data-train', `${BUCKET}/${JOB}/input/train/`, '/opt/ml/processing/input/data/train', 'ShardedByS3Key'),
    ],
    ProcessingOutputConfig: {
      Outputs: [
        {
          OutputName: 'prepared',
          AppManaged: false,
          S3Output: {
            S3Uri: `${BUCKET}/${JOB}/output/`,
            LocalPath: '/opt/ml/processing/output',
            S3UploadMode: 'EndOfJob',
          },
        },
      ],
    },
    RoleArn: 'arn:aws:iam::111122223333:role/SageMakerRole',
    Tags: [
      { Key: 'sagemaker-hf:created-by', Value: 'sagemaker-hf' },
      { Key: 'sagemaker-hf:spec', Value: 'emotion.sagemaker-hf.json' },
    ],
  });
  assert.deepEqual(plan.config, {
    source: { test: 'test.jsonl', train: 'train.jsonl' },
    splits: { train: 'train', test: 'test' },
    textColumn: 'text',
    labelColumn: 'label',
    labelNames: NAMES,
    tokenizer: '/opt/ml/processing/input/tokenizer',
    tokenizerUploaded: true,
    padding: 'max_length',
    maxLength: 512,
  });
});

test('request: one instance, Hub dataset and Hub tokenizer: no data inputs, FullyReplicated, token only in Environment', () => {
  const plan = buildProcessingRequest(
    spec({ source: 'dair-ai/emotion', config: 'split', labelNames: undefined }),
    { ...ctx, hubToken: 'hf_secretsecretsecret' },
    { instanceType: 'ml.m5.xlarge', instanceCount: 1, volumeSizeInGB: 50, maxRuntimeInSeconds: 3600 },
    { splits: [], tokenizer: false },
  );
  assert.deepEqual(
    plan.request.ProcessingInputs!.map((i) => i.InputName),
    ['code'],
  );
  assert.deepEqual(plan.request.ProcessingResources, {
    ClusterConfig: { InstanceCount: 1, InstanceType: 'ml.m5.xlarge', VolumeSizeInGB: 50 },
  });
  assert.deepEqual(plan.request.StoppingCondition, { MaxRuntimeInSeconds: 3600 });
  assert.deepEqual(plan.request.Environment, { HF_TOKEN: 'hf_secretsecretsecret' });
  assert.equal(plan.config.source, 'dair-ai/emotion');
  assert.equal(plan.config.config, 'split');
  assert.equal(plan.config.tokenizer, 'bert-base-uncased');
  assert.ok(!JSON.stringify(plan.config).includes('hf_secret'));
  assert.deepEqual(redactProcessingRequest(plan.request).Environment, { HF_TOKEN: '***' });
  assert.ok(!JSON.stringify(redactProcessingRequest(plan.request)).includes('hf_secret'));
});

test('image on a GPU instance: the newest Hugging Face PyTorch training image the region has; China uses its domain', () => {
  const gpu = (region: string) => processingImage(region, 'ml.g5.xlarge');
  assert.match(
    gpu('eu-west-1').uri,
    /^763104351884\.dkr\.ecr\.eu-west-1\.amazonaws\.com\/huggingface-pytorch-training:2\.9\.0-transformers5\.3\.0-gpu-py312-cu130-ubuntu22\.04$/,
  );
  assert.equal(gpu('cn-north-1').uri.split('/')[0], '727897471807.dkr.ecr.cn-north-1.amazonaws.com.cn');
  // ap-south-2 has no 5.3.0 image: the newest it has (4.11.0) is used.
  assert.match(gpu('ap-south-2').uri, /transformers4\.11\.0/);
  assert.equal(gpu('us-east-1').processor, 'gpu');
  assert.throws(
    () => gpu('xx-nowhere-1'),
    (e: unknown) => e instanceof UserError && /region: no Hugging Face PyTorch training image/.test(e.message),
  );
});

test('image on a CPU instance: the CPU build (no -gpu- tag, no CUDA), as image_uris picks by accelerator', () => {
  for (const type of ['ml.c5.4xlarge', 'ml.c5.9xlarge', 'ml.m5.xlarge', 'ml.r5.2xlarge']) {
    const image = processingImage('us-east-1', type);
    assert.equal(image.processor, 'cpu', type);
    assert.equal(
      image.uri,
      '763104351884.dkr.ecr.us-east-1.amazonaws.com/huggingface-pytorch-inference:2.6.0-transformers5.5.3-cpu-py312-ubuntu22.04',
    );
  }
  const plan = buildProcessingRequest(
    spec(),
    ctx,
    { instanceType: 'ml.c5.9xlarge', instanceCount: 1 },
    { splits: ['train'], tokenizer: false },
  );
  assert.doesNotMatch(plan.request.AppSpecification!.ImageUri!, /-gpu-|cu\d+/);
  assert.match(
    buildProcessingRequest(
      spec(),
      ctx,
      { instanceType: 'ml.g4dn.xlarge', instanceCount: 1 },
      { splits: ['train'], tokenizer: false },
    ).request.AppSpecification!.ImageUri!,
    /huggingface-pytorch-training:.*-gpu-/,
  );
});

test('job name: prep- plus the prefix tail, cleaned and cut like the SDK cuts names', () => {
  assert.equal(processingJobBase(spec({ s3Prefix: 'datasets/My_Data.v2' })), 'prep-My-Data-v2');
  assert.equal(processingJobBase(spec({ s3Prefix: 'x/'.concat('a'.repeat(60)) })).length, 39);
});

test('refused before anything is uploaded: auto padding, a row limit or inferred labels over several instances; bad counts and types', () => {
  const many = { instanceType: 'ml.c5.4xlarge', instanceCount: 3 };
  const up = { splits: ['train'], tokenizer: false };
  const refuses = (s: JobSpec, o: typeof many, field: string) =>
    assert.throws(
      () => buildProcessingRequest(s, ctx, o, up),
      (e: unknown) => e instanceof UserError && e.field === field && e.message.startsWith(`${field}:`),
    );
  refuses(spec({ padding: 'auto' }), many, 'dataset.padding');
  refuses(spec({ limit: 100 }), many, 'dataset.limit');
  refuses(spec({ labelNames: undefined }), many, 'dataset.labelNames');
  refuses(spec(), { instanceType: 'c5.4xlarge', instanceCount: 1 }, 'instanceType');
  refuses(spec(), { instanceType: 'ml.c5.4xlarge', instanceCount: 0 }, 'instanceCount');
  // The same spec on one instance is fine.
  assert.equal(
    buildProcessingRequest(
      spec({ padding: 'auto', limit: 100, labelNames: undefined }),
      ctx,
      { ...many, instanceCount: 1 },
      up,
    ).warnings.length,
    0,
  );
  // Parquet over several instances: allowed, with a warning that files go whole.
  const pq = buildProcessingRequest(
    spec({ source: { train: '/d/train.parquet', test: '/d/test.jsonl' } }),
    ctx,
    many,
    up,
  );
  assert.match(pq.warnings[0]!, /train go whole to one instance/);
  assert.throws(
    () => buildProcessingRequest(spec(), { ...ctx, role: undefined }, many, up),
    /training\.role: no execution role/,
  );
});

function host(
  name: string,
  hosts: string[],
  parts: HostSummary['parts'],
  extra: Partial<HostSummary> = {},
): HostSummary {
  return {
    host: name,
    hosts,
    labelNames: NAMES,
    labelNamesFrom: 'spec',
    padding: 'max_length',
    padTo: 128,
    truncateAt: 128,
    withTypeIds: true,
    maxLength: 128,
    modelMaxLength: 512,
    numProc: 16,
    seconds: 12.5,
    parts,
    ...extra,
  };
}
const part = (
  channel: string,
  p: string,
  dir: string,
  files: string[],
  rows: number,
  lengths: [number, number][],
  labels: number[],
) => ({
  channel,
  split: channel,
  part: p,
  dir,
  rows,
  files,
  fingerprint: `fp-${p}`,
  lengthCounts: lengths,
  labelCounts: labels,
  bytes: rows * 100,
});

test("assembly: parts in source order across instances, renumbered files, the local prepare's JSON files, the report", () => {
  const hosts = ['algo-1', 'algo-2'];
  const a = planAssembly(
    [
      host(
        'algo-2',
        hosts,
        [
          part(
            'train',
            'part-00001',
            'algo-2/train/part-00001',
            ['data-00000-of-00002.arrow', 'data-00001-of-00002.arrow'],
            3,
            [
              [10, 2],
              [300, 1],
            ],
            [1, 2, 0, 0, 0, 0],
          ),
        ],
        { seconds: 20 },
      ),
      host('algo-1', hosts, [
        part(
          'train',
          'part-00000',
          'algo-1/train/part-00000',
          ['data-00000-of-00001.arrow'],
          2,
          [
            [5, 1],
            [12, 1],
          ],
          [0, 0, 2, 0, 0, 0],
        ),
        part('test', 'test', 'algo-1/test/test', ['data-00000-of-00001.arrow'], 1, [[7, 1]], [0, 0, 0, 0, 0, 1]),
      ]),
    ],
    { train: 'train', test: 'test' },
  );
  const train = a.channels.find((c) => c.channel === 'train')!;
  assert.deepEqual(train.copies, [
    { from: 'algo-1/train/part-00000/data-00000-of-00001.arrow', to: 'data-00000-of-00003.arrow' },
    { from: 'algo-2/train/part-00001/data-00000-of-00002.arrow', to: 'data-00001-of-00003.arrow' },
    { from: 'algo-2/train/part-00001/data-00001-of-00002.arrow', to: 'data-00002-of-00003.arrow' },
  ]);
  assert.equal(train.rows, 5);
  const state = JSON.parse(train.stateJson) as {
    _data_files: { filename: string }[];
    _fingerprint: string;
    _split: string;
  };
  assert.deepEqual(
    state._data_files.map((f) => f.filename),
    ['data-00000-of-00003.arrow', 'data-00001-of-00003.arrow', 'data-00002-of-00003.arrow'],
  );
  assert.equal(
    train.stateJson,
    stateJson(
      state._data_files.map((f) => f.filename),
      state._fingerprint,
      'train',
      true,
    ),
  );
  assert.equal(train.datasetInfoJson, datasetInfoJson(NAMES, true));
  assert.equal(train.report.rows, 5);
  assert.equal(train.report.truncatedRows, 1);
  assert.equal(train.report.lengths.max, 300);
  assert.deepEqual(train.report.labelCounts, { sadness: 1, joy: 2, love: 2, anger: 0, fear: 0, surprise: 0 });
  assert.equal(a.seconds, 20);
  assert.equal(a.labelNamesFrom, 'dataset.labelNames in the spec');
  assert.equal(a.options.find((o) => o.mode === 'auto')!.length, 128);
});

test('assembly refuses a missing instance, disagreeing class lists and an empty output', () => {
  const hosts = ['algo-1', 'algo-2'];
  const p = part(
    'train',
    'part-00000',
    'algo-1/train/part-00000',
    ['data-00000-of-00001.arrow'],
    1,
    [[5, 1]],
    [1, 0, 0, 0, 0, 0],
  );
  assert.throws(() => planAssembly([host('algo-1', hosts, [p])], { train: 'train' }), /lacks the summary of algo-2/);
  assert.throws(
    () =>
      planAssembly([host('algo-1', hosts, [p]), host('algo-2', hosts, [], { labelNames: ['a', 'b'] })], {
        train: 'train',
      }),
    /dataset\.labelNames: instances algo-1 and algo-2 found different class lists/,
  );
  assert.throws(() => planAssembly([], { train: 'train' }), /wrote no summary\.json/);
});

test('before a billed Processing job: an unknown instance type and an empty input are refused; more instances than whole files warned', async () => {
  const fs = await import('node:fs');
  const os = await import('node:os');
  const path = await import('node:path');
  const { planRemotePrepare } = await import('../../src/workflow/dataset/prepareRemote');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'procplan-'));
  const rows = path.join(dir, 'rows.jsonl');
  fs.writeFileSync(rows, '{"text": "a", "label": 0}\n');
  const empty = path.join(dir, 'empty.jsonl');
  fs.writeFileSync(empty, '\n\n');
  const csv = path.join(dir, 'a.csv');
  fs.writeFileSync(csv, 'text,label\na,0\n');
  const opts = { instanceType: 'ml.c5.4xlarge', instanceCount: 1, volumeSizeInGB: 30, maxRuntimeInSeconds: 3600 };
  assert.throws(
    () =>
      planRemotePrepare(spec({ source: { train: rows, test: rows } }), ctx, { ...opts, instanceType: 'ml.c5.4xlarg' }),
    (e) =>
      e instanceof UserError &&
      e.field === 'instanceType' &&
      /not a SageMaker processing instance type; did you mean ml\.c5\.4xlarge\?/.test(e.message),
  );
  assert.throws(
    () => planRemotePrepare(spec({ source: { train: rows, test: empty } }), ctx, opts),
    (e) =>
      e instanceof UserError &&
      e.field === 'dataset.source.test' &&
      /empty\.jsonl has no rows; a Processing job would be billed for nothing/.test(e.message),
  );
  const plan = planRemotePrepare(
    spec({ source: { train: csv, test: csv }, padding: 'max_length', maxLength: 32 }),
    ctx,
    { ...opts, instanceCount: 4 },
  );
  assert.ok(
    plan.warnings.some((w) =>
      /--instance-count 4 is more than the 2 input file\(s\).*2 instance\(s\) would have nothing to do and are billed anyway/.test(
        w,
      ),
    ),
    plan.warnings.join('\n'),
  );
  fs.rmSync(dir, { recursive: true, force: true });
});
