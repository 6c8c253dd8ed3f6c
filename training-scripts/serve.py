"""A local stand-in for the SageMaker Hugging Face inference container.

Answers what the real container answers: the Hugging Face inference toolkit's default handler
(handler_service.py, decoder_encoder.py) running under the multi-model-server (MMS) that the SageMaker
inference toolkit starts. With only the standard library, numpy and transformers:

  GET  /ping          200 once the model is loaded, 503 while it is loading
  POST /invocations   the request body decoded by its Content-Type exactly as the toolkit's decoder map
                      has it (application/json, text/csv, application/x-npy, image/*, audio/*; the header
                      is compared whole, so "application/json; charset=utf-8" is not JSON), a JSON object
                      {"inputs": ..., "parameters": {...}} given to the pipeline, the answer encoded by
                      Accept (application/json, text/csv, application/x-npy; none or */* = JSON)

Any failure while handling is what the toolkit makes of it (a 400 carrying str(exception)), in the body
MMS writes for it: Gson pretty-printed {"code", "type": "InternalServerException", "message"} and a
newline. SageMaker's runtime wraps that as a 424 ModelError; this server is the container, so it answers
the container's 400.

Only its user can reach it: it binds the loopback address, answers only requests whose Host is that
address (or localhost) and its port (421 otherwise, against DNS rebinding), refuses cross-origin requests
(403: a web page in the user's browser cannot post to it), and requires the per-run token of the
environment variable SAGEMAKER_HF_LOCAL_TOKEN in the header X-SageMaker-HF-Token on /invocations (403
without it). Without the variable it makes one and prints it once.

It is bounded as SageMaker bounds a real-time endpoint: bodies over 6 MB are refused (413), one
invocation gets 60 s (504 after that), a list of inputs is run in slices so that other requests take
turns with it and a client that went away stops the work at the next slice, idle connections are closed
after a timeout, and connections over a cap get 503 at once.

Prints one machine-readable line on stdout that the host waits for:

  [serve] listening port=PORT url=http://127.0.0.1:PORT pid=PID

Usage: python serve.py --model DIR_OR_TAR_GZ [--port 0] [--host 127.0.0.1] [--task TASK]
                       [--image-transformers VERSION]
"""

import argparse
import base64
import csv
import datetime
import hmac
import io
import json
import os
import secrets
import select
import shutil
import signal
import socket
import sys
import tarfile
import tempfile
import threading
import time
import traceback
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

# InvokeEndpoint's body limit.
MAX_BODY_BYTES = 6 * 1024 * 1024
# SageMaker real-time endpoints: the container must answer an invocation within 60 s.
DEFAULT_INVOCATION_SECONDS = 60.0
DEFAULT_IDLE_SECONDS = 60.0
DEFAULT_MAX_CONNECTIONS = 32
# Inputs per pipeline call when a list is sent: small enough that the model lock changes hands often.
SLICE = 16
EXIT_PORT_IN_USE = 3
EXIT_LOAD_FAILED = 4
TOKEN_ENV = "SAGEMAKER_HF_LOCAL_TOKEN"
TOKEN_HEADER = "X-SageMaker-HF-Token"

# The toolkit's content types (content_types.py of both toolkits).
JSON_TYPE = "application/json"
CSV_TYPE = "text/csv"
NPY_TYPE = "application/x-npy"
ANY_TYPE = "*/*"
UTF8_TYPES = (JSON_TYPE, CSV_TYPE)
IMAGE_TYPES = ("image/jpeg", "image/png", "image/tiff", "image/bmp", "image/gif", "image/webp", "image/x-image")
AUDIO_TYPES = ("audio/x-flac", "audio/mpeg", "audio/wave", "audio/ogg", "audio/x-audio")

