"""Fine-tunes a sequence classifier on a tokenized dataset (the Hugging Face "Training Compiler" notebook's
script, made right and portable).

Runs unchanged in the SageMaker Training Compiler containers (Python 3.8, transformers 4.11-4.21,
PyTorch 1.9-1.11), in current Hugging Face PyTorch 2.x images (transformers 4.4x-5.x) and locally.
The container calls it as `python train.py --epochs 4 --fp16 True ...` (sorted hyperparameters) with the
SM_* environment variables set; every SM_* default can also be given as an argument for local runs.

Fixes against the notebook: `--fp16 False` means False; a missing channel is a clear error, not a
KeyError; checkpoints go to a separate folder (never into model.tar.gz); accuracy is computed with numpy
(`datasets.load_metric` is gone); label names and the tokenizer are saved with the model; metrics are
printed as `[metrics] k=v ...` lines (contract: src/core/metrics.ts); datasets stored without padding are
padded per batch (length-grouped, to a multiple of 8).
"""
import argparse
import json
import logging
import math
import os
import sys
import time

import numpy as np

logger = logging.getLogger("train")


def str2bool(value):
    """argparse type for booleans written as the SDK and the toolkit write them (True/true/1/yes)."""
    if isinstance(value, bool):
        return value
    v = str(value).strip().lower()
    if v in ("true", "1", "yes", "y", "on"):
        return True
    if v in ("false", "0", "no", "n", "off", ""):
        return False
    raise argparse.ArgumentTypeError("expected a boolean (True/False), got %r" % (value,))


def parse_args(argv=None):
    env = os.environ
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    # The notebook's hyperparameters (same names, same defaults).
    p.add_argument("--epochs", type=int, default=3)
    p.add_argument("--train_batch_size", type=int, default=32)
    p.add_argument("--eval_batch_size", type=int, default=64)
    p.add_argument("--warmup_steps", type=int, default=500)
    p.add_argument("--model_id", type=str, required=True, help="Hub model id or a local model folder")
    p.add_argument("--learning_rate", type=str, default="5e-5")
    p.add_argument("--fp16", type=str2bool, default=True, help="mixed precision fp16 (GPU only)")
    # SageMaker environment (defaults read lazily, so a missing channel is reported, not a KeyError).
    p.add_argument("--output_data_dir", type=str, default=env.get("SM_OUTPUT_DATA_DIR"))
    p.add_argument("--output_dir", type=str, default=env.get("SM_MODEL_DIR"))
    p.add_argument("--n_gpus", type=str, default=env.get("SM_NUM_GPUS"))
    p.add_argument("--training_dir", type=str, default=env.get("SM_CHANNEL_TRAIN"))
    p.add_argument("--test_dir", type=str, default=env.get("SM_CHANNEL_TEST"))
    # Additions (all optional; the notebook's calls stay valid).
    p.add_argument("--bf16", type=str2bool, default=False, help="bf16 mixed precision where the GPU has it (else falls back)")
    p.add_argument("--torch_compile", type=str2bool, default=False, help="torch.compile the model (PyTorch 2.x)")
    # Measured (BENCHMARKS.md, H200, batch 24): per-batch padding to multiples of 32 with CUDA graphs is
    # 3.3x the notebook's settings; multiples of 8 with the default mode only 1.35x (launch-bound).
    p.add_argument("--torch_compile_mode", type=str, default="reduce-overhead",
                   help="reduce-overhead (CUDA graphs, default) | default | max-autotune | max-autotune-no-cudagraphs")
    p.add_argument("--pad_to_multiple_of", type=int, default=0,
                   help="per-batch padding granularity for unpadded data; 0: 32 when compiling (few shapes), else 8")
    p.add_argument("--group_by_length", type=str2bool, default=True, help="length-grouped batches for unpadded data")
    p.add_argument("--checkpoint_dir", type=str, default=None, help="where checkpoints go (never the model dir)")
    p.add_argument("--max_steps", type=int, default=-1, help="stop after N optimizer steps (quick runs, benchmarks)")
    p.add_argument("--max_train_samples", type=int, default=0)
    p.add_argument("--max_eval_samples", type=int, default=0)
    p.add_argument("--logging_steps", type=int, default=0, help="0: about 10 log lines per run, at most every 50 steps")
    p.add_argument("--eval", type=str2bool, default=True, help="evaluate each epoch and at the end")
    p.add_argument("--dataloader_num_workers", type=int, default=-1, help="-1: 2 on a GPU, else 0")
    p.add_argument("--seed", type=int, default=42)
    args, unknown = p.parse_known_args(argv)
    if unknown:
        logger.warning("ignoring unknown arguments: %s", " ".join(unknown))
    missing = []
    for name, var in (("training_dir", "SM_CHANNEL_TRAIN"), ("test_dir", "SM_CHANNEL_TEST"),
                      ("output_dir", "SM_MODEL_DIR"), ("output_data_dir", "SM_OUTPUT_DATA_DIR")):
        if not getattr(args, name):
            missing.append("--%s (or %s)" % (name, var))
    if missing:
        p.error("missing %s. In SageMaker the channels 'train' and 'test' set SM_CHANNEL_TRAIN and SM_CHANNEL_TEST: "
                "pass both channels to the training job." % ", ".join(missing))
    for name in ("training_dir", "test_dir"):
        d = getattr(args, name)
        if not os.path.isdir(d):
            p.error("--%s %s does not exist: prepare the dataset first (it must be a datasets.save_to_disk folder)" % (name, d))
    try:
        args.learning_rate = float(args.learning_rate)
    except ValueError:
        p.error("--learning_rate must be a number, got %r" % args.learning_rate)
    return args


