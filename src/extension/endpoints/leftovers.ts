// After each connect, what endpoints that deleted themselves left (their endpoint config and model: no
// cost, only clutter) is offered in one notification: Delete removes exactly the resources it names (all
// carry the tool's tag), Not Now leaves them to the next connect. A failed look is only logged: the user
// asked for nothing, so nothing they asked for failed.
import * as vscode from 'vscode';
import { describeSteps, leftoversText } from '../../core/endpoints/deletePlan';
import { errorLine } from '../../core/errors';
import type { Connection } from '../../workflow/connect';
import { deleteLeftovers, findLeftovers } from '../../workflow/endpoints/leftovers';
import type { Services } from '../services';
import { reportError } from '../ui';

/** Offers the leftovers once per successful connect. */
export function offerLeftoversOnConnect(ctx: Services): vscode.Disposable {
  return ctx.connection.onDidConnect((conn) => {
    void offerLeftovers(ctx, conn).catch((err) =>
      ctx.log.warn(`looking for what scheduled endpoint deletions left failed: ${errorLine(err)}`),
    );
  });
}

async function offerLeftovers(ctx: Services, conn: Connection): Promise<void> {
  const offer = await findLeftovers(conn);
  if (!offer.steps.length) return;
  const text = leftoversText(offer.steps, offer.endpoints.length);
  ctx.log.info(text);
  const choice = await ctx.ui.showInformationMessage(text, 'Delete', 'Not Now');
  if (choice !== 'Delete') return;
  try {
    const { deleted, skipped } = await ctx.ui.withProgress(
      { location: vscode.ProgressLocation.Window, title: 'Deleting leftovers of deleted endpoints' },
      (progress) =>
        deleteLeftovers(conn, offer, {
          onProgress: (p) => {
            ctx.log.info(p.message);
            progress.report({ message: p.message });
          },
        }),
    );
    const gone = skipped.length ? ` Not deleted (gone or in use again): ${describeSteps(skipped)}.` : '';
    const line = `Deleted ${describeSteps(deleted)}.${gone}`;
    ctx.log.info(line);
    void ctx.ui.showInformationMessage(line);
  } catch (err) {
    await reportError(ctx.log, 'Deleting leftovers of deleted endpoints', err);
  }
}
