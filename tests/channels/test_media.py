"""What customers send besides text: parsing the providers' media, the limits, and the
downloader against the fake Telegram and Twilio APIs (which serve the bytes)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from sqlmodel import Session, col, select

from channels.media import MediaPolicy, sniff, stored_name
from channels.media_fetch import MediaFetcher, Sources
from channels.media_store import due
from channels.messages import Media, inbound_from_payload, inbound_to_payload
from channels.telegram import parse_update
from channels.whatsapp import parse_form
from db.models import Attachment, Contact, Message
from db.types import utcnow
from tests.fakes.fixtures import fake_telegram, fake_twilio  # noqa: F401
from tests.fakes.telegram_updates import telegram_update
from tests.fakes.twilio_webhooks import signed_whatsapp_form

JPEG = b"\xff\xd8\xff\xe0" + b"fake-jpeg-body" * 10
OGG = b"OggS" + b"\x00opus-voice" * 10


def test_telegram_files_come_out_typed_with_what_telegram_declares():
    update = telegram_update(1, 42, photo_file_id="PHOTO")
    [photo] = parse_update(update).inbound.media
    assert photo == Media("photo", "PHOTO", "image/jpeg", 120_000)  # the largest size

    voice = telegram_update(2, 42)
    voice["message"]["voice"] = {
        "file_id": "VOICE",
        "duration": 3,
        "mime_type": "audio/ogg",
        "file_size": 5120,
        "file_unique_id": "u",
    }
    inbound = parse_update(voice).inbound
    assert inbound.media == (Media("voice", "VOICE", "audio/ogg", 5120),)
    assert inbound.text == ""

    document = telegram_update(3, 42)
    document["message"]["document"] = {
        "file_id": "DOC",
        "file_name": "../../etc/passwd",
        "mime_type": "application/zip",
        "file_size": 10,
    }
    assert parse_update(document).inbound.media == (
        Media("document", "DOC", "application/zip", 10),
    )


def test_twilio_media_come_out_typed_from_their_content_types():
    url = "https://air.example.id/webhooks/whatsapp"
    form, _ = signed_whatsapp_form(
        url, "token", body="", num_media=2, media_content_types=["image/jpeg", "audio/ogg"]
    )
    inbound = parse_form(form)
    assert [(m.kind, m.content_type) for m in inbound.media] == [
        ("photo", "image/jpeg"),
        ("voice", "audio/ogg"),
    ]
    assert all(m.ref.startswith("https://api.twilio.com/") for m in inbound.media)
    again = inbound_from_payload(inbound_to_payload(inbound))
    assert again == inbound  # stored in the intake journal and taken up unchanged


def test_a_message_stored_before_media_had_kinds_is_still_read():
    payload = {"channel": "telegram", "sender_id": "1", "media": ["OLD-FILE-ID"]}
    assert inbound_from_payload(payload).media == (Media("photo", "OLD-FILE-ID"),)


def test_the_policy_refuses_what_is_declared_too_big_or_of_a_wrong_type(settings):
    policy = MediaPolicy.from_settings(settings)
    assert policy.refusal(Media("photo", "x", "image/jpeg", 1000)) is None
    assert policy.refusal(Media("voice", "x", "audio/ogg; codecs=opus", None)) is None
    assert policy.refusal(Media("photo", "x", "image/jpeg", 11 * 1024 * 1024)) == "too_big"
    assert policy.refusal(Media("document", "x", "application/x-msdownload", 10)) == "wrong_type"
    assert policy.refusal(Media("document", "x", "text/html", 10)) == "wrong_type"


def test_stored_names_are_ours_and_paths_never_leave_the_store(tmp_path):
    policy = MediaPolicy(directory=tmp_path, max_bytes=100, types=frozenset({"image/jpeg"}))
    now = utcnow()
    first, second = (stored_name(content_type="image/jpeg", now=now) for _ in range(2))
    assert first != second and first.endswith(".jpg") and ".." not in first
    assert first.startswith(f"{now:%Y}/{now:%m}/")
    assert policy.path_of(first) == (tmp_path / first).resolve()
    for escape in ["../secret", "/etc/passwd", "2026/../../x", ""]:
        assert policy.path_of(escape) is None
    assert sniff(JPEG) == "image/jpeg" and sniff(OGG) == "audio/ogg" and sniff(b"<html>") is None


# --- the downloader -----------------------------------------------------------------------


@pytest.fixture
def store(tmp_path: Path) -> Path:
    """The media store (beside, not holding, the test's SQLite file)."""
    return tmp_path / "media"


def _contact_with(engine, channel: str, address: str, *files: Media) -> int:
    with Session(engine) as session:
        contact = Contact(channel=channel, channel_user_id=address, language="id")
        session.add(contact)
        session.flush()
        assert contact.id is not None
        for media in files:
            session.add(
                Attachment(
                    contact_id=contact.id,
                    kind=media.kind,
                    content_type=media.content_type,
                    provider_ref=media.ref,
                )
            )
        session.commit()
        return contact.id


def _fetcher(engine, settings, store: Path, tg=None, tw=None, max_bytes=10_000):
    policy = MediaPolicy(directory=store, max_bytes=max_bytes, types=settings.allowed_media_types)
    sources = Sources(
        telegram_base_url=tg.base_url if tg else "https://api.telegram.org/bot",
        telegram_token=tg.token if tg else "",
        twilio_account_sid=tw.account_sid if tw else "",
        twilio_auth_token=tw.auth_token if tw else "",
        twilio_base_url=tw.url if tw else None,
    )
    return MediaFetcher(engine=engine, policy=policy, sources=sources)


def _fetch_all(fetcher: MediaFetcher, engine) -> None:
    async def run() -> None:
        for item in due(engine, now=utcnow()):
            await fetcher.fetch_one(item)
        await fetcher._client.aclose()

    asyncio.run(run())


def _attachments(engine) -> list[Attachment]:
    with Session(engine) as session:
        return list(session.exec(select(Attachment).order_by(col(Attachment.id))))


def _told(engine) -> list[str]:
    with Session(engine) as session:
        rows = session.exec(select(Message).where(Message.direction == "out"))
        return [row.text for row in rows]


def test_telegram_photo_and_voice_note_are_downloaded_into_the_store(
    engine,
    settings,
    store,
    fake_telegram,  # noqa: F811
):
    fake_telegram.add_file("PHOTO", JPEG, path="photos/file_7.jpg")
    fake_telegram.add_file("VOICE", OGG, path="voice/file_1.oga")
    _contact_with(
        engine,
        "telegram",
        "42",
        Media("photo", "PHOTO", "image/jpeg"),
        Media("voice", "VOICE", "audio/ogg"),
    )
    _fetch_all(_fetcher(engine, settings, store, tg=fake_telegram), engine)

    photo, voice = _attachments(engine)
    assert (photo.status, photo.content_type, photo.size_bytes) == (
        "stored",
        "image/jpeg",
        len(JPEG),
    )
    assert (voice.status, voice.content_type, voice.size_bytes) == ("stored", "audio/ogg", len(OGG))
    assert (store / photo.path).read_bytes() == JPEG
    assert (store / voice.path).read_bytes() == OGG
    assert "file_7" not in photo.path and voice.path.endswith(".ogg")  # our names, not theirs
    assert [c.params["file_id"] for c in fake_telegram.calls_to("getFile")] == ["PHOTO", "VOICE"]
    assert not list(store.glob(".part-*"))


def test_twilio_media_are_fetched_with_basic_auth_through_the_redirect(
    engine,
    settings,
    store,
    fake_twilio,  # noqa: F811
):
    url = fake_twilio.add_media(OGG, "audio/ogg")
    _contact_with(engine, "whatsapp", "whatsapp:+628111", Media("voice", url, "audio/ogg"))
    _fetch_all(_fetcher(engine, settings, store, tw=fake_twilio), engine)

    [voice] = _attachments(engine)
    assert voice.status == "stored" and (store / voice.path).read_bytes() == OGG
    first, second = fake_twilio.media_fetches
    assert first[1] is True  # the media URL wants the account's credentials
    assert second[0].startswith("/media-store/")


def test_an_oversized_file_is_stopped_while_streaming_and_the_customer_told(
    engine,
    settings,
    store,
    fake_twilio,  # noqa: F811
):
    url = fake_twilio.add_media(JPEG * 100, "image/jpeg")
    _contact_with(engine, "whatsapp", "whatsapp:+628111", Media("photo", url, "image/jpeg"))
    _fetch_all(_fetcher(engine, settings, store, tw=fake_twilio, max_bytes=1000), engine)

    [photo] = _attachments(engine)
    assert (photo.status, photo.path, photo.error) == ("refused", None, "too_big limit=1000")
    assert not [p for p in store.rglob("*") if p.is_file()]  # nothing half-written is left
    [told] = _told(engine)
    assert "terlalu besar" in told


def test_a_file_served_as_a_type_not_taken_is_refused(
    engine,
    settings,
    store,
    fake_twilio,  # noqa: F811
):
    url = fake_twilio.add_media(b"<html><script>alert(1)</script></html>", "text/html")
    _contact_with(engine, "whatsapp", "whatsapp:+628111", Media("photo", url, "image/jpeg"))
    _fetch_all(_fetcher(engine, settings, store, tw=fake_twilio), engine)

    [photo] = _attachments(engine)
    assert (photo.status, photo.error, photo.content_type) == ("refused", "wrong_type", "text/html")
    assert "jenis berkas" in _told(engine)[0]
    assert not [p for p in store.rglob("*") if p.is_file()]


def test_credentials_go_only_to_twilio_and_a_lost_file_is_told(
    engine,
    settings,
    store,
    fake_twilio,  # noqa: F811
):
    elsewhere = "https://attacker.example/Media/ME1"
    missing = (
        fake_twilio.url + f"/2010-04-01/Accounts/{fake_twilio.account_sid}/Messages/MM1/Media/ME404"
    )
    _contact_with(
        engine,
        "whatsapp",
        "whatsapp:+628111",
        Media("photo", elsewhere, None),
        Media("photo", missing, None),
    )
    _fetch_all(_fetcher(engine, settings, store, tw=fake_twilio), engine)

    assert [a.status for a in _attachments(engine)] == ["failed", "failed"]
    assert len(_told(engine)) == 2
    assert all(path.endswith("ME404") for path, _ in fake_twilio.media_fetches)


def test_a_transient_error_is_tried_again_later(engine, settings, store):
    closed = "http://127.0.0.1:9/2010-04-01/Accounts/AC1/Messages/MM1/Media/ME1"
    _contact_with(engine, "whatsapp", "whatsapp:+628111", Media("photo", closed, None))
    fetcher = _fetcher(engine, settings, store)
    fetcher.sources = Sources("https://api.telegram.org/bot", "", "AC1", "t", "http://127.0.0.1:9")
    _fetch_all(fetcher, engine)

    [photo] = _attachments(engine)
    assert (photo.status, photo.attempts) == ("pending", 1)
    assert photo.next_attempt_at is not None and photo.next_attempt_at > utcnow()
    assert due(engine, now=utcnow()) == []  # not before its time
    assert _told(engine) == []


def test_a_telegram_file_too_big_by_getfile_is_refused_with_its_size(
    engine,
    settings,
    store,
    fake_telegram,  # noqa: F811
):
    fake_telegram.add_file("BIG", JPEG * 20, path="documents/file_9.pdf")
    _contact_with(engine, "telegram", "42", Media("document", "BIG", None))
    _fetch_all(_fetcher(engine, settings, store, tg=fake_telegram, max_bytes=1000), engine)

    [document] = _attachments(engine)
    assert (document.status, document.size_bytes) == ("refused", len(JPEG) * 20)
    assert document.error == "too_big limit=1000"
    assert not [p for p in store.rglob("*") if p.is_file()]
    assert "terlalu besar" in _told(engine)[0]
