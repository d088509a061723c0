"""A complaint with a photo and a voice note, as staff see it at desk and phone sizes."""

from __future__ import annotations

import io
from collections.abc import Iterator

import httpx
import pytest
from PIL import Image, ImageDraw
from playwright.sync_api import Browser, ViewportSize, expect

from bot.app import create_app
from bot.runtime import Runtime
from tests.browser.conftest import LiveServer, LiveService
from tests.browser.test_console import ARTIFACTS, LiveCustomer, sign_in
from tests.channels.conftest import provider_settings, wait_until
from tests.fakes.fixtures import fake_telegram, fake_twilio  # noqa: F401
from tests.staff.factories import add_staff

SIZES: dict[str, ViewportSize] = {
    "desk": {"width": 1366, "height": 768},
    "phone": {"width": 390, "height": 844},
}
OGG = b"OggS" + b"\x00voice" * 50


def a_photo() -> bytes:
    """A real picture (a pipe and a puddle), so the thumbnail can be looked at."""
    image = Image.new("RGB", (640, 480), (205, 220, 230))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 200, 640, 260), fill=(90, 90, 100))
    draw.ellipse((250, 300, 520, 420), fill=(60, 120, 200))
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


@pytest.fixture
def live(settings, engine, fake_telegram, fake_twilio, tmp_path) -> Iterator[LiveService]:  # noqa: F811
    """The whole service over HTTP with its media store in the test's directory."""
    configured = provider_settings(
        settings, fake_telegram, fake_twilio, media_dir=tmp_path / "media"
    )
    runtime = Runtime.start(configured, engine=engine)
    with LiveServer(create_app(configured, runtime=runtime)) as server:
        client = httpx.Client(base_url=server.url, timeout=10)
        try:
            yield LiveService(client, runtime, fake_telegram, fake_twilio, url=server.url)
        finally:
            client.close()


def _voice(customer: LiveCustomer) -> None:
    update = customer.service.next_update(customer.chat_id)
    update["message"]["voice"] = {
        "file_id": "VOICE-9",
        "file_unique_id": "v9",
        "duration": 4,
        "mime_type": "audio/ogg",
        "file_size": len(OGG),
    }
    before = len(customer.service.tg.sent_messages(customer.chat_id))
    assert customer.service.telegram(update).status_code == 200
    wait_until(lambda: len(customer.service.tg.sent_messages(customer.chat_id)) > before)


@pytest.mark.parametrize("size", SIZES)
def test_a_complaint_shows_its_photo_and_voice_note(live, browser: Browser, engine, size):
    live.tg.add_file("PHOTO-9", a_photo(), path="photos/file_9.jpg")
    live.tg.add_file("VOICE-9", OGG, path="voice/file_9.oga")
    budi = LiveCustomer(live, 990001)
    for text in ["/start", "2", "1", "Tatah Bangkal", "Jl. Mawar 1, depan masjid"]:
        budi.say(text)
    budi.send(text="Pipa pecah di depan rumah", photo_file_id="PHOTO-9")
    budi.say("1")  # Kirim
    _voice(budi)
    add_staff(engine, "siti", "agent")

    context = browser.new_context(viewport=SIZES[size], device_scale_factor=1)
    page = context.new_page()
    page.set_default_timeout(15_000)
    sign_in(page, live.url, "siti")
    page.goto(f"{live.url}/staff/inbox")
    page.locator("a[data-ticket]").first.click()
    photo = page.locator("[data-attachment=photo] img.thumb")
    for _ in range(50):  # the downloader works in the background
        if photo.count():
            break
        page.wait_for_timeout(200)
        page.reload()
    expect(photo).to_be_visible()
    expect(page.locator("[data-attachment=voice] audio[controls]")).to_be_attached()
    assert page.evaluate("document.querySelector('img.thumb').naturalWidth") == 640
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= SIZES[size]["width"], f"the complaint page scrolls sideways ({width} px)"
    ARTIFACTS.mkdir(exist_ok=True)
    page.locator("[data-attachments]").scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / f"complaint-attachments-{size}.png"))
    context.close()
