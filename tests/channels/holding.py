"""Provider fakes that can stop answering on cue, so a test can kill -9 a sender mid-send."""

from __future__ import annotations

import threading

from tests.fakes._server import FakeServer, Request, Response
from tests.fakes.telegram_api import FakeTelegramApi
from tests.fakes.twilio_api import FakeTwilioApi


class Holding(FakeServer):
    """Mixin for a fake that, once `hold` is set, keeps every send waiting until `release`.

    `waiting` counts the sends that arrived while held; `answered` those of them the fake has
    since taken (they reached the provider: a customer got them whoever hears the answer).
    """

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.hold, self.release = threading.Event(), threading.Event()
        self.waiting = self.answered = 0
        self._count_lock = threading.Lock()

    def handle(self, request: Request) -> Response:
        if self.hold.is_set() and request.method == "POST" and "etMe" not in request.path:
            with self._count_lock:
                self.waiting += 1
            self.release.wait(30)
            response = super().handle(request)
            with self._count_lock:
                self.answered += 1
            return response
        return super().handle(request)


class HoldingTelegram(Holding, FakeTelegramApi):
    pass


class HoldingTwilio(Holding, FakeTwilioApi):
    pass
