"""Eight clients sending 20 MB each at once: the service refuses them before reading, and its
memory stays flat (it grew from 190 to 635 MiB before the body-size limit)."""

from __future__ import annotations

import http.client
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
TWENTY_MB = 20 * 1024 * 1024
CHUNK = b"x" * (256 * 1024)
PATH = "/api/v1/complaints/ADU-000001/reply"  # no token: the answer would be 401


def _memory_kib(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise AssertionError(f"no {field} for {pid}")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def server(database_url: str, tmp_path: Path) -> Iterator[tuple[int, int]]:
    """The service in a process of its own (uvicorn, one worker); yields (port, pid)."""
    port = _free_port()
    env = os.environ | {"DATABASE_URL": database_url, "PYTHONPATH": str(ROOT)}
    command = [sys.executable, "-m", "uvicorn", "bot.app:create_app", "--factory"]
    command += ["--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"]
    process = subprocess.Popen(command, cwd=tmp_path, env=env)  # cwd: no developer's .env
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if _status(port, "GET", "/healthz") == 200:
                    break
            except OSError:
                time.sleep(0.1)
        else:
            raise AssertionError("the service did not start")
        yield port, process.pid
    finally:
        process.terminate()
        process.wait(timeout=15)


def _status(port: int, method: str, path: str, body=None, headers=None) -> int | None:
    """The answer's status; None when the server closed the connection mid-upload."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        return connection.getresponse().status
    except (BrokenPipeError, ConnectionResetError):
        return None
    finally:
        connection.close()


def _announced(port: int) -> int:
    """Only the headers of a 20 MB request: the answer comes without a byte of body sent."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.putrequest("POST", PATH)
        connection.putheader("Content-Type", "application/json")
        connection.putheader("Content-Length", str(TWENTY_MB))
        connection.endheaders()
        return connection.getresponse().status
    finally:
        connection.close()


def _declared(port: int) -> int | None:
    body = CHUNK * (TWENTY_MB // len(CHUNK))
    return _status(port, "POST", PATH, body, {"Content-Type": "application/json"})


def _chunked(port: int) -> int | None:
    chunks = (CHUNK for _ in range(TWENTY_MB // len(CHUNK)))
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request(
            "POST", PATH, body=chunks, headers={"Content-Type": "application/json"},
            encode_chunked=True,
        )  # fmt: skip
        return connection.getresponse().status
    except (BrokenPipeError, ConnectionResetError):
        return None
    finally:
        connection.close()


def test_eight_parallel_20_mb_bodies_grow_the_process_by_less_than_50_mb(server):
    port, pid = server
    before = _memory_kib(pid, "VmRSS")
    with ThreadPoolExecutor(8) as pool:
        announced = list(pool.map(_announced, [port] * 8))
        declared = list(pool.map(_declared, [port] * 8))
        chunked = list(pool.map(_chunked, [port] * 8))
    grown_mib = (_memory_kib(pid, "VmHWM") - before) / 1024
    assert grown_mib < 50, f"the process grew by {grown_mib:.0f} MiB"
    assert announced == [413] * 8  # refused from the Content-Length alone, nothing read
    # Sent anyway: refused (or cut off, the client still writing when the server closes)
    assert set(declared) <= {413, None} and set(chunked) <= {413, None}
    assert _status(port, "GET", "/healthz") == 200
