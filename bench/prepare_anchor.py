"""Anchor for bench/prepare.bench.mjs: the notebook's preprocessing in Python for the same work.

emotion train+test (18,000 texts) from the local JSONL files, bert-base-uncased (Rust tokenizer via
transformers' AutoTokenizer), padding max_length 512, datasets.map(batched=True), rename label ->
labels, set_format torch, save_to_disk into one folder per split. Prints one JSON line of timings.
"""
import json
import sys
import time

t0 = time.perf_counter()
import datasets  # noqa: E402
from transformers import AutoTokenizer  # noqa: E402

t_import = time.perf_counter() - t0
emotion, tokenizer_dir, out = sys.argv[1], sys.argv[2], sys.argv[3]
datasets.disable_caching()
datasets.disable_progress_bars()
t1 = time.perf_counter()
tok = AutoTokenizer.from_pretrained(tokenizer_dir)
names = ["sadness", "joy", "love", "anger", "fear", "surprise"]
for split in ["train", "test"]:
    ds = datasets.load_dataset("json", data_files=f"{emotion}/{split}.jsonl", split="train")
    ds = ds.cast_column("label", datasets.ClassLabel(names=names))
    ds = ds.map(lambda b: tok(b["text"], padding="max_length", truncation=True, max_length=512), batched=True)
    ds = ds.rename_column("label", "labels")
    ds.set_format("torch", columns=["input_ids", "token_type_ids", "attention_mask", "labels"])
    ds.save_to_disk(f"{out}/{split}")
t_work = time.perf_counter() - t1
print(json.dumps({"import_s": t_import, "work_s": t_work, "rows": 18000}))
