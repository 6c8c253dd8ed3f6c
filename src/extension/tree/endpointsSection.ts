// The "Endpoints" section (SageMaker endpoints and, through registered sources, local ones), what an
// endpoint node exposes to the endpoint commands, the deploys running in this window, and the hook by
// which the local room deploys local jobs (the endpoints room's Deploy Endpoint hands them over).
import * as vscode from 'vscode';
import type { Services } from '../services';
import { NodeSources, type Node, type NodeSource } from './tree';

export type EndpointSource = NodeSource;

/** What an endpoint node exposes to the endpoint commands; local nodes implement the actions. */
export interface EndpointNodeLike {
  endpointName: string;
  local: boolean;
  status: string;
  /** USD per hour while running (0 for local endpoints). */
  pricePerHour?: number;
  /** Serverless endpoints: billed per use; the predictions view marks cold starts. */
  serverless?: boolean;
  /** The labelled rate while it bills ("about $0.230/h, offline table (us-east-1 prices)"). */
  priceLine?: string;
  /** The rate is the offline table's estimate. */
  priceEstimated?: boolean;
  openPredictions?(): unknown;
  deleteEndpoint?(): unknown;
}

export function isEndpointNode<T>(x: T): x is T & EndpointNodeLike {
  return (
    !!x &&
    typeof (x as unknown as EndpointNodeLike).endpointName === 'string' &&
    typeof (x as unknown as EndpointNodeLike).local === 'boolean'
  );
}

const endpointSources = new NodeSources();
export const onDidChangeEndpointSources = endpointSources.onDidChange;

/** Adds endpoints from elsewhere (the local endpoint), listed before the SageMaker ones. */
export function registerEndpointSource(source: EndpointSource): vscode.Disposable {
  return endpointSources.register(source);
}

export function sourceNodes(): Node[] {
  return endpointSources.nodes();
}

/** Deploys running in this window (name → what), so "Delete Endpoint" can say one is on its way. */
const deploysInProgress = new Map<string, string>();

/** Marks a deploy as running until the returned disposable is disposed. */
export function trackDeploy(name: string, what: string): vscode.Disposable {
  deploysInProgress.set(name, what);
  return new vscode.Disposable(() => deploysInProgress.delete(name));
}

export function deploysRunning(): string[] {
  return [...deploysInProgress.values()];
}

/** Registers the section; `remote` gives the SageMaker endpoint nodes (empty when not connected). */
export function registerEndpointsSection(
  services: Services,
  remote: () => Promise<Node[]>,
  description: () => string | undefined,
): void {
  services.tree.registerSection({
    id: 'endpoints',
    label: 'Endpoints',
    icon: 'server',
    order: 3,
    availableOffline: true,
    description,
    async children() {
      const local = sourceNodes();
      const cloud = services.connection.current ? await remote() : [];
      return [...local, ...cloud];
    },
  });
}

// ---------------------------------------------------------------------------------------------------
// Local jobs deploy through the local target: its module registers how (Deploy Endpoint on a local job).

let localDeployer: ((jobNode: unknown) => Promise<unknown>) | undefined;

export function registerLocalJobDeployer(fn: (jobNode: unknown) => Promise<unknown>): vscode.Disposable {
  localDeployer = fn;
  return new vscode.Disposable(() => {
    if (localDeployer === fn) localDeployer = undefined;
  });
}

export function localJobDeployer(): ((jobNode: unknown) => Promise<unknown>) | undefined {
  return localDeployer;
}
