"""The area index for request handlers: the service's own, or one built from the database."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, FastAPI, Request

from areas.index import AreaIndex
from areas.reference import load_area_index
from core.services import get_engine


def attach_area_index(app: FastAPI, index: AreaIndex) -> None:
    app.state.area_index = index


def get_area_index(request: Request) -> AreaIndex:
    index = getattr(request.app.state, "area_index", None)
    if not isinstance(index, AreaIndex):
        index = load_area_index(get_engine(request))
        attach_area_index(request.app, index)
    return index


AreaIndexDep = Annotated[AreaIndex, Depends(get_area_index)]
