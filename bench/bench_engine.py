"""Conversation steps per second through the engine on SQLite, in one process.

Run: .venv/bin/python bench/bench_engine.py [--seconds 3]
Each step is a whole turn: receipt, contact and state read, the flow, inbound and
outbound messages and the new state written (SQLite file, WAL). Measured twice: one message
per transaction (`handle`, as a message that arrives alone is answered), then runs of 16 in
one transaction (`handle_run`, as the intake worker answers stored messages under load).
"""

from __future__ import annotations

import argparse
import itertools
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from areas.reference import load_area_index
from bot.database import upgrade
from bot.engine import ConversationEngine
from channels.intake import RUN
from channels.messages import Inbound
from core.settings import Settings
from db.engine import make_engine
from db.vocab import Channel

# A realistic mix: greetings, outage questions, a subscription and a whole complaint.
SCRIPT = [
    "halo",
    "1",
    "lok baintan",
    "menu",
    "ada gangguan di sei tabuk?",
    "4",
    "tatah bangkal",
    "2",
    "1",
    "gambut barat",
    "Jl. Gambut km 14 RT 3 dekat masjid",
    "lewati",
    "air tidak keluar sejak subuh",
    "1",
    "status ADU-000001",
    "banyu kada mengalir di aluh2",
    "batal",
]


def run(seconds: float, customers: int) -> None:
    workdir = Path(tempfile.mkdtemp(prefix="kabar-bench-"))
    url = f"sqlite:///{workdir / 'bench.db'}"
    engine = make_engine(url)
    upgrade(engine)
    settings = Settings(_env_file=None, database_url=url)
    conversation = ConversationEngine(
        engine=engine, settings=settings, areas=load_area_index(engine)
    )
    turns = itertools.cycle((f"bench-{n}", text) for text in SCRIPT for n in range(customers))
    raw = itertools.count()

    def next_run(size: int) -> list[Inbound]:
        return [
            Inbound(Channel.TELEGRAM, sender, text, raw_id=str(next(raw)))
            for sender, text in itertools.islice(turns, size)
        ]

    def one_by_one() -> int:
        conversation.handle(next_run(1)[0], queue_replies=True)
        return 1

    def in_runs() -> int:
        run = next_run(RUN)
        assert conversation.handle_run(run) is not None
        return len(run)

    measure("one message per transaction", one_by_one, seconds, customers)
    measure(f"runs of {RUN} per transaction", in_runs, seconds, customers)


def measure(name: str, step: Callable[[], int], seconds: float, customers: int) -> None:
    latencies: list[float] = []  # per call of `step`
    steps = 0
    started = time.perf_counter()
    cpu_started = time.process_time()
    deadline = started + seconds
    while time.perf_counter() < deadline:
        begin = time.perf_counter()
        steps += step()
        latencies.append(time.perf_counter() - begin)
    elapsed = time.perf_counter() - started
    cpu = time.process_time() - cpu_started
    latencies.sort()
    per = steps / len(latencies)
    print(
        f"{name}: {steps} conversation steps in {elapsed:.2f} s "
        f"= {steps / elapsed:,.0f} steps/s (target >= 1,000)"
    )
    print(f"  per CPU-second of this process: {steps / cpu:,.0f} steps/s")
    print(
        f"  per call ({per:g} steps): median {statistics.median(latencies) * 1000:.2f} ms, "
        f"p99 {latencies[int(len(latencies) * 0.99)] * 1000:.2f} ms, {customers} customers"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--customers", type=int, default=200)
    args = parser.parse_args()
    run(args.seconds, args.customers)
