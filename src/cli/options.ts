// Command-line options as data: one declaration (name, type, description, default) drives node's
// parseArgs, the numeric checks and the help text, so a flag cannot be parsed one way and documented
// another. Numeric values are checked in one place: "--poll-seconds abc" must be an error naming the
// option, never NaN (which made the poll loop spin without pause).
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UserError } from '../core/errors';

export interface NumberRule {
  /** Whole numbers only (counts). */
  integer?: boolean;
  /** Plain digits as typed: no sign, no surrounding spaces (sizes and counts that never were signed). */
  digits?: boolean;
  min?: number;
  max?: number;
  /** What the error says was expected, where the generic "is not a whole number" would say too little. */
  expected?: string;
}

/** The option's value as a number, or `fallback` when absent; a UserError naming --name otherwise. */
export function numberOption(
  values: Record<string, unknown>,
  name: string,
  fallback: number,
  rule?: NumberRule,
): number;
export function numberOption(
  values: Record<string, unknown>,
  name: string,
  fallback: number | undefined,
  rule?: NumberRule,
): number | undefined;
export function numberOption(
  values: Record<string, unknown>,
  name: string,
  fallback: number | undefined,
  rule: NumberRule = {},
): number | undefined {
  const raw = values[name];
  if (raw === undefined) return fallback;
  const text = rule.digits ? String(raw) : String(raw).trim();
  const kind = rule.integer ? 'a whole number' : 'a number';
  const range =
    rule.min !== undefined && rule.max !== undefined
      ? ` from ${rule.min} to ${rule.max}`
      : rule.min !== undefined
        ? ` of at least ${rule.min}`
        : rule.max !== undefined
          ? ` of at most ${rule.max}`
          : '';
  const fail = () =>
    new UserError(
      rule.expected
        ? `--${name}: expected ${rule.expected}, got '${text}'`
        : `--${name}: '${text}' is not ${kind}${range}`,
      name,
    );
  // Number('') is 0 and Number('0x10') is 16: only plain decimals are accepted.
  if (!(rule.digits ? /^\d+$/ : rule.integer ? /^[+-]?\d+$/ : /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/).test(text))
    throw fail();
  const n = Number(text);
  if (!Number.isFinite(n) || (rule.min !== undefined && n < rule.min) || (rule.max !== undefined && n > rule.max))
    throw fail();
  return n;
}

/** How a flag is written: a switch, a value, a checked number, or a value that may be given several times. */
type OptionType = 'boolean' | 'string' | 'number' | 'repeatable';

export interface OptionDecl<Command extends string = string> {
  name: string;
  type: OptionType;
  short?: string;
  /** The value's placeholder in help (N, DIR, ARN); switches have none. */
  value?: string;
  description: string;
  /** Used when the flag is absent, and shown in help. */
  default?: string | number;
  /** Numbers only: what counts as a valid value. */
  rule?: NumberRule;
  /** The commands that accept it; 'all' for the global options. */
  commands: 'all' | readonly Command[];
}

export interface ParsedOptions {
  /** As parseArgs gives them: only what was typed, no defaults (so "was it given?" stays answerable). */
  values: Record<string, string | boolean | string[] | undefined>;
  positionals: string[];
}

/** The parseArgs configuration the declarations stand for (numbers are strings until checked). */
function parseArgsConfig(decls: readonly OptionDecl[]): NonNullable<ParseArgsConfig['options']> {
  const config: NonNullable<ParseArgsConfig['options']> = {};
  for (const d of decls)
    config[d.name] = {
      type: d.type === 'boolean' ? 'boolean' : 'string',
      ...(d.type === 'repeatable' ? { multiple: true } : {}),
      ...(d.short ? { short: d.short } : {}),
    };
  return config;
}

/** parseArgs over the declared options, refusing any other flag; its errors become one-line UserErrors. */
export function parseOptions(decls: readonly OptionDecl[], argv: string[]): ParsedOptions {
  try {
    const { values, positionals } = parseArgs({
      args: argv,
      options: parseArgsConfig(decls),
      allowPositionals: true,
      strict: true,
    });
    return { values: values as ParsedOptions['values'], positionals };
  } catch (err) {
    throw new UserError((err as Error).message.split('\n')[0] ?? String(err));
  }
}

/** A declared option's value: the number checked against its rule, a string or switch with its default applied. */
export function optionValue(
  decl: OptionDecl,
  values: ParsedOptions['values'],
): string | number | boolean | string[] | undefined {
  if (decl.type === 'number') return numberOption(values, decl.name, decl.default as number | undefined, decl.rule);
  const v = values[decl.name];
  if (decl.type === 'boolean') return !!v;
  return v ?? (decl.type === 'string' ? (decl.default as string | undefined) : undefined);
}

function optionHead(d: OptionDecl): string {
  return `${d.short ? `-${d.short}, ` : '    '}--${d.name}${d.value ? ` ${d.value}` : ''}${d.type === 'repeatable' ? ' (repeatable)' : ''}`;
}

/** Where the descriptions start: after the longest flag, but a very long one does not push every line right. */
export function optionColumn(decls: readonly OptionDecl[]): number {
  return Math.min(Math.max(0, ...decls.map((d) => optionHead(d).length)) + 2, 32);
}

/** "  -y, --yes          description (default …)", one line per option, the descriptions in one column. */
export function optionLines(decls: readonly OptionDecl[], width = optionColumn(decls)): string[] {
  return decls.map((d) => {
    const head = optionHead(d);
    const dflt = d.default !== undefined ? ` (default ${d.default})` : '';
    return `  ${head.length + 2 > width ? `${head}  ` : head.padEnd(width)}${d.description}${dflt}`;
  });
}
