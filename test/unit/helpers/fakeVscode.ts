// A minimal stand-in for the `vscode` module, so extension modules load in plain Node: imported first by
// a test, it answers require('vscode'). What a test looks at is real (commands registered, messages
// shown, event emitters); everything else is an inert stub that can be called, constructed and read.
import Module from 'node:module';

type Any = ((...args: unknown[]) => Any) & { [k: string]: Any };

/** Callable, constructible, every property another stub; never a thenable, 0 as a number. */
function stub(name = 'stub'): Any {
  const props = new Map<string | symbol, unknown>();
  return new Proxy(
    function () {
      /* a stub */
    },
    {
      get: (_t, k) => {
        if (props.has(k)) return props.get(k);
        if (k === 'then' || typeof k === 'symbol') return undefined;
        if (k === 'valueOf') return () => 0;
        if (k === 'toString') return () => `[${name}]`;
        if (k === 'dispose') return () => undefined;
        return stub(`${name}.${String(k)}`);
      },
      set: (_t, k, v) => {
        props.set(k, v);
        return true;
      },
      apply: () => stub(name),
      construct: () => stub(name),
    },
  ) as unknown as Any;
}

/** An object whose missing properties are stubs. */
function partial<T extends object>(name: string, real: T): T & Record<string, Any> {
  return new Proxy(real, {
    get: (t, k) =>
      k in t ? (t as Record<string | symbol, unknown>)[k] : typeof k === 'symbol' ? undefined : stub(`${name}.${k}`),
  }) as T & Record<string, Any>;
}

export class EventEmitter<T> {
  private listeners: ((e: T) => unknown)[] = [];
  event = (l: (e: T) => unknown) => {
    this.listeners.push(l);
    return {
      dispose: () => {
        this.listeners = this.listeners.filter((x) => x !== l);
      },
    };
  };
  fire(e: T): void {
    for (const l of [...this.listeners]) l(e);
  }
  dispose(): void {
    this.listeners = [];
  }
}

export class Disposable {
  constructor(private readonly fn?: () => unknown) {}
  dispose(): void {
    this.fn?.();
  }
  static from(...ds: { dispose(): unknown }[]): Disposable {
    return new Disposable(() => ds.forEach((d) => d.dispose()));
  }
}

/** Commands registered through vscode.commands.registerCommand, by id. */
export const registered = new Map<string, (...args: unknown[]) => unknown>();
/** Messages shown through vscode.window (the real window, not a feature's ui). */
export const shown: { kind: string; message: string; items: unknown[] }[] = [];

const message =
  (kind: string) =>
  async (message: string, ...items: unknown[]) => {
    shown.push({ kind, message, items });
    return undefined;
  };

export const workspace = partial('workspace', {
  workspaceFolders: undefined as { uri: { fsPath: string }; name: string; index: number }[] | undefined,
  isTrusted: true,
  getConfiguration: () => ({ get: () => undefined, update: async () => undefined }),
  getWorkspaceFolder: () => undefined,
  onDidChangeConfiguration: () => new Disposable(),
  textDocuments: [],
});

export class CancellationTokenSource {
  private readonly changed = new EventEmitter<void>();
  token = { isCancellationRequested: false, onCancellationRequested: this.changed.event };
  cancel(): void {
    this.token.isCancellationRequested = true;
    this.changed.fire();
  }
  dispose(): void {}
}

// esbuild's interop copies the module's own keys: every name the extension reads is listed here.
const stubbed = [
  'Uri',
  'TreeItem',
  'ThemeIcon',
  'MarkdownString',
  'ThemeColor',
  'WorkspaceEdit',
  'Range',
  'Diagnostic',
  'CodeLens',
  'CodeAction',
  'FileSystemError',
  'StatusBarAlignment',
  'TreeItemCollapsibleState',
  'ViewColumn',
  'CodeActionKind',
  'DiagnosticSeverity',
  'ConfigurationTarget',
  'languages',
  'extensions',
  'env',
];

export const fakeVscode = partial('vscode', {
  ...Object.fromEntries(stubbed.map((k) => [k, stub(k)])),
  EventEmitter,
  Disposable,
  CancellationTokenSource,
  commands: partial('commands', {
    registerCommand: (id: string, fn: (...args: unknown[]) => unknown) => {
      if (registered.has(id)) throw new Error(`command '${id}' already exists`);
      registered.set(id, fn);
      return new Disposable(() => registered.delete(id));
    },
    executeCommand: async () => undefined,
  }),
  window: partial('window', {
    showErrorMessage: message('error'),
    showWarningMessage: message('warning'),
    showInformationMessage: message('info'),
  }),
  workspace,
  ProgressLocation: { SourceControl: 1, Window: 10, Notification: 15 },
  QuickPickItemKind: { Separator: -1, Default: 0 },
  QuickInputButtons: { Back: { iconPath: 'back', tooltip: 'Back' } },
});

/** A scripted answer that presses a multi-step input's Back button. */
export const BACK_ANSWER = '$back';

const load = (Module as unknown as { _load: (request: string, ...rest: unknown[]) => unknown })._load;
(Module as unknown as { _load: (request: string, ...rest: unknown[]) => unknown })._load = function (
  request: string,
  ...rest: unknown[]
) {
  return request === 'vscode' ? fakeVscode : load.call(this, request, ...rest);
};

