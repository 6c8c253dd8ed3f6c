// Secrets never reach a message, log line, output channel or webview, wherever the text came from (an
// AWS error may echo the request it refused, container environment and all). Every secret the tool
// learns (Hugging Face token, AWS secret key and session token) is remembered here, and each sink
// passes its text through redactSecrets; shapes that are secrets whoever holds them (hf_ tokens,
// signed URL parameters, access key ids) are redacted even when not remembered.

// On globalThis: the extension bundles this module twice (its activation shell and the heavy bundle),
// and a secret either copy learns must be redacted by both.
const KEY = Symbol.for('sagemaker-hf.secrets');
const known: Set<string> = ((globalThis as Record<symbol, Set<string> | undefined>)[KEY] ??= new Set<string>());

/** Secrets shorter than this are not matched by value: they would redact ordinary words. */
const MIN_LENGTH = 8;

export const SECRET_MASK = '<redacted>';

/** Remembers a secret so that every later redactSecrets hides it. */
export function rememberSecret(value: string | undefined | null): void {
  const v = value?.trim();
  if (v && v.length >= MIN_LENGTH) known.add(v);
}

/** Remembers the secrets the environment holds (HF_TOKEN, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN, …). */
export function rememberEnvironmentSecrets(env: Record<string, string | undefined>): void {
  for (const k of ['HF_TOKEN', 'HUGGING_FACE_HUB_TOKEN', 'HF_API_TOKEN', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN'])
    rememberSecret(env[k]);
}

const SHAPES: [RegExp, string][] = [
  [/X-Amz-(Signature|Credential|Security-Token)=[^&\s"']+/gi, `X-Amz-$1=${SECRET_MASK}`],
  [/\b(AKIA|ASIA)[A-Z0-9]{16}\b/g, `$1${SECRET_MASK}`],
  [/\bhf_[A-Za-z0-9]{20,}\b/g, `hf_${SECRET_MASK}`],
  [
    /("?(?:HF_TOKEN|HUGGING_FACE_HUB_TOKEN|AWS_SECRET_ACCESS_KEY|AWS_SESSION_TOKEN)"?\s*[:=]\s*"?)[^"\s,}&]+/g,
    `$1${SECRET_MASK}`,
  ],
];

/** The text with every remembered secret and every secret-shaped string replaced by a mask. */
export function redactSecrets(text: string): string {
  let out = text;
  for (const s of known) if (out.includes(s)) out = out.split(s).join(SECRET_MASK);
  for (const [re, to] of SHAPES) out = out.replace(re, to);
  return out;
}
