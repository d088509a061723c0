"""db.write_gate: a customer's write goes before the next batch of a bulk fan-out."""

from __future__ import annotations

import threading
import time

from db.write_gate import WriteGate


def _wait_for(predicate, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.001)


def test_a_foreground_write_waits_for_the_running_batch_only_and_goes_before_the_next():
    gate = WriteGate(patience=5.0)
    order: list[str] = []
    kept_waiting: list[bool] = []
    first_batch_running, finish_first_batch = threading.Event(), threading.Event()

    def fan_out() -> None:
        for batch in range(2):
            with gate.bulk() as running:
                order.append(f"batch {batch}")
                if batch == 0:
                    first_batch_running.set()
                    finish_first_batch.wait(5)
            kept_waiting.append(running.kept_waiting)

    def customer() -> None:
        with gate.foreground():
            order.append("customer")

    bulk = threading.Thread(target=fan_out)
    bulk.start()
    first_batch_running.wait(5)
    waiting = threading.Thread(target=customer)
    waiting.start()
    _wait_for(lambda: gate.foreground_in_flight == 1)
    assert order == ["batch 0"]  # the running batch is not interrupted
    finish_first_batch.set()
    bulk.join(5)
    waiting.join(5)
    assert order == ["batch 0", "customer", "batch 1"]
    assert kept_waiting == [True, False]  # the fan-out pauses after the first batch only


def test_bulk_work_is_not_starved_by_endless_foreground_writes():
    gate = WriteGate(patience=0.05)
    done = threading.Event()

    def one_batch() -> None:
        with gate.bulk():
            done.set()

    with gate.foreground():  # foreground writes never stop coming
        batch = threading.Thread(target=one_batch)
        batch.start()
        assert done.wait(5), "the batch went after its patience ran out"
    batch.join(5)
