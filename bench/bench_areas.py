"""How fast the service-area lookup is: `.venv/bin/python bench/bench_areas.py [seconds]`.

Measures the real work (no caching): short names cycle through several hundred distinct
queries (exact names, one-letter typos, abbreviations, reduplication), sentences through
several hundred distinct chat messages built from real names.
"""

from __future__ import annotations

import os
import platform
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from areas.index import AreaIndex
from areas.reference import read_service_areas

ABBREVIATED = ["sei tabuk", "aluh2", "kec. gambut", "mtp", "bjb utara", "sei btg", "tlk selong",
               "tj rema", "psr lama", "kel. loktabat utara", "kertak hanyar 2", "simpang 4",
               "mali2", "Aluh-Aluh Besar", "lok tabat selatan", "bi ih"]  # fmt: skip
TEMPLATES = [
    "air mati di {} sejak subuh",
    "banyu kada mengalir di {} dari kemarin",
    "ada gangguan di {}?",
    "min, kapan air hidup lagi di desa {} ya",
    "assalamualaikum, rumah ulun di {} banyu kada hidup tolong dicek",
    "airnya kecil banar di {} sudah 2 hari",
]


def _typo(name: str, step: int) -> str:
    """One letter changed or dropped, away from the first letter."""
    word = name.lower()
    pos = 1 + step % max(1, len(word) - 2)
    if step % 2:
        return word[:pos] + word[pos + 1 :]
    return word[:pos] + ("a" if word[pos] != "a" else "e") + word[pos + 1 :]


def short_queries(names: list[str]) -> list[str]:
    exact = names[::2]
    typos = [_typo(n, i) for i, n in enumerate(names[1::2])]
    upper = [n.upper() for n in names[::7]]
    return [*exact, *typos, *upper, *ABBREVIATED]


def sentences(names: list[str]) -> list[str]:
    return [TEMPLATES[i % len(TEMPLATES)].format(n.lower()) for i, n in enumerate(names)]


def rate(label: str, find: Callable[[str], object], queries: list[str], seconds: float) -> None:
    """Wall-clock rate, and per CPU-second (the two agree when the machine is otherwise idle)."""
    done, start, cpu_start = 0, time.perf_counter(), time.process_time()
    deadline = start + seconds
    while time.perf_counter() < deadline:
        for query in queries:
            find(query)
        done += len(queries)
    wall, cpu = time.perf_counter() - start, time.process_time() - cpu_start
    print(
        f"{label:<34}{done / wall:>10,.0f} /s wall {done / cpu:>10,.0f} /s CPU"
        f"  ({len(queries)} distinct, {done:,} run)"
    )


def main(seconds: float = 2.0) -> None:
    records = read_service_areas()
    start = time.perf_counter()
    index = AreaIndex.from_records(records)
    build_ms = (time.perf_counter() - start) * 1000
    names = [r.name for r in records if r.level != "regency"]
    typos = [_typo(n, i) for i, n in enumerate(names)]
    chat = sentences(names)
    chat_typos = [line.replace(n.lower(), t) for line, n, t in zip(chat, names, typos, strict=True)]
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"python {platform.python_version()}, {os.cpu_count()} CPUs, load average {load}")
    print("one process, one thread; lookups per second:")
    print(f"{'index build':<34}{build_ms:>12,.1f} ms  ({len(names)} areas)")
    rate("(a) short names, mixed", index.find, short_queries(names), seconds)
    rate("    short names, all with a typo", index.find, typos, seconds)
    rate("(b) whole sentences", index.find, chat, seconds)
    rate("    sentences, name with a typo", index.find, chat_typos, seconds)


if __name__ == "__main__":
    main(float(sys.argv[1]) if len(sys.argv) > 1 else 2.0)
