"""Every request the CLI builds passes the SageMaker API model's own constraints.

moto accepts almost anything (any instance type, any image, any role), so a request that AWS would refuse
can pass every other test. Here the requests come from the built CLI's --dry-run JSON (train: offline;
deploy: against a moto_server holding the training job) and are checked against botocore's service model
for SageMaker: required members, unknown members, types, enums, lengths, ranges and patterns.
"""

import json
import os
import re
import socket
import subprocess
import time
import urllib.request

import botocore.session
import pytest

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
CLI = os.path.join(REPO, "dist", "cli.js")
EXAMPLES = os.path.join(REPO, "examples")
ACCOUNT = "111122223333"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/SageMakerRole"
MODEL = botocore.session.get_session().get_service_model("sagemaker")


def _pattern(p):
    # The model's patterns are Java regexes; Python's re lacks \p{...}. \w / \d / \s are the nearest
    # classes (slightly wider), which is enough to catch a value AWS refuses for its ASCII rules.
    return re.compile(p.replace(r"\p{L}", r"\w").replace(r"\p{N}", r"\d").replace(r"\p{Z}", r"\s"))


def violations(shape, value, path="request"):
    """Every way `value` breaks `shape` (empty when it is valid)."""
    out = []
    meta = shape.metadata
    t = shape.type_name
    if t == "structure":
        if not isinstance(value, dict):
            return [f"{path}: expected an object, got {type(value).__name__}"]
        for name in shape.required_members:
            if name not in value:
                out.append(f"{path}.{name}: required member missing")
        for name, v in value.items():
            if name not in shape.members:
                out.append(f"{path}.{name}: not a member of {shape.name}")
            else:
                out += violations(shape.members[name], v, f"{path}.{name}")
    elif t == "list":
        if not isinstance(value, list):
            return [f"{path}: expected a list"]
        if "min" in meta and len(value) < meta["min"]:
            out.append(f"{path}: {len(value)} items < min {meta['min']}")
        if "max" in meta and len(value) > meta["max"]:
            out.append(f"{path}: {len(value)} items > max {meta['max']}")
        for i, v in enumerate(value):
            out += violations(shape.member, v, f"{path}[{i}]")
    elif t == "map":
        if not isinstance(value, dict):
            return [f"{path}: expected a map"]
        if "min" in meta and len(value) < meta["min"]:
            out.append(f"{path}: {len(value)} entries < min {meta['min']}")
        if "max" in meta and len(value) > meta["max"]:
            out.append(f"{path}: {len(value)} entries > max {meta['max']}")
        for k, v in value.items():
            out += violations(shape.key, k, f"{path} key {k!r}")
            out += violations(shape.value, v, f"{path}[{k!r}]")
    elif t == "string":
        if not isinstance(value, str):
            return [f"{path}: expected a string, got {type(value).__name__}"]
        if "min" in meta and len(value) < meta["min"]:
            out.append(f"{path}: length {len(value)} < min {meta['min']}")
        if "max" in meta and len(value) > meta["max"]:
            out.append(f"{path}: length {len(value)} > max {meta['max']}")
        if shape.enum and value not in shape.enum:
            out.append(f"{path}: {value!r} is not one of the {len(shape.enum)} allowed values of {shape.name}")
        if "pattern" in meta and not _pattern(meta["pattern"]).fullmatch(value):
            out.append(f"{path}: {value!r} does not match {shape.name}'s pattern {meta['pattern']}")
    elif t in ("integer", "long"):
        if not isinstance(value, int) or isinstance(value, bool):
            return [f"{path}: expected an integer"]
        if "min" in meta and value < meta["min"]:
            out.append(f"{path}: {value} < min {meta['min']}")
        if "max" in meta and value > meta["max"]:
            out.append(f"{path}: {value} > max {meta['max']}")
    elif t in ("float", "double"):
        if not isinstance(value, (int, float)) or isinstance(value, bool):
            out.append(f"{path}: expected a number")
    elif t == "boolean":
        if not isinstance(value, bool):
            out.append(f"{path}: expected a boolean")
    return out


def check(operation, request):
    problems = violations(MODEL.operation_model(operation).input_shape, request)
    assert problems == [], f"{operation}: " + "; ".join(problems)


