// The AWS connection shown in the status bar and at the root of the tree: profile, region, account,
// execution role and default bucket. Switching profile or region is one click. Nothing calls AWS at
// activation; the first connect happens when the user asks, or when a command needs it.
import * as vscode from 'vscode';
import type { Connection } from '../workflow/connect';
import type { RoleMemory } from '../core/sagemaker/roleMemory';
import { readSettings, updateSetting } from './settings';
import { InfoNode, type Node } from './tree/tree';
import { toAbortSignal } from './ui';
import { windowUi, type Ui } from './window';

/** globalState key of the roles remembered per profile and region (core/sagemaker/roleMemory). */
const ROLES_KEY = 'sagemakerHf.executionRoles';

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
  /** What the connected role belongs to ("default · us-east-1", "workspace setting"), shown beside it. */
  private roleOrigin: string | undefined;

  constructor(
    private readonly log: vscode.LogOutputChannel,
    private readonly ui: Ui = windowUi,
    private readonly roles?: vscode.Memento,
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
        `**SageMaker HF**\n\nProfile: ${c.profile ?? '(default chain)'}\n\nRegion: ${c.region}\n\nAccount: ${c.account}\n\nRole: ${c.role ? `${c.role} (${this.roleOrigin ?? ''})` : '—'}\n\nBucket: s3://${c.bucket}${c.endpoint ? `\n\nEndpoint: ${c.endpoint}` : ''}\n\nClick to switch profile.`,
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
      const chosen = await this.roleFor(settings.profile, region);
      const conn = await connect({
        profile: settings.profile,
        region,
        endpoint: settings.endpointUrl,
        role: chosen?.arn,
        signal: toAbortSignal(token),
      });
      this.roleOrigin = chosen ? chosen.origin : conn.role ? "the identity's own role" : undefined;
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

  /**
   * The role for this profile and region (roleMemory.roleFor); the first time, the old machine-wide
   * setting moves into the memory as this profile's and region's role.
   */
  private async roleFor(profile: string | undefined, region: string) {
    const { migrateRole, roleFor } = await import('../core/sagemaker/roleMemory');
    const setting = vscode.workspace.getConfiguration('sagemakerHf').inspect<string>('executionRole');
    const trim = (v: string | undefined) => (v && v.trim() ? v.trim() : undefined);
    let user = trim(setting?.globalValue);
    let memory = this.roles?.get<RoleMemory>(ROLES_KEY);
    if (this.roles) {
      const m = migrateRole(memory, user, profile, region);
      if (!memory) await this.roles.update(ROLES_KEY, m.memory);
      if (m.clearLegacy) {
        this.log.info(`execution role ${user} is now remembered for ${profile ?? 'default'} · ${region} only`);
        await updateSetting('executionRole', undefined);
        user = undefined;
      }
      memory = m.memory;
    }
    return roleFor(memory ?? {}, profile, region, {
      workspace: trim(setting?.workspaceFolderValue) ?? trim(setting?.workspaceValue),
      user,
    });
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
    const { profileLabel, rememberRole } = await import('../core/sagemaker/roleMemory');
    if (this.roles) {
      const memory = this.roles.get<RoleMemory>(ROLES_KEY) ?? {};
      await this.roles.update(ROLES_KEY, rememberRole(memory, conn.profile, conn.region, arn));
    } else await updateSetting('executionRole', arn);
    // A workspace's own setting wins over the memory: the pick replaces it there, or it would not apply.
    const cfg = vscode.workspace.getConfiguration('sagemakerHf');
    const ws = cfg.inspect<string>('executionRole');
    if (ws?.workspaceFolderValue?.trim() || ws?.workspaceValue?.trim())
      await cfg.update(
        'executionRole',
        arn,
        ws.workspaceFolderValue?.trim()
          ? vscode.ConfigurationTarget.WorkspaceFolder
          : vscode.ConfigurationTarget.Workspace,
      );
    this.roleOrigin =
      ws?.workspaceFolderValue?.trim() || ws?.workspaceValue?.trim()
        ? 'workspace setting'
        : `${profileLabel(conn.profile)} · ${conn.region}`;
    this.log.info(`execution role ${arn} for ${this.roleOrigin}`);
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
      new InfoNode(
        this.roleOrigin && c.role ? `Execution role (${this.roleOrigin})` : 'Execution role',
        c.role ?? 'not set — click to select',
        {
          icon: 'shield',
          tooltip: c.role
            ? `Execution role ${c.role}: ${this.roleOrigin ?? ''}. Remembered per profile and region (Select Execution Role changes it for ${c.profile ?? 'default'} · ${c.region}).`
            : undefined,
          command: c.role ? undefined : { command: 'sagemakerHf.selectRole', title: 'Select Execution Role' },
        },
      ),
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
