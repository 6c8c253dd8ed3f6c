#!/usr/bin/env bash
# Puts moto_server (the AWS stand-in of the integration and e2e layers) into the project's virtual
# environment at the version pinned in test/requirements-moto.txt, so no test depends on a moto_server
# that happens to be on PATH. Usage: bash scripts/ensure-moto.sh [VENV]   (default .cache/venv; made by
# scripts/ensure-venv.sh, which runs this at its end).
#
# pip installs the pin from the package indexes. Where no reachable index has it (this workplace's machines
# reach no PyPI, and their local index lacks moto and several of its server dependencies) but the Python
# the venv was made from has exactly the pinned version with its server dependencies, the venv gets a
# bin/moto_server launcher of that copy instead, and says so. Anything else fails with what to install.
set -euo pipefail
cd "$(dirname "$0")/.."
export PIP_RETRIES=${PIP_RETRIES:-0} PIP_DISABLE_PIP_VERSION_CHECK=1
VENV=${1:-.cache/venv}
PIN=$(grep -E '^moto' test/requirements-moto.txt)
WANT=${PIN##*==}
BIN=$VENV/bin/moto_server
STAMP=$VENV/.moto-version
[ -x "$VENV/bin/python" ] || { echo "ensure-moto: $VENV/bin/python is missing (run bash scripts/ensure-venv.sh)" >&2; exit 1; }
# Fast path: installed (or linked) earlier at this pin, and still there.
if [ -x "$BIN" ] && [ "$(cut -d' ' -f1 "$STAMP" 2>/dev/null)" = "$WANT" ]; then exit 0; fi

# True when PYTHON has moto at exactly the pin, and what moto_server imports (flask, flask_cors).
has_moto() {
  "$1" - "$WANT" <<'PY' >/dev/null 2>&1
import importlib.metadata as m, sys
assert m.version("moto") == sys.argv[1]
import moto.server, flask, flask_cors  # noqa: F401
PY
}

log=$(mktemp)
trap 'rm -f "$log"' EXIT
if has_moto "$VENV/bin/python" || "$VENV/bin/python" -m pip install -q "$PIN" >"$log" 2>&1; then
  if [ -x "$BIN" ] && has_moto "$VENV/bin/python"; then
    echo "$WANT pip" >"$STAMP"
    echo "moto $WANT installed in $VENV"
    exit 0
  fi
fi
base=$("$VENV/bin/python" -c 'import sys; print(sys._base_executable)')
if has_moto "$base"; then
  cat >"$BIN" <<SH
#!/bin/sh
# moto_server $WANT of $base, which no reachable package index offered to pip (scripts/ensure-moto.sh).
exec "$base" -m moto.server "\$@"
SH
  chmod +x "$BIN"
  echo "$WANT launcher $base" >"$STAMP"
  echo "moto $WANT: no reachable package index has it ($(grep -m1 -E 'ERROR' "$log" || tail -n1 "$log")); $BIN starts the copy in $base"
  exit 0
fi
echo "ensure-moto: could not install $PIN into $VENV: $(grep -m1 -E 'ERROR' "$log" || tail -n1 "$log")" >&2
echo "ensure-moto: install it where pip can reach it, or into $base ($base -m pip install '$PIN')" >&2
exit 1
