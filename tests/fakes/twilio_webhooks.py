"""Builders for the signed form posts Twilio sends us: incoming WhatsApp messages, status callbacks.

Twilio POSTs `application/x-www-form-urlencoded` and signs with X-Twilio-Signature, an HMAC-SHA1
of the full URL plus the sorted params, keyed by the account's auth token; we compute it with
twilio's own RequestValidator so the app's validation is tested for real.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence

from twilio.request_validator import RequestValidator

DEFAULT_ACCOUNT_SID = "ACd0b1c2e3f4a5b6c7d8e9f0a1b2c3d4e5"
DEFAULT_AUTH_TOKEN = "0f1e2d3c4b5a69788796a5b4c3d2e1f0"
SANDBOX_NUMBER = "whatsapp:+14155238886"


def new_sid(prefix: str = "SM") -> str:
    return prefix + uuid.uuid4().hex


def signed_headers(url: str, params: dict[str, str], auth_token: str) -> dict[str, str]:
    """Headers of a Twilio webhook request to `url` carrying form `params`."""
    return {
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Twilio-Signature": RequestValidator(auth_token).compute_signature(url, params),
        "User-Agent": "TwilioProxy/1.1",
        "I-Twilio-Idempotency-Token": str(uuid.uuid4()),
    }


def signed_whatsapp_form(
    url: str,
    auth_token: str = DEFAULT_AUTH_TOKEN,
    *,
    body: str = "",
    from_: str = "whatsapp:+6281234567890",
    to: str = SANDBOX_NUMBER,
    message_sid: str | None = None,
    profile_name: str = "Budi Santoso",
    num_media: int = 0,
    media_urls: Sequence[str] = (),
    media_content_types: Sequence[str] = (),
    latitude: float | None = None,
    longitude: float | None = None,
    address: str | None = None,
    button_text: str | None = None,
    button_payload: str | None = None,
    account_sid: str = DEFAULT_ACCOUNT_SID,
) -> tuple[dict[str, str], dict[str, str]]:
    """(form params, headers) of an incoming WhatsApp message, signed for `url`.

    `num_media` beyond the given `media_urls` gets placeholder Twilio media URLs;
    `button_payload` makes it a quick-reply button press (MessageType "button").
    """
    sid = message_sid or new_sid()
    wa_id = from_.removeprefix("whatsapp:").lstrip("+")
    urls = list(media_urls)
    base = f"https://api.twilio.com/2010-04-01/Accounts/{account_sid}/Messages/{sid}/Media"
    urls += [f"{base}/{new_sid('ME')}" for _ in range(num_media - len(urls))]
    params = {
        "SmsMessageSid": sid,
        "NumMedia": str(len(urls)),
        "ProfileName": profile_name,
        "MessageType": _message_type(urls, latitude, button_payload),
        "SmsSid": sid,
        "WaId": wa_id,
        "SmsStatus": "received",
        "Body": body,
        "To": to,
        "NumSegments": "1",
        "ReferralNumMedia": "0",
        "MessageSid": sid,
        "AccountSid": account_sid,
        "From": from_,
        "ApiVersion": "2010-04-01",
        "ChannelMetadata": json.dumps(
            {"type": "whatsapp", "data": {"context": {"ProfileName": profile_name, "WaId": wa_id}}}
        ),
    }
    for index, media_url in enumerate(urls):
        params[f"MediaUrl{index}"] = media_url
        types = list(media_content_types)
        params[f"MediaContentType{index}"] = types[index] if index < len(types) else "image/jpeg"
    if latitude is not None and longitude is not None:
        params["Latitude"], params["Longitude"] = str(latitude), str(longitude)
        if address:
            params["Address"] = address
    if button_payload is not None:
        params["ButtonPayload"] = button_payload
        params["ButtonText"] = button_text or button_payload
    return params, signed_headers(url, params, auth_token)


def _message_type(urls: list[str], latitude: float | None, button_payload: str | None) -> str:
    if button_payload is not None:
        return "button"
    if latitude is not None:
        return "location"
    return "image" if urls else "text"


def signed_status_callback_form(
    url: str,
    auth_token: str,
    *,
    message_sid: str,
    status: str,
    to: str,
    from_: str,
    error_code: int | None = None,
    account_sid: str = DEFAULT_ACCOUNT_SID,
) -> tuple[dict[str, str], dict[str, str]]:
    """(form params, headers) of a message status callback (sent, delivered, read, failed...)."""
    params = {
        "AccountSid": account_sid,
        "ApiVersion": "2010-04-01",
        "MessageSid": message_sid,
        "SmsSid": message_sid,
        "MessageStatus": status,
        "SmsStatus": status,
        "To": to,
        "From": from_,
    }
    if to.startswith("whatsapp:"):
        params["ChannelPrefix"] = "whatsapp"
        params["ChannelToAddress"] = to.removeprefix("whatsapp:")
    if error_code is not None:
        params["ErrorCode"] = str(error_code)
    return params, signed_headers(url, params, auth_token)
