"""Every console form fuzzed as a signed-in admin would post it, and the sign-in form as anyone
could: hostile text in every field, with a valid session and CSRF token; never a 5xx.

The forms are not listed by hand: the console is crawled (every page a link reaches from the
menu) and each <form> found on a page is a target, with the field names and the values the
page offered (options, hidden ids, the CSRF token). A case posts one form with each field
kept, made hostile, left out or doubled; filters (GET forms) get the same treatment in the
query string. An action that signs us out (logout, our own password reset) is followed by
signing in again, so the run keeps reaching the pages behind the sign-in.
"""

from __future__ import annotations

import re
from collections import deque
from dataclasses import dataclass, field
from datetime import timedelta
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urlencode, urlsplit

import pytest
from fastapi.testclient import TestClient
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from sqlmodel import Session, select

from accounts import service as accounts
from bot.app import create_app
from bot.runtime import Runtime
from db.models import Message, Staff
from db.types import utcnow
from subscriptions import preferences
from tests.fuzz.hostile import (
    CASES,
    FORM,
    FUZZ,
    errors_logged,
    form_body,
    hostile_text,
    server_error,
)
from tests.outage_notices.builders import new_notice
from tests.staff.factories import PASSWORD, add_complaint, add_staff, api_token, csrf_of, login

pytestmark = pytest.mark.slow  # a few hundred cases each: longer than the fast tier allows

FORM_EXAMPLES = 400
LOGIN_EXAMPLES = 200
ADMIN = "fuzz-admin"
START = [
    "/staff/inbox",
    "/staff/people",
    "/staff/notices",
    "/staff/notices/new",
    "/staff/accounts",
    "/staff/targets",
    "/staff/audit",
    "/staff/reports",
    "/staff/answers",
    "/staff/outbox/unknown",
]
MAX_PAGES = 80
ROW_NUMBERS = [0, 999_999, 2**31, 2**63, 10**20]
NOT_PAGES = ("/staff/static/", "/staff/lang/", "/staff/reports.")  # files, redirects


@dataclass
class Form:
    method: str
    action: str
    fields: dict[str, list[str]] = field(default_factory=dict)

    @property
    def key(self) -> tuple[str, str, tuple[str, ...]]:
        return self.method, self.action, tuple(sorted(self.fields))


class _Page(HTMLParser):
    """The links and forms of one console page."""

    def __init__(self, path: str) -> None:
        super().__init__()
        self.path = path
        self.links: list[str] = []
        self.forms: list[Form] = []
        self._form: Form | None = None
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {name: value or "" for name, value in attrs}
        if tag == "a" and a.get("href", "").startswith("/staff"):
            self.links.append(a["href"])
        elif tag == "form":
            method = (a.get("method") or "get").upper()
            self._form = Form(method, a.get("action") or self.path)
            self.forms.append(self._form)
        elif self._form is not None and tag in ("input", "textarea", "select") and a.get("name"):
            values = self._form.fields.setdefault(a["name"], [])
            if tag == "input" and (a.get("value") or a.get("type") in ("checkbox", "radio")):
                values.append(a.get("value") or "on")
            self._select = a["name"] if tag == "select" else None
        elif tag == "option" and self._form is not None and self._select:
            self._form.fields[self._select].append(a.get("value", ""))

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None


def crawl(client: TestClient) -> list[Form]:
    """Every form on every console page reachable from START (breadth first)."""
    queue, seen = deque(START), set(START)
    forms: dict[tuple[str, str, tuple[str, ...]], Form] = {}
    while queue and len(seen) <= MAX_PAGES:
        path = queue.popleft()
        response = client.get(path)
        assert response.status_code < 500, (path, response.status_code)
        if "text/html" not in response.headers.get("content-type", ""):
            continue
        page = _Page(urlsplit(path).path)
        page.feed(response.text)
        for form in page.forms:
            forms.setdefault(form.key, form)
        for link in page.links:
            if link not in seen and not link.startswith(NOT_PAGES):
                seen.add(link)
                queue.append(link)
    return list(forms.values())


