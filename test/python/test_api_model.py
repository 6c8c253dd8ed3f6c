"""Every request the CLI builds passes the SageMaker API model's own constraints.

moto accepts almost anything (any instance type, any image, any role), so a request that AWS would refuse
can pass every other test. Here the requests come from the built CLI's --dry-run JSON (train: offline;
deploy: against a moto_server holding the training job) and are checked against botocore's service model
for SageMaker: required members, unknown members, types, enums, lengths, ranges and patterns. The variants
(train: spot, warm pools, pushToHub, ...; deploy: instances, serverless, the Hub; CreateProcessingJob from
prepare --on sagemaker) come from test/requestVariants.json, whose coverage of every spec field and flag
test/unit/requestVariants.test.ts checks. UpdateTrainingJob (release-warm-pool) has no --dry-run and is
checked from its one fixed shape below.
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


with open(os.path.join(REPO, "test", "requestVariants.json"), encoding="utf-8") as _f:
    # The variant tables every layer shares: a new request field gets a variant there, not here.
    TABLE = json.load(_f)


def _torch_compile(t, versions):
    t["compiler"] = "torch-compile"
    for k in ("transformersVersion", "pytorchVersion", "pyVersion"):
        t.pop(k, None)
    if isinstance(versions, list):
        t["transformersVersion"], t["pytorchVersion"] = versions
    t["instanceType"] = "ml.g5.xlarge"


def _edit_of(v):
    def edit(t):
        if v.get("torchCompile"):
            _torch_compile(t, v["torchCompile"])
        for k in v.get("unset", []):
            t.pop(k, None)
        t.update(v.get("set", {}))
    return edit


VARIANTS = {name: (_edit_of(v), v.get("region", "us-east-1"), v.get("env", {})) for name, v in TABLE["train"].items()}

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
    edit, region, env = VARIANTS[name]
    request = _dry_run_train(_write_spec(tmp_path, name, edit), region, env)
    check("CreateTrainingJob", request)
    v = TABLE["train"][name]
    if "spot" in v.get("set", {}):
        assert request["EnableManagedSpotTraining"] is True and "MaxWaitTimeInSeconds" in request["StoppingCondition"]
    if "keepAliveSeconds" in v.get("set", {}):
        assert request["ResourceConfig"]["KeepAlivePeriodInSeconds"] == v["set"]["keepAliveSeconds"]
    if "pushToHub" in v.get("set", {}):
        assert "hub_model_id" in request["HyperParameters"] and "HF_TOKEN" in request["Environment"]


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
    # The project's moto_server (scripts/ensure-venv.sh installs the pin there), never one on PATH.
    bin_ = os.environ.get("MOTO_SERVER") or os.path.join(REPO, ".cache", "venv", "bin", "moto_server")
    assert os.path.exists(bin_), f"{bin_} is missing: run bash scripts/ensure-venv.sh"
    proc = subprocess.Popen([bin_, "-H", "127.0.0.1", "-p", str(port)],
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


DEPLOY_VARIANTS = TABLE["deploy"]


@pytest.mark.parametrize("name", sorted(DEPLOY_VARIANTS))
def test_deploy_requests_pass_the_api_model(tmp_path, moto, name):
    url, env = moto
    v = DEPLOY_VARIANTS[name]
    args = list(v["args"])
    if "train" in v:
        edit, _region, train_env = VARIANTS[v["train"]]
        request = _dry_run_train(_write_spec(tmp_path, v["train"], edit), "us-east-1", train_env)
        request["RoleArn"] = f"arn:aws:iam::123456789012:role/SageMakerRole"
        client = botocore.session.get_session().create_client(
            "sagemaker", region_name="us-east-1", endpoint_url=url, aws_access_key_id="testing", aws_secret_access_key="testing")
        client.create_training_job(**request)
        args = [request["TrainingJobName"], *args]
    else:
        args = [*args, "--role", ROLE]
    r = subprocess.run(["node", CLI, "deploy", *args, "--dry-run"],
                       capture_output=True, text=True, timeout=120, env={**os.environ, **env, **v.get("env", {})})
    assert r.returncode == 0, r.stderr
    plan = json.loads(r.stdout)
    assert sorted(plan) == ["CreateEndpoint", "CreateEndpointConfig", "CreateModel"]
    for op, req in plan.items():
        check(op, req)
    if "--serverless" in args:
        assert "ServerlessConfig" in plan["CreateEndpointConfig"]["ProductionVariants"][0]


@pytest.mark.parametrize("name", sorted(TABLE["processing"]))
def test_processing_job_requests_pass_the_api_model(tmp_path, moto, name):
    url, env = moto
    spec = _write_spec(tmp_path, f"prep-{name}", lambda t: None)
    r = subprocess.run(
        ["node", CLI, "prepare", spec, "--on", "sagemaker", *TABLE["processing"][name]["args"], "--role", ROLE, "--dry-run"],
        capture_output=True, text=True, timeout=120, cwd=str(tmp_path),
        env={**os.environ, **env, "SAGEMAKER_HF_CACHE": str(tmp_path / "cache")})
    assert r.returncode == 0, r.stderr
    check("CreateProcessingJob", json.loads(r.stdout))


def test_update_training_job_request_passes_the_api_model():
    # src/workflow/training/warmPool.ts sends exactly this (the SDK's update_training_job(keep_alive_period_in_seconds=0)).
    with open(os.path.join(REPO, "src", "workflow", "training", "warmPool.ts"), encoding="utf-8") as f:
        assert "new UpdateTrainingJobCommand({ TrainingJobName: jobName, ResourceConfig: { KeepAlivePeriodInSeconds: 0 } })" in f.read()
    check("UpdateTrainingJob", {"TrainingJobName": "emotion-2026-12-01-10-00-00-000", "ResourceConfig": {"KeepAlivePeriodInSeconds": 0}})
