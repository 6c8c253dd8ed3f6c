// "Release Warm Pool": ends a training job's warm pool now (UpdateTrainingJob, KeepAlivePeriodInSeconds
// 0) after a modal naming the job, the pool's price and what releasing means, then reads the job again.
import { formatWarmPool } from '../../core/billing/billing';
import { billingWarmPools, redescribeJob } from '../tree/jobsSection';
import type { Services } from '../services';
import { register } from '../commands';

/** Release Warm Pool on a job node, a job name, or picked from the pools billing now. */
export const releaseWarmPoolCommand =
  (services: Services) =>
  async (arg?: unknown): Promise<void> => {
    let name =
      typeof arg === 'string'
        ? arg.trim()
        : arg && typeof (arg as { jobName?: unknown }).jobName === 'string'
          ? (arg as { jobName: string }).jobName
          : undefined;
    if (!name) {
      const pools = billingWarmPools();
      // Nothing to release is good news, not a failure: said as information.
      if (!pools.length) {
        void services.ui.showInformationMessage(
          'Nothing to release: no warm pool is billing now (the tree shows warm pools under their training job).',
        );
        return;
      }
      name = (
        await services.ui.showQuickPick(
          pools.map((p) => ({ label: p.jobName, description: formatWarmPool(p.pool) })),
          { title: 'Release Warm Pool: pick a training job' },
        )
      )?.label;
      if (!name) return;
    }
    const conn = await services.connection.require();
    const { readWarmPool, releaseWarmPool } = await import('../../workflow/training/warmPool');
    const pool = await readWarmPool(conn, name);
    if (!pool?.billing) {
      void services.ui.showInformationMessage(
        pool ? `Nothing to release: ${name} has ${formatWarmPool(pool)}.` : `Training job ${name} has no warm pool.`,
      );
      return;
    }
    const go = await services.ui.showWarningMessage(
      `Release the warm pool of ${name}?`,
      {
        modal: true,
        detail: `${formatWarmPool(pool)}.\nIts instances are terminated and billing for them stops; the next matching training job starts cold (minutes of provisioning).`,
      },
      'Release Warm Pool',
    );
    if (go !== 'Release Warm Pool') return;
    await releaseWarmPool(conn, name);
    services.log.info(`released the warm pool of ${name}`);
    const after = await redescribeJob(name).catch(() => undefined);
    void services.ui.showInformationMessage(
      `Released the warm pool of ${name}${after?.WarmPoolStatus?.Status ? ` (now ${after.WarmPoolStatus.Status})` : ''}.`,
    );
  };

export function activate(services: Services): void {
  register(services, 'sagemakerHf.releaseWarmPool', releaseWarmPoolCommand);
}
