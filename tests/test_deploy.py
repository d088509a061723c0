"""The deployment kit says what the code does: Dockerfile, compose.yaml, systemd units, nginx,
and the lock files. There is no docker here, so the Dockerfile's install steps are replayed in
a fresh virtualenv (slow), and the units are checked by `systemd-analyze verify`.
"""

from __future__ import annotations

import configparser
import os
import re
import shlex
import shutil
import subprocess
import sys
import tomllib
from fnmatch import fnmatch
from pathlib import Path

import pytest
import yaml

from bot.cli import SCHEMA_BEHIND_EXIT
from channels.webhooks import MAX_BODY
from core.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
SYSTEMD = ROOT / "deploy" / "systemd"
NGINX = ROOT / "deploy" / "nginx"
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())


def dockerfile() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) with continuation lines joined and comments left out."""
    found, current = [], ""
    for line in (ROOT / "Dockerfile").read_text().splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if stripped.endswith("\\"):
            current += stripped[:-1] + " "
            continue
        keyword, _, rest = (current + stripped).partition(" ")
        found.append((keyword.upper(), " ".join(rest.split())))
        current = ""
    return found


def arguments(instruction: str) -> list[str]:
    return [rest for keyword, rest in dockerfile() if keyword == instruction]


def test_the_image_is_slim_non_root_locked_and_checks_its_health():
    steps = dockerfile()
    assert steps[0][0] == "FROM" and steps[0][1].startswith("python:3.11-slim")
    users = arguments("USER")
    assert users and users[-1] not in ("root", "0")
    last_run = max(i for i, (keyword, _) in enumerate(steps) if keyword == "RUN")
    assert [keyword for keyword, _ in steps[last_run:]].count("USER") == 1  # nothing runs as root
    runs = " ".join(arguments("RUN"))
    assert "tzdata" in runs
    assert "--require-hashes" in runs and "-r /tmp/requirements.lock" in runs
    assert "COPY requirements.lock /tmp/requirements.lock" in [
        f"COPY {a}" for a in arguments("COPY")
    ]
    assert "--no-deps /tmp/src" in runs  # the application adds no unlocked dependency
    (healthcheck,) = arguments("HEALTHCHECK")
    assert "/healthz" in healthcheck and "CMD" in healthcheck
    assert arguments("ENTRYPOINT") == ['["kabar-air"]'] and arguments("CMD") == ['["serve"]']


def test_the_build_context_holds_the_packages_and_no_secrets_or_data():
    packages = PYPROJECT["tool"]["setuptools"]["packages"]["find"]["include"]
    for package in packages:
        assert not docker_ignores(package.rstrip("*")), package
    for private in (".env", "var", "backups", "deploy/nginx/certs", "var/kabar-air.db", ".venv"):
        assert docker_ignores(private), private
    assert not docker_ignores(".env.example") and not docker_ignores("pyproject.toml")


def docker_ignores(relative: str) -> bool:
    """Whether .dockerignore leaves `relative` (a path from the root) out of the context."""
    left_out = False
    for line in (ROOT / ".dockerignore").read_text().splitlines():
        pattern = line.strip()
        if not pattern or pattern.startswith("#"):
            continue
        keep = pattern.startswith("!")
        pattern = pattern.lstrip("!")
        anywhere = pattern.startswith("**/") and fnmatch(Path(relative).name, pattern[3:])
        parents = [str(parent) for parent in Path(relative).parents if str(parent) != "."]
        if anywhere or any(fnmatch(path, pattern) for path in [relative, *parents]):
            left_out = not keep
    return left_out


def test_compose_runs_migrations_once_then_the_service_on_a_healthy_postgres():
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text())
    services = compose["services"]
    postgres = services["postgres"]
    assert postgres["image"].startswith("postgres:")
    assert "pg_isready" in " ".join(postgres["healthcheck"]["test"])
    assert any("/var/lib/postgresql/data" in volume for volume in postgres["volumes"])
    assert "postgres-data" in compose["volumes"]

    migrate, service = services["migrate"], services["kabar-air"]
    assert migrate["command"] == ["db", "upgrade"]
    assert service["command"] == ["serve"]
    assert service["depends_on"] == {
        "postgres": {"condition": "service_healthy"},
        "migrate": {"condition": "service_completed_successfully"},
    }
    for app in (migrate, service):
        assert app["build"] == "." and app["env_file"] == ".env"
        assert app["environment"]["DATABASE_URL"].startswith("postgresql+psycopg://")
        assert "@postgres:5432/" in app["environment"]["DATABASE_URL"]
        assert app["environment"]["HOST"] == "0.0.0.0"
    assert "/healthz" in " ".join(service["healthcheck"]["test"])
    assert "ports" not in service  # replicas (--scale kabar-air=3) share no host port
    proxy = services["proxy"]
    for volume in proxy["volumes"]:
        source = volume.split(":")[0]
        if source.endswith(".conf"):
            assert (ROOT / source).is_file(), source


def units() -> dict[str, configparser.ConfigParser]:
    found = {}
    for path in sorted(SYSTEMD.iterdir()):
        parser = configparser.ConfigParser(strict=False, interpolation=None)
        parser.optionxform = str  # type: ignore[assignment,method-assign]  # keys keep their case
        parser.read_string(path.read_text())
        found[path.name] = parser
    return found


def test_the_systemd_units_have_what_a_hardened_service_needs():
    found = units()
    assert set(found) == {
        "kabar-air.service",
        "kabar-air@.service",
        "kabar-air-backup.service",
        "kabar-air-backup.timer",
    }
    for name in ("kabar-air.service", "kabar-air@.service"):
        service = found[name]["Service"]
        assert service["ExecStart"].endswith("kabar-air serve")
        assert service["User"] == "kabar" and service["NoNewPrivileges"] == "yes"
        assert service["ProtectSystem"] == "strict"
        assert "/var/lib/kabar-air" in service["ReadWritePaths"].split()
        assert service["Restart"] == "on-failure"
        assert service["RestartPreventExitStatus"] == str(SCHEMA_BEHIND_EXIT)
        assert found[name]["Install"]["WantedBy"] == "multi-user.target"
    assert found["kabar-air@.service"]["Service"]["Environment"] == "PORT=%i"
    backup = found["kabar-air-backup.service"]["Service"]
    assert backup["Type"] == "oneshot" and "kabar-air backup" in backup["ExecStart"]
    assert "/var/backups/kabar-air" in backup["ReadWritePaths"].split()
    timer = found["kabar-air-backup.timer"]["Timer"]
    assert timer["OnCalendar"] and timer["Persistent"] == "true"


def test_systemd_analyze_verifies_the_units(tmp_path):
    """`systemd-analyze verify` checks every directive; the command is pointed at this venv's
    kabar-air (verify insists that the program exists)."""
    analyze = shutil.which("systemd-analyze")
    if analyze is None:  # the test above has checked the files as INI; nothing more to do here
        return
    for path in SYSTEMD.iterdir():
        text = path.read_text().replace("/opt/kabar-air/bin/kabar-air", str(kabar_air()))
        (tmp_path / path.name).write_text(text)
    names = ["kabar-air.service", "kabar-air@8001.service", "kabar-air-backup.service"]
    names.append("kabar-air-backup.timer")
    done = subprocess.run(
        [analyze, "verify", *names], cwd=tmp_path, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert "kabar-air" not in done.stderr, done.stderr  # no warning about our units


def nginx_value(text: str, directive: str) -> list[str]:
    return re.findall(rf"^\s*{directive}\s+([^;]+);", text, re.MULTILINE)


def size(value: str) -> int:
    units = {"k": 1024, "m": 1024 * 1024}
    return int(value[:-1]) * units[value[-1].lower()] if value[-1].isalpha() else int(value)


def test_nginx_limits_match_the_services_own():
    locations = (NGINX / "kabar-air-locations.conf").read_text()
    general, webhooks = nginx_value(locations, "client_max_body_size")
    assert size(general) == Settings(_env_file=None).max_request_body_bytes
    assert size(webhooks) == MAX_BODY
    headers = nginx_value(locations, "proxy_set_header")
    assert "X-Forwarded-For $proxy_add_x_forwarded_for" in headers
    assert "X-Forwarded-Proto $scheme" in headers
    assert nginx_value(locations, "proxy_read_timeout")
    for site in ("kabar-air.conf", "compose.conf"):
        text = (NGINX / site).read_text()
        assert nginx_value(text, "ssl_certificate") and nginx_value(text, "ssl_certificate_key")
        assert nginx_value(text, "include") == ["/etc/nginx/snippets/kabar-air-locations.conf"]


def pins(lock: Path) -> dict[str, str]:
    """name → version of every requirement in a lock file, each checked to carry a hash."""
    found = {}
    for entry in re.split(r"\n(?=[A-Za-z0-9])", lock.read_text().split("\n\n")[-1].strip()):
        if entry.startswith("#"):
            continue
        requirement = entry.split()[0]
        assert "--hash=sha256:" in entry, requirement
        name, _, version = requirement.partition("==")
        found[normalise(name)] = version
    return found


def normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name.split("[")[0]).lower()


def test_the_lock_files_pin_every_dependency_with_hashes():
    """Catches a dependency added to pyproject.toml without `make lock`."""
    production, development = pins(ROOT / "requirements.lock"), pins(ROOT / "requirements-dev.lock")
    project = PYPROJECT["project"]
    for lock, wanted in (
        (production, project["dependencies"]),
        (development, project["dependencies"] + project["optional-dependencies"]["dev"]),
    ):
        for requirement in wanted:
            name, _, version = requirement.partition("==")
            assert lock.get(normalise(name)) == version, f"{requirement}: run `make lock`"
    assert {name: development[name] for name in production} == production


def context_filter(folder: str, names: list[str]) -> set[str]:
    """For shutil.copytree: what `docker build` would leave out of the context."""
    base = Path(folder).resolve().relative_to(ROOT)
    return {name for name in names if docker_ignores(str(base / name))}


def kabar_air() -> Path:
    return Path(sys.executable).parent / "kabar-air"


@pytest.mark.slow
@pytest.mark.timeout(900)
def test_the_dockerfiles_install_steps_work_in_a_fresh_virtualenv(tmp_path):
    """COPY and the RUN steps that install, replayed with the image's paths under tmp_path;
    then the installed (not editable) command migrates a database and finds an area."""
    image = tmp_path / "image"
    paths = {
        "/opt/kabar-air": str(image / "opt" / "kabar-air"),
        "/tmp/requirements.lock": str(image / "tmp" / "requirements.lock"),
        "/tmp/src": str(image / "tmp" / "src"),
    }

    def here(text: str) -> str:
        for inside, outside in paths.items():
            text = text.replace(inside, outside)
        return text

    (image / "tmp").mkdir(parents=True)
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}"}
    for keyword, rest in dockerfile():
        if keyword == "COPY":
            *sources, target = shlex.split(rest)
            for source in sources:
                into = Path(here(target))
                if source != "." and (target.endswith("/") or len(sources) > 1):
                    into = into / Path(source).name
                into.parent.mkdir(parents=True, exist_ok=True)
                if (ROOT / source).is_dir():
                    shutil.copytree(ROOT / source, into, ignore=context_filter)
                else:
                    shutil.copyfile(ROOT / source, into)
        elif keyword == "RUN" and ("pip install" in rest or "-m venv" in rest):
            done = subprocess.run(
                ["bash", "-ec", here(rest)], env=env, capture_output=True, text=True
            )
            assert done.returncode == 0, f"{rest}\n{done.stderr[-3000:]}"
    installed = Path(paths["/opt/kabar-air"]) / "bin" / "kabar-air"
    helped = subprocess.run([installed, "--help"], capture_output=True, text=True)
    assert helped.returncode == 0 and "serve" in helped.stdout

    work = tmp_path / "work"
    work.mkdir()
    service_env = {**os.environ, "DATABASE_URL": f"sqlite:///{work}/kabar-air.db"}
    for command in (["db", "upgrade"], ["areas", "find", "air mati di sungai tabuk"]):
        done = subprocess.run(
            [installed, *command], cwd=work, env=service_env, capture_output=True, text=True
        )
        assert done.returncode == 0, done.stderr
    assert "Sungai Tabuk" in done.stdout
