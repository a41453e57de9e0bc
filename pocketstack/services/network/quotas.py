"""Per-project quotas: defaults from settings, overrides in the database, enforced on
create in the same transaction that inserts."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from pocketstack.common import exceptions as exc
from pocketstack.common.context import RequestContext
from pocketstack.db.models import network as m
from pocketstack.db.repositories.network.misc import QuotaRepo
from pocketstack.services.network.base import ServiceBase

MODELS: dict[str, Any] = {
    "network": m.Network, "subnet": m.Subnet, "port": m.Port, "router": m.Router,
    "floatingip": m.FloatingIP, "security_group": m.SecurityGroup,
    "security_group_rule": m.SecurityGroupRule, "rbac_policy": m.RBACPolicy,
    "subnetpool": m.SubnetPool,
}
MAX_LIMIT = 2**31 - 1


class QuotaService(ServiceBase):
    def defaults(self) -> dict[str, int]:
        return {r: int(getattr(self.settings, f"network_quota_{r}")) for r in MODELS}

    def _limits(self, s: Session, project_id: str) -> dict[str, int]:
        return {**self.defaults(), **QuotaRepo(s).limits(project_id)}

    def check(self, s: Session, project_id: str, resource: str, count: int) -> None:
        limit = QuotaRepo(s).limits(project_id).get(resource)
        if limit is None:
            limit = int(getattr(self.settings, f"network_quota_{resource}"))
        if limit < 0:
            return
        QuotaRepo(s).lock(project_id, resource)
        used = QuotaRepo(s).usage(MODELS[resource], project_id)
        if used + count > limit:
            raise exc.Conflict(f"Quota exceeded for resources: ['{resource}'].",
                               error_type="OverQuota")

    @staticmethod
    def _may_read(ctx: RequestContext, project_id: str) -> None:
        if not ctx.is_admin and project_id != ctx.project_id:
            raise exc.Forbidden("Non-admin is not authorised to access quotas for another "
                                "project", error_type="HTTPForbidden")

    def show(self, ctx: RequestContext, project_id: str) -> dict[str, int]:
        self._may_read(ctx, project_id)
        return self.tx.read(lambda s: self._limits(s, project_id))

    def details(self, ctx: RequestContext, project_id: str) -> dict[str, dict[str, int]]:
        self._may_read(ctx, project_id)

        def work(s: Session) -> dict[str, dict[str, int]]:
            limits = self._limits(s, project_id)
            repo = QuotaRepo(s)
            return {r: {"limit": limits[r], "used": repo.usage(MODELS[r], project_id),
                        "reserved": 0} for r in MODELS}
        return self.tx.read(work)

    def list(self) -> list[tuple[str, dict[str, int]]]:
        def work(s: Session) -> list[tuple[str, dict[str, int]]]:
            return [(p, self._limits(s, p)) for p in QuotaRepo(s).projects()]
        return self.tx.read(work)

    def update(self, project_id: str, body: Any) -> dict[str, int]:
        quota = body.get("quota") if isinstance(body, dict) else None
        if not isinstance(quota, dict):
            raise exc.BadRequest("Unable to find 'quota' in request body",
                                 error_type="HTTPBadRequest")
        quota = {k: v for k, v in quota.items() if k != "check_limit"}
        clean: dict[str, int] = {}
        for key, value in quota.items():
            if key not in MODELS:
                raise exc.BadRequest(f"Unrecognized attribute(s) '{key}'",
                                     error_type="HTTPBadRequest")
            try:
                number = int(value)
                if isinstance(value, bool) or not -1 <= number <= MAX_LIMIT:
                    raise ValueError
            except (TypeError, ValueError):
                raise exc.BadRequest(f"Invalid input for {key}. Reason: '{value}' is not in "
                                     f"range -1 through {MAX_LIMIT}.",
                                     error_type="HTTPBadRequest") from None
            clean[key] = number

        def work(s: Session) -> dict[str, int]:
            repo = QuotaRepo(s)
            for key, number in clean.items():
                repo.set(project_id, key, number)
            return self._limits(s, project_id)
        return self.tx.write(work)

    def reset(self, project_id: str) -> None:
        self.tx.write(lambda s: QuotaRepo(s).clear(project_id))
