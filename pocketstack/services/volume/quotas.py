"""Quotas, as Cinder counts them: volumes, snapshots, gigabytes (volumes + snapshots),
backups, backup_gigabytes, per_volume_gigabytes, groups, and per volume type
volumes_<type>, snapshots_<type>, gigabytes_<type>.

Usage is counted from the rows themselves inside the transaction that adds a resource,
after locking the project's row, so two concurrent creates can never both squeeze under the
limit (and nothing drifts: there is no usage counter to repair).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from pocketstack.common import exceptions as exc
from pocketstack.common.context import RequestContext
from pocketstack.db.engine import Database
from pocketstack.db.repositories.volume.misc import QuotaClassRepo, QuotaRepo
from pocketstack.db.repositories.volume.snapshots import BackupRepo, SnapshotRepo
from pocketstack.db.repositories.volume.types import TypeRepo
from pocketstack.db.repositories.volume.volumes import VolumeRepo
from pocketstack.services.volume.options import QUOTA_RESOURCES, VolumeOptions

TYPED = ("volumes", "snapshots", "gigabytes")


class QuotaService:
    def __init__(self, db: Database, options: VolumeOptions) -> None:
        self.db = db
        self.options = options

    # -- limits -----------------------------------------------------------------------
    def defaults(self, s: Session) -> dict[str, int]:
        base = dict(self.options.quotas)
        base.update({k: v for k, v in QuotaClassRepo(s).limits("default").items()
                     if k in base or k.split("_", 1)[0] in TYPED})
        for t in TypeRepo(s).find():
            for res in TYPED:
                base.setdefault(f"{res}_{t.name}", -1)
        return base

    def limits(self, s: Session, project_id: str) -> dict[str, int]:
        limits = self.defaults(s)
        limits.update(QuotaRepo(s).limits(project_id))
        return limits

    def usage(self, s: Session, project_id: str) -> dict[str, int]:
        vols, snaps, backups = VolumeRepo(s), SnapshotRepo(s), BackupRepo(s)
        vcount, vgb = vols.usage(project_id)
        scount, sgb = snaps.usage(project_id)
        bcount, bgb = backups.usage(project_id)
        used = {"volumes": vcount, "snapshots": scount, "gigabytes": vgb + sgb,
                "backups": bcount, "backup_gigabytes": bgb, "per_volume_gigabytes": 0,
                "groups": 0}
        names = {t.id: t.name for t in TypeRepo(s).find()}
        for name in names.values():
            for res in TYPED:
                used[f"{res}_{name}"] = 0
        for tid, (n, gb) in vols.usage_by_type(project_id).items():
            if tid in names:
                used[f"volumes_{names[tid]}"] = n
                used[f"gigabytes_{names[tid]}"] += gb
        for tid, (n, gb) in snaps.usage_by_type(project_id).items():
            if tid in names:
                used[f"snapshots_{names[tid]}"] = n
                used[f"gigabytes_{names[tid]}"] += gb
        return used

    # -- enforcement --------------------------------------------------------------------
    def check(self, s: Session, project_id: str, *, volumes: int = 0, snapshots: int = 0,
              gigabytes: int = 0, backups: int = 0, backup_gigabytes: int = 0,
              type_name: str | None = None, volume_size: int | None = None) -> None:
        """Raise OverQuota (413) when adding these would pass a limit. Locks the project."""
        QuotaRepo(s).lock(project_id)
        limits, used = self.limits(s, project_id), self.usage(s, project_id)
        per_volume = limits.get("per_volume_gigabytes", -1)
        if volume_size is not None and per_volume >= 0 and volume_size > per_volume:
            raise exc.OverQuota(f"Requested volume size {volume_size}G is larger than maximum "
                                f"allowed limit {per_volume}G.")
        wanted = {"volumes": volumes, "snapshots": snapshots, "gigabytes": gigabytes,
                  "backups": backups, "backup_gigabytes": backup_gigabytes}
        if type_name:
            for res in TYPED:
                wanted[f"{res}_{type_name}"] = wanted[res]
        for res, delta in wanted.items():
            limit = limits.get(res, -1)
            if delta <= 0 or limit < 0 or used.get(res, 0) + delta <= limit:
                continue
            raise exc.OverQuota(_over(res, limit, used.get(res, 0), delta))

    # -- API --------------------------------------------------------------------------
    def show(self, project_id: str, *, usage: bool, defaults: bool = False) -> dict[str, Any]:
        with self.db.read() as s:
            limits = self.defaults(s) if defaults else self.limits(s, project_id)
            if not usage:
                return limits
            used = self.usage(s, project_id)
        return {k: {"limit": v, "in_use": used.get(k, 0), "reserved": 0, "allocated": 0}
                for k, v in limits.items()}

    def update(self, ctx: RequestContext, project_id: str, values: dict[str, Any]) -> dict[str, int]:
        with self.db.write() as s:
            known = self.limits(s, project_id)
            clean = _validate(values, known)
            used = self.usage(s, project_id)
            for res, value in clean.items():
                if value != -1 and res != "per_volume_gigabytes" and used.get(res, 0) > value:
                    raise exc.BadRequest(
                        f"Quota {res} limit must be equal or greater than existing "
                        f"resources. Current usage is {used.get(res, 0)} and the requested "
                        f"limit is {value}.")
                QuotaRepo(s).put(project_id, res, value)
            return self.limits(s, project_id)

    def reset(self, project_id: str) -> None:
        with self.db.write() as s:
            QuotaRepo(s).clear(project_id)

    def show_class(self, class_name: str) -> dict[str, int]:
        with self.db.read() as s:
            limits = self.defaults(s)
            limits.update(QuotaClassRepo(s).limits(class_name))
            return limits

    def update_class(self, class_name: str, values: dict[str, Any]) -> dict[str, int]:
        with self.db.write() as s:
            known = self.defaults(s)
            for res, value in _validate(values, known).items():
                QuotaClassRepo(s).put(class_name, res, value)
            limits = self.defaults(s)
            limits.update(QuotaClassRepo(s).limits(class_name))
            return limits


def _validate(values: dict[str, Any], known: dict[str, int]) -> dict[str, int]:
    clean: dict[str, int] = {}
    for res, raw in values.items():
        if res in ("id", "tenant_id", "class_name"):
            continue
        if res not in known and res not in QUOTA_RESOURCES:
            raise exc.BadRequest(f"Bad key(s) in quota set: {res}")
        try:
            if isinstance(raw, bool) or isinstance(raw, float):
                raise ValueError
            value = int(str(raw).strip())
        except ValueError:
            raise exc.BadRequest(f"Quota limit {raw!r} for {res} is not an integer.") from None
        if value < -1:
            raise exc.BadRequest(f"Quota limit {value} for {res} must be -1 or greater.")
        if value > 2147483647:
            raise exc.BadRequest(f"Quota limit {value} for {res} is too large.")
        clean[res] = value
    return clean


def _over(res: str, limit: int, used: int, delta: int) -> str:
    kind = res.split("_", 1)[0] if res not in ("backup_gigabytes",) else res
    if kind in ("gigabytes", "backup_gigabytes"):
        return (f"VolumeSizeExceedsAvailableQuota: Requested volume or snapshot exceeds allowed "
                f"{res} quota. Requested {delta}G, quota is {limit}G and {used}G has been "
                f"consumed.")
    noun = {"volumes": "volumes", "snapshots": "snapshots", "backups": "backups"}.get(kind, res)
    return f"Maximum number of {noun} allowed ({limit}) exceeded for quota '{res}'."
