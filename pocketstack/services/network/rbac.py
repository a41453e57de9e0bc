"""RBAC policies: share a network with one project or every project ('*'), or make it
external for them."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from pocketstack.common import exceptions as exc
from pocketstack.common.context import RequestContext
from pocketstack.common.ids import new_uuid
from pocketstack.db.models.network import Network, RBACPolicy
from pocketstack.db.repositories.network.networks import RBACRepo
from pocketstack.db.repositories.network.ports import PortRepo
from pocketstack.db.repositories.network.subnets import SubnetRepo
from pocketstack.services.network.base import AUTO_DELETE_OWNERS, ServiceBase, not_found
from pocketstack.services.network.query import ListQuery

ACTIONS = ("access_as_shared", "access_as_external")


class RBACService(ServiceBase):
    resource = "rbac_policy"

    @staticmethod
    def columns() -> dict[str, tuple[Any, Any]]:
        m = RBACPolicy
        return {"id": (m.id, str), "project_id": (m.project_id, str),
                "tenant_id": (m.project_id, str), "object_type": (m.object_type, str),
                "object_id": (m.object_id, str), "target_tenant": (m.target_project, str),
                "target_project": (m.target_project, str), "action": (m.action, str)}

    def list(self, ctx: RequestContext, q: ListQuery) -> list[RBACPolicy]:
        def work(s: Session) -> list[RBACPolicy]:
            where = [] if ctx.is_admin else [RBACPolicy.project_id == ctx.project_id]
            return list(RBACRepo(s).list(self.listing(q, RBACPolicy, self.columns(), where)))
        return self.tx.read(work)

    def get(self, ctx: RequestContext, policy_id: str) -> RBACPolicy:
        return self.tx.read(lambda s: self._own(s, ctx, policy_id))

    @staticmethod
    def _own(s: Session, ctx: RequestContext, policy_id: str) -> RBACPolicy:
        policy = RBACRepo(s).get(policy_id)
        if policy is None or not (ctx.is_admin or policy.project_id == ctx.project_id):
            raise not_found("rbac_policy", policy_id)
        return policy

    def create(self, ctx: RequestContext, data: dict[str, Any]) -> RBACPolicy:
        if data["object_type"] != "network":
            raise exc.BadRequest(f"Invalid input for object_type. Reason: "
                                 f"'{data['object_type']}' is not in ['network'].",
                                 error_type="HTTPBadRequest")
        if data["action"] not in ACTIONS:
            raise exc.BadRequest(f"Invalid input for action. Reason: '{data['action']}' is not "
                                 f"in {list(ACTIONS)}.", error_type="HTTPBadRequest")
        target = data.get("target_project") or data.get("target_tenant")
        if not target:
            raise exc.BadRequest("Failed to parse request. Required attribute 'target_tenant' "
                                 "not specified", error_type="HTTPBadRequest")
        if target == "*" and not ctx.is_admin:
            raise exc.Forbidden("(rule:create_rbac_policy:target_tenant) is disallowed by "
                                "policy", error_type="PolicyNotAuthorized")

        def work(s: Session) -> RBACPolicy:
            project = self.project_for(ctx, dict(data))
            net = s.get(Network, data["object_id"])
            if net is None or not (ctx.is_admin or net.project_id == ctx.project_id):
                raise not_found("network", data["object_id"])
            self.net.quotas.check(s, project, "rbac_policy", 1)
            same = [p for p in RBACRepo(s).for_object(net.id, data["action"])
                    if p.target_project == target]
            if same:
                raise exc.Conflict("An RBAC policy already exists with those values.",
                                   error_type="DuplicateRbacPolicy")
            policy = RBACPolicy(id=new_uuid(), project_id=project, object_type="network",
                                object_id=net.id, target_project=target, action=data["action"])
            s.add(policy)
            if data["action"] == "access_as_external":
                net.router_external = True
            s.flush()
            return policy
        return self.tx.write(work)

    def update(self, ctx: RequestContext, policy_id: str, data: dict[str, Any]) -> RBACPolicy:
        def work(s: Session) -> RBACPolicy:
            policy = self._own(s, ctx, policy_id)
            target = data.get("target_project") or data.get("target_tenant")
            if target and target != policy.target_project:
                if target == "*" and not ctx.is_admin:
                    raise exc.Forbidden("(rule:update_rbac_policy:target_tenant) is disallowed "
                                        "by policy", error_type="PolicyNotAuthorized")
                self._ensure_unused(s, policy)
                policy.target_project = target
            s.flush()
            return policy
        return self.tx.write(work)

    def delete(self, ctx: RequestContext, policy_id: str) -> None:
        def work(s: Session) -> None:
            policy = self._own(s, ctx, policy_id)
            self._ensure_unused(s, policy)
            s.delete(policy)
        self.tx.write(work)

    @staticmethod
    def _ensure_unused(s: Session, policy: RBACPolicy) -> None:
        if policy.action != "access_as_shared":
            return
        net = s.get(Network, policy.object_id)
        if net is None:
            return
        others = {policy.target_project} if policy.target_project != "*" else None
        grants = [p for p in RBACRepo(s).for_object(net.id, "access_as_shared")
                  if p.id != policy.id]
        still = {p.target_project for p in grants}

        def orphaned(project: str) -> bool:
            if project == net.project_id or "*" in still or project in still:
                return False
            return others is None or project in others

        users = [p.project_id for p in PortRepo(s).on_network(net.id)
                 if p.device_owner not in AUTO_DELETE_OWNERS and p.project_id]
        users += [x.project_id for x in SubnetRepo(s).on_network(net.id)]
        if any(orphaned(u) for u in users):
            raise exc.Conflict(f"RBAC policy on object {net.id} cannot be removed because other "
                               "objects depend on it.", error_type="RbacPolicyInUse")
