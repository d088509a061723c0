"""Builders for the Update JSON Telegram POSTs to a webhook (and returns from getUpdates).

Shapes follow https://core.telegram.org/bots/api#update: a private chat whose id equals the
user's id, `date` as Unix seconds, commands marked with a `bot_command` entity (PTB's
CommandHandler needs it), photos as an array of sizes with the largest last.
"""

from __future__ import annotations

import time
import zlib
from typing import Any

BOT_ID = 123456
BOT_USERNAME = "KabarAirBot"
WEBHOOK_SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


def bot_user(bot_id: int = BOT_ID, username: str = BOT_USERNAME) -> dict[str, Any]:
    """The `User` of the bot itself, as getMe returns it and as sender of the bot's messages."""
    return {"id": bot_id, "is_bot": True, "first_name": "Kabar Air", "username": username}


def telegram_user(
    user_id: int, name: str = "Budi Santoso", *, username: str | None = None
) -> dict[str, Any]:
    first, _, last = name.partition(" ")
    user: dict[str, Any] = {"id": user_id, "is_bot": False, "first_name": first}
    if last:
        user["last_name"] = last
    if username:
        user["username"] = username
    user["language_code"] = "id"
    return user


def private_chat(chat_id: int, name: str = "Budi Santoso") -> dict[str, Any]:
    first, _, last = name.partition(" ")
    chat: dict[str, Any] = {"id": chat_id, "type": "private", "first_name": first}
    if last:
        chat["last_name"] = last
    return chat


def telegram_update(
    update_id: int,
    chat_id: int,
    *,
    text: str | None = None,
    photo_file_id: str | None = None,
    caption: str | None = None,
    callback_data: str | None = None,
    from_name: str = "Budi Santoso",
    username: str | None = None,
    message_id: int = 1,
    date: int | None = None,
    latitude: float | None = None,
    longitude: float | None = None,
    contact_phone: str | None = None,
    callback_message_text: str = "Pilih salah satu:",
    callback_query_id: str | None = None,
) -> dict[str, Any]:
    """One Update: a callback_query when `callback_data` is given, otherwise a message.

    For a callback query, `message_id` is the id of the bot's message that carried the button.
    """
    date = int(time.time()) if date is None else date
    user = telegram_user(chat_id, from_name, username=username)
    chat = private_chat(chat_id, from_name)
    if callback_data is not None:
        return {
            "update_id": update_id,
            "callback_query": {
                "id": callback_query_id or f"{chat_id}{update_id}",
                "from": user,
                "message": {
                    "message_id": message_id,
                    "from": bot_user(),
                    "chat": chat,
                    "date": date,
                    "text": callback_message_text,
                },
                "chat_instance": str(-abs(chat_id) * 7919),
                "data": callback_data,
            },
        }
    message: dict[str, Any] = {"message_id": message_id, "from": user, "chat": chat, "date": date}
    if text is not None:
        message["text"] = text
        if text.startswith("/"):
            command = text.split()[0]
            message["entities"] = [{"offset": 0, "length": len(command), "type": "bot_command"}]
    if photo_file_id is not None:
        message["photo"] = photo_sizes(photo_file_id)
        if caption is not None:
            message["caption"] = caption
    if latitude is not None and longitude is not None:
        message["location"] = {"latitude": latitude, "longitude": longitude}
    if contact_phone is not None:
        first, _, last = from_name.partition(" ")
        message["contact"] = {
            "phone_number": contact_phone,
            "first_name": first,
            **({"last_name": last} if last else {}),
            "user_id": chat_id,
        }
    return {"update_id": update_id, "message": message}


def photo_sizes(file_id: str) -> list[dict[str, Any]]:
    """Telegram sends each photo in several sizes; the last one (the given id) is the largest."""
    sizes = [(90, 68, 1_400, "s"), (320, 240, 15_000, "m"), (1280, 960, 120_000, "")]
    return [
        {
            "file_id": f"{file_id}-{tag}" if tag else file_id,
            "file_unique_id": f"AQAD{zlib.crc32(file_id.encode()):08x}{tag}",
            "width": width,
            "height": height,
            "file_size": size,
        }
        for width, height, size, tag in sizes
    ]


def webhook_headers(secret_token: str | None = None) -> dict[str, str]:
    """Headers of Telegram's webhook POST; the secret is the one given to setWebhook."""
    headers = {"Content-Type": "application/json"}
    if secret_token:
        headers[WEBHOOK_SECRET_HEADER] = secret_token
    return headers
