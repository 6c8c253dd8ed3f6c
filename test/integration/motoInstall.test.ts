// moto is installed by the project, not looked up on PATH: scripts/ensure-moto.sh puts the pin of
// test/requirements-moto.txt into a fresh virtual environment with pip's cache pointed at an empty folder
// (nothing left over from an earlier install), and the moto_server it leaves there starts and answers with
// no moto_server on PATH. On machines whose package indexes lack moto the script links the base Python's
// copy of exactly that version instead, and says so; either way the venv's bin/moto_server is the one used.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { freePort, motoServerBin } from '../helpers/moto';

const repoRoot = path.resolve(__dirname, '../../..');
const pin = /^moto\[server\]==(\S+)$/m.exec(readFileSync(path.join(repoRoot, 'test/requirements-moto.txt'), 'utf8'));

test('the test requirements pin moto[server]', () => {
  assert.ok(pin, 'test/requirements-moto.txt has a moto[server]==X line');
});

test('ensure-moto.sh installs a working moto_server into a fresh venv, with an empty pip cache and no moto on PATH', async () => {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'sagemaker-hf-moto-'));
  try {
    const venv = path.join(tmp, 'venv');
    const mk = spawnSync('python3', ['-m', 'venv', venv], { encoding: 'utf8' });
    assert.equal(mk.status, 0, mk.stderr);
    const env = {
      ...process.env,
      PIP_CACHE_DIR: path.join(tmp, 'pip-cache'),
      PIP_RETRIES: '0',
      PATH: '/usr/bin:/bin',
    };
    const r = spawnSync('bash', [path.join(repoRoot, 'scripts/ensure-moto.sh'), venv], { encoding: 'utf8', env });
    assert.equal(r.status, 0, `ensure-moto.sh failed: ${r.stdout}${r.stderr}`);
    assert.match(r.stdout, new RegExp(`moto ${pin![1].replace(/\./g, '\\.')}`));
    const bin = path.join(venv, 'bin/moto_server');
    assert.ok(existsSync(bin), `${bin} exists`);
    assert.match(readFileSync(path.join(venv, '.moto-version'), 'utf8'), new RegExp(`^${pin![1]} `));

    const port = await freePort();
    const child = spawn(bin, ['-H', '127.0.0.1', '-p', String(port)], { stdio: 'ignore', env });
    try {
      let status = 0;
      for (let i = 0; i < 200 && !status; i++) {
        status = await fetch(`http://127.0.0.1:${port}/moto-api/`).then(
          (res) => res.status,
          () => 0,
        );
        if (!status) await new Promise((res) => setTimeout(res, 150));
      }
      assert.equal(status, 200, 'the venv moto_server answers /moto-api/');
    } finally {
      child.kill('SIGTERM');
    }

    // A second run finds it and does nothing.
    const again = spawnSync('bash', [path.join(repoRoot, 'scripts/ensure-moto.sh'), venv], { encoding: 'utf8', env });
    assert.equal(again.status, 0);
    assert.equal(again.stdout, '');
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});

test('the test helper starts the project venv moto_server, not the one on PATH', () => {
  const saved = process.env.MOTO_SERVER;
  delete process.env.MOTO_SERVER;
  try {
    assert.equal(motoServerBin(), path.join(repoRoot, '.cache/venv/bin/moto_server'));
  } finally {
    if (saved !== undefined) process.env.MOTO_SERVER = saved;
  }
});
