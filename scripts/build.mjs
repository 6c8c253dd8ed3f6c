// Bundles the extension host, the CLI and the webview scripts with esbuild.
// Usage: node scripts/build.mjs [--production] [--watch]
import * as esbuild from 'esbuild';
import { readdirSync, mkdirSync, chmodSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { readFile } from 'node:fs/promises';
import { builtinModules } from 'node:module';
import { execFileSync } from 'node:child_process';

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');

// Only the tokenizer of @huggingface/transformers is used. Its ONNX runtime and image backends are
// large native/wasm packages we never call, so they resolve to an empty module instead of being shipped.
const emptyModules = ['onnxruntime-node', 'onnxruntime-web', 'onnxruntime-common', 'sharp'];
const stubNative = {
  name: 'stub-unused-backends',
  setup(build) {
    const filter = new RegExp(`^(${emptyModules.map((m) => m.replace(/[-/]/g, '\\$&')).join('|')})(/.*)?$`);
    build.onResolve({ filter }, (args) => ({ path: args.path, namespace: 'stub-unused' }));
    build.onLoad({ filter: /.*/, namespace: 'stub-unused' }, () => ({
      contents: 'module.exports = {};',
      loader: 'js',
    }));
    // transformers.js loads onnxruntime-node through createRequire(import.meta.url), which esbuild cannot
    // see; turned into a plain require() it resolves to the empty module above instead of node_modules.
    build.onLoad(
      { filter: /@huggingface[\\/]transformers[\\/]dist[\\/]transformers\.node\.(mjs|cjs)$/ },
      async (args) => {
        const src = await readFile(args.path, 'utf8');
        return {
          contents: src.replace(/requireFromHere\((["'])onnxruntime-node\1\)/g, 'require("onnxruntime-node")'),
          loader: 'js',
        };
      },
    );
  },
};

const common = {
  bundle: true,
  minify: production,
  sourcemap: production ? false : 'linked',
  sourcesContent: false,
  logLevel: 'warning',
  legalComments: 'none',
};

const webviewDir = 'src/webview';
const webviewEntries = existsSync(webviewDir)
  ? readdirSync(webviewDir)
      .filter((f) => /^[a-zA-Z]+Page\.ts$/.test(f))
      .map((f) => join(webviewDir, f))
  : [];

// Activation must stay fast (target < 50 ms), so the extension ships as two bundles: dist/extension.js
// holds the VS Code UI code (src/extension/**) and loads nothing heavy; every module it imports from
// elsewhere (src/workflow, src/aws, src/core, npm packages other than vscode) becomes a small proxy that
// requires dist/heavy.js on first property access, i.e. the first time a command actually runs.
// Each module exists once (in heavy.js), so `instanceof` across the two bundles stays true.
const SHELL_DIR = join(process.cwd(), 'src', 'extension') + '/';
const SHELL_TOO = ['/src/core/secrets.ts'];
const lazyModules = new Map(); // key -> absolute path or package name
const lazyHeavy = {
  name: 'lazy-heavy',
  setup(build) {
    build.onResolve({ filter: /.*/ }, async (args) => {
      if (args.pluginData?.lazySkip || args.namespace !== 'file') return undefined;
      if (!args.importer.startsWith(SHELL_DIR) || args.path === 'vscode') return undefined;
      const res = await build.resolve(args.path, {
        resolveDir: args.resolveDir,
        kind: args.kind,
        importer: args.importer,
        pluginData: { lazySkip: true },
      });
      if (res.errors.length > 0) return { errors: res.errors };
      if (res.external || builtinModules.includes(args.path.replace(/^node:/, ''))) return undefined;
      if (res.path.startsWith(SHELL_DIR) || res.path.endsWith('.json')) return undefined;
      // Redaction runs on every line the shell writes, from activation on: bundled into the shell too
      // (it keeps its one piece of state on globalThis, so both copies share the secrets they learn).
      if (SHELL_TOO.some((f) => res.path.endsWith(f))) return undefined;
      const isPackage = !args.path.startsWith('.') && !args.path.startsWith('/');
      const key = isPackage ? args.path : res.path.slice(process.cwd().length + 1);
      lazyModules.set(key, isPackage ? args.path : res.path);
      return { path: key, namespace: 'lazy' };
    });
    build.onResolve({ filter: /^lazy-runtime$/ }, () => ({ path: 'lazy-runtime', namespace: 'lazy-runtime' }));
    build.onLoad({ filter: /.*/, namespace: 'lazy-runtime' }, () => ({
      loader: 'js',
      // esbuild's ESM interop enumerates a module's keys when it is imported; answering from the names
      // found at build time keeps that from loading heavy.js. Values are read on first use only.
      contents: `module.exports = (key, names) => {
  let m;
  const load = () => (m ??= require('./heavy.js')[key]);
  return new Proxy({}, {
    get: (_, k) => (k === '__esModule' ? true : load()[k]),
    has: (_, k) => (names ? names.includes(k) : k in load()),
    ownKeys: () => (names ? [...names] : Reflect.ownKeys(load())),
    getOwnPropertyDescriptor: (_, k) => {
      if (names) return names.includes(k) ? { configurable: true, enumerable: true, get: () => load()[k] } : undefined;
      const d = Object.getOwnPropertyDescriptor(load(), k);
      return d && { ...d, configurable: true };
    },
  });
};`,
    }));
    build.onResolve({ filter: /^\.\/heavy\.js$/ }, (args) =>
      args.namespace === 'lazy-runtime' ? { path: './heavy.js', external: true } : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: 'lazy' }, (args) => ({
      loader: 'js',
      contents: `module.exports = require('lazy-runtime')(${JSON.stringify(args.path)}, ${JSON.stringify(lazyExportNames.get(args.path) ?? null)});`,
    }));
  },
};
/** key -> export names of that module, read from the built heavy.js (second pass). */
const lazyExportNames = new Map();

const builds = [
  {
    ...common,
    entryPoints: { extension: 'src/extension/extension.ts' },
    outdir: 'dist',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['vscode'],
    plugins: [lazyHeavy, stubNative],
  },
  {
    ...common,
    entryPoints: { cli: 'src/cli/main.ts' },
    outdir: 'dist',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    banner: { js: '#!/usr/bin/env node' },
    plugins: [stubNative],
  },
  // The tokenizer worker_thread (workflow/dataset/tokenizerPool): its own bundle beside cli.js and heavy.js,
  // which both start it as dist/tokenizeWorker.js.
  {
    ...common,
    entryPoints: { tokenizeWorker: 'src/workflow/dataset/tokenizeWorker.ts' },
    outdir: 'dist',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    plugins: [stubNative],
  },
];
if (webviewEntries.length > 0) {
  builds.push({
    ...common,
    entryPoints: webviewEntries,
    outdir: 'dist/webview',
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
    loader: { '.css': 'text' },
  });
}

/** dist/heavy.js: every module the shell proxies, each initialised only when first required. */
function heavyBuild() {
  const getters = [...lazyModules].map(
    ([key, target]) => `  get ${JSON.stringify(key)}() { return require(${JSON.stringify(target)}); },`,
  );
  return {
    ...common,
    stdin: {
      contents: `module.exports = {\n${getters.join('\n')}\n};\n`,
      resolveDir: process.cwd(),
      sourcefile: 'heavy-entry.js',
      loader: 'js',
    },
    outfile: 'dist/heavy.js',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['vscode'],
    plugins: [stubNative],
  };
}

mkdirSync('dist', { recursive: true });
if (watch) {
  for (const b of builds) (await esbuild.context(b)).watch();
} else {
  await Promise.all(builds.map((b) => esbuild.build(b)));
  // The heavy bundle's contents are what the shell build proxied, so it is built second; then the shell
  // is built again with every proxied module's export names, read by loading heavy.js once here.
  await esbuild.build(heavyBuild());
  const probe = `const M = require('module'); const load = M._load; M._load = function (r, ...a) { return r === 'vscode' ? {} : load.call(this, r, ...a); };
const h = require(${JSON.stringify(join(process.cwd(), 'dist', 'heavy.js'))}); const out = {};
for (const k of Object.keys(h)) out[k] = Object.keys(h[k]).filter((n) => n !== '__esModule');
process.stdout.write(JSON.stringify(out));`;
  const names = JSON.parse(execFileSync(process.execPath, ['-e', probe], { encoding: 'utf8', maxBuffer: 16 << 20 }));
  for (const [k, v] of Object.entries(names)) lazyExportNames.set(k, v);
  await esbuild.build(builds[0]);
  chmodSync('dist/cli.js', 0o755);
}