def test_the_checker_catches_what_moto_lets_through():
    good = {"ModelName": "m", "ExecutionRoleArn": ROLE, "PrimaryContainer": {"Image": "i:t"}}
    assert violations(MODEL.operation_model("CreateModel").input_shape, good) == []
    bad = {"ModelName": "bad_name", "ExecutionRoleArn": "not a role!", "PrimaryContainer": {"Image": "i t"}, "Extra": 1}
    found = "\n".join(violations(MODEL.operation_model("CreateModel").input_shape, bad))
    for what in ("ModelName", "ExecutionRoleArn", "Image", "Extra: not a member"):
        assert what in found
    cfg = {"EndpointConfigName": "c", "ProductionVariants": [{"VariantName": "AllTraffic", "ModelName": "m", "InstanceType": "ml.bogus.huge"}]}
    assert "not one of the" in "\n".join(violations(MODEL.operation_model("CreateEndpointConfig").input_shape, cfg))


# ---- train: the example spec and the variants the unit tests build ----------------------------------------

def _example():
    with open(os.path.join(EXAMPLES, "emotion.sagemaker-hf.json"), encoding="utf-8") as f:
        return json.load(f)


def _torch_compile(t, versions=None):
    t["compiler"] = "torch-compile"
    for k in ("transformersVersion", "pytorchVersion", "pyVersion"):
        t.pop(k, None)
    if versions:
        t["transformersVersion"], t["pytorchVersion"] = versions
    t["instanceType"] = "ml.g5.xlarge"


def _set(**kw):
    return lambda t: t.update(kw)


VARIANTS = {
    "notebook": (lambda t: None, "us-east-1"),
    "notebook-af-south-1": (_set(transformersVersion="4.17.0", pytorchVersion="1.10.2"), "af-south-1"),
    "compiler-short-versions": (_set(transformersVersion="4.17", pytorchVersion="1.10"), "us-east-1"),
    "compiler-4.21.1-g5": (_set(transformersVersion="4.21.1", pytorchVersion="1.11.0", instanceType="ml.g5.2xlarge"), "eu-west-1"),
    "compiler-pytorchxla-p4d": (_set(transformersVersion="4.21.1", pytorchVersion="1.11.0", instanceType="ml.p4d.24xlarge", instanceCount=2, distribution="pytorchxla"), "us-west-2"),
    "compiler-multi-without-distribution": (_set(transformersVersion="4.21.1", pytorchVersion="1.11.0", instanceType="ml.p4d.24xlarge", instanceCount=2), "us-west-2"),
    "compiler-debug": (_set(compilerDebug=True), "us-east-1"),
    "debugger-and-profiler-on": (_set(disableProfiler=False, debuggerHookConfig=True), "us-east-1"),
    "torch-compile-default": (lambda t: _torch_compile(t), "us-east-1"),
    "torch-compile-cn-north-1": (lambda t: _torch_compile(t), "cn-north-1"),
    "torch-compile-5.3.0": (lambda t: _torch_compile(t, ("5.3.0", "2.9.0")), "us-west-2"),
    "torch-distributed": (lambda t: (_torch_compile(t), t.update(instanceType="ml.g5.12xlarge", instanceCount=2, distribution="torch_distributed")), "us-east-1"),
    "long-base-job-name": (_set(baseJobName="a-very-long-base-job-name-for-the-emotion-experiment-with-bert-and-more-words"), "us-east-1"),
    "no-base-job-name": (lambda t: t.pop("baseJobName"), "us-east-1"),
    "role-name": (_set(role="SageMakerRole"), "us-east-1"),
}

# Hyperparameters of every JSON type, written as text so that their Python meaning is what is checked.
EVERY_TYPE = (
    '{"epochs": 4, "learning_rate": 3e-5, "warmup": 100.0, "big": 100000000000000000000, "neg_zero": -0.0, '
    '"huge": 1e400, "fp16": true, "none": null, "model_id": "bert-base-uncased", "unicode": "caf\\u00e9 \\ud83d\\ude00", '
    '"labels": ["sadness", "joy"], "id2label": {"1": "joy", "0": "sadness"}, "nested": {"a": [1, {"b": [2.5, false]}]}}'
)


