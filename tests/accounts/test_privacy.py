from accounts.privacy import format_phone, mask_phone, shown_phone
from db.models import Contact


def test_masks_every_way_a_number_arrives():
    assert mask_phone("+6281234567890") == "+62 812-****-7890"
    assert mask_phone("081234567890") == "+62 812-****-7890"
    assert mask_phone("whatsapp:+6281234567890") == "+62 812-****-7890"
    assert mask_phone("+62 812-3456-7890") == "+62 812-****-7890"
    assert mask_phone(None) == ""
    assert mask_phone("12") == "**"
    assert mask_phone("+14155550100") == "+*******0100"


def test_full_number_only_for_roles_that_need_it():
    contact = Contact(channel="whatsapp", channel_user_id="whatsapp:+6281234567890")
    assert shown_phone(contact, role="agent", reveal=True) == "+62 812-****-7890"
    assert shown_phone(contact, role="supervisor") == "+62 812-****-7890"
    assert shown_phone(contact, role="supervisor", reveal=True) == "+62 812-3456-7890"
    assert format_phone("081234567890") == "+62 812-3456-7890"


def test_telegram_contact_without_phone_shows_nothing():
    contact = Contact(channel="telegram", channel_user_id="123456")
    assert shown_phone(contact, role="admin", reveal=True) == ""
