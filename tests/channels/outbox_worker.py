"""A sender in its own process, so a test can kill -9 it mid-queue and start another.

python -m tests.channels.outbox_worker DATABASE_URL TELEGRAM_BASE TOKEN TWILIO_BASE SID AUTH
"""

from __future__ import annotations

import asyncio
import sys

from channels.outbox import Sender
from channels.ratelimit import RateLimiter
from channels.telegram import TelegramChannel, make_bot
from channels.whatsapp import WhatsAppChannel, make_client
from db.engine import make_engine

CONCURRENCY = 8


async def main(url: str, tg_base: str, token: str, tw_base: str, sid: str, auth: str) -> int:
    telegram = TelegramChannel(
        bot=make_bot(token=token, base_url=tg_base, concurrency=CONCURRENCY),
        limiter=RateLimiter(),
        secret="unused",
    )
    whatsapp = WhatsAppChannel(
        client=make_client(account_sid=sid, auth_token=auth, api_base_url=tw_base),
        limiter=RateLimiter(),
        sender="whatsapp:+14155238886",
    )
    engine = make_engine(url)
    sender = Sender(
        engine=engine,
        channels={"telegram": telegram, "whatsapp": whatsapp},
        concurrency=CONCURRENCY,
        lease_seconds=30.0,  # a restarted worker takes its dead predecessor's over at once
        poll_seconds=0.05,
    )
    print("started", flush=True)
    done = await sender.run_until_idle(timeout=60)
    await sender.stop()
    await telegram.close()
    await whatsapp.close()
    engine.dispose()
    print("idle" if done else "timeout", flush=True)
    return 0 if done else 1


if __name__ == "__main__":
    sys.exit(asyncio.run(main(*sys.argv[1:7])))
