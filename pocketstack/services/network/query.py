"""A list request, independent of HTTP: filters, sorting and pagination (Neutron style)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class ListQuery:
    filters: dict[str, list[str]] = field(default_factory=dict)
    sorts: list[tuple[str, bool]] = field(default_factory=list)  # (attribute, ascending)
    limit: int | None = None
    marker: str | None = None
    page_reverse: bool = False

    def pop(self, name: str) -> list[str] | None:
        return self.filters.pop(name, None)

    def one(self, name: str) -> str | None:
        values = self.filters.pop(name, None)
        return values[-1] if values else None


def to_bool(value: str) -> bool | None:
    v = value.strip().lower()
    if v in ("true", "1", "yes", "y", "on", "t"):
        return True
    if v in ("false", "0", "no", "n", "off", "f"):
        return False
    return None
