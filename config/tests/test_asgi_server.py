"""The ASGI application served by uvicorn, as `make run` serves it: HTTP and WebSockets over real sockets."""

import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect

BASE_DIR = Path(__file__).resolve().parent.parent.parent
UPLOAD_LIMIT = 1024 * 1024  # the server under test takes files up to 1 MiB, bodies up to 2 MiB
REQUEST_LIMIT = UPLOAD_LIMIT + 1024 * 1024


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def server_url():
    port = _free_port()
    small_uploads = {f"UPLOAD_MAX_{kind}_BYTES": str(UPLOAD_LIMIT) for kind in ("VIDEO", "PDF", "IMAGE", "RESOURCE")}
    environment = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test", **small_uploads}
    process = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "config.asgi:application", "--port", str(port), "--lifespan", "off"],
        cwd=BASE_DIR,
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(url + "/health", timeout=1)
                break
            except OSError:
                time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def test_websocket_answers_a_ping_from_our_own_origin(server_url):
    with connect(
        server_url.replace("http", "ws") + "/ws/ping/", origin=server_url.replace("127.0.0.1", "localhost")
    ) as ws:
        ws.send(json.dumps({"type": "ping"}))
        assert json.loads(ws.recv(timeout=5)) == {"type": "pong", "authenticated": False}
        ws.send("not json")
        assert json.loads(ws.recv(timeout=5))["code"] == "invalid_message"


def test_websocket_refuses_a_foreign_origin(server_url):
    with pytest.raises(InvalidStatus) as refused:
        connect(server_url.replace("http", "ws") + "/ws/ping/", origin="https://evil.example.com")
    assert refused.value.response.status_code == 403


def _raw_request(server_url: str, request: bytes) -> bytes:
    host, port = server_url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(request)
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
            head, _, body = answer.partition(b"\r\n\r\n")
            length = re.search(rb"content-length: (\d+)", head, re.IGNORECASE)
            if length and len(body) >= int(length.group(1)):
                break
    return answer


def test_a_body_declared_too_large_is_refused_without_being_read(server_url):
    declared = 10 * 1024**3  # 10 GiB, never sent
    started = time.monotonic()
    answer = _raw_request(
        server_url,
        b"POST /api/v1/auth/token HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
        b"Content-Length: " + str(declared).encode() + b"\r\n\r\n{}",
    )

    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
    assert b"upload_too_large" in answer
    assert time.monotonic() - started < 5  # answered at once, not after waiting for the body


def test_a_chunked_body_is_cut_off_at_the_limit(server_url):
    chunk = b"x" * (256 * 1024)
    chunks = REQUEST_LIMIT // len(chunk) + 4
    host, port = server_url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=30) as sock:
        sock.sendall(
            b"POST /api/v1/auth/token HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
            b"Transfer-Encoding: chunked\r\n\r\n"
        )
        try:
            for _ in range(chunks):
                sock.sendall(b"%x\r\n%s\r\n" % (len(chunk), chunk))
            sock.sendall(b"0\r\n\r\n")
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server stopped reading once the limit was passed
        answer = sock.recv(65536)

    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
