"""Logging for the service: phone numbers never reach a log line in full.

Provider errors quote the numbers they failed on ("The 'To' number whatsapp:+62812... is
not valid"); a filter on every handler masks anything that looks like a phone number, in
the message and in a traceback alike. Database errors quote the row they refused
(PostgreSQL's "DETAIL: Failing row contains (..., 'the customer's words', ...)"): such lines
are hidden, and the engines never print a statement's parameters (db.engine).
"""

from __future__ import annotations

import logging
import re

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


def configure_logging(level: str) -> None:
    """Root logging for `kabar-air serve|run`, with the masking filter on every handler."""
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for handler in logging.getLogger().handlers:
        if not any(isinstance(f, MaskPhones) for f in handler.filters):
            handler.addFilter(MaskPhones())
    for name in ("uvicorn.error", "uvicorn.access"):  # uvicorn's own loggers do not propagate
        logging.getLogger(name).addFilter(MaskPhones())