def _write_spec(tmp_path, name, edit, hyperparameters_text=None):
    raw = _example()
    raw.pop("$schema", None)
    raw["training"]["sourceDir"] = os.path.join(REPO, "training-scripts")
    edit(raw["training"])
    text = json.dumps(raw, indent=2)
    if hyperparameters_text:
        text = re.sub(r'"hyperparameters": \{[^}]*\}', lambda _m: f'"hyperparameters": {hyperparameters_text}', text)
    path = tmp_path / f"{name}.sagemaker-hf.json"
    path.write_text(text, encoding="utf-8")
    return str(path)


def _dry_run_train(spec, region, env=None):
    r = subprocess.run(
        ["node", CLI, "train", spec, "--dry-run", "--account", ACCOUNT, "--role", ROLE, "--region", region],
        capture_output=True, text=True, timeout=120,
        # No AWS call may happen: an endpoint nobody listens on makes one fail loudly.
        env={**os.environ, "AWS_ENDPOINT_URL": "http://127.0.0.1:9", **(env or {})},
    )
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


@pytest.mark.parametrize("name", sorted(VARIANTS))
def test_create_training_job_requests_pass_the_api_model(tmp_path, name):
    edit, region = VARIANTS[name]
    request = _dry_run_train(_write_spec(tmp_path, name, edit), region)
    check("CreateTrainingJob", request)


def test_hyperparameters_of_every_json_type_and_a_local_model_pass(tmp_path):
    model = tmp_path / "my-local-bert"
    model.mkdir()
    (model / "config.json").write_text("{}", encoding="utf-8")
    hps = EVERY_TYPE[:-1] + f', "model_id": {json.dumps(str(model))}}}'
    hps = hps.replace('"model_id": "bert-base-uncased", ', "")
    request = _dry_run_train(_write_spec(tmp_path, "every-type", lambda t: None, hps), "us-east-1")
    check("CreateTrainingJob", request)
    hp = request["HyperParameters"]
    assert hp["big"] == "100000000000000000000" and hp["warmup"] == "100.0" and hp["huge"] == "Infinity"
    assert hp["id2label"] == '{"1": "joy", "0": "sadness"}'
    assert hp["model_id"] == '"/opt/ml/input/data/model"'
    assert str(tmp_path) not in json.dumps(request)


# ---- deploy: CreateModel / CreateEndpointConfig / CreateEndpoint for a job moto holds ----------------------

def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def moto():
    port = _free_port()
    proc = subprocess.Popen([os.environ.get("MOTO_SERVER", "moto_server"), "-H", "127.0.0.1", "-p", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    for _ in range(200):
        try:
            urllib.request.urlopen(url + "/moto-api/", timeout=1)
            break
        except OSError:
            time.sleep(0.1)
    env = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_ENDPOINT_URL": url, "AWS_REGION": "us-east-1"}
    yield url, env
    proc.terminate()
    proc.wait(timeout=10)


DEPLOY_VARIANTS = {
    "notebook-gpu": ("notebook", ["--instance-type", "ml.g4dn.xlarge"]),
    "notebook-cpu-2": ("notebook", ["--instance-type", "ml.m5.xlarge", "--count", "2"]),
    "short-versions": ("compiler-short-versions", []),
    "compiler-4.21.1": ("compiler-4.21.1-g5", ["--endpoint-name", "emotion-endpoint"]),
    "torch-compile-default": ("torch-compile-default", ["--instance-type", "ml.g5.xlarge"]),
}


@pytest.mark.parametrize("name", sorted(DEPLOY_VARIANTS))
def test_deploy_requests_pass_the_api_model(tmp_path, moto, name):
    url, env = moto
    variant, args = DEPLOY_VARIANTS[name]
    edit, _region = VARIANTS[variant]
    request = _dry_run_train(_write_spec(tmp_path, variant, edit), "us-east-1")
    request["RoleArn"] = f"arn:aws:iam::123456789012:role/SageMakerRole"
    client = botocore.session.get_session().create_client(
        "sagemaker", region_name="us-east-1", endpoint_url=url, aws_access_key_id="testing", aws_secret_access_key="testing")
    client.create_training_job(**request)
    r = subprocess.run(["node", CLI, "deploy", request["TrainingJobName"], "--dry-run", *args],
                       capture_output=True, text=True, timeout=120, env={**os.environ, **env})
    assert r.returncode == 0, r.stderr
    plan = json.loads(r.stdout)
    assert sorted(plan) == ["CreateEndpoint", "CreateEndpointConfig", "CreateModel"]
    for op, req in plan.items():
        check(op, req)
