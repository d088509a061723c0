"""`kabar-air chat` driven as a script, the way another program would drive it."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # runs kabar-air in subprocesses

KABAR_AIR = Path(sys.executable).parent / "kabar-air"


def chat(database_url: str, lines: list[str], *extra: str) -> str:
    env = {**os.environ, "DATABASE_URL": database_url}
    result = subprocess.run(
        [str(KABAR_AIR), "chat", *extra],
        input="\n".join(lines) + "\n",
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    return result.stdout


def test_a_scripted_complaint_then_its_status_in_a_later_run(database_url):
    out = chat(
        database_url,
        ["halo", "2", "1", "tatah bangkal", "Jl. Tatah Bangkal RT 4", "lewati", "mati", "1"],
        "--sender",
        "warga-1",
    )
    assert "Nomor tiket: ADU-000001" in out
    later = chat(database_url, ["status ADU-000001"], "--sender", "warga-1")
    assert "Status: Diterima" in later
    stranger = chat(database_url, ["status ADU-000001"], "--sender", "warga-2")
    assert "tidak ditemukan" in stranger


def read_until(stream, needle: str, max_lines: int = 20) -> str:
    """Lines as they arrive; blocks (and the test times out) if a reply is never flushed."""
    seen = []
    for _ in range(max_lines):
        line = stream.readline()
        seen.append(line)
        if needle in line or not line:
            break
    return "".join(seen)


def test_each_reply_is_flushed_as_soon_as_it_is_made(database_url):
    env = {**os.environ, "DATABASE_URL": database_url}
    process = subprocess.Popen(
        [str(KABAR_AIR), "chat"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        process.stdin.write("halo\n")
        process.stdin.flush()
        assert "Pilih layanan" in process.stdout.readline()
        process.stdin.write("1\n")
        process.stdin.flush()
        assert "Tulis nama desa" in read_until(process.stdout, "Tulis nama desa")
    finally:
        process.stdin.close()
        process.wait(timeout=30)


def test_bad_input_on_the_console_never_shows_a_traceback(database_url):
    out = chat(database_url, ["", "😀", "x" * 10000, "'; DROP TABLE contact; --", "menu"])
    assert "terlalu panjang" in out
    assert out.count("belum mengerti") == 2  # briefly, with a person and the menu to choose
    assert out.count("Pilih layanan") == 2  # the empty message and "menu"


def test_the_other_flows_scripted_on_the_console(database_url):
    out = chat(
        database_url,
        [
            "1",  # outage check from the (remembered) menu numbers
            "lok baintan",
            "1",  # subscribe to Lok Baintan from the answer's choices
            "STOP",
            "MULAI",
            "saya mau bicara dengan petugas",
            "english",
            "menu",
        ],
        "--sender",
        "warga-3",
    )
    assert "Tidak ada gangguan distribusi yang tercatat untuk Lok Baintan" in out
    assert "Anda berlangganan info gangguan untuk: Lok Baintan (Kec. Sungai Tabuk)" in out
    assert "tidak akan menerima info gangguan lagi" in out
    assert "Selamat datang kembali" in out
    assert "diteruskan ke petugas" in out
    assert "Language changed to English" in out
    assert "File a complaint" in out


def test_a_conversation_that_listens_scripted_on_the_console(database_url):
    complaint = chat(
        database_url,
        [
            "assalamualaikum",
            "air mati di lok baintan sejak subuh, no pel 0312045678",  # 1: problem and area
            "Desa Lok Baintan RT 02 dekat pasar terapung",  # 2: the address
            "ya",  # 3: the summary confirmed
            "makasih",
        ],
        "--sender",
        "warga-4",
        "--name",
        "Hj. Rusmini",
    )
    assert "Waalaikumsalam warahmatullahi wabarakatuh Ibu Rusmini" in complaint
    assert "No. pelanggan: 0312045678" in complaint
    assert "Nomor tiket: ADU-000001" in complaint
    assert "Sama-sama" in complaint
    assert "nomor sambungan" not in complaint and "belum mengerti" not in complaint

    others = chat(
        database_url,
        [
            "SUDAH 3 HARI AIR MATI!!!",
            "menu",
            "air mati di banjarmasin",
            "menu",
            "daftar info gangguan kertak hanyar",
            "sorry I don't speak Indonesian",
        ],
        "--sender",
        "warga-5",
    )
    assert "Mohon maaf atas ketidaknyamanannya" in others
    assert "dilayani oleh PTAM Bandarmasih" in others
    assert "Anda berlangganan info gangguan untuk: Kecamatan Kertak Hanyar" in others
    assert "Language changed to English" in others
