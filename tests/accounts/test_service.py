import pytest
from sqlmodel import Session

from accounts import service, tokens
from core.errors import DomainError


def test_passwords_are_argon2_and_verify(engine):
    with Session(engine) as session:
        staff = service.create_staff(
            session=session, username="Siti", role="agent", password="correct-horse-battery"
        )
        assert staff.username == "siti"
        assert staff.password_hash.startswith("$argon2id$")
        found = service.authenticate(
            session=session, username="SITI", password="correct-horse-battery", ip="10.0.0.1"
        )
        assert found is not None and found.last_login_at is not None


def test_short_password_and_unknown_role_are_refused(engine):
    with Session(engine) as session:
        with pytest.raises(DomainError) as short:
            service.create_staff(session=session, username="a1", role="agent", password="short")
        assert short.value.messages("id") == {"password": "Kata sandi paling sedikit 10 karakter."}
        with pytest.raises(DomainError) as boss:
            service.create_staff(session=session, username="a1", role="boss", password="x" * 12)
        assert boss.value.keys() == {"role": "unknown_choice"}


def test_a_taken_username_is_refused_in_words(engine):
    with Session(engine) as session:
        service.create_staff(session=session, username="eka", role="agent", password="p" * 12)
        with pytest.raises(DomainError) as taken:
            service.create_staff(session=session, username="Eka", role="agent", password="p" * 12)
    assert taken.value.messages("id") == {"username": "Nama pengguna 'eka' sudah dipakai."}
    assert taken.value.messages("en") == {"username": "The username 'eka' is already taken."}


def test_tokens_are_stored_hashed_and_can_be_revoked(engine):
    with Session(engine) as session:
        staff = service.create_staff(
            session=session, username="billing", role="agent", password="p" * 12
        )
        row, plain = tokens.create_token(session=session, staff=staff, name="billing system")
        assert plain.startswith("ka_") and plain not in row.token_hash
        assert tokens.staff_for_token(session=session, token=plain).username == "billing"
        tokens.revoke_token(session=session, token_id=row.id)
        assert tokens.staff_for_token(session=session, token=plain) is None
        assert tokens.staff_for_token(session=session, token="ka_made_up") is None
