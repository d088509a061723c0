"""`kabar-air report monthly`: the month's PDF and spreadsheet written to files."""

from __future__ import annotations

from openpyxl import load_workbook
from pypdf import PdfReader
from typer.testing import CliRunner

from reports.cli import build_cli
from tests.reports.month import build_month


def test_monthly_writes_the_pdf_and_the_xlsx(engine, settings, tmp_path):
    build_month(engine)
    app = build_cli(lambda: engine, lambda: settings)
    pdf, xlsx = tmp_path / "nov.pdf", tmp_path / "nov.xlsx"
    result = CliRunner().invoke(
        app, ["monthly", "--month", "2026-11", "--pdf", str(pdf), "--xlsx", str(xlsx)]
    )
    assert result.exit_code == 0, result.output
    assert "Laporan 2026-11 ditulis" in result.output
    first = PdfReader(pdf).pages[0].extract_text()
    assert "Periode: 1 Nov 2026 – 30 Nov 2026" in first and "Pengaduan diterima" in first
    book = load_workbook(xlsx)
    assert book["Ringkasan"]["A1"].value == (
        "Laporan bulanan penanganan pengaduan — PTAM Intan Banjar"
    )


def test_a_month_that_is_not_one_is_refused(engine, settings, tmp_path):
    app = build_cli(lambda: engine, lambda: settings)
    result = CliRunner().invoke(
        app, ["monthly", "--month", "2026-13", "--pdf", str(tmp_path / "x")]
    )
    assert result.exit_code == 2
    assert "tidak sah" in result.output
    assert not (tmp_path / "x").exists()
