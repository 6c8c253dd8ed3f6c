"""Anchor for bench/prepare_scale.bench.mjs: the notebook's preprocessing in Python at scale.

One JSONL split, bert-base-uncased (Rust tokenizer via transformers' AutoTokenizer), padding max_length
128 with truncation, datasets.map(batched=True, num_proc=cores), rename label -> labels, set_format
torch, save_to_disk(num_proc=cores). Prints one JSON line of timings.
Usage: prepare_scale_anchor.py DATA.jsonl TOKENIZER_DIR OUT_DIR NUM_PROC
"""
import json
import sys
import time

t0 = time.perf_counter()
import datasets  # noqa: E402
from transformers import AutoTokenizer  # noqa: E402



def main():
    t_import = time.perf_counter() - t0
    data, tokenizer_dir, out, num_proc = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    datasets.disable_progress_bars()
    t1 = time.perf_counter()
    tok = AutoTokenizer.from_pretrained(tokenizer_dir)
    names = ["sadness", "joy", "love", "anger", "fear", "surprise"]
    # The json loader needs its cache (it writes arrow there first); it lives in a folder of this run.
    ds = datasets.load_dataset("json", data_files=data, split="train", cache_dir=f"{out}-cache")
    ds = ds.cast_column("label", datasets.ClassLabel(names=names))
    ds = ds.map(lambda b: tok(b["text"], padding="max_length", truncation=True, max_length=128), batched=True, num_proc=num_proc, remove_columns=["text"])
    ds = ds.rename_column("label", "labels")
    ds.set_format("torch", columns=["input_ids", "token_type_ids", "attention_mask", "labels"])
    ds.save_to_disk(out, num_proc=num_proc)
    t_work = time.perf_counter() - t1
    print(json.dumps({"import_s": t_import, "work_s": t_work, "rows": ds.num_rows}))


# num_proc > 1 starts worker processes (forkserver on Python >= 3.14): the work must not run on import.
if __name__ == "__main__":
    main()
