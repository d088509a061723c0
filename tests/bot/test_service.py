"""`kabar-air run`, as `make run` starts it: migrate, seed the demo, serve /healthz."""

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

pytestmark = pytest.mark.slow  # runs kabar-air in subprocesses

KABAR_AIR = Path(sys.executable).parent / "kabar-air"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_run_migrates_seeds_the_demo_and_answers_healthz(tmp_path):
    port = free_port()
    database = tmp_path / "fresh.db"
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{database}",
        "PORT": str(port),
        "TELEGRAM_BOT_TOKEN": "",
        "TWILIO_ACCOUNT_SID": "",
    }
    server = subprocess.Popen(
        [str(KABAR_AIR), "run"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        answer = None
        while time.monotonic() < deadline and answer is None:
            try:
                answer = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2)
            except httpx.HTTPError:
                time.sleep(0.3)
        assert answer is not None and answer.status_code == 200
        assert answer.json()["status"] == "ok"
    finally:
        server.terminate()
        output = server.communicate(timeout=30)[0]
    assert "channels on: console, web" in output
    assert "kabar-air chat" in output

    chat = subprocess.run(
        [str(KABAR_AIR), "chat"],
        input="ada gangguan di aluh aluh?\n",
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=True,
    )
    assert "[DEMO]" in chat.stdout
