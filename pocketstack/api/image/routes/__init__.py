"""Image routers: every module here with a ``router`` is mounted by api/image/app.py."""

from __future__ import annotations

import importlib
import pkgutil

from fastapi import APIRouter


def all_routers() -> list[APIRouter]:
    routers = []
    for name in sorted(m.name for m in pkgutil.iter_modules(__path__)):
        if name.startswith("_"):
            continue
        router = getattr(importlib.import_module(f"{__name__}.{name}"), "router", None)
        if isinstance(router, APIRouter):
            routers.append(router)
    return routers
