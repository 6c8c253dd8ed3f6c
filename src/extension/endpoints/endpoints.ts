// Endpoints: deploy a completed job or a Hub model (after a modal naming instance type, count and
// price), the tree of endpoints with status, size, uptime and cost, a status bar item so none is
// forgotten, the predictions page, and delete (endpoint, config, model; shared or foreign resources kept
// and named), and after each connect the offer to delete what endpoints that deleted themselves left.
// This file registers them; each command is a factory in its own module.
import * as vscode from 'vscode';
import { errorLine } from '../../core/errors';
import { registerEndpointsSection } from '../tree/endpointsSection';
import { PREDICTIONS_VIEW_TYPE, showPanelMessage } from '../panels/predictionsPanel';
import type { Services } from '../services';
import { register } from '../commands';
import { EndpointsModel, type EndpointsCtx } from './endpointsModel';
import { deployEndpointCommand, deployFromHubCommand } from './deploy';
import { openPredictionsCommand, restorePredictions } from './predictions';
import { deleteEndpointCommand } from './deleteEndpoint';
import { cancelDeletionCommand, deleteLaterCommand, extendDeletionCommand } from './deleteLater';
import { registerRunningSource } from '../tree/runningSection';
import { BILLED, SageMakerEndpointNode } from './endpointNode';
import { offerLeftoversOnConnect } from './leftovers';

export function activate(services: Services): void {
  const { log, context } = services;
  const model = new EndpointsModel(services);
  context.subscriptions.push(model);
  registerEndpointsSection(
    services,
    () => model.children(),
    () => (model.listErrorText ? 'error' : undefined),
  );
  // Endpoints that bill now, in "Running now" (a Deleting one is on its way out).
  context.subscriptions.push(
    registerRunningSource({
      items: async () =>
        (await model.children())
          .filter((n): n is SageMakerEndpointNode => n instanceof SageMakerEndpointNode)
          .filter((n) => BILLED.has(n.status))
          .map((n) => ({
            billable: {
              kind: 'endpoint' as const,
              name: n.endpointName,
              ...(n.pricePerHour !== undefined ? { perHour: n.pricePerHour } : {}),
              ...(n.serverless ? { perUse: true } : {}),
              detail: [
                n.status !== 'InService' ? n.status : '',
                n.facts.instanceType ? `${n.facts.instanceType} × ${n.facts.count || 1}` : '',
                n.serverless ? 'serverless' : '',
                n.deletionText() ?? '',
              ]
                .filter(Boolean)
                .join(' · '),
              ...(n.createdAt ? { since: n.createdAt } : {}),
              ...(n.facts.price
                ? {
                    priceSource:
                      n.facts.price.source === 'offline-table'
                        ? 'offline table (us-east-1 prices)'
                        : `Price List${n.facts.price.fetchedAt ? `, ${n.facts.price.fetchedAt.slice(0, 10)}` : ''}`,
                  }
                : {}),
            },
            contextValue: `endpoint.${n.status}${n.facts.deletion ? '.deletesItself' : ''}`,
            icon: ['vm-running', 'charts.orange'] as [string, string],
            handle: {
              endpointName: n.endpointName,
              local: false,
              status: n.status,
              pricePerHour: n.pricePerHour,
              serverless: n.serverless,
            },
          })),
    }),
  );
  const ctx: EndpointsCtx = { ...services, model };
  register(ctx, 'sagemakerHf.deployEndpoint', deployEndpointCommand);
  register(ctx, 'sagemakerHf.deployFromHub', deployFromHubCommand);
  register(ctx, 'sagemakerHf.openPredictions', openPredictionsCommand);
  context.subscriptions.push(
    vscode.window.registerWebviewPanelSerializer(PREDICTIONS_VIEW_TYPE, {
      deserializeWebviewPanel: (panel, state) =>
        restorePredictions(ctx, panel, state).catch((err) => {
          log.error(`restoring a predictions panel failed: ${errorLine(err)}`);
          showPanelMessage(panel, 'Predictions', `Restoring this panel failed: ${errorLine(err)}`);
        }),
    }),
  );
  register(ctx, 'sagemakerHf.deleteEndpoint', deleteEndpointCommand);
  register(ctx, 'sagemakerHf.deleteEndpointLater', deleteLaterCommand);
  register(ctx, 'sagemakerHf.extendEndpointDeletion', extendDeletionCommand);
  register(ctx, 'sagemakerHf.cancelEndpointDeletion', cancelDeletionCommand);
  context.subscriptions.push(offerLeftoversOnConnect(services));
}
