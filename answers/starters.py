"""The entries a new install starts with; editors make them true for the utility.

Facts we could not check (the office address, fees, tariffs, payment partners) are not made
up: the customer's text says how to learn them, and the entry's `note` (shown to editors only,
as "to be completed") says what staff must fill in. `{office_hours}` in an answer is replaced
by the service hours from the settings when the bot answers.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime

from sqlalchemy import Engine, select
from sqlmodel import col

from db.models import Answer
from db.types import utcnow

OFFICE_HOURS = "{office_hours}"


@dataclass(frozen=True, slots=True)
class Starter:
    topic: str
    question: str
    question_en: str
    answer: str
    answer_en: str
    examples: str
    examples_en: str
    note: str = ""


STARTERS = (
    Starter(
        topic="office_hours",
        question="Jam buka kantor pelayanan",
        question_en="Office opening hours",
        answer=(
            "Kantor pelayanan buka {office_hours}. Di luar jam itu Anda tetap bisa cek info "
            "gangguan dan membuat pengaduan di sini, 24 jam."
        ),
        answer_en=(
            "Our service office is open {office_hours}. Outside those hours you can still "
            "check disruptions and report a problem here, 24 hours a day."
        ),
        examples=(
            "jam berapa kantor buka\njam buka kantor pdam\njam pelayanan kantor\n"
            "kantor tutup jam berapa\nhari sabtu kantor buka tidak\njam kerja kantor"
        ),
        examples_en="office hours\nwhen is the office open\nwhat time does the office open",
        note=(
            "Periksa: jam di jawaban diambil dari pengaturan BUSINESS_DAYS/BUSINESS_HOURS_*. "
            "Tambahkan jam loket pembayaran atau hari Sabtu bila berbeda."
        ),
    ),
    Starter(
        topic="office_address",
        question="Alamat kantor",
        question_en="Office address",
        answer=(
            "Untuk alamat kantor pusat dan kantor pelayanan terdekat dari rumah Anda, ketik "
            "PETUGAS dan petugas kami akan memberi tahu."
        ),
        answer_en=(
            "For the address of our head office and the service office nearest to you, type "
            "PERSON and our staff will tell you."
        ),
        examples=(
            "alamat kantor pdam\nkantor pdam dimana\nletak kantor pusat\n"
            "kantor pelayanan terdekat dimana\nalamat kantor ptam intan banjar"
        ),
        examples_en="office address\nwhere is your office\nwhere is the head office",
        note=(
            "PERLU DILENGKAPI: tulis alamat kantor pusat (Jl. ...) dan kantor pelayanan di "
            "jawaban Indonesia dan Inggris."
        ),
    ),
    Starter(
        topic="payment",
        question="Tempat dan cara membayar tagihan air",
        question_en="Where and how to pay the water bill",
        answer=(
            "Tagihan air dibayar di loket kantor pelayanan PTAM atau di mitra pembayaran "
            "resmi. Siapkan nomor sambungan (ID pelanggan) yang tertera di rekening, dan "
            "simpan bukti bayarnya. Untuk daftar mitra pembayaran yang berlaku, ketik PETUGAS."
        ),
        answer_en=(
            "You can pay the water bill at the counter of our service office or at an "
            "official payment partner. Have your connection number (customer ID) from the "
            "bill ready and keep the receipt. For the current list of payment partners, "
            "type PERSON."
        ),
        examples=(
            "bayar tagihan dimana\nbayar rekening air dimana saja\n"
            "bisa bayar lewat aplikasi\nbisa bayar di minimarket\ncara bayar tagihan air\n"
            "bisa bayar lewat dana ovo gopay\n"
            "tempat pembayaran rekening"
        ),
        examples_en="where can I pay my bill\nhow to pay the water bill\ncan I pay online",
        note=(
            "PERLU DILENGKAPI: sebutkan mitra pembayaran resmi (bank, kantor pos, minimarket, "
            "aplikasi) dan batas tanggal pembayaran."
        ),
    ),
    Starter(
        topic="new_connection",
        question="Pasang sambungan baru: syarat, langkah dan biaya",
        question_en="New connection: requirements, steps and cost",
        answer=(
            "Langkah pasang sambungan baru:\n"
            "1. Daftar di kantor pelayanan dengan fotokopi KTP dan keterangan alamat rumah "
            "yang akan dipasang.\n"
            "2. Petugas survei ke lokasi untuk memeriksa jaringan pipa terdekat.\n"
            "3. Setelah survei, Anda menerima rincian biaya pemasangan dan membayarnya.\n"
            "4. Petugas memasang pipa dinas dan meter air.\n"
            "Biaya tergantung jarak dari pipa dan golongan pelanggan; rinciannya diberikan "
            "setelah survei. Untuk perkiraan biaya, ketik PETUGAS."
        ),
        answer_en=(
            "Steps for a new connection:\n"
            "1. Register at our service office with a copy of your KTP and the address of "
            "the house to connect.\n"
            "2. Staff survey the site to check the nearest main.\n"
            "3. After the survey you receive the cost of the connection and pay it.\n"
            "4. Staff lay the service pipe and install the water meter.\n"
            "The cost depends on the distance from the main and the customer class; you get "
            "the details after the survey. For an estimate, type PERSON."
        ),
        examples=(
            "berapa biaya pasang baru\nbiaya sambungan baru\ncara pasang air baru\n"
            "syarat pasang baru\ndaftar sambungan baru\nmau pasang air ptam\n"
            "bisa pasang baru di daerah saya\n"
            "pendaftaran pelanggan baru"
        ),
        examples_en=(
            "how much is a new connection\nhow to get a new water connection\n"
            "new connection requirements"
        ),
        note=(
            "PERLU DILENGKAPI: periksa syarat yang berlaku dan tulis biaya pasang baru "
            "(atau kisarannya) bila sudah ditetapkan."
        ),
    ),
    Starter(
        topic="tariff",
        question="Tarif air",
        question_en="Water tariff",
        answer=(
            "Tarif air berbeda menurut golongan pelanggan (rumah tangga, niaga, sosial, ...) "
            "dan bertingkat menurut pemakaian per meter kubik; tarifnya ditetapkan oleh "
            "pemerintah daerah. Rincian pemakaian Anda ada di rekening air. Untuk tarif "
            "golongan Anda, ketik PETUGAS."
        ),
        answer_en=(
            "The tariff depends on the customer class (household, commercial, social, ...) "
            "and rises in blocks with use per cubic metre; it is set by the local government. "
            "Your bill shows your use. For the tariff of your class, type PERSON."
        ),
        examples=(
            "tarif air berapa\nharga air per kubik\nberapa harga per meter kubik\n"
            "tarif pdam sekarang\nkenapa tarif naik"
        ),
        examples_en="water tariff\ntariff per m3\nprice per cubic meter\nhow much does water cost",
        note="PERLU DILENGKAPI: tulis tarif per golongan dan blok pemakaian yang berlaku.",
    ),
    Starter(
        topic="meter_reading",
        question="Pencatatan meter air",
        question_en="Meter reading",
        answer=(
            "Petugas mencatat angka meter air sebulan sekali. Pastikan meter mudah dijangkau "
            "dan kacanya bersih. Jika angka di rekening tidak sesuai dengan meter Anda, kirim "
            "pengaduan dengan kategori Meter air atau Tagihan, sertakan foto angka meter."
        ),
        answer_en=(
            "Our staff read your water meter once a month. Keep the meter easy to reach and "
            "its glass clean. If the reading on your bill does not match your meter, report "
            "it here (category Water meter or Bill) with a photo of the meter."
        ),
        examples=(
            "kapan meteran dicatat\npetugas catat meter kapan\ncatat meter sendiri\n"
            "kirim foto angka meter"
        ),
        examples_en="when is my meter read\nmeter reading date\ncan I read my own meter",
        note="PERLU DILENGKAPI: tanggal pencatatan dan apakah pelanggan boleh kirim foto meter.",
    ),
    Starter(
        topic="water_safety",
        question="Apakah air aman diminum, terutama saat keruh",
        question_en="Is the water safe to drink, especially when it is cloudy",
        answer=(
            "Masak air sampai mendidih sebelum diminum, termasuk untuk susu bayi. Saat air "
            "keruh: jangan diminum, tampung dan diamkan sampai endapannya turun, lalu masak "
            "sampai mendidih paling sedikit 1 menit. Simpan air dalam wadah bersih dan "
            "tertutup. Jika air berbau, berwarna atau keruh lebih dari sehari, laporkan di "
            "sini (Air keruh / berbau)."
        ),
        answer_en=(
            "Boil the water before drinking it, also for baby formula. When it is cloudy: "
            "do not drink it; let it stand until the sediment settles, then boil it for at "
            "least 1 minute. Keep water in clean, covered containers. If the water smells, "
            "is coloured or stays cloudy for more than a day, report it here."
        ),
        examples=(
            "air aman diminum\napakah air pdam bisa langsung diminum\n"
            "air keruh aman tidak\nair harus dimasak dulu\nboleh untuk minum bayi\n"
            "bisa untuk susu bayi"
        ),
        examples_en=("is the water safe to drink\ncan I drink tap water\nis cloudy water safe"),
    ),
    Starter(
        topic="complaint_howto",
        question="Cara membuat pengaduan",
        question_en="How to report a problem",
        answer=(
            'Tulis saja masalahnya di sini, misalnya "air mati di Sungai Tabuk" atau '
            '"pipa bocor di depan rumah, Gambut". Kami tanyakan alamat, lalu Anda menerima '
            "nomor tiket untuk memantau statusnya."
        ),
        answer_en=(
            'Just write the problem here, for example "no water in Sungai Tabuk" or '
            '"burst pipe in front of my house, Gambut". We ask for the address, then you get '
            "a ticket number to follow its status."
        ),
        examples=(
            "cara lapor gangguan\ncara membuat pengaduan\nbagaimana cara melapor\n"
            "bagaimana cara bikin pengaduan"
        ),
        examples_en="how do I report a problem\nhow to make a complaint",
    ),
)


def ensure_starter_answers(engine: Engine, *, now: datetime | None = None) -> int:
    """Add the starter entries never added before (edited or removed ones stay as they are)."""
    now = now or utcnow()
    with engine.begin() as connection:
        known = set(
            connection.scalars(select(col(Answer.topic)).where(col(Answer.topic).isnot(None)))
        )
        missing = [
            asdict(starter) | {"created_at": now, "updated_at": now}
            for starter in STARTERS
            if starter.topic not in known
        ]
        if missing:
            connection.execute(Answer.__table__.insert(), missing)
    return len(missing)
