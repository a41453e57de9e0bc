"""ORM models. Import every model module here so metadata (and Alembic) sees all tables."""

from pocketstack.db import revisions  # noqa: F401
from pocketstack.db.models import (
    compute,  # noqa: F401
    identity,  # noqa: F401
    image,  # noqa: F401
    network,  # noqa: F401
    volume,  # noqa: F401
)
