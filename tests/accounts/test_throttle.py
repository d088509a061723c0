"""The login throttle (accounts.throttle): growing waits per account, address and browser, a
brake on password spraying, and no lockout that someone else can trigger.

Before: five failures per username *and address* locked for 15 minutes, so rotating the
address bypassed it, one password across many usernames was never limited, and anyone
sharing the proxy's address could lock a known user out.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import Session, col, select

from accounts import service, throttle
from db.models import AuditLog, LoginFailure
from tests.staff.factories import PASSWORD, add_staff

NOW = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
SECOND = timedelta(seconds=1)


def sign_in(session: Session, username: str, password: str, ip: str, now: datetime, **kw):
    return service.authenticate(
        session=session, username=username, password=password, ip=ip, now=now, **kw
    )


def fail(session: Session, username: str, ip: str, now: datetime, device: str | None = None):
    """A failure as the service records it, without spending a password hash on it."""
    attempt = throttle.Attempt.of(username, ip=ip, device=device)
    throttle.record_failure(session=session, attempt=attempt, now=now)


def waiting(session: Session, username: str, ip: str, now: datetime, device: str | None = None):
    attempt = throttle.Attempt.of(username, ip=ip, device=device)
    return throttle.wait(session=session, attempt=attempt, now=now)


def test_an_account_waits_longer_after_each_failure_even_with_the_right_password(engine):
    add_staff(engine, "siti", "agent")
    with Session(engine) as session:
        for n in range(5):  # five free failures, from five addresses
            assert sign_in(session, "siti", "tebakan", f"198.51.100.{n}", NOW) is None
        # the sixth attempt, from yet another address, waits 2 s; the right password too
        with pytest.raises(service.LoginThrottled) as held:
            sign_in(session, "siti", PASSWORD, "203.0.113.9", NOW + SECOND)
        assert held.value.wait == SECOND
        assert sign_in(session, "siti", "tebakan", "203.0.113.9", NOW + 2 * SECOND) is None
        assert waiting(session, "siti", "203.0.113.9", NOW + 2 * SECOND) == 4 * SECOND
        # the waiting attempt was not counted: after the wait, the right password works
        assert sign_in(session, "siti", PASSWORD, "203.0.113.9", NOW + 6 * SECOND) is not None
        failures = session.exec(select(AuditLog).where(AuditLog.action == "login_failed")).all()
        assert len(failures) == 6 and {row.target_id for row in failures} == {"siti"}


def test_the_wait_doubles_up_to_fifteen_minutes():
    free = throttle.ACCOUNT_FREE
    assert throttle.wait_after(free - 1, free) == timedelta(0)
    assert [throttle.wait_after(n, free).seconds for n in range(free, free + 4)] == [2, 4, 8, 16]
    assert throttle.wait_after(free + 30, free) == timedelta(minutes=15)


def test_one_address_trying_many_accounts_waits_another_address_does_not(engine):
    add_staff(engine, "siti", "agent")
    with Session(engine) as session:
        for n in range(throttle.SOURCE_FREE):  # one guess each at twenty usernames
            fail(session, f"user{n}", "198.51.100.7", NOW)
        with pytest.raises(service.LoginThrottled):
            sign_in(session, "siti", PASSWORD, "198.51.100.7", NOW + SECOND)
        assert sign_in(session, "siti", PASSWORD, "203.0.113.5", NOW + SECOND) is not None


def test_an_ipv6_client_is_one_source_across_its_whole_64(engine):
    with Session(engine) as session:
        for n in range(throttle.SOURCE_FREE):
            fail(session, f"user{n}", f"2001:db8:5:7::{n + 1:x}", NOW)
        assert waiting(session, "budi", "2001:db8:5:7:ffff::1", NOW) > timedelta(0)
        assert waiting(session, "budi", "2001:db8:5:8::1", NOW) == timedelta(0)
    assert throttle.source_key("2001:db8:5:7::1") == "2001:db8:5:7::/64"
    assert throttle.source_key("198.51.100.7") == "198.51.100.7"


def test_failures_on_other_accounts_never_hold_back_an_account_without_its_own(engine):
    add_staff(engine, "siti", "agent")
    with Session(engine) as session:
        for _ in range(50):  # someone hammers budi from one address
            fail(session, "budi", "198.51.100.7", NOW)
        assert waiting(session, "budi", "203.0.113.5", NOW + SECOND) > timedelta(0)
        assert sign_in(session, "siti", PASSWORD, "203.0.113.5", NOW + SECOND) is not None


def test_password_spraying_takes_away_every_free_failure_but_blocks_nobody_clean(engine):
    add_staff(engine, "siti", "agent")
    add_staff(engine, "rina", "agent")
    with Session(engine) as session:
        # one password against many usernames, each from an address of its own
        for n in range(throttle.SPRAY_PER_MINUTE + 1):
            fail(session, f"user{n}", f"198.51.{n}.1", NOW)
        fail(session, "rina", "203.0.113.1", NOW)  # rina mistyped once, meanwhile
        later = NOW + 3 * SECOND
        # normally five failures are free; now the first one already makes a key wait
        assert waiting(session, "user0", "198.51.200.1", later) == SECOND
        assert waiting(session, "budi", "198.51.0.1", later) == SECOND  # the address too
        with pytest.raises(service.LoginThrottled):
            sign_in(session, "rina", PASSWORD, "203.0.113.1", later)
        # an account and an address with no failures of their own go straight in
        assert sign_in(session, "siti", PASSWORD, "203.0.113.50", later) is not None
        # once the minute has passed, the free failures are back
        assert waiting(session, "user0", "198.51.200.1", NOW + 61 * SECOND) == timedelta(0)


def test_a_known_browser_is_held_back_only_by_its_own_failures(engine):
    add_staff(engine, "siti", "agent")
    with Session(engine) as session:
        for n in range(40):  # an attacker keeps siti's account waiting, from everywhere
            fail(session, "siti", f"198.51.100.{n}", NOW)
        for n in range(throttle.SOURCE_FREE):  # and shares the office's address
            fail(session, f"user{n}", "203.0.113.5", NOW)
        with pytest.raises(service.LoginThrottled):
            sign_in(session, "siti", PASSWORD, "203.0.113.5", NOW + SECOND)
        # siti's own browser, where she signed in before, goes straight in
        staff = sign_in(session, "siti", PASSWORD, "203.0.113.5", NOW + SECOND, device="d1")
        assert staff is not None
        # and after five typos of its own it waits like anyone else
        for _ in range(throttle.DEVICE_FREE):
            fail(session, "siti", "203.0.113.5", NOW + 2 * SECOND, device="d1")
        assert waiting(session, "siti", "203.0.113.5", NOW + 2 * SECOND, "d1") == 2 * SECOND


def test_failures_are_forgotten_after_the_window(engine):
    add_staff(engine, "siti", "agent")
    with Session(engine) as session:
        for _ in range(10):
            fail(session, "siti", "198.51.100.7", NOW)
        later = NOW + throttle.WINDOW + SECOND
        assert waiting(session, "siti", "198.51.100.7", later) == timedelta(0)
        fail(session, "budi", "203.0.113.5", later)  # recording prunes what has aged out
        left = session.exec(select(LoginFailure.username).order_by(col(LoginFailure.id))).all()
        assert left == ["budi"]
