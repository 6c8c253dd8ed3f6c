// How the SageMaker training toolkit (sagemaker-training) turns a job into a process: the command-line
// arguments built from the hyperparameters and the SM_* environment. The local target runs train.py with
// exactly these, so a script that works locally works in the container (and the reverse).
//
// Toolkit behaviour reproduced (see shared/notes/sagemaker-training-request.md §6.3):
// - each HyperParameters value is json.loads-ed (falling back to the raw string);
// - keys starting with `sagemaker_` (and a few reserved ones) are kept out of the arguments; the
//   non-reserved `sagemaker_*` keys become "framework params";
// - arguments: user keys sorted, `--key` (`-k` for one-character keys), then Python `str(value)`
//   (`True`, `3e-05`, `None` → ``, dicts → `k=v,k2=v2` sorted by key);
// - env: `SM_<KEY>` upper-cased; strings as-is, everything else json.dumps(sort_keys, compact).
import { byCodePoint, keysInOrder, PyFloat, pythonFloatRepr, pythonJsonDumps, type PyValue } from '../pythonJson';
import { parseExactJson } from '../exactJson';

export { PyFloat, type PyValue };

const RESERVED = new Set([
  'sagemaker_program',
  'sagemaker_submit_directory',
  'sagemaker_enable_cloudwatch_metrics',
  'sagemaker_region',
  'sagemaker_container_log_level',
  'sagemaker_job_name',
  'default_user_module_name',
  '_tuning_objective_metric',
  'sagemaker_s3_output',
]);

// The framework params that make the toolkit treat the current group as distributed.
const DISTRIBUTION_FLAGS = [
  'sagemaker_mpi_enabled',
  'sagemaker_parameter_server_enabled',
  'sagemaker_distributed_dataparallel_enabled',
  'sagemaker_pytorch_ddp_enabled',
  'sagemaker_pytorch_xla_multi_worker_enabled',
  'sagemaker_multi_worker_mirrored_strategy_enabled',
  'sagemaker_torch_distributed_enabled',
];

const isReserved = (k: string) => RESERVED.has(k) || k.startsWith('sagemaker_');

/** Python repr() (and str()) of a float: nan and inf as Python prints them, not as JSON writes them. */
export function pyFloatRepr(x: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (x === Infinity) return 'inf';
  if (x === -Infinity) return '-inf';
  return pythonFloatRepr(x);
}

function isInt(v: number): boolean {
  return Number.isInteger(v);
}

function numberStr(v: number | PyFloat): string {
  if (v instanceof PyFloat) return pyFloatRepr(v.value);
  return isInt(v) ? BigInt(v).toString() : pyFloatRepr(v);
}

