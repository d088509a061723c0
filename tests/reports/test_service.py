"""Every figure of a known month, computed by the database (see tests/reports/month.py)."""

from __future__ import annotations

import pytest
from sqlmodel import Session

from reports import service
from tests.reports.month import END, NOW, START, WITA, build_month


@pytest.fixture
def report(engine):
    month = build_month(engine)
    with Session(engine) as session:
        built = service.build(session=session, start=START, end=END, now=NOW, tz=WITA)
    return month, built


def test_the_total_counts_a_complaint_only_once_answered_or_due(report):
    _, built = report
    total = built.total
    assert total.received == 6  # A-F; the ones of 31 Oct and 1 Dec (WITA) are outside
    assert (total.open, total.open_past_target) == (3, 2)  # C, D, E open; D not yet due
    assert total.answered == 4
    # first response: A, B (45 min against the 60 promised before the change), F met; C (45
    # against 30) and E (never answered, past due) missed; D is not yet due: neither
    assert (total.first_counted, total.first_within, total.pct_first_within) == (5, 3, 60.0)
    assert (total.first_median, total.first_p90) == (45.0, 55.5)  # of 30, 45, 45, 60
    # resolution: A met; B (2000 min), C and E (past due, open) missed; F rejected, D not due
    assert (total.resolution_counted, total.resolution_within) == (4, 1)
    assert total.pct_resolution_within == 25.0
    # in working minutes (see month.py): A 300, B 840 (resolved after 16:00 the next day)
    assert (total.resolved, total.resolution_median, total.resolution_p90) == (2, 570.0, 786.0)
    assert (total.resolved_by_end, total.handling_capability) == (2, 33.3)
    assert total.reopened == 1
    assert (total.rated, total.rating_average, total.rating_response_rate) == (2, 4.0, 100.0)


def test_breakdowns(report):
    _, built = report
    by = built.breakdowns
    assert [(f.key, f.received) for f in by["category"]] == [
        ("no_water", 3),
        ("billing", 2),
        ("quality", 1),
    ]
    water = by["category"][0]
    assert (water.first_counted, water.first_within, water.first_median) == (3, 2, 45.0)
    assert (water.pct_resolution_within, water.reopened) == (33.3, 1)
    billing = by["category"][1]
    assert (billing.first_counted, billing.open_past_target, billing.handling_capability) == (
        1,
        1,
        0.0,
    )
    assert [(f.name, f.received) for f in by["kecamatan"]] == [
        ("Tatah Makmur", 3),
        ("Gambut", 2),
        (None, 1),
    ]
    assert [(f.key, f.received) for f in by["channel"]] == [
        ("telegram", 3),
        ("whatsapp", 2),
        ("console", 1),
    ]
    agents = [(f.name, f.received, f.first_within) for f in by["agent"]]
    assert agents == [("sari", 2, 2), ("budi", 1, 0), (None, 3, 1)]
    # weeks of the utility's calendar: D (30 Nov 06:00 WITA, still 29 Nov in UTC) is in the
    # week of Monday 30 Nov; the week of 26 Oct holds 1 Nov and no complaint
    assert [(f.key, f.received) for f in by["week"]] == [
        ("2026-10-26", 0),
        ("2026-11-02", 2),
        ("2026-11-09", 1),
        ("2026-11-16", 1),
        ("2026-11-23", 1),
        ("2026-11-30", 1),
    ]
    assert [(f.key, f.received, f.resolved_by_end) for f in by["month"]] == [("2026-11-01", 6, 2)]


def test_disruptions_are_those_published_in_the_period(report):
    _, built = report
    assert [(d.title, d.short_notice, d.hours_notice) for d in built.disruptions] == [
        ("Ganti pipa Gambut", True, 23.0),
        ("Sambung pipa Kertak Hanyar", False, 95.0),
    ]
    assert [d.title for d in built.short_notice] == ["Ganti pipa Gambut"]


def test_an_empty_period_has_no_shares(engine):
    with Session(engine) as session:
        built = service.build(session=session, start=START, end=END, now=NOW, tz=WITA)
    assert built.total.received == 0
    assert built.total.pct_first_within is None and built.total.first_median is None
    assert len(built.breakdowns["week"]) == 6 and built.breakdowns["category"] == []


def test_trend_gives_each_month(engine):
    build_month(engine)
    with Session(engine) as session:
        months = service.trend(session=session, end=END, months=3, now=NOW, tz=WITA)
    assert [(f.key, f.received) for f in months] == [
        ("2026-09-01", 0),
        ("2026-10-01", 1),
        ("2026-11-01", 6),
    ]
