"""The files customers sent, served to staff only: `/staff/media/{id}` for the complaint page's
thumbnails, audio players and document links; and the words for a refused file on that page
(`refusal_words`, a template global).

Served with the type recorded at download (never guessed by the browser: nosniff) and never
cached outside the staff member's own browser session (`private, no-store`).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.responses import FileResponse

from accounts.deps import SessionDep
from accounts.roles import COMPLAINTS
from channels.media import EXTENSIONS, MediaPolicy, base_type
from complaints.attachments import refusal_words
from core.http_limits import RowId
from core.services import SettingsDep
from db.models import Attachment, Staff
from staff.web import TEMPLATES, PageError, page_role

router = APIRouter(prefix="/staff", include_in_schema=False)
Worker = Annotated[Staff, Depends(page_role(*COMPLAINTS))]
INLINE = ("image/", "audio/", "video/")


def _refusal_words(attachment: Attachment, lang: str) -> str:
    return refusal_words(attachment=attachment, language=lang)


TEMPLATES.env.globals["refusal_words"] = _refusal_words


@router.get("/media/{attachment_id}")
def media_file(
    attachment_id: RowId, session: SessionDep, settings: SettingsDep, staff: Worker
) -> FileResponse:
    """One stored file, for staff who work complaints."""
    attachment = session.get(Attachment, attachment_id)
    if attachment is None or attachment.status != "stored" or not attachment.path:
        raise PageError(404, "not_found")
    path = MediaPolicy.from_settings(settings).path_of(attachment.path)
    if path is None or not path.is_file():
        raise PageError(404, "not_found")
    content_type = base_type(attachment.content_type) or "application/octet-stream"
    inline = content_type.startswith(INLINE)
    name = f"lampiran-{attachment.id}{EXTENSIONS.get(content_type, '.bin')}"
    headers = {
        "Cache-Control": "private, no-store",
        "X-Content-Type-Options": "nosniff",
        "Content-Disposition": f'{"inline" if inline else "attachment"}; filename="{name}"',
    }
    return FileResponse(path, media_type=content_type, headers=headers)