# Architecture suffix -> task, in the toolkit's order; the toolkit keeps the last suffix that matches.
ARCHITECTURE_TASKS = [
    ("TapasForQuestionAnswering", "table-question-answering"),
    ("ForQuestionAnswering", "question-answering"),
    ("ForTokenClassification", "token-classification"),
    ("ForSequenceClassification", "text-classification"),
    ("ForMultipleChoice", "multiple-choice"),
    ("ForMaskedLM", "fill-mask"),
    ("ForCausalLM", "text-generation"),
    ("ForConditionalGeneration", "text2text-generation"),
    ("MTModel", "text2text-generation"),
    ("EncoderDecoderModel", "text2text-generation"),
    ("GPT2LMHeadModel", "text-generation"),
    ("T5WithLMHeadModel", "text2text-generation"),
]

# The toolkit's message when it is given an unknown content type (sagemaker_inference.errors), kept with
# its indentation: the toolkit's textwrap.dedent leaves it, as the first line has none.
UNSUPPORTED_FORMAT = (
    "Content type %s is not supported by this framework.\n\n"
    "            Please implement input_fn to to deserialize the request data or an output_fn to\n"
    "            serialize the response. For more information, see the SageMaker Python SDK README."
)
CSV_HEADER_MESSAGE = (
    "You need to provide the correct CSV with Header columns to use it with the inference toolkit default handler."
)


class PredictionError(Exception):
    """MMS's PredictionException: str() is "message : code", which the handler then wraps again."""

    def __init__(self, message, code=400):
        super().__init__(message)
        self.message = message
        self.code = code

    def __str__(self):
        return f"{self.message} : {self.code}"


class HttpRefusal(Exception):
    """A request refused before the handler (limits, Host, Origin, token): status and message."""

    def __init__(self, status, message, error_type="BadRequestException"):
        super().__init__(message)
        self.status = status
        self.message = message
        self.error_type = error_type


class ModelState:
    def __init__(self):
        self.pipeline = None
        self.task = None
        self.error = None
        self.lock = threading.Lock()
        self.loaded = threading.Event()
        self.legacy4 = False  # answer text-classification as a transformers 4.x image does


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
    task = None
    if architectures:
        for suffix, candidate in ARCHITECTURE_TASKS:
            if architectures[0].endswith(suffix):
                task = candidate
    if task is None:
        raise ValueError(f"cannot infer the task from architectures {architectures} in config.json (set HF_TASK)")
    return task


def major(version):
    try:
        return int(str(version).split(".")[0])
    except ValueError:
        return None


def load_model(state, model, task, workdir, delay, image_transformers):
    try:
        if delay:
            # Test hook (--load-delay): makes the loading window long enough to observe.
            time.sleep(delay)
        model_dir = extract_if_archive(model, workdir)
        task = task or infer_task(model_dir)
        import torch
        import transformers
        from transformers import pipeline

        device = 0 if torch.cuda.is_available() else -1
        # The toolkit gives image and audio tasks a feature extractor, every other task a tokenizer.
        extra = {"tokenizer": model_dir}
        if task in ("automatic-speech-recognition", "image-segmentation", "image-classification", "audio-classification", "object-detection", "zero-shot-image-classification"):
            extra = {"feature_extractor": model_dir}
        state.pipeline = pipeline(task, model=model_dir, device=device, **extra)
        state.task = task
        local = transformers.__version__
        if image_transformers and major(image_transformers) != major(local):
            state.legacy4 = major(image_transformers) == 4 and task == "text-classification"
            log(
                f"note: this server runs transformers {local}; the endpoint image has transformers {image_transformers}. "
                + (
                    "Answering as the 4.x image does: return_all_scores gives every label's score, {\"inputs\": []} gives []. "
                    "Not imitated: a 4.x image rejects parameters its tokenizer does not know with 400; this server ignores them."
                    if state.legacy4
                    else "Pipeline parameters and edge cases may answer differently on the endpoint."
                )
            )
        log(f"model loaded task={task} device={'cuda:0' if device == 0 else 'cpu'} transformers={local}")
        state.loaded.set()
    except Exception as e:  # the endpoint cannot serve: report and end, like a failed container
        state.error = f"{type(e).__name__}: {e}"
        print(f"[serve] error: loading the model failed: {state.error}", file=sys.stderr, flush=True)
        traceback.print_exc()
        shutil.rmtree(workdir, ignore_errors=True)
        os._exit(EXIT_LOAD_FAILED)


