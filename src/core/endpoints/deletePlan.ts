// What deleting an endpoint removes, decided before anything is deleted: the endpoint, then its
// endpoint config, then the config's models (the SDK's delete_endpoint() leaks the model). A config or
// model another endpoint still uses is kept, and so is anything we cannot tie to this endpoint: not
// tagged by this extension and not named after the endpoint (the SDK's naming) unless the user says so.
import type { Tag } from '@aws-sdk/client-sagemaker';
import { isOurs } from './deployRequests';

export type ResourceKind = 'endpoint' | 'endpointConfig' | 'model';

export interface DeleteFacts {
  /** `gone`: the endpoint is deleted already (a retry after a half-done delete); what it left is planned. */
  endpoint: { name: string; status?: string; configName?: string; gone?: boolean };
  /** undefined: the endpoint names no config; 'missing': already deleted; 'unreadable': describe failed. */
  config?:
    | { name: string; modelNames: string[]; tags?: Tag[] }
    | { name: string; state: 'missing' | 'unreadable'; error?: string };
  /** Per model name of the config: whether it exists and its tags. */
  models: Record<string, { exists: boolean; tags?: Tag[] }>;
  /** Every other endpoint of the account and region with what it uses. */
  otherEndpoints: { name: string; configName?: string; modelNames?: string[] }[];
  /** The user agreed to delete config/model without our tag. */
  includeUntagged?: boolean;
  /**
   * Only what carries our tag: for a cleanup the tool offers unasked (what a scheduled deletion left), a
   * name that matches the endpoint's is no proof the tool made it.
   */
  onlyTagged?: boolean;
}

export interface PlanStep {
  kind: ResourceKind;
  name: string;
}

export interface KeptResource extends PlanStep {
  reason: string;
  /** Kept only because it is not ours; the user may include it. */
  askable?: boolean;
}

export interface DeletePlan {
  endpoint: string;
  status?: string;
  steps: PlanStep[];
  kept: KeptResource[];
}

export const KIND_LABEL: Record<ResourceKind, string> = {
  endpoint: 'endpoint',
  endpointConfig: 'endpoint config',
  model: 'model',
};

function usersOf(
  others: DeleteFacts['otherEndpoints'],
  pick: (e: DeleteFacts['otherEndpoints'][number]) => string[],
): (name: string) => string[] {
  return (name) => others.filter((e) => pick(e).includes(name)).map((e) => e.name);
}

function listNames(names: string[]): string {
  return names.length <= 3 ? names.join(', ') : `${names.slice(0, 3).join(', ')} and ${names.length - 3} more`;
}

export function planDelete(f: DeleteFacts): DeletePlan {
  const steps: PlanStep[] = f.endpoint.gone ? [] : [{ kind: 'endpoint', name: f.endpoint.name }];
  const kept: KeptResource[] = [];
  const configUsers = usersOf(f.otherEndpoints, (e) => (e.configName ? [e.configName] : []));
  const modelUsers = usersOf(f.otherEndpoints, (e) => e.modelNames ?? []);
  const namedAfterEndpoint = (name: string) => !f.onlyTagged && name === f.endpoint.name;
  const notOurs = f.onlyTagged
    ? 'not tagged sagemaker-hf:created-by, so not offered in a cleanup of what the tool made'
    : 'not created by sagemaker-hf (no sagemaker-hf:created-by tag) and not named after the endpoint';
  const c = f.config;
  function planModels(models: string[], configName: string | undefined): void {
    for (const model of models) {
      const m = f.models[model];
      if (m && !m.exists) continue;
      const mUsers = modelUsers(model);
      if (mUsers.length)
        kept.push({ kind: 'model', name: model, reason: `still used by endpoint ${listNames(mUsers)}` });
      else if (
        !(isOurs(m?.tags) || namedAfterEndpoint(model) || (!f.onlyTagged && model === configName)) &&
        (f.onlyTagged || !f.includeUntagged)
      ) {
        kept.push({ kind: 'model', name: model, reason: notOurs, askable: !f.onlyTagged });
      } else steps.push({ kind: 'model', name: model });
    }
  }
  if (c && 'state' in c) {
    if (c.state === 'unreadable') {
      kept.push({
        kind: 'endpointConfig',
        name: c.name,
        reason: `it could not be read (${c.error ?? 'describe failed'}), so neither it nor its model can be checked`,
      });
    }
    // 'missing': already gone, and its models can no longer be identified from it.
  } else if (!c && f.endpoint.gone) {
    // No config left to read the models from: the models named after the endpoint (gathered as facts).
    planModels(Object.keys(f.models), undefined);
  } else if (c) {
    const configOurs = isOurs(c.tags) || namedAfterEndpoint(c.name);
    const users = configUsers(c.name);
    if (users.length)
      kept.push({ kind: 'endpointConfig', name: c.name, reason: `still used by endpoint ${listNames(users)}` });
    else if (!configOurs && (f.onlyTagged || !f.includeUntagged))
      kept.push({ kind: 'endpointConfig', name: c.name, reason: notOurs, askable: !f.onlyTagged });
    else steps.push({ kind: 'endpointConfig', name: c.name });
    planModels(c.modelNames, c.name);
  }
  return { endpoint: f.endpoint.name, ...(f.endpoint.status ? { status: f.endpoint.status } : {}), steps, kept };
}

/** "endpoint x, endpoint config x and model x" */
export function describeSteps(steps: PlanStep[]): string {
  const parts = steps.map((s) => `${KIND_LABEL[s.kind]} ${s.name}`);
  return parts.length <= 1
    ? (parts[0] ?? 'nothing')
    : `${parts.slice(0, -1).join(', ')} and ${parts[parts.length - 1]}`;
}

export function describeKept(kept: KeptResource[]): string[] {
  return kept.map((k) => `kept ${KIND_LABEL[k.kind]} ${k.name}: ${k.reason}`);
}

/**
 * The offer after scheduled deletions: "2 leftovers of an endpoint that deleted itself: endpoint config x
 * and model x. They cost nothing, but clutter the account."
 */
export function leftoversText(steps: PlanStep[], endpoints: number): string {
  const whose = endpoints === 1 ? 'an endpoint that deleted itself' : `${endpoints} endpoints that deleted themselves`;
  const n = steps.length;
  return `${n} leftover${n === 1 ? '' : 's'} of ${whose}: ${describeSteps(steps)}. ${n === 1 ? 'It costs' : 'They cost'} nothing, but clutter the account.`;
}