def fmt_value(v):
    if isinstance(v, bool):
        return "1" if v else "0"
    if isinstance(v, int):
        return str(v)
    f = float(v)
    if math.isnan(f):
        return "nan"
    if math.isinf(f):
        return "inf" if f > 0 else "-inf"
    return repr(f)


def print_metrics(values):
    """One `[metrics] k=v ...` line (src/core/metrics.ts); non-numeric values are left out."""
    pairs = []
    for k, v in values.items():
        if isinstance(v, (int, float)) and not isinstance(v, bool):
            pairs.append("%s=%s" % (k, fmt_value(v)))
    if pairs:
        print("[metrics] " + " ".join(pairs), flush=True)


def label_names_of(ds):
    feat = ds.features.get("labels") or ds.features.get("label")
    names = getattr(feat, "names", None)
    if names:
        return list(names)
    col = "labels" if "labels" in ds.column_names else "label"
    n = int(max(int(x) for x in ds[col])) + 1
    logger.warning("the dataset has no label names (ClassLabel); using LABEL_0..LABEL_%d", n - 1)
    return ["LABEL_%d" % i for i in range(n)]


def is_unpadded(ds, probe=512):
    """True when rows have different lengths (stored with padding 'dynamic'): pad per batch."""
    n = min(len(ds), probe)
    if n == 0:
        return False
    lengths = set(len(x) for x in ds.select(range(n))["input_ids"])
    return len(lengths) > 1


def checkpoint_dir_for(args):
    if args.checkpoint_dir:
        return args.checkpoint_dir
    # In SageMaker /opt/ml/checkpoints is outside model.tar.gz and output.tar.gz (synced to S3 only with a
    # CheckpointConfig); elsewhere a folder next to the output data.
    if os.path.isdir("/opt/ml") and os.access("/opt/ml", os.W_OK) and os.path.abspath(args.output_dir).startswith("/opt/ml/"):
        return "/opt/ml/checkpoints"
    return os.path.join(args.output_data_dir, "checkpoints")


def supported_kwargs(cls, wanted):
    """Keeps the keyword arguments this transformers version knows (4.11 ... 5.x renamed several)."""
    import inspect
    params = inspect.signature(cls.__init__).parameters
    return {k: v for k, v in wanted.items() if k in params}


