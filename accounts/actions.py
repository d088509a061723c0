"""One way to act: do it, audit it, commit, say what happened — the same for every door.

The console, the REST API and the CLI all change things through `perform`, so an action is
recorded under one name (`AuditAction`) whichever door it came through, and a refused action
(`core.errors.DomainError`) rolls back, leaves no audit line and goes back to the door to be shown.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from enum import StrEnum
from typing import Any, NamedTuple, TypeVar

from sqlmodel import Session

from accounts import audit
from accounts.audit import AuditAction
from core.errors import DomainError
from db.models import Staff

R = TypeVar("R")


class Door(StrEnum):
    """Where an action came in; kept in the audit line's detail as `via`."""

    console = "console"
    api = "api"
    cli = "cli"


class Target(NamedTuple):
    """What the action was about, as the audit trail names it."""

    type: str
    id: object


def perform(
    *,
    session: Session,
    staff: Staff | None,
    action: AuditAction,
    target: Target | Callable[[R], Target],
    do: Callable[[], R],
    door: Door,
    now: datetime,
    detail: Mapping[str, Any] | Callable[[R], Mapping[str, Any]] | None = None,
    ip: str | None = None,
) -> R:
    """Run `do`, record it in the trail and commit; returns what `do` returned.

    `target` and `detail` may be functions of that result (a new notice's id is known only
    after it is made). A `DomainError` rolls the session back and is raised again, unaudited.
    """
    try:
        result = do()
    except DomainError:
        session.rollback()
        raise
    about = target(result) if callable(target) else target
    facts = detail(result) if callable(detail) else detail
    audit.record(
        session=session,
        who=staff,
        action=action,
        target_type=about.type,
        target_id=about.id,
        detail=dict(facts or {}) | {"via": str(door)},
        ip=ip,
        now=now,
    )
    session.commit()
    return result
