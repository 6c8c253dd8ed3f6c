// The options of a local run (train/run --target local): the interpreter, the job folder, the spot
// rehearsal and the environment checks. Apart from commandOptions.ts so that file stays readable; spread
// into its OPTIONS, whose `as const` keeps every name typed.
export const LOCAL_TRAINING_OPTIONS = [
  {
    name: 'interrupt-after',
    type: 'number',
    value: 'SECONDS',
    description:
      '(train --target local) rehearse a spot interruption: SIGTERM to the script after SECONDS, as SageMaker sends when it reclaims a spot instance, up to 120 s to exit, then a restart with the checkpoints kept; says whether it resumed',
    rule: { min: 0.1, max: 86_400 },
    commands: ['train'],
  },
  {
    name: 'install-requirements',
    type: 'boolean',
    description:
      "(train/run --target local) pip-install what the Python lacks of sourceDir/requirements.txt, as the container does before the script; only into the tool's own environment (DIR/.sagemaker-hf/venv), never into your own Python",
    commands: ['run', 'train'],
  },
  {
    name: 'spec-versions',
    type: 'boolean',
    description:
      "(train/run --target local) when the Python's transformers/torch differ from the spec's and pip can install the spec's on it: train in an environment with them (created once under DIR/.sagemaker-hf/venvs/)",
    commands: ['run', 'train'],
  },
  {
    name: 'python',
    type: 'string',
    value: 'PATH',
    description:
      '(local) the interpreter (default: training.pythonPath, DIR/.sagemaker-hf/venv, python3 on PATH); it needs torch, transformers and datasets (pip install -r training-scripts/requirements.txt)',
    commands: ['run', 'train'],
  },
  {
    name: 'workdir',
    type: 'string',
    value: 'DIR',
    description: 'jobs and datasets go under DIR/.sagemaker-hf/ (default: the current folder)',
    commands: ['run', 'train'],
  },
] as const;
