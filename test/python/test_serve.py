"""The local endpoint (training-scripts/serve.py) against what the real SageMaker Hugging Face inference
container answers, with real tiny BERTs built by test/tools/make_tiny_model.py.

PAYLOADS is the table: body, content type, accept, task, and the expected status and body. Error bodies
are written out byte for byte as the container's model server (MMS) writes them; 200 bodies are checked
for their shape (the tiny models' weights are random). test_the_real_handler_answers_the_same then runs
each row through the Hugging Face inference toolkit's own handler_service (from its source, fetched into
SAGEMAKER_HF_TOOLKIT_SRC or /work/.mirror) with the same model and compares status and bytes.
"""

import http.client
import json
import os
import re
import signal
import socket
import subprocess
import sys
import tarfile
import threading
import time
import types

import pytest

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
SERVE = os.path.join(REPO, "training-scripts", "serve.py")
MAKE_TINY = os.path.join(REPO, "test", "tools", "make_tiny_model.py")
EMOTIONS = ["sadness", "joy", "love", "anger", "fear", "surprise"]
LISTENING = re.compile(r"\[serve\] listening port=(\d+) url=(\S+) pid=(\d+)")
TOKEN = "test-token-0123456789"
UNSUPPORTED = (
    "Content type {} is not supported by this framework.\n\n"
    "            Please implement input_fn to to deserialize the request data or an output_fn to\n"
    "            serialize the response. For more information, see the SageMaker Python SDK README."
)


def mms_error(message, code=400, kind="InternalServerException"):
    """MMS's error body (Gson pretty printing, HTML-safe escapes, a final newline), written independently
    of serve.py's encoder: json.dumps's layout with indent=2 is Gson's."""
    text = json.dumps({"code": code, "type": kind, "message": message}, indent=2, ensure_ascii=False)
    for ch in "<>&='":
        text = text.replace(ch, "\\u%04x" % ord(ch))
    return (text + "\n").encode("utf-8")


def unsupported(content_type):
    """The 400 for a content type (or Accept) the toolkit has no decoder (encoder) for."""
    return mms_error(UNSUPPORTED.format(content_type))


def label_scores(n_inputs=None, all_scores=False):
    """A checker for a text-classification answer: a list of {label, score} (one per input or every
    label), or a list of such lists."""

    def check(body):
        data = json.loads(body)
        assert isinstance(data, list)
        rows = data if all_scores else [data]
        for row in rows:
            for p in row:
                assert set(p) == {"label", "score"} and p["label"] in EMOTIONS and 0 <= p["score"] <= 1
        if all_scores:
            assert all(len(row) == len(EMOTIONS) for row in data)
        if n_inputs is not None:
            assert len(data) == n_inputs
        return True

    return check


def csv_scores(n_rows):
    def check(body):
        lines = body.decode().split("\r\n")
        assert lines[0] == "label,score" and lines[-1] == "" and len(lines) == n_rows + 2
        for line in lines[1:-1]:
            label, score = line.split(",")
            assert label in EMOTIONS and 0 <= float(score) <= 1
        return True

    return check


def entities(body):
    data = json.loads(body)
    assert isinstance(data, list) and data
    for e in data:
        assert {"entity", "score", "index", "word", "start", "end"} <= set(e)
        assert isinstance(e["score"], float)
    return True


