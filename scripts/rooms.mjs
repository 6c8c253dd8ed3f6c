// The size rules of the house: no folder under src/ with more than 15 source files side by side (a
// flat folder must be read whole to find anything), no source file over 500 lines. Used by `npm run lint`.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

export const MAX_FILES_PER_FOLDER = 15;
export const MAX_LINES_PER_FILE = 500;

/** Folders over the file count and files over the line count under `root` (source files: .ts). */
export function roomProblems(root) {
  const problems = [];
  const walk = (dir) => {
    const entries = readdirSync(dir);
    const sources = entries.filter((e) => e.endsWith('.ts') && statSync(join(dir, e)).isFile());
    if (sources.length > MAX_FILES_PER_FOLDER) {
      problems.push(
        `${relative('.', dir)}/ holds ${sources.length} source files side by side (at most ${MAX_FILES_PER_FOLDER}): give them feature rooms`,
      );
    }
    for (const f of sources) {
      const lines = readFileSync(join(dir, f), 'utf8').split('\n').length - 1;
      if (lines > MAX_LINES_PER_FILE)
        problems.push(`${relative('.', join(dir, f))} has ${lines} lines (at most ${MAX_LINES_PER_FILE}): split it`);
    }
    for (const e of entries) if (statSync(join(dir, e)).isDirectory()) walk(join(dir, e));
  };
  walk(root);
  return problems;
}
