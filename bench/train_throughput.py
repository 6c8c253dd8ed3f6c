"""Training throughput of training-scripts/train.py: the seed's settings against the fast path, one run.

Runs train.py exactly as the SageMaker container does (sorted `--key value` arguments, SM_* variables,
channels train/test) once per variant on the emotion train split, with a randomly initialised model of
the bert-base-uncased geometry (throughput does not depend on the weights; no Hub access needed), and
reads the `[metrics]` lines it prints: steady-state samples/s (after the warm-up steps) and the seconds
compilation cost. Prints a table with ratios against the seed in the same run.

  seed:      padding max_length 512, fp16, batch 24, eager           (the notebook)
  fast:      stored unpadded, padded per batch (multiple of 8, length-grouped), bf16 where the GPU
             has it (else fp16), torch.compile, batch 24
  ...and the steps in between, so each gain is visible.

Usage: python bench/train_throughput.py [--tiny] [--steps N] [--out DIR] [--only a,b] [--budget S]
       (--tiny: 2-layer model and few steps, to check the script on a CPU)
Data: ../shared (next to the repo) or ./shared inside it; --shared DIR to choose.
"""
import argparse
import json
import os
import re
import subprocess
import sys
import time

here = os.path.dirname(os.path.abspath(__file__))
repo = os.path.dirname(here)


def find_shared(arg):
    for d in ([arg] if arg else []) + [os.path.join(repo, "shared"), os.path.join(os.path.dirname(repo), "shared"),
                                        os.path.join(repo, ".benchdata")]:
        if d and os.path.isfile(os.path.join(d, "data", "emotion", "train.jsonl")):
            return d
    sys.exit("train_throughput failed: no shared data (data/emotion/train.jsonl) found; pass --shared DIR")


def prepare(shared, work, tiny, n_train, max_length=512, n_test=256):
    """Tokenized datasets as train.py reads them: padded to 512 (seed) and unpadded (dynamic)."""
    from datasets import ClassLabel, Dataset, Features, Sequence, Value
    from tokenizers import Tokenizer

    names = ["sadness", "joy", "love", "anger", "fear", "surprise"]
    tok = Tokenizer.from_file(os.path.join(shared, "models", "bert-base-uncased", "tokenizer.json"))
    tok.enable_truncation(max_length)
    feats = Features({"input_ids": Sequence(Value("int32")), "attention_mask": Sequence(Value("int8")),
                      "labels": ClassLabel(names=names)})
    out = {}
    for split, limit in (("train", n_train), ("test", n_test)):
        rows = []
        with open(os.path.join(shared, "data", "emotion", split + ".jsonl")) as f:
            for line in f:
                rows.append(json.loads(line))
                if limit and len(rows) >= limit:
                    break
        ids = [e.ids for e in tok.encode_batch([r["text"] for r in rows])]
        labels = [r["label"] for r in rows]
        for kind in ("pad512", "dynamic"):
            if kind == "pad512":
                x = [s + [0] * (max_length - len(s)) for s in ids]
                m = [[1] * len(s) + [0] * (max_length - len(s)) for s in ids]
            else:
                x, m = ids, [[1] * len(s) for s in ids]
            ds = Dataset.from_dict({"input_ids": x, "attention_mask": m, "labels": labels}, features=feats)
            ds.set_format("torch")
            path = os.path.join(work, kind, split)
            ds.save_to_disk(path)
            out[(kind, split)] = path
        if split == "train":
            lens = [len(s) for s in ids]
            print("train rows %d, mean tokens %.1f, max %d" % (len(ids), sum(lens) / len(lens), max(lens)), flush=True)
    model_dir = os.path.join(work, "model")
    cfg = os.path.join(shared, "models", "bert-tiny-config" if tiny else "bert-base-uncased")
    subprocess.run([sys.executable, os.path.join(repo, "test", "tools", "make_tiny_model.py"), model_dir,
                    "--config", cfg, "--tokenizer", os.path.join(shared, "models", "bert-base-uncased")],
                   check=True, stdout=subprocess.DEVNULL)
    return out, model_dir


METRIC = re.compile(r"\[metrics\](.*)")


