from datetime import date, time, timedelta

from tests.bot.builders import add_notice, add_rotation
from tests.bot.conftest import WEDNESDAY_10_WITA

SUNGAI_TABUK = "63.03.04"
LOK_BAINTAN = "63.03.04.2004"
TATAH_BANGKAL = "63.03.19.2001"
GAMBUT = "63.03.03"


def test_a_disruption_on_the_kecamatan_answers_a_desa_question(customer, engine):
    add_notice(
        engine,
        title="Perbaikan pipa transmisi Sungai Tabuk",
        area_codes=[SUNGAI_TABUK],
        starts_at=WEDNESDAY_10_WITA - timedelta(hours=2),
        expected_end_at=WEDNESDAY_10_WITA + timedelta(hours=6),
        advice="Mobil tangki di kantor desa pukul 14.00",
        update="Pekerjaan 60% selesai",
    )
    answer = customer.say("ada gangguan di lok baintan?")
    assert "Info gangguan air untuk Lok Baintan (Kec. Sungai Tabuk)" in answer
    assert "SEDANG BERLANGSUNG" in answer
    assert "Perbaikan pipa transmisi Sungai Tabuk" in answer
    assert "Perkiraan normal: Rabu, 2 Des 2026 pukul 16.00 WITA" in answer
    assert "Mobil tangki di kantor desa" in answer
    assert "Pekerjaan 60% selesai" in answer


def test_upcoming_within_a_week_is_shown_and_later_ones_are_not(customer, engine):
    add_notice(
        engine,
        title="Pemasangan booster Gambut",
        area_codes=[GAMBUT],
        status="scheduled",
        kind="planned",
        starts_at=WEDNESDAY_10_WITA + timedelta(days=2),
        expected_end_at=None,
    )
    add_notice(
        engine,
        title="Sambungan pipa induk baru",
        area_codes=[GAMBUT],
        status="scheduled",
        kind="planned",
        starts_at=WEDNESDAY_10_WITA + timedelta(days=9),
        expected_end_at=WEDNESDAY_10_WITA + timedelta(days=9, hours=8),
    )
    customer.say("1")
    answer = customer.say("kec. gambut")
    assert "TERJADWAL" in answer
    assert "Pemasangan booster Gambut" in answer
    assert "Perkiraan normal: belum diketahui" in answer
    assert "Sambungan pipa induk baru" not in answer


def test_a_restored_disruption_is_no_longer_reported(customer, engine):
    add_notice(
        engine,
        title="Pipa bocor di Lok Baintan",
        area_codes=[LOK_BAINTAN],
        status="restored",
        starts_at=WEDNESDAY_10_WITA - timedelta(days=1),
        expected_end_at=WEDNESDAY_10_WITA - timedelta(hours=3),
    )
    answer = customer.say("gangguan lok baintan")
    assert "Tidak ada gangguan distribusi yang tercatat untuk Lok Baintan" in answer
    assert "Buat pengaduan" in answer


def test_nothing_recorded_offers_a_complaint_and_it_starts_with_the_area(customer):
    answer = customer.say("tatah bangkal")
    assert "Tidak ada gangguan distribusi yang tercatat untuk Tatah Bangkal" in answer
    assert "2. Buat pengaduan" in answer
    assert "Apa masalah yang ingin Anda laporkan?" in customer.say("2")
    assert "alamat lengkap" in customer.say("1")  # the area is already known


def test_rotation_windows_for_today_and_tomorrow(customer, engine):
    add_rotation(
        engine,
        area_code=TATAH_BANGKAL,
        weekdays="2,3",  # Wednesday and Thursday
        start_time=time(5, 0),
        end_time=time(11, 0),
        valid_from=date(2026, 11, 1),
        valid_until=date(2026, 12, 31),
        note="giliran A",
    )
    answer = customer.say("kapan air hidup di tatah bangkal?")
    assert "Jadwal giliran air Tatah Bangkal (Kec. Tatah Makmur)" in answer
    assert "Rabu 2 Des: 05.00–11.00 WITA (giliran A)" in answer
    assert "Kamis 3 Des: 05.00–11.00 WITA" in answer


def test_an_ambiguous_area_is_asked_back(customer):
    customer.say("1")
    answer = customer.say("pemangkih")
    assert "Yang mana maksud Anda?" in answer
    assert "Pemangkih Darat (Kec. Tatah Makmur)" in answer
    assert "Tatah Pemangkih Laut (Kec. Kertak Hanyar)" in answer
    options = [line for line in answer.splitlines() if "Pemangkih Baru" in line]
    number = options[0].split(".")[0]
    assert "Pemangkih Baru (Kec. Tatah Makmur)" in customer.say(number)


def test_an_unknown_area_is_said_plainly(customer):
    customer.say("1")
    answer = customer.say("Jakarta Selatan")
    assert "tidak kami temukan" in answer
