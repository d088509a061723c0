"""The web console's session cookie: signed, HttpOnly, SameSite=Lax, Secure behind HTTPS.

The cookie carries the staff id, the session's CSRF token and a fingerprint of the password
hash, so changing a password (or deactivating the account) ends every open session.
"""

from __future__ import annotations

import hashlib
import secrets

from fastapi import Request, Response
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlmodel import Session

from core.services import get_settings
from core.settings import Settings
from db.models import Staff

COOKIE = "kabar_session"
MAX_AGE_SECONDS = 12 * 60 * 60  # one working day and a bit


def _serializer(settings: Settings) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(settings.secret_key.get_secret_value(), salt="kabar-session")


def _fingerprint(staff: Staff) -> str:
    return hashlib.sha256(staff.password_hash.encode()).hexdigest()[:16]


def secure_cookies(settings: Settings) -> bool:
    """Secure always in production (the proxy in front speaks https), else behind https."""
    return settings.production or (settings.public_base_url or "").lower().startswith("https://")


def issue(response: Response, *, staff: Staff, settings: Settings) -> str:
    """Sign the staff member in on this response; returns the session's CSRF token."""
    csrf = secrets.token_urlsafe(32)
    value = _serializer(settings).dumps({"s": staff.id, "c": csrf, "p": _fingerprint(staff)})
    response.set_cookie(
        COOKIE,
        value,
        max_age=MAX_AGE_SECONDS,
        httponly=True,
        samesite="lax",
        secure=secure_cookies(settings),
        path="/",
    )
    return csrf


def clear(response: Response, *, settings: Settings) -> None:
    response.delete_cookie(
        COOKIE, path="/", httponly=True, samesite="lax", secure=secure_cookies(settings)
    )


def read(request: Request, *, session: Session) -> tuple[Staff, str] | None:
    """The signed-in staff member and the session's CSRF token, or None."""
    raw = request.cookies.get(COOKIE)
    if not raw:
        return None
    settings = get_settings(request)
    try:
        data = _serializer(settings).loads(raw, max_age=MAX_AGE_SECONDS)
    except BadSignature:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("s"), int):
        return None
    staff = session.get(Staff, data["s"])
    if staff is None or not staff.active or data.get("p") != _fingerprint(staff):
        return None
    return staff, str(data.get("c", ""))
