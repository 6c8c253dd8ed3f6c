"""The local endpoint (training-scripts/serve.py) against the SageMaker inference container contract,
with a real tiny BERT built by test/tools/make_tiny_model.py."""

import json
import os
import re
import signal
import socket
import subprocess
import sys
import tarfile
import time
import urllib.error
import urllib.request

import pytest

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
SERVE = os.path.join(REPO, "training-scripts", "serve.py")
MAKE_TINY = os.path.join(REPO, "test", "tools", "make_tiny_model.py")
EMOTIONS = {"sadness", "joy", "love", "anger", "fear", "surprise"}
LISTENING = re.compile(r"\[serve\] listening port=(\d+) url=(\S+) pid=(\d+)")


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory):
    out = tmp_path_factory.mktemp("tiny") / "bert-tiny-emotion"
    subprocess.run([sys.executable, MAKE_TINY, str(out)], check=True, capture_output=True, timeout=300)
    # What train.py does after training: the dataset's label names go into the config.
    names = ["sadness", "joy", "love", "anger", "fear", "surprise"]
    cfg_path = out / "config.json"
    cfg = json.loads(cfg_path.read_text(encoding="utf-8"))
    cfg["id2label"] = {str(i): n for i, n in enumerate(names)}
    cfg["label2id"] = {n: i for i, n in enumerate(names)}
    cfg_path.write_text(json.dumps(cfg, indent=2), encoding="utf-8")
    return out


class Server:
    def __init__(self, *args):
        self.proc = subprocess.Popen(
            [sys.executable, SERVE, *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,
        )
        line = self.proc.stdout.readline()
        m = LISTENING.search(line)
        assert m, f"no listening line, got {line!r}; stderr: {self.proc.stderr.read() if self.proc.poll() is not None else ''}"
        self.port = int(m.group(1))
        self.url = m.group(2)

    def request(self, method, path, body=None, content_type="application/json", accept=None):
        data = body if isinstance(body, (bytes, type(None))) else json.dumps(body).encode()
        req = urllib.request.Request(self.url + path, data=data, method=method)
        if content_type:
            req.add_header("Content-Type", content_type)
        if accept:
            req.add_header("Accept", accept)
        try:
            with urllib.request.urlopen(req, timeout=30) as r:
                return r.status, json.loads(r.read())
        except urllib.error.HTTPError as e:
            return e.code, json.loads(e.read())

    def wait_ready(self, timeout=120):
        deadline = time.time() + timeout
        while time.time() < deadline:
            assert self.proc.poll() is None, f"server exited: {self.proc.stderr.read()}"
            if self.request("GET", "/ping")[0] == 200:
                return
            time.sleep(0.2)
        raise AssertionError("model never became ready")

    def stop(self):
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        self.proc.stdout.close()
        self.proc.stderr.close()


@pytest.fixture(scope="module")
def server(tiny_model):
    s = Server("--model", str(tiny_model), "--port", "0")
    try:
        s.wait_ready()
        yield s
    finally:
        s.stop()


def assert_prediction(p):
    assert set(p) == {"label", "score"}
    assert p["label"] in EMOTIONS
    assert 0.0 <= p["score"] <= 1.0


def test_ping_is_healthy_once_loaded(server):
    status, body = server.request("GET", "/ping")
    assert status == 200
    assert body["task"] == "text-classification"


def test_single_input_gives_one_prediction(server):
    status, body = server.request("POST", "/invocations", {"inputs": "Winter is coming and it will be dark soon."})
    assert status == 200
    assert isinstance(body, list) and len(body) == 1
    assert_prediction(body[0])


def test_batch_gives_one_prediction_per_input(server):
    status, body = server.request("POST", "/invocations", {"inputs": ["i feel great", "i am so scared", "what a surprise"]})
    assert status == 200
    assert len(body) == 3
    for p in body:
        assert_prediction(p)


def test_parameters_are_passed_to_the_pipeline(server):
    status, body = server.request("POST", "/invocations", {"inputs": "i feel great", "parameters": {"top_k": None}})
    assert status == 200
    assert {p["label"] for p in body} == EMOTIONS
    scores = [p["score"] for p in body]
    assert scores == sorted(scores, reverse=True)
    assert abs(sum(scores) - 1.0) < 1e-4


def test_csv_body_with_inputs_column(server):
    status, body = server.request("POST", "/invocations", b"inputs\ni feel great\ni am sad\n", content_type="text/csv")
    assert status == 200 and len(body) == 2


@pytest.mark.parametrize(
    "body,needle",
    [
        (b'{"inputs": ', "not valid JSON"),
        (b'{"inputs": 42}', "'inputs' must be"),
        (b'{"inputs": []}', "'inputs' must be"),
        (b'{"inputs": "x", "parameters": [1]}', "'parameters' must be"),
        (b"\xff\xfe", "not UTF-8"),
    ],
)
def test_malformed_body_is_a_400_with_a_message_and_the_server_stays_up(server, body, needle):
    status, reply = server.request("POST", "/invocations", body)
    assert status == 400
    assert needle in reply["message"]
    assert server.proc.poll() is None
    assert server.request("GET", "/ping")[0] == 200
    status, ok = server.request("POST", "/invocations", {"inputs": "still serving"})
    assert status == 200 and len(ok) == 1


def test_unsupported_content_type_is_415(server):
    status, reply = server.request("POST", "/invocations", b"hello", content_type="text/plain")
    assert status == 415
    assert "text/plain" in reply["message"]


def test_unsupported_accept_is_406(server):
    status, reply = server.request("POST", "/invocations", {"inputs": "x"}, accept="text/csv")
    assert status == 406 and "Accept" in reply["message"]


def test_unknown_path_is_404(server):
    assert server.request("GET", "/nope")[0] == 404


def test_requests_while_loading_get_503_then_200(tiny_model):
    s = Server("--model", str(tiny_model), "--port", "0", "--load-delay", "3")
    try:
        status, body = s.request("GET", "/ping")
        assert status == 503 and body["status"] == "loading"
        status, body = s.request("POST", "/invocations", {"inputs": "too early"})
        assert status == 503 and "loading" in body["message"]
        s.wait_ready()
        assert s.request("POST", "/invocations", {"inputs": "now"})[0] == 200
    finally:
        s.stop()
    assert s.proc.returncode == 0


def test_serves_a_model_tar_gz_and_cleans_up_on_sigterm(tiny_model, tmp_path):
    archive = tmp_path / "model.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        for name in os.listdir(tiny_model):
            tar.add(tiny_model / name, arcname=name)
    s = Server("--model", str(archive), "--port", "0")
    try:
        s.wait_ready()
        status, body = s.request("POST", "/invocations", {"inputs": "from the archive"})
        assert status == 200
        assert_prediction(body[0])
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
