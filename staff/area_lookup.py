"""The notices page's quick question "is the water off at <place>?", via the gazetteer."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from areas.index import AreaIndex
from db.types import utcnow
from outage_notices.lookup import disruptions_for_area

MATCHES = 5


def area_answer(session: Session, index: AreaIndex, text: str) -> dict[str, Any]:
    """The places the text may name, and the disruptions at the best of them (now and 7 days)."""
    if not text.strip():
        return {"place": None, "places": [], "disruptions": []}
    matches = index.find(text, MATCHES)
    if not matches:
        return {"place": None, "places": [], "disruptions": []}
    place = matches[0].area
    found = disruptions_for_area(
        session.connection(),
        code=place.code,
        kecamatan_code=place.kecamatan_code,
        is_kecamatan=place.level == "district",
        now=utcnow(),
    )
    return {
        "place": place,
        "places": [m.area for m in matches[1:]],
        "disruptions": found,
        "now": utcnow(),
    }
