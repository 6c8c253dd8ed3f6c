// Reads the SageMaker Python SDK's defaults files as load_sagemaker_config() does: the admin then the
// user location (SAGEMAKER_ADMIN_CONFIG_OVERRIDE / SAGEMAKER_USER_CONFIG_OVERRIDE override each with a
// file, a folder holding config.yaml, or an S3 URI of either), skipping a default location that has no
// file but refusing an override that points at nothing. Parsing, the schema check and the merge are
// pure (src/core/sagemaker/sdkDefaults.ts); this file only fetches the text.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import { client, type AwsTarget } from '../aws/clients';
import { describeAwsError } from '../aws/errors';
import { listKeys, readText } from '../aws/s3Upload';
import { UserError } from '../core/errors';
import {
  CONFIG_FILE_NAME,
  mergeSdkDefaults,
  parseSdkDefaultsFile,
  sdkConfigLocations,
  type ConfigLocation,
  type ConfigMap,
  type SdkDefaults,
} from '../core/sagemaker/sdkDefaults';

export interface SdkDefaultsOptions {
  env?: Record<string, string | undefined>;
  platform?: string;
  home?: string;
  signal?: AbortSignal;
}

/** _get_inferred_s3_uri + the object's text: one object under the prefix, or the prefix's config.yaml. */
async function readS3(
  target: AwsTarget,
  loc: ConfigLocation,
  signal?: AbortSignal,
): Promise<{ uri: string; text: string }> {
  const m = /^s3:\/\/([^/]+)\/?(.*)$/.exec(loc.location);
  const name = loc.fromEnv ?? 'SDK defaults file';
  if (!m) throw new UserError(`${name}: '${loc.location}' is not an s3://bucket/key URI`, name);
  const [, bucket, prefix] = m as unknown as [string, string, string];
  const s3 = client(S3Client, target);
  try {
    const keys = (await listKeys(s3, bucket, prefix, signal)).map((k) => k.key);
    if (keys.length === 0)
      throw new UserError(
        `${name}: no object at ${loc.location} (provide a valid S3 path to the SDK defaults file)`,
        name,
      );
    let key = keys[0]!;
    if (keys.length > 1) {
      key = path.posix.join(prefix, CONFIG_FILE_NAME);
      if (!keys.includes(key))
        throw new UserError(`${name}: ${loc.location} is a folder without a ${CONFIG_FILE_NAME} file`, name);
    }
    const text = await readText(s3, bucket, key, signal);
    if (text === undefined) throw new UserError(`${name}: s3://${bucket}/${key} could not be read`, name);
    return { uri: `s3://${bucket}/${key}`, text };
  } catch (err) {
    if (err instanceof UserError) throw err;
    throw describeAwsError(err, target, `Reading the SDK defaults file ${loc.location}`);
  }
}

/** _load_config_from_file: a folder means its config.yaml; undefined when a default location has none. */
function readLocal(loc: ConfigLocation): { file: string; text: string } | undefined {
  let file = loc.location;
  try {
    if (fs.statSync(file).isDirectory()) file = path.join(file, CONFIG_FILE_NAME);
  } catch {
    // Not there: handled below.
  }
  if (!fs.existsSync(file)) {
    if (!loc.fromEnv) return undefined;
    throw new UserError(
      `${loc.fromEnv}: no SDK defaults file at ${loc.location} (give a config.yaml, a folder holding one, or an s3:// URI; unset the variable to use none)`,
      loc.fromEnv,
    );
  }
  return { file, text: fs.readFileSync(file, 'utf8') };
}

/** load_sagemaker_config(): every location read, checked and merged; nothing found is no defaults. */
export async function loadSdkDefaults(target: AwsTarget, opts: SdkDefaultsOptions = {}): Promise<SdkDefaults> {
  const locations = sdkConfigLocations(
    opts.env ?? process.env,
    opts.platform ?? process.platform,
    opts.home ?? os.homedir(),
  );
  const docs: { file: string; doc: ConfigMap }[] = [];
  for (const loc of locations) {
    const got = loc.location.startsWith('s3://')
      ? await readS3(target, loc, opts.signal).then((r) => ({ file: r.uri, text: r.text }))
      : readLocal(loc);
    if (!got) continue;
    const doc = parseSdkDefaultsFile(got.text, got.file);
    if (doc) docs.push({ file: got.file, doc });
  }
  return mergeSdkDefaults(docs);
}
