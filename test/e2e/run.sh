#!/usr/bin/env bash
# Extension tests inside a real VS Code (code-server from npm, Node extension host) and GUI scenarios in
# Debian's chromium driven by playwright-core, against a moto_server started here. Run by
# `node scripts/test-all.mjs e2e` (npm run test:e2e) after the build; prints one closing
# "N passed, N failed" line and exits non-zero on any failure.
#
# What it does: installs its prerequisites once into ${SAGEMAKER_HF_E2E_HOME:-~/.cache/sagemaker-hf-e2e}
# (test/e2e/install.sh: apt chromium/libkrb5-dev, Node 24, code-server); packages the extension
# (npm run package -> dist/sagemaker-hf.vsix, production build) and installs the .vsix into a scratch
# code-server; starts .cache/venv/bin/moto_server (scripts/ensure-venv.sh) and code-server (each in its own process group, killed at exit, also
# on failure, timeout or Ctrl-C) with AWS_ENDPOINT_URL pointing at moto. The workspace: the mocha run and
# each GUI scenario open their own temp copy of examples/ (with schemas/ and training-scripts/ beside it,
# and ../.cache, ../../shared linked as in the repo, so the specs' relative paths resolve).
#
# Add a test suite: create test/e2e/suite/<feature>.test.ts with mocha TDD (`suite`, `test`) using the
#   real `vscode` API; scripts/build-tests.mjs compiles it to out/test/e2e/suite/ and suite/index.ts loads
#   every *.test.js there. Get the extension's API with
#   `vscode.extensions.getExtension('sagemaker-hf.sagemaker-hf')!.activate()`; AWS is moto (account
#   123456789012, us-east-1). Record figures with `metric(name, value)` from suite/util.ts.
# Add a GUI scenario: create test/e2e/gui/<feature>.gui.mjs exporting `title` (string) and
#   `async run(wb)`, where wb is a Workbench from gui/driver.mjs (wb.open(), wb.openContainer('SageMaker HF'),
#   wb.runCommand('SageMaker HF: ...'), wb.waitForTreeRow(text, {view}), wb.waitForNotification(text),
#   wb.screenshot(name) -> test-output/e2e/<name>.png; wb.page is the playwright Page). Each scenario gets a
#   fresh browser context and so a fresh extension host; a failure saves <name>-failure.png.
#
# Environment: SAGEMAKER_HF_E2E_HOME (install cache), SAGEMAKER_HF_E2E_GREP (regexp: only matching mocha
#   tests and GUI scenarios), SAGEMAKER_HF_E2E_ONLY=suite|gui, SAGEMAKER_HF_E2E_PACKAGE=0 (skip the
#   packaging checks while iterating; always on in CI), SAGEMAKER_HF_E2E_TIMEOUT_S (browser part, default
#   1500), SAGEMAKER_HF_E2E_VERBOSE=1 (all extension-host output), SAGEMAKER_HF_E2E_KEEP=1 (keep the temp
#   folder with server logs), SAGEMAKER_HF_E2E_UPDATE_DOCS=1 (also write docs/screenshot.png, from gui/localPath.gui.mjs).
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 2
REPO=$(pwd)
# shellcheck source=test/e2e/install.sh
source test/e2e/install.sh

