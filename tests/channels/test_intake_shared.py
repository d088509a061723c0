"""Several processes on one PostgreSQL queue (channels.intake_shared): each customer is answered
by one process at a time, and no process turns a message another one already answered.
Collected in the PostgreSQL suite only, which `make test` runs too."""

from __future__ import annotations

from channels.intake import accept
from channels.intake_shared import CLAIM_AT_ONCE, SenderClaims
from channels.messages import Inbound
from db.vocab import Channel
from tests.channels.intake_worker import mark_processed, run_worker
from tests.conftest import BACKEND

if BACKEND == "postgresql":  # several processes need it; SQLite runs one (NoClaims)

    def stored(engine, count: int) -> list[Inbound]:
        """`count` customers with one stored message each, in arrival order."""
        telegram = Channel.TELEGRAM
        messages = [
            Inbound(telegram, f"77{n:03}", "halo", raw_id=f"90{n:03}") for n in range(count)
        ]
        for message in messages:
            accept(engine, message)
        return messages

    def test_messages_answered_elsewhere_after_the_batch_was_read_are_not_turned_again(engine):
        messages = stored(engine, CLAIM_AT_ONCE + 2)  # two claim rounds
        late = messages[CLAIM_AT_ONCE:]
        turned: list[str] = []

        def handle(inbound: Inbound, *, accepted: bool) -> None:
            if not turned:  # meanwhile another process answers the customers of the next round
                for message in late:
                    mark_processed(engine, message)
            turned.append(inbound.raw_id or "")
            mark_processed(engine, inbound)

        run_worker(engine, handle, until=lambda: len(turned) >= CLAIM_AT_ONCE, polls=40)
        assert turned == [m.raw_id for m in messages[:CLAIM_AT_ONCE]]

    def test_a_claim_skips_senders_held_elsewhere_and_sees_answers_committed_before_it(engine):
        first, second, third = stored(engine, 3)
        senders = [(m.channel, m.sender_id) for m in (first, second, third)]
        keys = [(m.channel, m.raw_id or "") for m in (first, second, third)]
        other, ours = SenderClaims(engine), SenderClaims(engine)
        try:
            assert other.claim(senders, most=1) == {senders[0]}
            mark_processed(engine, second)  # answered by a process that has let go of it since
            assert ours.claim(senders) == {senders[1], senders[2]}
            assert ours.unanswered(keys) == {keys[0], keys[2]}
        finally:
            other.release()
            ours.release()

    def test_a_claim_finishing_after_the_worker_stopped_lets_go_at_once(engine):
        first, second = stored(engine, 2)
        senders = [(m.channel, m.sender_id) for m in (first, second)]
        stopped, other = SenderClaims(engine), SenderClaims(engine)
        try:
            assert stopped.claim(senders) == set(senders)
            stopped.close()  # the worker stopped while this claim was under way
            assert stopped.claim(senders) == set()
            assert other.claim(senders) == set(senders), "nothing is left held"
        finally:
            other.release()
