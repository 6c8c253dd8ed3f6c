"""Prints the environment the SageMaker training toolkit gives the entry point for a job folder's
input/config (hyperparameters.json, inputdataconfig.json, resourceconfig.json), computed by the toolkit's
own Environment().to_env_vars() from its source: the table test/fixtures/toolkit-environment.json that
test/unit/containerContract.test.ts and test/python/test_train.py check the local target against.

Usage: python toolkit_env.py JOB_DIR TOOLKIT_SRC > test/fixtures/toolkit-environment.json
  JOB_DIR      a local job folder (.sagemaker-hf/jobs/<job>, written by `sagemaker-hf run --target local`)
  TOOLKIT_SRC  the src/ folder of github.com/aws/sagemaker-training-toolkit (e.g. `git archive HEAD src`)
Paths are written as the container has them (/opt/ml/...); the machine's CPU and GPU counts as 8 and 1.
boto3 is only read by the toolkit when the job has no sagemaker_region: a stand-in is used if it is missing.
"""
import json
import os
import sys
import types


def main(job_dir, toolkit_src):
    job_dir = os.path.abspath(job_dir)
    sys.path.insert(0, toolkit_src)
    try:
        import boto3  # noqa: F401
    except ImportError:
        boto3 = types.ModuleType("boto3")
        boto3.session = types.SimpleNamespace(Session=lambda: types.SimpleNamespace(region_name=None))
        sys.modules["boto3"] = boto3
    with open(os.path.join(job_dir, "job.json")) as f:
        job = json.load(f)
    os.environ["SAGEMAKER_BASE_DIR"] = job_dir
    os.environ["TRAINING_JOB_NAME"] = job["jobName"]
    # What the Hugging Face PyTorch training images set.
    os.environ["SAGEMAKER_TRAINING_MODULE"] = "sagemaker_pytorch_container.training:main"
    from sagemaker_training import environment

    environment.num_cpus = lambda: 8
    environment.num_gpus = lambda: 1
    env = environment.Environment()
    out = env.to_env_vars()
    for k in ("SAGEMAKER_JOB_NAME", "CURRENT_HOST", "SAGEMAKER_REGION", "TRAINING_JOB_NAME"):
        out[k] = os.environ[k]
    text = json.dumps(out, sort_keys=True).replace(job_dir, "/opt/ml").replace(job["jobName"], "JOB")
    with open(os.path.join(job_dir, "input", "config", "hyperparameters.json")) as f:
        hps = f.read().replace(job["jobName"], "JOB")
    json.dump({"about": "the SageMaker training toolkit's Environment().to_env_vars() for a Training Compiler "
                        "job of the local emotion spec (test/tools/toolkit_env.py)",
               "hyperparameters": json.loads(hps), "env": json.loads(text)}, sys.stdout, indent=1, sort_keys=True)
    sys.stdout.write("\n")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2])
