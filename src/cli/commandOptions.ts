// Every flag of sagemaker-hf, declared once: which commands take it, how it is typed, what it means and
// its default. Parsing, the numeric checks and every help text are derived from this table, so adding
// a flag here is the whole job of adding it (options.ts holds the machinery that reads the table).
import { UserError } from '../core/errors';
import { DEFAULT_PROCESSING_INSTANCE, DEFAULT_PROCESSING_MAX_RUNTIME } from '../core/dataset/processingRequest';
import { LOCAL_TRAINING_OPTIONS } from './localOptions';
import { optionColumn, optionLines, optionValue, parseOptions, type OptionDecl, type ParsedOptions } from './options';

export const COMMAND_NAMES = [
  'connect',
  'prepare',
  'train',
  'logs',
  'deploy',
  'predict',
  'delete',
  'run',
  'images',
  'stop',
  'release-warm-pool',
] as const;
export type CommandName = (typeof COMMAND_NAMES)[number];

// Below 0.1 s the poll would hammer the API; above an hour a finished job goes unnoticed too long.
const POLL = { min: 0.1, max: 3600 };

export const OPTIONS = [
  // Global: every command takes them; they say which AWS account, region and role to use.
  {
    name: 'profile',
    type: 'string',
    value: 'NAME',
    description: 'the AWS profile (else AWS_PROFILE, else the default credential chain)',
    commands: 'all',
  },
  {
    name: 'region',
    type: 'string',
    value: 'REGION',
    description: "the AWS region (else AWS_REGION, AWS_DEFAULT_REGION or the profile's region)",
    commands: 'all',
  },
  {
    name: 'endpoint-url',
    type: 'string',
    value: 'URL',
    description: 'send AWS requests to this endpoint instead of AWS (else AWS_ENDPOINT_URL)',
    commands: 'all',
  },
  {
    name: 'role',
    type: 'string',
    value: 'ARN',
    description: 'the SageMaker execution role (else SAGEMAKER_ROLE_ARN)',
    commands: 'all',
  },
  { name: 'help', type: 'boolean', short: 'h', description: "print the command's usage and options", commands: 'all' },

  {
    name: 'create-bucket',
    type: 'boolean',
    description: 'create the SageMaker default bucket if it does not exist',
    commands: ['connect'],
  },
  {
    name: 'list-roles',
    type: 'boolean',
    description: 'also list the IAM roles SageMaker can use',
    commands: ['connect'],
  },
  { name: 'json', type: 'boolean', description: 'print the result as JSON on stdout', commands: ['connect', 'images'] },

  {
    name: 'out',
    type: 'string',
    value: 'DIR',
    description:
      'where the channel folders and report.md go (default .sagemaker-hf/datasets/<spec name>/ beside the spec)',
    commands: ['prepare'],
  },
  {
    name: 'no-upload',
    type: 'boolean',
    description: 'write the folders only; upload nothing to S3',
    commands: ['prepare'],
  },
  {
    name: 'json',
    type: 'boolean',
    description: 'print the result (folders, S3 URIs, report) as JSON on stdout, without progress lines',
    commands: ['prepare'],
  },
  {
    name: 'quiet',
    type: 'boolean',
    short: 'q',
    description: 'no progress lines and no upload notice on stderr',
    commands: ['prepare'],
  },
  {
    name: 'on',
    type: 'string',
    value: 'local|sagemaker',
    description: 'prepare on this machine, or as a SageMaker Processing job',
    default: 'local',
    commands: ['prepare'],
  },
  {
    name: 'instance-type',
    type: 'string',
    value: 'TYPE',
    description: "(--on sagemaker) the Processing job's instance type",
    default: DEFAULT_PROCESSING_INSTANCE,
    commands: ['prepare'],
  },
  {
    name: 'instance-count',
    type: 'number',
    value: 'N',
    description: '(--on sagemaker) instances; a local JSONL file is split across them',
    default: 1,
    rule: { integer: true, digits: true, min: 1 },
    commands: ['prepare'],
  },
  {
    name: 'volume-gb',
    type: 'number',
    value: 'GB',
    description: "(--on sagemaker) each instance's storage volume",
    default: 30,
    rule: { integer: true, digits: true, min: 1 },
    commands: ['prepare'],
  },
  {
    name: 'max-runtime',
    type: 'number',
    value: 'SECONDS',
    description: '(--on sagemaker) SageMaker stops the job after this long',
    default: DEFAULT_PROCESSING_MAX_RUNTIME,
    rule: { integer: true, digits: true, min: 1 },
    commands: ['prepare'],
  },
  {
    name: 'dry-run',
    type: 'boolean',
    description: '(--on sagemaker) print the CreateProcessingJob request and create nothing',
    commands: ['prepare'],
  },
  {
    name: 'allow-foreign-objects',
    type: 'boolean',
    description: 'prepare beside objects under the S3 prefix that sagemaker-hf did not write (they are never deleted)',
    commands: ['prepare'],
  },
  {
    name: 'workers',
    type: 'number',
    value: 'N',
    description: 'tokenizer threads (default one per core; 0 tokenizes on the main thread)',
    rule: { integer: true, digits: true, expected: 'a whole number of threads (0 = tokenize on the main thread)' },
    commands: ['prepare'],
  },

  {
    name: 'dry-run',
    type: 'boolean',
    description:
      'print the CreateTrainingJob request (JSON) on stdout; upload and create nothing. With --account and --role (and optionally --bucket) no AWS call is made; else STS tells the account',
    commands: ['train'],
  },
  {
    name: 'wait',
    type: 'boolean',
    description:
      'poll the job until it ends; exit 0 when Completed, 1 when Failed or Stopped. Ctrl-C says the job still bills and offers to stop it (on a terminal; the default answer stops it)',
    commands: ['train'],
  },
  {
    name: 'account',
    type: 'string',
    value: 'ID',
    description: 'the AWS account for --dry-run without an STS call',
    commands: ['train'],
  },
  {
    name: 'bucket',
    type: 'string',
    value: 'NAME',
    description: 'the S3 bucket for the source and the model (default: the SageMaker default bucket)',
    commands: ['train'],
  },
  {
    name: 'max-cost',
    type: 'number',
    value: 'USD',
    description:
      'spending cap (training.maxCostUsd): MaxRuntimeInSeconds is set so the job cannot cost more at the price shown; the lower of it and training.maxRuntimeInSeconds wins',
    rule: { min: 0.01 },
    commands: ['train'],
  },
  {
    name: 'poll-seconds',
    type: 'number',
    value: 'N',
    description: 'seconds between DescribeTrainingJob calls with --wait',
    default: 30,
    rule: POLL,
    commands: ['train'],
  },

  {
    name: 'follow',
    type: 'boolean',
    short: 'f',
    description: 'keep tailing until the job ends; exit 0 when it Completed, 1 when it Failed or was Stopped',
    commands: ['logs'],
  },

  {
    name: 'instance-type',
    type: 'string',
    value: 'TYPE',
    description: "the endpoint's instance type",
    default: 'ml.g4dn.xlarge',
    commands: ['deploy'],
  },
  {
    name: 'count',
    type: 'number',
    value: 'N',
    description: 'instances behind the endpoint',
    default: 1,
    rule: { integer: true, min: 1 },
    commands: ['deploy'],
  },
  {
    name: 'poll-seconds',
    type: 'number',
    value: 'N',
    description: 'seconds between DescribeEndpoint calls while it waits',
    default: 30,
    rule: POLL,
    commands: ['deploy'],
  },
  {
    name: 'endpoint-name',
    type: 'string',
    value: 'NAME',
    description: "the endpoint's name (default: made from the job or model name)",
    commands: ['deploy'],
  },
  {
    name: 'delete-after',
    type: 'string',
    value: 'WHEN',
    description:
      'the endpoint deletes itself then ("4h", "90m", "2026-12-24T18:00" local time): an EventBridge Scheduler one-time schedule runs DeleteEndpoint, even with this machine off',
    commands: ['deploy'],
  },
  {
    name: 'scheduler-role',
    type: 'string',
    value: 'ARN',
    description:
      'with --delete-after: the role EventBridge Scheduler runs DeleteEndpoint as (default: SageMakerHfEndpointScheduler, created after showing its policies)',
    commands: ['deploy'],
  },
  {
    name: 'kms-key-id',
    type: 'string',
    value: 'KEY',
    description:
      "KMS key for the endpoint instances' storage volume (EndpointConfig.KmsKeyId, deploy(kms_key=)); refused by SageMaker for instances without an EBS volume",
    commands: ['deploy'],
  },
  {
    name: 'dry-run',
    type: 'boolean',
    description: 'print the CreateModel, CreateEndpointConfig and CreateEndpoint requests as JSON; create nothing',
    commands: ['deploy'],
  },
  {
    name: 'hub',
    type: 'string',
    value: 'MODEL-ID',
    description: 'deploy this Hugging Face Hub model instead of a training job (HF_MODEL_ID)',
    commands: ['deploy'],
  },
  {
    name: 'task',
    type: 'string',
    value: 'TASK',
    description: 'with --hub: the pipeline the container serves, e.g. text-classification (HF_TASK)',
    commands: ['deploy'],
  },
  { name: 'transformers-version', type: 'string', value: 'V', description: 'with --hub: 4.51.3', commands: ['deploy'] },
  { name: 'pytorch-version', type: 'string', value: 'V', description: 'with --hub: 2.6.0', commands: ['deploy'] },
  { name: 'py-version', type: 'string', value: 'PY', description: 'with --hub: py312', commands: ['deploy'] },
  {
    name: 'serverless',
    type: 'boolean',
    description: 'a serverless endpoint instead of instances: CPU image, billed per use, cold starts after idle',
    commands: ['deploy'],
  },
  {
    name: 'memory',
    type: 'number',
    value: 'MB',
    description: 'with --serverless: 1024-6144 in steps of 1024',
    default: 2048,
    rule: { integer: true, digits: true },
    commands: ['deploy'],
  },
  {
    name: 'max-concurrency',
    type: 'number',
    value: 'N',
    description: 'with --serverless: 1-200',
    default: 5,
    rule: { integer: true, digits: true },
    commands: ['deploy'],
  },

  {
    name: 'ranked',
    type: 'boolean',
    description: "print every input's labels sorted by score instead of the response JSON",
    commands: ['predict'],
  },
  {
    name: 'file',
    type: 'string',
    short: 'f',
    value: 'FILE',
    description:
      "the text from a file (UTF-8, sent as one input); '-' reads standard input. For long texts, which a shell refuses as arguments (about 128 KiB)",
    commands: ['predict'],
  },

  {
    name: 'include-untagged',
    type: 'boolean',
    description: 'also delete a config or model not created by sagemaker-hf and not named after the endpoint',
    commands: ['delete'],
  },

  {
    name: 'target',
    type: 'string',
    value: 'local|sagemaker',
    description:
      'where the workflow (run) or the training (train) runs (default local when training.instanceType is "local", else sagemaker)',
    commands: ['run', 'train'],
  },
  ...LOCAL_TRAINING_OPTIONS,
  {
    name: 'keep-endpoint',
    type: 'boolean',
    description:
      "leave the endpoint running. Local: it stays in DIR/.sagemaker-hf/endpoints.json; stop it with 'sagemaker-hf delete URL' run from DIR. SageMaker: delete it later with 'sagemaker-hf delete NAME'",
    commands: ['run'],
  },
  {
    name: 'quiet',
    type: 'boolean',
    short: 'q',
    description: 'only the steps and the summary, not the training and serving output',
    commands: ['run', 'train'],
  },

  {
    name: 'compiler',
    type: 'string',
    value: 'C',
    description: 'only the training images for this training.compiler: training-compiler, torch-compile or none',
    commands: ['images'],
  },
  {
    name: 'all',
    type: 'boolean',
    description: 'every region, even when --region or AWS_REGION names one',
    commands: ['images'],
  },

  {
    name: 'yes',
    type: 'boolean',
    short: 'y',
    description: 'go ahead without asking (required when there is no terminal to ask on)',
    commands: ['prepare', 'deploy', 'delete', 'run', 'stop', 'release-warm-pool'],
  },
] as const satisfies readonly OptionDecl<CommandName>[];