/** An ExtensionContext good enough for activation: real subscriptions and mementos, storage in `dir`. */
export function fakeContext(dir: string) {
  const memento = () => {
    const m = new Map<string, unknown>();
    return {
      get: (k: string, d?: unknown) => (m.has(k) ? m.get(k) : d),
      update: async (k: string, v: unknown) => void m.set(k, v),
      keys: () => [...m.keys()],
    };
  };
  const secrets = new Map<string, string>();
  const secretsChanged = new EventEmitter<{ key: string }>();
  return partial('context', {
    subscriptions: [] as { dispose(): unknown }[],
    extensionPath: dir,
    extensionUri: { fsPath: dir, path: dir, toString: () => `file://${dir}` },
    globalStorageUri: { fsPath: dir, path: dir },
    workspaceState: memento(),
    globalState: memento(),
    secrets: {
      get: async (k: string) => secrets.get(k),
      store: async (k: string, v: string) => void (secrets.set(k, v), secretsChanged.fire({ key: k })),
      delete: async (k: string) => void (secrets.delete(k), secretsChanged.fire({ key: k })),
      onDidChange: secretsChanged.event,
    },
  });
}

/** A ui (see src/extension/window.ts) that answers from scripted replies and records every question. */
export function scriptedUi(answers: {
  pick?: (items: unknown[], opts: { title?: string; step?: string }) => unknown;
  input?: (opts: { title?: string; step?: string; value?: string }) => string | undefined;
  message?: (
    kind: string,
    message: string,
    opts: { modal?: boolean; detail?: string } | undefined,
    items: string[],
  ) => string | undefined;
}) {
  const asked: {
    kind: string;
    message: string;
    modal: boolean;
    detail?: string;
    items: string[];
    /** A multi-step input's "n/total". */
    step?: string;
    /** A quick pick's highlighted item. */
    active?: string;
    placeholder?: string;
  }[] = [];
  // createInputBox / createQuickPick: answered from the same scripts once shown (BACK_ANSWER presses Back).
  const quickInput = (kind: 'pick' | 'input') => () => {
    const on: Record<string, ((x?: unknown) => void)[]> = { accept: [], hide: [], button: [], value: [] };
    const add = (k: string) => (f: (x?: unknown) => void) => {
      on[k]!.push(f);
      return { dispose() {} };
    };
    const fire = (k: string, x?: unknown) => on[k]!.forEach((f) => f(x));
    const q: Record<string, unknown> = {
      value: '',
      items: [],
      activeItems: [],
      selectedItems: [],
      buttons: [],
      onDidAccept: add('accept'),
      onDidHide: add('hide'),
      onDidTriggerButton: add('button'),
      onDidChangeValue: add('value'),
      onDidChangeActive: add('active'),
      onDidChangeSelection: add('selection'),
      dispose() {},
      hide: () => fire('hide'),
      show: () =>
        void setImmediate(async () => {
          const step = q.step ? `${q.step as number}/${q.totalSteps as number}` : undefined;
          const opts = { title: q.title as string | undefined, step, value: q.value as string };
          const items = q.items as { label: string }[];
          const active = (q.activeItems as { label: string }[])[0]?.label;
          asked.push({
            kind,
            message: opts.title ?? '',
            modal: false,
            items: kind === 'pick' ? items.map((i) => i.label) : [],
            step,
            active,
            placeholder: q.placeholder as string | undefined,
          });
          const a = kind === 'input' ? answers.input?.(opts) : await answers.pick?.(items, opts);
          if (a === BACK_ANSWER) return fire('button', fakeVscode.QuickInputButtons.Back);
          if (a === undefined) return fire('hide');
          if (kind === 'input') q.value = a;
          else q.selectedItems = [a];
          fire('accept');
        }),
    };
    return q;
  };
  const msg =
    (kind: string) =>
    async (message: string, ...rest: unknown[]) => {
      const opts =
        typeof rest[0] === 'object' && rest[0] !== null
          ? (rest.shift() as { modal?: boolean; detail?: string })
          : undefined;
      const items = rest as string[];
      asked.push({ kind, message, modal: opts?.modal === true, detail: opts?.detail, items });
      return answers.message?.(kind, message, opts, items);
    };
  const ui = {
    showQuickPick: async (items: unknown, opts?: { title?: string }) => {
      const list = (await items) as unknown[];
      asked.push({
        kind: 'pick',
        message: opts?.title ?? '',
        modal: false,
        items: list.map((i) => (i as { label: string }).label),
      });
      return answers.pick?.(list, opts ?? {});
    },
    showInputBox: async (opts?: { title?: string }) => {
      asked.push({ kind: 'input', message: opts?.title ?? '', modal: false, items: [] });
      return answers.input?.(opts ?? {});
    },
    showInformationMessage: msg('info'),
    showWarningMessage: msg('warning'),
    showErrorMessage: msg('error'),
    withProgress: async (
      _o: unknown,
      task: (
        p: { report(): void },
        t: { isCancellationRequested: boolean; onCancellationRequested(): { dispose(): void } },
      ) => unknown,
    ) =>
      task(
        { report: () => undefined },
        { isCancellationRequested: false, onCancellationRequested: () => ({ dispose: () => undefined }) },
      ),
    showOpenDialog: async () => undefined,
    createInputBox: quickInput('input'),
    createQuickPick: quickInput('pick'),
  };
  return { ui, asked };
}
