"""Interpreter settings for the long-running service process (`kabar-air serve`).

Webhooks are answered on the event loop while other threads work: a notice fan-out, the
outbox sender, the scheduler. Two CPython defaults made the loop wait behind them, measured
with bench/bench_fanout.py (webhook p99 during a 100,000-subscriber fan-out):
- the GIL switch interval (5 ms): each time the loop hands the GIL to a busy thread it can
  wait that long to get it back, several times per request;
- the cyclic garbage collector: a full collection walked every object built at start
  (modules, the app, the area index), 100 ms and more with everything else standing still.
Tests and the CLI keep the defaults: this is for the process that serves.
"""

from __future__ import annotations

import gc
import sys

SWITCH_INTERVAL_SECONDS = 0.001


def tune_for_serving() -> None:
    """Hand the GIL back to the event loop sooner; leave start-up objects out of collections."""
    sys.setswitchinterval(SWITCH_INTERVAL_SECONDS)
    gc.collect()
    gc.freeze()  # what exists now lives as long as the process: never walk it again
