"""The report page and its exports: supervisors only, phones masked, audited."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook

from tests.staff.factories import add_complaint, console_app, signed_in


@pytest.fixture
def app(settings, engine):
    return console_app(settings, engine)


def test_agent_and_editor_cannot_see_reports(app, engine):
    assert signed_in(app, engine, "siti", "agent").get("/staff/reports").status_code == 403
    assert signed_in(app, engine, "eddy", "editor").get("/staff/reports.csv").status_code == 403


def test_supervisor_downloads_csv_with_masked_phones(app, engine):
    complaint = add_complaint(engine, channel="whatsapp", user_id="whatsapp:+6281234567890")
    client = signed_in(app, engine, "sari", "supervisor")
    page = client.get("/staff/reports")
    assert page.status_code == 200 and 'data-group="no_water"' in page.text
    response = client.get("/staff/reports.csv")
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert rows[0]["Tiket"] == complaint.ticket_number
    assert rows[0]["Kategori"] == "Air tidak mengalir"
    assert rows[0]["Telepon (disamarkan)"] == "+62 812-****-7890"
    assert "34567890" not in response.text
    assert 'data-action="report.export"' in client.get("/staff/audit").text


def test_xlsx_has_the_summary_sheets(app, engine):
    add_complaint(engine, phone="081234567890")
    client = signed_in(app, engine, "sari", "supervisor")
    response = client.get("/staff/reports.xlsx?start=2020-01-01&end=2099-12-31")
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == [
        "Per kategori",
        "Per kecamatan",
        "Pemberitahuan singkat",
        "Pengaduan",
    ]
    assert book["Pengaduan"]["G2"].value == "+62 812-****-7890"
    assert book["Per kategori"]["A1"].value == "Kelompok"
    assert book["Per kategori"]["A2"].value == "Air tidak mengalir"
    assert book["Pengaduan"]["B1"].value == "Dibuat (WITA)"


def test_bad_dates_fall_back_to_the_last_30_days(app, engine):
    client = signed_in(app, engine, "sari", "supervisor")
    assert client.get("/staff/reports?start=2026-05-01&end=2026-01-01").status_code == 200
    assert "Tanggal tidak sah" in client.get("/staff/reports?start=2026-05-01&end=2026-01-01").text
    assert client.get("/staff/reports?start=yesterday").status_code == 422
