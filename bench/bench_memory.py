"""Resident memory of the running service at rest, and after some traffic.

Run: .venv/bin/python bench/bench_memory.py
Starts `kabar-air serve` on a fresh SQLite database and a free port, waits for /healthz,
then reads VmRSS of the server process (target: under 150 MB at rest).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
from procs import free_port, rss_mb, wait_healthy

BIN = Path(sys.executable).parent


def main() -> None:
    workdir = Path(tempfile.mkdtemp(prefix="kabar-mem-"))
    port = free_port()
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{workdir / 'mem.db'}", "PORT": str(port)}
    subprocess.run([BIN / "kabar-air", "db", "upgrade"], env=env, check=True, capture_output=True)
    server = subprocess.Popen(
        [BIN / "kabar-air", "serve"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(base)
        time.sleep(2)
        print(f"service RSS at rest: {rss_mb(server.pid):.1f} MB (target < 150 MB)")
        with httpx.Client() as client:
            for _ in range(500):
                client.get(f"{base}/healthz")
            client.get(f"{base}/docs")
            client.get(f"{base}/openapi.json")
            client.get(f"{base}/staff/login")
        time.sleep(1)
        print(f"service RSS after 500 requests and the console pages: {rss_mb(server.pid):.1f} MB")
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
