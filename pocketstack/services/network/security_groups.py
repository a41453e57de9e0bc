"""Security groups and rules, with each project's 'default' group and Neutron's default
rules (ingress from the group itself, all egress, for IPv4 and IPv6)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from pocketstack.common import exceptions as exc
from pocketstack.common.context import RequestContext
from pocketstack.common.ids import new_uuid
from pocketstack.db.models.network import DefaultSecurityGroup, SecurityGroup, SecurityGroupRule
from pocketstack.db.repositories.network.misc import TagRepo
from pocketstack.db.repositories.network.ports import PortSecurityGroupRepo
from pocketstack.db.repositories.network.security import RuleRepo, SecurityGroupRepo
from pocketstack.services.network import rule_checks as rc
from pocketstack.services.network.base import (
    ServiceBase,
    bool_filter,
    bump,
    not_found,
    nullable_str,
    stamp_new,
    std_columns,
)
from pocketstack.services.network.query import ListQuery


@dataclass
class GroupView:
    group: SecurityGroup
    rules: list[SecurityGroupRule]
    tags: list[str] = field(default_factory=list)


class SecurityGroupService(ServiceBase):
    resource = "security_group"

    # -- default group ----------------------------------------------------------------------
    def ensure_default(self, s: Session, project_id: str) -> str:
        """The project's default group id, created with its rules on first need."""
        repo = SecurityGroupRepo(s)
        existing = repo.default_id(project_id)
        if existing:
            return existing
        sg = SecurityGroup(id=new_uuid(), project_id=project_id, name="default", stateful=True)
        stamp_new(sg, "Default security group")
        s.add(sg)
        s.flush()
        s.add(DefaultSecurityGroup(project_id=project_id, security_group_id=sg.id))
        for ether in ("IPv4", "IPv6"):
            self._add_rule(s, sg, {"direction": "ingress", "ethertype": ether,
                                   "remote_group_id": sg.id})
            self._add_rule(s, sg, {"direction": "egress", "ethertype": ether})
        s.flush()
        return sg.id

    def ensure_default_now(self, project_id: str | None) -> None:
        if not project_id:
            return
        if self.tx.read(lambda s: SecurityGroupRepo(s).default_id(project_id)):
            return
        self.tx.write(lambda s: self.ensure_default(s, project_id))

    @staticmethod
    def _add_rule(s: Session, sg: SecurityGroup, data: dict[str, Any]) -> SecurityGroupRule:
        rule = SecurityGroupRule(
            id=new_uuid(), security_group_id=sg.id, project_id=sg.project_id,
            direction=data["direction"], ethertype=data["ethertype"],
            protocol=data.get("protocol"), port_range_min=data.get("port_range_min"),
            port_range_max=data.get("port_range_max"),
            remote_ip_prefix=data.get("remote_ip_prefix"),
            normalized_cidr=data.get("normalized_cidr"),
            remote_group_id=data.get("remote_group_id"), fingerprint=rc.fingerprint(data))
        stamp_new(rule, data.get("description") or "")
        s.add(rule)
        return rule

    # -- groups -----------------------------------------------------------------------------
    @staticmethod
    def columns() -> dict[str, tuple[Any, Any]]:
        cols = std_columns(SecurityGroup)
        cols["stateful"] = (SecurityGroup.stateful, bool_filter)
        return cols

    def list(self, ctx: RequestContext, q: ListQuery) -> list[GroupView]:
        self.ensure_default_now(ctx.project_id)

        def work(s: Session) -> list[GroupView]:
            where = [] if ctx.is_admin else [SecurityGroupRepo.visible(ctx.project_id)]
            q.pop("security_group_rules")
            groups = list(SecurityGroupRepo(s).list(self.listing(q, SecurityGroup,
                                                                 self.columns(), where)))
            return self._views(s, groups)
        return self.tx.read(work)

    def _views(self, s: Session, groups: list[SecurityGroup]) -> list[GroupView]:
        ids = [g.id for g in groups]
        rules = RuleRepo(s).for_groups(ids)
        tags = self.tags_of(s, ids)
        return [GroupView(g, rules.get(g.id, []), tags.get(g.id, [])) for g in groups]

    def get(self, ctx: RequestContext, sg_id: str) -> GroupView:
        return self.tx.read(lambda s: self._views(s, [self.own(s, ctx, sg_id)])[0])

    def own(self, s: Session, ctx: RequestContext, sg_id: str) -> SecurityGroup:
        sg = SecurityGroupRepo(s).get(sg_id)
        if sg is None or not (ctx.is_admin or sg.project_id == ctx.project_id):
            raise not_found("security_group", sg_id)
        return sg

    def create(self, ctx: RequestContext, items: list[dict[str, Any]]) -> list[GroupView]:
        def work(s: Session) -> list[GroupView]:
            out = []
            for data in items:
                data = dict(data)
                project = self.project_for(ctx, data)
                self.ensure_default(s, project)
                if data.get("name") == "default":
                    raise exc.Conflict("Default security group already exists.",
                                       error_type="SecurityGroupDefaultAlreadyExists")
                self.net.quotas.check(s, project, "security_group", 1)
                sg = SecurityGroup(id=new_uuid(), project_id=project, name=data.get("name", ""),
                                   stateful=data.get("stateful", True))
                stamp_new(sg, data.get("description", ""))
                s.add(sg)
                s.flush()
                for ether in ("IPv4", "IPv6"):
                    self._add_rule(s, sg, {"direction": "egress", "ethertype": ether})
                if data.get("tags"):
                    TagRepo(s).replace("security_groups", sg.id, data["tags"])
                s.flush()
                out.append(sg)
            return self._views(s, out)
        return self.tx.write(work)

    def update(self, ctx: RequestContext, sg_id: str, data: dict[str, Any]) -> GroupView:
        def work(s: Session) -> GroupView:
            sg = self.own(s, ctx, sg_id)
            if "name" in data and data["name"] != sg.name:
                if sg.name == "default" and SecurityGroupRepo(s).default_id(sg.project_id) \
                        == sg.id:
                    raise exc.Conflict("Updating default security group not allowed.",
                                       error_type="SecurityGroupCannotUpdateDefault")
                if data["name"] == "default":
                    raise exc.Conflict("Default security group already exists.",
                                       error_type="SecurityGroupDefaultAlreadyExists")
            if "stateful" in data and data["stateful"] != sg.stateful and \
                    PortSecurityGroupRepo(s).in_use(sg.id):
                raise exc.Conflict(f"Security Group {sg.id} in use.",
                                   error_type="SecurityGroupInUse")
            for key in ("name", "description", "stateful"):
                if key in data:
                    setattr(sg, key, data[key])
            bump(sg)
            s.flush()
            return self._views(s, [sg])[0]
        return self.tx.write(work)

    def delete(self, ctx: RequestContext, sg_id: str) -> None:
        def work(s: Session) -> None:
            sg = self.own(s, ctx, sg_id)
            if SecurityGroupRepo(s).default_id(sg.project_id) == sg.id and not ctx.is_admin:
                raise exc.Conflict("Insufficient rights for removing default security group.",
                                   error_type="SecurityGroupCannotRemoveDefault")
            if PortSecurityGroupRepo(s).in_use(sg.id):
                raise exc.Conflict(f"Security Group {sg.id} in use.",
                                   error_type="SecurityGroupInUse")
            TagRepo(s).purge([sg.id])
            s.delete(sg)
        self.tx.write(work)

    # -- rules ------------------------------------------------------------------------------
    @staticmethod
    def rule_columns() -> dict[str, tuple[Any, Any]]:
        m = SecurityGroupRule
        return {"id": (m.id, str), "project_id": (m.project_id, str),
                "tenant_id": (m.project_id, str), "description": (m.description, str),
                "revision_number": (m.revision_number, int),
                "security_group_id": (m.security_group_id, str),
                "direction": (m.direction, str), "ethertype": (m.ethertype, str),
                "protocol": (m.protocol, nullable_str),
                "port_range_min": (m.port_range_min, int),
                "port_range_max": (m.port_range_max, int),
                "remote_ip_prefix": (m.remote_ip_prefix, nullable_str),
                "remote_group_id": (m.remote_group_id, nullable_str),
                "normalized_cidr": (m.normalized_cidr, nullable_str),
                "created_at": (m.created_at, str), "updated_at": (m.updated_at, str)}

    def list_rules(self, ctx: RequestContext, q: ListQuery) -> list[SecurityGroupRule]:
        def work(s: Session) -> list[SecurityGroupRule]:
            where = [] if ctx.is_admin else [RuleRepo.visible(ctx.project_id)]
            q.pop("remote_address_group_id")
            q.pop("belongs_to_default_sg")
            return list(RuleRepo(s).list(self.listing(q, SecurityGroupRule,
                                                      self.rule_columns(), where)))
        return self.tx.read(work)

    def get_rule(self, ctx: RequestContext, rule_id: str) -> SecurityGroupRule:
        return self.tx.read(lambda s: self._rule(s, ctx, rule_id))

    @staticmethod
    def _rule(s: Session, ctx: RequestContext, rule_id: str) -> SecurityGroupRule:
        rule = RuleRepo(s).get(rule_id)
        if rule is None:
            raise not_found("security_group_rule", rule_id)
        if not ctx.is_admin and rule.project_id != ctx.project_id:
            sg = SecurityGroupRepo(s).get(rule.security_group_id)
            if sg is None or sg.project_id != ctx.project_id:
                raise not_found("security_group_rule", rule_id)
        return rule

    def create_rules(self, ctx: RequestContext, items: list[dict[str, Any]]
                     ) -> list[SecurityGroupRule]:
        checked = [self._check_rule(dict(d)) for d in items]

        def work(s: Session) -> list[SecurityGroupRule]:
            out = []
            for data in checked:
                sg = self.own(s, ctx, data["security_group_id"])
                if data.get("remote_group_id"):
                    remote = SecurityGroupRepo(s).get(data["remote_group_id"])
                    if remote is None or not (ctx.is_admin or
                                              remote.project_id == ctx.project_id):
                        raise not_found("security_group", data["remote_group_id"])
                self.net.quotas.check(s, sg.project_id, "security_group_rule", 1)
                dup = RuleRepo(s).duplicate_of(sg.id, rc.fingerprint(data))
                if dup is not None:
                    raise exc.Conflict(f"Security group rule already exists. Rule id is "
                                       f"{dup.id}.", error_type="SecurityGroupRuleExists")
                out.append(self._add_rule(s, sg, data))
                bump(sg)
                s.flush()
            return out
        return self.tx.write(work)

    @staticmethod
    def _check_rule(data: dict[str, Any]) -> dict[str, Any]:
        data["ethertype"] = rc.ethertype(data.get("ethertype"))
        data["protocol"] = rc.protocol(data.get("protocol"))
        data["port_range_min"] = rc.port_value(data.get("port_range_min"))
        data["port_range_max"] = rc.port_value(data.get("port_range_max"))
        rc.ports(data["protocol"], data["port_range_min"], data["port_range_max"])
        rc.ethertype_protocol(data["ethertype"], data["protocol"])
        if data.get("remote_ip_prefix") is not None and data.get("remote_group_id"):
            raise exc.BadRequest("Only remote_ip_prefix or remote_group_id may be provided.",
                                 error_type="SecurityGroupRemoteGroupAndRemoteIpPrefix")
        data["remote_ip_prefix"], data["normalized_cidr"] = rc.remote_prefix(
            data.get("remote_ip_prefix"), data["ethertype"])
        return data

    def delete_rule(self, ctx: RequestContext, rule_id: str) -> None:
        def work(s: Session) -> None:
            rule = self._rule(s, ctx, rule_id)
            sg = SecurityGroupRepo(s).get(rule.security_group_id)
            s.delete(rule)
            if sg is not None:
                bump(sg)
        self.tx.write(work)

    # -- for ports --------------------------------------------------------------------------
    def check_usable(self, s: Session, ctx: RequestContext, project_id: str,
                     sg_ids: list[str]) -> None:
        groups = {g.id: g for g in SecurityGroupRepo(s).by_ids(sg_ids)}
        for sg_id in sg_ids:
            g = groups.get(sg_id)
            if g is None or not (ctx.is_admin or g.project_id in (project_id, ctx.project_id)):
                raise not_found("security_group", sg_id)