class Admin:
    """A signed-in admin's browser that signs in again when an action signed it out."""

    def __init__(self, client: TestClient, engine: Any) -> None:
        self.client, self.engine = client, engine
        self.sign_in()

    def sign_in(self) -> None:
        with Session(self.engine) as session:
            staff = session.exec(select(Staff).where(Staff.username == ADMIN)).one()
            accounts.set_password(session=session, staff=staff, password=PASSWORD)
            staff.active, staff.role = True, "admin"
            session.add(staff)
            session.commit()
        self.client.cookies.clear()
        response = login(self.client, ADMIN)
        assert response.status_code == 303, response.text
        self.csrf = csrf_of(self.client.get("/staff/accounts").text)

    def signed_out(self, response: Any) -> bool:
        return response.is_redirect and "/staff/login" in response.headers.get("location", "")


@pytest.fixture
def console(settings, engine):
    """The service with an admin signed in and something on every page: complaints, a
    customer waiting for a person, notices (a draft, a published one, one under way),
    another account with a token, messages a crash left unknown."""
    app = create_app(settings, runtime=Runtime.start(settings, engine=engine))
    add_staff(engine, ADMIN, "admin")
    petugas = add_staff(engine, "petugas", "agent")
    complaint = add_complaint(engine)
    add_complaint(engine, user_id="42", channel="whatsapp", phone="+6281234567890")
    api_token(engine, petugas)
    now = utcnow()
    with Session(engine) as session:
        preferences.ask_for_a_person(session=session, contact_id=complaint.contact_id, now=now)
        session.commit()
        new_notice(session, now=now)
        new_notice(session, now=now, starts_at=now + timedelta(hours=1), publish=True)
        water_off = new_notice(
            session, now=now, kind="unplanned", starts_at=now - timedelta(hours=1), publish=True
        )
        session.add(  # a reply a crash left unknown, for the resend form
            Message(contact_id=complaint.contact_id, direction="out", channel="telegram",
                    text="Petugas menuju lokasi", status="unknown", complaint_id=complaint.id)
        )  # fmt: skip
        session.add(
            Message(contact_id=complaint.contact_id, direction="out", channel="telegram",
                    text="Air mati", status="unknown", notice_id=water_off.id,
                    notice_event="publish")
        )  # fmt: skip
        session.commit()
    with TestClient(app, follow_redirects=False) as client:  # a server error raises
        yield Admin(client, engine)


def _values(draw: st.DrawFn, offered: list[str], *, huge: bool) -> list[str]:
    """A field's values: one the page offered, hostile text, none at all, or several."""
    choice = draw(st.sampled_from(["offered", "hostile", "hostile", "none", "many"]))
    if choice == "offered" and offered:
        return [draw(st.sampled_from(offered))]
    if choice == "none":
        return []
    if choice == "many":
        return draw(
            st.lists(hostile_text(huge=False) | st.sampled_from(offered or [""]), max_size=4)
        )
    return [draw(hostile_text(huge=huge))]


@st.composite
def filled(draw: st.DrawFn, form: Form, csrf: str) -> list[tuple[str, str]]:
    huge = form.method == "POST"  # a URL has no room for 100 kB
    fields: list[tuple[str, str]] = []
    for name, offered in form.fields.items():
        if name == "csrf_token":
            fields.append((name, csrf if draw(st.integers(0, 9)) else draw(hostile_text())))
            continue
        fields += [(name, value) for value in _values(draw, offered, huge=huge)]
    if draw(st.integers(0, 4)) == 0:  # a field the form does not have
        fields.append((draw(hostile_text(huge=False)), draw(hostile_text(huge=huge))))
    return fields


