// Standard @vscode/test-cli configuration: runs the same e2e suites (out/test/e2e/suite/*.test.js, mocha
// TDD) in desktop VS Code, which `npx vscode-test` downloads (needs internet; here the suites run in
// code-server through test/e2e/run.sh instead). Build first: `npm run build && npm run compile-tests`.
// The AWS tests expect an emulator: start `moto_server -p 5000` and export AWS_ENDPOINT_URL=http://127.0.0.1:5000
// (with dummy AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY and AWS_REGION=us-east-1), as test/e2e/run.sh does.
import { defineConfig } from '@vscode/test-cli';
import { cpSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// A scratch copy of examples/ with schemas/ and training-scripts/ beside it, so the suites' files do not
// land in the repo and the spec's relative paths resolve.
const ws = mkdtempSync(join(tmpdir(), 'sagemaker-hf-vscode-test-'));
for (const dir of ['examples', 'schemas', 'training-scripts'])
  cpSync(dir, join(ws, dir), { recursive: true, filter: (src) => !src.includes('__pycache__') });

export default defineConfig({
  label: 'e2e',
  files: 'out/test/e2e/suite/*.test.js',
  workspaceFolder: join(ws, 'examples'),
  version: 'stable',
  launchArgs: ['--disable-workspace-trust', '--disable-extensions'],
  env: {
    AWS_REGION: process.env.AWS_REGION ?? 'us-east-1',
    AWS_ACCESS_KEY_ID: process.env.AWS_ACCESS_KEY_ID ?? 'testing',
    AWS_SECRET_ACCESS_KEY: process.env.AWS_SECRET_ACCESS_KEY ?? 'testing',
    AWS_CONFIG_FILE: '/nonexistent/aws-config',
    AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/aws-credentials',
  },
  mocha: { ui: 'tdd', timeout: 60_000, color: true },
});
