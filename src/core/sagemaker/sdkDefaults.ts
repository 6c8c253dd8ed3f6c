// The SageMaker Python SDK's defaults file (config.yaml), read as SDK v2.257.6's sagemaker/config/config.py
// reads it: where the admin and user files live, YAML parsed as PyYAML's safe_load does (YAML 1.1, so
// `yes`/`on` are booleans), each file checked against the SDK's own schema (schemas/sagemaker-sdk-config
// .schema.json is its SAGEMAKER_PYTHON_SDK_CONFIG_SCHEMA written out unchanged), and the files merged in
// order by botocore's merge_dicts: maps merge key by key, anything else (lists included) is replaced by
// the later file. Each value remembers the file it came from, so a request can say where its VpcConfig
// came from. Pure: the workflow reads the files (src/workflow/sdkDefaultsFiles.ts).
import Ajv2020, { type ErrorObject } from 'ajv/dist/2020';
import * as path from 'node:path';
import { LineCounter, parseDocument, isNode } from 'yaml';
import schema from '../../../schemas/sagemaker-sdk-config.schema.json';
import { UserError } from '../errors';

export type ConfigMap = { [key: string]: unknown };

export interface SdkDefaults {
  /** The merged document, as load_sagemaker_config() returns it. */
  config: ConfigMap;
  /** The file (path or S3 URI) each leaf value came from, keyed by its key path. */
  origins: { path: string[]; file: string }[];
  /** The files that contributed, in load order. */
  files: string[];
}

export const ADMIN_OVERRIDE_ENV = 'SAGEMAKER_ADMIN_CONFIG_OVERRIDE';
export const USER_OVERRIDE_ENV = 'SAGEMAKER_USER_CONFIG_OVERRIDE';
export const CONFIG_FILE_NAME = 'config.yaml';

export interface ConfigLocation {
  /** A local path (file or folder) or an S3 URI (object or prefix). */
  location: string;
  /** The override variable that named it; absent for a default location, where a missing file is no error. */
  fromEnv?: string;
}

/**
 * The two locations load_sagemaker_config() reads, in order (admin, then user): the override variables
 * when set, else platformdirs' site_config_dir / user_config_dir for app "sagemaker" plus config.yaml.
 */
export function sdkConfigLocations(
  env: Record<string, string | undefined>,
  platform: string,
  home: string,
): ConfigLocation[] {
  const join = platform === 'win32' ? path.win32.join : path.posix.join;
  let site: string;
  let user: string;
  if (platform === 'darwin') {
    site = '/Library/Application Support/sagemaker';
    user = join(home, 'Library/Application Support/sagemaker');
  } else if (platform === 'win32') {
    site = join(env['ALLUSERSPROFILE'] ?? 'C:\\ProgramData', 'sagemaker');
    user = join(env['LOCALAPPDATA'] ?? join(home, 'AppData', 'Local'), 'sagemaker');
  } else {
    // platformdirs (unix): the first entry of XDG_CONFIG_DIRS, else /etc/xdg; XDG_CONFIG_HOME, else ~/.config.
    const dirs = (env['XDG_CONFIG_DIRS'] ?? '').trim();
    site = path.posix.join(dirs ? dirs.split(':')[0]! : '/etc/xdg', 'sagemaker');
    const xdgHome = (env['XDG_CONFIG_HOME'] ?? '').trim();
    user = path.posix.join(xdgHome || path.posix.join(home, '.config'), 'sagemaker');
  }
  const pick = (name: string, fallback: string): ConfigLocation => {
    const v = env[name];
    return v !== undefined ? { location: v, fromEnv: name } : { location: join(fallback, CONFIG_FILE_NAME) };
  };
  return [pick(ADMIN_OVERRIDE_ENV, site), pick(USER_OVERRIDE_ENV, user)];
}

let validator: ReturnType<Ajv2020['compile']> | undefined;

/** "a.b[0].c" from ["a","b",0,"c"]. */
export function keyPathText(keys: readonly (string | number)[]): string {
  return keys.map((k, i) => (typeof k === 'number' ? `[${k}]` : i === 0 ? k : `.${k}`)).join('') || '(top level)';
}

function errorKeys(e: ErrorObject): (string | number)[] {
  const keys: (string | number)[] = e.instancePath
    .split('/')
    .slice(1)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
  if (e.keyword === 'additionalProperties') keys.push((e.params as { additionalProperty: string }).additionalProperty);
  if (e.keyword === 'required') keys.push((e.params as { missingProperty: string }).missingProperty);
  return keys;
}

function errorText(e: ErrorObject): string {
  switch (e.keyword) {
    case 'additionalProperties':
      return 'is not a key the SageMaker Python SDK schema allows here (check the spelling and the nesting)';
    case 'required':
      return 'is required';
    case 'type':
      return `must be ${(e.params as { type: string }).type}`;
    case 'pattern':
      return `must match ${(e.params as { pattern: string }).pattern}`;
    default:
      return e.message ?? e.keyword;
  }
}

