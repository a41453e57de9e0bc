"""Query-string helpers shared by the compute listings: Nova's limit rule (at most
MAX_LIMIT per page, which is also the default) and its boolean spelling."""

from __future__ import annotations

from pocketstack.common import exceptions as exc

MAX_LIMIT = 1000
TRUE = ("true", "t", "1", "yes", "y", "on")
FALSE = ("false", "f", "0", "no", "n", "off")


def parse_limit(raw: str | None) -> int:
    if raw is None or raw == "":
        return MAX_LIMIT
    try:
        value = int(raw)
    except ValueError:
        raise exc.BadRequest("limit param must be an integer") from None
    if value < 0:
        raise exc.BadRequest("limit param must be positive")
    return min(MAX_LIMIT, value)


def parse_bool(raw: str, name: str) -> bool:
    v = raw.strip().lower()
    if v in TRUE:
        return True
    if v in FALSE:
        return False
    raise exc.BadRequest(f"Invalid value '{raw}' for {name}: must be a boolean.")
