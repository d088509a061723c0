"""`kabar-air staff ...`: accounts and API tokens from the command line (mounted by bot/cli.py)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, TypeVar

import typer
from sqlalchemy import Engine
from sqlmodel import Session

from accounts import service, tokens
from accounts.actions import Door, Target, perform
from accounts.audit import AuditAction
from accounts.roles import ROLES
from core.errors import DomainError
from core.settings import Settings
from db.engine import session_scope
from db.models import ApiToken, Staff
from db.types import utcnow

R = TypeVar("R")


def build_cli(
    get_engine: Callable[[], Engine], get_settings: Callable[[], Settings]
) -> typer.Typer:
    """The `staff` command group; engine and settings are looked up only when a command runs."""
    cli = typer.Typer(help="Staff accounts and API tokens.", no_args_is_help=True)

    @cli.command("add")
    def add(
        username: str,
        role: Annotated[str, typer.Option(help="agent | editor | supervisor | admin")],
        full_name: Annotated[
            str, typer.Option("--name", help="Full name shown in the console")
        ] = "",
        generate: Annotated[bool, typer.Option(help="Generate a password and print it")] = False,
        language: Annotated[str, typer.Option(help="Console language: id or en")] = "id",
    ) -> None:
        """Create a staff account (password prompted, or generated with --generate)."""
        if role not in ROLES:
            raise typer.BadParameter(f"one of {', '.join(ROLES)}", param_hint="--role")
        if generate:
            password = service.generate_password()
        else:
            password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
        with session_scope(get_engine()) as session:
            staff = _perform(
                session,
                get_settings,
                AuditAction.staff_create,
                lambda: service.create_staff(
                    session=session,
                    username=username,
                    role=role,
                    password=password,
                    full_name=full_name,
                    language=language,
                ),
                target=lambda created: Target("staff", created.username),
                detail={"role": role},
            )
        typer.echo(f"Created {staff.username} ({role}).")
        if generate:
            typer.echo(f"Password: {password}")

    @cli.command("list")
    def list_() -> None:
        """List staff accounts: username, role, active, last sign-in."""
        with session_scope(get_engine()) as session:
            for staff in service.list_staff(session=session):
                last = (
                    staff.last_login_at.isoformat(timespec="minutes")
                    if staff.last_login_at
                    else "-"
                )
                state = "active" if staff.active else "inactive"
                typer.echo(f"{staff.username}\t{staff.role}\t{state}\t{last}")

    @cli.command("passwd")
    def passwd(
        username: str,
        generate: Annotated[bool, typer.Option(help="Generate a password and print it")] = False,
    ) -> None:
        """Set a new password for an account (ends its open sessions)."""
        if generate:
            password = service.generate_password()
        else:
            password = typer.prompt("New password", hide_input=True, confirmation_prompt=True)
        with session_scope(get_engine()) as session:
            staff = _existing(session, username)
            _perform(
                session,
                get_settings,
                AuditAction.staff_password,
                lambda: service.set_password(session=session, staff=staff, password=password),
                target=Target("staff", staff.username),
            )
        typer.echo(f"Password changed for {username}.")
        if generate:
            typer.echo(f"Password: {password}")

    cli.add_typer(_token_cli(get_engine, get_settings), name="token")
    return cli


def _perform(
    session: Session,
    get_settings: Callable[[], Settings],
    action: AuditAction,
    do: Callable[[], R],
    *,
    target: Target | Callable[[R], Target],
    detail: Callable[[R], dict[str, Any]] | dict[str, Any] | None = None,
) -> R:
    """The one helper, as the CLI uses it: a refusal is printed and exits with status 1."""
    try:
        return perform(
            session=session,
            staff=None,
            action=action,
            target=target,
            do=do,
            detail=detail,
            door=Door.cli,
            now=utcnow(),
        )
    except DomainError as error:
        typer.echo(f"Error: {error.text(get_settings().default_language)}", err=True)
        raise typer.Exit(1) from None


def _existing(session: Session, username: str) -> Staff:
    staff = service.get_by_username(session=session, username=username)
    if staff is None:
        typer.echo(f"Error: no staff account '{username}'", err=True)
        raise typer.Exit(1)
    return staff


def _token_cli(
    get_engine: Callable[[], Engine], get_settings: Callable[[], Settings]
) -> typer.Typer:
    cli = typer.Typer(help="Personal API tokens for integrations.", no_args_is_help=True)

    @cli.command("create")
    def create(
        username: str,
        label: Annotated[str, typer.Option("--label", help="What the token is for")] = "api",
    ) -> None:
        """Issue an API token for an account; it is printed once and never shown again."""
        with session_scope(get_engine()) as session:
            staff = _existing(session, username)
            _, plain = _perform(
                session,
                get_settings,
                AuditAction.token_create,
                lambda: tokens.create_token(session=session, staff=staff, name=label),
                target=Target("staff", staff.username),
                detail=lambda made: {"token_id": made[0].id, "label": made[0].name},
            )
        typer.echo(plain)

    @cli.command("revoke")
    def revoke(token_id: int) -> None:
        """Revoke an API token by its id (see `staff token list`)."""
        with session_scope(get_engine()) as session:
            if session.get(ApiToken, token_id) is None:
                typer.echo(f"Error: no token {token_id}", err=True)
                raise typer.Exit(1)
            _perform(
                session,
                get_settings,
                AuditAction.token_revoke,
                lambda: tokens.revoke_token(session=session, token_id=token_id),
                target=Target("api_token", token_id),
            )
        typer.echo(f"Revoked token {token_id}.")

    @cli.command("list")
    def list_(username: Annotated[str | None, typer.Argument()] = None) -> None:
        """List tokens: id, owner id, label, created, last used, revoked."""
        with session_scope(get_engine()) as session:
            staff_id = _existing(session, username).id if username else None
            for row in tokens.list_tokens(session=session, staff_id=staff_id):
                revoked = row.revoked_at.isoformat(timespec="minutes") if row.revoked_at else "-"
                used = row.last_used_at.isoformat(timespec="minutes") if row.last_used_at else "-"
                typer.echo(f"{row.id}\t{row.staff_id}\t{row.name}\t{used}\t{revoked}")

    return cli
