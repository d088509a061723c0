"""The known month as files: every figure of the XLSX, every column of the CSV, the PDF's text."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import datetime

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlmodel import Session

from reports import export, monthly, service
from tests.reports.month import END, NOW, START, WITA, build_month


@pytest.fixture
def month(engine):
    return build_month(engine)


def _report(engine):
    with Session(engine) as session:
        report = service.build(session=session, start=START, end=END, now=NOW, tz=WITA)
        lines = list(service.complaint_lines(session=session, start=START, end=END))
    return report, lines


def test_csv_has_every_time_target_agent_disruption_and_rating(engine, month):
    report, lines = _report(engine)
    text = export.to_csv(lines, now=NOW, tz=WITA)
    rows = {row["Tiket"]: row for row in csv.DictReader(io.StringIO(text))}
    assert list(rows) == [month.tickets[k] for k in "AEBCFD"]  # in filing order
    a, b, c = rows[month.tickets["A"]], rows[month.tickets["B"]], rows[month.tickets["C"]]
    d, e, f = rows[month.tickets["D"]], rows[month.tickets["E"]], rows[month.tickets["F"]]
    assert a == {
        "Tiket": month.tickets["A"],
        "Dibuat (WITA)": "2026-11-02 09:00",
        "Kategori": "Air tidak mengalir",
        "Kecamatan": "Tatah Makmur",
        "Desa/kelurahan": "Tatah Bangkal",
        "Kanal": "Telegram",
        "Telepon (disamarkan)": "",
        "Status": "Selesai ditangani",
        "Petugas": "sari",
        "Batas tanggapan pertama (WITA)": "2026-11-02 10:00",
        "Tanggapan pertama (WITA)": "2026-11-02 09:30",
        "Ditanggapi oleh": "sari",
        "Tanggapan pertama (menit kerja)": "30",
        "Tanggapan pertama (menit kalender)": "30.0",
        "Tanggapan pertama tepat waktu": "ya",
        "Batas penyelesaian (WITA)": "2026-11-03 09:00",
        "Diselesaikan (WITA)": "2026-11-02 14:00",
        "Penyelesaian (menit kerja)": "300",
        "Penyelesaian (menit kalender)": "300.0",
        "Penyelesaian tepat waktu": "ya",
        "Ditutup (WITA)": "",
        "Dibuka kembali": "tidak",
        "Gangguan terkait": "",
        "Penilaian (1–5)": "5",
        "Komentar penilaian": "cepat",
        "Dinilai (WITA)": "2026-11-02 15:40",
        "Data demo": "tidak",
    }
    # B was promised 60 minutes before the target changed: 45 is on time
    assert (b["Batas tanggapan pertama (WITA)"], b["Tanggapan pertama tepat waktu"]) == (
        "2026-11-10 11:00",
        "ya",
    )
    # B's last resolution came at 19:20 the next day: 840 working minutes (2,000 by the wall)
    assert (b["Diselesaikan (WITA)"], b["Penyelesaian (menit kerja)"]) == (
        "2026-11-11 19:20",
        "840",
    )
    assert (b["Tanggapan pertama (menit kerja)"], b["Penyelesaian (menit kalender)"]) == (
        "45",
        "2000.0",
    )
    assert (b["Penyelesaian tepat waktu"], b["Dibuka kembali"], b["Penilaian (1–5)"]) == (
        "tidak",
        "ya",
        "3",
    )
    assert b["Telepon (disamarkan)"] == "+62 812-****-0066"
    # C was filed after the change: promised 30 minutes, answered in 45
    assert (c["Batas tanggapan pertama (WITA)"], c["Tanggapan pertama tepat waktu"]) == (
        "2026-11-20 08:30",
        "tidak",
    )
    assert (c["Status"], c["Penyelesaian tepat waktu"], c["Petugas"]) == (
        "Diterima",
        "tidak",
        "budi",
    )
    assert c["Gangguan terkait"] == f"#{month.notice_id} Ganti pipa Gambut"
    # D is not yet due for either target
    assert (d["Tanggapan pertama tepat waktu"], d["Penyelesaian tepat waktu"]) == (
        "belum jatuh tempo",
        "belum jatuh tempo",
    )
    assert (d["Kanal"], d["Batas penyelesaian (WITA)"]) == ("Konsol", "2026-12-07 06:00")
    assert (e["Tanggapan pertama tepat waktu"], e["Kecamatan"], e["Petugas"]) == ("tidak", "", "")
    assert (f["Status"], f["Tanggapan pertama (menit kerja)"], f["Penyelesaian tepat waktu"]) == (
        "Ditolak",
        "60",
        "",
    )
    assert (c["Tanggapan pertama (menit kerja)"], c["Penyelesaian (menit kerja)"]) == ("45", "")
    for unanswered in (d, e):  # clocks still running: no minutes yet
        assert unanswered["Tanggapan pertama (menit kerja)"] == ""
        assert unanswered["Penyelesaian (menit kerja)"] == ""
    assert report.total.received == len(rows)


def _table(sheet) -> dict[str, list]:
    """A sheet's table by the first column, below the header block."""
    start = export.HEADER_ROWS + 2
    return {
        row[0]: list(row[1:])
        for row in sheet.iter_rows(min_row=start, values_only=True)
        if row[0] is not None
    }


