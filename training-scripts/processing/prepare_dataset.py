#!/usr/bin/env python3
"""`sagemaker-hf prepare --on sagemaker`: the dataset step inside a SageMaker Processing container.

Runs in a Hugging Face PyTorch image (the training image on GPU instances, which ships `datasets` and
`transformers`; the CPU inference image on CPU instances, which ships `transformers` and gets `datasets`
from pip when it lacks it, see ensure_datasets). Reads the job's
config (code/config.json), the split files of this instance (input/data/<split>/, ShardedByS3Key over
several instances) or the Hub dataset (then sharded here by host index), tokenizes with `datasets.map`
and `num_proc` = vCPUs exactly as the local prepare does (truncation at min(maxLength, model limit),
the same padding modes, special tokens kept when truncating), and writes one `save_to_disk` folder per
(channel, input part) under output/<host>/ plus output/<host>/summary.json. SageMaker uploads output/ when
the job ends; the client then assembles the channel folders and writes the manifest last.

Paths follow the Processing container contract; SM_PROCESSING_ROOT and SM_CONFIG_DIR move them (tests).
"""
import json
import math
import os
import sys
import time
from pathlib import Path

ROOT = Path(os.environ.get("SM_PROCESSING_ROOT", "/opt/ml/processing"))
CONFIG_DIR = Path(os.environ.get("SM_CONFIG_DIR", "/opt/ml/config"))
FAILURE_FILE = Path(os.environ.get("SM_FAILURE_FILE", "/opt/ml/output/message"))
CODE = ROOT / "input" / "code"
DATA = ROOT / "input" / "data"
TOKENIZER_DIR = ROOT / "input" / "tokenizer"
OUTPUT = ROOT / "output"
FORMATS = {".jsonl": "json", ".json": "json", ".csv": "csv", ".parquet": "parquet"}


class UserError(Exception):
    pass


def hosts():
    """(current host, sorted hosts) from resourceconfig.json; one host when absent (a local run)."""
    rc = CONFIG_DIR / "resourceconfig.json"
    if rc.exists():
        d = json.loads(rc.read_text())
        return d["current_host"], sorted(d["hosts"])
    return "algo-1", ["algo-1"]


def num_proc():
    return max(1, int(os.environ.get("SAGEMAKER_HF_NUM_PROC") or os.cpu_count() or 1))


# Whole Hub splits before sharding: every instance infers the same class list from all the labels.
LABEL_SOURCES = {}


def load_parts(cfg, split, host_index, host_count):
    """[(part name, Dataset)] for one split on this host, in source order."""
    import datasets

    source = cfg["source"]
    if isinstance(source, str):
        ds = datasets.load_dataset(source, cfg.get("config"), split=split)
        if cfg.get("limit"):
            ds = ds.select(range(min(cfg["limit"], len(ds))))
        LABEL_SOURCES[split] = ds
        if host_count > 1:
            ds = ds.shard(num_shards=host_count, index=host_index, contiguous=True)
        return [(f"hub-{host_index:05d}", ds)]
    folder = DATA / split
    files = sorted(p for p in folder.glob("*") if p.is_file()) if folder.exists() else []
    parts = []
    for f in files:
        fmt = FORMATS.get(f.suffix.lower())
        if not fmt:
            raise UserError(f"dataset.source.{split}: {f.name} is not .jsonl, .csv or .parquet")
        parts.append((f.stem, datasets.load_dataset(fmt, data_files=str(f), split="train")))
    if cfg.get("limit") and parts:
        # One instance only (the client refuses limit with several): the first `limit` rows of the split.
        left, kept = cfg["limit"], []
        for name, ds in parts:
            if left <= 0:
                break
            kept.append((name, ds.select(range(min(left, len(ds))))))
            left -= len(kept[-1][1])
        parts = kept
    return parts