/**
 * One file's document: YAML parsed like yaml.safe_load, then validate_sagemaker_config(). Returns
 * undefined for a file that holds nothing (the SDK skips an empty document). A malformed file is a
 * UserError naming the file, the line and the key path.
 */
export function parseSdkDefaultsFile(text: string, file: string): ConfigMap | undefined {
  const lines = new LineCounter();
  const doc = parseDocument(text, { version: '1.1', lineCounter: lines, uniqueKeys: false });
  const lineOf = (offset: number) => `${file}:${lines.linePos(offset).line}`;
  const bad = doc.errors[0];
  if (bad) throw new UserError(`${lineOf(bad.pos[0])}: not valid YAML: ${bad.message.split('\n')[0]}`, file);
  const value: unknown = doc.toJS({ maxAliasCount: 100 });
  if (value === null || value === undefined || value === false || value === '' || value === 0) return undefined;
  if (typeof value === 'object' && !Array.isArray(value) && Object.keys(value).length === 0) return undefined;
  validator ??= new Ajv2020({ strict: false, allErrors: false }).compile(schema);
  if (!validator(value)) {
    const e = validator.errors![0]!;
    const keys = errorKeys(e);
    // The nearest node that exists gives the line (a missing key points at its parent).
    let where = file;
    for (let n = keys.length; n >= 0; n--) {
      const node = n === 0 ? doc.contents : doc.getIn(keys.slice(0, n), true);
      if (isNode(node) && node.range) {
        where = lineOf(node.range[0]);
        break;
      }
    }
    throw new UserError(
      `${where}: ${keyPathText(keys)} ${errorText(e)} (the SageMaker Python SDK defaults file schema)`,
      keyPathText(keys),
    );
  }
  return value as ConfigMap;
}

function isMap(v: unknown): v is ConfigMap {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Date);
}

/** botocore.utils.merge_dicts(into, from): maps merge key by key, anything else replaces; origins follow. */
function mergeInto(into: ConfigMap, from: ConfigMap, file: string, at: string[], origins: SdkDefaults['origins']) {
  for (const [key, value] of Object.entries(from)) {
    const here = [...at, key];
    if (isMap(value) && isMap(into[key])) {
      mergeInto(into[key], value, file, here, origins);
      continue;
    }
    // Replaced whole: forget where the old value and anything under it came from.
    for (let i = origins.length - 1; i >= 0; i--)
      if (startsWith(origins[i]!.path, here) || startsWith(here, origins[i]!.path)) origins.splice(i, 1);
    into[key] = structuredClone(value);
    if (isMap(value)) {
      into[key] = {};
      mergeInto(into[key] as ConfigMap, value, file, here, origins);
      if (Object.keys(value).length === 0) origins.push({ path: here, file });
    } else origins.push({ path: here, file });
  }
}

function startsWith(p: readonly string[], prefix: readonly string[]): boolean {
  return prefix.length <= p.length && prefix.every((k, i) => p[i] === k);
}

/** load_sagemaker_config(): the documents in order (admin, user), later files winning key by key. */
export function mergeSdkDefaults(docs: { file: string; doc: ConfigMap }[]): SdkDefaults {
  const out: SdkDefaults = { config: {}, origins: [], files: [] };
  for (const { file, doc } of docs) {
    mergeInto(out.config, doc, file, [], out.origins);
    out.files.push(file);
  }
  return out;
}

/** get_config_value(key_path, config): the value at a dotted key path, a deep copy, or undefined. */
export function configValue(d: SdkDefaults, keyPath: string): unknown {
  let v: unknown = d.config;
  for (const k of keyPath.split('.')) {
    if (!isMap(v)) return undefined;
    v = v[k];
  }
  return v === undefined || v === null ? undefined : structuredClone(v);
}

/** The files the value at a key path (or any part of it) came from, in load order. */
export function filesOf(d: SdkDefaults, keyPath: string): string[] {
  const p = keyPath.split('.');
  const files = new Set(d.origins.filter((o) => startsWith(o.path, p) || startsWith(p, o.path)).map((o) => o.file));
  return d.files.filter((f) => files.has(f));
}

export const SESSION_DEFAULT_S3_BUCKET = 'SageMaker.PythonSDK.Modules.Session.DefaultS3Bucket';
export const SESSION_DEFAULT_S3_OBJECT_KEY_PREFIX = 'SageMaker.PythonSDK.Modules.Session.DefaultS3ObjectKeyPrefix';

/** One value a defaults file put into a request: "VpcConfig from /etc/xdg/sagemaker/config.yaml". */
export interface AppliedDefault {
  /** The request the value went into (CreateTrainingJob, CreateModel, ...). */
  request: string;
  /** The request field (dotted), e.g. VpcConfig, ResourceConfig.VolumeKmsKeyId, Tags. */
  field: string;
  /** The file's key path, e.g. SageMaker.TrainingJob.VpcConfig. */
  keyPath: string;
  files: string[];
}

export function describeApplied(a: AppliedDefault): string {
  return `${a.request} ${a.field} from ${a.files.join(' and ')} (${a.keyPath})`;
}