def test_xlsx_has_every_figure_with_the_period_on_each_sheet(engine, month):
    report, lines = _report(engine)
    content = export.to_xlsx(report, lines, tz=WITA)
    book = load_workbook(io.BytesIO(content))
    assert book.sheetnames == [
        "Ringkasan",
        "Per kategori",
        "Per kecamatan",
        "Per kanal",
        "Per petugas",
        "Per minggu",
        "Per bulan",
        "Gangguan",
        "Pengaduan",
    ]
    for sheet in book.worksheets:
        assert sheet["A2"].value == "Periode: 1 Nov 2026 – 30 Nov 2026"
        assert sheet["A3"].value == "Dibuat: Senin, 30 Nov 2026 pukul 20.00 WITA"
    summary = _table(book["Ringkasan"])
    assert summary["Pengaduan diterima"][0] == 6
    assert summary["Kemampuan penanganan pengaduan (%)"][0] == pytest.approx(0.333)
    assert summary["Tanggapan pertama tepat waktu (%)"][0] == pytest.approx(0.6)
    assert summary["Tanggapan pertama, median (menit kerja)"][0] == 45.0
    assert summary["Tanggapan pertama, p90 (menit kerja)"][0] == 55.5
    assert summary["Penyelesaian tepat waktu (%)"][0] == pytest.approx(0.25)
    assert summary["Penyelesaian, median (menit kerja)"][0] == 570.0
    assert summary["Penyelesaian, p90 (menit kerja)"][0] == 786.0
    assert summary["Terbuka lewat batas waktu"][0] == 2
    assert summary["Dibuka kembali"][0] == 1
    assert summary["Kepuasan rata-rata (1–5)"][0] == 4.0
    assert summary["Tingkat respons penilaian (%)"][0] == pytest.approx(1.0)
    assert summary["Gangguan terencana dengan pemberitahuan singkat"][0] == 1
    assert book["Ringkasan"]["B8"].number_format == "0.0%"  # the KPI, as a percentage
    header = [c.value for c in book["Per kategori"][export.HEADER_ROWS + 1]]
    assert header[:6] == [
        "Kelompok",
        "Pengaduan diterima",
        "Masih terbuka",
        "Terbuka lewat batas waktu",
        "Sudah ditanggapi",
        "Tanggapan pertama tepat waktu (%)",
    ]
    category = _table(book["Per kategori"])
    # received, open, past due, answered, % first, median, p90, resolved, % resolution,
    # median, p90, handling, reopened, rated, rating
    assert category["Air tidak mengalir"] == pytest.approx(
        [3, 1, 1, 3, 2 / 3, 45.0, 45.0, 2, 1 / 3, 570.0, 786.0, 2 / 3, 1, 2, 4.0], abs=1e-3
    )
    assert category["Tagihan / rekening"][:5] == [2, 2, 1, 0, 0.0]
    assert category["Tagihan / rekening"][5] is None  # nobody answered: no median
    assert category["Total"][0] == 6
    assert list(_table(book["Per kecamatan"])) == [
        "Tatah Makmur",
        "Gambut",
        "Tanpa kecamatan",
        "Total",
    ]
    assert _table(book["Per kanal"])["Konsol"][:3] == [1, 1, 0]
    assert [(k, v[0]) for k, v in _table(book["Per petugas"]).items()] == [
        ("sari", 2),
        ("budi", 1),
        ("Belum ditugaskan", 3),
        ("Total", 6),
    ]
    weeks = _table(book["Per minggu"])
    assert [(k, v[0]) for k, v in weeks.items()] == [
        ("Pekan 26 Okt 2026", 0),
        ("Pekan 2 Nov 2026", 2),
        ("Pekan 9 Nov 2026", 1),
        ("Pekan 16 Nov 2026", 1),
        ("Pekan 23 Nov 2026", 1),
        ("Pekan 30 Nov 2026", 1),
    ]
    assert _table(book["Per bulan"]) == {"November 2026": pytest.approx(category["Total"])}
    disruptions = list(_table(book["Gangguan"]).values())
    assert disruptions[0][:2] == ["Pemeliharaan terencana", "Ganti pipa Gambut"]
    assert disruptions[0][2] == datetime(2026, 11, 3, 10, 0)  # a real date, local time
    assert disruptions[0][4:] == [23.0, "ya"]
    assert len(disruptions) == 2
    complaints = book["Pengaduan"]
    first = [c.value for c in complaints[export.HEADER_ROWS + 2]]
    assert first[0] == month.tickets["A"]
    assert first[1] == datetime(2026, 11, 2, 9, 0)
    assert complaints.cell(export.HEADER_ROWS + 2, 2).number_format == export.DATE_FORMAT
    assert (first[12], first[13], first[17], first[18]) == (30, 30.0, 300, 300.0)  # work, wall
    assert first[23] == 5
    header = [c.value for c in complaints[export.HEADER_ROWS + 1]]
    assert header[12:14] == [
        "Tanggapan pertama (menit kerja)",
        "Tanggapan pertama (menit kalender)",
    ]
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        charts = [n for n in archive.namelist() if n.startswith("xl/charts/chart")]
    assert len(charts) == 6  # one per breakdown sheet


