"""`kabar-air staff ...`: accounts and tokens from the command line."""

from __future__ import annotations

from fastapi.testclient import TestClient
from typer.testing import CliRunner

from accounts.cli import build_cli
from tests.staff.factories import console_app, login


def test_add_with_generated_password_then_token_and_list(settings, engine):
    cli = build_cli(lambda: engine, lambda: settings)
    runner = CliRunner()
    result = runner.invoke(cli, ["add", "Siti", "--role", "agent", "--generate"])
    assert result.exit_code == 0, result.output
    password = result.output.split("Password: ")[1].strip()
    assert login(TestClient(console_app(settings, engine)), "siti", password).status_code == 303
    token = runner.invoke(cli, ["token", "create", "siti", "--label", "billing"]).output.strip()
    assert token.startswith("ka_")
    listing = runner.invoke(cli, ["list"]).output
    assert listing.startswith("siti\tagent\tactive")


def test_prompted_password_and_refusals(settings, engine):
    cli = build_cli(lambda: engine, lambda: settings)
    runner = CliRunner()
    ok = runner.invoke(
        cli, ["add", "budi", "--role", "editor"], input="correct-horse-1\ncorrect-horse-1\n"
    )
    assert ok.exit_code == 0 and "Created budi (editor)" in ok.output
    again = runner.invoke(cli, ["add", "budi", "--role", "editor", "--generate"])
    assert again.exit_code == 1 and "Nama pengguna 'budi' sudah dipakai." in again.output
    short = runner.invoke(cli, ["add", "ani", "--role", "agent"], input="short\nshort\n")
    assert short.exit_code == 1 and "paling sedikit 10 karakter" in short.output
    assert runner.invoke(cli, ["add", "ani", "--role", "boss", "--generate"]).exit_code == 2
    assert runner.invoke(cli, ["token", "create", "nobody"]).exit_code == 1


def test_a_new_password_from_the_command_line_signs_the_console_out(settings, engine):
    cli = build_cli(lambda: engine, lambda: settings)
    runner = CliRunner()
    runner.invoke(cli, ["add", "siti", "--role", "agent"], input="correct-horse-1\n" * 2)
    console = TestClient(console_app(settings, engine))
    assert login(console, "siti", "correct-horse-1").status_code == 303
    assert console.get("/staff/inbox", follow_redirects=False).status_code == 200
    assert runner.invoke(cli, ["passwd", "siti", "--generate"]).exit_code == 0
    assert console.get("/staff/inbox", follow_redirects=False).status_code == 303
