// Problems the editor shows in a spec file beyond what the JSON Schema says, as text ranges with an
// optional quick fix (pure: the extension turns them into Diagnostics and CodeActions): the checks
// "Start training" runs before anything is created (an instance type the API refuses, a spot wait shorter
// than the runtime, Training Compiler combinations, ...), each on the field it names, so a typo shows
// while typing instead of at Start; and a multi-instance job without distribution, which the SDK sends as
// it is and only warns about.
import { parseSpecJson, validateSpec } from './spec';
import { UserError } from '../errors';
import type { PropertyLocation } from '../exactJson';
import { checkInstanceType } from '../sagemaker/apiChecks';
import { distributionAdvice, validateTraining } from '../training/trainingValidation';
import { validateTrainingOptions } from '../training/trainingOptions';

export interface SpecFix {
  title: string;
  /** Text inserted at `offset`. */
  offset: number;
  insert: string;
}

export interface SpecProblem {
  /** Offsets into the document text. */
  start: number;
  end: number;
  message: string;
  code: string;
  /** An error stops Start; a warning does not. */
  severity: 'error' | 'warning';
  fix?: SpecFix;
}

export const NO_DISTRIBUTION = 'multi-instance-without-distribution';
/** A check Start runs failed. */
export const START_CHECK = 'start-check';

/**
 * The checks Start runs on a spec, each alone so that every faulty field shows at once: the spec's own
 * checks beyond the schema, the training checks (validateTraining, validateTrainingOptions) and the deploy
 * instance type. Schema errors are left to the JSON language service (jsonValidation), which already
 * squiggles them; while the schema fails, the later checks would only repeat them.
 */
function startProblems(text: string, region: string): UserError[] {
  const errors: UserError[] = [];
  let spec;
  try {
    // A parse of its own: validation fills defaults into the value it is given.
    spec = validateSpec(parseSpecJson(text).value);
  } catch (e) {
    if (e instanceof UserError && !e.message.startsWith('invalid spec:')) errors.push(e);
    return errors;
  }
  const checks = [
    () => validateTraining(spec, region),
    () => validateTrainingOptions(spec.training),
    () => checkInstanceType(spec.deploy.instanceType, 'endpoint', 'deploy.instanceType'),
  ];
  for (const check of checks) {
    try {
      check();
    } catch (e) {
      if (e instanceof UserError) errors.push(e);
    }
  }
  return errors;
}

/** The location of `field`, or of the nearest enclosing property the text has. */
function locate(properties: Map<string, PropertyLocation>, field: string): PropertyLocation | undefined {
  for (let parts = field.split('.'); parts.length > 0; parts = parts.slice(0, -1)) {
    const at = properties.get(parts.join('.'));
    if (at) return at;
  }
  return undefined;
}

/**
 * The problems of a spec's text; none while it is not valid JSON (the JSON language service says why).
 * `region` is the one Start would use (image availability depends on it).
 */
export function specProblems(text: string, region = 'us-east-1'): SpecProblem[] {
  let parsed;
  try {
    parsed = parseSpecJson(text);
  } catch {
    return [];
  }
  const problems: SpecProblem[] = [];
  for (const e of startProblems(text, region)) {
    const field = e.field ?? '';
    const at = locate(parsed.properties, field);
    if (!at) continue;
    // The squiggle sits on the field, so the message need not repeat its name.
    const message = field && e.message.startsWith(`${field}: `) ? e.message.slice(field.length + 2) : e.message;
    problems.push({ start: at.keyStart, end: at.valueEnd, message, code: START_CHECK, severity: 'error' });
  }
  const training = (parsed.value as { training?: Record<string, unknown> } | null)?.training;
  if (!training || typeof training !== 'object') return problems;
  const count = training['instanceCount'];
  const at = parsed.properties.get('training.instanceCount');
  if (typeof count === 'number' && at) {
    const advice = distributionAdvice({
      compiler: typeof training['compiler'] === 'string' ? training['compiler'] : 'none',
      instanceCount: count,
      distribution: typeof training['distribution'] === 'string' ? training['distribution'] : undefined,
      pytorchVersion: typeof training['pytorchVersion'] === 'string' ? training['pytorchVersion'] : undefined,
    });
    if (advice) {
      const lineStart = text.lastIndexOf('\n', at.keyStart - 1) + 1;
      const indent = /^[ \t]*/.exec(text.slice(lineStart))![0];
      const fix =
        advice.suggested && training['distribution'] === undefined
          ? {
              title: `Add "distribution": "${advice.suggested}"`,
              offset: at.valueEnd,
              insert: `,\n${indent}"distribution": "${advice.suggested}"`,
            }
          : undefined;
      problems.push({
        start: at.keyStart,
        end: at.valueEnd,
        message: advice.message,
        code: NO_DISTRIBUTION,
        severity: 'warning',
        ...(fix ? { fix } : {}),
      });
    }
  }
  return problems;
}