OUT=$REPO/test-output/e2e
mkdir -p "$OUT"
rm -f "$OUT/metrics.jsonl" "$OUT/runner.json" "$OUT"/*-failure.png
passed=0
failed=0
T_START=$SECONDS
ok() { passed=$((passed + 1)); echo "  ✔ $*"; }
ko() { failed=$((failed + 1)); echo "  ✖ $*"; }
finish() {
  echo "e2e took $((SECONDS - T_START)) s; screenshots and metrics in test-output/e2e/"
  echo "$passed passed, $failed failed"
  [ "$failed" -eq 0 ] && [ "$passed" -gt 0 ] && exit 0 || exit 1
}

TMP=$(mktemp -d "${TMPDIR:-/tmp}/sagemaker-hf-e2e.XXXXXX")
MOTO_PGID="" RUNNER_PGID="" WATCHDOG_PID="" E2E_CS_PGID=""
cleanup() {
  [ -n "$WATCHDOG_PID" ] && kill -KILL -- "-$WATCHDOG_PID" 2>/dev/null
  e2e_kill_group "$RUNNER_PGID"
  e2e_kill_group "$E2E_CS_PGID"
  e2e_kill_group "$MOTO_PGID"
  if [ "${SAGEMAKER_HF_E2E_KEEP:-0}" = 1 ]; then echo "kept $TMP"; else rm -rf "$TMP"; fi
}
trap cleanup EXIT
trap 'echo "interrupted"; exit 130' INT TERM

echo "--- prerequisites (${E2E_HOME}) ---"
if ! e2e_install; then
  ko "prerequisites: could not install chromium/Node 24/code-server (see above)${CI:+; CI=true: a missing prerequisite is a failure}"
  finish
fi
echo "  code-server $E2E_CODE_SERVER_VERSION, Node $("$NODE24/bin/node" --version), $("$CHROMIUM" --version 2>/dev/null | head -1) (${E2E_INSTALL_SECONDS} s)"
# moto_server is the project's own (scripts/ensure-venv.sh puts the pinned one into .cache/venv), never PATH's.
MOTO_SERVER=$REPO/.cache/venv/bin/moto_server
if ! bash scripts/ensure-venv.sh >"$TMP/venv.log" 2>&1 || [ ! -x "$MOTO_SERVER" ]; then
  ko "prerequisites: scripts/ensure-venv.sh did not provide $MOTO_SERVER: $(tail -n 3 "$TMP/venv.log")"
  finish
fi

# --- packaging: production build, .vsix contents, install into a scratch code-server --------------------
if [ "${SAGEMAKER_HF_E2E_PACKAGE:-1}" != 0 ] || [ "${CI:-}" = true ]; then
  echo "--- package ---"
  t=$SECONDS
  rm -f dist/sagemaker-hf.vsix
  if npm run --silent package >"$TMP/package.log" 2>&1 && [ -f dist/sagemaker-hf.vsix ]; then
    ok "npm run package builds dist/sagemaker-hf.vsix ($(($(stat -c %s dist/sagemaker-hf.vsix) / 1024)) KiB, $((SECONDS - t)) s)"
    if contents=$(python3 - dist/sagemaker-hf.vsix <<'PY'
import re, sys, zipfile
names = [n for n in zipfile.ZipFile(sys.argv[1]).namelist() if n.startswith('extension/')]
allowed = re.compile(r'^extension/(package\.json|readme\.md|README\.md|LICENSE(\.\w+)?|changelog\.md|CHANGELOG\.md'
                     r'|dist/[^/]+\.js|dist/webview/.+\.(js|css|ttf|woff2?|svg|png)|media/.+|schemas/.+'
                     r'|examples/.+|training-scripts/(.+\.py|requirements\.txt)|docs/screenshot\.png)$')
bad = [n for n in names if not allowed.match(n) or '__pycache__' in n or n.endswith('.map')]
need = ['extension/package.json', 'extension/dist/extension.js', 'extension/dist/heavy.js', 'extension/dist/cli.js',
        'extension/schemas/sagemaker-hf.schema.json', 'extension/examples/emotion.sagemaker-hf.json',
        'extension/media/sagemaker-hf.svg']
missing = [n for n in need if n not in names]
if bad or missing:
    print('unexpected: ' + ', '.join(bad[:20]) + ('' if not missing else '; missing: ' + ', '.join(missing)))
    sys.exit(1)
print(f'{len(names)} files')
PY
    ); then ok ".vsix holds only the shipped files ($contents)"; else ko ".vsix contents: $contents"; fi
    version=$(node -p 'require("./package.json").version')
    if e2e_code_server --extensions-dir "$TMP/vsix-ext" --user-data-dir "$TMP/vsix-user" --install-extension dist/sagemaker-hf.vsix >"$TMP/vsix-install.log" 2>&1 &&
      e2e_code_server --extensions-dir "$TMP/vsix-ext" --user-data-dir "$TMP/vsix-user" --list-extensions --show-versions 2>/dev/null | grep -qx "sagemaker-hf.sagemaker-hf@$version"; then
      ok "code-server --install-extension dist/sagemaker-hf.vsix lists sagemaker-hf.sagemaker-hf@$version"
    else
      ko "code-server --install-extension dist/sagemaker-hf.vsix: $(tail -n 5 "$TMP/vsix-install.log")"
    fi
  else
    ko "npm run package failed: $(tail -n 15 "$TMP/package.log")"
  fi
else
  echo "--- package: not run (SAGEMAKER_HF_E2E_PACKAGE=0) ---"
fi

if [ ! -f dist/extension.js ] || [ ! -f out/test/e2e/suite/index.js ]; then
  echo "--- build (dist/ or out/ missing) ---"
  npm run --silent build && node scripts/build-tests.mjs || { ko "build failed"; finish; }
fi

# --- moto + code-server -----------------------------------------------------------------------------------
echo "--- servers ---"
MOTO_PORT=$(e2e_free_port)
e2e_start_group "$MOTO_SERVER" -H 127.0.0.1 -p "$MOTO_PORT" >"$TMP/moto.log" 2>&1
MOTO_PGID=$E2E_LAST_PGID
if ! e2e_wait_http "http://127.0.0.1:$MOTO_PORT/moto-api/" 30; then
  ko "moto_server did not start: $(tail -n 5 "$TMP/moto.log")"
  finish
fi
export AWS_ENDPOINT_URL="http://127.0.0.1:$MOTO_PORT" AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing \
  AWS_SESSION_TOKEN=testing AWS_REGION=us-east-1 AWS_DEFAULT_REGION=us-east-1 \
  AWS_CONFIG_FILE=/nonexistent/aws-config AWS_SHARED_CREDENTIALS_FILE=/nonexistent/aws-credentials
unset AWS_PROFILE
export SAGEMAKER_HF_E2E_OUTPUT=$OUT SAGEMAKER_HF_E2E_GREP=${SAGEMAKER_HF_E2E_GREP:-}

WS=$TMP/ws
mkdir -p "$WS"
cp -r examples schemas "$WS/"
rm -rf "$WS/examples/.sagemaker-hf"  # never the local jobs that npm start left in examples/
[ -d training-scripts ] && cp -r training-scripts "$WS/" && find "$WS/training-scripts" -name __pycache__ -prune -exec rm -rf {} +
# Same relative layout as the repo for specs that point at ../../shared (test data) or ../.cache (models).
ln -s "$REPO/.cache" "$WS/.cache"
[ -d "$REPO/../shared" ] && ln -s "$(cd "$REPO/../shared" && pwd)" "$TMP/shared"
CS_PORT=$(e2e_free_port)
t=$SECONDS
if ! e2e_start_code_server "$CS_PORT" "$TMP/cs" --vscode-option enable-smoke-test-driver; then ko "code-server did not start on 127.0.0.1:$CS_PORT"; finish; fi
echo "  moto on :$MOTO_PORT, code-server on :$CS_PORT ($((SECONDS - t)) s)"

# --- browser: mocha suite in the extension host + GUI scenarios ------------------------------------------
TIMEOUT_S=${SAGEMAKER_HF_E2E_TIMEOUT_S:-1500}
export CHROMIUM
e2e_start_group node test/e2e/runner.mjs --base "http://127.0.0.1:$CS_PORT" --workspace "$WS" --repo "$REPO" \
  --out "$OUT" ${SAGEMAKER_HF_E2E_ONLY:+--only "$SAGEMAKER_HF_E2E_ONLY"} ${SAGEMAKER_HF_E2E_GREP:+--grep "$SAGEMAKER_HF_E2E_GREP"}
RUNNER_PGID=$E2E_LAST_PGID
# The watchdog is a process group of its own: killing it must also end its `sleep`, which otherwise keeps
# our stdout open and the caller (test-all) waiting for the full timeout.
e2e_start_group bash -c 'sleep "$1"; echo "✖ e2e browser part exceeded $1 s (SAGEMAKER_HF_E2E_TIMEOUT_S): killing it"; kill -TERM -- "-$2"' watchdog "$TIMEOUT_S" "$RUNNER_PGID"
WATCHDOG_PID=$E2E_LAST_PGID
wait "$RUNNER_PGID"
runner_rc=$?
kill -KILL -- "-$WATCHDOG_PID" 2>/dev/null; WATCHDOG_PID=""
if [ -f "$OUT/runner.json" ]; then
  read -r rp rf < <(node -p 'const r=require(process.argv[1]); `${r.passed} ${r.failed}`' "$OUT/runner.json")
  passed=$((passed + rp)); failed=$((failed + rf))
  [ "$runner_rc" -ne 0 ] && [ "$rf" -eq 0 ] && ko "runner exited $runner_rc"
else
  ko "the browser runner ended (exit $runner_rc) without a result"
fi

# --- figures for BENCHMARKS.md ------------------------------------------------------------------------------
node - "$OUT" "$E2E_INSTALL_SECONDS" <<'JS'
const fs = require('fs'), path = require('path');
const [out, installS] = process.argv.slice(2);
const size = (f) => (fs.existsSync(f) ? fs.statSync(f).size : null);
const r = fs.existsSync(path.join(out, 'runner.json')) ? require(path.join(out, 'runner.json')) : {};
const m = { ...(r.metrics ?? {}) };
const figures = {
  vsixBytes: size('dist/sagemaker-hf.vsix'),
  extensionJsBytes: size('dist/extension.js'),
  cliJsBytes: size('dist/cli.js'),
  heavyJsBytes: size('dist/heavy.js'),
  activationMs: m.activationMs ? +m.activationMs : null,
  activateWallMs: m.activateWallMs && !isNaN(+m.activateWallMs) ? +m.activateWallMs : m.activateWallMs ?? null,
  suiteSeconds: r.timings?.suiteSeconds ?? null,
  installSeconds: +installS,
  ...Object.fromEntries(Object.entries(m).filter(([k]) => !['activationMs', 'activateWallMs'].includes(k))),
  ...Object.fromEntries(Object.entries(r.timings ?? {}).filter(([k]) => k !== 'suiteSeconds')),
};
fs.writeFileSync(path.join(out, 'metrics.json'), JSON.stringify(figures, null, 2));
const kb = (b) => (b == null ? 'n/a' : `${(b / 1024).toFixed(0)} KiB`);
console.log(`e2e figures: vsix ${kb(figures.vsixBytes)}, dist/extension.js ${kb(figures.extensionJsBytes)}, dist/cli.js ${kb(figures.cliJsBytes)}, dist/heavy.js ${kb(figures.heavyJsBytes)}, bundle load ${m.bundleRequireMs ?? 'n/a'} ms, activate() ${figures.activationMs ?? 'n/a'} ms, ext.activate() wall ${figures.activateWallMs ?? 'n/a'} ms`);
JS
finish