J, C = "application/json", "text/csv"
TC, TOK = "text-classification", "token-classification"
# (id, task, body, content type, accept, status, expected bytes or checker)
PAYLOADS = [
    ("object-one-text", TC, b'{"inputs": "i feel great"}', J, None, 200, label_scores(1)),
    ("object-batch", TC, b'{"inputs": ["i feel great", "i am sad", "wow"]}', J, None, 200, label_scores(3)),
    ("accept-any", TC, b'{"inputs": "i feel great"}', J, "*/*", 200, label_scores(1)),
    ("top-k-none", TC, b'{"inputs": "i feel great", "parameters": {"top_k": null}}', J, J, 200, label_scores(6)),
    ("pair-as-the-body", TC, b'{"text": "i feel", "text_pair": "great"}', J, None, 200, lambda b: set(json.loads(b)) == {"label", "score"}),
    ("bare-list", TC, b'["a", "b"]', J, None, 400, mms_error("pop expected at most 1 argument, got 2")),
    ("bare-string", TC, b'"a"', J, None, 400, mms_error("'str' object has no attribute 'pop'")),
    ("bare-number", TC, b"42", J, None, 400, mms_error("'int' object has no attribute 'pop'")),
    ("null", TC, b"null", J, None, 400, mms_error("'NoneType' object has no attribute 'pop'")),
    ("not-json", TC, b'{"inputs": ', J, None, 400, mms_error("Expecting value: line 1 column 12 (char 11)")),
    ("not-utf8", TC, b"\xff\xfe", J, None, 400, mms_error("'utf-8' codec can't decode byte 0xff in position 0: invalid start byte")),
    ("empty-body", TC, b"", J, None, 400, mms_error("Expecting value: line 1 column 1 (char 0)")),
    ("charset-is-another-type", TC, b'{"inputs": "a"}', "application/json; charset=utf-8", None, 400, unsupported("application/json; charset=utf-8")),
    ("text-plain", TC, b"hello", "text/plain", None, 400, unsupported("text/plain")),
    ("no-content-type", TC, b'{"inputs": "a"}', None, None, 400, unsupported(None)),
    ("accept-csv", TC, b'{"inputs": ["i feel great", "i am sad"]}', J, C, 200, csv_scores(2)),
    ("accept-csv-one", TC, b'{"inputs": "i feel great"}', J, C, 200, csv_scores(1)),
    ("accept-csv-all-scores", TC, b'{"inputs": ["a", "b"], "parameters": {"top_k": null}}', J, C, 400, mms_error("'list' object has no attribute 'keys'")),
    ("accept-list", TC, b'{"inputs": "a"}', J, "application/json, text/csv", 400, unsupported("application/json, text/csv")),
    ("accept-xml", TC, b'{"inputs": "a"}', J, "application/xml", 400, unsupported("application/xml")),
    ("csv-inputs-column", TC, b"inputs\ni feel great\ni am sad\n", C, None, 200, label_scores(2)),
    ("csv-inputs-not-first", TC, b"id,inputs\n1,i feel great\n", C, None, 200, label_scores(1)),
    ("csv-no-header", TC, b"i feel great\ni am sad\n", C, None, 400, mms_error("You need to provide the correct CSV with Header columns to use it with the inference toolkit default handler. : 400")),
    ("csv-header-only", TC, b"inputs\n", C, None, 400, mms_error("list index out of range")),
    ("csv-empty", TC, b"", C, None, 400, mms_error("list index out of range")),
    ("csv-to-csv", TC, b"inputs\ni feel great\n", C, C, 200, csv_scores(1)),
    ("token-classification-json", TOK, b'{"inputs": "hello world"}', J, None, 200, entities),
    ("token-classification-csv", TOK, b'{"inputs": "hello world"}', J, C, 200, lambda b: b.decode().startswith("entity,score,index,word,start,end\r\n")),
]


def build_tiny(out, token_classification=False):
    args = [sys.executable, MAKE_TINY, str(out)] + (["--token-classification"] if token_classification else [])
    subprocess.run(args, check=True, capture_output=True, timeout=300)
    # What train.py does after training: the dataset's label names go into the config.
    cfg_path = out / "config.json"
    cfg = json.loads(cfg_path.read_text(encoding="utf-8"))
    cfg["id2label"] = {str(i): n for i, n in enumerate(EMOTIONS)}
    cfg["label2id"] = {n: i for i, n in enumerate(EMOTIONS)}
    cfg_path.write_text(json.dumps(cfg, indent=2), encoding="utf-8")
    return out


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory):
    return build_tiny(tmp_path_factory.mktemp("tiny") / "bert-tiny-emotion")


@pytest.fixture(scope="module")
def tiny_token_model(tmp_path_factory):
    return build_tiny(tmp_path_factory.mktemp("tiny-tok") / "bert-tiny-ner", token_classification=True)


