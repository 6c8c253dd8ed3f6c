// A SageMaker endpoint in the Endpoints section: status icon, size, uptime and cost on the row, the
// config, model and logs as children. Its facts come from the model (endpointsModel.ts) that lists and
// describes endpoints.
import * as vscode from 'vscode';
import type { DescribeEndpointOutput, EndpointSummary } from '@aws-sdk/client-sagemaker';
import type { ResolvedPrice } from '../../workflow/prices';
import type { ServerlessConfig } from '../../core/endpoints/deployRequests';
import type { EndpointNodeLike } from '../tree/endpointsSection';
import { InfoNode, statusIcon, type Node } from '../tree/tree';
import { formatDuration } from '../ui';
import { deletesItselfText, type ScheduledDeletion } from '../../core/endpoints/deleteAfter';

export const IN_PROGRESS = new Set(['Creating', 'Updating', 'SystemUpdating', 'RollingBack', 'Deleting']);
/** Statuses in which instances run and are billed. */
export const BILLED = new Set(['InService', 'Creating', 'Updating', 'SystemUpdating', 'RollingBack', 'OutOfService']);
const STATUS_ICON: Record<string, [string, string?]> = {
  InService: ['pass-filled', 'testing.iconPassed'],
  Creating: ['loading~spin', 'charts.blue'],
  Updating: ['loading~spin', 'charts.blue'],
  SystemUpdating: ['loading~spin', 'charts.blue'],
  RollingBack: ['loading~spin', 'charts.yellow'],
  Deleting: ['loading~spin', 'charts.yellow'],
  Failed: ['error', 'testing.iconFailed'],
  OutOfService: ['warning', 'charts.yellow'],
};

interface EndpointFacts {
  desc?: DescribeEndpointOutput;
  instanceType?: string;
  count?: number;
  modelName?: string;
  /** Serverless endpoints: running and counted, but billed per use, not per hour. */
  serverless?: ServerlessConfig;
  /** One instance's price (Price List or offline table), resolved by the model after the describe. */
  price?: ResolvedPrice;
  /** The labelled price line(s): per hour for all instances, or the serverless per-use line. */
  priceLine?: string;
  /** A sum computed from `price` ("about $1.20" from the offline table), beside the labelled rate. */
  labelAmount?: (usd: number) => string;
  /** The EventBridge Scheduler schedule that deletes it, when there is one. */
  deletion?: ScheduledDeletion;
  /** "idle 5 h, $3.70 … since its last request" when CloudWatch shows no recent Invocations. */
  idle?: string;
  error?: string;
}

export class SageMakerEndpointNode implements Node, EndpointNodeLike {
  readonly local = false;
  parent?: Node;
  facts: EndpointFacts = {};
  /** Set while this window deploys or deletes it: shown before ListEndpoints knows it. */
  override?: string;

  constructor(
    readonly endpointName: string,
    public summary: EndpointSummary | undefined,
    private readonly region: () => string,
  ) {}

  get status(): string {
    return this.override ?? this.facts.desc?.EndpointStatus ?? this.summary?.EndpointStatus ?? 'Unknown';
  }

  get createdAt(): Date | undefined {
    const c = this.facts.desc?.CreationTime ?? this.summary?.CreationTime;
    return c ? new Date(c) : undefined;
  }

  get serverless(): boolean {
    return !!this.facts.serverless;
  }

  get pricePerHour(): number | undefined {
    if (this.facts.serverless) return 0;
    const { instanceType, count } = this.facts;
    if (!instanceType || !BILLED.has(this.status)) return BILLED.has(this.status) ? undefined : 0;
    const p = this.facts.price;
    return p ? p.amount * (count || 1) : undefined;
  }

  get priceLine(): string | undefined {
    return BILLED.has(this.status) ? this.facts.priceLine : undefined;
  }

  get priceEstimated(): boolean {
    return this.facts.price?.source === 'offline-table';
  }

