"""A local stand-in for the SageMaker Hugging Face inference container.

Implements the container contract the SageMaker Hugging Face inference toolkit offers for a trained
model folder (or its model.tar.gz), with only the standard library and transformers:

  GET  /ping          200 once the model is loaded, 503 while it is loading
  POST /invocations   application/json  {"inputs": "text" | ["t1", ...], "parameters": {...}}
                      text/csv          header row with an "inputs" column, one input per row
                      -> the pipeline's output as JSON, as the toolkit returns it

Malformed bodies get a 400 with {"message": ...} and the server stays up; other content types get 415.
Binds 127.0.0.1 (port 0 = a free one) before loading the model, and prints one machine-readable line
on stdout that the host waits for:

  [serve] listening port=PORT url=http://127.0.0.1:PORT pid=PID

Usage: python serve.py --model DIR_OR_TAR_GZ [--port 0] [--host 127.0.0.1] [--task TASK]
"""

import argparse
import csv
import io
import json
import os
import shutil
import signal
import sys
import tarfile
import tempfile
import threading
import time
import traceback
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

# InvokeEndpoint's body limit.
MAX_BODY_BYTES = 6 * 1024 * 1024
EXIT_PORT_IN_USE = 3
EXIT_LOAD_FAILED = 4

# transformers' suffix → task mapping, as the toolkit's infer_task_from_model_architecture uses it.
ARCHITECTURE_TASKS = [
    ("ForSequenceClassification", "text-classification"),
    ("ForQuestionAnswering", "question-answering"),
    ("ForTokenClassification", "token-classification"),
    ("ForMaskedLM", "fill-mask"),
    ("ForCausalLM", "text-generation"),
    ("LMHeadModel", "text-generation"),
    ("ForConditionalGeneration", "text2text-generation"),
    ("ForMultipleChoice", "multiple-choice"),
]


class BadRequest(Exception):
    def __init__(self, status, message):
        super().__init__(message)
        self.status = status
        self.message = message


class ModelState:
    def __init__(self):
        self.pipeline = None
        self.task = None
        self.error = None
        self.lock = threading.Lock()
        self.loaded = threading.Event()


def log(msg):
    print(f"[serve] {msg}", flush=True)


def extract_if_archive(model, workdir):
    if os.path.isdir(model):
        return model
    if not os.path.isfile(model):
        raise FileNotFoundError(f"model not found: {model}")
    target = os.path.join(workdir, "model")
    os.makedirs(target)
    with tarfile.open(model, "r:*") as tar:
        # filter='data' refuses absolute paths, links out of the folder and device files.
        if hasattr(tarfile, "data_filter"):
            tar.extractall(target, filter="data")
        else:  # Python < 3.11.4
            for m in tar.getmembers():
                if m.name.startswith("/") or ".." in m.name.split("/"):
                    raise ValueError(f"unsafe path in archive: {m.name}")
            tar.extractall(target)
    return target


def infer_task(model_dir):
    if os.environ.get("HF_TASK"):
        return os.environ["HF_TASK"]
    config_path = os.path.join(model_dir, "config.json")
    if not os.path.isfile(config_path):
        raise ValueError(f"no config.json in {model_dir}: cannot infer the task (set HF_TASK)")
    with open(config_path, encoding="utf-8") as f:
        architectures = json.load(f).get("architectures") or []
    if architectures:
        for suffix, task in ARCHITECTURE_TASKS:
            if architectures[0].endswith(suffix):
                return task
    raise ValueError(f"cannot infer the task from architectures {architectures} in config.json (set HF_TASK)")


def load_model(state, model, task, workdir, delay):
    try:
        if delay:
            # Test hook (--load-delay): makes the loading window long enough to observe.
            time.sleep(delay)
        model_dir = extract_if_archive(model, workdir)
        task = task or infer_task(model_dir)
        import torch
        from transformers import pipeline

        device = 0 if torch.cuda.is_available() else -1
        state.pipeline = pipeline(task, model=model_dir, tokenizer=model_dir, device=device)
        state.task = task
        log(f"model loaded task={task} device={'cuda:0' if device == 0 else 'cpu'}")
        state.loaded.set()
    except Exception as e:  # the endpoint cannot serve: report and end, like a failed container
        state.error = f"{type(e).__name__}: {e}"
        print(f"[serve] error: loading the model failed: {state.error}", file=sys.stderr, flush=True)
        traceback.print_exc()
        shutil.rmtree(workdir, ignore_errors=True)
        os._exit(EXIT_LOAD_FAILED)


