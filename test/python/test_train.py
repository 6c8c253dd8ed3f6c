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


def container_run(tmp, data, hps, drop_env=()):
    """What the training toolkit does: copy the code, sorted --key str(value) args, SM_* variables."""
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
    for k in drop_env:
        env.pop(k, None)
    p = subprocess.run([sys.executable, "train.py"] + args, cwd=code, env=env, stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, text=True, timeout=300)
    return p, model_dir, out_dir


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