def main(argv=None):
    logging.basicConfig(level=logging.INFO, stream=sys.stdout,
                        format="%(asctime)s - %(name)s - %(levelname)s - %(message)s")
    args = parse_args(argv)
    if args.n_gpus:
        # Read by torch_xla in the Training Compiler containers.
        os.environ["GPU_NUM_DEVICES"] = str(args.n_gpus)

    import torch
    import transformers
    from datasets import load_from_disk
    from transformers import (AutoModelForSequenceClassification, AutoTokenizer, DataCollatorWithPadding,
                              Trainer, TrainerCallback, TrainingArguments, default_data_collator)

    logger.info("torch %s, transformers %s, cuda %s", torch.__version__, transformers.__version__, torch.cuda.is_available())
    train_dataset = load_from_disk(args.training_dir)
    test_dataset = load_from_disk(args.test_dir)
    if "label" in train_dataset.column_names and "labels" not in train_dataset.column_names:
        train_dataset = train_dataset.rename_column("label", "labels")
        test_dataset = test_dataset.rename_column("label", "labels")
    if args.max_train_samples:
        train_dataset = train_dataset.select(range(min(args.max_train_samples, len(train_dataset))))
    if args.max_eval_samples:
        test_dataset = test_dataset.select(range(min(args.max_eval_samples, len(test_dataset))))
    logger.info("loaded train_dataset length is: %d", len(train_dataset))
    logger.info("loaded test_dataset length is: %d", len(test_dataset))

    labels = label_names_of(train_dataset)
    id2label = {i: name for i, name in enumerate(labels)}
    label2id = {name: i for i, name in enumerate(labels)}

    cuda = torch.cuda.is_available()
    fp16, bf16 = args.fp16, args.bf16
    if bf16 and not (cuda and torch.cuda.is_bf16_supported()):
        logger.warning("bf16 requested but this %s has no bf16; using %s", "GPU" if cuda else "machine", "fp16" if cuda else "fp32")
        bf16, fp16 = False, cuda
    if bf16:
        fp16 = False
    if fp16 and not cuda:
        logger.warning("fp16 requested but no CUDA GPU is available: training in fp32")
        fp16 = False

    unpadded = is_unpadded(train_dataset)
    if not args.pad_to_multiple_of:
        args.pad_to_multiple_of = 32 if args.torch_compile else 8
    tokenizer = AutoTokenizer.from_pretrained(args.model_id)
    if unpadded:
        collator = DataCollatorWithPadding(tokenizer, pad_to_multiple_of=args.pad_to_multiple_of)
        logger.info("dataset stored without padding: padding per batch to a multiple of %d%s", args.pad_to_multiple_of,
                    ", length-grouped" if args.group_by_length else "")
    else:
        collator = default_data_collator

    model = AutoModelForSequenceClassification.from_pretrained(
        args.model_id, num_labels=len(labels), label2id=label2id, id2label=id2label)

    ckpt_dir = checkpoint_dir_for(args)
    quick = args.max_steps > 0 or not args.eval
    strategy = "no" if quick else "epoch"
    steps = args.max_steps if args.max_steps > 0 else math.ceil(len(train_dataset) / args.train_batch_size) * args.epochs
    logging_steps = args.logging_steps or max(1, min(50, steps // 10))
    workers = args.dataloader_num_workers if args.dataloader_num_workers >= 0 else (2 if cuda else 0)
    wanted = dict(
        output_dir=ckpt_dir,
        num_train_epochs=args.epochs,
        max_steps=args.max_steps,
        per_device_train_batch_size=args.train_batch_size,
        per_device_eval_batch_size=args.eval_batch_size,
        warmup_steps=args.warmup_steps,
        fp16=fp16,
        bf16=bf16,
        save_strategy=strategy,
        save_total_limit=2,
        learning_rate=args.learning_rate,
        load_best_model_at_end=not quick,
        metric_for_best_model="accuracy",
        disable_tqdm=True,
        logging_strategy="steps",
        logging_steps=logging_steps,
        dataloader_num_workers=workers,
        dataloader_pin_memory=cuda,
        dataloader_persistent_workers=workers > 0,
        report_to="none",
        seed=args.seed,
    )
    params = __import__("inspect").signature(TrainingArguments.__init__).parameters
    wanted["eval_strategy" if "eval_strategy" in params else "evaluation_strategy"] = strategy
    if "logging_dir" in params:
        wanted["logging_dir"] = os.path.join(args.output_data_dir, "logs")
    if "overwrite_output_dir" in params:
        wanted["overwrite_output_dir"] = True
    if unpadded and args.group_by_length:
        if "train_sampling_strategy" in params:
            wanted["train_sampling_strategy"] = "group_by_length"
        else:
            wanted["group_by_length"] = True
    if args.torch_compile:
        if not hasattr(torch, "compile") or "torch_compile" not in params:
            raise SystemExit("--torch_compile needs PyTorch 2.x and transformers >= 4.27 (this is torch %s, transformers %s): "
                             "use a current Hugging Face PyTorch 2.x image" % (torch.__version__, transformers.__version__))
        wanted["torch_compile"] = True
        wanted["torch_compile_mode"] = args.torch_compile_mode
    if not cuda and "use_cpu" in params:
        wanted["use_cpu"] = True
    training_args = TrainingArguments(**supported_kwargs(TrainingArguments, wanted))

    def compute_metrics(eval_pred):
        logits = getattr(eval_pred, "predictions", None)
        refs = getattr(eval_pred, "label_ids", None)
        if logits is None:
            logits, refs = eval_pred[0], eval_pred[1]
        if isinstance(logits, (tuple, list)):
            logits = logits[0]
        preds = np.argmax(logits, axis=-1)
        return {"accuracy": float((preds == np.asarray(refs)).mean())}

    class MetricsCallback(TrainerCallback):
        """Prints Trainer logs as [metrics] lines and measures steady-state throughput and compile cost."""

        def __init__(self):
            self.t_start = None
            self.t_warm = None
            self.warm_step = None
            self.steps = 0

        def _sync(self):
            if cuda:
                torch.cuda.synchronize()

        def on_train_begin(self, a, state, control, **kw):
            self._sync()
            self.t_start = time.perf_counter()

        def on_step_end(self, a, state, control, **kw):
            self.steps = state.global_step
            total = state.max_steps or 0
            warm = max(1, min(30, total // 4)) if total else 30
            if self.t_warm is None and state.global_step >= warm:
                self._sync()
                self.t_warm = time.perf_counter()
                self.warm_step = state.global_step

        def on_train_end(self, a, state, control, **kw):
            self._sync()
            end = time.perf_counter()
            out = {"step": state.global_step}
            if self.t_warm is not None and state.global_step > self.warm_step:
                per_step = (end - self.t_warm) / (state.global_step - self.warm_step)
                out["steady_samples_per_second"] = args.train_batch_size * max(1, int(os.environ.get("WORLD_SIZE", "1"))) / per_step
                warm_time = self.t_warm - self.t_start
                if args.torch_compile:
                    out["compile_seconds"] = max(0.0, warm_time - self.warm_step * per_step)
                out["warmup_seconds"] = warm_time
            print_metrics(out)

        def on_log(self, a, state, control, logs=None, **kw):
            if logs:
                rec = {"step": state.global_step}
                rec.update(logs)
                print_metrics(rec)

    trainer_kwargs = dict(model=model, args=training_args, compute_metrics=compute_metrics,
                          train_dataset=train_dataset, eval_dataset=test_dataset, data_collator=collator,
                          callbacks=[MetricsCallback()])
    trainer_params = __import__("inspect").signature(Trainer.__init__).parameters
    trainer_kwargs["processing_class" if "processing_class" in trainer_params else "tokenizer"] = tokenizer
    trainer = Trainer(**trainer_kwargs)

    t0 = time.perf_counter()
    result = trainer.train()
    logger.info("training took %.1f s", time.perf_counter() - t0)
    eval_result = trainer.evaluate(eval_dataset=test_dataset) if args.eval else {}
    final = {"step": trainer.state.global_step, "epoch": trainer.state.epoch or 0.0}
    final.update(eval_result)
    if getattr(result, "metrics", None) and "train_samples_per_second" in result.metrics:
        final["train_samples_per_second"] = result.metrics["train_samples_per_second"]
    print_metrics(final)

    os.makedirs(args.output_data_dir, exist_ok=True)
    with open(os.path.join(args.output_data_dir, "eval_results.txt"), "w") as writer:
        print("***** Eval results *****")
        for key, value in sorted(eval_result.items()):
            writer.write("%s = %s\n" % (key, value))
            print("%s = %s" % (key, value))

    trainer.save_model(args.output_dir)
    tokenizer.save_pretrained(args.output_dir)
    logger.info("model, label names and tokenizer saved to %s", args.output_dir)


if __name__ == "__main__":
    main()
