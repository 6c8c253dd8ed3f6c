// Starts a real moto_server (the project's pinned one, .cache/venv/bin/moto_server) on a free loopback port for one test file and stops it by its own PID.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import { createServer } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  ListEndpointConfigsCommand,
  ListEndpointsCommand,
  ListModelsCommand,
  type SageMakerClient,
} from '@aws-sdk/client-sagemaker';

export interface Moto {
  endpoint: string;
  port: number;
  /** Environment for a child process (the CLI) that should talk to this moto. */
  env: NodeJS.ProcessEnv;
  reset(): Promise<void>;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** Credentials moto accepts; the account id moto reports for them is 123456789012. */
export const MOTO_ACCOUNT = '123456789012';

/** An empty SDK defaults file: the SDK (and this tool) skip an empty document. */
function noSdkDefaults(): string {
  const file = path.join(os.tmpdir(), 'sagemaker-hf-no-sdk-defaults.yaml');
  if (!fs.existsSync(file)) fs.writeFileSync(file, '');
  return file;
}

const repoRoot = path.resolve(__dirname, '../../..');

/**
 * The project's own moto_server: the pin of test/requirements-moto.txt in .cache/venv, installed on first
 * use by scripts/ensure-venv.sh (which the test command runs too). Never one found on PATH, whose version
 * nobody chose. MOTO_SERVER names another on purpose.
 */
export function motoServerBin(): string {
  if (process.env.MOTO_SERVER) return process.env.MOTO_SERVER;
  const bin = path.join(repoRoot, '.cache/venv/bin/moto_server');
  if (!fs.existsSync(bin)) {
    const r = spawnSync('bash', [path.join(repoRoot, 'scripts/ensure-venv.sh')], { encoding: 'utf8' });
    if (r.status !== 0 || !fs.existsSync(bin))
      throw new Error(`scripts/ensure-venv.sh did not install ${bin}: ${(r.stderr || r.stdout || '').trim()}`);
  }
  return bin;
}

export async function startMoto(): Promise<Moto> {
  const port = await freePort();
  const bin = motoServerBin();
  const child: ChildProcess = spawn(bin, ['-H', '127.0.0.1', '-p', String(port)], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env },
  });
  let stderr = '';
  child.stderr?.on('data', (d) => (stderr += String(d)));
  const endpoint = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`moto_server exited early (${child.exitCode}): ${stderr}`);
    try {
      const res = await fetch(`${endpoint}/moto-api/`);
      if (res.ok || res.status < 500) break;
    } catch {
      /* not up yet */
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`moto_server did not start on ${endpoint}: ${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 150));
  }
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    AWS_ENDPOINT_URL: endpoint,
    AWS_ACCESS_KEY_ID: 'testing',
    AWS_SECRET_ACCESS_KEY: 'testing',
    AWS_SESSION_TOKEN: 'testing',
    AWS_REGION: 'us-east-1',
    AWS_DEFAULT_REGION: 'us-east-1',
    AWS_PROFILE: '',
    AWS_CONFIG_FILE: '/nonexistent/aws-config',
    AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/aws-credentials',
    // The SageMaker Python SDK defaults files: an empty one (no defaults), never the machine's own.
    SAGEMAKER_ADMIN_CONFIG_OVERRIDE: noSdkDefaults(),
    SAGEMAKER_USER_CONFIG_OVERRIDE: noSdkDefaults(),
  };
  delete env.AWS_PROFILE;
  return {
    endpoint,
    port,
    env,
    async reset() {
      await fetch(`${endpoint}/moto-api/reset`, { method: 'POST' });
    },
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise<void>((r) => child.once('exit', () => r()));
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(t);
    },
  };
}

/** Points this process's AWS SDK clients at moto (for in-process integration tests). */
export function useMotoEnv(moto: Moto): () => void {
  const keys = Object.keys(moto.env).filter((k) => k.startsWith('AWS_') || k.startsWith('SAGEMAKER_'));
  const saved = new Map(keys.map((k) => [k, process.env[k]] as const));
  const savedProfile = process.env.AWS_PROFILE;
  for (const k of keys) process.env[k] = moto.env[k];
  delete process.env.AWS_PROFILE;
  return () => {
    for (const [k, v] of saved) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    if (savedProfile !== undefined) process.env.AWS_PROFILE = savedProfile;
  };
}

/** Queues InvokeEndpoint answers in moto (it returns them in order, whatever the request). */
export async function queueEndpointResults(moto: Moto, bodies: unknown[]): Promise<void> {
  const res = await fetch(`${moto.endpoint}/moto-api/static/sagemaker/endpoint-results`, {
    method: 'POST',
    body: JSON.stringify({
      account_id: MOTO_ACCOUNT,
      region: 'us-east-1',
      results: bodies.map((b) => ({
        Body: JSON.stringify(b),
        ContentType: 'application/json',
        InvokedProductionVariant: 'AllTraffic',
      })),
    }),
  });
  if (res.status !== 201) throw new Error(`moto did not queue the endpoint results (${res.status})`);
}

/** Models, endpoint configs and endpoints left in moto (what a delete must leave empty). */
export async function sageMakerLeftovers(
  sm: SageMakerClient,
): Promise<{ models: string[]; configs: string[]; endpoints: string[] }> {
  return {
    models: ((await sm.send(new ListModelsCommand({}))).Models ?? []).map((m) => m.ModelName!),
    configs: ((await sm.send(new ListEndpointConfigsCommand({}))).EndpointConfigs ?? []).map(
      (c) => c.EndpointConfigName!,
    ),
    endpoints: ((await sm.send(new ListEndpointsCommand({}))).Endpoints ?? []).map((e) => e.EndpointName!),
  };
}
