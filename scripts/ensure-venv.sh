#!/usr/bin/env bash
# Creates .cache/venv with what training-scripts/ and its tests need (CPU torch, transformers, datasets,
# pytest), then moto_server for the AWS tests (scripts/ensure-moto.sh). Reinstalls only when the
# requirements change.
set -euo pipefail
cd "$(dirname "$0")/.."
export PIP_RETRIES=${PIP_RETRIES:-0} PIP_DISABLE_PIP_VERSION_CHECK=1
VENV=.cache/venv
REQ=training-scripts/requirements-test.txt
stamp="$VENV/.requirements.sha"
want=$(cat training-scripts/requirements.txt "$REQ" | sha256sum | cut -d' ' -f1)
if [ -x "$VENV/bin/python" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$want" ]; then exec bash scripts/ensure-moto.sh "$VENV"; fi
PY=${PYTHON:-python3}
mkdir -p .cache
[ -x "$VENV/bin/python" ] || "$PY" -m venv "$VENV"
echo "installing Python test environment into $VENV (first run only)"
"$VENV/bin/python" -m pip install -q -r "$REQ"
echo "$want" > "$stamp"
exec bash scripts/ensure-moto.sh "$VENV"
