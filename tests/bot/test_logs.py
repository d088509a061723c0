import logging

import pytest
from sqlalchemy.exc import IntegrityError

from bot.logs import MaskPhones, mask_phones
from db.models import Message


def test_numbers_in_any_usual_form_are_masked():
    text = "To whatsapp:+6281234567890 failed; caller 0812-3456-7890, +62 812 3456 7890"
    masked = mask_phones(text)
    assert "34567890" not in masked.replace("-", "").replace(" ", "")
    assert masked.count("+62 812-****-7890") == 3


def test_ticket_numbers_and_ids_are_left_alone():
    assert mask_phones("ADU-000123 update_id 812345678 message 42") == (
        "ADU-000123 update_id 812345678 message 42"
    )


def test_the_filter_masks_what_a_handler_writes(caplog):
    logger = logging.getLogger("kabar_air.test")
    caplog.handler.addFilter(MaskPhones())
    with caplog.at_level(logging.INFO):
        logger.info("Twilio refused %s: %s", "whatsapp:+6281298765432", "21610 unsubscribed")
    assert "+62 812-****-5432" in caplog.text
    assert "98765432" not in caplog.text


def test_a_database_error_logs_no_phone_number_and_no_message_text(engine, caplog):
    """A refused insert with a phone number and a customer's words in its parameters: the
    traceback shows the statement, never the values (nor PostgreSQL's DETAIL quoting the row)."""
    caplog.handler.addFilter(MaskPhones())
    logger = logging.getLogger("kabar_air.test")
    row = {
        "contact_id": None,  # NOT NULL: the database refuses the row
        "direction": "in",
        "channel": "whatsapp",
        "text": "Pak Budi di Jl. Rahasia 12, telepon 081234567890",
        "status": "received",
        "attempts": 0,
        "provider_message_id": "whatsapp:+6281298765432",
    }
    with caplog.at_level(logging.ERROR), pytest.raises(IntegrityError):
        try:
            with engine.begin() as connection:
                connection.execute(Message.__table__.insert(), row)
        except IntegrityError:
            logger.exception("storing a message failed")
            raise
    assert "storing a message failed" in caplog.text and "INSERT INTO message" in caplog.text
    assert "Rahasia" not in caplog.text
    assert "34567890" not in caplog.text and "98765432" not in caplog.text
