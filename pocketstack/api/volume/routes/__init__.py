"""Block Storage API routes, one module per resource."""

from __future__ import annotations

from fastapi import APIRouter


def all_routers() -> list[APIRouter]:
    from pocketstack.api.volume.routes import (
        attachments,
        backups,
        groups,
        misc,
        qos,
        quotas,
        snapshots,
        transfers,
        types,
        versions,
        volume_actions,
        volumes,
    )

    return [versions.router, volumes.router, volume_actions.router, snapshots.router,
            backups.router, types.router, qos.router, quotas.router, attachments.router,
            transfers.router, groups.router, misc.router]
