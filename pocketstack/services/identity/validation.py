"""Checks shared by identity services' create and update operations."""

from __future__ import annotations

from typing import Any

from pocketstack.common import exceptions as exc
from pocketstack.common.ids import new_id


def fresh_id(data: dict[str, Any]) -> str:
    """Keystone assigns ids itself: an 'id' in a create body is ignored."""
    data.pop("id", None)
    return new_id()


def keep_id(data: dict[str, Any], current: str) -> None:
    """An update body may repeat the id, never change it."""
    given = data.pop("id", None)
    if given is not None and given != current:
        raise exc.ValidationError("Cannot change ID")
