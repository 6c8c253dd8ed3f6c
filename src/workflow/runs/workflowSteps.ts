// The five steps of a whole-workflow run (local or on SageMaker), timed and reported the same way.
import { CancelledError } from '../../core/errors';

export const NOTEBOOK_SENTENCE = 'Winter is coming and it will be dark soon.';

export type StepName = 'prepare' | 'train' | 'deploy' | 'predict' | 'delete';
const STEPS: StepName[] = ['prepare', 'train', 'deploy', 'predict', 'delete'];

export interface StepResult {
  step: StepName;
  ms: number;
  summary: string;
}

export type StepEvent = { step: StepName; phase: 'start' | 'end'; index: number; result?: StepResult };

/**
 * A runner that times each step, appends its result to `steps` and reports start and end; it refuses
 * to start a step once the signal has fired.
 */
export function stepRunner(
  steps: StepResult[],
  onStep: ((e: StepEvent) => void) | undefined,
  signal: AbortSignal | undefined,
) {
  return async <T>(name: StepName, fn: () => Promise<T>, summarize: (r: T) => string): Promise<T> => {
    if (signal?.aborted) throw new CancelledError();
    const index = STEPS.indexOf(name) + 1;
    onStep?.({ step: name, phase: 'start', index });
    const s = performance.now();
    const r = await fn();
    const result = { step: name, ms: performance.now() - s, summary: summarize(r) };
    steps.push(result);
    onStep?.({ step: name, phase: 'end', index, result });
    return r;
  };
}
