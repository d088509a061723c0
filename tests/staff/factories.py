"""Builders for staff-side tests: console app, accounts, signed-in clients, complaints."""

from __future__ import annotations

import re
from datetime import datetime

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from accounts import service, tokens
from bot.app import include_staff_doors
from complaints.service import create_complaint
from core.services import Services, attach
from db.models import Complaint, Contact, Staff
from db.types import utcnow
from db.vocab import Channel, ComplaintCategory

PASSWORD = "correct-horse-battery"


def console_app(settings, engine) -> FastAPI:
    """The staff console alone, on the test database (no channels, no scheduler)."""
    app = FastAPI()
    attach(app, Services(settings=settings, engine=engine))
    include_staff_doors(app)
    return app


def add_staff(engine, username: str, role: str, *, password: str = PASSWORD) -> Staff:
    with Session(engine, expire_on_commit=False) as session:
        staff = service.create_staff(
            session=session, username=username, role=role, password=password
        )
        session.commit()
        return staff


def api_token(engine, staff: Staff) -> str:
    with Session(engine) as session:
        _, plain = tokens.create_token(session=session, staff=staff, name="test")
        session.commit()
        return plain


def csrf_of(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "page has no CSRF token"
    return match.group(1)


def login(client: TestClient, username: str, password: str = PASSWORD):
    page = client.get("/staff/login")
    return client.post(
        "/staff/login",
        data={"username": username, "password": password, "csrf_token": csrf_of(page.text)},
        follow_redirects=False,
    )


def signed_in(app: FastAPI, engine, username: str, role: str) -> TestClient:
    add_staff(engine, username, role)
    client = TestClient(app)
    response = login(client, username)
    assert response.status_code == 303, response.text
    return client


def add_complaint(
    engine,
    *,
    channel: str = "telegram",
    user_id: str = "5550001",
    category: str = "no_water",
    area_code: str | None = None,
    phone: str | None = None,
    now: datetime | None = None,
    language: str = "id",
) -> Complaint:
    now = now or utcnow()
    with Session(engine, expire_on_commit=False) as session:
        contact = session.exec(
            select(Contact).where(Contact.channel == channel, Contact.channel_user_id == user_id)
        ).first()
        if contact is None:
            contact = Contact(
                channel=channel,
                channel_user_id=user_id,
                phone=phone,
                display_name="Ibu Siti",
                language=language,
            )
            session.add(contact)
            session.flush()
        assert contact.id is not None
        complaint = create_complaint(
            session=session,
            contact_id=contact.id,
            channel=Channel(channel),
            category=ComplaintCategory(category),
            area_code=area_code,
            address="dekat masjid",
            account_number=None,
            description="air tidak mengalir sejak pagi",
            media_ref=None,
            ticket_prefix="ADU",
            now=now,
        )
        session.commit()
        return complaint
