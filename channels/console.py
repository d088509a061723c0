"""The console channel: a customer conversation in a terminal, or scripted line by line."""

from __future__ import annotations

from collections.abc import Callable
from typing import TextIO

from channels.messages import Inbound, Outbound, render_numbered
from db.vocab import Channel

CHANNEL = Channel.CONSOLE
DEFAULT_SENDER = "console-customer"


def run_console(
    handle: Callable[[Inbound], list[Outbound]],
    *,
    sender_id: str,
    stdin: TextIO,
    stdout: TextIO,
    interactive: bool,
    display_name: str | None = None,
) -> int:
    """Send each line as a customer message and print the replies as soon as they are made.

    Interactive use shows a prompt; piped input prints only the replies, each followed by a
    blank line and flushed, so another program can drive the conversation line by line.
    """
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
