"""The console channel: a customer conversation in a terminal, or scripted line by line."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TextIO

from sqlalchemy import Engine, bindparam, select, update

from channels.messages import Choice, Inbound, Outbound, render_numbered
from db.models import Contact, Message
from db.vocab import Channel, MessageStatus

CHANNEL = Channel.CONSOLE
DEFAULT_SENDER = "console-customer"
MESSAGE = Message.__table__
CONTACT = Contact.__table__
# What was queued for a console customer while they were away: pushes and staff replies.
WAITING = (
    select(MESSAGE.c.id, MESSAGE.c.text, MESSAGE.c.choices)
    .join_from(MESSAGE, CONTACT, MESSAGE.c.contact_id == CONTACT.c.id)
    .where(
        CONTACT.c.channel == CHANNEL,
        CONTACT.c.channel_user_id == bindparam("sender"),
        MESSAGE.c.direction == "out",
        MESSAGE.c.status == MessageStatus.PENDING,
    )
    .order_by(MESSAGE.c.id)
)
MARK_SENT = (
    update(MESSAGE)
    .where(
        MESSAGE.c.id.in_(bindparam("ids", expanding=True)),
        MESSAGE.c.status == MessageStatus.PENDING,
    )
    .values(status=MessageStatus.SENT, sent_at=bindparam("now"))
)


def take_waiting(engine: Engine, *, sender_id: str, now: datetime) -> list[Outbound]:
    """The console's delivery: the sender's pending messages, oldest first, marked sent.

    The console has no provider to send through; its customer reads what waited for them
    when they next run `kabar-air chat`.
    """
    with engine.begin() as connection:
        rows = connection.execute(WAITING, {"sender": sender_id}).all()
        if rows:
            connection.execute(MARK_SENT, {"ids": [row.id for row in rows], "now": now})
    return [
        Outbound(row.text or "", tuple(Choice(c["label"], c["value"]) for c in row.choices or ()))
        for row in rows
    ]


def run_console(
    handle: Callable[[Inbound], list[Outbound]],
    *,
    sender_id: str,
    stdin: TextIO,
    stdout: TextIO,
    interactive: bool,
    display_name: str | None = None,
    waiting: list[Outbound] | None = None,
) -> int:
    """Send each line as a customer message and print the replies as soon as they are made.

    Interactive use shows a prompt; piped input prints only the replies, each followed by a
    blank line and flushed, so another program can drive the conversation line by line.
    `waiting`: messages queued for this customer since their last run, shown first.
    """
    for message in waiting or ():
        prefix = "Bot: " if interactive else ""
        stdout.write(f"{prefix}{render_numbered(message)}\n\n")
    stdout.flush()
    turns = 0
    while True:
        if interactive:
            stdout.write("Anda> ")
            stdout.flush()
        line = stdin.readline()
        if not line:
            break
        text = line.rstrip("\r\n")
        inbound = Inbound(
            channel=CHANNEL, sender_id=sender_id, text=text, display_name=display_name
        )
        for reply in handle(inbound):
            prefix = "Bot: " if interactive else ""
            stdout.write(f"{prefix}{render_numbered(reply)}\n\n")
        stdout.flush()
        turns += 1
    return turns
