"""The notebook's whole training run against ours, compilation included, in one invocation.

Every variant is training-scripts/train.py run as the SageMaker container runs it (bench/train_throughput.py's
runner: sorted `--key value` arguments, SM_* variables, channels train/test), on the emotion data
tokenized with the bert-base-uncased tokenizer, with a randomly initialised bert-base-geometry model (no
Hub weights here; every variant starts from the same weights and seed, so accuracies compare).

  whole runs (4 epochs, batch 24, eval each epoch, the full test split):
    notebook      padding max_length 512, --fp16 True, eager (what the notebook runs)
    ours cold     stored unpadded, length buckets, precision chosen from the GPU, regional torch.compile,
                  fused AdamW; empty compiler caches (a fresh TORCHINDUCTOR_CACHE_DIR)
    ours warm     the same, fresh local caches, but the compile cache the cold run saved given back as
                  the compile_cache channel (what the next job of the same spec gets)
  steady samples/s (short runs, no eval): the notebook's settings and ours at batch 24, ours with the
  whole model compiled, ours with the optimizer step compiled too, and ours at larger batches (the best
  one is reported).

Prints one table with ratios against the notebook measured in the same invocation, and writes
train_speed.txt/.json to --out ($OUT on the device machine).

GPU (one device, about 10 minutes):  python bench/train_speed.py
CPU smoke (tiny BERT, minutes):      python bench/train_speed.py --tiny
  (--tiny: 2-layer model, 96 train / 48 test rows, 1 epoch, 8-step steady runs, and the aot_eager backend unless
  --backend inductor: inductor builds C++ per graph on a CPU, slow on a shared 2-core machine)
"""
import argparse
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from train_throughput import find_shared, prepare, repo, run_variant  # noqa: E402


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--tiny", action="store_true")
    p.add_argument("--epochs", type=int, default=0, help="whole-run epochs (default 4, the notebook's; 1 with --tiny)")
    p.add_argument("--backend", default="", help="torch.compile backend (default inductor; aot_eager with --tiny)")
    p.add_argument("--mode", default="reduce-overhead", help="torch.compile mode for ours")
    p.add_argument("--batches", default="", help="batch sizes for the steady sweep (default 64,128,256)")
    p.add_argument("--out", default=os.environ.get("OUT") or os.path.join(repo, ".cache", "bench"))
    p.add_argument("--work", default="/tmp/train-speed")
    p.add_argument("--shared", default="")
    p.add_argument("--budget", type=float, default=540, help="seconds for everything; later variants are skipped or cut short")
    p.add_argument("--only", default="", help="comma-separated parts of variant names to run (default: all)")
    p.add_argument("--timeout", type=float, default=240, help="seconds per variant (also cut to what the budget leaves)")
    a = p.parse_args()
    t_start = time.perf_counter()
    os.makedirs(a.out, exist_ok=True)
    shared = find_shared(a.shared)
    import torch
    import transformers

    cuda = torch.cuda.is_available()
    card = torch.cuda.get_device_name() if cuda else "cpu"
    backend = a.backend or ("aot_eager" if a.tiny else "inductor")
    epochs = a.epochs or (1 if a.tiny else 4)
    print("device %s, torch %s, transformers %s, backend %s" % (card, torch.__version__, transformers.__version__, backend),
          flush=True)
    data, model_dir = prepare(shared, a.work, a.tiny, 96 if a.tiny else 0, n_test=48 if a.tiny else 0)
    print("prepared in %.1f s" % (time.perf_counter() - t_start), flush=True)

    seed = 42
    notebook = {"epochs": epochs, "train_batch_size": 24, "eval_batch_size": 32, "learning_rate": 3e-05, "fp16": True,
                "warmup_steps": 2 if a.tiny else 500, "seed": seed, "_data": "pad512"}
    ours = dict(notebook, _data="dynamic", torch_compile=True, torch_compile_backend=backend,
                torch_compile_mode=a.mode if backend == "inductor" else "default", eval_batch_size=64)
    short = {"eval": False, "epochs": 1}
    steady_steps = 8 if a.tiny else 300

    def caches(name):
        """A fresh local compiler cache per variant, so only the saved artifacts can make a run warm."""
        d = os.path.join(a.work, "inductor-cache", name)
        return {"TORCHINDUCTOR_CACHE_DIR": d, "TRITON_CACHE_DIR": os.path.join(d, "triton"),
                "SM_HF_WARMPOOL_CACHE": os.path.join(d, "no-warm-pool")}

    rows = []

    def run(label, kind, hps, extra=None):
        if a.only and not any(o in label for o in a.only.split(",")):
            return None
        left = a.budget - (time.perf_counter() - t_start)
        if left < 60:
            print("SKIPPED %s: budget of %.0f s used" % (label, a.budget), flush=True)
            return None
        env = caches(label.replace(" ", "_"))
        env.update(extra or {})
        # Never past the budget, so the table is printed within the device's time limit.
        r = run_variant(label, hps, data, model_dir, a.work, min(a.timeout, left), a.out, extra_env=env)
        r["kind"] = kind
        rows.append(r)
        return r

    run("notebook whole run", "whole", notebook)
    cold = run("ours whole run, cold", "whole", ours)
    cache = os.path.join(cold["output"], "compile_cache") if cold else ""
    run("ours whole run, warm cache", "whole", ours, {"SM_CHANNEL_COMPILE_CACHE": cache})
    run("notebook settings, batch 24", "steady", dict(notebook, max_steps=min(steady_steps, 150), **short))
    run("ours, batch 24", "steady", dict(ours, max_steps=steady_steps, **short), {"SM_CHANNEL_COMPILE_CACHE": cache})
    run("ours whole-model compile, batch 24", "steady", dict(ours, max_steps=steady_steps, compile_scope="model", **short))
    run("ours + compiled optimizer, batch 24", "steady", dict(ours, max_steps=steady_steps, compile_optimizer=True, **short))
    for b in [int(x) for x in (a.batches or ("48" if a.tiny else "64,128,256")).split(",")]:
        run("ours, batch %d" % b, "steady", dict(ours, train_batch_size=b, max_steps=steady_steps, **short),
            {"SM_CHANNEL_COMPILE_CACHE": cache})

    def get(label, key):
        r = next((x for x in rows if x["name"] == label and x["rc"] == 0), None)
        return r.get(key) if r else None

    nb_wall, nb_sps = get("notebook whole run", "wall_s"), get("notebook settings, batch 24", "steady_samples_per_second")
    lines = ["device: %s (torch %s, transformers %s); bert-%s geometry, random init, seed %d; backend %s, mode %s" % (
        card, torch.__version__, transformers.__version__, "tiny" if a.tiny else "base", seed, backend, ours["torch_compile_mode"]),
        "%-38s %7s %7s %9s %10s %8s %8s %6s" % ("variant", "wall s", "train s", "compile s", "samples/s", "x nb", "eval acc",
                                                 "cache")]
    for r in rows:
        sps = r.get("steady_samples_per_second")
        if r["kind"] == "whole":
            ratio = nb_wall / r["wall_s"] if nb_wall and r["rc"] == 0 else None
            sps = None
        else:
            ratio = sps / nb_sps if sps and nb_sps else None
        comp, acc = r.get("compile_seconds"), r.get("eval_accuracy")
        lines.append("%-38s %7.0f %7s %9s %10s %8s %8s %6s%s" % (
            r["name"], r["wall_s"], "%.0f" % r["train_s"] if r.get("train_s") else "-",
            "%.1f" % comp if comp is not None else "-", "%.0f" % sps if sps else "-",
            "%.2f" % ratio if ratio else "-", "%.4f" % acc if acc is not None else "-",
            {None: "-", 0.0: "cold", 1.0: "warm"}.get(r.get("compile_cache_loaded")),
            "" if r["rc"] == 0 else "  (rc %s)" % r["rc"]))
    sweep = [r for r in rows if r["kind"] == "steady" and r["name"].startswith("ours, batch") and r.get("steady_samples_per_second")]
    if sweep:
        best = max(sweep, key=lambda r: r["steady_samples_per_second"])
        lines.append("best batch: %s, %.0f samples/s%s" % (best["name"].split("batch ")[1], best["steady_samples_per_second"],
                                                           " (%.2fx the notebook at 24)" % (best["steady_samples_per_second"] / nb_sps) if nb_sps else ""))
    lines.append("targets: whole run >= 3x (x nb of the whole-run rows), steady at batch 24 >= 5x (x nb of 'ours, batch 24')")
    text = "\n".join(lines)
    print(text, flush=True)
    with open(os.path.join(a.out, "train_speed.txt"), "w") as f:
        f.write(text + "\n")
    with open(os.path.join(a.out, "train_speed.json"), "w") as f:
        json.dump({"device": card, "torch": torch.__version__, "transformers": transformers.__version__, "backend": backend,
                   "rows": rows}, f, indent=1)
    if any(r["rc"] != 0 for r in rows):
        sys.exit(1)


if __name__ == "__main__":
    main()
