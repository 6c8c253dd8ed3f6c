// Reading a spec file from disk: core/spec parses and validates text, this gives it the file's text,
// with an unreadable file reported by name (core stays free of file system access).
import { readFile } from 'node:fs/promises';
import { UserError } from '../core/errors';
import { parseSpecText, type JobSpec } from '../core/spec/spec';

export async function loadSpecFile(file: string): Promise<JobSpec> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new UserError(`cannot read spec file ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  return parseSpecText(text, file);
}
