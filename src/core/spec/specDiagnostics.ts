// Problems the editor shows in a spec file beyond what the JSON Schema says, as text ranges with an
// optional quick fix (pure: the extension turns them into Diagnostics and CodeActions). Today: a
// multi-instance job without distribution, which the SDK sends as it is and only warns about.
import { parseSpecJson } from './spec';
import { distributionAdvice } from '../training/trainingValidation';

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
  fix?: SpecFix;
}

export const NO_DISTRIBUTION = 'multi-instance-without-distribution';

/** The problems of a spec's text; none while it is not valid JSON (the JSON language service says why). */
export function specProblems(text: string): SpecProblem[] {
  let parsed;
  try {
    parsed = parseSpecJson(text);
  } catch {
    return [];
  }
  const training = (parsed.value as { training?: Record<string, unknown> } | null)?.training;
  if (!training || typeof training !== 'object') return [];
  const problems: SpecProblem[] = [];
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
        ...(fix ? { fix } : {}),
      });
    }
  }
  return problems;
}
