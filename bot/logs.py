"""Logging for the service: phone numbers never reach a log line in full.

Provider errors quote the numbers they failed on ("The 'To' number whatsapp:+62812... is
not valid"); a filter on every handler masks anything that looks like a phone number, in
the message and in a traceback alike. Database errors quote the row they refused
(PostgreSQL's "DETAIL: Failing row contains (..., 'the customer's words', ...)"): such lines
are hidden, and the engines never print a statement's parameters (db.engine).
"""

from __future__ import annotations

import json
import logging
import logging.config
import re
from datetime import UTC, datetime
from typing import Any

from accounts.privacy import mask_phone

# +62 812 3456 7890, 0812-3456-7890, whatsapp:+6281234567890, 6281234567890
PHONE = re.compile(r"(?:whatsapp:)?(?<![\d+])(?:\+?62[\s\-]?|0)8[\d\s\-]{7,14}\d")


# PostgreSQL's detail lines quote values: "Key (phone)=(...)", "Failing row contains (...)"
DETAIL = re.compile(r"^DETAIL:.*$", re.MULTILINE)
HIDDEN_DETAIL = "DETAIL: (hidden: it may quote personal data)"
_TRACEBACKS = logging.Formatter()


def mask_phones(text: str) -> str:
    return PHONE.sub(lambda match: mask_phone(match.group(0)), text)


def scrub(text: str) -> str:
    """Phone numbers masked and database detail lines hidden."""
    return DETAIL.sub(HIDDEN_DETAIL, mask_phones(text))


class MaskPhones(logging.Filter):
    """Rewrites each record's message, traceback and stack with personal data masked."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = scrub(message)
        if masked != message:
            record.msg, record.args = masked, None
        if record.exc_info and record.exc_info[0] is not None and not record.exc_text:
            record.exc_text = _TRACEBACKS.formatException(record.exc_info)
        if record.exc_text:  # the formatter prints this text rather than formatting anew
            record.exc_text = scrub(record.exc_text)
        if record.stack_info:
            record.stack_info = scrub(record.stack_info)
        return True


class JsonLines(logging.Formatter):
    """LOG_FORMAT=json: one JSON object per line for a log collector (time in UTC, ISO 8601).

    It formats what the masking filter left: the message and the traceback text it scrubbed.
    """

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info and not record.exc_text:  # a handler without the filter
            record.exc_text = scrub(self.formatException(record.exc_info))
        if record.exc_text:
            entry["exception"] = record.exc_text
        if record.stack_info:
            entry["stack"] = record.stack_info
        return json.dumps(entry, ensure_ascii=False)


TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
QUIET = {"apscheduler": "WARNING"}  # "Running job ..." and "... executed successfully" every 5 s


def log_config(level: str, fmt: str = "text") -> dict[str, Any]:
    """One configuration for our loggers and uvicorn's (`logging.config.dictConfig`, and
    uvicorn's `log_config`, applied again in every worker process): one handler on stderr
    with the masking filter, text or JSON lines."""
    formatter: dict[str, Any] = {"()": JsonLines} if fmt == "json" else {"format": TEXT_FORMAT}
    handler = {"class": "logging.StreamHandler", "formatter": "main", "filters": ["mask"]}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"mask": {"()": MaskPhones}},
        "formatters": {"main": formatter},
        "handlers": {"main": handler},
        "root": {"level": level.upper(), "handlers": ["main"]},
        "loggers": {
            # uvicorn's own loggers: through our handler, not theirs (propagate to the root)
            "uvicorn": {"handlers": [], "propagate": True},
            "uvicorn.error": {"handlers": [], "propagate": True},
            "uvicorn.access": {"handlers": [], "propagate": True},
            **{name: {"level": quiet} for name, quiet in QUIET.items()},
        },
    }


def configure_logging(level: str, fmt: str = "text") -> None:
    """Root logging for `kabar-air serve|run`, with the masking filter on every handler."""
    logging.config.dictConfig(log_config(level, fmt))
