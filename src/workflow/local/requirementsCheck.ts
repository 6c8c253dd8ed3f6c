// The container runs `pip install -r requirements.txt` from sourceDir before the script; locally nothing
// installs it, so a missing or too old package would only show in the cloud. This asks the chosen Python,
// in one subprocess and without installing anything, which lines of the file it does not satisfy.
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { runCollect } from './processGroup';

// importlib.metadata for the installed versions; `packaging` (which pip vendors and most environments
// have) for the specifiers, else only presence is checked. Lines pip reads but are not requirements
// (-r, --index-url, URLs, editable installs) are skipped.
const PROBE = `
import json, re, sys
from importlib import metadata
try:
    from packaging.requirements import Requirement
except ImportError:
    Requirement = None
out = []
for raw in open(sys.argv[1], encoding="utf-8"):
    line = raw.split(" #")[0].strip()
    if not line or line.startswith(("#", "-", "git+", "http:", "https:", "file:")):
        continue
    if Requirement:
        try:
            req = Requirement(line)
        except Exception:
            continue
        if req.marker is not None and not req.marker.evaluate():
            continue
        name, spec = req.name, req.specifier
    else:
        name, spec = re.split(r"[<>=!~;\\[ ]", line, 1)[0], None
    try:
        have = metadata.version(name)
    except metadata.PackageNotFoundError:
        out.append("%s (not installed)" % line)
        continue
    if spec is not None and not spec.contains(have, prereleases=True):
        out.append("%s (has %s)" % (line, have))
print(json.dumps(out))
`;

/** Unsatisfied lines of sourceDir/requirements.txt ("pkg>=2 (has 1.0)"); [] when none or no file. */
export async function unsatisfiedRequirements(
  python: string,
  sourceDir: string,
  signal?: AbortSignal,
): Promise<string[]> {
  const file = path.join(sourceDir, 'requirements.txt');
  if (!existsSync(file)) return [];
  const r = await runCollect(python, ['-c', PROBE, file], { signal, timeoutMs: 30_000 });
  if (r.code !== 0) return [`could not be checked (${r.stderr.trim().split('\n').at(-1) ?? `exit ${r.code}`})`];
  try {
    return JSON.parse(r.stdout.trim().split('\n').at(-1) ?? '[]') as string[];
  } catch {
    return [];
  }
}