def resolve_label_names(cfg, all_parts):
    """The local prepare's order: the spec's list, the dataset's ClassLabel, sorted strings, 0..max."""
    from datasets import ClassLabel

    column = cfg["labelColumn"]
    if cfg.get("labelNames"):
        return list(cfg["labelNames"]), "spec"
    for _, _, ds in all_parts:
        feat = ds.features.get(column)
        if isinstance(feat, ClassLabel):
            return list(feat.names), "dataset"
    strings, max_int = set(), -1
    for split, part, ds in all_parts:
        if column not in ds.column_names:
            raise UserError(f"dataset.labelColumn: {split}/{part} has no column '{column}' (it has: {', '.join(ds.column_names)})")
        for i, v in enumerate(ds[column]):
            if isinstance(v, str):
                strings.add(v)
            elif isinstance(v, int) and not isinstance(v, bool) and v >= 0:
                max_int = max(max_int, v)
            else:
                raise UserError(f"{split}/{part} row {i}: {column} {v!r} is not a class name nor a class id (a whole number >= 0)")
    if strings and max_int >= 0:
        raise UserError(f"dataset.labelColumn: column '{column}' mixes class names and numeric ids; list dataset.labelNames in the spec")
    if strings:
        return sorted(strings), "sorted-strings"
    return [str(i) for i in range(max_int + 1)], "integers"


def model_max_length(tok):
    m = getattr(tok, "model_max_length", None)
    return m if isinstance(m, int) and 0 < m < 1_000_000 else math.inf


