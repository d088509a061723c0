"""Oversight pages: staff accounts (admin), API tokens, audit trail, response targets."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import Response
from sqlmodel import Session

from accounts import audit, service, tokens
from accounts.actions import Target
from accounts.audit import AuditAction
from accounts.deps import SessionDep
from accounts.roles import ACCOUNTS, OVERSIGHT, ROLES
from complaints import inbox, workflow
from complaints.service import CATEGORIES
from core.errors import DomainError
from core.http_limits import RowId
from core.texts import t
from db.models import ApiToken, Staff
from staff.web import PageError, act, language, page_role, redirect, render

router = APIRouter(prefix="/staff", include_in_schema=False)
Admin = Annotated[Staff, Depends(page_role(*ACCOUNTS))]
Overseer = Annotated[Staff, Depends(page_role(*OVERSIGHT))]
PAGE_SIZE = 100


def _accounts_page(
    request: Request, session: Session, staff: Staff, **extra: str | None
) -> Response:
    ok = request.query_params.get("ok")
    context = {
        "accounts": service.list_staff(session=session),
        "tokens": tokens.list_tokens(session=session),
        "roles": ROLES,
        "flash": t(language(request, staff), "staff.saved") if ok == "saved" else None,
    }
    context.update(extra)
    status = 400 if extra.get("error") else 200
    return render(request, "accounts.html", context, staff=staff, status_code=status)


@router.get("/accounts")
def accounts_page(request: Request, session: SessionDep, staff: Admin) -> Response:
    return _accounts_page(request, session, staff)


@router.post("/accounts")
def create_account(
    request: Request,
    session: SessionDep,
    staff: Admin,
    username: Annotated[str, Form(max_length=64)] = "",
    role: Annotated[str, Form(max_length=12)] = "agent",
    full_name: Annotated[str, Form(max_length=120)] = "",
    password: Annotated[str, Form(max_length=256)] = "",
) -> Response:
    """Open an account; with an empty password one is generated and shown once."""
    plain = password or service.generate_password()

    def done(created: Staff) -> Response:
        shown = None if password else f"{created.username}: {plain}"
        return _accounts_page(request, session, staff, secret=shown)

    return act(
        request,
        session=session,
        staff=staff,
        action=AuditAction.staff_create,
        target=lambda created: Target("staff", created.username),
        do=lambda: service.create_staff(
            session=session, username=username, role=role, password=plain, full_name=full_name
        ),
        detail={"role": role},
        refused=lambda errors: _refused(request, session, staff, errors),
        then=done,
    )


def _refused(request: Request, session: Session, staff: Staff, errors: dict[str, str]) -> Response:
    return _accounts_page(request, session, staff, error=" ".join(errors.values()))


def _account(session: Session, staff_id: int) -> Staff:
    account = session.get(Staff, staff_id)
    if account is None:
        raise PageError(404, "not_found")
    return account


@router.post("/accounts/{staff_id}")
def update_account(
    request: Request,
    staff_id: RowId,
    session: SessionDep,
    staff: Admin,
    role: Annotated[str, Form(max_length=12)] = "",
    active: Annotated[str, Form(max_length=5)] = "",
    full_name: Annotated[str | None, Form(max_length=120)] = None,
    reset_password: Annotated[str, Form(max_length=5)] = "",
) -> Response:
    """Change role or status, or reset the password (a generated one, shown once)."""
    account = _account(session, staff_id)
    secret: list[str] = []

    def do() -> dict[str, tuple[object, object]]:
        if account.id == staff.id and (role not in ("", staff.role) or active == "false"):
            raise DomainError.of("role", "demote_self")
        changes = service.update_staff(
            session=session,
            staff=account,
            role=role or None,
            active={"true": True, "false": False}.get(active),
            full_name=full_name,
        )
        if reset_password == "true":
            plain = service.generate_password()
            service.set_password(session=session, staff=account, password=plain)
            changes["password"] = ("*", "*")
            secret.append(f"{account.username}: {plain}")
        return changes

    def done(_: object) -> Response:
        if secret:
            return _accounts_page(request, session, staff, secret=secret[0])
        return redirect("/staff/accounts", ok="saved")

    return act(
        request,
        session=session,
        staff=staff,
        action=AuditAction.staff_update,
        target=Target("staff", account.username),
        do=do,
        detail=lambda changes: {k: [str(old), str(new)] for k, (old, new) in changes.items()},
        refused=lambda errors: _refused(request, session, staff, errors),
        then=done,
    )


@router.post("/accounts/{staff_id}/tokens")
def create_token(
    request: Request,
    staff_id: RowId,
    session: SessionDep,
    staff: Admin,
    label: Annotated[str, Form(max_length=80)] = "api",
) -> Response:
    """Issue a personal API token for an integration; shown once."""
    account = _account(session, staff_id)
    return act(
        request,
        session=session,
        staff=staff,
        action=AuditAction.token_create,
        target=Target("staff", account.username),
        do=lambda: tokens.create_token(session=session, staff=account, name=label),
        detail=lambda made: {"token_id": made[0].id, "label": made[0].name},
        refused=lambda errors: _refused(request, session, staff, errors),
        then=lambda made: _accounts_page(request, session, staff, token=made[1]),
    )


@router.post("/tokens/{token_id}/revoke")
def revoke_token(request: Request, token_id: RowId, session: SessionDep, staff: Admin) -> Response:
    if session.get(ApiToken, token_id) is None:
        raise PageError(404, "not_found")
    return act(
        request,
        session=session,
        staff=staff,
        action=AuditAction.token_revoke,
        target=Target("api_token", token_id),
        do=lambda: tokens.revoke_token(session=session, token_id=token_id),
        refused=lambda errors: _refused(request, session, staff, errors),
        then=lambda _: redirect("/staff/accounts", ok="saved"),
    )


@router.get("/audit")
def audit_page(
    request: Request,
    session: SessionDep,
    staff: Overseer,
    action: Annotated[str | None, Query(max_length=40)] = None,
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
) -> Response:
    """The audit trail, newest first (supervisors and admins)."""
    rows = audit.recent(
        session=session, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE, action=action or None
    )
    context = {"rows": rows, "page": page, "action": action or "", "more": len(rows) == PAGE_SIZE}
    return render(request, "audit.html", context, staff=staff)


@router.get("/targets")
def targets_page(request: Request, session: SessionDep, staff: Overseer) -> Response:
    ok = request.query_params.get("ok")
    context = {
        "targets": inbox.targets(session=session),
        "categories": CATEGORIES,
        "flash": t(language(request, staff), "staff.saved") if ok == "saved" else None,
    }
    return render(request, "targets.html", context, staff=staff)


@router.post("/targets/{category}")
def set_target(
    request: Request,
    category: str,
    session: SessionDep,
    staff: Overseer,
    first_response_minutes: Annotated[int, Form(ge=1, le=525_600)],
    resolution_minutes: Annotated[int, Form(ge=1, le=525_600)],
) -> Response:
    """Supervisors tune how fast each category must be answered and resolved."""

    def refused(errors: dict[str, str]) -> Response:
        context = {"targets": inbox.targets(session=session), "categories": CATEGORIES}
        context |= {"error": " ".join(errors.values())}
        return render(request, "targets.html", context, staff=staff, status_code=400)

    return act(
        request,
        session=session,
        staff=staff,
        action=AuditAction.target_update,
        target=Target("category", category),
        do=lambda: workflow.set_target(
            session=session,
            category=category,
            first_response_minutes=first_response_minutes,
            resolution_minutes=resolution_minutes,
        ),
        detail=lambda done: {
            "old": list(done[0]) if done[0] else None,
            "new": [first_response_minutes, resolution_minutes],
        },
        refused=refused,
        then=lambda _: redirect("/staff/targets", ok="saved"),
    )
