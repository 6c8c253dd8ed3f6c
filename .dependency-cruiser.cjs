// The import rules of the house (README "Layout"): the layers are the outer walls, so each rule says
// which layer may not import which; inside the extension, one feature room never imports another (shared
// parts live in the root files, tree/ and panels/). `npm run lint` fails on any violation.
const ROOMS = '(dataset|training|endpoints|local|specs)';
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'core-imports-only-core',
      comment: 'src/core is pure: no other layer, no vscode, no network, no file system, no processes.',
      severity: 'error',
      from: { path: '^src/core/' },
      to: { path: '^(src/(aws|workflow|cli|extension|webview)/|vscode$)' },
    },
    {
      name: 'core-no-io',
      comment: 'src/core is pure: the file system, sockets, threads and child processes belong to workflow/.',
      severity: 'error',
      from: { path: '^src/core/' },
      to: {
        dependencyTypes: ['core'],
        path: '^(node:)?(fs|fs/promises|child_process|http|https|net|dgram|worker_threads|cluster)$',
      },
    },
    {
      name: 'aws-imports-only-core',
      severity: 'error',
      from: { path: '^src/aws/' },
      to: { path: '^(src/(workflow|cli|extension|webview)/|vscode$)' },
    },
    {
      name: 'workflow-never-up',
      comment: 'src/workflow runs without VS Code (the CLI uses it): never extension, cli or vscode.',
      severity: 'error',
      from: { path: '^src/workflow/' },
      to: { path: '^(src/(cli|extension)/|vscode$)' },
    },
    {
      name: 'webview-only-protocols',
      comment: 'webview pages run in the browser: only core and their own protocols.',
      severity: 'error',
      from: { path: '^src/webview/' },
      to: { path: '^(src/(aws|workflow|cli|extension)/|vscode$)' },
    },
    {
      name: 'cli-not-extension',
      severity: 'error',
      from: { path: '^src/cli/' },
      to: { path: '^(src/extension/|vscode$)' },
    },
    {
      name: 'extension-not-cli',
      severity: 'error',
      from: { path: '^src/extension/' },
      to: { path: '^src/cli/' },
    },
    {
      name: 'extension-rooms-apart',
      comment:
        'one feature room of src/extension never imports another; shared parts go to tree/, panels/ or the root files.',
      severity: 'error',
      from: { path: `^src/extension/${ROOMS}/` },
      to: { path: `^src/extension/${ROOMS}/`, pathNot: '^src/extension/$1/' },
    },
    {
      name: 'no-circular',
      severity: 'error',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'not-to-unresolvable',
      severity: 'error',
      from: { path: '^src/' },
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
    },
    exclude: { path: '^(node_modules|dist|out|\\.cache)/' },
  },
};