type Decl = (typeof OPTIONS)[number];
/** The declarations a command accepts: its own and the global ones. */
type DeclOf<C extends CommandName, D = Decl> = D extends { commands: infer Cs }
  ? Cs extends 'all'
    ? D
    : Cs extends readonly CommandName[]
      ? C extends Cs[number]
        ? D
        : never
      : never
  : never;
type NamesOf<C extends CommandName, T extends OptionDecl['type']> = Extract<DeclOf<C>, { type: T }>['name'];
type Typed<T> = T extends 'boolean' ? boolean : T extends 'repeatable' ? string[] : string;

export interface CommandArgs<C extends CommandName> {
  /** What was typed, no defaults applied: for "was it given?" questions. */
  values: { [N in DeclOf<C>['name']]?: Typed<Extract<DeclOf<C>, { name: N }>['type']> };
  positionals: string[];
  /** The command's help text, for errors that end with it. */
  usage: string;
  flag(name: NamesOf<C, 'boolean'>): boolean;
  /** The value, or its declared default. */
  text<N extends NamesOf<C, 'string'>>(
    name: N,
  ): Extract<DeclOf<C>, { name: N }> extends { default: string } ? string : string | undefined;
  /** The value checked against its rule (a UserError naming the flag otherwise), or its declared default. */
  number<N extends NamesOf<C, 'number'>>(
    name: N,
  ): Extract<DeclOf<C>, { name: N }> extends { default: number } ? number : number | undefined;
}

