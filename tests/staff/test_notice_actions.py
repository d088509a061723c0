"""Notice actions in the console say whom they told, per channel, counted at the moment of the
action; any published notice can be restored; delivery counts per event and channel."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import Session, col, select, update

from db.models import Contact, Message, Notice, Push, ServiceArea
from db.types import utcnow
from outage_notices import texts
from outage_notices.fanout import facts_for
from outage_notices.policy import NoticePolicy
from outage_notices.scheduled import Dispatcher
from subscriptions.service import subscribe
from tests.staff.factories import console_app, csrf_of, signed_in

WITA = ZoneInfo("Asia/Makassar")


def _quiet_around(moment: datetime) -> tuple[time, time]:
    """Quiet hours from an hour before to an hour after this moment (WITA)."""
    local = moment.astimezone(WITA)
    return (local - timedelta(hours=1)).time(), (local + timedelta(hours=1)).time()


def _no_quiet(moment: datetime) -> tuple[time, time]:
    """Quiet hours that are somewhere else in the day."""
    local = moment.astimezone(WITA)
    return (local + timedelta(hours=3)).time(), (local + timedelta(hours=4)).time()


@pytest.fixture
def quiet():
    return _no_quiet(utcnow())


@pytest.fixture
def app(settings, engine, quiet):
    start, end = quiet
    configured = settings.model_copy(update={"quiet_hours_start": start, "quiet_hours_end": end})
    return console_app(configured, engine)


def _area(engine, name: str, *, district: bool = True) -> ServiceArea:
    with Session(engine) as session:
        if district:
            statement = select(ServiceArea).where(
                ServiceArea.name == name, ServiceArea.level == "district"
            )
            return session.exec(statement).one()
        kecamatan = _area(engine, name)
        statement = select(ServiceArea).where(
            ServiceArea.kecamatan_code == kecamatan.code, ServiceArea.level != "district"
        )
        desa = session.exec(statement.order_by(col(ServiceArea.code))).first()
        assert desa is not None
        return desa


def _subscriber(
    engine, channel: str, user: str, *codes: str, active: bool = True, opted_out: bool = False
) -> None:
    with Session(engine) as session:
        contact = Contact(channel=channel, channel_user_id=user, active=active, opted_out=opted_out)
        session.add(contact)
        session.flush()
        assert contact.id is not None
        for code in codes:
            subscribe(session=session, contact_id=contact.id, area_code=code, now=utcnow())
        session.commit()


def _audience(engine) -> None:
    """Kertak Hanyar: 4 Telegram (one subscribed twice, through kecamatan and desa) and
    2 WhatsApp reachable; one opted out, one unreachable, one of another kecamatan."""
    kecamatan = _area(engine, "Kertak Hanyar").code
    desa = _area(engine, "Kertak Hanyar", district=False).code
    elsewhere = _area(engine, "Gambut").code
    _subscriber(engine, "telegram", "1", kecamatan)
    _subscriber(engine, "telegram", "2", desa)
    _subscriber(engine, "telegram", "3", kecamatan, desa)
    _subscriber(engine, "telegram", "4", desa)
    _subscriber(engine, "whatsapp", "+6281200000001", kecamatan)
    _subscriber(engine, "whatsapp", "+6281200000002", desa)
    _subscriber(engine, "whatsapp", "+6281200000003", kecamatan, opted_out=True)
    _subscriber(engine, "telegram", "5", kecamatan, active=False)
    _subscriber(engine, "telegram", "6", elsewhere)


def _local(moment: datetime) -> str:
    return moment.astimezone(WITA).strftime("%Y-%m-%dT%H:%M")


def _draft(client, engine, *, start_in: timedelta, urgent: bool = False) -> int:
    page = client.get("/staff/notices/new")
    data = {
        "csrf_token": csrf_of(page.text),
        "kind": "unplanned",
        "title": "Perbaikan pipa transmisi",
        "starts_at": _local(utcnow() + start_in),
        "expected_end_at": _local(utcnow() + start_in + timedelta(hours=6)),
        "areas": [_area(engine, "Kertak Hanyar").code],
    }
    if urgent:
        data["urgent"] = "on"
    response = client.post("/staff/notices", data=data)
    assert response.status_code == 200, response.text
    return int(str(response.url).split("?")[0].rstrip("/").split("/")[-1])


def _act(client, notice_id: int, action: str, **fields: str):
    token = csrf_of(client.get(f"/staff/notices/{notice_id}").text)
    response = client.post(
        f"/staff/notices/{notice_id}/{action}", data={"csrf_token": token, **fields}
    )
    assert response.status_code == 200, response.text
    return response


def _dispatch(engine, quiet: tuple[time, time]) -> None:
    """One round of the notice dispatcher (the console app runs none): due pushes go out."""
    default = NoticePolicy.default()
    policy = NoticePolicy(
        tz=WITA,
        short_notice_hours=default.short_notice_hours,
        quiet_hours_start=quiet[0],
        quiet_hours_end=quiet[1],
        reminder_hours=default.reminder_hours,
    )
    Dispatcher(engine=engine, policy=policy, holder="test").tick()


def _flash(response) -> str:
    start = response.text.index('<div class="flash" role="status">')
    return response.text[start:].split(">", 1)[1].split("</div>", 1)[0]


def test_publish_extend_and_restore_say_whom_they_told_per_channel(app, engine, quiet):
    _audience(engine)
    client = signed_in(app, engine, "eddy", "editor")
    notice_id = _draft(client, engine, start_in=timedelta(minutes=-10))
    told = "Dikirim ke 6 pelanggan: 4 Telegram, 2 WhatsApp."
    assert _flash(_act(client, notice_id, "publish")) == told
    end = _local(utcnow() + timedelta(hours=9))
    assert _flash(_act(client, notice_id, "extend", expected_end_at=end)) == told
    _dispatch(engine, quiet)

    _subscriber(engine, "whatsapp", "+6281200000009", _area(engine, "Kertak Hanyar").code)
    restored = _act(client, notice_id, "restore", text="Pipa sudah diganti")
    assert _flash(restored) == "Dikirim ke 7 pelanggan: 4 Telegram, 3 WhatsApp."  # counted now

    client.cookies.set("kabar_lang", "en")
    page = client.get(str(restored.url))
    assert "Sent to 7 customers: 4 Telegram, 3 WhatsApp." in page.text


def test_nobody_subscribed_is_said_plainly_and_cancel_of_an_untold_notice_sends_nothing(
    app, engine
):
    client = signed_in(app, engine, "eddy", "editor")
    notice_id = _draft(client, engine, start_in=timedelta(hours=3))
    published = _flash(_act(client, notice_id, "publish"))
    assert published.startswith("Tersimpan. Tidak ada pelanggan yang berlangganan")
    cancelled = _flash(_act(client, notice_id, "cancel", text="Pekerjaan ditunda"))
    assert cancelled.startswith("Tersimpan. Belum ada pelanggan yang diberi tahu")
    with Session(engine) as session:
        push = session.exec(select(Push).where(Push.event == "cancel")).one()
        assert push.status == "dropped"


@pytest.mark.parametrize("quiet", [_quiet_around(utcnow())])
def test_a_push_held_for_quiet_hours_says_when_it_goes(app, engine, quiet):
    _audience(engine)
    client = signed_in(app, engine, "eddy", "editor")
    calm = _draft(client, engine, start_in=timedelta(hours=3))
    until = quiet[1].strftime("%H.%M")
    held = f"Jam tenang: dikirim pukul {until} WITA ke 6 pelanggan: 4 Telegram, 2 WhatsApp."
    assert _flash(_act(client, calm, "publish")) == held
    urgent = _draft(client, engine, start_in=timedelta(hours=3), urgent=True)
    told = "Dikirim ke 6 pelanggan: 4 Telegram, 2 WhatsApp."
    assert _flash(_act(client, urgent, "publish")) == told


def test_a_scheduled_notice_can_be_restored_and_subscribers_hear_it_is_called_off(
    app, engine, quiet
):
    _audience(engine)
    client = signed_in(app, engine, "eddy", "editor")
    notice_id = _draft(client, engine, start_in=timedelta(hours=5), urgent=True)
    page = _act(client, notice_id, "publish")
    assert f'action="/staff/notices/{notice_id}/restore"' in page.text
    assert "pelanggan diberi tahu bahwa gangguan tidak jadi" in page.text
    _dispatch(engine, quiet)
    restored = _act(client, notice_id, "restore")
    assert _flash(restored) == "Dikirim ke 6 pelanggan: 4 Telegram, 2 WhatsApp."
    _dispatch(engine, quiet)
    with Session(engine) as session:
        notice = session.get(Notice, notice_id)
        assert notice is not None and notice.status == "restored"
        facts = facts_for(session, notice, "restore")
        sent = session.exec(select(Message.text).where(Message.notice_event == "restore")).all()
    assert len(sent) == 6 and all(text.startswith("✅ Tidak jadi") for text in sent)
    words = texts.render(facts, "restore", "id", WITA)
    assert words.startswith("✅ Tidak jadi — Gangguan air: Perbaikan pipa transmisi")
    assert "tidak jadi dilaksanakan: air tetap mengalir seperti biasa" in words
    assert "sudah mengalir kembali" not in words
    english = texts.render(facts, "restore", "en", WITA)
    assert english.startswith("✅ Called off") and "keeps flowing as usual" in english


def test_a_draft_cannot_be_restored(app, engine):
    client = signed_in(app, engine, "eddy", "editor")
    notice_id = _draft(client, engine, start_in=timedelta(hours=5))
    page = client.get(f"/staff/notices/{notice_id}")
    assert f'action="/staff/notices/{notice_id}/restore"' not in page.text
    response = client.post(
        f"/staff/notices/{notice_id}/restore", data={"csrf_token": csrf_of(page.text)}
    )
    assert response.status_code == 400
    assert "Hanya gangguan yang sudah diterbitkan dan belum selesai" in response.text


def test_delivery_counts_per_event_and_channel_and_telegram_has_no_receipts(app, engine, quiet):
    _audience(engine)
    client = signed_in(app, engine, "eddy", "editor")
    notice_id = _draft(client, engine, start_in=timedelta(minutes=-10), urgent=True)
    _act(client, notice_id, "publish")
    _dispatch(engine, quiet)
    with Session(engine) as session:
        on = col(Message.notice_id) == notice_id
        session.exec(update(Message).where(on, Message.channel == "telegram").values(status="sent"))
        whatsapp = session.exec(select(Message.id).where(on, Message.channel == "whatsapp")).all()
        session.exec(update(Message).where(Message.id == whatsapp[0]).values(status="read"))
        session.exec(update(Message).where(Message.id == whatsapp[1]).values(status="failed"))
        session.commit()
    progress = client.get(f"/staff/notices/{notice_id}/progress").json()
    rows = {(r["event"], r["channel"]): r for r in progress["events"]}
    assert set(rows) == {("publish", "telegram"), ("publish", "whatsapp")}
    telegram, wa = rows["publish", "telegram"], rows["publish", "whatsapp"]
    assert (telegram["targeted"], telegram["sent"], telegram["receipts"]) == (4, 4, False)
    assert (wa["targeted"], wa["sent"], wa["delivered"], wa["read"], wa["failed"]) == (
        2,
        1,
        1,
        1,
        1,
    )
    assert wa["receipts"] is True and telegram["label"] == "Penerbitan"
    assert progress["total"]["targeted"] == 6 and progress["total"]["percent"] == 100

    page = client.get(f"/staff/notices/{notice_id}").text
    row = page[page.index('data-channel="telegram"') :].split("</tr>", 1)[0]
    assert 'data-count="delivered" data-no-receipt' in row and ">—</td>" in row
    assert "Telegram tidak mengirim tanda terima" in page
    assert "Diterima 0" not in page
