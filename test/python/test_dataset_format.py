"""The TypeScript dataset writer, checked with the real `datasets` library and the Python tokenizers.

Runs the BUILT CLI (`node dist/cli.js prepare ... --no-upload`) on spec files made here, then loads each
channel with `datasets.load_from_disk` and compares rows, features, label names, the torch format and
every token id with what Python tokenizes for the same texts (bert-base-uncased, the Hub's files).
"""
import json
import os
import subprocess
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest

REPO = Path(__file__).resolve().parents[2]
SHARED = REPO.parent / "shared"
EMOTION = SHARED / "data" / "emotion"
TOKENIZER = SHARED / "models" / "bert-base-uncased"
CLI = REPO / "dist" / "cli.js"
NAMES = ["sadness", "joy", "love", "anger", "fear", "surprise"]


@pytest.fixture(scope="session", autouse=True)
def built_cli():
    if not CLI.exists():
        subprocess.run(["npm", "run", "--silent", "build"], cwd=REPO, check=True)
    return CLI


@pytest.fixture(scope="session")
def fast_tokenizer():
    from tokenizers import Tokenizer

    return Tokenizer.from_file(str(TOKENIZER / "tokenizer.json"))


@pytest.fixture(scope="session")
def hf_tokenizer():
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(str(TOKENIZER))


def read_jsonl(path, limit=None):
    rows = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.strip():
                rows.append(json.loads(line))
                if limit and len(rows) >= limit:
                    break
    return rows


def run_prepare(tmp_path, dataset, name="spec"):
    spec = {
        "version": 1,
        "dataset": {"tokenizer": str(TOKENIZER), "s3Prefix": "datasets/test", **dataset},
        "training": {"entryPoint": "train.py", "sourceDir": ".", "instanceType": "local"},
    }
    spec_file = tmp_path / f"{name}.sagemaker-hf.json"
    spec_file.write_text(json.dumps(spec))
    out = tmp_path / f"{name}-out"
    res = subprocess.run(
        ["node", str(CLI), "prepare", str(spec_file), "--no-upload", "--json", "--out", str(out)],
        capture_output=True, text=True, timeout=120,
    )
    assert res.returncode == 0, res.stderr + res.stdout
    return json.loads(res.stdout), out


def flat_columns(folder):
    """input_ids / attention_mask / token_type_ids as (offsets, values) numpy arrays, straight from arrow."""
    state = json.loads((folder / "state.json").read_text())
    tables = [pa.ipc.open_stream(pa.memory_map(str(folder / f["filename"]))).read_all() for f in state["_data_files"]]
    table = pa.concat_tables(tables)
    cols = {}
    for name in ("input_ids", "token_type_ids", "attention_mask"):
        arr = table.column(name).combine_chunks()
        cols[name] = (arr.offsets.to_numpy(), arr.values.to_numpy())
    cols["labels"] = table.column("labels").to_numpy()
    return cols


def check_loaded(folder, split, n_rows, names=NAMES):
    import datasets

    ds = datasets.load_from_disk(str(folder))
    assert ds.num_rows == n_rows
    assert ds.split == split
    assert list(ds.features) == ["input_ids", "token_type_ids", "attention_mask", "labels"]
    assert ds.features["labels"].names == names
    assert ds.features["input_ids"].feature.dtype == "int32"
    assert ds.features["attention_mask"].feature.dtype == "int8"
    assert ds.format["type"] == "torch"
    assert ds.format["columns"] == ["input_ids", "token_type_ids", "attention_mask", "labels"]
    row = ds[0]
    import torch

    assert isinstance(row["input_ids"], torch.Tensor) and row["input_ids"].dtype == torch.int64
    return ds


@pytest.mark.parametrize("padding", ["max_length", "auto", "dynamic"])
def test_small_run_matches_transformers_tokenizer(tmp_path, hf_tokenizer, padding):
    """300 emotion rows (string labels) plus over-long texts, checked against transformers' own call."""
    rows = read_jsonl(EMOTION / "train.jsonl", 300)
    long_text = " ".join(["unbelievably"] * 400)  # 1200+ tokens: truncated, not an error
    data = [{"text": r["text"], "label": NAMES[r["label"]]} for r in rows]
    data[7] = {"text": long_text, "label": "joy"}
    data[100] = {"text": "Héllo " + long_text, "label": "fear"}
    src = tmp_path / "train.jsonl"
    src.write_text("\n".join(json.dumps(d) for d in data) + "\n")
    result, out = run_prepare(tmp_path, {"source": {"train": str(src)}, "splits": {"train": "train"}, "padding": padding, "maxLength": 128, "labelNames": NAMES})
    report = result["report"]
    assert report["splits"][0]["truncatedRows"] == 2
    texts = [d["text"] for d in data]
    expected_len = {"max_length": 128, "auto": 128, "dynamic": None}[padding]
    assert result["report"]["maxLength"] == expected_len
    ref = hf_tokenizer(texts, truncation=True, max_length=128, padding="max_length" if expected_len else False)
    ds = check_loaded(out / "train", "train", len(data))
    plain = ds.with_format(None)
    assert plain["input_ids"] == ref["input_ids"]
    assert plain["attention_mask"] == ref["attention_mask"]
    assert plain["token_type_ids"] == ref["token_type_ids"]
    assert plain["labels"] == [NAMES.index(d["label"]) for d in data]
    assert ds.features["labels"].int2str(3) == "anger"


