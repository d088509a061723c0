"""Which areas a notice reaches: a kecamatan covers its desa, a desa concerns its kecamatan."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import or_, select
from sqlmodel import Session, col

from core.errors import Problem
from db.models import NoticeArea, ServiceArea

NOTICE_LEVELS = {"district", "desa", "kelurahan"}


def load_areas(session: Session, codes: Iterable[str]) -> dict[str, ServiceArea]:
    """The service areas with these codes, by code (unknown codes are simply absent)."""
    codes = list(dict.fromkeys(codes))
    if not codes:
        return {}
    rows = session.scalars(select(ServiceArea).where(col(ServiceArea.code).in_(codes)))
    return {row.code: row for row in rows}


def notice_area_codes(session: Session, notice_id: int) -> list[str]:
    statement = select(col(NoticeArea.area_code)).where(col(NoticeArea.notice_id) == notice_id)
    return sorted(session.scalars(statement))


def audience_area_codes(session: Session, notice_codes: Iterable[str]) -> list[str]:
    """Subscription areas whose subscribers must hear of a notice on these areas.

    The areas themselves, every desa of an affected kecamatan, and the kecamatan of an
    affected desa (its subscribers asked to hear about the whole kecamatan).
    """
    areas = load_areas(session, notice_codes)
    codes = set(areas)
    district_codes = [code for code, area in areas.items() if area.level == "district"]
    codes.update(area.kecamatan_code for area in areas.values() if area.kecamatan_code)
    if district_codes:
        statement = select(col(ServiceArea.code)).where(
            col(ServiceArea.kecamatan_code).in_(district_codes)
        )
        codes.update(session.scalars(statement))
    return sorted(codes)


def covering_area_codes(session: Session, area_code: str) -> list[str]:
    """Notice areas that cover this area: the area itself and, for a desa, its kecamatan."""
    area = session.get(ServiceArea, area_code)
    if area is None:
        return []
    codes = {area.code}
    if area.kecamatan_code:
        codes.add(area.kecamatan_code)
    return sorted(codes)


def area_labels(session: Session, codes: Iterable[str]) -> tuple[str, ...]:
    """Readable names: 'Kec. Sungai Tabuk', 'Lok Baintan (Kec. Sungai Tabuk)'."""
    areas = load_areas(session, codes)
    parents = load_areas(session, [a.kecamatan_code for a in areas.values() if a.kecamatan_code])
    labels = []
    for area in sorted(areas.values(), key=lambda a: (a.level != "district", a.name)):
        if area.level == "district":
            labels.append(f"Kec. {area.name}")
        elif area.kecamatan_code in parents:
            labels.append(f"{area.name} (Kec. {parents[area.kecamatan_code].name})")
        else:
            labels.append(area.name)
    return tuple(labels)


def resolve_area_refs(
    session: Session, refs: Iterable[str], *, field: str = "areas"
) -> tuple[list[str], list[Problem]]:
    """Codes for area codes or exact names, and the problems found (for the `field` given)."""
    codes: list[str] = []
    problems: list[Problem] = []
    for ref in (r.strip() for r in refs):
        if not ref:
            continue
        area = session.get(ServiceArea, ref)
        if area is None:
            statement = select(ServiceArea).where(
                or_(col(ServiceArea.name) == ref, col(ServiceArea.name).ilike(ref))
            )
            matches = [a for a in session.scalars(statement) if a.level in NOTICE_LEVELS]
            if len(matches) == 1:
                area = matches[0]
            elif len(matches) > 1:
                options = ", ".join(f"{a.code} ({a.name})" for a in matches)
                problems.append(Problem(field, "area_ambiguous", {"ref": ref, "options": options}))
                continue
        if area is None:
            problems.append(Problem(field, "area_unknown", {"ref": ref}))
        elif area.level not in NOTICE_LEVELS:
            problems.append(Problem(field, "area_level", {"ref": ref}))
        elif area.code not in codes:
            codes.append(area.code)
    return codes, problems
