"""Compute quotas: defaults (settings, overridden by the 'default' quota class), project
and per-user limits, usage, the checks made when servers, key pairs and server groups are
created, and the absolute limits of GET /limits."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from pocketstack.common import exceptions as exc
from pocketstack.db.repositories.compute.quotas import QuotaRepo
from pocketstack.services.compute.options import QUOTA_RESOURCES, ComputeOptions
from pocketstack.services.compute.tx import Transactions

# Quotas Nova still shows before 2.36 (the network proxies'), fixed values here.
LEGACY_NETWORK = {"fixed_ips": -1, "floating_ips": 10, "security_group_rules": 20,
                  "security_groups": 10}
INJECTED = ("injected_files", "injected_file_content_bytes", "injected_file_path_bytes")
USAGE_RESOURCES = ("instances", "cores", "ram", "key_pairs", "server_groups")


class QuotaService:
    def __init__(self, tx: Transactions, options: ComputeOptions) -> None:
        self.tx = tx
        self.options = options

    # -- limits ---------------------------------------------------------------------------
    def defaults_in(self, s: Session) -> dict[str, int]:
        values = {**self.options.quota_defaults, **LEGACY_NETWORK}
        values.update({k: v for k, v in QuotaRepo(s).class_limits("default").items()
                       if k in values})
        return values

    def limits_in(self, s: Session, project_id: str, user_id: str | None = None
                  ) -> dict[str, int]:
        values = self.defaults_in(s)
        repo = QuotaRepo(s)
        values.update({k: v for k, v in repo.limits(project_id).items() if k in values})
        if user_id:
            values.update({k: v for k, v in repo.limits(project_id, user_id).items()
                           if k in values})
        return values

    def limit(self, s: Session, project_id: str, resource: str, user_id: str | None = None
              ) -> int:
        return self.limits_in(s, project_id, user_id)[resource]

    def usage_in(self, s: Session, project_id: str, user_id: str | None = None
                 ) -> dict[str, int]:
        repo = QuotaRepo(s)
        used = repo.instance_usage(project_id, user_id)
        used["server_groups"] = repo.server_group_count(project_id, user_id)
        used["key_pairs"] = repo.keypair_count(user_id) if user_id else 0
        return used

    # -- checks ---------------------------------------------------------------------------
    def both_limits(self, s: Session, project_id: str, user_id: str
                    ) -> tuple[dict[str, int], dict[str, int]]:
        """(project limits, the user's limits): read before the write transaction."""
        defaults = self.defaults_in(s)
        own, users = QuotaRepo(s).limits_pair(project_id, user_id)
        project = {**defaults, **{k: v for k, v in own.items() if k in defaults}}
        return project, {**project, **{k: v for k, v in users.items() if k in defaults}}

    def servers_allowed(self, s: Session, project_id: str, user_id: str,
                        vcpus: int, ram: int, min_count: int, max_count: int,
                        limits_pair: tuple[dict[str, int], dict[str, int]] | None = None
                        ) -> int:
        """How many servers of this size fit (between min and max); 403 if not min.
        Usage is counted in ``s`` (the write transaction), so concurrent boots of one
        project cannot both take the last slot."""
        fits = max_count
        problems: list[tuple[str, int, int, int]] = []
        pair = limits_pair or self.both_limits(s, project_id, user_id)
        if all(lim[r] < 0 for lim in pair for r in ("instances", "cores", "ram")):
            return max_count  # unlimited: no need to count the project's servers
        usage = QuotaRepo(s).usage_pair(project_id, user_id)
        for limits, used in zip(pair, usage, strict=True):
            for res, each in (("instances", 1), ("cores", vcpus), ("ram", ram)):
                lim = limits[res]
                if lim < 0 or each == 0:
                    continue
                n = max(0, (lim - used[res]) // each)
                if n < fits:
                    fits = n
                if n < min_count:
                    problems.append((res, each * min_count, used[res], lim))
        if fits < min_count:
            res, req, used_, lim = problems[0]
            names = ", ".join(sorted({p[0] for p in problems}))
            raise exc.Forbidden(f"Quota exceeded for {names}: Requested {req}, but already "
                                f"used {used_} of {lim} {res}")
        return fits

    def check_metadata(self, s: Session | None, project_id: str, count: int,
                       limits: dict[str, int] | None = None) -> None:
        lim = (limits or self.limits_in(s, project_id))["metadata_items"]  # type: ignore[arg-type]
        if 0 <= lim < count:
            raise exc.Forbidden("Quota exceeded for metadata_items: Maximum number of "
                                f"metadata items exceeds {lim}")

    def check_server_group(self, s: Session, project_id: str, user_id: str) -> None:
        lim = self.limit(s, project_id, "server_groups", user_id)
        if lim >= 0 and QuotaRepo(s).server_group_count(project_id) >= lim:
            raise exc.Forbidden("Quota exceeded, too many server groups.")

    def check_group_members(self, s: Session, project_id: str, group_id: int, adding: int
                            ) -> None:
        lim = self.limit(s, project_id, "server_group_members")
        if lim >= 0 and QuotaRepo(s).group_member_count(group_id) + adding > lim:
            raise exc.Forbidden("Quota exceeded, too many servers in group")

    # -- API ------------------------------------------------------------------------------
    def show(self, project_id: str, user_id: str | None = None, *, detail: bool = False
             ) -> dict[str, Any]:
        def work(s: Session) -> dict[str, Any]:
            limits = self.limits_in(s, project_id, user_id)
            if not detail:
                return limits
            used = self.usage_in(s, project_id, user_id)
            return {k: {"limit": v, "in_use": used.get(k, 0), "reserved": 0}
                    for k, v in limits.items()}
        return self.tx.read(work)

    def defaults(self) -> dict[str, int]:
        return self.tx.read(self.defaults_in)

    def update(self, project_id: str, user_id: str | None, values: dict[str, int],
               force: bool) -> dict[str, int]:
        def work(s: Session) -> dict[str, int]:
            used = self.usage_in(s, project_id, user_id)
            repo = QuotaRepo(s)
            for res, value in values.items():
                if res not in QUOTA_RESOURCES and res not in LEGACY_NETWORK:
                    continue
                if not force and value >= 0 and value < used.get(res, 0):
                    raise exc.BadRequest(f"Quota limit {value} for {res} must be greater "
                                         f"than or equal to already used and reserved "
                                         f"{used.get(res, 0)}.")
                repo.set(project_id, user_id or "", res, value)
            return self.limits_in(s, project_id, user_id)
        return self.tx.write(work)

    def reset(self, project_id: str, user_id: str | None) -> None:
        self.tx.write(lambda s: QuotaRepo(s).clear(project_id, user_id))

    def class_show(self, class_name: str) -> dict[str, int]:
        def work(s: Session) -> dict[str, int]:
            values = {**self.options.quota_defaults, **LEGACY_NETWORK}
            values.update({k: v for k, v in QuotaRepo(s).class_limits(class_name).items()
                           if k in values})
            return values
        return self.tx.read(work)

    def class_update(self, class_name: str, values: dict[str, int]) -> dict[str, int]:
        def work(s: Session) -> None:
            for res, value in values.items():
                if res in QUOTA_RESOURCES or res in LEGACY_NETWORK:
                    QuotaRepo(s).set_class(class_name, res, value)
        self.tx.write(work)
        return self.class_show(class_name)

    def absolute(self, project_id: str) -> dict[str, dict[str, int]]:
        def work(s: Session) -> dict[str, dict[str, int]]:
            return {"limits": self.limits_in(s, project_id),
                    "used": self.usage_in(s, project_id)}
        return self.tx.read(work)
