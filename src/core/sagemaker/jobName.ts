// Training job names as the SageMaker Python SDK makes them (sagemaker.utils.name_from_base): the base
// cut to 63 - 24 = 39 characters, "-", and the UTC time with milliseconds. A new name on every start.
import { UserError } from '../errors';

export const JOB_NAME_MAX = 63;
/** The API's pattern for TrainingJobName (botocore model). */
export const JOB_NAME_PATTERN = /^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$/;

/** sagemaker_timestamp(): UTC "YYYY-MM-DD-HH-MM-SS-mmm". */
export function sagemakerTimestamp(now: Date): string {
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  // Python takes the first 3 characters after the dot of repr(time.time()), which on rare whole-ish
  // times has fewer digits; we always write 3 (same length, same order).
  return `${now.getUTCFullYear()}-${p(now.getUTCMonth() + 1)}-${p(now.getUTCDate())}-${p(now.getUTCHours())}-${p(now.getUTCMinutes())}-${p(now.getUTCSeconds())}-${p(now.getUTCMilliseconds(), 3)}`;
}

/** name_from_base(base, max_length=63). */
export function nameFromBase(base: string, now: Date, maxLength = JOB_NAME_MAX): string {
  const ts = sagemakerTimestamp(now);
  return `${base.slice(0, maxLength - ts.length - 1)}-${ts}`;
}

/** Checks a name against the API's rules (the SDK does not; the API would refuse it after the upload). */
export function checkJobName(name: string, field = 'training.baseJobName'): void {
  if (name.length < 1 || name.length > JOB_NAME_MAX || !JOB_NAME_PATTERN.test(name)) {
    throw new UserError(
      `${field}: the job name '${name}' is not valid for SageMaker: use 1-63 letters, digits and hyphens, starting and ending with a letter or digit (no '/', '_' or '.')`,
      field,
    );
  }
}

const NAME_STAMP = /^(.+)-(\d{4})-(\d{2})-(\d{2})-(\d{2})-(\d{2})-(\d{2})-(\d{3})$/;

/** A name made by nameFromBase split into its base and its UTC time ("12-07 21:30:12"); undefined otherwise. */
export function splitJobName(name: string): { base: string; time: string; utc: string } | undefined {
  const m = NAME_STAMP.exec(name);
  if (!m) return undefined;
  const [, base, y, mo, d, h, mi, s] = m;
  return { base: base!, time: `${mo}-${d} ${h}:${mi}:${s}`, utc: `${y}-${mo}-${d} ${h}:${mi}:${s} UTC` };
}

/**
 * A job row's label and description. Names from one spec share their base and differ only in the time at
 * their end, which a narrow side bar cuts off ("local-bert-tiny..."): such a row is labelled with that time
 * and its description starts with the status, then the base. A name without the time keeps it as label.
 */
export function jobRowText(jobName: string, status: string, details: string[]): { label: string; description: string } {
  const split = splitJobName(jobName);
  if (!split) return { label: jobName, description: [status, ...details].join(' · ') };
  return { label: split.time, description: [status, split.base, ...details].join(' · ') };
}