def _send(client: TestClient, method: str, action: str, fields: list[tuple[str, str]]) -> Any:
    try:
        if method == "GET":
            query = urlencode(fields, errors="surrogatepass")
            return client.get(action + ("&" if "?" in action else "?") + query)
        return client.post(action, content=form_body(fields), headers=FORM)
    except Exception as error:  # the app failed: a 500 to a browser
        raise AssertionError(server_error(error)) from error


def _fuzz_one_kind(admin: Admin, forms: list[Form], examples: int) -> int:
    """Post one kind of form `examples` times (for any of the rows it was found for)."""
    sent = 0

    @given(form=st.sampled_from(forms), data=st.data())
    @hypothesis_settings(FUZZ, max_examples=examples)
    def exercise(form: Form, data: st.DataObject) -> None:
        nonlocal sent
        fields = data.draw(filled(form, admin.csrf))
        action = form.action
        if data.draw(st.integers(0, 5)) == 0:  # a row that is not there, or cannot be
            number = str(data.draw(st.sampled_from(ROW_NUMBERS)))
            action = re.sub(r"/\d+", "/" + number, action)
        response = _send(admin.client, form.method, action, fields)
        CASES["console forms"] += 1
        sent += 1
        assert response.status_code < 500, (form.method, action, response.status_code)
        if admin.signed_out(response) or admin.signed_out(admin.client.get("/staff/")):
            admin.sign_in()

    exercise()
    return sent


def test_every_console_form_takes_hostile_text_without_a_server_error(console, caplog):
    admin: Admin = console
    forms = crawl(admin.client)
    actions = {form.action.split("?")[0].rstrip("/0123456789") for form in forms}
    for expected in ("/staff/complaints/", "/staff/notices", "/staff/accounts", "/staff/targets/"):
        assert any(action.startswith(expected) for action in actions), (expected, actions)
    kinds: dict[str, list[Form]] = {}  # the same form for another row is the same kind
    for form in forms:
        action = re.sub(r"/targets/[^/?]+", "/targets/{category}", form.action)
        kinds.setdefault(form.method + " " + re.sub(r"\d+", "{id}", action), []).append(form)
    posted: dict[str, int] = {}
    examples = max(12, FORM_EXAMPLES // len(kinds))  # every kind of form gets its share

    for kind, same in sorted(kinds.items()):
        posted[kind] = _fuzz_one_kind(admin, same, examples)
    assert set(posted) == set(kinds)
    assert sum(posted.values()) >= FORM_EXAMPLES * 3 // 4  # small forms run out of new cases
    assert admin.client.get("/healthz").status_code == 200
    assert not errors_logged(caplog), "\n".join(errors_logged(caplog))


def test_the_sign_in_form_takes_hostile_text_without_a_server_error(console, caplog):
    admin: Admin = console
    admin.client.cookies.clear()
    client = admin.client
    fields = ["username", "password", "next", "csrf_token"]
    before = CASES["console sign-in"]

    @given(
        values=st.fixed_dictionaries({name: hostile_text() for name in fields}),
        keep=st.sets(st.sampled_from(fields)),
    )
    @hypothesis_settings(FUZZ, max_examples=LOGIN_EXAMPLES)
    def exercise(values: dict[str, str], keep: set[str]) -> None:
        client.cookies.clear()
        token = csrf_of(client.get("/staff/login").text)
        chosen = {"username": ADMIN, "password": "wrong", "next": "/staff/", "csrf_token": token}
        body = [(name, chosen[name] if name in keep else values[name]) for name in fields]
        response = client.post("/staff/login", content=form_body(body), headers=FORM)
        CASES["console sign-in"] += 1
        assert response.status_code < 500, response.status_code

    exercise()
    assert CASES["console sign-in"] - before >= LOGIN_EXAMPLES
    assert client.get("/healthz").status_code == 200
    assert not errors_logged(caplog), "\n".join(errors_logged(caplog))
