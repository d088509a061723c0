"""Login throttling: growing waits instead of a lockout someone else can trigger.

Every rule counts the failed sign-ins of the last WINDOW (`login_failure` rows) for one key;
after a rule's free failures, the key's next attempt waits 2, 4, 8 … seconds (at most
MAX_WAIT) from its latest failure. A waiting attempt is answered before the password is looked
at, so the right password waits too (nothing to learn from the answer), and it is not counted.

- account: failures on a username, from anywhere (ACCOUNT_FREE of them are free);
- source: failures from one client address, an IPv6 client's whole /64 (SOURCE_FREE);
- known browser: a browser that signed in as this account before carries a device cookie;
  its attempts on that account answer only to their own failures (DEVICE_FREE), so failures
  on the account elsewhere, or from a shared address, never hold its owner back;
- spraying: with more than SPRAY_PER_MINUTE failures in the last minute, whoever and wherever,
  the account and source rules allow no free failures: every key waits from its first one.
  An account or address with no failures of its own is never held back by others' failures.

The client address is what the proxy-header rule of the app factory left in the request:
X-Forwarded-For is believed only from FORWARDED_ALLOW_IPS, so rotating it from anywhere else
changes nothing. Failures live in a small table of their own rather than being counted from
the audit trail: the device and the /64 need columns and indexes of their own, and the rows
are pruned once older than WINDOW while the audit trail keeps every `login_failed` for people.
"""

from __future__ import annotations

import ipaddress
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from fastapi import Request, Response
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import bindparam, delete, func
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import Select

from core.settings import Settings
from db.models import LoginFailure

WINDOW = timedelta(hours=1)
MAX_WAIT = timedelta(minutes=15)
ACCOUNT_FREE = 5
SOURCE_FREE = 20  # an office behind one address shares it
DEVICE_FREE = 5
SPRAY_PER_MINUTE = 30
DEVICE_COOKIE = "kabar_device"
DEVICE_COOKIE_YEARS = 1
KNOWN_ACCOUNTS_PER_BROWSER = 20  # a shared call-centre desk

_SINCE = col(LoginFailure.created_at) >= bindparam("since")
BY_ACCOUNT = select(func.count(), func.max(LoginFailure.created_at)).where(
    col(LoginFailure.username) == bindparam("key"), _SINCE
)
BY_SOURCE = select(func.count(), func.max(LoginFailure.created_at)).where(
    col(LoginFailure.source) == bindparam("key"), _SINCE
)
BY_DEVICE = select(func.count(), func.max(LoginFailure.created_at)).where(
    col(LoginFailure.username) == bindparam("key"),
    col(LoginFailure.device) == bindparam("device"),
    _SINCE,
)
EVERYWHERE = select(func.count()).where(_SINCE)


@dataclass(frozen=True)
class Attempt:
    """One sign-in attempt's keys: the username as typed, the source, the known browser."""

    username: str
    source: str
    device: str | None = None  # set only when this browser signed in as `username` before

    @classmethod
    def of(cls, username: str, *, ip: str | None, device: str | None = None) -> Attempt:
        return cls(username=username_key(username), source=source_key(ip), device=device)


def username_key(username: str) -> str:
    return username.strip().lower()[:64]


def source_key(ip: str | None) -> str:
    """An IPv4 address as it is; an IPv6 address as its /64 (one household or office has one)."""
    if not ip:
        return "-"
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return ip[:64]
    if address.version == 6:
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address)


def wait_after(failures: int, free: int) -> timedelta:
    """How long after its latest failure a key with this many failures waits."""
    if failures < max(free, 1):
        return timedelta(0)
    doublings = min(failures - free + 1, 20)  # 2**20 s is past MAX_WAIT already
    return min(MAX_WAIT, timedelta(seconds=2**doublings))


def _pressure(session: Session, now: datetime) -> bool:
    """Whether someone is spraying passwords: many failures in the last minute, anywhere."""
    recent = session.exec(EVERYWHERE, params={"since": now - timedelta(minutes=1)}).one()
    return recent > SPRAY_PER_MINUTE


def _remaining(
    session: Session, query: Select[int, datetime | None], free: int, now: datetime, **keys: str
) -> timedelta:
    count, latest = session.exec(query, params={"since": now - WINDOW, **keys}).one()
    if not count or latest is None:
        return timedelta(0)
    return max(timedelta(0), latest + wait_after(count, free) - now)


def wait(*, session: Session, attempt: Attempt, now: datetime) -> timedelta:
    """How long this attempt must wait before its password is looked at (zero: go ahead)."""
    if attempt.device is not None:
        return _remaining(
            session, BY_DEVICE, DEVICE_FREE, now, key=attempt.username, device=attempt.device
        )
    spraying = _pressure(session, now)
    account_free, source_free = (0, 0) if spraying else (ACCOUNT_FREE, SOURCE_FREE)
    return max(
        _remaining(session, BY_ACCOUNT, account_free, now, key=attempt.username),
        _remaining(session, BY_SOURCE, source_free, now, key=attempt.source),
    )


def record_failure(*, session: Session, attempt: Attempt, now: datetime) -> None:
    """Count a failed attempt (and forget failures older than the window). Flushes."""
    session.exec(delete(LoginFailure).where(col(LoginFailure.created_at) < now - WINDOW))
    session.add(
        LoginFailure(
            username=attempt.username,
            source=attempt.source,
            device=attempt.device,
            created_at=now,
        )
    )
    session.flush()


# -- the device cookie: browsers that signed in before ---------------------------------------
def _devices(settings: Settings) -> URLSafeSerializer:
    return URLSafeSerializer(settings.secret_key.get_secret_value(), salt="kabar-device")


def _device_cookie(request: Request, settings: Settings) -> tuple[str, list[str]] | None:
    raw = request.cookies.get(DEVICE_COOKIE)
    if not raw:
        return None
    try:
        data = _devices(settings).loads(raw)
    except BadSignature:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("d"), str):
        return None
    known = data.get("u")
    names = [name for name in known if isinstance(name, str)] if isinstance(known, list) else []
    return data["d"], names


def known_device(request: Request, *, username: str, settings: Settings) -> str | None:
    """This browser's device id when it has signed in as `username` before, else None."""
    found = _device_cookie(request, settings)
    if found is None or username_key(username) not in found[1]:
        return None
    return found[0]


def remember_device(
    request: Request, response: Response, *, username: str, settings: Settings, secure: bool
) -> None:
    """After a sign-in: this browser is known for this account from now on."""
    device, known = _device_cookie(request, settings) or (secrets.token_hex(8), [])
    name = username_key(username)
    known = [name, *(other for other in known if other != name)][:KNOWN_ACCOUNTS_PER_BROWSER]
    response.set_cookie(
        DEVICE_COOKIE,
        _devices(settings).dumps({"d": device, "u": known}),
        max_age=DEVICE_COOKIE_YEARS * 365 * 86400,
        httponly=True,
        samesite="lax",
        secure=secure,
        path="/staff/login",
    )
