"""Each push moment, quiet hours, urgency, extensions, cancellations, edits and downtime,
driven through the dispatcher with the clock moved by time-machine."""

import time_machine
from sqlalchemy import select
from sqlmodel import Session

from db.models import Push
from outage_notices import service
from outage_notices.scheduled import Dispatcher
from tests.outage_notices.builders import (
    LOK_BAINTAN,
    POLICY,
    SUNGAI_TABUK,
    add_contact,
    events_by_user,
    new_notice,
    wita,
)

MONDAY_9 = wita(11, 9)
THURSDAY_8 = wita(14, 8)


def tick(engine, moment, dispatcher=None):
    """One dispatcher round with the wall clock at `moment`."""
    dispatcher = dispatcher or Dispatcher(engine=engine, policy=POLICY, holder="test")
    with time_machine.travel(moment, tick=False):
        return dispatcher.tick()


def setup(engine, **notice):
    with Session(engine, expire_on_commit=False) as session:
        add_contact(session, "ani", LOK_BAINTAN)
        notice.setdefault("now", MONDAY_9)
        return new_notice(session, **notice)


def publish(engine, notice_id, now, **kwargs):
    with Session(engine, expire_on_commit=False) as session:
        notice = service.publish(
            session=session, notice_id=notice_id, policy=POLICY, now=now, **kwargs
        )
        session.commit()
        return notice


def act(engine, action, notice_id, now, **kwargs):
    with Session(engine, expire_on_commit=False) as session:
        notice = action(session=session, notice_id=notice_id, policy=POLICY, now=now, **kwargs)
        session.commit()
        return notice


def sent(engine, notice_id):
    with Session(engine) as session:
        return events_by_user(session, notice_id).get("ani", [])


def push_rows(engine, notice_id):
    with Session(engine) as session:
        rows = session.scalars(select(Push).where(Push.notice_id == notice_id).order_by(Push.id))
        return {p.event: (p.status, p.drop_reason) for p in rows}


def test_planned_work_is_told_on_publish_and_reminded_a_day_and_an_hour_before(engine):
    notice = setup(engine, starts_at=THURSDAY_8)
    publish(engine, notice.id, MONDAY_9)
    tick(engine, MONDAY_9)
    assert sent(engine, notice.id) == ["publish"]
    tick(engine, wita(13, 7, 59))
    assert sent(engine, notice.id) == ["publish"]
    tick(engine, wita(13, 8))
    tick(engine, wita(13, 8, 5))
    assert sent(engine, notice.id) == ["publish", "reminder_24h"]
    tick(engine, wita(14, 7))
    tick(engine, THURSDAY_8)
    assert sent(engine, notice.id) == ["publish", "reminder_24h", "reminder_1h"]


def test_reminder_hours_are_configurable_per_notice(engine):
    notice = setup(engine, starts_at=THURSDAY_8, reminder_hours="48,3")
    publish(engine, notice.id, MONDAY_9)
    for moment in (MONDAY_9, wita(12, 8), wita(13, 8), wita(14, 5), wita(14, 7)):
        tick(engine, moment)
    assert sent(engine, notice.id) == ["publish", "reminder_48h", "reminder_3h"]


def test_an_unplanned_disruption_announced_ahead_is_pushed_again_at_its_start(engine):
    notice = setup(engine, kind="unplanned", starts_at=wita(11, 14), hours=None)
    publish(engine, notice.id, MONDAY_9)
    tick(engine, MONDAY_9)
    tick(engine, wita(11, 14))
    assert sent(engine, notice.id) == ["publish", "start"]
    with Session(engine) as session:
        assert service.get(session, notice.id).status == "ongoing"


def test_quiet_hours_hold_a_non_urgent_publish_until_five(engine):
    notice = setup(engine, starts_at=wita(14, 8))
    publish(engine, notice.id, wita(11, 22))
    tick(engine, wita(11, 22))
    tick(engine, wita(12, 4, 59))
    assert sent(engine, notice.id) == []
    tick(engine, wita(12, 5))
    assert sent(engine, notice.id) == ["publish"]


def test_an_urgent_disruption_goes_out_in_the_night(engine):
    notice = setup(engine, kind="unplanned", starts_at=wita(11, 23), urgent=True)
    publish(engine, notice.id, wita(11, 23))
    tick(engine, wita(11, 23, 1))
    assert sent(engine, notice.id) == ["publish"]


def test_a_restoration_at_night_waits_unless_marked_urgent(engine):
    quiet = setup(engine, kind="unplanned", starts_at=wita(11, 18), hours=None)
    loud = new_notice_for(engine, kind="unplanned", starts_at=wita(11, 18), hours=None)
    for notice in (quiet, loud):
        publish(engine, notice.id, wita(11, 18))
    tick(engine, wita(11, 18))
    act(engine, service.restore, quiet.id, wita(11, 23, 30))
    act(engine, service.restore, loud.id, wita(11, 23, 30), urgent=True)
    tick(engine, wita(11, 23, 31))
    assert sent(engine, quiet.id) == ["publish"]
    assert sent(engine, loud.id) == ["publish", "restore"]
    tick(engine, wita(12, 5))
    assert sent(engine, quiet.id) == ["publish", "restore"]


def new_notice_for(engine, **fields):
    with Session(engine, expire_on_commit=False) as session:
        return new_notice(session, now=MONDAY_9, **fields)


