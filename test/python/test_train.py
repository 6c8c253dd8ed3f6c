"""training-scripts/train.py run exactly as the SageMaker container runs it (sorted `--key value`
arguments with `--fp16 True`, SM_* variables, channels train/test), on CPU, with a tiny random BERT and a
few hundred emotion rows prepared by the TypeScript writer (`sagemaker-hf prepare --no-upload`).
The tiny model is only for speed; nothing in train.py assumes it."""
import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys

import pytest

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
SHARED = os.path.join(os.path.dirname(REPO), "shared")
TRAIN_PY = os.path.join(REPO, "training-scripts", "train.py")
CLI = os.path.join(REPO, "dist", "cli.js")
EMOTION = ["sadness", "joy", "love", "anger", "fear", "surprise"]
METRICS = re.compile(r"^\[metrics\] (.*)$", re.M)


def metrics_lines(log):
    out = []
    for m in METRICS.finditer(log):
        out.append({k: float(v) for k, v in re.findall(r"([A-Za-z_]\w*)=(\S+)", m.group(1))})
    return out


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory):
    out = str(tmp_path_factory.mktemp("tiny-bert"))
    subprocess.run([sys.executable, os.path.join(REPO, "test", "tools", "make_tiny_model.py"), out], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return out


def prepare(tmp, padding):
    """The TypeScript writer (the same code that uploads to S3) writes the save_to_disk folders."""
    assert os.path.isfile(CLI), "dist/cli.js is missing: run `npm run build` first"
    spec = {
        "version": 1,
        "dataset": {
            "source": {s: os.path.join(SHARED, "data", "emotion", s + ".jsonl") for s in ("train", "test")},
            "splits": {"train": "train", "test": "test"},
            "textColumn": "text", "labelColumn": "label", "labelNames": EMOTION,
            "tokenizer": os.path.join(SHARED, "models", "bert-base-uncased"),
            "padding": padding, "maxLength": 64, "limit": 240,
        },
        "training": {"entryPoint": "train.py", "sourceDir": os.path.join(REPO, "training-scripts"), "instanceType": "local"},
    }
    spec_file = os.path.join(tmp, "small.sagemaker-hf.json")
    with open(spec_file, "w") as f:
        json.dump(spec, f)
    out = os.path.join(tmp, "data")
    subprocess.run(["node", CLI, "prepare", spec_file, "--out", out, "--no-upload"], check=True, stdout=subprocess.DEVNULL)
    return out


def container_run(tmp, data, hps, drop_env=(), extra_env=None):
    """What the training toolkit does: copy the code, sorted --key str(value) args, SM_* variables."""
    cmd, code, env, model_dir, out_dir = container_command(tmp, data, hps, drop_env, extra_env)
    p = subprocess.run(cmd, cwd=code, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=900)
    return p, model_dir, out_dir


def container_command(tmp, data, hps, drop_env=(), extra_env=None):
    code = os.path.join(tmp, "code")
    shutil.copytree(os.path.dirname(TRAIN_PY), code, dirs_exist_ok=True)
    model_dir, out_dir = os.path.join(tmp, "model"), os.path.join(tmp, "output", "data")
    os.makedirs(model_dir, exist_ok=True)
    os.makedirs(out_dir, exist_ok=True)
    args = []
    for k in sorted(hps):
        v = hps[k]
        args += ["--" + k, str(v)]  # Python str(): True, 3e-05
    env = dict(os.environ)
    env.update({
        "SM_MODEL_DIR": model_dir, "SM_OUTPUT_DATA_DIR": out_dir, "SM_OUTPUT_DIR": os.path.dirname(out_dir),
        "SM_CHANNEL_TRAIN": os.path.join(data, "train"), "SM_CHANNEL_TEST": os.path.join(data, "test"),
        "SM_CHANNELS": '["test","train"]', "SM_NUM_GPUS": "0", "SM_NUM_CPUS": "2", "SM_HOSTS": '["algo-1"]',
        "SM_CURRENT_HOST": "algo-1", "SM_USER_ENTRY_POINT": "train.py", "SM_MODULE_NAME": "train", "SM_LOG_LEVEL": "20",
        "SM_HPS": json.dumps(hps, sort_keys=True, separators=(",", ":")),
        "SM_USER_ARGS": json.dumps(args, separators=(",", ":")),
        "SM_FRAMEWORK_PARAMS": '{"sagemaker_training_compiler_debug_mode":false,"sagemaker_training_compiler_enabled":true}',
        "PYTHONUNBUFFERED": "1", "TOKENIZERS_PARALLELISM": "false",
    })
    for k, v in hps.items():
        env["SM_HP_" + k.upper()] = json.dumps(v) if not isinstance(v, str) else v
    env.update(extra_env or {})
    for k in drop_env:
        env.pop(k, None)
    return [sys.executable, "train.py"] + args, code, env, model_dir, out_dir


NOTEBOOK_HPS = {"epochs": 1, "train_batch_size": 24, "eval_batch_size": 32, "learning_rate": 3e-05, "fp16": True}


@pytest.mark.parametrize("padding", ["max_length", "dynamic"])
def test_trains_like_the_container(tmp_path, tiny_model, padding):
    data = prepare(str(tmp_path), padding)
    p, model_dir, out_dir = container_run(str(tmp_path), data, dict(NOTEBOOK_HPS, model_id=tiny_model))
    assert p.returncode == 0, p.stdout[-3000:]
    log = p.stdout
    # fp16 asked for on a machine without CUDA: a warning and fp32, not a crash.
    assert "no CUDA GPU is available" in log
    if padding == "dynamic":
        assert "padding per batch to a multiple of 8, length-grouped" in log
    else:
        assert "padding per batch" not in log
    with open(os.path.join(model_dir, "config.json")) as f:
        cfg = json.load(f)
    assert [cfg["id2label"][str(i)] for i in range(6)] == EMOTION
    assert cfg["label2id"] == {n: i for i, n in enumerate(EMOTION)}
    files = os.listdir(model_dir)
    assert "tokenizer.json" in files and "tokenizer_config.json" in files, files
    assert any(f.endswith(".safetensors") or f.endswith(".bin") for f in files), files
    assert not [f for f in files if f.startswith("checkpoint-")], files
    assert os.path.isdir(os.path.join(out_dir, "checkpoints")), "checkpoints go next to the output data"
    ms = metrics_lines(log)
    final = [m for m in ms if "eval_accuracy" in m]
    assert final, log[-2000:]
    assert 0.0 <= final[-1]["eval_accuracy"] <= 1.0 and "eval_loss" in final[-1] and "epoch" in final[-1]
    assert any("loss" in m and "learning_rate" in m and "step" in m for m in ms), "training loss lines"
    assert any("train_samples_per_second" in m for m in ms)
    with open(os.path.join(out_dir, "eval_results.txt")) as f:
        assert re.search(r"^eval_accuracy = ", f.read(), re.M)
    # The saved folder is what the inference container loads: model and tokenizer together.
    from transformers import AutoModelForSequenceClassification, AutoTokenizer
    AutoTokenizer.from_pretrained(model_dir)
    assert AutoModelForSequenceClassification.from_pretrained(model_dir).config.id2label[0] == "sadness"


def test_missing_channel_is_a_clear_error(tmp_path):
    p, _, _ = container_run(str(tmp_path), str(tmp_path / "nowhere"), dict(NOTEBOOK_HPS, model_id="x"), drop_env=("SM_CHANNEL_TEST",))
    assert p.returncode == 2
    assert "missing --test_dir (or SM_CHANNEL_TEST)" in p.stdout and "KeyError" not in p.stdout


def test_boolean_arguments_parse_as_written():
    spec = importlib.util.spec_from_file_location("train_script", TRAIN_PY)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    for text, want in (("True", True), ("true", True), ("1", True), ("False", False), ("false", False), ("0", False)):
        assert mod.str2bool(text) is want, text
    with pytest.raises(Exception):
        mod.str2bool("maybe")
    assert mod.fmt_value(3e-05) == "3e-05" and mod.fmt_value(float("nan")) == "nan" and mod.fmt_value(4) == "4"


def load_train_module():
    spec = importlib.util.spec_from_file_location("train_script", TRAIN_PY)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_reads_the_toolkit_environment_of_a_training_compiler_job(tmp_path, monkeypatch):
    """The table the training toolkit computes from its own source (test/fixtures/toolkit-environment.json,
    test/tools/toolkit_env.py), which the local target now sets too: train.py finds its channels and
    folders in it and sees the Training Compiler flag (it keeps fp16 there)."""
    with open(os.path.join(REPO, "test", "fixtures", "toolkit-environment.json")) as f:
        table = json.load(f)["env"]
    mod = load_train_module()
    assert mod.training_compiler_on(table) is True
    assert mod.training_compiler_on(dict(table, SM_FRAMEWORK_PARAMS="{}")) is False
    assert mod.training_compiler_on(dict(table, SM_FRAMEWORK_PARAMS="not json")) is False
    for name in ("SM_MODULE_DIR", "SM_TRAINING_ENV", "SM_INSTANCE_GROUPS_DICT", "SAGEMAKER_REGION", "TRAINING_JOB_NAME"):
        assert table[name], name
    assert json.loads(table["SM_TRAINING_ENV"])["additional_framework_parameters"] == json.loads(table["SM_FRAMEWORK_PARAMS"])
    env = dict(table)
    for k in ("SM_CHANNEL_TRAIN", "SM_CHANNEL_TEST", "SM_MODEL_DIR", "SM_OUTPUT_DATA_DIR"):
        env[k] = str(tmp_path / k.lower())
        os.makedirs(env[k])
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    args = mod.parse_args(["--model_id", "m"])
    assert (args.training_dir, args.test_dir, args.n_gpus) == (env["SM_CHANNEL_TRAIN"], env["SM_CHANNEL_TEST"], "1")


def test_parses_as_python_3_8():
    """The Training Compiler containers run Python 3.8: no syntax newer than that."""
    import ast
    with open(TRAIN_PY) as f:
        ast.parse(f.read(), filename=TRAIN_PY, feature_version=(3, 8))


@pytest.mark.parametrize("name,cap,want", [
    ("Tesla V100-SXM2-16GB", (7, 0), "fp16"),  # ml.p3.2xlarge, the notebook's machine
    ("Tesla T4", (7, 5), "fp16"),  # ml.g4dn
    ("NVIDIA A10G", (8, 6), "bf16"),  # ml.g5
    ("NVIDIA L4", (8, 9), "bf16"),  # ml.g6
    ("NVIDIA A100-SXM4-40GB", (8, 0), "bf16"),  # ml.p4d
    ("NVIDIA H200", (9, 0), "bf16"),  # ml.p5e
])
def test_precision_follows_the_gpu(name, cap, want):
    mod = load_train_module()
    got, why = mod.choose_precision(True, cap, None, fp16=True, bf16=False, device_name=name)
    assert got == want, why
    assert name in why and "%d.%d" % cap in why
    if want == "fp16":
        assert "loss scaler" in why


def test_precision_requests_and_fallbacks():
    mod = load_train_module()
    cp = mod.choose_precision
    assert cp(False, None, None, fp16=True)[0] == "fp32"
    assert "no CUDA GPU is available" in cp(False, None, None, fp16=True)[1]
    assert cp(True, (9, 0), True, fp16=False, bf16=False)[0] == "fp32"  # --fp16 False: mixed precision off
    assert cp(True, (9, 0), True, precision="fp16")[0] == "fp16"
    assert cp(True, (7, 0), False, fp16=False, bf16=True)[0] == "fp16"  # bf16 asked on a V100
    assert cp(True, (9, 0), True, fp16=True, compiler_container=True)[0] == "fp16"
    assert cp(True, (8, 0), None, precision="fp32")[0] == "fp32"
    with pytest.raises(ValueError, match="--precision"):
        cp(True, (8, 0), None, precision="half")


def test_length_buckets_cover_every_row_with_little_padding():
    mod = load_train_module()
    # The emotion train lengths' shape (p50 20, p90 38, p99 57, max 87): many short rows, a long tail.
    lengths = [20] * 500 + [12] * 300 + [38] * 150 + [57] * 40 + [87] * 10
    buckets = mod.choose_buckets(lengths, 4)
    assert 1 < len(buckets) <= 4 and buckets[-1] == 88 and all(b % 8 == 0 for b in buckets), buckets
    pad = mod.BucketPadding(None, buckets)
    padded = sum(pad.length_for(n) for n in lengths)
    assert padded < 0.5 * 88 * len(lengths), (buckets, padded)  # far below padding to the longest row
    assert all(pad.length_for(n) >= n for n in range(1, 89)) and pad.length_for(100) == 104
    assert mod.choose_buckets([5, 5, 5], 4) == [8]
    assert mod.nearest_rank(sorted(lengths), 50) == 20 and mod.nearest_rank(sorted(lengths), 99) == 57


def test_regional_compile_with_buckets(tmp_path, tiny_model):
    """torch.compile of the repeated encoder layer only, batches padded to a few bucket lengths. The
    aot_eager backend traces and partitions exactly as inductor does but skips code generation (a C++
    build per graph on this CPU); the inductor path is exercised by bench/train_speed.py."""
    data = prepare(str(tmp_path), "dynamic")
    hps = dict(NOTEBOOK_HPS, model_id=tiny_model, torch_compile=True, torch_compile_backend="aot_eager",
               torch_compile_mode="default", train_batch_size=16, compile_optimizer=True)
    p, model_dir, _ = container_run(str(tmp_path), data, hps)
    assert p.returncode == 0, p.stdout[-3000:]
    assert "optimizer step compiled (AdamW, aot_eager)" in p.stdout, p.stdout[-3000:]
    # The learning rate still follows the schedule (a tensor updated in place, logged as a number).
    lrs = [x["learning_rate"] for x in metrics_lines(p.stdout) if "learning_rate" in x]
    assert len(set(lrs)) > 1, lrs
    assert "torch.compile (aot_eager, mode default): bert.encoder.layer (2 x BertLayer)" in p.stdout, p.stdout[-3000:]
    m = re.search(r"padding per batch to the buckets \[([\d, ]+)\]", p.stdout)
    assert m, p.stdout[-3000:]
    buckets = [int(x) for x in m.group(1).split(",")]
    assert 1 <= len(buckets) <= 4 and buckets[-1] <= 64, buckets
    final = [x for x in metrics_lines(p.stdout) if "eval_accuracy" in x][-1]
    assert final["compile_seconds"] > 0 and final["compile_cache_loaded"] == 0
    # Compiling regions leaves the module tree alone: the saved weights load into a plain model.
    from transformers import AutoModelForSequenceClassification
    from safetensors.torch import load_file
    keys = list(load_file(os.path.join(model_dir, "model.safetensors")))
    assert not [k for k in keys if "_orig_mod" in k], keys[:5]
    AutoModelForSequenceClassification.from_pretrained(model_dir)


def test_spot_interruption_resumes_from_the_saved_step(tmp_path, tiny_model):
    """A spot interruption is a SIGTERM: the first run saves a checkpoint and stops; the second run on the
    same checkpoint folder (SageMaker restores /opt/ml/checkpoints from S3) continues from that step."""
    import signal
    import time
    data = prepare(str(tmp_path), "dynamic")
    ckpt = str(tmp_path / "checkpoints")
    os.makedirs(ckpt)
    hps = dict(NOTEBOOK_HPS, model_id=tiny_model, train_batch_size=8, max_steps=60, logging_steps=1, warmup_steps=0)
    cmd, code, env, _, _ = container_command(str(tmp_path / "first"), data, hps, extra_env={"SM_HF_CHECKPOINT_DIR": ckpt})
    proc = subprocess.Popen(cmd, cwd=code, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    log = []
    deadline = time.time() + 240
    for line in proc.stdout:
        log.append(line)
        m = re.match(r"\[metrics\] step=(\d+) .*loss=", line)
        if m and int(m.group(1)) >= 3:
            proc.send_signal(signal.SIGTERM)
            break
        assert time.time() < deadline, "".join(log[-30:])
    rest, _ = proc.communicate(timeout=120)
    first = "".join(log) + rest
    assert proc.returncode == 128 + signal.SIGTERM, first[-3000:]
    m = re.search(r"stopped by signal 15 at step (\d+); checkpoint saved", first)
    assert m, first[-3000:]
    stopped = int(m.group(1))
    assert 3 <= stopped < 60
    saved = os.path.join(ckpt, "checkpoint-%d" % stopped)
    with open(os.path.join(saved, "trainer_state.json")) as f:
        assert json.load(f)["global_step"] == stopped

    p, model_dir, _ = container_run(str(tmp_path / "second"), data, hps, extra_env={"SM_HF_CHECKPOINT_DIR": ckpt})
    assert p.returncode == 0, p.stdout[-3000:]
    assert "resuming from %s (global step %d)" % (saved, stopped) in p.stdout, p.stdout[-3000:]
    losses = [x["step"] for x in metrics_lines(p.stdout) if "loss" in x]
    assert losses and losses[0] == stopped + 1 and losses[-1] == 60, losses
    with open(os.path.join(ckpt, "checkpoint-60", "trainer_state.json")) as f:
        assert json.load(f)["global_step"] == 60
    assert os.path.isfile(os.path.join(model_dir, "config.json"))


class StandInHub(object):
    """A loopback stand-in for the Hugging Face Hub: the endpoints huggingface_hub's create_repo and
    upload_folder call (repo create, preupload, commit), recording what arrives. A mock is needed because
    the real Hub is not reachable from tests; the client library doing the calls is the real one."""

    def __init__(self):
        import base64
        import threading
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        hub = self
        self.created, self.files, self.auth, self.unknown, self.commits = [], {}, set(), [], []

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *a):
                pass

            def reply(self, code, obj):
                body = json.dumps(obj).encode()
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_POST(self):
                n = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(n)
                hub.auth.add(self.headers.get("Authorization", ""))
                path = self.path.split("?")[0]
                m = re.match(r"^/api/models/(.+)/(preupload|commit)/main$", path)
                if path == "/api/repos/create":
                    body = json.loads(raw)
                    hub.created.append(body)
                    repo = "%s/%s" % (body.get("organization") or "user", body["name"])
                    return self.reply(200, {"url": "%s/%s" % (hub.url, repo), "name": repo, "id": "1"})
                if m and m.group(2) == "preupload":
                    files = json.loads(raw)["files"]
                    return self.reply(200, {"files": [{"path": f["path"], "uploadMode": "regular", "shouldIgnore": False}
                                                      for f in files], "commitOid": "0" * 40})
                if m:
                    lines = [json.loads(x) for x in raw.decode().splitlines() if x.strip()]
                    hub.commits.append((m.group(1), lines[0]))
                    for x in lines[1:]:
                        if x["key"] == "file":
                            hub.files[x["value"]["path"]] = base64.b64decode(x["value"]["content"])
                    return self.reply(200, {"commitUrl": "%s/%s/commit/%s" % (hub.url, m.group(1), "a" * 40),
                                            "commitOid": "a" * 40, "pullRequestUrl": None})
                hub.unknown.append("POST " + self.path)
                self.reply(404, {"error": "not in the stand-in"})

            def do_GET(self):
                hub.unknown.append("GET " + self.path)
                self.reply(404, {"error": "not in the stand-in"})

            do_HEAD = do_GET

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = "http://127.0.0.1:%d" % self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()


def test_pushes_model_tokenizer_and_labels_to_the_hub(tmp_path, tiny_model):
    hub = StandInHub()
    token = "hf_standin_SECRET_0123456789"
    try:
        data = prepare(str(tmp_path), "dynamic")
        hps = dict(NOTEBOOK_HPS, model_id=tiny_model, max_steps=2, eval=False, hub_model_id="acme/emotion-bert",
                   hub_private_repo="false")
        p, model_dir, _ = container_run(str(tmp_path), data, hps, extra_env={"HF_TOKEN": token, "HF_ENDPOINT": hub.url})
    finally:
        hub.close()
    assert p.returncode == 0, p.stdout[-3000:]
    assert token not in p.stdout and "SECRET" not in p.stdout
    assert "pushed the model, tokenizer and label names to the Hub: acme/emotion-bert (public" in p.stdout, p.stdout[-2000:]
    assert hub.created and hub.created[0]["name"] == "emotion-bert" and hub.created[0]["organization"] == "acme"
    # huggingface_hub < 1.0 sends "private": false, newer ones "visibility": "public".
    assert hub.created[0].get("private") is False or hub.created[0].get("visibility") == "public", hub.created[0]
    assert hub.auth == {"Bearer " + token}, hub.auth
    assert set(hub.files) >= {"config.json", "tokenizer.json", "tokenizer_config.json", "model.safetensors"}, sorted(hub.files)
    assert "training_args.bin" not in hub.files
    cfg = json.loads(hub.files["config.json"])
    assert [cfg["id2label"][str(i)] for i in range(6)] == EMOTION
    with open(os.path.join(model_dir, "model.safetensors"), "rb") as f:
        assert hub.files["model.safetensors"] == f.read()


def test_hub_push_without_token_fails_before_training(tmp_path):
    data = str(tmp_path / "data")
    for s in ("train", "test"):
        os.makedirs(os.path.join(data, s))
    env = {"HF_TOKEN": "", "HUGGING_FACE_HUB_TOKEN": ""}
    p, _, _ = container_run(str(tmp_path), data, dict(NOTEBOOK_HPS, model_id="x", hub_model_id="acme/m"), extra_env=env)
    assert p.returncode != 0
    assert "hub_model_id acme/m is set but HF_TOKEN is not in the job's environment" in p.stdout
    assert "loaded train_dataset" not in p.stdout


def test_compile_cache_found_as_file_or_inside_the_previous_output_archive(tmp_path):
    """The compile_cache channel holds either the saved file or the previous job's output.tar.gz as
    SageMaker stored it (compile_cache/torch_compile_cache.bin inside)."""
    import tarfile
    mod = load_train_module()
    assert mod.find_compile_cache([None, str(tmp_path / "missing")]) == (None, None)
    out = tmp_path / "prev" / "output" / "data" / "compile_cache"
    out.mkdir(parents=True)
    (out / "torch_compile_cache.bin").write_bytes(b"artifacts")
    (out / "about.json").write_text("{}")
    channel = tmp_path / "channel"
    channel.mkdir()
    with tarfile.open(str(channel / "output.tar.gz"), "w:gz") as tar:
        tar.add(str(tmp_path / "prev" / "output" / "data"), arcname=".")
    blob, where = mod.find_compile_cache([str(channel)])
    assert blob == b"artifacts" and where.endswith("output.tar.gz:./compile_cache/torch_compile_cache.bin"), where
    blob, where = mod.find_compile_cache([str(tmp_path / "prev")])
    assert blob == b"artifacts" and where == str(out / "torch_compile_cache.bin")
