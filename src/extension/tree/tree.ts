// The SageMaker tree: a connection root and sections (datasets, training jobs, endpoints) that feature
// modules fill. Nodes are small objects; a feature refreshes its own section.
import * as vscode from 'vscode';

export interface Node {
  treeItem(): vscode.TreeItem | Promise<vscode.TreeItem>;
  children?(): vscode.ProviderResult<Node[]>;
  parent?: Node;
}

export interface Section {
  id: 'running' | 'datasets' | 'jobs' | 'endpoints';
  label: string;
  icon: string;
  order: number;
  /** Shown even when not connected to AWS (local jobs and endpoints). */
  availableOffline?: boolean;
  children(): vscode.ProviderResult<Node[]>;
  description?(): string | undefined;
}

/** A leaf or branch with fixed content; handy for details under a resource. */
/** A status row's icon from its [codicon, theme color] entry. */
export function statusIcon([icon, color]: readonly [string, string?]): vscode.ThemeIcon {
  return new vscode.ThemeIcon(icon, color ? new vscode.ThemeColor(color) : undefined);
}

export class InfoNode implements Node {
  constructor(
    readonly label: string,
    readonly description?: string,
    readonly opts: {
      icon?: string;
      tooltip?: string | vscode.MarkdownString;
      contextValue?: string;
      command?: vscode.Command;
      kids?: Node[];
    } = {},
  ) {}
  treeItem(): vscode.TreeItem {
    const item = new vscode.TreeItem(
      this.label,
      this.opts.kids?.length ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None,
    );
    item.description = this.description;
    if (this.opts.icon) item.iconPath = new vscode.ThemeIcon(this.opts.icon);
    item.tooltip = this.opts.tooltip ?? (this.description ? `${this.label}: ${this.description}` : undefined);
    item.contextValue = this.opts.contextValue ?? 'info.copyable';
    item.command = this.opts.command;
    return item;
  }
  children(): Node[] {
    return this.opts.kids ?? [];
  }
}

/** The root row while not connected and local work is listed (the welcome view is gone then). */
export const NOT_CONNECTED: Node = {
  treeItem(): vscode.TreeItem {
    const item = new vscode.TreeItem('Not connected — Connect', vscode.TreeItemCollapsibleState.None);
    item.id = 'connection.offline';
    item.iconPath = new vscode.ThemeIcon('debug-disconnect');
    item.contextValue = 'connection.offline';
    item.tooltip =
      'Not connected to AWS: only local jobs and endpoints are listed. Click to connect (profile, region, role).';
    item.command = { command: 'sagemakerHf.connect', title: 'Connect to AWS' };
    return item;
  },
};

export class SectionNode implements Node {
  constructor(readonly section: Section) {}
  treeItem(): vscode.TreeItem {
    const item = new vscode.TreeItem(this.section.label, vscode.TreeItemCollapsibleState.Expanded);
    item.id = `section.${this.section.id}`;
    item.iconPath = new vscode.ThemeIcon(this.section.icon);
    item.contextValue = `section.${this.section.id}`;
    item.description = this.section.description?.();
    return item;
  }
  children(): vscode.ProviderResult<Node[]> {
    return this.section.children();
  }
}

export class ExplorerTree implements vscode.TreeDataProvider<Node>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<Node | undefined | void>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly sections: SectionNode[] = [];
  private readonly sectionNodes = new Map<string, SectionNode>();
  readonly view: vscode.TreeView<Node>;

  constructor(private readonly root: () => { connected: boolean; rootNode?: Node }) {
    this.view = vscode.window.createTreeView('sagemakerHf.explorer', { treeDataProvider: this, showCollapseAll: true });
  }

  registerSection(section: Section): void {
    const node = new SectionNode(section);
    this.sections.push(node);
    this.sections.sort((a, b) => a.section.order - b.section.order);
    this.sectionNodes.set(section.id, node);
    this.changed.fire();
  }

  /** Refresh everything, one section, or one node. */
  refresh(what?: Section['id'] | Node): void {
    // Offline, a section is listed only while it has children: its first child must refresh the root.
    if (typeof what === 'string') this.changed.fire(this.root().connected ? this.sectionNodes.get(what) : undefined);
    else this.changed.fire(what);
    // "Running now" mirrors what bills in the other sections: whatever changes there may change it.
    const running = this.sectionNodes.get('running');
    if (running && what !== 'running' && what !== undefined && this.root().connected) this.changed.fire(running);
  }

  /** A section's node, the parent of its rows (reveal needs the chain up to the root). */
  sectionNode(id: Section['id']): Node | undefined {
    return this.sectionNodes.get(id);
  }

  get visible(): boolean {
    return this.view.visible;
  }

  getTreeItem(node: Node): vscode.TreeItem | Promise<vscode.TreeItem> {
    return node.treeItem();
  }

  getParent(node: Node): Node | undefined {
    return node.parent;
  }

  async getChildren(node?: Node): Promise<Node[]> {
    if (node) return ((await node.children?.()) ?? []) as Node[];
    const { connected, rootNode } = this.root();
    if (connected) return [...(rootNode ? [rootNode] : []), ...this.sections];
    // Offline: local jobs and endpoints only, and only if there are some (else the welcome view shows,
    // with its Connect button). With local work listed, a Connect row keeps the way to AWS in view.
    const offline: Node[] = [];
    for (const s of this.sections) {
      if (!s.section.availableOffline) continue;
      const kids = (await s.section.children()) ?? [];
      if (kids.length > 0) offline.push(s);
    }
    return offline.length ? [NOT_CONNECTED, ...offline] : [];
  }

  dispose(): void {
    this.view.dispose();
    this.changed.dispose();
  }
}

/** A feature that adds nodes to another feature's section (local jobs, local endpoints). */
export interface NodeSource {
  id: string;
  nodes(): Node[];
  onDidChange: vscode.Event<void>;
}

/** The sources of one section: their nodes in registration order, and one event when any changes. */
export class NodeSources {
  private readonly sources: NodeSource[] = [];
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;

  register(source: NodeSource): vscode.Disposable {
    this.sources.push(source);
    const sub = source.onDidChange(() => this.changed.fire());
    this.changed.fire();
    return new vscode.Disposable(() => {
      sub.dispose();
      const i = this.sources.indexOf(source);
      if (i >= 0) this.sources.splice(i, 1);
      this.changed.fire();
    });
  }

  /** Every source's nodes; a source that throws contributes none rather than breaking the section. */
  nodes(): Node[] {
    return this.sources.flatMap((s) => {
      try {
        return s.nodes();
      } catch {
        return [];
      }
    });
  }
}
