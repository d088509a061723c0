"""Logging for the service: phone numbers never reach a log line in full.

Provider errors quote the numbers they failed on ("The 'To' number whatsapp:+62812... is
not valid"); a filter on every handler masks anything that looks like a phone number.
"""

from __future__ import annotations

import logging
import re

from accounts.privacy import mask_phone

# +62 812 3456 7890, 0812-3456-7890, whatsapp:+6281234567890, 6281234567890
PHONE = re.compile(r"(?:whatsapp:)?(?<![\d+])(?:\+?62[\s\-]?|0)8[\d\s\-]{7,14}\d")


def mask_phones(text: str) -> str:
    return PHONE.sub(lambda match: mask_phone(match.group(0)), text)


class MaskPhones(logging.Filter):
    """Rewrites each record's message with phone numbers masked."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = mask_phones(message)
        if masked != message:
            record.msg, record.args = masked, None
        return True


def configure_logging(level: str) -> None:
    """Root logging for `kabar-air serve|run`, with the masking filter on every handler."""
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for handler in logging.getLogger().handlers:
        if not any(isinstance(f, MaskPhones) for f in handler.filters):
            handler.addFilter(MaskPhones())
    for name in ("uvicorn.error", "uvicorn.access"):  # uvicorn's own loggers do not propagate
        logging.getLogger(name).addFilter(MaskPhones())
