# Kabar Air: one image for the web service, its migrations, backups and the CLI.
#   docker build -t kabar-air .
#   docker run --env-file .env kabar-air db upgrade      # migrations: an explicit step
#   docker run --env-file .env -p 8000:8000 kabar-air    # serve (refuses an old schema)
# compose.yaml runs both with PostgreSQL; docs/operations.md is the whole procedure.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1 \
    VIRTUAL_ENV=/opt/kabar-air \
    PATH=/opt/kabar-air/bin:$PATH \
    TZ=Asia/Makassar \
    HOST=0.0.0.0 \
    PORT=8000

# tzdata: the utility's zone for the scheduler's quiet hours and every time shown;
# the PostgreSQL client (15, Debian bookworm's): `kabar-air backup` and `restore` call pg_dump and
# pg_restore, which must be the server's major version or newer (compose.yaml runs PostgreSQL 15).
RUN apt-get update \
    && apt-get install --yes --no-install-recommends tzdata postgresql-client \
    && rm -rf /var/lib/apt/lists/*

RUN groupadd --system --gid 10001 kabar \
    && useradd --system --uid 10001 --gid kabar --home-dir /var/lib/kabar-air \
       --create-home --shell /usr/sbin/nologin kabar

# Every dependency at the version and hash the lock file names; nothing resolved at build time.
COPY requirements.lock /tmp/requirements.lock
RUN python -m venv /opt/kabar-air \
    && /opt/kabar-air/bin/pip install --require-hashes --no-deps -r /tmp/requirements.lock

# Then the application itself (the packages pyproject.toml names; .dockerignore keeps the
# virtualenv, tests, databases, backups and secrets out), without touching its dependencies.
COPY . /tmp/src
RUN /opt/kabar-air/bin/pip install --no-deps /tmp/src \
    && rm -rf /tmp/src /tmp/requirements.lock

# The working directory holds var/ (a SQLite database, if one is used) and is the volume.
USER kabar
WORKDIR /var/lib/kabar-air
VOLUME ["/var/lib/kabar-air"]
EXPOSE 8000

HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD python -c "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('PORT', '8000'), timeout=4)" || exit 1

ENTRYPOINT ["kabar-air"]
CMD ["serve"]
