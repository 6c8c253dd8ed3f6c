// The AWS connection shown in the status bar and at the root of the tree: profile, region, account,
// execution role and default bucket. Switching profile or region is one click. Nothing calls AWS at
// activation; the first connect happens when the user asks, or when a command needs it.
import * as vscode from 'vscode';
import type { Connection } from '../workflow/connect';
import { readSettings, updateSetting } from './settings';
import { InfoNode, type Node } from './tree/tree';
import { toAbortSignal } from './ui';
import { windowUi, type Ui } from './window';

type State =
  { kind: 'disconnected'; error?: string } | { kind: 'connecting' } | { kind: 'connected'; connection: Connection };

export class ConnectionManager implements vscode.Disposable {
  private state: State = { kind: 'disconnected' };
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;
  private readonly connected = new vscode.EventEmitter<Connection>();
  /** Fired once per successful connect (not when only the role changes): checks that run per connection. */
  readonly onDidConnect = this.connected.event;
  private readonly statusItem: vscode.StatusBarItem;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    private readonly log: vscode.LogOutputChannel,
    private readonly ui: Ui = windowUi,
  ) {
    this.statusItem = vscode.window.createStatusBarItem('sagemakerHf.connection', vscode.StatusBarAlignment.Left, 10);
    this.statusItem.name = 'SageMaker HF Connection';
    this.render();
    this.statusItem.show();
    this.disposables.push(
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (
          ['profile', 'region', 'endpointUrl', 'executionRole'].some((k) =>
            e.affectsConfiguration(`sagemakerHf.${k}`),
          ) &&
          this.state.kind === 'connected'
        ) {
          void this.connect().catch(() => undefined);
        }
      }),
    );
  }

  get current(): Connection | undefined {
    return this.state.kind === 'connected' ? this.state.connection : undefined;
  }

  get lastError(): string | undefined {
    return this.state.kind === 'disconnected' ? this.state.error : undefined;
  }

  private setState(s: State): void {
    this.state = s;
    void vscode.commands.executeCommand('setContext', 'sagemakerHf.connected', s.kind === 'connected');
    void vscode.commands.executeCommand('setContext', 'sagemakerHf.connecting', s.kind === 'connecting');
    this.render();
    this.changed.fire();
  }

  private render(): void {
    const s = this.state;
    const item = this.statusItem;
    if (s.kind === 'connected') {
      const c = s.connection;
      item.text = `$(cloud) ${c.profile ?? 'default'} · ${c.region}`;
      item.tooltip = new vscode.MarkdownString(
        `**SageMaker HF**\n\nProfile: ${c.profile ?? '(default chain)'}\n\nRegion: ${c.region}\n\nAccount: ${c.account}\n\nRole: ${c.role ?? '—'}\n\nBucket: s3://${c.bucket}${c.endpoint ? `\n\nEndpoint: ${c.endpoint}` : ''}\n\nClick to switch profile.`,
      );
      item.command = 'sagemakerHf.switchProfile';
      item.backgroundColor = undefined;
    } else if (s.kind === 'connecting') {
      item.text = '$(loading~spin) AWS';
      item.tooltip = 'Connecting to AWS…';
      item.command = undefined;
    } else {
      item.text = '$(debug-disconnect) AWS';
      item.tooltip = s.error
        ? `Not connected: ${s.error}\nClick to connect.`
        : 'Not connected to AWS. Click to connect.';
      item.command = 'sagemakerHf.connect';
      item.backgroundColor = s.error ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
    }
  }

  /** Connects with the current settings. Throws a UserError on failure (and remembers it). */
  async connect(token?: vscode.CancellationToken): Promise<Connection> {
    const settings = readSettings();
    const { connect } = await import('../workflow/connect');
    const { resolveRegion } = await import('../workflow/connect');
    this.setState({ kind: 'connecting' });
    try {
      const region = await resolveRegion(settings.profile, settings.region);
      const conn = await connect({
        profile: settings.profile,
        region,
        endpoint: settings.endpointUrl,
        role: settings.executionRole,
        signal: toAbortSignal(token),
      });
      this.log.info(
        `connected: account ${conn.account}, region ${conn.region}, profile ${conn.profile ?? '(default chain)'}${conn.endpoint ? `, endpoint ${conn.endpoint}` : ''}`,
      );
      this.setState({ kind: 'connected', connection: conn });
      this.connected.fire(conn);
      return conn;
    } catch (err) {
      this.setState({ kind: 'disconnected', error: err instanceof Error ? err.message : String(err) });
      throw err;
    }
  }

  async connectInteractive(): Promise<Connection> {
    return this.ui.withProgress(
      { location: vscode.ProgressLocation.Notification, title: 'Connecting to AWS', cancellable: true },
      (_p, token) => this.connect(token),
    );
  }

  /** The connection, connecting first if needed (with a cancellable notification). */
  async require(): Promise<Connection> {
    return this.current ?? this.connectInteractive();
  }

  async switchProfile(): Promise<void> {
    const { loadSharedConfigFiles } = await import('@smithy/core/config');
    const files = await loadSharedConfigFiles({ ignoreCache: true }).catch(() => ({
      configFile: {},
      credentialsFile: {},
    }));
    const names = [...new Set([...Object.keys(files.configFile), ...Object.keys(files.credentialsFile)])].sort();
    const settings = readSettings();
    const items: (vscode.QuickPickItem & { value?: string })[] = [
      {
        label: '$(server-environment) Default credential chain',
        description: settings.profile ? '' : 'current',
        detail: 'Environment variables, AWS_PROFILE, SSO cache, instance role',
        value: '',
      },
      ...names.map((n) => {
        const cfg = (files.configFile as Record<string, Record<string, string>>)[n] ?? {};
        const sso = cfg['sso_session'] || cfg['sso_start_url'];
        return {
          label: n,
          description: [n === settings.profile ? 'current' : '', sso ? 'SSO' : '', cfg['region'] ?? '']
            .filter(Boolean)
            .join(' · '),
          value: n,
        };
      }),
    ];
    const pick = await this.ui.showQuickPick(items, {
      title: 'AWS Profile',
      placeHolder: names.length
        ? 'Pick a profile from ~/.aws/config and ~/.aws/credentials'
        : 'No profiles found in ~/.aws; the default chain is used',
    });
    if (!pick) return;
    const { resetClients } = await import('../aws/clients');
    resetClients();
    await updateSetting('profile', pick.value || undefined);
    await this.connectInteractive();
  }

  async switchRegion(): Promise<void> {
    const { KNOWN_REGIONS } = await import('../core/sagemaker/regions');
    const current = this.current?.region ?? readSettings().region;
    const pick = await this.ui.showQuickPick(
      KNOWN_REGIONS.map((r) => ({ label: r, description: r === current ? 'current' : undefined })),
      { title: 'AWS Region', placeHolder: current ? `Current: ${current}` : 'Pick a region' },
    );
    if (!pick) return;
    await updateSetting('region', pick.label);
    await this.connectInteractive();
  }

  /** Picks the execution role; true when one was set (an error's Select Execution Role then resumes). */
  async selectRole(): Promise<boolean> {
    const conn = await this.require();
    const { listSageMakerRoles } = await import('../workflow/connect');
    const roles = await this.ui.withProgress(
      {
        location: vscode.ProgressLocation.Notification,
        title: 'Listing IAM roles SageMaker can assume',
        cancellable: true,
      },
      (_p, token) => listSageMakerRoles(conn, toAbortSignal(token)),
    );
    const items: (vscode.QuickPickItem & { arn?: string })[] = roles.map((r) => ({
      label: r.name,
      description: r.arn === conn.role ? 'current' : undefined,
      detail: r.arn,
      arn: r.arn,
    }));
    items.push({ label: '$(edit) Enter a role ARN…' });
    const pick = await this.ui.showQuickPick(items, {
      title: 'SageMaker Execution Role',
      placeHolder: roles.length
        ? 'Roles whose trust policy allows sagemaker.amazonaws.com'
        : 'No role in this account trusts sagemaker.amazonaws.com; enter an ARN',
    });
    if (!pick) return false;
    const arn =
      pick.arn ??
      (await this.ui.showInputBox({
        title: 'Execution role ARN',
        prompt: 'arn:aws:iam::ACCOUNT:role/NAME',
        validateInput: (v) => (/^arn:aws[a-z-]*:iam::\d{12}:role\/.+$/.test(v) ? undefined : 'Not an IAM role ARN'),
      }));
    if (!arn) return false;
    await updateSetting('executionRole', arn);
    if (this.current) this.setState({ kind: 'connected', connection: { ...this.current, role: arn } });
    return true;
  }

  async createBucket(): Promise<void> {
    const conn = await this.require();
    const { ensureDefaultBucket } = await import('../workflow/connect');
    const res = await this.ui.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Checking s3://${conn.bucket}`, cancellable: true },
      (_p, token) => ensureDefaultBucket(conn, toAbortSignal(token)),
    );
    void this.ui.showInformationMessage(
      res.created ? `Created bucket s3://${res.bucket}.` : `Bucket s3://${res.bucket} already exists and is yours.`,
    );
  }

  /** The connection row at the top of the tree. */
  rootNode(): Node | undefined {
    const c = this.current;
    if (!c) return undefined;
    const kids = [
      new InfoNode('Account', c.account, { icon: 'organization' }),
      new InfoNode('Identity', c.arn, { icon: 'person' }),
      new InfoNode('Execution role', c.role ?? 'not set — click to select', {
        icon: 'shield',
        command: c.role ? undefined : { command: 'sagemakerHf.selectRole', title: 'Select Execution Role' },
      }),
      new InfoNode('Default bucket', `s3://${c.bucket}`, { icon: 'archive' }),
      ...(c.endpoint ? [new InfoNode('Endpoint override', c.endpoint, { icon: 'debug-alt' })] : []),
    ];
    return {
      treeItem: () => {
        const item = new vscode.TreeItem(
          `${c.profile ?? 'default'} · ${c.region}`,
          vscode.TreeItemCollapsibleState.Collapsed,
        );
        item.id = 'connection';
        item.description = c.account;
        item.iconPath = new vscode.ThemeIcon('cloud');
        item.contextValue = 'connection';
        item.tooltip = `Profile ${c.profile ?? '(default chain)'}, region ${c.region}, account ${c.account}`;
        return item;
      },
      children: () => kids,
    };
  }

  dispose(): void {
    this.statusItem.dispose();
    this.changed.dispose();
    this.connected.dispose();
    for (const d of this.disposables) d.dispose();
  }
}
