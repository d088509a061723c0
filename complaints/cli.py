"""`kabar-air calendar due|show|close|open`: the working calendar from the shell, and
`kabar-air complaints escalate`: one escalation pass (docs/complaints.md).

Mounted by bot/cli.py. `due START HOURS` answers "when does a target of HOURS working hours
that starts at START fall due?",
in the utility's local time (ISO, minutes); `show MONTH` lists the month's working and closed
days; `close DAY --reason` and `open DAY` keep the local closures, audited like the console's.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Annotated

import typer
from sqlalchemy import Engine
from sqlmodel import Session

from accounts.actions import Door, Target, perform
from accounts.audit import AuditAction
from complaints import calendar
from complaints.scheduled import run_pass
from complaints.service import ticket_numbers
from core import timefmt
from core.errors import DomainError
from core.settings import Settings
from core.texts import t
from db.types import utcnow


def _parse(value: str, parser: Callable[[str], object], what: str) -> object:
    try:
        return parser(value)
    except ValueError:
        typer.echo(f"not {what}: {value!r}", err=True)
        raise typer.Exit(2) from None


def day_line(cal: calendar.WorkingCalendar, day: date, language: str) -> str:
    """A line of `calendar show`: '2026-12-23  Rabu 23 Des  buka 08.00–16.00', or closed and why."""
    name = timefmt.day(day, language)
    reason = cal.closed_because(day)
    if reason is not None:
        why = t(language, "calendar.closed_because", reason=reason) if reason else ""
        return f"{day.isoformat()}  {name}  {t(language, 'calendar.closed')}{why}"
    spans = ", ".join(
        f"{timefmt.clock(opens, language, cal.tz)}–{timefmt.clock(closes, language, cal.tz)}"
        for opens, closes in cal.periods(day)
    )
    return f"{day.isoformat()}  {name}  {t(language, 'calendar.open', hours=spans)}"


def build_cli(
    get_engine: Callable[[], Engine], get_settings: Callable[[], Settings]
) -> typer.Typer:
    """The `calendar` command group; engine and settings are looked up only when a command runs."""
    cli = typer.Typer(help="The working calendar complaint clocks count in.", no_args_is_help=True)

    def load() -> tuple[Settings, calendar.WorkingCalendar]:
        settings = get_settings()
        with Session(get_engine()) as session:
            return settings, calendar.working_calendar(session=session, settings=settings)

    @cli.command("due")
    def due(
        start: Annotated[str, typer.Argument(help="Local time, ISO: 2026-12-23T15:30")],
        hours: Annotated[float, typer.Argument(help="Working hours of the target")],
    ) -> None:
        """When a target of HOURS working hours starting at START falls due (local ISO time)."""
        settings, cal = load()
        moment = _parse(start, datetime.fromisoformat, "an ISO time")
        assert isinstance(moment, datetime)
        local = moment.replace(tzinfo=settings.tz) if moment.tzinfo is None else moment
        typer.echo(f"{cal.add(local, hours * 60).astimezone(settings.tz):%Y-%m-%dT%H:%M}")

    @cli.command("show")
    def show(month: Annotated[str, typer.Argument(help="The month, YYYY-MM")]) -> None:
        """The month's working days with their hours, and its closed days with the reason."""
        settings, cal = load()
        first = _parse(f"{month}-01", date.fromisoformat, "a month like 2026-12")
        assert isinstance(first, date)
        day = first
        while day.month == first.month:
            typer.echo(day_line(cal, day, settings.default_language))
            day += timedelta(days=1)

    def change(day: str, action: AuditAction, do: Callable[[Session, date], object]) -> None:
        settings = get_settings()
        when = _parse(day, date.fromisoformat, "a day like 2026-12-31")
        assert isinstance(when, date)
        with Session(get_engine()) as session:
            try:
                perform(
                    session=session,
                    staff=None,
                    action=action,
                    target=Target("work_closure", when.isoformat()),
                    do=lambda: do(session, when),
                    door=Door.cli,
                    now=utcnow(),
                )
            except DomainError as error:
                for problem in error.problems:
                    typer.echo(problem.message(settings.default_language), err=True)
                raise typer.Exit(2) from None
        typer.echo(day_line(load()[1], when, settings.default_language))

    @cli.command("close")
    def close(
        day: Annotated[str, typer.Argument(help="The local day, YYYY-MM-DD")],
        reason: Annotated[str, typer.Option(help="Why the office is closed (shown to staff)")],
    ) -> None:
        """Close the office for a day: complaint clocks do not run on it."""
        change(
            day,
            AuditAction.calendar_close,
            lambda session, when: calendar.add_closure(
                session=session, day=when, reason=reason, staff_id=None, now=utcnow()
            ),
        )

    @cli.command("open")
    def reopen(day: Annotated[str, typer.Argument(help="The local day, YYYY-MM-DD")]) -> None:
        """Take a local closure away again (national holidays stay)."""
        change(
            day,
            AuditAction.calendar_open,
            lambda session, when: calendar.remove_closure(session=session, day=when),
        )

    return cli


def build_complaints_cli(
    get_engine: Callable[[], Engine], get_settings: Callable[[], Settings]
) -> typer.Typer:
    """The `complaints` command group: work on complaints that a timer otherwise does."""
    cli = typer.Typer(help="Complaints: work the service's timers also do.", no_args_is_help=True)

    @cli.callback()
    def group() -> None:
        """Complaints: work the service's timers also do."""

    @cli.command("escalate")
    def escalate() -> None:
        """Record and send the escalations that fell due now (the service does it every minute)."""
        settings, engine = get_settings(), get_engine()
        report = run_pass(engine=engine, settings=settings, now=utcnow())
        language = settings.default_language
        with Session(engine) as session:
            ids = [escalation.complaint_id for escalation in report.escalations]
            tickets = ticket_numbers(session=session, complaint_ids=ids)
        for escalation in report.escalations:
            line = t(
                language,
                "escalation.cli_line",
                ticket=tickets.get(escalation.complaint_id, f"#{escalation.complaint_id}"),
                kind=t(language, f"escalation_kind.{escalation.kind}"),
                target=t(language, f"escalation_target.{escalation.target}"),
                told=escalation.notified.replace(",", ", ") if escalation.notified else "-",
            )
            typer.echo(line)
        done = t(language, "escalation.cli_done", n=len(report.escalations), m=report.messages)
        typer.echo(done)

    return cli