def tokenize(ds, tok, cfg, names, truncate_at, pad_to, with_types, where):
    """datasets.map over all cores: ids, masks, labels and the untruncated length (for the report)."""
    from datasets import ClassLabel, Features, Sequence, Value

    text, column = cfg["textColumn"], cfg["labelColumn"]
    for c in (text, column):
        if c not in ds.column_names:
            raise UserError(f"dataset.{'textColumn' if c == text else 'labelColumn'}: {where} has no column '{c}' (it has: {', '.join(ds.column_names)})")
    index = {n: i for i, n in enumerate(names)}
    pad_id = tok.pad_token_id if tok.pad_token_id is not None else 0

    def encode(batch):
        texts = batch[text]
        full = tok(texts, add_special_tokens=True)["input_ids"]
        out = {"input_ids": [], "attention_mask": [], "labels": [], "raw_length": []}
        if with_types:
            out["token_type_ids"] = []
        over = [i for i, ids in enumerate(full) if len(ids) > truncate_at]
        cut = {}
        if over:
            # Only the long rows go through the tokenizer's own truncation (text tokens cut, specials kept).
            enc = tok([texts[i] for i in over], truncation=True, max_length=truncate_at, return_token_type_ids=with_types)
            cut = {i: (enc["input_ids"][k], enc["token_type_ids"][k] if with_types else None) for k, i in enumerate(over)}
        for i, ids in enumerate(full):
            types = None
            if i in cut:
                ids, types = cut[i]
            pad = (pad_to - len(ids)) if pad_to else 0
            out["raw_length"].append(len(full[i]))
            out["input_ids"].append(list(ids) + [pad_id] * pad)
            out["attention_mask"].append([1] * len(ids) + [0] * pad)
            if with_types:
                out["token_type_ids"].append((list(types) if types is not None else [0] * len(ids)) + [0] * pad)
            v = batch[column][i]
            if isinstance(v, str):
                if v not in index:
                    raise ValueError(f"{where}: {column} '{v}' is not in the class list ({', '.join(names[:12])}); fix the row or dataset.labelNames")
                out["labels"].append(index[v])
            elif isinstance(v, int) and not isinstance(v, bool) and 0 <= v < len(names):
                out["labels"].append(v)
            else:
                raise ValueError(f"{where}: {column} {v!r} is out of range: ids go from 0 to {len(names) - 1}")
        return out

    feats = {"input_ids": Sequence(Value("int32"))}
    if with_types:
        feats["token_type_ids"] = Sequence(Value("int8"))
    feats.update({"attention_mask": Sequence(Value("int8")), "labels": ClassLabel(names=names), "raw_length": Value("int32")})
    n = min(num_proc(), max(1, len(ds) // 1000))
    return ds.map(encode, batched=True, batch_size=1000, num_proc=n if n > 1 else None, remove_columns=ds.column_names, features=Features(feats), desc=f"tokenizing {where}")


def ensure_datasets():
    """Installs `datasets` with pip when the image lacks it (the CPU inference image is built for serving)."""
    import importlib.util

    if importlib.util.find_spec("datasets") is not None:
        return
    print("[prepare] this image has no `datasets`: installing it with pip", flush=True)
    import subprocess

    subprocess.check_call([sys.executable, "-m", "pip", "install", "--quiet", "--no-cache-dir", "datasets"])


def main():
    t0 = time.time()
    ensure_datasets()
    import numpy as np
    from transformers import AutoTokenizer

    cfg = json.loads((CODE / "config.json").read_text())
    host, all_hosts = hosts()
    host_index, host_count = all_hosts.index(host), len(all_hosts)
    print(f"[prepare] host {host} ({host_index + 1} of {host_count}), num_proc {num_proc()}", flush=True)
    tokenizer_path = str(TOKENIZER_DIR) if cfg.get("tokenizerUploaded") else cfg["tokenizer"]
    tok = AutoTokenizer.from_pretrained(tokenizer_path)
    with_types = "token_type_ids" in tok.model_input_names
    cap = min(cfg["maxLength"], model_max_length(tok))

    splits = sorted(set(cfg["splits"].values()))
    loaded = {s: load_parts(cfg, s, host_index, host_count) for s in splits}
    label_parts = [(s, "all", LABEL_SOURCES[s]) if s in LABEL_SOURCES else None for s in loaded]
    label_parts = [x for x in label_parts if x] or [(s, p, d) for s, parts in loaded.items() for p, d in parts]
    names, names_from = resolve_label_names(cfg, label_parts)
    if len(names) < 2:
        raise UserError(f"dataset.labelColumn: column '{cfg['labelColumn']}' has {len(names)} class; classification needs at least 2")

    padding = cfg["padding"]
    if padding == "auto":
        # The longest row decides (one host only: the client refuses auto over several).
        longest = 0
        for s, parts in loaded.items():
            for p, ds in parts:
                lengths = ds.map(lambda b: {"n": [len(x) for x in tok(b[cfg["textColumn"]])["input_ids"]]}, batched=True, remove_columns=ds.column_names, num_proc=min(num_proc(), max(1, len(ds) // 1000)) or None)["n"]
                longest = max([longest, *lengths])
        pad_to = min(cap, max(8, math.ceil(longest / 8) * 8))
        truncate_at = pad_to
    else:
        truncate_at = cap
        pad_to = cap if padding == "max_length" else None

    columns = ["input_ids", *(["token_type_ids"] if with_types else []), "attention_mask", "labels"]
    summary_parts = []
    for s, parts in loaded.items():
        for p, ds in parts:
            out = tokenize(ds, tok, cfg, names, truncate_at, pad_to, with_types, f"{s}/{p}")
            lengths = np.asarray(out["raw_length"], dtype=np.int64)
            labels = np.asarray(out["labels"], dtype=np.int64)
            out = out.remove_columns(["raw_length"])
            out.set_format("torch", columns=columns)
            for channel in sorted(c for c, sp in cfg["splits"].items() if sp == s):
                rel = f"{host}/{channel}/{p}"
                out.save_to_disk(str(OUTPUT / rel))
                files = sorted(f.name for f in (OUTPUT / rel).glob("data-*.arrow"))
                counts = np.bincount(lengths) if len(lengths) else np.zeros(0, dtype=np.int64)
                summary_parts.append({
                    "channel": channel, "split": s, "part": p, "dir": rel, "rows": len(out), "files": files,
                    "fingerprint": out._fingerprint,
                    "lengthCounts": [[int(k), int(v)] for k, v in enumerate(counts) if v],
                    "labelCounts": np.bincount(labels, minlength=len(names)).tolist() if len(labels) else [0] * len(names),
                    "bytes": sum((OUTPUT / rel / f).stat().st_size for f in files),
                })
            print(f"[prepare] {s}/{p}: {len(out)} rows", flush=True)
    summary = {
        "host": host, "hosts": all_hosts, "labelNames": names, "labelNamesFrom": names_from, "padding": padding,
        "padTo": pad_to, "truncateAt": truncate_at, "withTypeIds": with_types, "columns": columns,
        "maxLength": cfg["maxLength"], "modelMaxLength": None if model_max_length(tok) == math.inf else model_max_length(tok),
        "numProc": num_proc(), "seconds": round(time.time() - t0, 3), "parts": summary_parts,
    }
    (OUTPUT / host).mkdir(parents=True, exist_ok=True)
    (OUTPUT / host / "summary.json").write_text(json.dumps(summary, indent=2) + "\n")
    print(f"[prepare] done: {sum(p['rows'] for p in summary_parts)} rows in {summary['seconds']} s", flush=True)


if __name__ == "__main__":
    try:
        main()
    except UserError as err:
        msg = str(err)
        print(f"[prepare] error: {msg}", file=sys.stderr, flush=True)
        try:
            FAILURE_FILE.parent.mkdir(parents=True, exist_ok=True)
            FAILURE_FILE.write_text(msg[:1000])
        except OSError:
            pass
        sys.exit(2)
