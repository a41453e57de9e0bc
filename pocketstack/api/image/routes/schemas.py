"""GET /v2/schemas/{name}: the JSON-schema documents."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request

from pocketstack.api.common.auth import authenticated, cloud
from pocketstack.api.image import schemas, schemas_metadefs
from pocketstack.common import exceptions as exc
from pocketstack.common.context import RequestContext

router = APIRouter(prefix="/v2/schemas")


@router.get("/{name:path}")
def show(request: Request, name: str,
         ctx: RequestContext = Depends(authenticated)) -> dict[str, Any]:
    doc = schemas.document(name, cloud(request).image.options) or schemas_metadefs.document(name)
    if doc is None:
        raise exc.NotFound(f"Schema {name} not found.")
    return doc