class Server:
    def __init__(self, *args, token=TOKEN):
        env = {k: v for k, v in os.environ.items() if k != "SAGEMAKER_HF_LOCAL_TOKEN"}
        if token:
            env["SAGEMAKER_HF_LOCAL_TOKEN"] = token
        self.token = token
        self.proc = subprocess.Popen(
            [sys.executable, SERVE, *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,
            env=env,
        )
        line = self.proc.stdout.readline()
        m = LISTENING.search(line)
        assert m, f"no listening line, got {line!r}; stderr: {self.proc.stderr.read() if self.proc.poll() is not None else ''}"
        self.port = int(m.group(1))
        self.url = m.group(2)
        self.lines = [line]
        threading.Thread(target=self._collect, daemon=True).start()

    def _collect(self):
        for line in self.proc.stdout:
            self.lines.append(line)

    def request(self, method, path, body=None, content_type="application/json", accept=None, headers=None, token=True):
        # http.client adds no Content-Type of its own (urllib would add a form type).
        data = body if isinstance(body, (bytes, type(None))) else json.dumps(body).encode()
        h = {}
        if content_type:
            h["Content-Type"] = content_type
        if accept:
            h["Accept"] = accept
        if token and self.token:
            h["X-SageMaker-HF-Token"] = self.token
        h.update(headers or {})
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        try:
            conn.request(method, path, body=data, headers=h)
            r = conn.getresponse()
            return r.status, r.read(), r.headers
        finally:
            conn.close()

    def wait_ready(self, timeout=120):
        deadline = time.time() + timeout
        while time.time() < deadline:
            assert self.proc.poll() is None, f"server exited: {self.proc.stderr.read()}"
            if self.request("GET", "/ping")[0] == 200:
                return
            time.sleep(0.2)
        raise AssertionError("model never became ready")

    def wait_line(self, needle, timeout=30):
        deadline = time.time() + timeout
        while time.time() < deadline:
            hit = [l for l in self.lines if needle in l]
            if hit:
                return hit[0]
            time.sleep(0.1)
        raise AssertionError(f"no line with {needle!r} in {self.lines}")

    def stop(self):
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        self.proc.stderr.close()


def started(*args, **kw):
    s = Server(*args, **kw)
    try:
        s.wait_ready()
    except BaseException:
        s.stop()
        raise
    return s


@pytest.fixture(scope="module")
def servers(tiny_model, tiny_token_model):
    running = {TC: started("--model", str(tiny_model), "--port", "0")}
    try:
        running[TOK] = started("--model", str(tiny_token_model), "--port", "0")
        yield running
    finally:
        for s in running.values():
            s.stop()


def check_row(status, body, expected_status, expected):
    assert status == expected_status, body
    if isinstance(expected, bytes):
        assert body == expected
    else:
        assert expected(body)


@pytest.mark.parametrize("row", PAYLOADS, ids=[r[0] for r in PAYLOADS])
def test_payload_table(servers, row):
    _, task, body, ctype, accept, expected_status, expected = row
    s = servers[task]
    status, reply, headers = s.request("POST", "/invocations", body, content_type=ctype, accept=accept)
    check_row(status, reply, expected_status, expected)
    if status == 200:
        assert headers["Content-Type"] == (accept if accept and accept != "*/*" else "application/json")
    assert s.proc.poll() is None
    assert s.request("GET", "/ping")[0] == 200


# ---- the same table through the toolkit's own handler ----


def toolkit_sources():
    """The Hugging Face and SageMaker inference toolkits' src folders, or None where they are not here."""
    base = os.environ.get("SAGEMAKER_HF_TOOLKIT_SRC")
    if base:
        return os.path.join(base, "hf"), os.path.join(base, "si")
    return None


@pytest.fixture(scope="module")
def real_handler(tmp_path_factory, tiny_model, tiny_token_model):
    from transformers import pipeline

    pipes = {
        TC: pipeline(TC, model=str(tiny_model), tokenizer=str(tiny_model), device=-1),
        TOK: pipeline(TOK, model=str(tiny_token_model), tokenizer=str(tiny_token_model), device=-1),
    }
    src = toolkit_sources()
    if src is None:
        mirrors = "/work/.mirror"
        hf_git = os.path.join(mirrors, "aws+sagemaker-huggingface-inference-toolkit", "repo")
        si_git = os.path.join(mirrors, "aws+sagemaker-inference-toolkit", "repo")
        if not (os.path.isdir(hf_git) and os.path.isdir(si_git)):
            pytest.skip("the inference toolkits' sources are not here (set SAGEMAKER_HF_TOOLKIT_SRC to a folder with hf/ and si/ checkouts)")
        out = tmp_path_factory.mktemp("toolkits")
        for name, git in (("hf", hf_git), ("si", si_git)):
            (out / name).mkdir()
            archive = subprocess.run(["git", "-C", git, "archive", "HEAD", "src"], check=True, capture_output=True).stdout
            subprocess.run(["tar", "-x", "-C", str(out / name)], input=archive, check=True)
        src = (str(out / "hf"), str(out / "si"))
    sys.path[:0] = [os.path.join(src[0], "src"), os.path.join(src[1], "src")]

    # What the container has and this Python may lack, as small stand-ins: MMS's PredictionException
    # (its definition), and Pillow / scipy, which only the image and sparse decoders use.
    class PredictionException(Exception):
        def __init__(self, message, error_code=500):
            self.message = message
            self.error_code = error_code
            super().__init__(message)

        def __str__(self):
            return "{message} : {error_code}".format(message=self.message, error_code=self.error_code)

    stubs = {"mms": types.ModuleType("mms"), "mms.service": types.ModuleType("mms.service")}
    stubs["mms.service"].PredictionException = PredictionException
    stubs["mms"].service = stubs["mms.service"]
    try:
        import PIL.Image  # noqa: F401
    except ImportError:
        stubs["PIL"], stubs["PIL.Image"] = types.ModuleType("PIL"), types.ModuleType("PIL.Image")
        stubs["PIL.Image"].Image = type("Image", (), {})
        stubs["PIL"].Image = stubs["PIL.Image"]
    try:
        import scipy.sparse  # noqa: F401
    except ImportError:
        stubs["scipy"], stubs["scipy.sparse"] = types.ModuleType("scipy"), types.ModuleType("scipy.sparse")
        stubs["scipy"].sparse = stubs["scipy.sparse"]
    saved = {k: sys.modules.get(k) for k in stubs}
    sys.modules.update(stubs)
    import transformers.file_utils as file_utils

    if not hasattr(file_utils, "is_tf_available"):  # gone in transformers 5
        file_utils.is_tf_available = lambda: False
    try:
        from sagemaker_huggingface_inference_toolkit import handler_service
    finally:
        for k, v in saved.items():
            if v is None:
                sys.modules.pop(k, None)
            else:
                sys.modules[k] = v

    def answer(task, body, content_type, accept):
        service = handler_service.HuggingFaceHandlerService()
        service.model, service.initialized = pipes[task], True
        headers = {**({"Content-Type": content_type} if content_type else {}), **({"Accept": accept} if accept else {})}
        ctx = types.SimpleNamespace(
            request_processor=[types.SimpleNamespace(get_request_properties=lambda: headers)],
            metrics=types.SimpleNamespace(add_time=lambda *a: None),
            set_response_content_type=lambda i, ct: None,
        )
        try:
            out = service.handle([{"body": body}], ctx)[0]
        except PredictionException as e:
            return e.error_code, mms_error(e.message, e.error_code)
        return 200, out if isinstance(out, bytes) else out.encode("utf-8")

    return answer


@pytest.mark.parametrize("row", PAYLOADS, ids=[r[0] for r in PAYLOADS])
def test_the_real_handler_answers_the_same(servers, real_handler, row):
    _, task, body, ctype, accept, expected_status, expected = row
    real_status, real_body = real_handler(task, body, ctype, accept)
    check_row(real_status, real_body, expected_status, expected)
    status, reply, _ = servers[task].request("POST", "/invocations", body, content_type=ctype, accept=accept)
    assert (status, reply) == (real_status, real_body)


# ---- the image the spec deploys ----


def test_a_4x_image_is_answered_as_4x_answers(tiny_model):
    s = started("--model", str(tiny_model), "--port", "0", "--image-transformers", "4.37.0")
    try:
        note = s.wait_line("note:")
        assert "4.37.0" in note and "return_all_scores" in note and "Not imitated" in note
        status, body, _ = s.request("POST", "/invocations", {"inputs": "i feel great", "parameters": {"return_all_scores": True}})
        assert status == 200
        data = json.loads(body)
        assert len(data) == 1 and [p["label"] for p in data[0]] == EMOTIONS  # every label, in label order
        status, body, _ = s.request("POST", "/invocations", {"inputs": ["a", "b"], "parameters": {"return_all_scores": True}})
        assert status == 200 and [len(r) for r in json.loads(body)] == [6, 6]
        status, body, _ = s.request("POST", "/invocations", {"inputs": []})
        assert (status, body) == (200, b"[]")
    finally:
        s.stop()


# ---- who may call ----


@pytest.mark.parametrize(
    "path,headers,token,status,needle",
    [
        ("/invocations", {"Host": "evil.example:80"}, True, 421, "is not this endpoint"),
        ("/ping", {"Host": "rebound.example.com"}, True, 421, "is not this endpoint"),
        ("/invocations", {"Origin": "https://evil.example"}, True, 403, "cross-origin"),
        ("/invocations", {"Sec-Fetch-Site": "cross-site"}, True, 403, "cross-site"),
        ("/invocations", {}, False, 403, "X-SageMaker-HF-Token"),
        ("/invocations", {"X-SageMaker-HF-Token": "wrong"}, False, 403, "X-SageMaker-HF-Token"),
    ],
)
def test_only_its_user_can_call_it(servers, path, headers, token, status, needle):
    s = servers[TC]
    method = "POST" if path == "/invocations" else "GET"
    got, body, _ = s.request(method, path, {"inputs": "x"} if method == "POST" else None, headers=headers, token=token)
    assert got == status and needle in json.loads(body)["message"]


def test_same_origin_and_localhost_are_accepted(servers):
    s = servers[TC]
    origin = f"http://127.0.0.1:{s.port}"
    assert s.request("POST", "/invocations", {"inputs": "x"}, headers={"Origin": origin})[0] == 200
    assert s.request("POST", "/invocations", {"inputs": "x"}, headers={"Host": f"localhost:{s.port}"})[0] == 200


def test_a_preflight_gets_no_cors_permission(servers):
    status, _, headers = servers[TC].request("OPTIONS", "/invocations", None, headers={"Origin": "https://evil.example"})
    assert status == 403 and "Access-Control-Allow-Origin" not in headers


def test_without_a_token_in_the_environment_it_makes_one(tiny_model):
    s = Server("--model", str(tiny_model), "--port", "0", "--load-delay", "30", token=None)
    try:
        line = s.wait_line("this run's token")
        made = line.strip().rsplit(" ", 1)[1]
        assert len(made) >= 32
        status, body, _ = s.request("POST", "/invocations", {"inputs": "x"}, token=False)
        assert status == 403
        s.token = made
        status, body, _ = s.request("POST", "/invocations", {"inputs": "x"})
        assert status == 503  # past the token check; the model is still loading
    finally:
        s.stop()


# ---- limits ----


def raw_request(port, head, timeout=10):
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as c:
        c.sendall(head)
        chunks = []
        while True:
            try:
                b = c.recv(65536)
            except socket.timeout:
                break
            if not b:
                break
            chunks.append(b)
        return b"".join(chunks)


def test_a_body_over_6_mb_is_refused_before_it_is_read(servers):
    s = servers[TC]
    head = (
        f"POST /invocations HTTP/1.1\r\nHost: 127.0.0.1:{s.port}\r\nContent-Type: application/json\r\n"
        f"X-SageMaker-HF-Token: {TOKEN}\r\nContent-Length: {6 * 1024 * 1024 + 1}\r\n\r\n"
    ).encode()
    answer = raw_request(s.port, head)
    assert answer.startswith(b"HTTP/1.1 413") and b"at most 6291456 bytes" in answer


@pytest.fixture()
def bounded(tiny_model):
    s = started("--model", str(tiny_model), "--port", "0", "--idle-seconds", "1", "--max-connections", "3", "--invocation-seconds", "2")
    try:
        yield s
    finally:
        s.stop()


def test_idle_connections_are_closed(bounded):
    with socket.create_connection(("127.0.0.1", bounded.port), timeout=10) as c:
        t0 = time.monotonic()
        assert c.recv(1) == b""  # closed by the server, not by our 10 s timeout
        assert time.monotonic() - t0 < 8


@pytest.fixture()
def capped(tiny_model):
    # Idle connections live long here: with bounded's 1 s, a loaded machine could close a held connection
    # (freeing its slot) before the fourth one is accepted, and the fourth would then be served, not refused.
    s = started("--model", str(tiny_model), "--port", "0", "--idle-seconds", "60", "--max-connections", "3")
    try:
        yield s
    finally:
        s.stop()


def test_connections_over_the_cap_get_503_at_once(capped):
    held = [socket.create_connection(("127.0.0.1", capped.port), timeout=10) for _ in range(3)]
    try:
        # Each held connection is in a handler once it answers a ping: all three slots are taken.
        for c in held:
            c.sendall(f"GET /ping HTTP/1.1\r\nHost: 127.0.0.1:{capped.port}\r\n\r\n".encode())
            assert c.recv(65536).startswith(b"HTTP/1.1 200")
        t0 = time.monotonic()
        answer = raw_request(capped.port, b"", timeout=10)
        assert answer.startswith(b"HTTP/1.1 503") and b"too many connections" in answer
        assert time.monotonic() - t0 < 5  # at once, not after an idle timeout
    finally:
        for c in held:
            c.close()
    for _ in range(50):  # the slots free as the handlers see their clients gone
        if capped.request("GET", "/ping")[0] == 200:
            break
        time.sleep(0.1)
    else:
        raise AssertionError("no slot came free after the held connections closed")


def big_body(n):
    # Under the 6 MB limit, and many seconds of work for a tiny BERT on a CPU.
    return json.dumps({"inputs": ["winter is coming, dark and cold " * 2] * n}).encode()


def test_one_request_is_bounded_in_time(bounded):
    status, body, _ = bounded.request("POST", "/invocations", big_body(40000))
    assert status == 504 and b"longer than 2 s" in body


def test_other_requests_take_turns_with_a_long_one(tiny_model):
    s = started("--model", str(tiny_model), "--port", "0")
    try:
        results = {}

        def big():
            try:
                results["big"] = s.request("POST", "/invocations", big_body(60000))
            except OSError:  # the server is stopped under it at the end
                pass

        t = threading.Thread(target=big, daemon=True)
        t.start()
        time.sleep(1.0)
        status, _, _ = s.request("POST", "/invocations", {"inputs": "a small one"})
        assert status == 200 and t.is_alive(), "the small request was answered while the big one ran"
    finally:
        s.stop()


def test_work_stops_when_the_client_leaves(bounded):
    body = big_body(40000)
    head = (
        f"POST /invocations HTTP/1.1\r\nHost: 127.0.0.1:{bounded.port}\r\nContent-Type: application/json\r\n"
        f"X-SageMaker-HF-Token: {TOKEN}\r\nContent-Length: {len(body)}\r\n\r\n"
    ).encode()
    with socket.create_connection(("127.0.0.1", bounded.port), timeout=10) as c:
        c.sendall(head + body)
        time.sleep(0.5)
    line = bounded.wait_line("the client left", timeout=10)
    assert "inputs done" in line


# ---- the container's life ----


def test_requests_while_loading_get_503_then_200(tiny_model):
    s = Server("--model", str(tiny_model), "--port", "0", "--load-delay", "3")
    try:
        status, body, _ = s.request("GET", "/ping")
        assert status == 503 and json.loads(body)["status"] == "loading"
        status, body, _ = s.request("POST", "/invocations", {"inputs": "too early"})
        assert status == 503 and "loading" in json.loads(body)["message"]
        s.wait_ready()
        assert s.request("POST", "/invocations", {"inputs": "now"})[0] == 200
    finally:
        s.stop()
    assert s.proc.returncode == 0


def test_unknown_path_is_404(servers):
    assert servers[TC].request("GET", "/nope")[0] == 404


def test_serves_a_model_tar_gz_and_cleans_up_on_sigterm(tiny_model, tmp_path):
    archive = tmp_path / "model.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        for name in os.listdir(tiny_model):
            tar.add(tiny_model / name, arcname=name)
    s = started("--model", str(archive), "--port", "0")
    try:
        status, body, _ = s.request("POST", "/invocations", {"inputs": "from the archive"})
        assert status == 200 and label_scores(1)(body)
    finally:
        s.stop()
    assert s.proc.returncode == 0


def test_port_in_use_is_a_clear_error():
    busy = socket.socket()
    busy.bind(("127.0.0.1", 0))
    busy.listen(1)
    try:
        port = busy.getsockname()[1]
        r = subprocess.run([sys.executable, SERVE, "--model", "/nonexistent", "--port", str(port)], capture_output=True, text=True, timeout=60)
        assert r.returncode == 3
        assert f"127.0.0.1:{port}" in r.stderr and "already in use" in r.stderr
    finally:
        busy.close()


def test_a_model_that_cannot_load_ends_the_server_with_the_reason(tmp_path):
    s = Server("--model", str(tmp_path / "missing"), "--port", "0")
    s.proc.wait(60)
    err = s.proc.stderr.read()
    s.stop()
    assert s.proc.returncode == 4
    assert "loading the model failed" in err and "missing" in err