  treeItem(): vscode.TreeItem {
    const item = new vscode.TreeItem(this.endpointName, vscode.TreeItemCollapsibleState.Collapsed);
    item.id = `endpoint.sm.${this.endpointName}`;
    item.iconPath = statusIcon(STATUS_ICON[this.status] ?? ['circle-outline']);
    item.contextValue = `endpoint.${this.status}${this.facts.deletion ? '.deletesItself' : ''}`;
    const { instanceType, count, serverless } = this.facts;
    const parts = [this.status];
    if (serverless) parts.push(`serverless ${serverless.memorySizeInMB / 1024} GB · billed per use`);
    if (instanceType) parts.push(`${instanceType} × ${count || 1}`);
    const created = this.createdAt;
    if (created && BILLED.has(this.status)) parts.push(formatDuration(Date.now() - created.getTime()));
    if (instanceType && BILLED.has(this.status)) {
      if (this.facts.priceLine) parts.push(this.facts.priceLine);
      const perHour = this.pricePerHour;
      if (created && perHour !== undefined && this.facts.labelAmount)
        parts.push(
          `${this.facts.labelAmount((perHour * Math.max(0, Date.now() - created.getTime())) / 3_600_000)} so far`,
        );
    }
    const deletes = this.deletionText();
    if (deletes) parts.push(deletes);
    if (this.facts.idle) parts.push(this.facts.idle);
    item.description = parts.join(' · ');
    const md = new vscode.MarkdownString();
    md.appendMarkdown(`**${this.endpointName}**\n\n`);
    md.appendText(`Status: ${this.status}\n`);
    if (this.facts.desc?.FailureReason) md.appendText(`\nFailure: ${this.facts.desc.FailureReason}\n`);
    if (instanceType)
      md.appendText(
        `\n${count || 1} × ${instanceType}: ${this.facts.priceLine ?? 'price not read yet'} while running\n`,
      );
    if (serverless)
      md.appendText(
        `\nServerless, ${serverless.memorySizeInMB} MB, up to ${serverless.maxConcurrency} concurrent: ${this.facts.priceLine ?? 'price not read yet'}. The first request after idle is a cold start.\n`,
      );
    if (created) md.appendText(`\nCreated: ${created.toLocaleString()}\n`);
    if (deletes)
      md.appendText(
        `\nIt ${deletes}: an EventBridge Scheduler schedule deletes it even with this editor closed (${this.facts.deletion!.timeZone}).\n`,
      );
    if (this.facts.idle)
      md.appendText(
        `\nIt is ${this.facts.idle} (CloudWatch Invocations): delete it, or let it delete itself later, from the context menu.\n`,
      );
    if (this.facts.error) md.appendText(`\nCould not read details: ${this.facts.error}\n`);
    item.tooltip = md;
    return item;
  }

  /** "deletes itself at 18:00 (in 3 h 12 min)", or undefined without a schedule. */
  deletionText(now = new Date()): string | undefined {
    const d = this.facts.deletion;
    return d ? deletesItselfText(d.at, now, d.timeZone) : undefined;
  }

  children(): Node[] {
    const d = this.facts.desc;
    const kids: Node[] = [];
    const at = (n: Node) => {
      n.parent = this;
      kids.push(n);
    };
    if (d?.FailureReason) at(new InfoNode('Failure reason', d.FailureReason, { icon: 'error' }));
    if (d?.EndpointConfigName) at(new InfoNode('Endpoint config', d.EndpointConfigName, { icon: 'settings' }));
    if (this.facts.modelName) at(new InfoNode('Model', this.facts.modelName, { icon: 'package' }));
    if (d?.EndpointArn) at(new InfoNode('ARN', d.EndpointArn, { icon: 'tag' }));
    at(new InfoNode('Logs', `/aws/sagemaker/Endpoints/${this.endpointName}`, { icon: 'output' }));
    return kids;
  }
}
