#!/usr/bin/env bash
# The README's main command (npm start → scripts/main.sh → this): the whole workflow on this machine, no
# AWS account: prepare a few hundred emotion rows, fine-tune a tiny BERT with training-scripts/train.py
# exactly as the SageMaker container would run it, serve it with serve.py, predict the notebook's
# sentence, stop the server. Installs what it needs into .cache/ first (Python env, tiny model, build).
set -euo pipefail
cd "$(dirname "$0")/.."
export PIP_RETRIES=${PIP_RETRIES:-0}
SPEC=examples/emotion-local.sagemaker-hf.json
MODEL=.cache/models/bert-tiny-emotion
PY=.cache/venv/bin/python

now() { date +%s.%N; }
took() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f s", b - a }'; }
step() { echo; echo "== $1"; }

t=$(now); step "Python environment (.cache/venv: torch, transformers, datasets)"
bash scripts/ensure-venv.sh
echo "ready in $(took "$t"): $("$PY" -c 'import sys, torch, transformers, datasets; print(f"Python {sys.version.split()[0]}, torch {torch.__version__}, transformers {transformers.__version__}, datasets {datasets.__version__}")')"

t=$(now); step "Tiny BERT model folder ($MODEL)"
if [ -f "$MODEL/config.json" ]; then
  echo "already there"
else
  "$PY" test/tools/make_tiny_model.py "$MODEL" >/dev/null
  echo "built from ../shared/models/bert-tiny-config with the bert-base-uncased tokenizer in $(took "$t")"
fi

t=$(now); step "Build (dist/cli.js)"
if [ ! -f dist/cli.js ] || [ -n "$(find src schemas package.json -newer dist/cli.js -print -quit)" ]; then
  [ -d node_modules ] || npm ci --no-audit --no-fund
  npm run --silent build
  echo "built in $(took "$t")"
else
  echo "up to date"
fi

t=$(now); step "sagemaker-hf run $SPEC --target local"
node dist/cli.js run "$SPEC" --target local --python "$PY" --workdir examples --quiet
echo
echo "The whole local workflow took $(took "$t") (steps above). The job folder (model/, output/model.tar.gz,"
echo "train.log, job.json) is under examples/.sagemaker-hf/jobs/ (the editor opened on examples/ lists it under"
echo "Training Jobs); nothing is left running."
