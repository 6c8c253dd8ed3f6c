#!/usr/bin/env bash
# The README's main command (`npm ci && npm start`): builds the extension, runs the whole workflow
# locally when scripts/main-local-run.sh is there (no AWS account needed), packages and installs the .vsix
# into a real VS Code (code-server, installed on first use by test/e2e/install.sh into
# ${SAGEMAKER_HF_E2E_HOME:-~/.cache/sagemaker-hf-e2e}), and serves it on 127.0.0.1 with examples/ open
# until Ctrl-C. Settings and state persist in .cache/code-server/ between runs.
# Environment: SAGEMAKER_HF_PORT (default 8080, or a free port when 8080 is taken),
# SAGEMAKER_HF_SKIP_LOCAL_RUN=1 (skip the local workflow run).
set -euo pipefail
cd "$(dirname "$0")/.."
REPO=$(pwd)
# shellcheck source=test/e2e/install.sh
source test/e2e/install.sh

SUMMARY=()
now() { date +%s.%N; }
took() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f s", b - a }'; }
step() { echo; echo "== $1"; }
done_step() { SUMMARY+=("$(printf '%-52s %s' "$1" "$(took "$2")")"); }

E2E_CS_PGID=""
cleanup() {
  if [ -n "$E2E_CS_PGID" ]; then
    echo; echo "stopping code-server (process group $E2E_CS_PGID)"
    e2e_kill_group "$E2E_CS_PGID"
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

T0=$(now)
t=$(now); step "Build (npm run build: dist/extension.js, dist/cli.js, webviews)"
[ -d node_modules ] || npm ci --no-audit --no-fund
npm run --silent build
done_step "build" "$t"

if [ -x scripts/main-local-run.sh ] || [ -f scripts/main-local-run.sh ]; then
  if [ "${SAGEMAKER_HF_SKIP_LOCAL_RUN:-0}" = 1 ]; then
    echo; echo "== Whole workflow locally: skipped (SAGEMAKER_HF_SKIP_LOCAL_RUN=1)"
  else
    t=$(now); step "Whole workflow locally (scripts/main-local-run.sh)"
    bash scripts/main-local-run.sh
    done_step "whole workflow locally (main-local-run.sh)" "$t"
  fi
fi

t=$(now); step "VS Code (code-server $E2E_CODE_SERVER_VERSION on Node $E2E_NODE24_VERSION; first time ~4 min)"
e2e_install
done_step "code-server ready (install on first use)" "$t"

t=$(now); step "Package and install the extension (npm run package -> dist/sagemaker-hf.vsix)"
npm run --silent package >/dev/null
DATA=$REPO/.cache/code-server
mkdir -p "$DATA"
e2e_code_server --extensions-dir "$DATA/ext" --user-data-dir "$DATA/user" --force --install-extension dist/sagemaker-hf.vsix | grep -v '^Installing' || true
done_step "package + install .vsix ($(($(stat -c %s dist/sagemaker-hf.vsix) / 1024)) KiB)" "$t"

PORT=${SAGEMAKER_HF_PORT:-}
if [ -z "$PORT" ]; then
  if node -e 'const s=require("net").createServer();s.once("error",()=>process.exit(1));s.listen(8080,"127.0.0.1",()=>s.close())'; then PORT=8080; else PORT=$(e2e_free_port); fi
fi
t=$(now); step "Start code-server on 127.0.0.1:$PORT"
e2e_start_code_server "$PORT" "$DATA" "$REPO/examples"
done_step "code-server serving" "$t"

URL="http://127.0.0.1:$PORT/?folder=$REPO/examples"
echo
echo "== Done in $(took "$T0"):"
printf '   %s\n' "${SUMMARY[@]}"
echo
echo "VS Code with the SageMaker HF extension and examples/ open:"
echo "   $URL"
echo "Open the SageMaker HF icon in the activity bar. Log: $DATA/server.log. Ctrl-C stops the server."
wait "$E2E_CS_PGID"
