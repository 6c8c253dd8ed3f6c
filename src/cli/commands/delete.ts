// sagemaker-hf delete: an endpoint with its config and model, planned first (what is kept and why),
// or a local endpoint process started by 'run --keep-endpoint'.
import { UserError } from '../../core/errors';
import { describeKept, describeSteps } from '../../core/endpoints/deletePlan';
import { priceOptionsFor, priceText } from '../../workflow/prices';
import { executeDeletePlan, planEndpointDelete } from '../../workflow/endpoints/deleteEndpoint';
import { listLocalEndpoints, stopLocalEndpoint } from '../../workflow/local/localEndpoint';
import { confirmed } from '../askYesNo';
import { onePositional } from '../commandOptions';
import type { CliCommand } from '../context';

export const command: CliCommand<'delete'> = {
  summary: 'delete an endpoint, its endpoint config and its model (keeps what other endpoints use)',
  usage: ['<endpoint-name | http://127.0.0.1:PORT>'],
  about: `Deletes the endpoint, then its endpoint config, then its model (waiting for the endpoint to be gone).
A config or model another endpoint still uses is kept; so is one not created by sagemaker-hf and not
named after the endpoint, unless --include-untagged. Without --yes it prints the plan and asks (and
refuses when there is no terminal).`,
  async run(args, ctx) {
    const name = onePositional(args, 'endpoint', 'give exactly one endpoint name');
    // A local endpoint (started by 'run --keep-endpoint' from this folder) is a process, not an AWS
    // resource: stopping it costs nothing and loses nothing, so it needs no confirmation.
    const matches = (e: { name: string; url: string }) =>
      e.name === name || e.url.replace(/\/+$/, '') === name.replace(/\/+$/, '');
    let staleMatch = false;
    const local = (
      await listLocalEndpoints(process.cwd(), (line, rec) => {
        ctx.stderr(line);
        if (rec && matches(rec)) staleMatch = true;
      })
    ).find(matches);
    if (staleMatch && !local) return 0;
    if (local || /^https?:\/\/(127\.0\.0\.1|localhost|\[::1\])[:/]/.test(name)) {
      const res = await stopLocalEndpoint(process.cwd(), name, (line) => ctx.stderr(line));
      if (res.stale) {
        ctx.stderr(`local endpoint ${name}: the record is stale (${res.stale}); dropped it and signalled nothing`);
        return 0;
      }
      if (!res.found)
        throw new UserError(
          `endpoint: no local endpoint ${name} is registered in ${process.cwd()}/.sagemaker-hf/endpoints.json`,
          'endpoint',
        );
      ctx.stdout(`Stopped local endpoint ${local?.name ?? name} (pid ${local?.pid ?? '?'}).`);
      return 0;
    }
    const info = await planEndpointDelete(ctx.target, name, {
      includeUntagged: args.flag('include-untagged'),
      signal: ctx.signal,
    });
    const { plan } = info;
    const cost = info.instanceType
      ? `, ${info.instanceCount ?? 1} x ${info.instanceType} now costs ${await priceText(ctx.target.region, info.instanceType, info.instanceCount || 1, 'inference', priceOptionsFor(ctx.target, { signal: ctx.signal }))}`
      : '';
    ctx.stderr(`Deletes ${describeSteps(plan.steps)} (endpoint is ${plan.status ?? 'unknown'}${cost}).`);
    for (const line of describeKept(plan.kept)) ctx.stderr(`  ${line}`);
    if (!(await confirmed(args.flag('yes'), ctx, { ask: 'Delete?', refuse: 'delete', declined: 'Nothing deleted.' })))
      return 1;
    const result = await executeDeletePlan(ctx.target, plan, {
      signal: ctx.signal,
      onProgress: (p) => ctx.stderr(p.message),
    });
    ctx.stdout(`Deleted ${describeSteps(result.deleted)}.`);
    for (const line of describeKept(result.kept)) ctx.stdout(line);
    return 0;
  },
};