def test_monthly_pdf_carries_the_headline_figures(engine, month):
    with Session(engine) as session:
        content = monthly.monthly_pdf(
            session=session,
            start=START,
            end=END,
            now=NOW,
            tz=WITA,
            utility="PTAM Intan Banjar",
            language="id",
        )
    reader = PdfReader(io.BytesIO(content))
    first = reader.pages[0].extract_text()
    assert "Laporan bulanan penanganan pengaduan" in first
    assert "PTAM Intan Banjar" in first
    assert "Periode: 1 Nov 2026 – 30 Nov 2026" in first
    # working time: A resolved in 300 working minutes, B in 840 (median 570 = 9 h 30 min)
    for figure in ("33,3 %", "60,0 %", "45 menit kerja", "56 menit kerja", "25,0 %",
                   "9 jam 30 menit kerja"):  # fmt: skip
        assert figure in first, figure
    assert "Kemampuan penanganan pengaduan" in first
    assert "Tren enam bulan terakhir" in first
    rest = " ".join(page.extract_text() for page in reader.pages[1:])
    assert "Tatah Makmur" in rest and "Ganti pipa Gambut" in rest
    assert "Sambung pipa Kertak Hanyar" in rest and "Pekerjaan Oktober" not in rest


def test_month_period_is_the_local_calendar_month():
    assert monthly.month_period("2026-11", WITA) == (START, END)
    assert monthly.month_period("2026-12", WITA)[1] == datetime(2027, 1, 1, tzinfo=WITA)
    assert monthly.month_period("2026-13", WITA) is None
