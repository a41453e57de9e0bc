"""Compute API routers: every module here with a ``router`` is mounted by
api/compute/app.py (modules named in LAST go last: their paths are the most generic)."""

from __future__ import annotations

import importlib
import pkgutil

from fastapi import APIRouter

LAST = ("versions", "gone")


def all_routers() -> list[APIRouter]:
    names = sorted(m.name for m in pkgutil.iter_modules(__path__) if not m.name.startswith("_"))
    names = [n for n in names if n not in LAST] + [n for n in LAST if n in names]
    routers = []
    for name in names:
        router = getattr(importlib.import_module(f"{__name__}.{name}"), "router", None)
        if isinstance(router, APIRouter):
            routers.append(router)
    return routers
