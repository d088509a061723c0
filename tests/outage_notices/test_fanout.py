from datetime import timedelta

import pytest
from sqlmodel import Session

from outage_notices import fanout, service
from tests.outage_notices.builders import (
    GAMBUT,
    LOK_BAINTAN,
    POLICY,
    SUNGAI_TABUK,
    add_contact,
    events_by_user,
    messages,
    new_notice,
    wita,
)

NOW = wita(11, 9)


def queue(engine, notice, event="publish", **kwargs):
    return fanout.queue_event(
        engine=engine, notice_id=notice.id, event=event, policy=POLICY, now=NOW, **kwargs
    )


def test_subscribers_of_the_area_its_desa_and_its_kecamatan_get_one_message_each(engine):
    with Session(engine, expire_on_commit=False) as session:
        add_contact(session, "kec", SUNGAI_TABUK)
        add_contact(session, "desa", LOK_BAINTAN, channel="whatsapp")
        add_contact(session, "both", SUNGAI_TABUK, LOK_BAINTAN)
        add_contact(session, "gambut", GAMBUT)
        add_contact(session, "stopped", SUNGAI_TABUK, opted_out=True)
        add_contact(session, "blocked", LOK_BAINTAN, active=False)
        kecamatan_notice = new_notice(session, now=NOW, areas=(SUNGAI_TABUK,))
        desa_notice = new_notice(session, now=NOW, areas=(LOK_BAINTAN,))
    assert queue(engine, kecamatan_notice).targeted == 3
    assert queue(engine, desa_notice).targeted == 3
    with Session(engine) as session:
        for notice in (kecamatan_notice, desa_notice):
            assert events_by_user(session, notice.id) == {
                "kec": ["publish"],
                "desa": ["publish"],
                "both": ["publish"],
            }


def test_running_an_event_again_adds_nothing(engine):
    with Session(engine, expire_on_commit=False) as session:
        for n in range(30):
            add_contact(session, f"c{n}", LOK_BAINTAN)
        notice = new_notice(session, now=NOW)
    first = queue(engine, notice, batch_size=7)
    again = queue(engine, notice, batch_size=7)
    assert (first.inserted, first.batches) == (30, 5)
    assert (again.inserted, again.targeted) == (0, 30)


def test_a_fanout_interrupted_mid_way_resumes_without_duplicates(engine):
    with Session(engine, expire_on_commit=False) as session:
        for n in range(20):
            add_contact(session, f"c{n}", SUNGAI_TABUK)
        notice = new_notice(session, now=NOW)

    def power_cut_after_the_first_batch():
        raise RuntimeError("power cut")

    with pytest.raises(RuntimeError):
        queue(engine, notice, batch_size=5, wake=power_cut_after_the_first_batch)
    with Session(engine) as session:
        assert len(messages(session, notice.id)) == 5
    resumed = queue(engine, notice, batch_size=5)
    assert (resumed.inserted, resumed.targeted) == (15, 20)


def test_messages_are_in_the_contacts_language_with_wita_times(engine):
    with Session(engine, expire_on_commit=False) as session:
        add_contact(session, "ibu", LOK_BAINTAN, language="id")
        add_contact(session, "expat", LOK_BAINTAN, language="en", channel="whatsapp")
        notice = new_notice(session, now=NOW, starts_at=wita(14, 8), hours=8)
    queue(engine, notice)
    with Session(engine) as session:
        indonesian, english = messages(session, notice.id)
    assert "Mulai: Kamis, 14 Mei 2026 pukul 08.00 WITA" in indonesian.text
    assert "Perkiraan selesai: Kamis, 14 Mei 2026 pukul 16.00 WITA" in indonesian.text
    assert "Kec. Sungai Tabuk" in indonesian.text
    assert "Starts: Thursday, 14 May 2026 at 08:00 WITA" in english.text
    assert "Reply STOP" in english.text
    assert (english.channel, english.status, english.direction) == ("whatsapp", "pending", "out")
    assert english.template_kind == "notice"
    assert english.template_variables["2"].startswith("Thursday, 14 May 2026 at 08:00 WITA")
    assert indonesian.template_variables["1"].startswith("Perbaikan pipa transmisi")


def test_reminder_and_extension_texts_say_what_changed(engine):
    with Session(engine, expire_on_commit=False) as session:
        add_contact(session, "ibu", LOK_BAINTAN)
        notice = new_notice(session, now=NOW, starts_at=wita(14, 8), hours=8)
    queue(engine, notice, "reminder_24h")
    queue(engine, notice, "reminder_1h")
    with Session(engine) as session:
        day, hour = messages(session, notice.id)
    assert day.text.startswith("⏰ Pengingat, 1 hari lagi") and day.template_kind == "reminder"
    assert hour.text.startswith("⏰ Pengingat, 1 jam lagi")


def test_nobody_subscribed_means_nothing_queued(engine):
    with Session(engine, expire_on_commit=False) as session:
        add_contact(session, "gambut", GAMBUT)
        notice = new_notice(session, now=NOW, starts_at=NOW + timedelta(days=3))
    assert queue(engine, notice).targeted == 0


def test_an_extension_without_a_note_adds_no_generated_english_to_the_message(engine):
    with Session(engine, expire_on_commit=False) as session:
        add_contact(session, "ibu", LOK_BAINTAN)
        notice = new_notice(session, now=NOW, starts_at=wita(14, 8), hours=8, publish=True)
        service.extend(
            session=session,
            notice_id=notice.id,
            expected_end_at=wita(14, 20),
            policy=POLICY,
            now=NOW,
        )
        session.commit()
    queue(engine, notice, "extend_1")
    with Session(engine) as session:
        extended = [m for m in messages(session, notice.id) if m.text.startswith("⌛")]
    [message] = extended
    assert "Perkiraan selesai: Kamis, 14 Mei 2026 pukul 20.00 WITA" in message.text
    assert "Kabar terbaru" not in message.text and "expected end" not in message.text
