"""Fine-tunes a sequence classifier on a tokenized dataset (the Hugging Face "Training Compiler" notebook's
script, made right and portable).

Runs unchanged in the SageMaker Training Compiler containers (Python 3.8, transformers 4.11-4.21,
PyTorch 1.9-1.11), in current Hugging Face PyTorch 2.x images (transformers 4.4x-5.x) and locally.
The container calls it as `python train.py --epochs 4 --fp16 True ...` (sorted hyperparameters) with the
SM_* environment variables set; every SM_* default can also be given as an argument for local runs.

Fixes against the notebook: `--fp16 False` means False; a missing channel is a clear error, not a
KeyError; checkpoints go to a separate folder (never into model.tar.gz); accuracy is computed with numpy
(`datasets.load_metric` is gone); label names and the tokenizer are saved with the model; metrics are
printed as `[metrics] k=v ...` lines (contract: src/core/training/metrics.ts); datasets stored without padding are
padded per batch (length-grouped, to a multiple of 8).

Additions (docs/training-script.md): precision chosen from the GPU (bf16 / fp16 with a loss scaler / fp32),
regional torch.compile with length buckets and a compile cache that outlives the job (channel
compile_cache), spot checkpoints in /opt/ml/checkpoints with resume and a checkpoint on SIGTERM, and a
push of the model, tokenizer and label names to the Hub (hub_model_id, token from env HF_TOKEN).
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
    p.add_argument("--precision", type=str, default="auto",
                   help="auto (bf16 where the GPU has it, else fp16 with a loss scaler; fp32 on CPU) | bf16 | fp16 | fp32")
    p.add_argument("--compile_scope", type=str, default="regional",
                   help="regional: compile the repeated encoder layer once (less compile time) | model: the whole model")
    p.add_argument("--torch_compile_backend", type=str, default="inductor", help="inductor | aot_eager (tests) | ...")
    p.add_argument("--length_buckets", type=int, default=-1,
                   help="pad unpadded batches to one of N lengths chosen from the token lengths; -1: 4 when compiling, else off")
    p.add_argument("--compile_optimizer", type=str2bool, default=False,
                   help="also compile the optimizer step (PyTorch >= 2.2; with --torch_compile)")
    p.add_argument("--compile_cache_dir", type=str, default=env.get("SM_CHANNEL_COMPILE_CACHE"),
                   help="saved compiler cache of an earlier job (the channel compile_cache)")
    p.add_argument("--save_steps", type=int, default=0, help="checkpoint every N steps when resumable; 0: once per epoch")
    p.add_argument("--resume", type=str2bool, default=True, help="resume from the latest checkpoint in the checkpoint folder")
    p.add_argument("--hub_model_id", type=str, default="", help="push the trained model to this Hub repo (token: env HF_TOKEN)")
    p.add_argument("--hub_private_repo", type=str2bool, default=True)
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
    """One `[metrics] k=v ...` line (src/core/training/metrics.ts); non-numeric values are left out."""
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


def checkpoint_dir_for(args, env=None):
    """(folder, resumable). /opt/ml/checkpoints exists when the job has a CheckpointConfig (spot): SageMaker
    syncs it to S3 and restores it into the next attempt, so checkpoints there are resumed from.
    SM_HF_CHECKPOINT_DIR names such a folder for local runs and tests."""
    env = os.environ if env is None else env
    if args.checkpoint_dir:
        return args.checkpoint_dir, False
    if env.get("SM_HF_CHECKPOINT_DIR"):
        return env["SM_HF_CHECKPOINT_DIR"], True
    if os.path.isdir("/opt/ml/checkpoints"):
        return "/opt/ml/checkpoints", True
    # Without a CheckpointConfig: outside model.tar.gz and output.tar.gz when in a container, else a folder
    # next to the output data.
    if os.path.isdir("/opt/ml") and os.access("/opt/ml", os.W_OK) and os.path.abspath(args.output_dir).startswith("/opt/ml/"):
        return "/opt/ml/checkpoints", False
    return os.path.join(args.output_data_dir, "checkpoints"), False


def supported_kwargs(cls, wanted):
    """Keeps the keyword arguments this transformers version knows (4.11 ... 5.x renamed several)."""
    import inspect
    params = inspect.signature(cls.__init__).parameters
    return {k: v for k, v in wanted.items() if k in params}


def training_compiler_on(env):
    """True in a SageMaker Training Compiler job: the toolkit puts the SDK's
    sagemaker_training_compiler_enabled hyperparameter into SM_FRAMEWORK_PARAMS (JSON)."""
    try:
        params = json.loads(env.get("SM_FRAMEWORK_PARAMS") or "{}")
    except ValueError:
        return False
    return isinstance(params, dict) and params.get("sagemaker_training_compiler_enabled") is True


# ---- precision -------------------------------------------------------------------------------------

def choose_precision(cuda, capability=None, bf16_supported=None, fp16=True, bf16=False, precision="auto",
                     compiler_container=False, device_name=""):
    """Returns (precision, reason): "bf16" | "fp16" | "fp32" for this device and the arguments.

    bf16 where the GPU has it (compute capability >= 8.0: A100, A10G, L4, H100/H200): the range of fp32,
    no loss scaler. fp16 with the Trainer's loss scaler on older GPUs (V100, T4: the notebook's
    ml.p3.2xlarge and ml.g4dn). fp32 on a CPU. `--fp16 True` (the notebook's) means "mixed precision,
    please", so it gets bf16 where that is the better choice; `--fp16 False --bf16 False` or
    `--precision fp32` turn mixed precision off. The Training Compiler containers keep fp16 (what the
    compiler was tuned for)."""
    if precision not in ("auto", "bf16", "fp16", "fp32"):
        raise ValueError("--precision must be auto, bf16, fp16 or fp32, got %r" % (precision,))
    mixed = precision in ("bf16", "fp16") or (precision == "auto" and (fp16 or bf16))
    if not cuda:
        if mixed:
            return "fp32", "%s requested but no CUDA GPU is available: training in fp32" % (
                precision if precision != "auto" else ("bf16" if bf16 else "fp16"))
        return "fp32", "no CUDA GPU: fp32"
    if not mixed:
        return "fp32", "mixed precision turned off"
    cap = tuple(capability) if capability else None
    has_bf16 = bool(bf16_supported) if bf16_supported is not None else bool(cap and cap[0] >= 8)
    where = "%s, compute capability %s" % (device_name or "this GPU", "%d.%d" % cap if cap else "unknown")
    want = precision if precision != "auto" else ("bf16" if bf16 else "auto")
    if want == "fp16":
        return "fp16", "fp16 with a loss scaler, as requested (%s)" % where
    if want == "bf16" or (want == "auto" and not compiler_container):
        if has_bf16:
            return "bf16", "bf16 (%s has bf16; no loss scaler needed)" % where
        return "fp16", "fp16 with a loss scaler (%s has no bf16)" % where
    return "fp16", "fp16 with a loss scaler (Training Compiler container, %s)" % where


# ---- shapes --------------------------------------------------------------------------------------

def nearest_rank(sorted_values, p):
    """Nearest-rank percentile, as `prepare`'s report computes it (src/core/dataset/prepareReport.ts)."""
    if not sorted_values:
        return 0
    rank = int(math.ceil(p / 100.0 * len(sorted_values)))
    return sorted_values[min(len(sorted_values) - 1, max(0, rank - 1))]


def round_up(n, multiple):
    return int(-(-int(n) // multiple) * multiple)


def choose_buckets(lengths, max_buckets=4, multiple=8):
    """Padded lengths to pad each batch up to: at most `max_buckets` shapes (each one compiled once),
    chosen from the length histogram to pad as little as possible (exact, by dynamic programming over
    the distinct lengths rounded up to `multiple`). The largest bucket covers the longest row."""
    if not lengths:
        return []
    counts = {}
    for n in lengths:
        r = max(multiple, round_up(n, multiple))
        counts[r] = counts.get(r, 0) + 1
    values = sorted(counts)
    k = max(1, min(max_buckets, len(values)))
    inf = float("inf")
    # best[j][i]: least padded slots covering values[:i+1] with j+1 buckets, the last one at values[i].
    best = [[inf] * len(values) for _ in range(k)]
    back = [[-1] * len(values) for _ in range(k)]
    prefix = [0]
    for v in values:
        prefix.append(prefix[-1] + counts[v])
    for i, v in enumerate(values):
        best[0][i] = prefix[i + 1] * v
    for j in range(1, k):
        for i in range(len(values)):
            for h in range(i):
                cost = best[j - 1][h] + (prefix[i + 1] - prefix[h + 1]) * values[i]
                if cost < best[j][i]:
                    best[j][i], back[j][i] = cost, h
    j = min(range(k), key=lambda jj: best[jj][-1])
    out, i = [], len(values) - 1
    while i >= 0 and j >= 0:
        out.append(values[i])
        i, j = back[j][i], j - 1
    return sorted(out)


class BucketPadding(object):
    """Pads each batch to the smallest bucket that holds its longest row (few distinct shapes for the
    compiler and CUDA graphs); rows longer than every bucket round up to a multiple of 8."""

    def __init__(self, tokenizer, buckets):
        self.tokenizer = tokenizer
        self.buckets = sorted(buckets)

    def length_for(self, longest):
        for b in self.buckets:
            if longest <= b:
                return b
        return round_up(longest, 8)

    def __call__(self, features):
        longest = max(len(f["input_ids"]) for f in features)
        batch = self.tokenizer.pad(features, padding="max_length", max_length=self.length_for(longest), return_tensors="pt")
        if "label" in batch and "labels" not in batch:
            batch["labels"] = batch.pop("label")
        return batch


def row_lengths(ds):
    """Token count of every row, read from the arrow column without building Python rows."""
    try:
        import pyarrow.compute as pc
        col = ds.data.column("input_ids") if not getattr(ds, "_indices", None) else None
        if col is not None:
            return [int(x) for x in pc.list_value_length(col).to_pylist()]
    except Exception:  # older datasets/pyarrow: the slow, always-correct way
        pass
    return [len(x) for x in ds.with_format(None)["input_ids"]]


# ---- compilation ---------------------------------------------------------------------------------

def repeated_blocks(model):
    """The longest list of identical blocks (BERT's encoder.layer): compiling one block type instead of
    the whole model compiles once and reuses the code for every layer (regional compilation)."""
    import torch.nn as nn

    best = None
    for name, mod in model.named_modules():
        if isinstance(mod, nn.ModuleList) and len(mod) > 1 and len(set(type(m) for m in mod)) == 1:
            if best is None or len(mod) > len(best[1]):
                best = (name, mod)
    return best


def compile_regions(torch, model, mode, backend):
    found = repeated_blocks(model)
    if found is None:
        return None
    name, blocks = found
    kwargs = {"backend": backend, "dynamic": False}
    if mode and mode != "default" and backend == "inductor":
        kwargs["mode"] = mode
    for block in blocks:
        # The bound forward, not Module.compile (that one does not trace on some 2.x builds): the module
        # stays a plain module, so state_dict keys and saved checkpoints do not change.
        block.forward = torch.compile(block.forward, **kwargs)
    return "%s (%d x %s)" % (name, len(blocks), type(blocks[0]).__name__)


def compile_optimizer_step(torch, optimizer, backend):
    """Compiles the optimizer step (PyTorch >= 2.2) so it joins the captured graphs instead of launching
    kernels per parameter group from Python. The learning rate becomes a tensor: the scheduler then
    updates it in place (fill_) and the compiled step is not recompiled every step."""
    if getattr(optimizer, "_compiled_step", False):
        return False
    for group in optimizer.param_groups:
        if not torch.is_tensor(group["lr"]):
            group["lr"] = torch.tensor(float(group["lr"]), device=group["params"][0].device)
    optimizer.step = torch.compile(optimizer.step, backend=backend)
    optimizer._compiled_step = True
    return True


def raise_recompile_limit(torch, n=64):
    cfg = torch._dynamo.config
    for key in ("recompile_limit", "cache_size_limit"):
        if hasattr(cfg, key):
            setattr(cfg, key, max(n, getattr(cfg, key)))


def compile_seconds_so_far():
    """Seconds spent compiling in this process (dynamo + inductor, forward and backward graphs)."""
    try:
        from torch._dynamo.utils import compilation_time_metrics as m
    except Exception:
        return None
    keys = ("_compile.compile_inner", "compile_fx.<locals>.bw_compiler")
    if not any(k in m for k in keys):
        return 0.0
    return float(sum(sum(m.get(k, [])) for k in keys))


COMPILE_CACHE_FILE = "torch_compile_cache.bin"


def find_compile_cache(dirs):
    """(bytes, where) of saved compiler cache artifacts in the first of `dirs` that has them: the file
    itself, or inside an output.tar.gz / model.tar.gz (a previous job's output given as a channel)."""
    import tarfile

    for d in dirs:
        if not d or not os.path.isdir(d):
            continue
        for root, _, files in os.walk(d):
            if COMPILE_CACHE_FILE in files:
                path = os.path.join(root, COMPILE_CACHE_FILE)
                with open(path, "rb") as f:
                    return f.read(), path
            for fname in sorted(files):
                if fname.endswith(".tar.gz"):
                    path = os.path.join(root, fname)
                    try:
                        with tarfile.open(path, "r:gz") as tar:
                            for m in tar.getmembers():
                                if m.isfile() and os.path.basename(m.name) == COMPILE_CACHE_FILE:
                                    return tar.extractfile(m).read(), "%s:%s" % (path, m.name)
                    except (tarfile.TarError, OSError) as e:
                        logger.warning("compile cache: cannot read %s (%s)", path, e)
    return None, None


# ---- checkpoints, interruption, Hub ----------------------------------------------------------------

class Interruption(object):
    """SIGTERM (spot interruption, StopTrainingJob, Ctrl-C in a local container) is turned into "save a
    checkpoint after this step and stop", so the next run resumes instead of starting from zero."""

    def __init__(self):
        self.signal = None

    def install(self):
        import signal

        def handler(signum, frame):
            self.signal = signum
            logger.warning("signal %d received: saving a checkpoint after this step, then stopping", signum)
        try:
            signal.signal(signal.SIGTERM, handler)
        except ValueError:  # not the main thread (imported by a test): nothing to install
            pass


def trainer_state_step(checkpoint):
    try:
        with open(os.path.join(checkpoint, "trainer_state.json")) as f:
            return int(json.load(f).get("global_step", 0))
    except (OSError, ValueError):
        return 0


def hub_preflight(args, env):
    """Checks what pushing needs before any training time is spent; returns the token (never logged)."""
    if not args.hub_model_id:
        return None
    token = env.get("HF_TOKEN") or env.get("HUGGING_FACE_HUB_TOKEN")
    if not token:
        raise SystemExit("hub_model_id %s is set but HF_TOKEN is not in the job's environment: pass the token as "
                         "the environment variable HF_TOKEN (never as a hyperparameter)" % args.hub_model_id)
    try:
        import huggingface_hub
        from huggingface_hub import HfApi
    except ImportError:
        raise SystemExit("hub_model_id needs the huggingface_hub package, which this image does not have")
    if not hasattr(HfApi, "upload_folder") or not hasattr(HfApi, "create_repo"):
        raise SystemExit("hub_model_id needs huggingface_hub >= 0.14 (upload_folder); this image has %s: use a newer "
                         "Hugging Face training image" % getattr(huggingface_hub, "__version__", "?"))
    return token


def push_to_hub(folder, repo_id, private, token, endpoint):
    """Uploads the saved model folder (weights, config with id2label/label2id, tokenizer) in one commit."""
    from huggingface_hub import HfApi

    api = HfApi(endpoint=endpoint or None, token=token)
    try:
        url = api.create_repo(repo_id=repo_id, private=private, exist_ok=True)
        repo_id = getattr(url, "repo_id", None) or repo_id
        info = api.upload_folder(repo_id=repo_id, folder_path=folder, commit_message="sagemaker-hf: trained model",
                                 ignore_patterns=["checkpoint-*", "training_args.bin", "*.tar.gz"])
    except Exception as e:  # the message may quote a request; the token must never reach the log
        raise RuntimeError(("%s: %s" % (type(e).__name__, e)).replace(token, "***"))
    return repo_id, getattr(info, "commit_url", None) or str(info)


def main(argv=None):
    logging.basicConfig(level=logging.INFO, stream=sys.stdout,
                        format="%(asctime)s - %(name)s - %(levelname)s - %(message)s")
    args = parse_args(argv)
    env = os.environ
    if args.n_gpus:
        # Read by torch_xla in the Training Compiler containers.
        os.environ["GPU_NUM_DEVICES"] = str(args.n_gpus)
    hub_token = hub_preflight(args, env)
    # A warm pool keeps this folder between jobs (SageMaker's persistent cache): inductor and triton
    # caches there make the next job of the same spec compile from cache.
    warm_cache = env.get("SM_HF_WARMPOOL_CACHE", "/opt/ml/sagemaker/warmpoolcache")
    if args.torch_compile and os.path.isdir(warm_cache) and os.access(warm_cache, os.W_OK):
        os.environ.setdefault("TORCHINDUCTOR_CACHE_DIR", os.path.join(warm_cache, "torchinductor"))
        os.environ.setdefault("TRITON_CACHE_DIR", os.path.join(warm_cache, "triton"))
    interruption = Interruption()
    interruption.install()

    import torch
    import transformers
    from datasets import load_from_disk
    from transformers import (AutoModelForSequenceClassification, AutoTokenizer, DataCollatorWithPadding,
                              Trainer, TrainerCallback, TrainingArguments, default_data_collator)
    from transformers.trainer_utils import get_last_checkpoint

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
    capability, bf16_ok, device_name = None, None, "cpu"
    if cuda:
        capability = torch.cuda.get_device_capability()
        device_name = torch.cuda.get_device_name()
        bf16_ok = torch.cuda.is_bf16_supported() if hasattr(torch.cuda, "is_bf16_supported") else None
    trcomp = training_compiler_on(env)
    precision, why = choose_precision(cuda, capability, bf16_ok, args.fp16, args.bf16, args.precision,
                                      compiler_container=trcomp and cuda, device_name=device_name)
    (logger.warning if "requested but" in why else logger.info)("precision %s: %s", precision, why)
    fp16, bf16 = precision == "fp16", precision == "bf16"

    unpadded = is_unpadded(train_dataset)
    if args.length_buckets < 0:
        args.length_buckets = 4 if args.torch_compile else 0
    if not args.pad_to_multiple_of:
        args.pad_to_multiple_of = 32 if args.torch_compile else 8
    tokenizer = AutoTokenizer.from_pretrained(args.model_id)
    if unpadded and args.length_buckets > 0:
        lengths = sorted(row_lengths(train_dataset))
        buckets = choose_buckets(lengths, args.length_buckets)
        real = sum(lengths)
        padded = sum(BucketPadding(None, buckets).length_for(n) for n in lengths)
        logger.info("token lengths p50 %d, p90 %d, p99 %d, max %d: padding per batch to the buckets %s "
                    "(at least %.0f%% padding)%s", nearest_rank(lengths, 50), nearest_rank(lengths, 90),
                    nearest_rank(lengths, 99), lengths[-1] if lengths else 0, buckets,
                    100.0 * (padded - real) / max(1, padded), ", length-grouped" if args.group_by_length else "")
        collator = BucketPadding(tokenizer, buckets)
    elif unpadded:
        collator = DataCollatorWithPadding(tokenizer, pad_to_multiple_of=args.pad_to_multiple_of)
        logger.info("dataset stored without padding: padding per batch to a multiple of %d%s", args.pad_to_multiple_of,
                    ", length-grouped" if args.group_by_length else "")
    else:
        collator = default_data_collator

    model = AutoModelForSequenceClassification.from_pretrained(
        args.model_id, num_labels=len(labels), label2id=label2id, id2label=id2label)

    ckpt_dir, resumable = checkpoint_dir_for(args)
    resume_from = None
    if resumable and args.resume and os.path.isdir(ckpt_dir):
        resume_from = get_last_checkpoint(ckpt_dir)
    if resume_from:
        logger.info("resuming from %s (global step %d)", resume_from, trainer_state_step(resume_from))
    elif resumable:
        logger.info("checkpoints go to %s (resumed from if this job is restarted)", ckpt_dir)
    quick = args.max_steps > 0 or not args.eval
    strategy = "no" if quick else "epoch"
    steps_per_epoch = max(1, math.ceil(len(train_dataset) / args.train_batch_size))
    steps = args.max_steps if args.max_steps > 0 else steps_per_epoch * args.epochs
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
        # The NaN/inf filter reads the loss on the host every step (a sync that stalls the GPU queue).
        logging_nan_inf_filter=False,
        dataloader_num_workers=workers,
        dataloader_pin_memory=cuda,
        dataloader_persistent_workers=workers > 0,
        report_to="none",
        seed=args.seed,
    )
    params = __import__("inspect").signature(TrainingArguments.__init__).parameters
    eval_key = "eval_strategy" if "eval_strategy" in params else "evaluation_strategy"
    wanted[eval_key] = strategy
    if resumable:
        # Checkpoints at a step cadence (default once per epoch) so an interruption loses at most that much.
        save_steps = args.save_steps or steps_per_epoch
        wanted.update(save_strategy="steps", save_steps=save_steps)
        if not quick:
            wanted.update(eval_steps=save_steps)
            wanted[eval_key] = "steps"
    if workers > 0 and "dataloader_prefetch_factor" in params:
        wanted["dataloader_prefetch_factor"] = 4
    if cuda and "accelerator_config" in params:
        try:
            import dataclasses
            from transformers.trainer_pt_utils import AcceleratorConfig
            if "non_blocking" in [f.name for f in dataclasses.fields(AcceleratorConfig)]:
                wanted["accelerator_config"] = {"non_blocking": True}  # with pinned memory: copies overlap compute
        except ImportError:
            pass
    if cuda and "optim" in params and int(torch.__version__.split(".")[0]) >= 2:
        from transformers.training_args import OptimizerNames
        if "adamw_torch_fused" in [o.value for o in OptimizerNames]:
            wanted["optim"] = "adamw_torch_fused"  # one kernel for all parameters instead of one per tensor
    if "logging_dir" in params:
        wanted["logging_dir"] = os.path.join(args.output_data_dir, "logs")
    if "overwrite_output_dir" in params:
        wanted["overwrite_output_dir"] = True
    if unpadded and args.group_by_length:
        if "train_sampling_strategy" in params:
            wanted["train_sampling_strategy"] = "group_by_length"
        else:
            wanted["group_by_length"] = True
    compiled = None
    cache_loaded = 0
    if args.torch_compile:
        if not hasattr(torch, "compile") or "torch_compile" not in params:
            raise SystemExit("--torch_compile needs PyTorch 2.x and transformers >= 4.27 (this is torch %s, transformers %s): "
                             "use a current Hugging Face PyTorch 2.x image" % (torch.__version__, transformers.__version__))
        if args.compile_scope not in ("regional", "model"):
            raise SystemExit("--compile_scope must be regional or model, got %r" % args.compile_scope)
        raise_recompile_limit(torch)
        blob, where = find_compile_cache([args.compile_cache_dir, os.path.join(warm_cache, "compile_cache")])
        if blob and hasattr(torch.compiler, "load_cache_artifacts"):
            try:
                torch.compiler.load_cache_artifacts(blob)
                cache_loaded = 1
                logger.info("compile cache loaded from %s (%d bytes)", where, len(blob))
            except Exception as e:  # another torch version or a damaged file: compile from scratch
                logger.warning("compile cache in %s not used: %s", where, e)
        elif args.compile_cache_dir:
            logger.info("no compile cache in %s: compiling from scratch", args.compile_cache_dir)
        if args.compile_scope == "regional":
            compiled = compile_regions(torch, model, args.torch_compile_mode, args.torch_compile_backend)
        if compiled:
            logger.info("torch.compile (%s, mode %s): %s", args.torch_compile_backend, args.torch_compile_mode, compiled)
        else:
            wanted["torch_compile"] = True
            wanted["torch_compile_mode"] = args.torch_compile_mode
            wanted["torch_compile_backend"] = args.torch_compile_backend
            logger.info("torch.compile (%s, mode %s): the whole model", args.torch_compile_backend, args.torch_compile_mode)
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
        """Prints Trainer logs as [metrics] lines, measures steady-state throughput and compile cost, and
        turns an interruption signal into a checkpoint."""

        def __init__(self):
            self.t_start = None
            self.t_warm = None
            self.warm_step = None
            self.start_step = 0
            self.steps = 0

        def _sync(self):
            if cuda:
                torch.cuda.synchronize()

        def on_train_begin(self, a, state, control, **kw):
            self._sync()
            self.t_start = time.perf_counter()
            self.start_step = state.global_step

        def on_step_end(self, a, state, control, **kw):
            self.steps = state.global_step
            if interruption.signal is not None:
                control.should_save = True
                control.should_training_stop = True
            total = (state.max_steps or 0) - self.start_step
            warm = self.start_step + (max(1, min(30, total // 4)) if total > 0 else 30)
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
                    measured = compile_seconds_so_far()
                    out["compile_seconds"] = measured if measured else max(0.0, warm_time - (self.warm_step - self.start_step) * per_step)
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
    compile_opt = args.torch_compile and args.compile_optimizer
    if compile_opt and tuple(int(x) for x in torch.__version__.split("+")[0].split(".")[:2]) < (2, 2):
        logger.warning("--compile_optimizer needs PyTorch >= 2.2 (this is %s): the optimizer step stays eager", torch.__version__)
        compile_opt = False

    class FastTrainer(Trainer):
        def create_optimizer(self, *a, **kw):
            opt = super(FastTrainer, self).create_optimizer(*a, **kw)
            if compile_opt and compile_optimizer_step(torch, opt, args.torch_compile_backend):
                logger.info("optimizer step compiled (%s, %s)", type(opt).__name__, args.torch_compile_backend)
            return opt

    trainer = FastTrainer(**trainer_kwargs)

    t0 = time.perf_counter()
    result = trainer.train(resume_from_checkpoint=resume_from) if resume_from else trainer.train()
    logger.info("training took %.1f s", time.perf_counter() - t0)
    if interruption.signal is not None:
        logger.warning("stopped by signal %d at step %d; checkpoint saved in %s: run the job again to resume",
                       interruption.signal, trainer.state.global_step, ckpt_dir)
        print_metrics({"step": trainer.state.global_step, "interrupted": 1})
        sys.exit(128 + interruption.signal)
    eval_result = trainer.evaluate(eval_dataset=test_dataset) if args.eval else {}
    final = {"step": trainer.state.global_step, "epoch": trainer.state.epoch or 0.0}
    final.update(eval_result)
    if getattr(result, "metrics", None) and "train_samples_per_second" in result.metrics:
        final["train_samples_per_second"] = result.metrics["train_samples_per_second"]
    if args.torch_compile:
        total_compile = compile_seconds_so_far()
        if total_compile is not None:
            final["compile_seconds"] = total_compile
        final["compile_cache_loaded"] = cache_loaded
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

    if args.torch_compile and hasattr(torch.compiler, "save_cache_artifacts"):
        saved = torch.compiler.save_cache_artifacts()
        if saved:
            # output.tar.gz (not model.tar.gz: the endpoint does not need it); the next job of this spec
            # gets it back through the compile_cache channel.
            targets = [os.path.join(args.output_data_dir, "compile_cache")]
            if os.path.isdir(warm_cache) and os.access(warm_cache, os.W_OK):
                targets.append(os.path.join(warm_cache, "compile_cache"))
            for target in targets:
                os.makedirs(target, exist_ok=True)
                with open(os.path.join(target, COMPILE_CACHE_FILE), "wb") as f:
                    f.write(saved[0])
                with open(os.path.join(target, "about.json"), "w") as f:
                    json.dump({"torch": torch.__version__, "device": device_name, "precision": precision,
                               "compile_scope": args.compile_scope, "mode": args.torch_compile_mode}, f)
            logger.info("compile cache saved to %s (%d bytes)", " and ".join(targets), len(saved[0]))

    if args.hub_model_id:
        try:
            repo, commit = push_to_hub(args.output_dir, args.hub_model_id, args.hub_private_repo, hub_token,
                                       env.get("HF_ENDPOINT"))
            logger.info("pushed the model, tokenizer and label names to the Hub: %s (%s, %s)", repo,
                        "private" if args.hub_private_repo else "public", commit)
        except RuntimeError as e:
            # The trained model is safe in the model folder (model.tar.gz); a failed push does not lose it.
            logger.error("push to the Hub (%s) failed: %s", args.hub_model_id, e)
            print_metrics({"hub_push_failed": 1})


if __name__ == "__main__":
    main()