/** Python repr() of a str: single quotes unless the text has ' and no ". */
function pyStrRepr(s: string): string {
  const q = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = q;
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === '\\') out += '\\\\';
    else if (ch === q) out += `\\${q}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (c < 0x20 || c === 0x7f) out += `\\x${c.toString(16).padStart(2, '0')}`;
    else out += ch;
  }
  return out + q;
}

function pyRepr(v: PyValue): string {
  if (typeof v === 'string') return pyStrRepr(v);
  return pyStr(v);
}

/** Python str() of a json.loads-ed value. */
export function pyStr(v: PyValue): string {
  if (v === null) return 'None';
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'number' || v instanceof PyFloat) return numberStr(v);
  if (typeof v === 'string') return v;
  if (Array.isArray(v)) return `[${v.map(pyRepr).join(', ')}]`;
  return `{${keysInOrder(v)
    .map((k) => `${pyStrRepr(k)}: ${pyRepr(v[k]!)}`)
    .join(', ')}}`;
}

/** json.dumps(v, sort_keys=True, separators=(",", ":")) as the toolkit writes SM_* values. */
export function pyJsonCompact(v: PyValue): string {
  return pythonJsonDumps(v, { sortKeys: true, compact: true });
}

/**
 * The toolkit's decoding of one HyperParameters value: json.loads, else the raw string. Numbers keep their
 * Python type (`4.0` a float, big integers exact) and dict keys their order, as json.loads keeps them.
 */
export function decodeHyperparameter(encoded: string): PyValue {
  try {
    return parseExactJson(encoded).value as PyValue;
  } catch {
    return encoded;
  }
}

/** Decodes a CreateTrainingJob HyperParameters map (every value a JSON-encoded string). */
export function decodeHyperparameters(encoded: Record<string, string>): Record<string, PyValue> {
  const out: Record<string, PyValue> = {};
  for (const [k, v] of Object.entries(encoded)) out[k] = decodeHyperparameter(v);
  return out;
}

/** User hyperparameters (no sagemaker_* / reserved keys) and the framework params (non-reserved sagemaker_*). */
export function splitHyperparameters(hps: Record<string, PyValue>): {
  user: Record<string, PyValue>;
  framework: Record<string, PyValue>;
} {
  const user: Record<string, PyValue> = {};
  const framework: Record<string, PyValue> = {};
  for (const [k, v] of Object.entries(hps)) {
    if (!isReserved(k)) user[k] = v;
    else if (!RESERVED.has(k)) framework[k] = v;
  }
  return { user, framework };
}

/** mapping.to_cmd_args: sorted keys, `--key`/`-k`, then str(value); a dict value as `k=v,k2=v2`. */
export function toCmdArgs(user: Record<string, PyValue>): string[] {
  const args: string[] = [];
  for (const key of Object.keys(user).sort(byCodePoint)) {
    const value = user[key]!;
    args.push(key ? (key.length > 1 ? `--${key}` : `-${key}`) : '');
    if (value !== null && typeof value === 'object' && !Array.isArray(value) && !(value instanceof PyFloat)) {
      args.push(
        Object.keys(value)
          .sort(byCodePoint)
          .map((k) => `${k}=${pyStr(value[k]!)}`)
          .join(','),
      );
    } else {
      args.push(value === null ? '' : pyStr(value));
    }
  }
  return args;
}

export interface ContainerLayout {
  /** Channel name -> local folder (the container's /opt/ml/input/data/<channel>). */
  channels: Record<string, string>;
  modelDir: string;
  outputDir: string;
  outputDataDir: string;
  outputIntermediateDir: string;
  inputDir: string;
  inputConfigDir: string;
  /** Where the training script lives (the container's SM_MODULE_DIR). */
  moduleDir: string;
  entryPoint: string;
  jobName: string;
  numGpus: number;
  numCpus: number;
  instanceType?: string;
  region?: string;
  logLevel?: number;
}

export interface ContainerInvocation {
  /** Arguments after `python <entryPoint>`. */
  args: string[];
  env: Record<string, string>;
  /** inputdataconfig.json, resourceconfig.json, hyperparameters.json as the container has them. */
  configFiles: Record<string, string>;
}

function toEnvValue(v: PyValue): string {
  if (v === null) return '';
  if (typeof v === 'string') return v;
  return pyJsonCompact(v);
}

/** Everything the toolkit hands to the entry point for these hyperparameters on this layout. */
export function containerInvocation(
  hyperparameters: Record<string, PyValue>,
  layout: ContainerLayout,
): ContainerInvocation {
  const { user, framework } = splitHyperparameters(hyperparameters);
  const args = toCmdArgs(user);
  const hosts = ['algo-1'];
  const channelNames = Object.keys(layout.channels).sort(byCodePoint);
  const inputDataConfig: Record<string, PyValue> = {};
  for (const c of channelNames)
    inputDataConfig[c] = {
      RecordWrapperType: 'None',
      S3DistributionType: 'FullyReplicated',
      TrainingInputMode: 'File',
    };
  const group = 'homogeneousCluster';
  const instanceGroup: Record<string, PyValue> = {
    instance_group_name: group,
    instance_type: layout.instanceType ?? 'local',
    hosts,
  };
  const resourceConfig: Record<string, PyValue> = {
    current_host: 'algo-1',
    current_instance_type: layout.instanceType ?? 'local',
    current_group_name: group,
    hosts,
    instance_groups: [instanceGroup],
    network_interface_name: 'eth0',
  };
  // get_distribution_instance_groups_from_resource_config: the group, when a distribution flag is on.
  const distributed = DISTRIBUTION_FLAGS.some((k) => framework[k] === true);
  const distributionGroups: PyValue[] = Array.isArray(framework['sagemaker_distribution_instance_groups'])
    ? (framework['sagemaker_distribution_instance_groups'] as PyValue[])
    : distributed
      ? [group]
      : [];
  const distributionHosts = distributionGroups.includes(group) ? hosts : [];
  const channelInputDirs: Record<string, PyValue> = {};
  for (const c of channelNames) channelInputDirs[c] = layout.channels[c]!;
  const moduleName = layout.entryPoint.replace(/\.py$/, '');
  // The toolkit's module_dir is sagemaker_submit_directory (an S3 URI in a real job) when the job has it.
  const submitted = hyperparameters['sagemaker_submit_directory'];
  const moduleDir = typeof submitted === 'string' ? submitted : layout.moduleDir;
  const logLevel =
    layout.logLevel ??
    (typeof hyperparameters['sagemaker_container_log_level'] === 'number'
      ? (hyperparameters['sagemaker_container_log_level'] as number)
      : 20);
  // The toolkit's Environment properties (env.properties()), which become SM_<NAME> and SM_TRAINING_ENV.
  const props: Record<string, PyValue> = {
    additional_framework_parameters: framework,
    channel_input_dirs: channelInputDirs,
    current_host: 'algo-1',
    current_instance_group: group,
    current_instance_group_hosts: hosts,
    current_instance_type: layout.instanceType ?? 'local',
    distribution_hosts: distributionHosts,
    distribution_instance_groups: distributionGroups,
    framework_module: 'sagemaker_pytorch_container.training:main',
    hosts,
    hyperparameters: user,
    input_config_dir: layout.inputConfigDir,
    input_data_config: inputDataConfig,
    input_dir: layout.inputDir,
    instance_groups: [group],
    instance_groups_dict: { [group]: instanceGroup },
    is_hetero: false,
    is_master: true,
    // `mp_parameters and mp_parameters != "{}"` with SM_HP_MP_PARAMETERS unset: None.
    is_modelparallel_enabled: null,
    is_smddpmprun_installed: false,
    is_smddprun_installed: false,
    job_name: layout.jobName,
    log_level: logLevel,
    master_hostname: 'algo-1',
    model_dir: layout.modelDir,
    module_dir: moduleDir,
    module_name: moduleName,
    network_interface_name: 'eth0',
    num_cpus: layout.numCpus,
    num_gpus: layout.numGpus,
    num_neurons: 0,
    output_data_dir: layout.outputDataDir,
    output_dir: layout.outputDir,
    output_intermediate_dir: layout.outputIntermediateDir,
    resource_config: resourceConfig,
    topology: [],
    user_entry_point: layout.entryPoint,
  };
  const env: Record<string, string> = {};
  const put = (name: string, v: PyValue) => (env[`SM_${name.toUpperCase()}`] = toEnvValue(v));
  put('hosts', hosts);
  put('network_interface_name', 'eth0');
  put('hps', user);
  put('resource_config', resourceConfig);
  put('input_data_config', inputDataConfig);
  put('output_data_dir', layout.outputDataDir);
  put('channels', channelNames);
  put('current_host', 'algo-1');
  put('current_instance_type', layout.instanceType ?? 'local');
  put('current_instance_group', group);
  put('current_instance_group_hosts', hosts);
  put('instance_groups', [group]);
  put('instance_groups_dict', { [group]: instanceGroup });
  put('distribution_instance_groups', distributionGroups);
  put('is_hetero', false);
  put('module_name', moduleName);
  put('log_level', logLevel);
  put('framework_module', 'sagemaker_pytorch_container.training:main');
  put('input_dir', layout.inputDir);
  put('input_config_dir', layout.inputConfigDir);
  put('output_dir', layout.outputDir);
  put('num_cpus', layout.numCpus);
  put('num_gpus', layout.numGpus);
  put('num_neurons', 0);
  put('model_dir', layout.modelDir);
  put('module_dir', moduleDir);
  put('training_env', props);
  put('user_args', args);
  put('output_intermediate_dir', layout.outputIntermediateDir);
  put('user_entry_point', layout.entryPoint);
  put('framework_params', framework);
  for (const c of channelNames) put(`channel_${c}`, layout.channels[c]!);
  for (const [k, v] of Object.entries(user)) put(`hp_${k}`, v);
  // Set by the toolkit's Environment() from the sagemaker_* hyperparameters; TRAINING_JOB_NAME by the platform.
  env['SAGEMAKER_JOB_NAME'] =
    typeof hyperparameters['sagemaker_job_name'] === 'string' ? hyperparameters['sagemaker_job_name'] : layout.jobName;
  env['CURRENT_HOST'] = 'algo-1';
  const region =
    typeof hyperparameters['sagemaker_region'] === 'string' ? hyperparameters['sagemaker_region'] : layout.region;
  if (region) env['SAGEMAKER_REGION'] = region;
  env['TRAINING_JOB_NAME'] = layout.jobName;
  // The toolkit's process runner streams the script's output; Python buffers stdout on a pipe otherwise.
  env['PYTHONUNBUFFERED'] = '1';
  const encodedHps: Record<string, PyValue> = {};
  for (const [k, v] of Object.entries(hyperparameters)) encodedHps[k] = pyJsonCompact(v);
  return {
    args,
    env,
    configFiles: {
      'hyperparameters.json': JSON.stringify(encodedHps, null, 2),
      'inputdataconfig.json': JSON.stringify(
        Object.fromEntries(
          channelNames.map((c) => [
            c,
            { TrainingInputMode: 'File', S3DistributionType: 'FullyReplicated', RecordWrapperType: 'None' },
          ]),
        ),
        null,
        2,
      ),
      'resourceconfig.json': JSON.stringify(resourceConfig, null, 2),
    },
  };
}
