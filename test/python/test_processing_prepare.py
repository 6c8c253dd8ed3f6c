"""training-scripts/processing/prepare_dataset.py run as the SageMaker Processing container runs it.

The container paths (/opt/ml/processing/input/{code,data,tokenizer}, /opt/ml/processing/output,
/opt/ml/config/resourceconfig.json) are pointed at temp folders (SM_PROCESSING_ROOT, SM_CONFIG_DIR); the
real `datasets` of the local venv tokenizes on CPU. Each output folder must load with
datasets.load_from_disk, and its token ids, masks and labels must equal what the local prepare (the BUILT
CLI, `node dist/cli.js prepare --no-upload`) writes for the same rows. Several instances are run one after
the other with their own resourceconfig.json and the JSONL parts ShardedByS3Key would hand them.
"""
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest

REPO = Path(__file__).resolve().parents[2]
SHARED = REPO.parent / "shared"
EMOTION = SHARED / "data" / "emotion"
TOKENIZER = SHARED / "models" / "bert-base-uncased"
CLI = REPO / "dist" / "cli.js"
SCRIPT = REPO / "training-scripts" / "processing" / "prepare_dataset.py"
NAMES = ["sadness", "joy", "love", "anger", "fear", "surprise"]
COLUMNS = ["input_ids", "token_type_ids", "attention_mask", "labels"]


@pytest.fixture(scope="session", autouse=True)
def built_cli():
    if not CLI.exists():
        subprocess.run(["npm", "run", "--silent", "build"], cwd=REPO, check=True)


def write_jsonl(path, rows):
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


def emotion_rows(split, n, string_labels=True):
    rows = []
    with open(EMOTION / f"{split}.jsonl", encoding="utf-8") as f:
        for line in f:
            r = json.loads(line)
            rows.append({"text": r["text"], "label": NAMES[r["label"]] if string_labels else r["label"]})
            if len(rows) >= n:
                break
    return rows


def run_container(tmp, config, data, hosts=("algo-1",), current="algo-1", upload_tokenizer=True, expect_ok=True):
    """One instance of the Processing job. data: {split: [files]} as that instance's input channel holds."""
    root, conf = tmp / "processing", tmp / f"config-{current}"
    (root / "input" / "code").mkdir(parents=True, exist_ok=True)
    shutil.copy(SCRIPT, root / "input" / "code" / SCRIPT.name)
    cfg = {"textColumn": "text", "labelColumn": "label", "padding": "max_length", "maxLength": 128, **config}
    cfg["tokenizerUploaded"] = upload_tokenizer
    cfg["tokenizer"] = "/opt/ml/processing/input/tokenizer" if upload_tokenizer else str(TOKENIZER)
    (root / "input" / "code" / "config.json").write_text(json.dumps(cfg))
    if upload_tokenizer and not (root / "input" / "tokenizer").exists():
        shutil.copytree(TOKENIZER, root / "input" / "tokenizer")
    data_root = root / "input" / "data"
    if data_root.exists():
        shutil.rmtree(data_root)
    for split, files in data.items():
        (data_root / split).mkdir(parents=True)
        for f in files:
            shutil.copy(f, data_root / split / Path(f).name)
    conf.mkdir(exist_ok=True)
    (conf / "resourceconfig.json").write_text(json.dumps({"current_host": current, "hosts": list(hosts)}))
    env = {**os.environ, "SM_PROCESSING_ROOT": str(root), "SM_CONFIG_DIR": str(conf), "SM_FAILURE_FILE": str(tmp / "failure"),
           "SAGEMAKER_HF_NUM_PROC": "2", "HF_DATASETS_CACHE": str(tmp / "hf-cache"), "HF_HUB_OFFLINE": "1"}
    res = subprocess.run([sys.executable, str(root / "input" / "code" / SCRIPT.name)], env=env, capture_output=True, text=True, timeout=600)
    if expect_ok:
        assert res.returncode == 0, res.stderr[-3000:]
        return json.loads((root / "output" / current / "summary.json").read_text()), root / "output"
    return res, None


