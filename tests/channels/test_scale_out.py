"""Several service processes on one PostgreSQL database share the work, and survive kill -9.

The smaller version of `bench/chaos.py`: three `kabar-air serve` processes, 300 webhooks posted
round-robin (100 customers, three messages each), a notice to 2,000 subscribers, the process
holding the outbox sender killed with SIGKILL mid-send and started again. Every message is
answered once and in its customer's order, every push delivered once or listed `unknown`, no
subscriber pushed twice, and the send rate of all processes together within the limits.

Several processes need PostgreSQL (SQLite runs one), so the chaos test is collected only in the
PostgreSQL suite, which `make test` runs too; on SQLite `serve --workers` must refuse to start.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from bench.chaos import Plan, check, free_port, run_chaos
from db.lease import LEASE
from tests.channels.conftest import wait_until
from tests.conftest import BACKEND, PG_URL

KABAR_AIR = Path(sys.executable).parent / "kabar-air"


def serve(database_url: str, tmp_path: Path, *args: str, port: int = 0) -> subprocess.Popen[str]:
    env = {**os.environ, "ENVIRONMENT": "development", "DATABASE_URL": database_url,
           "HOST": "127.0.0.1", "PORT": str(port or free_port()),
           "LOG_LEVEL": "WARNING"}  # fmt: skip
    return subprocess.Popen(
        [str(KABAR_AIR), "serve", *args], env=env, cwd=tmp_path,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip


def serving_processes(pid: int) -> set[str]:
    """The pids of uvicorn's worker processes under supervisor `pid`."""
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    return {c for c in children if "spawn_main" in Path(f"/proc/{c}/cmdline").read_text()}


if BACKEND == "sqlite":

    def test_serve_refuses_several_workers_on_sqlite(database_url, tmp_path):
        process = serve(database_url, tmp_path, "--workers", "2")
        output, _ = process.communicate(timeout=60)
        assert process.returncode == 2
        assert "--workers needs PostgreSQL" in output


if BACKEND == "postgresql":

    @pytest.mark.slow
    @pytest.mark.timeout(400)  # three processes start on a machine other work shares
    def test_three_processes_one_killed_mid_send_nothing_twice_nothing_lost():
        plan = Plan(
            customers=100,
            per_customer=3,
            subscribers=2000,
            kills=1,
            kill_window=(1.0, 3.0),
            victims="outbox holder",
            timeout=120,
        )
        result = run_chaos(plan, PG_URL)
        assert check(result) == [], result
        assert result["inbound answered"] == 300 and result["acked"] == 300
        assert "holding: outbox" in result["kills"][0]  # the sender died and another took over
        assert result["sent"] + result["unknown"] == result["replies and pushes"]
        assert result["received at the fakes"] >= result["sent"]

    @pytest.mark.slow
    def test_serve_with_two_workers_answers_on_one_port(database_url, engine, tmp_path):
        port = free_port()
        process = serve(database_url, tmp_path, "--workers", "2", port=port)

        def healthy() -> bool:
            assert process.poll() is None, process.communicate()[0][-3000:]
            try:
                return httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).is_success
            except httpx.HTTPError:
                return False

        try:
            wait_until(healthy, 90, "two workers to start")
            workers = serving_processes(process.pid)
            assert len(workers) == 2  # beside uvicorn's supervisor, which serves nothing
            with engine.connect() as conn:
                holders = {h.split(":")[1] for h in conn.scalars(select(LEASE.c.holder))}
            assert holders and holders <= workers  # the leases are held in a worker
            scraped = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=10)
            assert scraped.status_code == 200  # the workers' counters added up (multiprocess)
            assert "kabar_air_database_up 1.0" in scraped.text
        finally:
            process.send_signal(signal.SIGTERM)
            process.wait(30)
