"""The report page and its downloads: supervisors only, presets, charts, phones masked, audited."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from db.types import utcnow
from reports.export import HEADER_ROWS
from tests.staff.factories import add_complaint, console_app, signed_in


@pytest.fixture
def app(settings, engine):
    return console_app(settings, engine)


def test_agent_and_editor_cannot_see_reports(app, engine):
    assert signed_in(app, engine, "siti", "agent").get("/staff/reports").status_code == 403
    assert signed_in(app, engine, "eddy", "editor").get("/staff/reports.csv").status_code == 403
    assert signed_in(app, engine, "edo", "editor").get("/staff/reports.pdf").status_code == 403


def test_the_page_explains_every_figure_and_draws_its_charts(app, engine):
    add_complaint(engine, channel="whatsapp", user_id="whatsapp:+6281234567890")
    client = signed_in(app, engine, "sari", "supervisor")
    page = client.get("/staff/reports").text
    assert 'data-group="no_water"' in page and 'data-group="total"' in page
    assert "Periode: 1 " in page  # this month by default
    figures = re.findall(r'data-figure="([a-z_]+)"', page)
    assert figures[:3] == ["received", "handling_capability", "pct_first_within"]
    assert "Pengaduan yang selesai ditangani sampai akhir periode dibagi" in page
    assert page.count("<svg") == 2 and "<script" not in page
    for breakdown in ("category", "kecamatan", "channel", "agent", "week", "month"):
        assert f'data-breakdown="{breakdown}"' in page


def test_presets_choose_the_period(app, engine):
    client = signed_in(app, engine, "sari", "supervisor")
    this_year = client.get("/staff/reports?preset=this_year").text
    year = utcnow().year
    assert f"Periode: 1 Jan {year} – 31 Des {year}" in this_year
    last_month = client.get("/staff/reports?preset=last_month").text
    assert 'class="on">Bulan lalu' in last_month


def test_supervisor_downloads_csv_with_masked_phones(app, engine):
    complaint = add_complaint(engine, channel="whatsapp", user_id="whatsapp:+6281234567890")
    client = signed_in(app, engine, "sari", "supervisor")
    response = client.get("/staff/reports.csv")
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert rows[0]["Tiket"] == complaint.ticket_number
    assert rows[0]["Kategori"] == "Air tidak mengalir"
    assert rows[0]["Telepon (disamarkan)"] == "+62 812-****-7890"
    assert rows[0]["Tanggapan pertama tepat waktu"] == "belum jatuh tempo"
    assert "34567890" not in response.text
    assert 'data-action="report.export"' in client.get("/staff/audit").text


def test_xlsx_has_the_summary_and_breakdown_sheets(app, engine):
    add_complaint(engine, phone="081234567890")
    client = signed_in(app, engine, "sari", "supervisor")
    response = client.get("/staff/reports.xlsx?start=2020-01-01&end=2029-12-31")
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames[:3] == ["Ringkasan", "Per kategori", "Per kecamatan"]
    assert book["Pengaduan"].cell(HEADER_ROWS + 2, 7).value == "+62 812-****-7890"
    assert book["Per kategori"].cell(HEADER_ROWS + 1, 1).value == "Kelompok"
    assert book["Per kategori"].cell(HEADER_ROWS + 2, 1).value == "Air tidak mengalir"
    assert book["Pengaduan"].cell(HEADER_ROWS + 1, 2).value == "Dibuat (WITA)"
    assert book["Per kategori"]["A2"].value == "Periode: 1 Jan 2020 – 31 Des 2029"


def test_monthly_pdf_download(app, engine):
    add_complaint(engine, now=utcnow() - timedelta(minutes=5))
    client = signed_in(app, engine, "sari", "supervisor")
    response = client.get("/staff/reports.pdf")
    assert response.headers["content-type"] == "application/pdf"
    text = PdfReader(io.BytesIO(response.content)).pages[0].extract_text()
    assert "Laporan bulanan penanganan pengaduan" in text
    assert client.get("/staff/reports.pdf?month=2026-13").status_code == 422


def test_bad_dates_fall_back_to_this_month(app, engine):
    client = signed_in(app, engine, "sari", "supervisor")
    assert client.get("/staff/reports?start=2026-05-01&end=2026-01-01").status_code == 200
    assert "Tanggal tidak sah" in client.get("/staff/reports?start=2026-05-01&end=2026-01-01").text
    assert client.get("/staff/reports?start=yesterday").status_code == 422