def run_local_prepare(tmp, dataset):
    spec = {
        "version": 1,
        "dataset": {"tokenizer": str(TOKENIZER), "s3Prefix": "datasets/test", **dataset},
        "training": {"entryPoint": "train.py", "sourceDir": ".", "instanceType": "local"},
    }
    spec_file = tmp / "local.sagemaker-hf.json"
    spec_file.write_text(json.dumps(spec))
    out = tmp / "local-out"
    res = subprocess.run(["node", str(CLI), "prepare", str(spec_file), "--no-upload", "--json", "--out", str(out)], capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr + res.stdout
    return json.loads(res.stdout), out


def columns_of(folders):
    """The four model columns of one or more save_to_disk folders, concatenated, read with datasets."""
    import datasets

    parts = [datasets.load_from_disk(str(f)) for f in folders]
    ds = datasets.concatenate_datasets(parts) if len(parts) > 1 else parts[0]
    ds = ds.with_format(None)
    return {c: ds[c] for c in COLUMNS}, ds


def check_features(ds):
    assert list(ds.features) == COLUMNS
    assert ds.features["labels"].names == NAMES
    assert ds.features["input_ids"].feature.dtype == "int32"
    assert ds.features["attention_mask"].feature.dtype == "int8"
    assert ds.features["token_type_ids"].feature.dtype == "int8"


@pytest.mark.parametrize("padding,max_length", [("max_length", 128), ("dynamic", 16), ("auto", 128)])
def test_one_instance_equals_local_prepare(tmp_path, padding, max_length):
    """Same rows through the container script and the local prepare: identical ids, masks, labels."""
    rows = emotion_rows("train", 1500)
    rows[3] = {"text": " ".join(["unbelievably"] * 300), "label": "joy"}  # over every limit: truncated
    train = write_jsonl(tmp_path / "train.jsonl", rows)
    test = write_jsonl(tmp_path / "test.jsonl", emotion_rows("test", 300))
    dataset = {"source": {"train": "train.jsonl", "test": "test.jsonl"}, "splits": {"train": "train", "test": "test"},
               "labelNames": NAMES, "padding": padding, "maxLength": max_length}
    summary, out = run_container(tmp_path, dataset, {"train": [train], "test": [test]})
    local, local_out = run_local_prepare(tmp_path, {**dataset, "source": {"train": str(train), "test": str(test)}})

    assert summary["labelNames"] == NAMES and summary["padding"] == padding
    assert summary["padTo"] == local["report"]["maxLength"]
    for channel, n in (("train", 1500), ("test", 300)):
        [part] = [p for p in summary["parts"] if p["channel"] == channel]
        assert part["rows"] == n
        theirs, ds = columns_of([out / part["dir"]])
        check_features(ds)
        assert ds.split == channel if channel == "train" else True
        ours, _ = columns_of([local_out / channel])
        for c in COLUMNS:
            assert theirs[c] == ours[c], f"{channel}.{c} differs from the local prepare"
        # The report's inputs: untruncated lengths and label counts as the local report counts them.
        local_split = next(s for s in local["report"]["splits"] if s["channel"] == channel)
        assert sum(cnt for _, cnt in part["lengthCounts"]) == n
        assert max(length for length, _ in part["lengthCounts"]) == local_split["lengths"]["max"]
        assert dict(zip(NAMES, part["labelCounts"])) == local_split["labelCounts"]
    if padding == "dynamic":
        assert max(len(r) for r in theirs["input_ids"]) <= 16


def test_two_instances_sharded_parts_equal_one_instance(tmp_path):
    """JSONL cut into parts (what the client uploads for ShardedByS3Key): each instance writes its part;
    the parts in name order hold exactly the rows of a one-instance run, in source order."""
    rows = emotion_rows("train", 2400, string_labels=False)
    whole = write_jsonl(tmp_path / "train.jsonl", rows)
    p0 = write_jsonl(tmp_path / "part-00000.jsonl", rows[:1300])
    p1 = write_jsonl(tmp_path / "part-00001.jsonl", rows[1300:])
    dataset = {"source": {"train": "train.jsonl"}, "splits": {"train": "train"}, "labelNames": NAMES}
    hosts = ("algo-1", "algo-2")
    s1, out = run_container(tmp_path, dataset, {"train": [p1]}, hosts=hosts, current="algo-2")
    s0, _ = run_container(tmp_path, dataset, {"train": [p0]}, hosts=hosts, current="algo-1")
    assert [p["part"] for p in s0["parts"]] == ["part-00000"] and [p["part"] for p in s1["parts"]] == ["part-00001"]
    assert s0["hosts"] == ["algo-1", "algo-2"]
    sharded, _ = columns_of([out / s0["parts"][0]["dir"], out / s1["parts"][0]["dir"]])

    single_tmp = tmp_path / "single"
    single_tmp.mkdir()
    s, out1 = run_container(single_tmp, dataset, {"train": [whole]})
    one, _ = columns_of([out1 / s["parts"][0]["dir"]])
    for c in COLUMNS:
        assert sharded[c] == one[c]
    assert len(one["labels"]) == 2400 and one["labels"][:5] == [r["label"] for r in rows[:5]]


def test_label_names_inferred_like_local_prepare(tmp_path):
    """No labelNames: string labels sorted as the local prepare sorts them (sadness..surprise -> alphabetical)."""
    rows = emotion_rows("train", 400)
    train = write_jsonl(tmp_path / "train.jsonl", rows)
    dataset = {"source": {"train": "train.jsonl"}, "splits": {"train": "train"}}
    summary, out = run_container(tmp_path, dataset, {"train": [train]}, upload_tokenizer=False)
    local, local_out = run_local_prepare(tmp_path, {**dataset, "source": {"train": str(train)}})
    assert summary["labelNames"] == sorted(set(r["label"] for r in rows)) == local["labelNames"]
    assert summary["labelNamesFrom"] == "sorted-strings"
    theirs, _ = columns_of([out / summary["parts"][0]["dir"]])
    ours, _ = columns_of([local_out / "train"])
    assert theirs["labels"] == ours["labels"]


def test_bad_column_fails_with_one_line_naming_the_field(tmp_path):
    train = write_jsonl(tmp_path / "train.jsonl", [{"sentence": "hi", "label": "joy"}, {"sentence": "yo", "label": "fear"}])
    res, _ = run_container(tmp_path, {"source": {"train": "train.jsonl"}, "splits": {"train": "train"}, "labelNames": NAMES},
                           {"train": [train]}, expect_ok=False)
    assert res.returncode == 2
    message = (tmp_path / "failure").read_text()
    assert message.startswith("dataset.textColumn:") and "'text'" in message and "sentence" in message
    assert not (tmp_path / "processing" / "output" / "algo-1" / "summary.json").exists()


def test_datasets_installed_with_pip_only_when_the_image_lacks_it(monkeypatch):
    """The CPU inference image is built for serving: `datasets` comes from pip there, nowhere else."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("prepare_dataset_under_test", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    calls = []
    monkeypatch.setattr(subprocess, "check_call", lambda args: calls.append(args))
    module.ensure_datasets()
    assert calls == [], "datasets is installed here: no pip"
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name: None if name == "datasets" else real(name))
    module.ensure_datasets()
    assert calls == [[sys.executable, "-m", "pip", "install", "--quiet", "--no-cache-dir", "datasets"]]
