"""Prepared statements on the driver's cursor (db/prepared.py): the same values and types as
SQLAlchemy's own execution, in the same transaction, with its errors."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import bindparam, exc, select

from db.faults import is_transient
from db.models import Contact, ConversationState
from db.prepared import Prepared, driver_transaction

CONTACT = Contact.__table__
STATE = ConversationState.__table__
WHEN = datetime(2026, 12, 1, 2, 30, 15, 123456, tzinfo=UTC)

INSERT_CONTACT = Prepared(CONTACT.insert(), [CONTACT.c.id, CONTACT.c.last_inbound_at])
INSERT_STATE = Prepared(STATE.insert())
TOUCH = Prepared(
    CONTACT.update()
    .where(CONTACT.c.channel_user_id == bindparam("who"))
    .values(active=True, last_inbound_at=bindparam("when")),
    [CONTACT.c.id, CONTACT.c.active, CONTACT.c.last_inbound_at],
)
READ_STATE = Prepared(
    STATE.update().where(STATE.c.contact_id == bindparam("cid")).values(step=bindparam("step")),
    [STATE.c.data, STATE.c.updated_at],
)


def contact_row(sender: str) -> dict:
    return {
        "channel": "telegram",
        "channel_user_id": sender,
        "phone": None,
        "display_name": "Ani",
        "language": "id",
        "active": False,
        "opted_out": False,
        "needs_human": False,
        "last_inbound_at": WHEN,
        "created_at": WHEN,
    }


def test_values_come_back_as_python_types_and_sqlalchemy_reads_the_same(engine):
    with engine.begin() as connection:
        [(contact_id, stamped)] = INSERT_CONTACT.rows(connection, contact_row("ani"))
        data = {"area": "63.03.04", "asked": ["alamat"], "n": 2}
        INSERT_STATE.rows(connection, {"contact_id": contact_id, "data": data, "updated_at": WHEN})
        [(same_id, active, touched)] = TOUCH.rows(connection, {"who": "ani", "when": WHEN})
        [(read_data, updated_at)] = READ_STATE.rows(connection, {"cid": contact_id, "step": "x"})
    assert stamped == WHEN and touched == WHEN and updated_at == WHEN
    assert same_id == contact_id and active is True
    assert read_data == data
    with engine.connect() as connection:
        row = connection.execute(select(CONTACT).where(CONTACT.c.id == contact_id)).one()
        state = connection.execute(select(STATE).where(STATE.c.contact_id == contact_id)).one()
    assert row.active is True and row.last_inbound_at == WHEN and row.display_name == "Ani"
    assert state.data == data and state.step == "x"


def test_an_update_that_matches_nothing_returns_no_rows(engine):
    with engine.begin() as connection:
        assert TOUCH.rows(connection, {"who": "nobody", "when": WHEN}) == []


def test_it_runs_inside_the_callers_transaction(engine):
    with pytest.raises(RuntimeError), engine.begin() as connection:
        INSERT_CONTACT.rows(connection, contact_row("budi"))
        raise RuntimeError("the turn failed")
    with engine.connect() as connection:
        found = connection.execute(select(CONTACT.c.id).where(CONTACT.c.channel_user_id == "budi"))
        assert found.first() is None, "rolled back with the rest of the transaction"


def test_driver_errors_are_sqlalchemys_and_carry_no_values(engine):
    with engine.begin() as connection:
        INSERT_CONTACT.rows(connection, contact_row("citra"))
    with pytest.raises(exc.IntegrityError) as caught, engine.begin() as connection:
        INSERT_CONTACT.rows(connection, {**contact_row("citra"), "phone": "+6281234567890"})
    assert "6281234567890" not in str(caught.value)
    assert not is_transient(caught.value), "a constraint fails the same way every time"


def test_a_missing_parameter_is_named(engine):
    with pytest.raises(KeyError, match="when"), engine.begin() as connection:
        TOUCH.rows(connection, {"who": "ani"})


def test_a_driver_transaction_commits_what_finishes_and_rolls_back_what_raises(engine):
    with driver_transaction(engine) as connection:
        INSERT_CONTACT.rows(connection, contact_row("dewi"))
    with pytest.raises(RuntimeError), driver_transaction(engine) as connection:
        INSERT_CONTACT.rows(connection, contact_row("eka"))
        raise RuntimeError("the webhook failed")
    with engine.connect() as connection:
        names = connection.execute(select(CONTACT.c.channel_user_id)).scalars().all()
    assert "dewi" in names and "eka" not in names


def test_a_driver_transaction_raises_sqlalchemys_errors(engine):
    with driver_transaction(engine) as connection:
        INSERT_CONTACT.rows(connection, contact_row("fajar"))
    with pytest.raises(exc.IntegrityError), driver_transaction(engine) as connection:
        INSERT_CONTACT.rows(connection, contact_row("fajar"))
    with driver_transaction(engine) as connection:  # the connection went back to the pool clean
        INSERT_CONTACT.rows(connection, contact_row("gita"))