def decode_body(content_type, body):
    mime = (content_type or "").split(";")[0].strip().lower()
    if mime in ("application/json", ""):
        if mime == "" and not body:
            raise BadRequest(400, "empty request body: send JSON such as {\"inputs\": \"some text\"}")
        try:
            data = json.loads(body.decode("utf-8"))
        except UnicodeDecodeError as e:
            raise BadRequest(400, f"request body is not UTF-8: {e}")
        except json.JSONDecodeError as e:
            raise BadRequest(400, f"request body is not valid JSON: {e.msg} at line {e.lineno} column {e.colno}")
        return data
    if mime == "text/csv":
        try:
            rows = list(csv.DictReader(io.StringIO(body.decode("utf-8"))))
        except (UnicodeDecodeError, csv.Error) as e:
            raise BadRequest(400, f"request body is not valid CSV: {e}")
        if not rows or "inputs" not in rows[0]:
            raise BadRequest(400, "CSV body needs a header row with an 'inputs' column")
        return {"inputs": [r["inputs"] for r in rows]}
    raise BadRequest(415, f"unsupported content type '{mime}': use application/json or text/csv")


def validate_inputs(task, data):
    # The toolkit pops "inputs" and "parameters"; without "inputs" the whole body is the input.
    if isinstance(data, dict) and "inputs" in data:
        inputs = data["inputs"]
        parameters = data.get("parameters")
    else:
        inputs, parameters = data, None
    if parameters is not None and not isinstance(parameters, dict):
        raise BadRequest(400, "'parameters' must be a JSON object")
    if task == "text-classification":
        ok = isinstance(inputs, str) or (isinstance(inputs, list) and inputs and all(isinstance(x, str) for x in inputs)) or (
            isinstance(inputs, dict) and isinstance(inputs.get("text"), str)
        )
        if not ok:
            raise BadRequest(400, "'inputs' must be a string, a non-empty list of strings, or {\"text\": ..., \"text_pair\": ...}")
    return inputs, parameters


def make_handler(state):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        server_version = "sagemaker-hf-local"

        def log_message(self, fmt, *args):
            pass

        def reply(self, status, payload):
            body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self):
            if self.path.split("?")[0] == "/ping":
                if state.loaded.is_set():
                    self.reply(200, {"status": "healthy", "task": state.task})
                else:
                    self.reply(503, {"status": "loading", "message": "the model is still loading"})
                return
            self.reply(404, {"message": f"no such path: {self.path} (GET /ping, POST /invocations)"})

        def do_POST(self):
            if self.path.split("?")[0] != "/invocations":
                self.reply(404, {"message": f"no such path: {self.path} (GET /ping, POST /invocations)"})
                return
            try:
                length = int(self.headers.get("Content-Length") or 0)
            except ValueError:
                length = -1
            if length < 0 or length > MAX_BODY_BYTES:
                self.reply(413, {"message": f"request body must be at most {MAX_BODY_BYTES} bytes"})
                self.close_connection = True
                return
            body = self.rfile.read(length) if length else b""
            if not state.loaded.is_set():
                self.reply(503, {"message": "the model is still loading; retry when GET /ping answers 200"})
                return
            accept = (self.headers.get("Accept") or "*/*").split(";")[0].strip().lower()
            if accept not in ("*/*", "application/json", "application/*"):
                self.reply(406, {"message": f"unsupported Accept '{accept}': this endpoint answers application/json"})
                return
            started = time.perf_counter()
            try:
                data = decode_body(self.headers.get("Content-Type"), body)
                inputs, parameters = validate_inputs(state.task, data)
                with state.lock:
                    result = state.pipeline(inputs, **parameters) if parameters else state.pipeline(inputs)
            except BadRequest as e:
                self.reply(e.status, {"message": e.message})
                return
            except Exception as e:
                # The toolkit turns every handler exception into a 400 with the message (→ 424 ModelError).
                self.reply(400, {"message": f"{type(e).__name__}: {e}"})
                return
            log(f"invocation {int((time.perf_counter() - started) * 1000)} ms")
            self.reply(200, result)

    return Handler


def main(argv=None):
    p = argparse.ArgumentParser(description="Local SageMaker Hugging Face inference endpoint")
    p.add_argument("--model", required=True, help="model folder or model.tar.gz")
    p.add_argument("--port", type=int, default=0, help="0 = a free port")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--task", default=None, help="pipeline task (default: HF_TASK or inferred from config.json)")
    p.add_argument("--load-delay", type=float, default=0.0, help=argparse.SUPPRESS)
    args = p.parse_args(argv)

    model_state = ModelState()
    try:
        server = ThreadingHTTPServer((args.host, args.port), make_handler(model_state))
    except OSError as e:
        print(f"[serve] error: cannot listen on {args.host}:{args.port}: {'port is already in use' if e.errno in (98, 48) else e}", file=sys.stderr, flush=True)
        return EXIT_PORT_IN_USE
    server.daemon_threads = True
    port = server.server_address[1]
    workdir = tempfile.mkdtemp(prefix="sagemaker-hf-serve-")

    def stop(signum, _frame):
        log(f"stopping ({signal.Signals(signum).name})")
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    # Announce the port before loading starts: a load failure must not hide it from the host.
    log(f"listening port={port} url=http://{args.host}:{port} pid={os.getpid()}")
    threading.Thread(target=load_model, args=(model_state, args.model, args.task, workdir, args.load_delay), daemon=True).start()
    try:
        server.serve_forever(poll_interval=0.2)
    finally:
        server.server_close()
        shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
