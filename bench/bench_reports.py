"""The complaint report on big tables: PostgreSQL's monthly figures and SQLite's report page.

Run: .venv/bin/python bench/bench_reports.py [--complaints 1000000] [--page-complaints 100000]
     [--only postgresql|sqlite]

1. PostgreSQL (KABAR_BENCH_PG_URL, default the server on 127.0.0.1): a fresh database with
   1,000,000 complaints, 100,000 in each month from January to October 2026 (80 % resolved,
   5 % rejected, 3 % reopened, 40 % rated), then ANALYZE. Times `reports.service.build` for
   October (every breakdown, percentiles by `percentile_cont`) and the whole monthly PDF
   (October's figures, the six months' trend, the drawing). Target: the figures in < 2 s.
2. SQLite: a temporary file with 100,000 complaints spread over the 300 days up to now, then
   the console's report page for the last 30 days (about 10,000 of them), requested as a
   signed-in supervisor.
   Target: < 1 s.
Each timing is the median of three runs after one warm-up; the slowest is printed beside it,
and for PostgreSQL the CPU time its server process used (what a busy machine does not inflate).
Rows are written by the database itself (generate_series / a recursive CTE), with figures
taken from the row number so every run has the same table; answered and resolved rows carry
their clocks in working minutes, as complaints/clocks.py stores them.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, create_engine, insert, text

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlmodel import Session  # noqa: E402

from bot.database import upgrade  # noqa: E402
from core.settings import Settings  # noqa: E402
from db.engine import make_engine  # noqa: E402
from db.models import Contact, Staff  # noqa: E402
from reports import monthly, service  # noqa: E402
from tests.staff.factories import console_app, signed_in  # noqa: E402

WITA = ZoneInfo("Asia/Makassar")
CATEGORIES = ["no_water", "low_pressure", "leak", "quality", "billing", "meter", "other"]
CONTACTS, AGENTS = 10_000, 20
# columns of the generated complaints: from the row number n and three pseudo-random shares
# u, v, w in [0, 1); `{created}` and `{plus(minutes)}` are the dialect's time arithmetic
COMPLAINT_COLUMNS = (
    "ticket_number, contact_id, channel, category, area_code, address, description, status, "
    "assignee_id, created_at, updated_at, first_response_at, first_response_by, resolved_at, "
    "first_response_due_at, resolution_due_at, rating, rated_at, is_demo, "
    "first_response_work_minutes, resolution_work_minutes"
)


def _select(created: str, plus: Callable[[str, str], str], areas: int) -> str:
    return f"""
    SELECT :tag || n, :contact0 + n % {CONTACTS},
      CASE n % 3 WHEN 0 THEN 'whatsapp' WHEN 1 THEN 'telegram' ELSE 'console' END,
      CASE n % 7 {" ".join(f"WHEN {i} THEN '{c}'" for i, c in enumerate(CATEGORIES))} END,
      CASE n % {areas} {{areas}} END, '', '',
      CASE WHEN u < 0.80 THEN 'resolved' WHEN u < 0.85 THEN 'rejected'
           WHEN u < 0.93 THEN 'in_progress' ELSE 'received' END,
      CASE WHEN u < 0.93 THEN :staff0 + n % {AGENTS} END,
      {created}, {created},
      CASE WHEN u < 0.93 THEN {plus(created, "CAST(5 + v * 240 AS INTEGER)")} END,
      CASE WHEN u < 0.93 THEN :staff0 + n % {AGENTS} END,
      CASE WHEN u < 0.80 THEN {plus(created, "CAST(240 + w * 3000 AS INTEGER)")} END,
      {plus(created, "60")}, {plus(created, "1440")},
      CASE WHEN u < 0.40 THEN 1 + CAST(w * 4.99 AS INTEGER) END,
      CASE WHEN u < 0.40 THEN {plus(created, "4000")} END,
      false,
      CASE WHEN u < 0.93 THEN CAST(5 + v * 200 AS INTEGER) END,
      CASE WHEN u < 0.80 THEN CAST(240 + w * 1000 AS INTEGER) END
    FROM shares
    """


SHARES = (
    "SELECT n, ((CAST(n AS BIGINT) * 7919) % 1000) / 1000.0 AS u,"
    " ((CAST(n AS BIGINT) * 104729) % 997) / 997.0 AS v,"
    " ((CAST(n AS BIGINT) * 15485863) % 991) / 991.0 AS w FROM seq"
)


def _people(engine: Engine) -> tuple[int, int, list[str]]:
    """Contacts and agents the complaints belong to; returns their first ids."""
    now = datetime.now(UTC)
    contacts = [
        Contact(channel="telegram", channel_user_id=f"b{n}", created_at=now).model_dump()
        for n in range(CONTACTS)
    ]
    agents = [
        Staff(username=f"agent{n}", role="agent", password_hash="x", created_at=now).model_dump()
        for n in range(AGENTS)
    ]
    for row in contacts + agents:
        row.pop("id")
    with engine.begin() as conn:
        conn.execute(insert(Contact.__table__), contacts)
        conn.execute(insert(Staff.__table__), agents)
        contact0 = conn.execute(text("SELECT min(id) FROM contact")).scalar_one()
        staff0 = conn.execute(text("SELECT min(id) FROM staff")).scalar_one()
        areas = list(
            conn.scalars(text("SELECT code FROM service_area WHERE level IN ('desa', 'kelurahan')"))
        )
    return contact0, staff0, areas


def _areas_case(areas: list[str]) -> str:
    return " ".join(f"WHEN {i} THEN '{code}'" for i, code in enumerate(areas))


def fill_postgresql(engine: Engine, per_month: int, months: int) -> None:
    contact0, staff0, areas = _people(engine)
    created = "(CAST(:start AS timestamptz) + make_interval(secs => n * :step))"

    def plus(moment: str, minutes: str) -> str:
        return f"({moment} + make_interval(mins => {minutes}))"

    body = _select(created, plus, len(areas)).replace("{areas}", _areas_case(areas))
    statement = text(
        f"WITH seq AS (SELECT generate_series(0, :count - 1) AS n), shares AS ({SHARES}) "
        f"INSERT INTO complaint ({COMPLAINT_COLUMNS}) {body}"
    )
    for month in range(1, months + 1):
        start, end = monthly.month_period(f"2026-{month:02d}", WITA) or (None, None)
        assert start and end
        step = (end - start).total_seconds() / per_month
        with engine.begin() as conn:
            conn.execute(
                statement,
                {"count": per_month, "start": start, "step": step, "contact0": contact0,
                 "staff0": staff0, "tag": f"B{month:02d}-"},
            )  # fmt: skip
    _reopen(engine)
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("ANALYZE"))


def fill_sqlite(engine: Engine, count: int, now: datetime) -> None:
    contact0, staff0, areas = _people(engine)
    fmt = "'%Y-%m-%d %H:%M:%f000'"
    created = f"strftime({fmt}, :start, '+' || CAST(n * :step AS INTEGER) || ' seconds')"

    def plus(moment: str, minutes: str) -> str:
        return f"strftime({fmt}, {moment}, '+' || {minutes} || ' minutes')"

    body = _select(created, plus, len(areas)).replace("{areas}", _areas_case(areas))
    statement = text(
        "WITH RECURSIVE seq(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM seq WHERE n < :count - 1),"
        f" shares AS ({SHARES}) INSERT INTO complaint ({COMPLAINT_COLUMNS}) {body}"
    )
    start = now - timedelta(days=300)
    with engine.begin() as conn:
        conn.execute(
            statement,
            {"count": count, "start": start.strftime("%Y-%m-%d %H:%M:%S"),
             "step": 300 * 86400 / count, "contact0": contact0, "staff0": staff0, "tag": "B-"},
        )  # fmt: skip
    _reopen(engine)


def _reopen(engine: Engine) -> None:
    """3 % of the resolved complaints were reopened once (resolved -> in_progress)."""
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO complaint_event"
                " (complaint_id, kind, from_status, to_status, text, public, created_at)"
                " SELECT id, 'status', 'resolved', 'in_progress', '', true, created_at"
                " FROM complaint WHERE status = 'resolved' AND id % 33 = 0"
            )
        )


def timed(
    run: Callable[[], object], cpu: Callable[[], float] | None = None, times: int = 3
) -> tuple[float, float, float | None]:
    """Median and slowest wall time of `times` runs after a warm-up, and the median CPU time
    `cpu` counted meanwhile (the database server's, where it runs on this machine)."""
    run()  # warm-up
    seconds, used = [], []
    for _ in range(times):
        before = cpu() if cpu else 0.0
        started = time.perf_counter()
        run()
        seconds.append(time.perf_counter() - started)
        used.append((cpu() if cpu else 0.0) - before)
    return statistics.median(seconds), max(seconds), statistics.median(used) if cpu else None


def server_cpu(session: Session) -> Callable[[], float] | None:
    """The CPU seconds the session's PostgreSQL backend has used so far, when it is local:
    on a machine shared with other work, a figure that waiting for a core does not inflate."""
    pid = session.execute(text("SELECT pg_backend_pid()")).scalar_one()
    stat = Path(f"/proc/{pid}/stat")
    if not stat.exists():
        return None
    tick = os.sysconf("SC_CLK_TCK")

    def used() -> float:
        fields = stat.read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / tick  # utime + stime

    return used


def _cpu_note(cpu: float | None) -> str:
    return f", server CPU {cpu:.2f} s" if cpu is not None else ""


def postgresql(total: int) -> None:
    server = os.environ.get("KABAR_BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1/test")
    name = f"kabar_bench_reports_{os.getpid()}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = server.rsplit("/", 1)[0] + f"/{name}"
    engine = make_engine(url)
    try:
        upgrade(engine)
        started = time.perf_counter()
        fill_postgresql(engine, per_month=total // 10, months=10)
        print(f"postgresql: {total:,} complaints written in {time.perf_counter() - started:.0f} s")
        start, end = monthly.month_period("2026-10", WITA) or (None, None)
        assert start and end
        now = datetime(2026, 11, 5, tzinfo=WITA)
        with Session(engine) as session:
            report = service.build(session=session, start=start, end=end, now=now, tz=WITA)

            def figures() -> object:
                return service.build(session=session, start=start, end=end, now=now, tz=WITA)

            def whole_pdf() -> object:
                return monthly.monthly_pdf(
                    session=session, start=start, end=end, now=now, tz=WITA,
                    utility="PTAM Intan Banjar", language="id",
                )  # fmt: skip

            cpu = server_cpu(session)
            median, worst, used = timed(figures, cpu)
            print(
                f"postgresql: October's figures ({report.total.received:,} complaints, every "
                f"breakdown) in {median:.2f} s median, {worst:.2f} s slowest{_cpu_note(used)} "
                "(target < 2 s)"
            )
            median, worst, used = timed(whole_pdf, cpu)
            print(
                f"postgresql: the monthly PDF with its trend in {median:.2f} s median, "
                f"{worst:.2f} s slowest{_cpu_note(used)}"
            )
    finally:
        engine.dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def sqlite(total: int) -> None:
    url = f"sqlite:///{tempfile.mkdtemp(prefix='kabar-bench-')}/reports.db"
    engine = make_engine(url)
    upgrade(engine)
    now = datetime.now(UTC)
    started = time.perf_counter()
    fill_sqlite(engine, total, now)
    print(f"sqlite: {total:,} complaints written in {time.perf_counter() - started:.0f} s")
    settings = Settings(_env_file=None, database_url=url)
    client = signed_in(console_app(settings, engine), engine, "bench", "supervisor")
    # A month's page whatever today is: the last 30 local days of the data, not the calendar
    # month (just after midnight on the 1st, WITA, the current month holds an hour).
    last = now.astimezone(WITA).date()
    first = last - timedelta(days=29)
    with Session(engine) as session:
        start = datetime.combine(first, datetime.min.time(), WITA)
        end = datetime.combine(last + timedelta(days=1), datetime.min.time(), WITA)
        report = service.build(session=session, start=start, end=end, now=now, tz=WITA)

    def page() -> object:
        response = client.get(f"/staff/reports?start={first}&end={last}")
        assert response.status_code == 200
        return response

    median, worst, _ = timed(page)
    print(
        f"sqlite: the report page for {first} to {last} ({report.total.received:,} complaints)"
        f" in {median:.2f} s median, {worst:.2f} s slowest (target < 1 s)"
    )
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--complaints", type=int, default=1_000_000)
    parser.add_argument("--page-complaints", type=int, default=100_000)
    parser.add_argument("--only", choices=("postgresql", "sqlite"))
    args = parser.parse_args()
    if args.only != "sqlite":
        postgresql(args.complaints)
    if args.only != "postgresql":
        sqlite(args.page_complaints)


if __name__ == "__main__":
    main()
