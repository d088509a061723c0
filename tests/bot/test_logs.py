import logging

from bot.logs import MaskPhones, mask_phones


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