# ---- decoding, as the toolkit's decoder map does it ----


def decode_csv(text):
    lines = text.splitlines()
    if not lines:
        raise IndexError("list index out of range")
    # The toolkit calls it a header when the first line contains one of these words anywhere.
    if not any(word in lines[0].lower() for word in ("question", "context", "inputs")):
        raise PredictionError(CSV_HEADER_MESSAGE, 400)
    rows = list(csv.DictReader(io.StringIO(text)))
    if not rows:
        raise IndexError("list index out of range")
    if "inputs" in rows[0]:
        return {"inputs": [row["inputs"] for row in rows]}
    return {"inputs": rows}


def decode(body, content_type):
    if content_type == JSON_TYPE:
        return json.loads(body)
    if content_type == CSV_TYPE:
        return decode_csv(body)
    if content_type == NPY_TYPE:
        import numpy as np

        # The toolkit loads with allow_pickle=True, which runs code from the request; an object array is
        # refused here instead (the only difference from the container).
        return np.load(io.BytesIO(body), allow_pickle=False)
    if content_type in IMAGE_TYPES:
        try:
            from PIL import Image
        except ImportError:
            raise RuntimeError(f"decoding {content_type} needs Pillow, which this Python lacks (pip install pillow)")
        return {"inputs": Image.open(io.BytesIO(body)).convert("RGB")}
    if content_type in AUDIO_TYPES:
        return {"inputs": bytes(body)}
    raise RuntimeError(UNSUPPORTED_FORMAT % content_type)


# ---- encoding, as the toolkit's encoder map does it ----


def json_default(obj):
    """What the toolkit's JSON encoder turns into JSON: numpy scalars, arrays and tensors (tolist),
    datetimes (str) and images (base64 PNG)."""
    import numpy as np

    if isinstance(obj, np.integer):
        return int(obj)
    if isinstance(obj, np.floating):
        return float(obj)
    if hasattr(obj, "tolist"):
        return obj.tolist()
    if isinstance(obj, datetime.datetime):
        return str(obj)
    if type(obj).__module__.startswith("PIL.") and hasattr(obj, "save"):
        out = io.BytesIO()
        obj.save(out, format="PNG")
        return base64.b64encode(out.getvalue()).decode("utf-8")
    raise TypeError(f"Object of type {type(obj).__name__} is not JSON serializable")


def encode_json(content):
    return json.dumps(content, ensure_ascii=False, allow_nan=False, indent=None, default=json_default, separators=(",", ":"))


def encode_csv(content):
    rows = content if isinstance(content, list) else list(content)
    out = io.StringIO()
    writer = csv.DictWriter(out, rows[0].keys())
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def encode_npy(content):
    import numpy as np

    out = io.BytesIO()
    np.save(out, content)
    return out.getvalue()


def encode(content, accept):
    if accept == JSON_TYPE:
        return encode_json(content)
    if accept == CSV_TYPE:
        return encode_csv(content)
    if accept == NPY_TYPE:
        return encode_npy(content)
    raise RuntimeError(UNSUPPORTED_FORMAT % accept)


# ---- MMS's error body ----

_GSON_ESCAPES = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\b": "\\b", "\f": "\\f"}
# Gson's default HTML-safe escaping, and the two line separators JavaScript chokes on.
_GSON_HTML = {"<", ">", "&", "=", "'", "\u2028", "\u2029"}


