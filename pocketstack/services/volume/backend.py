"""The back end as an operator sees it: services (cinder-scheduler, cinder-volume,
cinder-backup) with enable/disable, hosts, pools, capabilities, availability zones, limits
and user messages."""

from __future__ import annotations

from typing import Any

from pocketstack.common import exceptions as exc
from pocketstack.common.context import RequestContext
from pocketstack.common.timeutils import utcnow
from pocketstack.db.engine import Database
from pocketstack.db.models.volume import Message, Service
from pocketstack.db.repositories.volume.listing import Page
from pocketstack.db.repositories.volume.misc import MessageRepo, ServiceRepo
from pocketstack.db.repositories.volume.snapshots import SnapshotRepo
from pocketstack.db.repositories.volume.volumes import VolumeRepo
from pocketstack.drivers.volume.base import VolumeDriver
from pocketstack.services.volume import access
from pocketstack.services.volume.options import VolumeOptions
from pocketstack.services.volume.quotas import QuotaService

BINARIES = ("cinder-scheduler", "cinder-volume", "cinder-backup")


class BackendService:
    def __init__(self, db: Database, options: VolumeOptions, driver: VolumeDriver,
                 quotas: QuotaService) -> None:
        self.db = db
        self.options = options
        self.driver = driver
        self.quotas = quotas

    def _host_of(self, binary: str) -> str:
        return f"{self.options.host}@{self.driver.name}" if binary == "cinder-volume" \
            else self.options.host

    def ensure_services(self) -> None:
        with self.db.write() as s:
            repo, now = ServiceRepo(s), utcnow()
            for binary in BINARIES:
                row = repo.by_host_binary(self._host_of(binary), binary)
                if row is None:
                    repo.add(Service(binary=binary, host=self._host_of(binary),
                                     zone=self.options.availability_zone, disabled=False,
                                     frozen=False, created_at=now, updated_at=now))
                else:
                    row.updated_at = now

    # -- services ---------------------------------------------------------------------------
    def services(self, host: str | None, binary: str | None) -> list[dict[str, Any]]:
        now = utcnow()
        with self.db.read() as s:
            rows = ServiceRepo(s).all()
            out = []
            for r in rows:
                if host and r.host != host and r.host.split("@")[0] != host:
                    continue
                if binary and r.binary != binary:
                    continue
                out.append({"binary": r.binary, "host": r.host, "zone": r.zone,
                            "status": "disabled" if r.disabled else "enabled", "state": "up",
                            "updated_at": now, "disabled_reason": r.disabled_reason,
                            "frozen": r.frozen, "replication_status": "disabled",
                            "active_backend_id": None, "cluster": None,
                            "backend_state": "up" if r.binary == "cinder-volume" else None})
            return out

    def set_enabled(self, host: Any, binary: Any, enabled: bool,
                    reason: str | None = None) -> dict[str, Any]:
        if not isinstance(host, str) or not host or not isinstance(binary, str) or not binary:
            raise exc.BadRequest("Missing required element 'host' or 'binary' in request body.")
        if reason is not None and (not isinstance(reason, str) or not reason.strip()
                                   or len(reason) > 255):
            raise exc.BadRequest("Disabled reason contains invalid characters or is too long")
        with self.db.write() as s:
            row = ServiceRepo(s).by_host_binary(host, binary)
            if row is None:
                raise exc.NotFound(f"Service {binary} could not be found on host {host}.")
            row.disabled = not enabled
            row.disabled_reason = None if enabled else reason
            row.updated_at = utcnow()
            out = {"host": host, "binary": binary, "service": binary,
                   "status": "enabled" if enabled else "disabled", "disabled": not enabled}
            if reason is not None or enabled:
                out["disabled_reason"] = row.disabled_reason
            return out

    def set_frozen(self, host: Any, frozen: bool) -> None:
        if not isinstance(host, str) or not host:
            raise exc.BadRequest("Missing required element 'host' in request body.")
        with self.db.write() as s:
            rows = [r for r in ServiceRepo(s).all()
                    if r.binary == "cinder-volume" and host in (r.host, r.host.split("@")[0])]
            if not rows:
                raise exc.BadRequest(f"Invalid host: Host {host} is not a volume service "
                                     "host.")
            for r in rows:
                r.frozen = frozen

    # -- hosts, pools, capabilities ----------------------------------------------------------
    def hosts(self) -> list[dict[str, Any]]:
        return [{"service-status": "available" if x["status"] == "enabled" else "unavailable",
                 "service": x["binary"], "zone": x["zone"], "service-state": x["status"],
                 "host_name": x["host"], "last-update": x["updated_at"]}
                for x in self.services(None, None)]

    def host(self, host: str) -> list[dict[str, Any]]:
        if host not in (self.options.host, self._host_of("cinder-volume")):
            raise exc.NotFound(f"Host {host} could not be found.")
        with self.db.read() as s:
            vcount, vgb = VolumeRepo(s).totals([])
            snaps = SnapshotRepo(s).find()
            by_project: dict[str, list[int]] = {}
            for v in VolumeRepo(s).find():
                acc = by_project.setdefault(v.project_id, [0, 0, 0, 0])
                acc[0], acc[1] = acc[0] + 1, acc[1] + v.size
            for x in snaps:
                acc = by_project.setdefault(x.project_id, [0, 0, 0, 0])
                acc[2], acc[3] = acc[2] + 1, acc[3] + x.size
        total = {"volume_count": str(vcount), "total_volume_gb": str(vgb),
                 "snapshot_count": str(len(snaps)),
                 "total_snapshot_gb": str(sum(x.size for x in snaps))}
        out = [{"resource": {"project": "(total)", "host": host, **total}}]
        for project, (vc, vg, sc, sg) in by_project.items():
            out.append({"resource": {"project": project, "host": host, "volume_count": str(vc),
                                     "total_volume_gb": str(vg), "snapshot_count": str(sc),
                                     "total_snapshot_gb": str(sg)}})
        return out

    def pools(self, detail: bool) -> list[dict[str, Any]]:
        pool: dict[str, Any] = {"name": self.options.backend}
        if detail:
            cap = self.driver.capacity()
            with self.db.read() as s:
                _, allocated = VolumeRepo(s).totals([])
            pool["capabilities"] = {
                "pool_name": self.driver.name, "volume_backend_name": self.driver.name,
                "total_capacity_gb": cap.total_gb, "free_capacity_gb": cap.free_gb,
                "allocated_capacity_gb": allocated, "reserved_percentage": 0,
                "thin_provisioning_support": True, "thick_provisioning_support": False,
                "max_over_subscription_ratio": "20.0", "multiattach": True,
                "storage_protocol": self.driver.storage_protocol, "vendor_name": "Open Source",
                "driver_version": "1.0", "QoS_support": False, "timestamp": utcnow().isoformat(),
            }
        return [pool]

    def capabilities(self, host: str) -> dict[str, Any]:
        if host not in (self.options.backend, self._host_of("cinder-volume"),
                        self.options.host):
            raise exc.NotFound(f"Host {host} could not be found.")
        return {"namespace": f"OS::Storage::Capabilities::{self._host_of('cinder-volume')}",
                "vendor_name": "Open Source", "volume_backend_name": self.driver.name,
                "pool_name": self.driver.name, "driver_version": "1.0",
                "storage_protocol": self.driver.storage_protocol, "display_name": None,
                "description": None, "visibility": None, "replication_targets": [],
                "properties": {"thin_provisioning": {"title": "Thin Provisioning",
                                                     "description": "Sparse volumes",
                                                     "type": "boolean"}}}

    # -- limits ----------------------------------------------------------------------------
    def absolute_limits(self, project_id: str) -> dict[str, int]:
        with self.db.read() as s:
            limits = self.quotas.limits(s, project_id)
            used = self.quotas.usage(s, project_id)
        return {"totalSnapshotsUsed": used["snapshots"],
                "maxTotalBackups": limits["backups"],
                "maxTotalVolumeGigabytes": limits["gigabytes"],
                "maxTotalSnapshots": limits["snapshots"],
                "maxTotalBackupGigabytes": limits["backup_gigabytes"],
                "totalBackupGigabytesUsed": used["backup_gigabytes"],
                "maxTotalVolumes": limits["volumes"], "totalVolumesUsed": used["volumes"],
                "totalBackupsUsed": used["backups"], "totalGigabytesUsed": used["gigabytes"]}

    # -- messages --------------------------------------------------------------------------
    def messages(self, ctx: RequestContext, params: dict[str, str]) -> list[Message]:
        where: list[Any] = []
        if not ctx.is_admin:
            where.append(Message.project_id == ctx.project_id)
        limit, offset = access.parse_limit(params)
        with self.db.read() as s:
            return list(MessageRepo(s).page(Page(where=where, sort=[(Message.created_at,
                                                                       "desc")],
                                                 limit=limit, offset=offset)))

    def message(self, ctx: RequestContext, message_id: str) -> Message:
        with self.db.read() as s:
            m = MessageRepo(s).get(message_id)
        if m is None or not access.visible(ctx, m.project_id):
            raise exc.NotFound(f"Message {message_id} could not be found.")
        return m

    def delete_message(self, ctx: RequestContext, message_id: str) -> None:
        with self.db.write() as s:
            m = MessageRepo(s).get(message_id)
            if m is None or not access.visible(ctx, m.project_id):
                raise exc.NotFound(f"Message {message_id} could not be found.")
            s.delete(m)
