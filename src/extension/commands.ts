// Every command the extension registers, as one typed table (id -> the words its failure message starts
// with), and the one register() each feature calls: a command is a named factory `(ctx) => handler`,
// and register() adds the error reporting and the disposal, so no feature repeats them. A unit test
// checks the table against package.json's contributes.commands.
import * as vscode from 'vscode';
import { reportError } from './ui';
import { shouldResume } from '../core/errors';

/**
 * Command id -> what a failure message names ("Deploy endpoint failed: ..."); null: registered as is,
 * without the error report (commands that cannot fail or whose failure VS Code shows).
 */
export const COMMANDS = {
  'sagemakerHf.connect': 'Connect to AWS',
  'sagemakerHf.switchProfile': 'Switch AWS profile',
  'sagemakerHf.switchRegion': 'Switch AWS region',
  'sagemakerHf.selectRole': 'Select execution role',
  'sagemakerHf.createDefaultBucket': 'Create default bucket',
  'sagemakerHf.refresh': null,
  'sagemakerHf.newSpec': 'New job spec',
  'sagemakerHf.openSpec': null,
  'sagemakerHf.copyToClipboard': null,
  'sagemakerHf.prepareDataset': 'Prepare dataset',
  'sagemakerHf.prepareDatasetOnSageMaker': 'Prepare dataset on SageMaker',
  'sagemakerHf.showProcessingJobLogs': 'Show Processing job log',
  'sagemakerHf.openDatasetReport': 'Open dataset report',
  'sagemakerHf.setHubToken': 'Set Hugging Face Hub token',
  'sagemakerHf.startTraining': 'Start training',
  'sagemakerHf.stopTrainingJob': 'Stop training job',
  'sagemakerHf.showJobLogs': 'Show training logs',
  'sagemakerHf.openJobDetails': 'Open job details',
  'sagemakerHf.stopTailing': 'Stop tailing logs',
  'sagemakerHf.releaseWarmPool': 'Release warm pool',
  'sagemakerHf.deployEndpoint': 'Deploy endpoint',
  'sagemakerHf.deployFromHub': 'Deploy model from the Hub',
  'sagemakerHf.openPredictions': 'Open predictions',
  'sagemakerHf.deleteEndpoint': 'Delete endpoint',
  'sagemakerHf.deleteEndpointLater': 'Delete endpoint later',
  'sagemakerHf.extendEndpointDeletion': 'Extend the scheduled deletion',
  'sagemakerHf.cancelEndpointDeletion': 'Cancel the scheduled deletion',
  'sagemakerHf.trainLocally': 'Local training',
  'sagemakerHf.runWorkflowLocally': 'Run workflow locally',
  'sagemakerHf.rehearseSpotInterruption': 'Rehearse spot interruption',
  'sagemakerHf.selectPython': 'Select Python',
  'sagemakerHf.createPythonEnvironment': 'Create local Python environment',
} as const satisfies Record<string, string | null>;

export type CommandId = keyof typeof COMMANDS;

/** Registered but deliberately not in package.json (none today: every command shows in the palette). */
export const INTERNAL_COMMANDS: readonly CommandId[] = [];

/** What register() needs of a feature's context: where the disposable goes and where failures are logged. */
export interface CommandHost {
  context: { subscriptions: { dispose(): unknown }[] };
  log: vscode.LogOutputChannel;
}

// VS Code passes a command whatever its caller gives (tree nodes, URIs, strings), as registerCommand types it.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type CommandHandler = (...args: any[]) => unknown;
export type CommandFactory<C> = (ctx: C) => CommandHandler;

/** Registers `factory(ctx)` under `id`: errors are reported (never thrown back at VS Code), disposed with the extension. */
export function register<C extends CommandHost>(ctx: C, id: CommandId, factory: CommandFactory<C>): void {
  const handler = factory(ctx);
  const what = COMMANDS[id];
  const wrapped =
    what === null
      ? handler
      : async (...args: unknown[]): Promise<unknown> => {
          // After "Select Execution Role" on the error, the command picks up where it stopped: once.
          for (let resumed = false; ; resumed = true) {
            try {
              return await handler(...args);
            } catch (err) {
              const { action, result } = await reportError(ctx.log, what, err);
              if (!shouldResume(action, result, resumed)) return undefined;
              ctx.log.info(`${what}: resuming after ${action?.title}`);
            }
          }
        };
  ctx.context.subscriptions.push(vscode.commands.registerCommand(id, wrapped));
}