def run_variant(name, hps, data, model_dir, work, timeout, out_dir, extra_env=None):
    hps = dict(hps)
    kind = hps.pop("_data", "pad512")
    hps["model_id"] = model_dir
    args = []
    for k in sorted(hps):  # the training toolkit sorts hyperparameters and passes str(value)
        args += ["--" + k, str(hps[k])]
    run_dir = os.path.join(work, "runs", re.sub(r"[^A-Za-z0-9]+", "_", name))
    env = dict(os.environ, SM_MODEL_DIR=os.path.join(run_dir, "model"), SM_OUTPUT_DATA_DIR=os.path.join(run_dir, "output"),
               SM_CHANNEL_TRAIN=data[(kind, "train")], SM_NUM_GPUS="1",
               PYTHONUNBUFFERED="1")
    env.update(extra_env or {})
    res_dirs = {"output": env["SM_OUTPUT_DATA_DIR"], "model": env["SM_MODEL_DIR"]}
    env["SM_CHANNEL_TEST"] = data[(kind, "test")]
    t0 = time.perf_counter()
    res = {"name": name}
    try:
        p = subprocess.run([sys.executable, os.path.join(repo, "training-scripts", "train.py")] + args, env=env,
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=timeout)
        log, rc = p.stdout, p.returncode
    except subprocess.TimeoutExpired as e:
        log, rc = (e.stdout or b"").decode() if isinstance(e.stdout, bytes) else (e.stdout or ""), "timeout"
    res["wall_s"] = time.perf_counter() - t0
    res["rc"] = rc
    res.update(res_dirs)
    took = re.search(r"training took ([\d.]+) s", log)
    if took:
        res["train_s"] = float(took.group(1))
    with open(os.path.join(out_dir, "log_" + re.sub(r"[^A-Za-z0-9]+", "_", name) + ".txt"), "w") as f:
        f.write(" ".join(args) + "\n" + log)
    for line in log.splitlines():
        m = METRIC.search(line)
        if m:
            for k, v in re.findall(r"([A-Za-z_]\w*)=(\S+)", m.group(1)):
                try:
                    res[k] = float(v)
                except ValueError:
                    pass
    if rc != 0:
        tail = "\n".join(log.splitlines()[-15:])
        print("FAILED %s (rc %s):\n%s" % (name, rc, tail), flush=True)
    print(json.dumps({k: res.get(k) for k in ("name", "rc", "wall_s", "steady_samples_per_second", "compile_seconds",
                                              "warmup_seconds", "train_samples_per_second")}), flush=True)
    return res


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--tiny", action="store_true")
    p.add_argument("--steps", type=int, default=0, help="measured steps per variant (default 150 seed, 400 fast)")
    p.add_argument("--out", default=os.environ.get("OUT") or os.path.join(repo, ".cache", "bench"))
    p.add_argument("--work", default="/tmp/train-throughput")
    p.add_argument("--shared", default="")
    p.add_argument("--only", default="")
    p.add_argument("--budget", type=float, default=360, help="seconds; variants that would start later are skipped")
    p.add_argument("--timeout", type=float, default=150, help="seconds per variant")
    a = p.parse_args()
    t_start = time.perf_counter()
    os.makedirs(a.out, exist_ok=True)
    shared = find_shared(a.shared)
    import torch

    cuda = torch.cuda.is_available()
    card = torch.cuda.get_device_name() if cuda else "cpu"
    bf16 = cuda and torch.cuda.is_bf16_supported()
    import transformers
    print("device %s, torch %s, transformers %s" % (card, torch.__version__, transformers.__version__), flush=True)
    data, model_dir = prepare(shared, a.work, a.tiny, 2000 if a.tiny else 0)
    print("prepared in %.1f s" % (time.perf_counter() - t_start), flush=True)
    seed_steps = a.steps or (20 if a.tiny else 150)
    fast_steps = a.steps or (20 if a.tiny else 400)
    base = {"epochs": 1, "train_batch_size": 24, "eval_batch_size": 32, "learning_rate": 3e-05, "fp16": True, "eval": False}
    fast_prec = {"bf16": True, "fp16": False} if bf16 else {"fp16": True}
    variants = [
        ("seed: pad512 fp16 eager", dict(base, max_steps=seed_steps, _data="pad512")),
        ("per-batch pad8 %s eager" % ("bf16" if bf16 else "fp16"),
         dict(base, max_steps=fast_steps, _data="dynamic", pad_to_multiple_of=8, **fast_prec)),
        ("fast: pad32 %s compile cudagraphs" % ("bf16" if bf16 else "fp16"),
         dict(base, max_steps=fast_steps, _data="dynamic", pad_to_multiple_of=32, torch_compile=True,
              torch_compile_mode="reduce-overhead", **fast_prec)),
        ("fast: pad8 %s compile" % ("bf16" if bf16 else "fp16"),
         dict(base, max_steps=fast_steps, _data="dynamic", pad_to_multiple_of=8, torch_compile=True,
              torch_compile_mode="default", **fast_prec)),
        ("seed + torch.compile", dict(base, max_steps=seed_steps, _data="pad512", torch_compile=True, torch_compile_mode="default")),
    ]
    if a.only:
        variants = [v for v in variants if any(o in v[0] for o in a.only.split(","))]
    rows = []
    for name, hps in variants:
        if time.perf_counter() - t_start > a.budget:
            print("SKIPPED %s: budget of %.0f s used" % (name, a.budget), flush=True)
            continue
        rows.append(run_variant(name, hps, data, model_dir, a.work, a.timeout, a.out))
    seed = next((r.get("steady_samples_per_second") for r in rows if r["name"].startswith("seed:")), None)
    lines = ["device: %s (torch %s, transformers %s); batch 24; bert-base geometry%s" % (
        card, torch.__version__, transformers.__version__, " (TINY)" if a.tiny else ""),
        "%-36s %10s %7s %10s %8s" % ("variant", "samples/s", "x seed", "compile s", "wall s")]
    for r in rows:
        sps = r.get("steady_samples_per_second")
        ratio = ("%.2f" % (sps / seed)) if sps and seed else "-"
        comp = r.get("compile_seconds")
        lines.append("%-36s %10s %7s %10s %8.0f%s" % (r["name"], "%.0f" % sps if sps else "-", ratio,
                                                      "%.1f" % comp if comp is not None else "-", r["wall_s"],
                                                      "" if r["rc"] == 0 else "  (rc %s)" % r["rc"]))
    text = "\n".join(lines)
    print(text, flush=True)
    with open(os.path.join(a.out, "train_throughput.txt"), "w") as f:
        f.write(text + "\n")
    with open(os.path.join(a.out, "train_throughput.json"), "w") as f:
        json.dump({"device": card, "torch": torch.__version__, "transformers": transformers.__version__, "rows": rows}, f, indent=1)


if __name__ == "__main__":
    main()
