"""The console's inbox with 300 open complaints on SQLite: the page an agent keeps open all day.

Run: .venv/bin/python bench/bench_inbox.py [--open 300] [--closed 20000]

A temporary SQLite file with `--open` open complaints (each from its own customer, with a name,
a phone, an area and three messages) among `--closed` closed ones, then the inbox page showing
all the open ones at once (`?per=300`), requested as a signed-in agent through the app in this
process (no network), and the small stamp the page's script polls every second.
Target: the page in < 300 ms. Each timing is the median of five runs after one warm-up.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert, text

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.database import upgrade  # noqa: E402
from core.settings import Settings  # noqa: E402
from db.engine import make_engine  # noqa: E402
from db.models import Complaint, Contact, Message  # noqa: E402
from tests.staff.factories import console_app, signed_in  # noqa: E402

CATEGORIES = ["no_water", "low_pressure", "leak", "quality", "billing", "meter", "other"]


def fill(engine, open_count: int, closed: int, now: datetime) -> None:
    with engine.begin() as conn:
        areas = list(conn.scalars(text("SELECT code FROM service_area WHERE level != 'district'")))
        contacts = [
            {"channel": "telegram" if n % 2 else "whatsapp", "channel_user_id": f"c{n}",
             "phone": f"0812{n:08d}", "display_name": f"Pelanggan {n}", "language": "id",
             "active": True, "opted_out": False, "needs_human": n % 17 == 0, "created_at": now}
            for n in range(open_count)
        ]  # fmt: skip
        conn.execute(insert(Contact.__table__), contacts)
        first = conn.execute(text("SELECT min(id) FROM contact")).scalar_one()
        rows = []
        for n in range(open_count + closed):
            created = now - timedelta(minutes=7 * n + 1)
            rows.append(
                {"ticket_number": f"ADU-{n + 1:06d}", "contact_id": first + n % open_count,
                 "channel": "telegram", "category": CATEGORIES[n % len(CATEGORIES)],
                 "area_code": areas[n % len(areas)], "address": "dekat langgar",
                 "description": "air tidak mengalir sejak subuh, mohon dibantu",
                 "status": ("received", "in_progress")[n % 2] if n < open_count else "closed",
                 "created_at": created, "updated_at": created, "is_demo": False}
            )  # fmt: skip
        conn.execute(insert(Complaint.__table__), rows)
        messages = [
            {"contact_id": first + n % open_count, "direction": "in", "channel": "telegram",
             "text": f"pesan {n}: air masih mati", "status": "received",
             "created_at": now - timedelta(minutes=n)}
            for n in range(open_count * 3)
        ]  # fmt: skip
        conn.execute(insert(Message.__table__), messages)


def timed(run: Callable[[], object], times: int = 5) -> tuple[float, float]:
    run()  # warm-up
    seconds = []
    for _ in range(times):
        started = time.perf_counter()
        run()
        seconds.append(time.perf_counter() - started)
    return statistics.median(seconds), max(seconds)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--open", type=int, default=300)
    parser.add_argument("--closed", type=int, default=20_000)
    args = parser.parse_args()
    url = f"sqlite:///{tempfile.mkdtemp(prefix='kabar-bench-')}/inbox.db"
    engine = make_engine(url)
    upgrade(engine)
    fill(engine, args.open, args.closed, datetime.now(UTC))
    settings = Settings(_env_file=None, database_url=url)
    client = signed_in(console_app(settings, engine), engine, "bench", "agent")

    def page() -> object:
        response = client.get(f"/staff/inbox?per={args.open}")
        assert response.status_code == 200
        assert response.text.count("data-ticket=") == args.open, "every open complaint shown"
        return response

    def stamp() -> object:
        return client.get("/staff/inbox/stamp").json()

    median, worst = timed(page)
    print(
        f"sqlite: the inbox with {args.open} open complaints (of {args.open + args.closed:,}) "
        f"in {median * 1000:.0f} ms median, {worst * 1000:.0f} ms slowest (target < 300 ms)"
    )
    median, worst = timed(stamp)
    print(f"sqlite: the inbox's live-update stamp in {median * 1000:.1f} ms median")
    engine.dispose()


if __name__ == "__main__":
    main()
