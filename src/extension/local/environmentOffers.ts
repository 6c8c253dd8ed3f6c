// Before a local run: the chosen Python against what the SageMaker container would have. The container
// pip-installs sourceDir/requirements.txt before the script: what this Python lacks is offered for install,
// into the extension's own environment only unless the user picks their own Python explicitly. The spec's
// transformers/torch: where pip can install them on this Python, an environment with them is offered (and
// used by later runs once made); where it cannot, the reason is said and the run goes on.
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { CancelledError } from '../../core/errors';
import type { JobSpec } from '../../core/spec/spec';
import { requirementsAdvice, versionDifferences, versionsOffer } from '../../core/training/localDifferences';
import { checkPython, createVenv, describeSource, venvPython, type PythonCheck } from '../../workflow/local/pythonEnv';
import { installRequirements, probeVersions, unsatisfiedRequirements } from '../../workflow/local/requirementsCheck';
import type { Services } from '../services';

export interface EnvironmentPlaces {
  /** The extension's own environment (Create Local Python Environment makes it). */
  ownVenv: string;
  /** Environments with a spec's library versions, one folder per pair of versions. */
  venvsDir: string;
  /** training-scripts/ of the extension: its requirements.txt is what train.py and serve.py need. */
  scriptsDir: string;
  /** Notices already shown in this window (a reason pip cannot install a version is said once). */
  said: Set<string>;
  /** Progress of the run that waits on this. */
  report?: (message: string) => void;
}

export const INSTALL = 'Install';
export const USE_OWN = "Use the Extension's Environment";
export const INSTALL_THEIRS = 'Install into This Python';
export const TRAIN_WITHOUT = 'Train Without';
export const CREATE_VERSIONS_ENV = 'Create Environment';

const pipLine = (services: Services, places: EnvironmentPlaces) => (l: string) => {
  services.log.info(`[pip] ${l}`);
  if (l.trim()) places.report?.(l.slice(0, 120));
};

/**
 * The spec's library versions: an environment made earlier with them is used; else, where pip can
 * install them, one is offered (made in the background for the next runs); else the reason is said.
 */
export async function specVersionsEnvironment(
  services: Services,
  places: EnvironmentPlaces,
  spec: JobSpec,
  py: PythonCheck,
  signal: AbortSignal,
): Promise<PythonCheck> {
  const diffs = versionDifferences(spec, py.packages);
  if (!diffs.length) return py;
  places.report?.(`asking pip whether the spec's ${diffs.map((d) => `${d.pkg} ${d.want}`).join(', ')} install here`);
  const offer = versionsOffer(diffs, await probeVersions(py.python, diffs, { signal }), py.version)!;
  services.log.info(`local Python versions: ${offer.line}`);
  if (!offer.pins || !offer.envName) {
    if (!places.said.has(offer.line)) {
      places.said.add(offer.line);
      void services.ui.showWarningMessage(`Local training: ${offer.line}.`);
    }
    return py;
  }
  const venvDir = path.join(places.venvsDir, offer.envName);
  const existing = existsSync(venvPython(venvDir))
    ? await checkPython({ python: venvPython(venvDir), source: 'venv' }, signal)
    : undefined;
  if (existing && !existing.missing.length && !versionDifferences(spec, existing.packages).length) {
    services.log.info(`local Python: ${existing.python}, the environment with the spec's ${offer.pins.join(', ')}`);
    return existing;
  }
  const pins = offer.pins;
  void services.ui
    .showInformationMessage(
      `Local training: ${offer.line}. This run goes on with this Python; create the environment for the next runs?`,
      CREATE_VERSIONS_ENV,
    )
    .then(async (choice) => {
      if (choice !== CREATE_VERSIONS_ENV) return;
      const reqs = path.join(spec.training.sourceDir, 'requirements.txt');
      try {
        await services.ui.withProgress(
          {
            location: vscode.ProgressLocation.Notification,
            title: `Creating an environment with ${pins.join(', ')}`,
            cancellable: true,
          },
          (_progress, token) => {
            const ctl = new AbortController();
            token.onCancellationRequested(() => ctl.abort());
            return createVenv({
              venvDir,
              requirements: path.join(places.scriptsDir, 'requirements.txt'),
              extraArgs: [...(existsSync(reqs) ? ['-r', reqs] : []), ...pins],
              basePython: py.python,
              signal: ctl.signal,
              onLine: (l) => services.log.info(`[pip] ${l}`),
            });
          },
        );
        void services.ui.showInformationMessage(
          `Environment with ${pins.join(', ')} ready (${venvDir}): the next local run of this spec trains in it.`,
        );
      } catch (err) {
        if (!(err instanceof CancelledError))
          void services.ui.showErrorMessage(`Creating the environment failed: ${(err as Error).message}`);
      }
    });
  return py;
}

/**
 * sourceDir/requirements.txt against the Python: asks (modal, as the script would likely fail without)
 * whether to install what is missing. Into the extension's own environment at a word; into the user's
 * own Python only when they pick that button, which names it, with the exact command in the detail.
 * Escape cancels the run.
 */
export async function requirementsEnvironment(
  services: Services,
  places: EnvironmentPlaces,
  spec: JobSpec,
  py: PythonCheck,
  signal: AbortSignal,
): Promise<PythonCheck> {
  const file = path.join(spec.training.sourceDir, 'requirements.txt');
  const unmet = await unsatisfiedRequirements(py.python, spec.training.sourceDir, signal);
  if (!unmet.length || unmet[0]!.startsWith('could not be checked')) return py;
  const advice = requirementsAdvice({ python: py.python, file, unmet, ownEnvironment: py.source === 'venv' });
  const lacks = `${py.python} lacks ${unmet.join(', ')} of ${file}, which the SageMaker container pip-installs before the script.`;
  const onLine = pipLine(services, places);
  if (advice.installHere) {
    const choice = await services.ui.showWarningMessage(
      `${lacks} Install into the extension's environment?`,
      { modal: true, detail: advice.command },
      INSTALL,
      TRAIN_WITHOUT,
    );
    if (choice === undefined) throw new CancelledError();
    if (choice === INSTALL) await installRequirements(py.python, file, { signal, onLine });
    return py;
  }
  const choice = await services.ui.showWarningMessage(
    `${lacks} It is your Python (${describeSource(py.source)}): nothing is installed into it unless you choose so.`,
    {
      modal: true,
      detail: `${USE_OWN}: installs into ${places.ownVenv} (made from training-scripts/requirements.txt if missing) and trains there. ${INSTALL_THEIRS}: ${advice.command}`,
    },
    USE_OWN,
    INSTALL_THEIRS,
    TRAIN_WITHOUT,
  );
  if (choice === undefined) throw new CancelledError();
  if (choice === TRAIN_WITHOUT) return py;
  if (choice === INSTALL_THEIRS) {
    await installRequirements(py.python, file, { signal, onLine });
    return py;
  }
  const own = existsSync(venvPython(places.ownVenv))
    ? await checkPython({ python: venvPython(places.ownVenv), source: 'venv' }, signal)
    : undefined;
  if (own && !own.missing.length) {
    await installRequirements(own.python, file, { signal, onLine });
    return own;
  }
  return createVenv({
    venvDir: places.ownVenv,
    requirements: path.join(places.scriptsDir, 'requirements.txt'),
    extraArgs: ['-r', file],
    basePython: py.python,
    signal,
    onLine,
  });
}