def test_an_extension_after_the_reminder_is_told_once_per_extension(engine):
    notice = setup(engine, starts_at=THURSDAY_8, hours=8)
    publish(engine, notice.id, MONDAY_9)
    for moment in (MONDAY_9, wita(13, 8), wita(14, 7), THURSDAY_8):
        tick(engine, moment)
    act(engine, service.extend, notice.id, wita(14, 15), expected_end_at=wita(14, 20))
    tick(engine, wita(14, 15, 1))
    tick(engine, wita(14, 15, 2))
    act(engine, service.extend, notice.id, wita(14, 19), expected_end_at=wita(15, 2))
    tick(engine, wita(14, 19, 1))
    assert sent(engine, notice.id) == [
        "publish",
        "reminder_24h",
        "reminder_1h",
        "extend_1",
        "extend_2",
    ]


def test_an_extension_held_at_night_is_replaced_by_a_later_one(engine):
    notice = setup(engine, kind="unplanned", starts_at=wita(11, 18), hours=6)
    publish(engine, notice.id, wita(11, 18))
    tick(engine, wita(11, 18))
    act(engine, service.extend, notice.id, wita(11, 22), expected_end_at=wita(12, 4))
    tick(engine, wita(11, 22))
    act(engine, service.extend, notice.id, wita(12, 3), expected_end_at=wita(12, 9))
    tick(engine, wita(12, 5))
    assert sent(engine, notice.id) == ["publish", "extend_2"]
    assert push_rows(engine, notice.id)["extend_1"] == ("dropped", "superseded by extend_2")


def test_cancellation_before_the_start_is_told_and_reminders_are_dropped(engine):
    notice = setup(engine, starts_at=THURSDAY_8)
    publish(engine, notice.id, MONDAY_9)
    tick(engine, MONDAY_9)
    act(engine, service.cancel, notice.id, wita(12, 10), text="Pekerjaan ditunda")
    for moment in (wita(12, 10), wita(13, 8), wita(14, 7)):
        tick(engine, moment)
    assert sent(engine, notice.id) == ["publish", "cancel"]
    rows = push_rows(engine, notice.id)
    assert rows["reminder_24h"] == ("dropped", "notice cancelled before this was sent")
    with Session(engine) as session:
        cancel = [m for m in events_by_user(session, notice.id)]
    assert cancel == ["ani"]


def test_a_notice_cancelled_before_anyone_heard_of_it_stays_silent(engine):
    notice = setup(engine, starts_at=THURSDAY_8)
    publish(engine, notice.id, wita(11, 22))
    tick(engine, wita(11, 22))
    act(engine, service.cancel, notice.id, wita(11, 23))
    tick(engine, wita(12, 5))
    assert sent(engine, notice.id) == []
    assert push_rows(engine, notice.id)["cancel"] == (
        "dropped",
        "no subscriber had been told of this notice",
    )


def test_edits_after_publish_send_nothing_again_and_move_the_reminders(engine):
    notice = setup(engine, starts_at=THURSDAY_8)
    publish(engine, notice.id, MONDAY_9)
    tick(engine, MONDAY_9)
    changes = {
        "advice": "Tangki di SDN 1",
        "starts_at": wita(15, 8),
        "expected_end_at": wita(15, 16),
        "title": "Ganti katup",
    }
    act(engine, service.update, notice.id, wita(11, 10), changes=changes)
    act(engine, service.update, notice.id, wita(11, 11), changes={"cause": "Katup bocor"})
    for moment in (wita(11, 11), wita(13, 8), wita(14, 7, 59)):
        tick(engine, moment)
    assert sent(engine, notice.id) == ["publish"]
    tick(engine, wita(14, 8))
    tick(engine, wita(15, 7))
    assert sent(engine, notice.id) == ["publish", "reminder_24h", "reminder_1h"]


def test_pushes_due_during_downtime_are_sent_on_start_if_they_still_matter(engine):
    notice = setup(engine, starts_at=THURSDAY_8)
    publish(engine, notice.id, MONDAY_9)  # the service goes down before any tick
    report = tick(engine, wita(14, 7, 30), Dispatcher(engine=engine, policy=POLICY))
    assert sent(engine, notice.id) == ["publish", "reminder_1h"]
    assert report.dropped == {f"{notice.id}:reminder_24h": "superseded by reminder_1h"}


def test_pushes_missed_after_the_disruption_ended_are_dropped_with_a_reason(engine):
    notice = setup(engine, starts_at=THURSDAY_8, hours=8)
    publish(engine, notice.id, MONDAY_9)
    tick(engine, wita(15, 9))
    assert sent(engine, notice.id) == []
    rows = push_rows(engine, notice.id)
    assert rows["publish"] == ("dropped", "the disruption was expected to be over already")
    assert rows["reminder_1h"] == ("dropped", "the disruption had already started")


def test_a_restoration_missed_for_long_is_dropped_not_sent_days_late(engine):
    notice = setup(engine, kind="unplanned", starts_at=MONDAY_9, hours=None)
    publish(engine, notice.id, MONDAY_9)
    tick(engine, MONDAY_9)
    act(engine, service.restore, notice.id, wita(11, 12))
    tick(engine, wita(13, 12))
    assert sent(engine, notice.id) == ["publish"]
    assert push_rows(engine, notice.id)["restore"] == ("dropped", "restored more than 12 h ago")


def test_desa_and_kecamatan_subscriber_gets_each_event_once(engine):
    with Session(engine, expire_on_commit=False) as session:
        add_contact(session, "budi", LOK_BAINTAN, SUNGAI_TABUK)
        notice = new_notice(
            session, now=MONDAY_9, starts_at=THURSDAY_8, areas=(SUNGAI_TABUK, LOK_BAINTAN)
        )
    publish(engine, notice.id, MONDAY_9)
    for moment in (MONDAY_9, MONDAY_9, wita(13, 8), wita(14, 7)):
        tick(engine, moment)
    with Session(engine) as session:
        assert events_by_user(session, notice.id) == {
            "budi": ["publish", "reminder_24h", "reminder_1h"]
        }
