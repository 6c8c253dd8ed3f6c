// Bundles the extension host, the CLI and the webview scripts with esbuild.
// Usage: node scripts/build.mjs [--production] [--watch]
import * as esbuild from 'esbuild';
import { readdirSync, mkdirSync, chmodSync, existsSync } from 'node:fs';
import { join } from 'node:path';

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
    build.onLoad({ filter: /.*/, namespace: 'stub-unused' }, () => ({ contents: 'module.exports = {};', loader: 'js' }));
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
  ? readdirSync(webviewDir).filter((f) => /^[a-zA-Z]+Page\.ts$/.test(f)).map((f) => join(webviewDir, f))
  : [];

const builds = [
  {
    ...common,
    entryPoints: { extension: 'src/extension/extension.ts' },
    outdir: 'dist',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['vscode'],
    plugins: [stubNative],
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

mkdirSync('dist', { recursive: true });
if (watch) {
  for (const b of builds) (await esbuild.context(b)).watch();
} else {
  await Promise.all(builds.map((b) => esbuild.build(b)));
  chmodSync('dist/cli.js', 0o755);
}
