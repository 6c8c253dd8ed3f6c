"""Builds a small random-init BertForSequenceClassification (or, with --token-classification,
BertForTokenClassification) with the bert-base-uncased tokenizer, saved
together as a local model folder (what `model_id` may point to for local and test runs).

Usage: python make_tiny_model.py OUTDIR [--config DIR] [--tokenizer DIR] [--num-labels N] [--token-classification]
Defaults: ../shared/models/bert-tiny-config and ../shared/models/bert-base-uncased, relative to the repo.
Weights are random (no Hub access); a tiny model keeps tests fast, and nothing in train.py assumes it.
"""
import argparse
import os
import sys

repo = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
shared = os.path.join(os.path.dirname(repo), "shared", "models")


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("outdir")
    p.add_argument("--config", default=os.path.join(shared, "bert-tiny-config"))
    p.add_argument("--tokenizer", default=os.path.join(shared, "bert-base-uncased"))
    p.add_argument("--num-labels", type=int, default=6)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--token-classification", action="store_true")
    a = p.parse_args(argv)
    import torch
    from transformers import AutoTokenizer, BertConfig, BertForSequenceClassification, BertForTokenClassification

    for d in (a.config, a.tokenizer):
        if not os.path.isdir(d):
            sys.exit("make_tiny_model failed: %s is not a folder" % d)
    torch.manual_seed(a.seed)
    cfg = BertConfig.from_pretrained(a.config)
    cfg.num_labels = a.num_labels
    model = (BertForTokenClassification if a.token_classification else BertForSequenceClassification)(cfg)
    tok = AutoTokenizer.from_pretrained(a.tokenizer)
    os.makedirs(a.outdir, exist_ok=True)
    model.save_pretrained(a.outdir)
    tok.save_pretrained(a.outdir)
    print(a.outdir)


if __name__ == "__main__":
    main()
