"""`kabar-air notice ...`: the same notice operations as the API, for operators at a terminal.

Times without a zone are WITA. Refused input prints the field, its option and why (in the
utility's default language) and exits with status 2; nothing is saved. Changes are audited under
the same action names as the console's and the API's.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from datetime import date, datetime, time
from typing import Annotated, NoReturn, Protocol, TypeVar

import typer
from sqlalchemy import Engine
from sqlmodel import Session

from accounts.actions import Door, Target, perform
from accounts.audit import AuditAction
from core.errors import DomainError, NotFound
from core.settings import Settings
from core.timefmt import moment as format_time
from db.models import Notice, RotationSchedule
from db.rows import saved_id
from db.types import utcnow
from db.vocab import NoticeStatus
from outage_notices import details, rotation, service
from outage_notices.policy import NoticePolicy

OPTION_OF = {
    "starts_at": "--start",
    "expected_end_at": "--end",
    "areas": "--area",
    "reminder_hours": "--reminders",
    "confirm_short_notice": "--confirm-short-notice",
    "area": "--area",
    "weekdays": "--days",
    "start_time": "--from",
    "end_time": "--until",
    "valid_from": "--valid-from",
    "valid_until": "--valid-until",
}
Areas = Annotated[list[str], typer.Option("--area", "-a", help="Area code or exact name; repeat")]
T = TypeVar("T")
Action = Callable[[Session, NoticePolicy, datetime], T]


class Runner(Protocol):
    """`run` inside `build_cli`: one operation in a session, returning its result and the policy."""

    def __call__(
        self, action: Action[T], audit_action: AuditAction | None = ..., target_type: str = ...
    ) -> tuple[T, NoticePolicy]: ...


def parse_moment(value: str | None, field: str) -> datetime | None:
    """'2026-05-14 08:00' (WITA) or ISO 8601 with a zone."""
    if value is None or value == "":
        return None
    try:
        return datetime.fromisoformat(value.strip().replace(" ", "T", 1))
    except ValueError as error:
        raise DomainError.of(field, "not_datetime", value=value) from error


def _fail(error: DomainError, language: str) -> NoReturn:
    for problem in error.problems:
        field = problem.field
        option = OPTION_OF.get(field, f"--{field.replace('_', '-')}") if field else ""
        where = f"{field} ({option}): " if field and field != "status" else ""
        typer.echo(f"error: {where}{problem.message(language)}", err=True)
    raise typer.Exit(1 if isinstance(error, NotFound) else 2)


def build_cli(
    get_engine: Callable[[], Engine], get_settings: Callable[[], Settings]
) -> typer.Typer:
    """The `notice` sub-app; the caller supplies the database engine and the settings."""
    app = typer.Typer(help="Disruption notices: create, publish, extend, restore, cancel.")

    def run(
        action: Action[T],
        audit_action: AuditAction | None = None,
        target_type: str = "notice",
    ) -> tuple[T, NoticePolicy]:
        """Run one operation; a changing one through the one helper, audited as from the CLI."""
        settings = get_settings()
        policy = NoticePolicy.from_settings(settings)
        with Session(get_engine(), expire_on_commit=False) as session:
            now = utcnow()
            try:
                if audit_action is None:
                    result = action(session, policy, now)
                    session.commit()
                else:
                    result = perform(
                        session=session,
                        staff=None,
                        action=audit_action,
                        target=lambda done: Target(target_type, getattr(done, "id", None)),
                        do=lambda: action(session, policy, now),
                        door=Door.cli,
                        now=now,
                    )
            except DomainError as error:
                session.rollback()
                _fail(error, settings.default_language)
            return result, policy

    @app.command("create")
    def create(
        title: Annotated[str, typer.Option(help="Short title")],
        area: Areas,
        start: Annotated[str, typer.Option("--start", help="Start, WITA")],
        kind: Annotated[str, typer.Option(help="planned|unplanned|low_pressure|bulk_reduction")],
        end: Annotated[
            str | None, typer.Option("--end", help="Expected end; omit if unknown")
        ] = None,
        cause: str = "",
        advice: Annotated[str, typer.Option(help="What customers can do")] = "",
        urgent: Annotated[bool, typer.Option(help="Send even in quiet hours")] = False,
        reminders: Annotated[str | None, typer.Option(help="Hours before start, e.g. 24,1")] = None,
    ) -> None:
        """Record a draft notice (nobody is told until it is published)."""

        def action(session: Session, policy: NoticePolicy, now: datetime) -> Notice:
            data = service.NoticeInput(
                kind=kind,
                title=title,
                areas=area,
                cause=cause,
                advice=advice,
                starts_at=parse_moment(start, "starts_at"),
                expected_end_at=parse_moment(end, "expected_end_at"),
                urgent=urgent,
                reminder_hours=reminders,
            )
            return service.create(session=session, data=data, policy=policy, now=now)

        notice, _ = run(action, AuditAction.notice_create)
        typer.echo(f"notice #{notice.id} created as draft")

    @app.command("update")
    def update(
        notice_id: int,
        title: str | None = None,
        area: Annotated[list[str] | None, typer.Option("--area", "-a")] = None,
        start: Annotated[str | None, typer.Option("--start")] = None,
        end: Annotated[str | None, typer.Option("--end")] = None,
        cause: str | None = None,
        advice: str | None = None,
        urgent: Annotated[bool | None, typer.Option("--urgent/--not-urgent")] = None,
        reminders: str | None = None,
        note: Annotated[str, typer.Option(help="Why, kept in the history")] = "",
    ) -> None:
        """Edit a notice; messages already sent are never sent again."""
        raw = {
            "title": title,
            "areas": area,
            "cause": cause,
            "advice": advice,
            "urgent": urgent,
            "reminder_hours": reminders,
        }
        changes: dict[str, object] = {key: value for key, value in raw.items() if value is not None}

        def action(session: Session, policy: NoticePolicy, now: datetime) -> Notice:
            if start is not None:
                changes["starts_at"] = parse_moment(start, "starts_at")
            if end is not None:
                changes["expected_end_at"] = parse_moment(end, "expected_end_at")
            return service.update(
                session=session,
                notice_id=notice_id,
                changes=changes,
                policy=policy,
                now=now,
                note=note,
            )

        run(action, AuditAction.notice_update)
        typer.echo(f"notice #{notice_id} updated")

    @app.command("publish")
    def publish(
        notice_id: int,
        confirm_short_notice: Annotated[
            bool, typer.Option("--confirm-short-notice", help="Publish despite a short lead")
        ] = False,
    ) -> None:
        """Publish: subscribers are told, then reminded before the start."""

        def action(session: Session, policy: NoticePolicy, now: datetime) -> Notice:
            return service.publish(
                session=session,
                notice_id=notice_id,
                policy=policy,
                now=now,
                confirm_short_notice=confirm_short_notice,
            )

        try:
            notice, _ = run(action, AuditAction.notice_publish)
        except typer.Exit:
            if confirm_short_notice or not sys.stdin.isatty():
                raise
            if not typer.confirm("Publish anyway, marked as short-notice?"):
                raise
            return publish(notice_id, confirm_short_notice=True)
        flag = " (short notice)" if notice.short_notice else ""
        typer.echo(f"notice #{notice.id} published: {notice.status}{flag}")

    @app.command("extend")
    def extend(
        notice_id: int,
        end: Annotated[str, typer.Option("--end", help="New expected end, WITA")],
        text: Annotated[str, typer.Option(help="What customers are told")] = "",
    ) -> None:
        """Move the expected end later; subscribers are told once per extension."""

        def action(session: Session, policy: NoticePolicy, now: datetime) -> Notice:
            return service.extend(
                session=session,
                notice_id=notice_id,
                policy=policy,
                now=now,
                text=text,
                expected_end_at=parse_moment(end, "expected_end_at"),
            )

        run(action, AuditAction.notice_extend)
        typer.echo(f"notice #{notice_id} extended")

    @app.command("restore")
    def restore(
        notice_id: int,
        text: str = "",
        urgent: Annotated[bool, typer.Option(help="Tell subscribers even in quiet hours")] = False,
    ) -> None:
        """The water is back: subscribers and linked complainants are told."""

        def action(session: Session, policy: NoticePolicy, now: datetime) -> Notice:
            return service.restore(
                session=session,
                notice_id=notice_id,
                policy=policy,
                now=now,
                text=text,
                urgent=urgent or None,
            )

        run(action, AuditAction.notice_restore)
        typer.echo(f"notice #{notice_id} restored")

    @app.command("cancel")
    def cancel(notice_id: int, text: str = "") -> None:
        """Call off a notice; those who were told of it hear that it is off."""

        def action(session: Session, policy: NoticePolicy, now: datetime) -> Notice:
            return service.cancel(
                session=session, notice_id=notice_id, policy=policy, now=now, text=text
            )

        run(action, AuditAction.notice_cancel)
        typer.echo(f"notice #{notice_id} cancelled")

    @app.command("list")
    def list_(status: NoticeStatus | None = None, limit: int = 50) -> None:
        """Notices, newest start first: id, status, kind, start (WITA), delivery, title."""
        policy = NoticePolicy.from_settings(get_settings())
        with Session(get_engine()) as session:
            rows = service.list_notices(session=session, status=status, limit=limit)
            counts = details.delivery_counts(session, [saved_id(n) for n in rows])
            for notice in rows:
                d = counts.get(notice.id, details.Delivery())
                start = notice.starts_at.astimezone(policy.tz).strftime("%Y-%m-%d %H:%M")
                typer.echo(
                    f"{notice.id}\t{notice.status}\t{notice.kind}\t{start}\t"
                    f"{d.targeted}/{d.sent}/{d.delivered}/{d.failed}\t{notice.title}"
                )

    @app.command("show")
    def show(notice_id: int) -> None:
        """One notice: areas, times, deliveries, pushes and history."""

        def action(session: Session, policy: NoticePolicy, now: datetime) -> None:
            _print_detail(details.notice_detail(session, notice_id), policy)

        run(action)

    app.add_typer(_rotation_cli(run), name="rotation")
    return app


def _print_detail(detail: details.NoticeDetail, policy: NoticePolicy) -> None:
    notice, d = detail.notice, detail.delivery
    end = format_time(notice.expected_end_at, "en", policy.tz) if notice.expected_end_at else "?"
    lines = [
        f"#{notice.id} {notice.title}",
        f"  kind {notice.kind}, status {notice.status}"
        + (", urgent" if notice.urgent else "")
        + (", short notice" if notice.short_notice else ""),
        f"  areas: {', '.join(detail.area_names)}",
        f"  {format_time(notice.starts_at, 'en', policy.tz)} → {end}",
        f"  delivery: targeted {d.targeted}, sent {d.sent}, delivered {d.delivered}, "
        f"failed {d.failed}, pending {d.pending}, unknown {d.unknown}",
        "  pushes:",
        *[
            f"    {p.event:<16} {p.status:<8} {format_time(p.due_at, 'en', policy.tz)}"
            + (f"  ({p.drop_reason})" if p.drop_reason else f"  targeted {p.targeted}")
            for p in detail.pushes
        ],
        "  history (newest first):",
        *[
            f"    {format_time(u.created_at, 'en', policy.tz)}  {u.kind}: {u.text}"
            for u in detail.history
        ],
    ]
    if detail.complaint_ids:
        lines.append(f"  linked complaints: {len(detail.complaint_ids)}")
    typer.echo("\n".join(lines))


def _rotation_cli(run: Runner) -> typer.Typer:
    app = typer.Typer(help="Rotation schedules (giliran).")

    @app.command("add")
    def add(
        area: Annotated[str, typer.Option("--area", "-a")],
        days: Annotated[str, typer.Option("--days", help="e.g. Mon,Wed,Fri or sen-jum")],
        from_: Annotated[str, typer.Option("--from", help="05:00 (WITA)")],
        until: Annotated[str, typer.Option("--until", help="11:00 (WITA)")],
        valid_from: Annotated[str, typer.Option("--valid-from")],
        valid_until: Annotated[str, typer.Option("--valid-until")],
        note: str = "",
    ) -> None:
        """Add a recurring supply window for an area."""

        def action(session: Session, policy: NoticePolicy, now: datetime) -> RotationSchedule:
            return rotation.create_schedule(
                session=session,
                area=area,
                weekdays=days,
                start_time=_parse(time.fromisoformat, from_, "start_time"),
                end_time=_parse(time.fromisoformat, until, "end_time"),
                valid_from=_parse(date.fromisoformat, valid_from, "valid_from"),
                valid_until=_parse(date.fromisoformat, valid_until, "valid_until"),
                note=note,
            )

        schedule, _ = run(action, AuditAction.rotation_create, "rotation")
        typer.echo(f"rotation #{schedule.id} added for {schedule.area_code}")

    @app.command("list")
    def list_(area: str | None = None) -> None:
        """Schedules: id, area, days (0 = Monday), window, validity, note."""

        def action(session: Session, policy: NoticePolicy, now: datetime) -> None:
            for r in rotation.list_schedules(session=session, area_code=area):
                typer.echo(
                    f"{r.id}\t{r.area_code}\t{r.weekdays}\t{r.start_time:%H:%M}-"
                    f"{r.end_time:%H:%M}\t{r.valid_from}..{r.valid_until}\t{r.note}"
                )

        run(action)

    return app


def _parse(parser: Callable[[str], T], value: str, field: str) -> T:
    try:
        return parser(value)
    except ValueError as error:
        raise DomainError.of(field, "invalid_value", value=value) from error