def gson_string(s):
    out = []
    for ch in s:
        if ch in _GSON_ESCAPES:
            out.append(_GSON_ESCAPES[ch])
        elif ch in _GSON_HTML or ord(ch) < 0x20:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def mms_error_body(code, message, error_type="InternalServerException"):
    """NettyUtils.sendError's body: GSON_PRETTY of ErrorResponse(code, type, message), then a newline."""
    return ("{\n" f'  "code": {code},\n' f'  "type": {gson_string(error_type)},\n' f'  "message": {gson_string(message)}\n' "}\n").encode("utf-8")


# ---- the handler ----


class ClientGone(Exception):
    pass


class InvocationTimeout(Exception):
    pass


def legacy_scores(pipe, inputs, parameters):
    """A transformers 4.x text-classification pipeline with return_all_scores=True: every label's score
    in label order, one list per input (a string input too)."""
    rest = {k: v for k, v in parameters.items() if k != "return_all_scores"}
    rest["top_k"] = None
    id2label = pipe.model.config.id2label
    order = {id2label[i]: i for i in sorted(id2label)}
    by_label = lambda scores: sorted(scores, key=lambda x: order.get(x["label"], 0))  # noqa: E731
    result = pipe(inputs, **rest)
    if isinstance(inputs, dict):
        return by_label(result)
    if isinstance(inputs, str):
        result = [result]
    return [by_label(r) for r in result]


def run_pipeline(state, inputs, parameters, deadline, still_there):
    pipe = state.pipeline
    if state.legacy4 and isinstance(inputs, list) and not inputs:
        return []
    if state.legacy4 and isinstance(parameters, dict) and parameters.get("return_all_scores") and "top_k" not in parameters:
        call = lambda x: legacy_scores(pipe, x, parameters)  # noqa: E731
    elif parameters is not None:
        call = lambda x: pipe(x, **parameters)  # noqa: E731
    else:
        call = pipe
    if not (isinstance(inputs, list) and len(inputs) > SLICE):
        with state.lock:
            return call(inputs)
    # Per input, a pipeline's answer to a list is its answers to the slices of that list, joined.
    results = []
    for start in range(0, len(inputs), SLICE):
        if time.monotonic() > deadline:
            raise InvocationTimeout(f"{start} of {len(inputs)} inputs done")
        if not still_there():
            raise ClientGone(f"{start} of {len(inputs)} inputs done")
        with state.lock:
            part = call(inputs[start : start + SLICE])
        results.extend(part)
    return results


def handle_invocation(state, body, content_type, accept, deadline=float("inf"), still_there=lambda: True):
    """The toolkit's handle(): (status, content type, body bytes)."""
    if not accept or accept == ANY_TYPE:
        accept = JSON_TYPE
    try:
        data = body
        if content_type in UTF8_TYPES:
            data = body.decode("utf-8")
        if state.task in ("zero-shot-classification", "table-question-answering") and content_type == CSV_TYPE:
            raise PredictionError(f"content type {content_type} not support with {state.task}, use different content_type", 400)
        data = decode(data, content_type)
        inputs = data.pop("inputs", data)
        parameters = data.pop("parameters", None)
        prediction = run_pipeline(state, inputs, parameters, deadline, still_there)
        answer = encode(prediction, accept)
    except (ClientGone, InvocationTimeout):
        raise
    except Exception as e:
        return 400, JSON_TYPE, mms_error_body(400, str(e))
    return 200, accept, answer if isinstance(answer, bytes) else answer.encode("utf-8")


def client_still_there(sock):
    """False once the client closed its end; a pipelined next request counts as still there."""
    try:
        readable, _, _ = select.select([sock], [], [], 0)
        if not readable:
            return True
        return sock.recv(1, socket.MSG_PEEK) != b""
    except (OSError, ValueError):
        return False


