"""What the benches that start a server share: a free port, waiting for the service to answer,
and a process's resident memory."""

from __future__ import annotations

import os
import socket
import time
from pathlib import Path

import httpx

# The service's app factory the webhook benches start (uvicorn --factory); the experiment of
# answering in a second process is `bench.answering_apart:create_app`.
KABAR_APP = os.environ.get("BENCH_KABAR_APP", "bot.app:create_app")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def rss_mb(pid: int) -> float:
    """VmRSS of a process in MB (0.0 once it has gone)."""
    try:
        lines = Path(f"/proc/{pid}/status").read_text().splitlines()
    except FileNotFoundError:
        return 0.0
    for line in lines:
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def wait_healthy(base: str, timeout: float = 60) -> None:
    """Return once the service at `base` answers /healthz; TimeoutError if it never does."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/healthz").status_code == 200:
                return
        except httpx.HTTPError:
            time.sleep(0.2)
    raise TimeoutError(f"the service at {base} did not start")
