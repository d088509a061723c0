"""What customers send besides text, before and after the download: which files are taken,
where they go in the media store, and the kinds the console knows how to show.

A conversation turn never waits on the network: it checks only what the provider declared
(`refusal`), and the downloader (channels/media_fetch.py) checks again what is served.
Files are stored under names we make (`stored_name`), never the provider's. A refused file
keeps a row (status `refused`) whose `error` says why and, for a file too big, the limit then
in force (`refusal_note`), so staff see what the customer tried to send.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from channels.messages import Media
from core.settings import Settings

KINDS = ("photo", "voice", "audio", "video", "document", "location")
# Extensions for the names we give stored files (never the provider's names).
EXTENSIONS = {
    "image/jpeg": ".jpg",
    "image/png": ".png",
    "image/webp": ".webp",
    "audio/ogg": ".ogg",
    "audio/opus": ".opus",
    "audio/mpeg": ".mp3",
    "audio/mp4": ".m4a",
    "audio/amr": ".amr",
    "video/mp4": ".mp4",
    "application/pdf": ".pdf",
}
# The first bytes of the types we take: a file served as "octet-stream" is known by them.
MAGIC = (
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"OggS", "audio/ogg"),
    (b"%PDF-", "application/pdf"),
    (b"ID3", "audio/mpeg"),
    (b"#!AMR", "audio/amr"),
)
GENERIC_TYPES = frozenset({"", "application/octet-stream", "binary/octet-stream"})
REFUSALS = ("too_big", "wrong_type")
MEGABYTE = 1024 * 1024


@dataclass(frozen=True, slots=True)
class MediaPolicy:
    """The limits from settings: the store's directory, the largest file, the types taken."""

    directory: Path
    max_bytes: int
    types: frozenset[str]

    @classmethod
    def from_settings(cls, settings: Settings) -> MediaPolicy:
        return cls(
            directory=Path(settings.media_dir),
            max_bytes=settings.media_max_bytes,
            types=settings.allowed_media_types,
        )

    def refusal(self, media: Media) -> str | None:
        """'too_big' or 'wrong_type' from what the provider declared; None: take it."""
        if media.size is not None and media.size > self.max_bytes:
            return "too_big"
        if media.content_type and base_type(media.content_type) not in self.types:
            return "wrong_type"
        return None

    @property
    def limit_mb(self) -> int:
        """The limit in whole megabytes, as customers are told it."""
        return max(1, self.max_bytes // MEGABYTE)

    def takes(self, content_type: str) -> bool:
        return base_type(content_type) in self.types

    def path_of(self, relative: str) -> Path | None:
        """The stored file for a row's `path`, or None when it would leave the store."""
        root = self.directory.resolve()
        target = (root / relative).resolve()
        return target if target.is_relative_to(root) and target != root else None


def base_type(content_type: str | None) -> str:
    """'audio/ogg; codecs=opus' → 'audio/ogg'."""
    return (content_type or "").split(";", 1)[0].strip().lower()


def sniff(head: bytes) -> str | None:
    """The type a file's first bytes say, among the ones we know."""
    for magic, content_type in MAGIC:
        if head.startswith(magic):
            return content_type
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head[4:8] == b"ftyp":
        return "audio/mp4"
    return None


def stored_name(*, content_type: str, now: datetime) -> str:
    """A fresh relative path ('2026/11/3f9a….jpg'): random, so nothing can be guessed or
    overwritten, and nothing the provider or the customer chose."""
    extension = EXTENSIONS.get(base_type(content_type), ".bin")
    return f"{now:%Y}/{now:%m}/{secrets.token_hex(16)}{extension}"


@dataclass(frozen=True, slots=True)
class Refusal:
    """Why a file was refused, read back from its row: the reason and the limit then."""

    reason: str  # too_big | wrong_type | "" (a row from before reasons were kept)
    limit_bytes: int | None = None


def refusal_note(reason: str, *, limit_bytes: int) -> str:
    """What a refused row keeps in `error`: 'too_big limit=10485760' or 'wrong_type'."""
    return f"{reason} limit={limit_bytes}" if reason == "too_big" else reason


def read_refusal(error: str | None) -> Refusal:
    """The reason and limit a refused row's `error` holds (see `refusal_note`)."""
    reason, _, rest = (error or "").partition(" ")
    limit = rest.removeprefix("limit=")
    return Refusal(
        reason=reason if reason in REFUSALS else "",
        limit_bytes=int(limit) if limit.isdigit() else None,
    )