def make_handler(state, settings):
    allowed_hosts = {f"127.0.0.1:{settings['port']}", f"localhost:{settings['port']}"}
    allowed_origins = {f"http://{h}" for h in allowed_hosts}

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        server_version = "sagemaker-hf-local"
        # Idle keep-alive connections (and bodies that stop arriving) end after this.
        timeout = settings["idle_seconds"]

        def log_message(self, fmt, *args):
            pass

        def send(self, status, content_type, body, close=False):
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            if close:
                self.send_header("Connection", "close")
                self.close_connection = True
            self.end_headers()
            self.wfile.write(body)

        def refuse(self, r):
            self.send(r.status, JSON_TYPE, mms_error_body(r.status, r.message, r.error_type), close=True)

        def check_caller(self, needs_token):
            host = (self.headers.get("Host") or "").strip().lower()
            if host not in allowed_hosts:
                raise HttpRefusal(421, f"Host '{host}' is not this endpoint: use http://127.0.0.1:{settings['port']}", "MisdirectedRequest")
            origin = self.headers.get("Origin")
            if origin is not None and origin.strip().lower() not in allowed_origins:
                raise HttpRefusal(403, f"cross-origin requests are refused (Origin {origin})", "Forbidden")
            if (self.headers.get("Sec-Fetch-Site") or "").lower() == "cross-site":
                raise HttpRefusal(403, "cross-site requests are refused", "Forbidden")
            if needs_token:
                given = self.headers.get(TOKEN_HEADER) or ""
                if not hmac.compare_digest(given.encode(), settings["token"].encode()):
                    raise HttpRefusal(
                        403,
                        f"missing or wrong {TOKEN_HEADER} header: this local endpoint's token is the 'token' of its entry in .sagemaker-hf/endpoints.json",
                        "Forbidden",
                    )

        def do_GET(self):
            try:
                self.check_caller(needs_token=False)
            except HttpRefusal as r:
                return self.refuse(r)
            if self.path.split("?")[0] == "/ping":
                if state.loaded.is_set():
                    self.send(200, JSON_TYPE, json.dumps({"status": "healthy", "task": state.task}).encode())
                else:
                    self.send(503, JSON_TYPE, json.dumps({"status": "loading", "message": "the model is still loading"}).encode())
                return
            self.refuse(HttpRefusal(404, f"no such path: {self.path} (GET /ping, POST /invocations)", "ResourceNotFoundException"))

        def do_OPTIONS(self):
            # No CORS: a browser's preflight gets no Access-Control-Allow-* and so never sends the request.
            self.refuse(HttpRefusal(403, "cross-origin requests are refused", "Forbidden"))

        def do_POST(self):
            try:
                self.check_caller(needs_token=self.path.split("?")[0] == "/invocations")
                if self.path.split("?")[0] != "/invocations":
                    raise HttpRefusal(404, f"no such path: {self.path} (GET /ping, POST /invocations)", "ResourceNotFoundException")
                if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
                    raise HttpRefusal(411, "send the body with a Content-Length (chunked bodies are not accepted)", "LengthRequired")
                try:
                    length = int(self.headers.get("Content-Length") or 0)
                except ValueError:
                    length = -1
                if length < 0 or length > MAX_BODY_BYTES:
                    raise HttpRefusal(413, f"the request body is {length} bytes; SageMaker endpoints accept at most {MAX_BODY_BYTES} bytes (6 MB)", "RequestEntityTooLarge")
                body = self.rfile.read(length) if length else b""
                if len(body) < length:
                    return  # the client left mid-body
                if not state.loaded.is_set():
                    raise HttpRefusal(503, "the model is still loading; retry when GET /ping answers 200", "ServiceUnavailableException")
            except HttpRefusal as r:
                return self.refuse(r)
            started = time.perf_counter()
            limit = settings["invocation_seconds"]
            try:
                status, ctype, answer = handle_invocation(
                    state,
                    body,
                    self.headers.get("Content-Type"),
                    self.headers.get("Accept"),
                    deadline=time.monotonic() + limit,
                    still_there=lambda: client_still_there(self.connection),
                )
            except ClientGone as e:
                log(f"invocation stopped: the client left ({e})")
                self.close_connection = True
                return
            except InvocationTimeout as e:
                log(f"invocation stopped after {limit:g} s ({e})")
                return self.refuse(
                    HttpRefusal(504, f"the invocation took longer than {limit:g} s, SageMaker's limit for a real-time endpoint ({e}); send fewer or shorter inputs", "TimeoutException")
                )
            log(f"invocation {status} {int((time.perf_counter() - started) * 1000)} ms")
            # MMS closes the connection after every error answer.
            self.send(status, ctype, answer, close=status >= 400)

    return Handler


class BoundedServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address, handler, max_connections):
        super().__init__(address, handler)
        self.slots = threading.BoundedSemaphore(max_connections)
        self.max_connections = max_connections

    def process_request(self, request, client_address):
        if not self.slots.acquire(blocking=False):
            body = mms_error_body(503, f"too many connections (at most {self.max_connections}); retry shortly", "ServiceUnavailableException")
            try:
                request.settimeout(2)
                request.sendall(b"HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\nConnection: close\r\n" + f"Content-Length: {len(body)}\r\n\r\n".encode() + body)
            except OSError:
                pass
            self.shutdown_request(request)
            return
        super().process_request(request, client_address)

    def process_request_thread(self, request, client_address):
        try:
            super().process_request_thread(request, client_address)
        finally:
            self.slots.release()


def main(argv=None):
    p = argparse.ArgumentParser(description="Local SageMaker Hugging Face inference endpoint")
    p.add_argument("--model", required=True, help="model folder or model.tar.gz")
    p.add_argument("--port", type=int, default=0, help="0 = a free port")
    p.add_argument("--host", default="127.0.0.1", choices=["127.0.0.1"], help="the loopback address (the only one)")
    p.add_argument("--task", default=None, help="pipeline task (default: HF_TASK or inferred from config.json)")
    p.add_argument("--image-transformers", default=None, help="transformers version of the endpoint image the spec deploys")
    p.add_argument("--invocation-seconds", type=float, default=DEFAULT_INVOCATION_SECONDS)
    p.add_argument("--idle-seconds", type=float, default=DEFAULT_IDLE_SECONDS)
    p.add_argument("--max-connections", type=int, default=DEFAULT_MAX_CONNECTIONS)
    p.add_argument("--load-delay", type=float, default=0.0, help=argparse.SUPPRESS)
    args = p.parse_args(argv)

    token = os.environ.get(TOKEN_ENV) or ""
    model_state = ModelState()
    settings = {"idle_seconds": args.idle_seconds, "invocation_seconds": args.invocation_seconds}
    try:
        server = BoundedServer((args.host, args.port), None, max(1, args.max_connections))
    except OSError as e:
        print(f"[serve] error: cannot listen on {args.host}:{args.port}: {'port is already in use' if e.errno in (98, 48) else e}", file=sys.stderr, flush=True)
        return EXIT_PORT_IN_USE
    port = server.server_address[1]
    made_token = not token
    token = token or secrets.token_urlsafe(32)
    settings.update(port=port, token=token)
    server.RequestHandlerClass = make_handler(model_state, settings)
    workdir = tempfile.mkdtemp(prefix="sagemaker-hf-serve-")

    def stop(signum, _frame):
        log(f"stopping ({signal.Signals(signum).name})")
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    # Announce the port before loading starts: a load failure must not hide it from the host.
    log(f"listening port={port} url=http://{args.host}:{port} pid={os.getpid()}")
    if made_token:
        log(f"no {TOKEN_ENV} given; this run's token (send it as {TOKEN_HEADER}): {token}")
    threading.Thread(
        target=load_model, args=(model_state, args.model, args.task, workdir, args.load_delay, args.image_transformers), daemon=True
    ).start()
    try:
        server.serve_forever(poll_interval=0.2)
    finally:
        server.server_close()
        shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
