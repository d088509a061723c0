"""What every request handler may use, set once on the app by the app factory, fully typed.

Lower floors never see the composition root: the app factory in `bot/` builds a `Services` and
attaches it; handlers ask for it (or its parts) through the dependencies below.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, FastAPI, Request
from sqlalchemy import Engine

from core.settings import Settings


def _idle() -> None:
    """Nothing to wake: a console without channels or a scheduler (tests, tools)."""


@dataclass(slots=True)
class Services:
    settings: Settings
    engine: Engine
    wake_outbox: Callable[[], None] = _idle  # new outbound rows: deliver them now
    wake_notices: Callable[[], None] = _idle  # notice pushes may be due: dispatch them now


def attach(app: FastAPI, services: Services) -> None:
    app.state.services = services


def get_services(request: Request) -> Services:
    services = request.app.state.services
    if not isinstance(services, Services):
        raise RuntimeError("the app factory did not attach core.services.Services")
    return services


def get_settings(request: Request) -> Settings:
    return get_services(request).settings


def get_engine(request: Request) -> Engine:
    return get_services(request).engine


ServicesDep = Annotated[Services, Depends(get_services)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
EngineDep = Annotated[Engine, Depends(get_engine)]
