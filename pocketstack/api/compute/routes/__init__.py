"""Compute API routers: every module here with a ``router`` is mounted by
api/compute/app.py. Routes are matched in order, one by one, so the modules of the requests
every client makes (create, show and act on servers) go FIRST; modules named in LAST go last:
their paths are the most generic. No two routes share a path and method, so the order only
changes how soon a request finds its route."""

from __future__ import annotations

import importlib
import pkgutil

from fastapi import APIRouter

FIRST = ("servers", "server_actions")
LAST = ("versions", "gone")


def all_routers() -> list[APIRouter]:
    names = sorted(m.name for m in pkgutil.iter_modules(__path__) if not m.name.startswith("_"))
    names = ([n for n in FIRST if n in names]
             + [n for n in names if n not in FIRST and n not in LAST]
             + [n for n in LAST if n in names])
    routers = []
    for name in names:
        router = getattr(importlib.import_module(f"{__name__}.{name}"), "router", None)
        if isinstance(router, APIRouter):
            routers.append(router)
    return routers
