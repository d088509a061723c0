"""Oversight pages: staff accounts (admin), API tokens, audit trail, response targets."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import Response
from sqlmodel import Session

from accounts import audit, service, tokens
from accounts.deps import SessionDep, client_ip
from accounts.roles import ACCOUNTS, OVERSIGHT, ROLES
from complaints import inbox, workflow
from complaints.service import CATEGORIES
from db.models import Staff
from staff.i18n import translate
from staff.web import PageError, language, page_role, redirect, render

router = APIRouter(prefix="/staff", include_in_schema=False)
Admin = Annotated[Staff, Depends(page_role(*ACCOUNTS))]
Overseer = Annotated[Staff, Depends(page_role(*OVERSIGHT))]
PAGE_SIZE = 100


def _accounts_page(request: Request, session: Session, staff: Staff, **extra) -> Response:
    ok = request.query_params.get("ok")
    context = {
        "accounts": service.list_staff(session=session),
        "tokens": tokens.list_tokens(session=session),
        "roles": ROLES,
        "flash": translate(language(request, staff), ok) if ok == "saved" else None,
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
    try:
        created = service.create_staff(
            session=session, username=username, role=role, password=plain, full_name=full_name
        )
    except service.AccountError as error:
        session.rollback()
        return _accounts_page(request, session, staff, error=str(error))
    audit.record(
        session=session,
        who=staff,
        action="staff_create",
        target_type="staff",
        target_id=created.username,
        detail={"role": role},
        ip=client_ip(request),
    )
    session.commit()
    shown = None if password else f"{created.username}: {plain}"
    return _accounts_page(request, session, staff, secret=shown)


def _account(session: Session, staff_id: int) -> Staff:
    account = session.get(Staff, staff_id)
    if account is None:
        raise PageError(404, "not_found")
    return account


@router.post("/accounts/{staff_id}")
def update_account(
    request: Request,
    staff_id: int,
    session: SessionDep,
    staff: Admin,
    role: Annotated[str, Form(max_length=12)] = "",
    active: Annotated[str, Form(max_length=5)] = "",
    full_name: Annotated[str | None, Form(max_length=120)] = None,
    reset_password: Annotated[str, Form(max_length=5)] = "",
) -> Response:
    """Change role or status, or reset the password (a generated one, shown once)."""
    account = _account(session, staff_id)
    if account.id == staff.id and (role not in ("", staff.role) or active == "false"):
        return _accounts_page(
            request, session, staff, error="role: you cannot demote or disable yourself"
        )
    try:
        changes = service.update_staff(
            session=session,
            staff=account,
            role=role or None,
            active={"true": True, "false": False}.get(active),
            full_name=full_name,
        )
    except service.AccountError as error:
        session.rollback()
        return _accounts_page(request, session, staff, error=str(error))
    secret = None
    if reset_password == "true":
        plain = service.generate_password()
        service.set_password(session=session, staff=account, password=plain)
        changes["password"] = ("*", "*")
        secret = f"{account.username}: {plain}"
    if changes:
        audit.record(
            session=session,
            who=staff,
            action="staff_update",
            target_type="staff",
            target_id=account.username,
            ip=client_ip(request),
            detail={k: [str(old), str(new)] for k, (old, new) in changes.items()},
        )
    session.commit()
    if secret:
        return _accounts_page(request, session, staff, secret=secret)
    return redirect("/staff/accounts", ok="saved")


@router.post("/accounts/{staff_id}/tokens")
def create_token(
    request: Request,
    staff_id: int,
    session: SessionDep,
    staff: Admin,
    label: Annotated[str, Form(max_length=80)] = "api",
) -> Response:
    """Issue a personal API token for an integration; shown once."""
    account = _account(session, staff_id)
    row, plain = tokens.create_token(session=session, staff=account, name=label)
    audit.record(
        session=session,
        who=staff,
        action="token_create",
        target_type="staff",
        target_id=account.username,
        detail={"token_id": row.id, "label": row.name},
        ip=client_ip(request),
    )
    session.commit()
    return _accounts_page(request, session, staff, token=plain)


@router.post("/tokens/{token_id}/revoke")
def revoke_token(request: Request, token_id: int, session: SessionDep, staff: Admin) -> Response:
    if tokens.revoke_token(session=session, token_id=token_id) is None:
        raise PageError(404, "not_found")
    audit.record(
        session=session,
        who=staff,
        action="token_revoke",
        target_type="api_token",
        target_id=token_id,
        ip=client_ip(request),
    )
    session.commit()
    return redirect("/staff/accounts", ok="saved")


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
        "flash": translate(language(request, staff), ok) if ok == "saved" else None,
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
    try:
        old, _ = workflow.set_target(
            session=session,
            category=category,
            first_response_minutes=first_response_minutes,
            resolution_minutes=resolution_minutes,
        )
    except workflow.WorkflowError as error:
        session.rollback()
        context = {"targets": inbox.targets(session=session), "categories": CATEGORIES}
        return render(request, "targets.html", context | {"error": str(error)}, status_code=400)
    audit.record(
        session=session,
        who=staff,
        action="target_update",
        target_type="category",
        target_id=category,
        ip=client_ip(request),
        detail={
            "old": list(old) if old else None,
            "new": [first_response_minutes, resolution_minutes],
        },
    )
    session.commit()
    return redirect("/staff/targets", ok="saved")