@pytest.mark.parametrize("padding", ["max_length", "auto", "dynamic"])
def test_all_emotion_texts_token_ids_equal_python(tmp_path, fast_tokenizer, padding):
    """All 20,000 emotion texts, three channels, every token id against the Rust tokenizer."""
    splits = {"train": "train", "validation": "validation", "test": "test"}
    source = {s: str(EMOTION / f"{s}.jsonl") for s in splits}
    result, out = run_prepare(tmp_path, {"source": source, "splits": splits, "padding": padding, "maxLength": 512, "labelNames": NAMES})
    pad_to = {"max_length": 512, "auto": 88, "dynamic": None}[padding]
    assert result["report"]["maxLength"] == pad_to
    for channel, split in splits.items():
        rows = read_jsonl(EMOTION / f"{split}.jsonl")
        enc = fast_tokenizer.encode_batch([r["text"] for r in rows])
        lengths = np.array([len(e.ids) for e in enc])
        ref_ids = np.concatenate([np.asarray(e.ids, dtype=np.int32) for e in enc])
        cols = flat_columns(out / channel)
        offsets, ids = cols["input_ids"]
        assert len(offsets) == len(rows) + 1
        if pad_to is None:
            assert np.array_equal(np.diff(offsets), lengths)
            assert np.array_equal(ids, ref_ids)
            assert np.all(cols["attention_mask"][1] == 1)
        else:
            assert np.all(np.diff(offsets) == pad_to)
            grid = ids.reshape(len(rows), pad_to)
            mask = cols["attention_mask"][1].reshape(len(rows), pad_to)
            keep = np.arange(pad_to)[None, :] < lengths[:, None]
            assert np.array_equal(grid[keep], ref_ids)
            assert np.all(grid[~keep] == 0)
            assert np.array_equal(mask.astype(bool), keep)
        assert np.all(cols["token_type_ids"][1] == 0)
        assert np.array_equal(cols["labels"], np.array([r["label"] for r in rows]))
    import datasets

    ds = datasets.load_from_disk(str(out / "validation"))
    assert ds.num_rows == 2000 and ds.features["labels"].names == NAMES and ds.format["type"] == "torch"


def test_json_files_byte_identical_to_datasets_save_to_disk(tmp_path):
    """dataset_info.json and state.json equal what `datasets` itself writes for the same dataset."""
    import datasets

    result, out = run_prepare(tmp_path, {"source": {"train": str(EMOTION / "test.jsonl")}, "splits": {"train": "train"}, "padding": "dynamic", "limit": 50, "labelNames": NAMES})
    mine = datasets.load_from_disk(str(out / "train"))
    features = datasets.Features({
        "input_ids": datasets.Sequence(datasets.Value("int32")),
        "token_type_ids": datasets.Sequence(datasets.Value("int8")),
        "attention_mask": datasets.Sequence(datasets.Value("int8")),
        "labels": datasets.ClassLabel(names=NAMES),
    })
    theirs = datasets.Dataset.from_dict(mine.with_format(None).to_dict(), features=features, split="train")
    theirs.set_format("torch", columns=["input_ids", "token_type_ids", "attention_mask", "labels"])
    ref = tmp_path / "ref"
    theirs.save_to_disk(str(ref))
    ours_info = (out / "train" / "dataset_info.json").read_bytes()
    ref_info = (ref / "dataset_info.json").read_bytes()
    # datasets >= 4 writes "List" where 2.x/3.x wrote "Sequence"; we write "Sequence", which all read.
    assert ours_info == ref_info.replace(b'"_type": "List"', b'"_type": "Sequence"')
    ours_state = json.loads((out / "train" / "state.json").read_text())
    ref_state = json.loads((ref / "state.json").read_text())
    ours_state.pop("_fingerprint"), ref_state.pop("_fingerprint")
    assert ours_state == ref_state
    ours_text = (out / "train" / "state.json").read_text()
    assert ours_text == json.dumps({**json.loads(ours_text)}, indent=2, sort_keys=True)
    ref_table = pa.ipc.open_stream(pa.memory_map(str(ref / "data-00000-of-00001.arrow"))).read_all()
    our_table = pa.ipc.open_stream(pa.memory_map(str(out / "train" / "data-00000-of-00001.arrow"))).read_all()
    assert our_table.schema.remove_metadata() == ref_table.schema.remove_metadata()
    assert our_table.equals(ref_table)