/** What a command says about itself in help, beside its options. */
export interface CommandDoc {
  /** What follows `sagemaker-hf <command>` on each usage line, the options aside; none for a command without arguments. */
  usage?: readonly string[];
  /** What the command does, beyond what its options say. */
  about?: string;
}

export function optionsOf(command: CommandName): readonly OptionDecl<CommandName>[] {
  return OPTIONS.filter((d) => d.commands === 'all' || (d.commands as readonly string[]).includes(command));
}

export const GLOBAL_OPTIONS: readonly OptionDecl<CommandName>[] = OPTIONS.filter((d) => d.commands === 'all');

export function commandHelp(command: CommandName, doc: CommandDoc): string {
  const own = optionsOf(command).filter((d) => d.commands !== 'all');
  const lines = (doc.usage ?? ['']).map(
    (u, i) => `${i ? '      ' : 'Usage:'} sagemaker-hf ${command} ${u ? `${u} ` : ''}[options]`,
  );
  if (doc.about) lines.push('', doc.about);
  // One column for the descriptions of both lists.
  const width = optionColumn([...own, ...GLOBAL_OPTIONS]);
  if (own.length) lines.push('', 'Options:', ...optionLines(own, width));
  lines.push('', 'Global options:', ...optionLines(GLOBAL_OPTIONS, width));
  return lines.join('\n');
}

/** The command's flags parsed (any other flag is refused, naming it), with typed, defaulted, checked reads. */
export function parseCommandArgs<C extends CommandName>(command: C, argv: string[], doc: CommandDoc): CommandArgs<C> {
  const decls = optionsOf(command);
  const parsed: ParsedOptions = parseOptions(decls, argv);
  const read = (name: string) =>
    optionValue(
      decls.find((d) => d.name === name)!,
      parsed.values,
    );
  return {
    values: parsed.values as CommandArgs<C>['values'],
    positionals: parsed.positionals,
    get usage() {
      return commandHelp(command, doc);
    },
    flag: (name) => read(name) as boolean,
    text: (name) => read(name) as never,
    number: (name) => read(name) as never,
  };
}

/** The one positional argument a command takes; none or several is a UserError on `field`, ending with the usage. */
export function onePositional(args: { positionals: string[]; usage: string }, field: string, reason: string): string {
  const value = args.positionals[0];
  if (!value || args.positionals.length > 1) throw new UserError(`${field}: ${reason}\n${args.usage}`, field);
  return value;
}
