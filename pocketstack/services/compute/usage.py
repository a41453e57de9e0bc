"""Simple tenant usage: server hours, and vCPU / memory / disk hours, per project over a
time window (deleted servers count for the time they existed)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

from pocketstack.common.timeutils import aware, utcnow
from pocketstack.db.models.compute_servers import Instance
from pocketstack.db.repositories.compute.instances import in_window

if TYPE_CHECKING:
    from pocketstack.services.compute import Compute


@dataclass
class ProjectUsage:
    project_id: str
    start: datetime
    stop: datetime
    servers: list[dict[str, Any]] = field(default_factory=list)

    def total(self, key: str) -> float:
        return sum(s["hours"] * s[key] for s in self.servers)

    @property
    def hours(self) -> float:
        return sum(s["hours"] for s in self.servers)


def _usage(inst: Instance, start: datetime, stop: datetime) -> dict[str, Any]:
    begin = max(start, aware(inst.launched_at or inst.created_at))  # type: ignore[type-var]
    end = min(stop, aware(inst.terminated_at) or utcnow())  # type: ignore[type-var]
    hours = max((end - begin).total_seconds(), 0) / 3600.0
    state = "terminated" if inst.deleted else inst.vm_state
    return {"instance_id": inst.id, "name": inst.name, "hours": hours,
            "memory_mb": inst.memory_mb, "local_gb": inst.root_gb + (inst.ephemeral_gb or 0),
            "vcpus": inst.vcpus, "tenant_id": inst.project_id,
            "flavor": (inst.flavor or {}).get("name", ""), "started_at": inst.launched_at
            or inst.created_at, "ended_at": inst.terminated_at, "state": state,
            "uptime": int((utcnow() - aware(inst.created_at)).total_seconds())}  # type: ignore[operator]


class UsageService:
    def __init__(self, compute: Compute) -> None:
        self.c = compute

    def usage(self, project_id: str | None, start: datetime, stop: datetime,
              limit: int | None = None, marker: str | None = None) -> list[ProjectUsage]:
        def work(s: Session) -> list[ProjectUsage]:
            found = in_window(s, project_id, start, stop, limit, marker)
            out: dict[str, ProjectUsage] = {}
            for inst in found:
                pu = out.setdefault(inst.project_id, ProjectUsage(inst.project_id, start,
                                                                  stop))
                pu.servers.append(_usage(inst, start, stop))
            return list(out.values())
        return self.c.tx.read(work)
