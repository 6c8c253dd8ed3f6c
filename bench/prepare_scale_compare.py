"""Token ids of two save_to_disk folders, every row, in bounded memory (record batch by record batch).

Compares input_ids, token_type_ids, attention_mask and labels of OURS against REF: the Python anchor's
folder (made by the Rust tokenizer through datasets.map), or, when REF is the input JSONL file, the Rust
tokenizer (`tokenizers`, tokenizer.json of TOKENIZER_DIR) run here on its texts with truncation and
padding to MAX_LENGTH (the anchor's ids without its datasets pipeline, for sizes the anchor is not run at).
Prints one JSON line: rows compared, mismatching rows.
Usage: prepare_scale_compare.py OURS_DIR REF_DIR
       prepare_scale_compare.py OURS_DIR DATA.jsonl TOKENIZER_DIR MAX_LENGTH
"""
import json
import sys
from pathlib import Path

import numpy as np
import pyarrow as pa

COLS = ["input_ids", "token_type_ids", "attention_mask", "labels"]


def batches(folder):
    state = json.loads((Path(folder) / "state.json").read_text())
    for f in state["_data_files"]:
        with pa.memory_map(str(Path(folder) / f["filename"])) as src:
            for b in pa.ipc.open_stream(src):
                yield b


def rows(folder, chunk=20000):
    """Yields dicts of numpy arrays, `chunk` rows each (lists as 2-D: every row has the same length)."""
    buf = []
    n = 0
    for b in batches(folder):
        buf.append(b)
        n += b.num_rows
        while n >= chunk:
            t = pa.Table.from_batches(buf)
            head, rest = t.slice(0, chunk), t.slice(chunk)
            yield {c: to_np(head.column(c)) for c in COLS}
            buf, n = rest.to_batches(), rest.num_rows
    if n:
        t = pa.Table.from_batches(buf)
        yield {c: to_np(t.column(c)) for c in COLS}


def to_np(col):
    arr = col.combine_chunks()
    if pa.types.is_list(arr.type):
        offs = arr.offsets.to_numpy()
        width = int(offs[1] - offs[0]) if len(offs) > 1 else 0
        return arr.values.to_numpy().astype(np.int64).reshape(-1, width)
    return arr.to_numpy().astype(np.int64)


def rust_rows(data, tokenizer_dir, max_length, chunk=20000):
    from tokenizers import Tokenizer

    tok = Tokenizer.from_file(str(Path(tokenizer_dir) / "tokenizer.json"))
    tok.enable_truncation(max_length)
    tok.enable_padding(length=max_length)
    texts, labels = [], []

    def emit():
        enc = tok.encode_batch(texts)
        return {
            "input_ids": np.array([e.ids for e in enc], dtype=np.int64),
            "token_type_ids": np.array([e.type_ids for e in enc], dtype=np.int64),
            "attention_mask": np.array([e.attention_mask for e in enc], dtype=np.int64),
            "labels": np.array(labels, dtype=np.int64),
        }

    with open(data, encoding="utf-8") as f:
        for line in f:
            if not line.strip():
                continue
            r = json.loads(line)
            texts.append(r["text"])
            labels.append(r["label"])
            if len(texts) == chunk:
                yield emit()
                texts, labels = [], []
    if texts:
        yield emit()


ours, ref = sys.argv[1], sys.argv[2]
reference = rust_rows(ref, sys.argv[3], int(sys.argv[4])) if ref.endswith(".jsonl") else rows(ref)
total = bad = 0
for a, b in zip(rows(ours), reference):
    assert len(a["labels"]) == len(b["labels"])
    diff = np.zeros(len(a["labels"]), dtype=bool)
    for c in COLS:
        x, y = a[c], b[c]
        diff |= (x != y).reshape(len(diff), -1).any(axis=1) if x.ndim == 2 else x != y
    total += len(diff)
    bad += int(diff.sum())
print(json.dumps({"rows": total, "mismatched_rows": bad}))
