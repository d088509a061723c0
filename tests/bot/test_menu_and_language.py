import pytest


@pytest.mark.parametrize("greeting", ["halo", "Assalamualaikum", "menu", "0", "?", "Halo kak!!"])
def test_greetings_and_menu_words_show_the_menu(customer, greeting):
    answer = customer.say(greeting)
    assert "Pilih layanan" in answer
    assert "2. Buat pengaduan" in answer
    assert "5. Bicara dengan petugas" in answer


def test_menu_numbers_lead_to_each_service(customer):
    customer.say("halo")
    assert "Tulis nama desa/kelurahan" in customer.say("1")
    customer.say("menu")
    assert "Apa masalah yang ingin Anda laporkan?" in customer.say("2")


def test_switching_to_english_and_back_keeps_the_choice(customer):
    customer.say("menu")
    assert "Pilih bahasa / Choose language" in customer.say("6")
    answer = customer.say("2")
    assert "Language changed to English" in answer
    assert "File a complaint" in customer.say("menu")
    assert "Bahasa diubah" in customer.say("bahasa indonesia")
    assert "Buat pengaduan" in customer.say("menu")


def test_something_not_understood_gets_help_and_a_person_not_the_whole_menu(customer):
    answer = customer.say("qwerty zxcv")
    assert "belum mengerti" in answer
    assert "Bicara dengan petugas" in answer and "Kembali ke menu" in answer
    assert "Cek status pengaduan" not in answer


def test_talk_to_a_person_in_business_hours_flags_the_conversation(customer, engine):
    from sqlmodel import Session, select

    from db.models import Contact

    answer = customer.say("saya mau bicara dengan petugas")
    assert "diteruskan ke petugas" in answer
    assert "Senin–Jumat 08.00–16.00 WITA" in answer
    with Session(engine) as session:
        contact = session.exec(
            select(Contact).where(Contact.channel_user_id == customer.sender)
        ).one()
    assert contact.needs_human is True


def test_talk_to_a_person_at_night_says_when_staff_return(customer):
    customer.now = customer.now.replace(hour=14)  # 22:00 WITA on Wednesday
    answer = customer.say("5")
    assert "di luar jam layanan" in answer
    assert "Kamis, 3 Des 2026 pukul 08.00 WITA" in answer


def test_on_friday_evening_staff_return_on_monday(customer):
    customer.now = customer.now.replace(day=4, hour=9)  # Friday 17:00 WITA
    answer = customer.say("operator")
    assert "Senin, 7 Des 2026 pukul 08.00 WITA" in answer


def test_new_customers_are_greeted_in_the_configured_language(engine, settings):
    from areas.reference import load_area_index
    from bot.engine import ConversationEngine
    from tests.bot.conftest import Customer

    english = settings.model_copy(update={"default_language": "en"})
    conversation = ConversationEngine(
        engine=engine, settings=english, areas=load_area_index(engine)
    )
    assert "File a complaint" in Customer(conversation, "tourist").say("hello")
