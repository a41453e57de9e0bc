"""Roles, implied roles, grants and role-assignment queries (incl. effective expansion)."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from pocketstack.common import exceptions as exc
from pocketstack.db.engine import Database
from pocketstack.db.models.identity import ApplicationCredential, Assignment, ImpliedRole, Role
from pocketstack.db.repositories.identity.extras import AppCredRepo
from pocketstack.db.repositories.identity.resources import DomainRepo, ProjectRepo
from pocketstack.db.repositories.identity.roles import (
    GLOBAL,
    AssignmentRepo,
    ImpliedRoleRepo,
    RoleRepo,
)
from pocketstack.db.repositories.identity.users import GroupRepo, MembershipRepo, UserRepo
from pocketstack.services.identity.assignments import SYSTEM, assignment_type
from pocketstack.services.identity.validation import fresh_id, keep_id

RESERVED_IMPLIED = {"admin"}  # keystone refuses 'admin' as an implied role by default


@dataclass(frozen=True)
class Grant:
    """One row of GET /v3/role_assignments."""

    role_id: str
    actor: str  # 'user' | 'group'
    actor_id: str
    target: str  # 'project' | 'domain' | 'system'
    target_id: str
    inherited: bool = False
    via_group: str | None = None  # effective: the group the user got it through
    prior_role_id: str | None = None  # effective: the role that implied this one


class RoleService:
    def __init__(self, db: Database) -> None:
        self.db = db

    # -- roles ------------------------------------------------------------------------
    def create_role(self, data: dict[str, Any]) -> Role:
        with self.db.write() as s:
            domain_id = data.pop("domain_id", None)
            if domain_id and DomainRepo(s).get(domain_id) is None:
                raise exc.NotFound(f"Could not find domain: {domain_id}.")
            role = Role(
                id=fresh_id(data),
                name=data.pop("name"),
                domain_id=domain_id or GLOBAL,
                description=data.pop("description", None),
                options=data.pop("options", None) or {},
                extra=data,
            )
            return RoleRepo(s).add(
                role, conflict=f"Conflict occurred attempting to store role - Duplicate entry "
                f"found with name {role.name}."
            )

    def get_role(self, role_id: str) -> Role:
        with self.db.read() as s:
            return self._role(s, role_id)

    @staticmethod
    def _role(s: Session, role_id: str, *, lock: bool = False) -> Role:
        repo = RoleRepo(s)
        role = repo.get_for_update(role_id) if lock else repo.get(role_id)
        if role is None:
            raise exc.NotFound(f"Could not find role: {role_id}.")
        return role

    def list_roles(self, *, name: str | None = None, domain_id: str | None = None) -> list[Role]:
        with self.db.read() as s:
            where = [Role.domain_id == (domain_id or GLOBAL)]
            if name is not None:
                where.append(Role.name == name)
            return list(RoleRepo(s).find(*where, order_by=Role.name))

    def update_role(self, role_id: str, data: dict[str, Any]) -> Role:
        with self.db.write() as s:
            role = self._role(s, role_id)
            keep_id(data, role.id)
            if "domain_id" in data and (data.pop("domain_id") or GLOBAL) != role.domain_id:
                raise exc.ValidationError("Update of `domain_id` is not allowed.")
            for key in ("name", "description", "options"):
                if key in data:
                    setattr(role, key, data.pop(key))
            role.extra = {**(role.extra or {}), **data}
            RoleRepo(s).flush(conflict=f"Duplicate entry found with name {role.name}.")
            return role

    def delete_role(self, role_id: str) -> None:
        with self.db.write() as s:
            role = self._role(s, role_id, lock=True)
            if (role.options or {}).get("immutable"):
                raise exc.Forbidden(f"Role {role_id} is immutable and cannot be deleted.")
            AssignmentRepo(s).delete_where(Assignment.role_id == role_id)
            ImpliedRoleRepo(s).delete_where(
                (ImpliedRole.prior_role_id == role_id) | (ImpliedRole.implied_role_id == role_id)
            )
            RoleRepo(s).delete(role)

    # -- implied roles ----------------------------------------------------------------
    def create_implied(self, prior_id: str, implied_id: str) -> tuple[Role, Role]:
        with self.db.write() as s:
            prior, implied = self._role(s, prior_id), self._role(s, implied_id)
            if implied.name in RESERVED_IMPLIED:
                raise exc.Forbidden(f"{implied.name} cannot be an implied role.")
            if prior.domain_id == GLOBAL and implied.domain_id != GLOBAL:
                raise exc.Forbidden("A global role cannot imply a domain-specific role.")
            repo = ImpliedRoleRepo(s)
            if self._reaches(repo.all_pairs(), implied_id, prior_id):
                raise exc.Forbidden("Implied role would create a cycle.")
            if repo.get((prior_id, implied_id)) is None:
                repo.add(ImpliedRole(prior_role_id=prior_id, implied_role_id=implied_id))
            return prior, implied

    @staticmethod
    def _reaches(pairs: list[tuple[str, str]], start: str, goal: str) -> bool:
        graph: dict[str, list[str]] = {}
        for a, b in pairs:
            graph.setdefault(a, []).append(b)
        seen, stack = set(), [start]
        while stack:
            node = stack.pop()
            if node == goal:
                return True
            if node not in seen:
                seen.add(node)
                stack.extend(graph.get(node, ()))
        return False

    def get_implied(self, prior_id: str, implied_id: str) -> tuple[Role, Role]:
        with self.db.read() as s:
            prior, implied = self._role(s, prior_id), self._role(s, implied_id)
            if ImpliedRoleRepo(s).get((prior_id, implied_id)) is None:
                raise exc.NotFound(f"{prior_id} does not imply {implied_id}.")
            return prior, implied

    def delete_implied(self, prior_id: str, implied_id: str) -> None:
        with self.db.write() as s:
            self._role(s, prior_id)
            self._role(s, implied_id)
            repo = ImpliedRoleRepo(s)
            row = repo.get((prior_id, implied_id))
            if row is None:
                raise exc.NotFound(f"{prior_id} does not imply {implied_id}.")
            repo.delete(row)

    def implied_by(self, prior_id: str | None = None) -> list[tuple[Role, list[Role]]]:
        """[(prior, [implied...])] for one prior role or for all of them."""
        with self.db.read() as s:
            if prior_id:
                self._role(s, prior_id)
            pairs = ImpliedRoleRepo(s).all_pairs()
            if prior_id:
                pairs = [p for p in pairs if p[0] == prior_id]
            roles = {r.id: r for r in RoleRepo(s).by_ids({x for p in pairs for x in p})}
            grouped: dict[str, list[Role]] = {}
            for a, b in pairs:
                grouped.setdefault(a, []).append(roles[b])
            if prior_id and prior_id not in grouped:
                return [(self._role(s, prior_id), [])]
            return [(roles[a], sorted(v, key=lambda r: r.name)) for a, v in grouped.items()]

    # -- grants -----------------------------------------------------------------------
    def _check_grant_parts(
        self, s: Session, actor: str, actor_id: str, target: str, target_id: str, role_id: str
    ) -> Role:
        role = self._role(s, role_id)
        if actor == "user":
            if UserRepo(s).get(actor_id) is None:
                raise exc.NotFound(f"Could not find user: {actor_id}.")
        elif GroupRepo(s).get(actor_id) is None:
            raise exc.NotFound(f"Could not find group: {actor_id}.")
        if target == "project":
            project = ProjectRepo(s).get(target_id)
            if project is None:
                raise exc.NotFound(f"Could not find project: {target_id}.")
            target_domain = project.domain_id
        elif target == "domain":
            if DomainRepo(s).get(target_id) is None:
                raise exc.NotFound(f"Could not find domain: {target_id}.")
            target_domain = target_id
        else:
            target_domain = None
        if role.domain_id != GLOBAL and role.domain_id != target_domain:
            raise exc.Forbidden("A domain-specific role can only be granted within its domain.")
        return role

    def grant(self, actor: str, actor_id: str, target: str, target_id: str, role_id: str,
              *, inherited: bool = False) -> None:
        target_id = SYSTEM if target == "system" else target_id
        with self.db.write() as s:
            self._check_grant_parts(s, actor, actor_id, target, target_id, role_id)
            repo = AssignmentRepo(s)
            key = (assignment_type(actor, target), actor_id, target_id, role_id, inherited)
            if repo.get(key) is None:
                # Idempotent: a concurrent identical grant that wins the race is success too.
                with contextlib.suppress(exc.Conflict):
                    repo.add(Assignment(type=key[0], actor_id=actor_id, target_id=target_id,
                                        role_id=role_id, inherited=inherited))

    def check_grant(self, actor: str, actor_id: str, target: str, target_id: str, role_id: str,
                    *, inherited: bool = False) -> None:
        target_id = SYSTEM if target == "system" else target_id
        with self.db.read() as s:
            self._check_grant_parts(s, actor, actor_id, target, target_id, role_id)
            key = (assignment_type(actor, target), actor_id, target_id, role_id, inherited)
            if AssignmentRepo(s).get(key) is None:
                raise exc.NotFound(f"Could not find role assignment with role: {role_id}, "
                                   f"{actor}: {actor_id}, {target}: {target_id}.")

    def revoke(self, actor: str, actor_id: str, target: str, target_id: str, role_id: str,
               *, inherited: bool = False) -> None:
        target_id = SYSTEM if target == "system" else target_id
        with self.db.write() as s:
            self._check_grant_parts(s, actor, actor_id, target, target_id, role_id)
            repo = AssignmentRepo(s)
            row = repo.get((assignment_type(actor, target), actor_id, target_id, role_id,
                            inherited))
            if row is None:
                raise exc.NotFound(f"Could not find role assignment with role: {role_id}, "
                                   f"{actor}: {actor_id}, {target}: {target_id}.")
            repo.delete(row)
            if actor == "user" and target == "project" and not inherited:
                # As Keystone: a user losing a role on a project loses the application
                # credentials made for that project.
                AppCredRepo(s).delete_where(ApplicationCredential.user_id == actor_id,
                                            ApplicationCredential.project_id == target_id)

    def roles_of(self, actor: str, actor_id: str, target: str, target_id: str,
                 *, inherited: bool = False) -> list[Role]:
        target_id = SYSTEM if target == "system" else target_id
        with self.db.read() as s:
            if actor == "user" and UserRepo(s).get(actor_id) is None:
                raise exc.NotFound(f"Could not find user: {actor_id}.")
            if actor == "group" and GroupRepo(s).get(actor_id) is None:
                raise exc.NotFound(f"Could not find group: {actor_id}.")
            if target == "project" and ProjectRepo(s).get(target_id) is None:
                raise exc.NotFound(f"Could not find project: {target_id}.")
            if target == "domain" and DomainRepo(s).get(target_id) is None:
                raise exc.NotFound(f"Could not find domain: {target_id}.")
            rows = AssignmentRepo(s).filtered(
                actor_ids=[actor_id], target_ids=[target_id],
                types=[assignment_type(actor, target)], inherited=inherited,
            )
            return sorted(RoleRepo(s).by_ids({r.role_id for r in rows}), key=lambda r: r.name)

    # -- listing ----------------------------------------------------------------------
    def list_assignments(self, q: dict[str, Any]) -> list[Grant]:
        """GET /v3/role_assignments. q keys: user_id, group_id, project_id, domain_id,
        system, role_id, inherited (bool|None), effective, include_subtree."""
        with self.db.read() as s:
            grants = [self._to_grant(a) for a in AssignmentRepo(s).filtered()]
            if q.get("effective"):
                grants = self._effective(s, grants)
            return [g for g in grants if self._matches(s, g, q)]

    @staticmethod
    def _to_grant(a: Assignment) -> Grant:
        actor = "user" if a.type.startswith("User") else "group"
        target = a.type[len(actor):].lower()
        return Grant(a.role_id, actor, a.actor_id, target, a.target_id, a.inherited)

    def _effective(self, s: Session, grants: list[Grant]) -> list[Grant]:
        members = MembershipRepo(s)
        projects = ProjectRepo(s)
        out: list[Grant] = []
        for g in grants:
            users = [(g.actor_id, None)] if g.actor == "user" else [
                (u, g.actor_id) for u in members.user_ids_of(g.actor_id)
            ]
            if g.inherited:
                if g.target == "domain":
                    targets = [p.id for p in projects.in_domain(g.target_id)]
                else:
                    targets = [p.id for p in projects.descendants(g.target_id)]
                pairs = [("project", t) for t in targets]
            else:
                pairs = [(g.target, g.target_id)]
            for uid, via in users:
                for target, tid in pairs:
                    out.append(Grant(g.role_id, "user", uid, target, tid, False, via))
        implied = ImpliedRoleRepo(s).all_pairs()
        if implied:
            out = self._add_implied(out, implied)
        # Domain-specific roles only carry the roles they imply; they are never effective.
        global_ids = {r.id for r in RoleRepo(s).by_ids({g.role_id for g in out})
                      if r.domain_id == GLOBAL}
        return [g for g in dict.fromkeys(out) if g.role_id in global_ids]

    @staticmethod
    def _add_implied(grants: list[Grant], pairs: list[tuple[str, str]]) -> list[Grant]:
        graph: dict[str, list[str]] = {}
        for a, b in pairs:
            graph.setdefault(a, []).append(b)
        out = list(grants)
        for g in grants:
            stack = [(g.role_id, r) for r in graph.get(g.role_id, ())]
            seen: set[str] = set()
            while stack:
                prior, rid = stack.pop()
                if rid in seen:
                    continue
                seen.add(rid)
                out.append(Grant(rid, g.actor, g.actor_id, g.target, g.target_id, g.inherited,
                                 g.via_group, prior))
                stack.extend((rid, n) for n in graph.get(rid, ()))
        return out

    def _matches(self, s: Session, g: Grant, q: dict[str, Any]) -> bool:
        if q.get("user_id") and not (g.actor == "user" and g.actor_id == q["user_id"]):
            return False
        if q.get("group_id") and not (g.actor == "group" and g.actor_id == q["group_id"]):
            return False
        if q.get("role_id") and g.role_id != q["role_id"]:
            return False
        if q.get("inherited") is not None and g.inherited != q["inherited"]:
            return False
        if q.get("system") and g.target != "system":
            return False
        if q.get("domain_id") and not (g.target == "domain" and g.target_id == q["domain_id"]):
            return False
        if q.get("project_id"):
            wanted = {q["project_id"]}
            if q.get("include_subtree"):
                wanted |= {p.id for p in ProjectRepo(s).descendants(q["project_id"])}
            if not (g.target == "project" and g.target_id in wanted):
                return False
        return True

    def names_for(self, grants: list[Grant]) -> dict[str, Any]:
        """Names (and domains) of everything the grants mention, for include_names."""
        with self.db.read() as s:
            roles = {r.id: r for r in RoleRepo(s).by_ids({g.role_id for g in grants})}
            users = {u.id: u for u in UserRepo(s).by_ids(
                {g.actor_id for g in grants if g.actor == "user"})}
            groups = {x.id: x for x in GroupRepo(s).by_ids(
                {g.actor_id for g in grants if g.actor == "group"})}
            projects = {p.id: p for p in ProjectRepo(s).by_ids(
                {g.target_id for g in grants if g.target == "project"})}
            dom_ids = {g.target_id for g in grants if g.target == "domain"}
            dom_ids |= {u.domain_id for u in users.values()} | {x.domain_id for x in groups.values()}
            dom_ids |= {p.domain_id for p in projects.values()}
            dom_ids |= {r.domain_id for r in roles.values() if r.domain_id != GLOBAL}
            domains = {d.id: d for d in DomainRepo(s).by_ids(dom_ids)}
            return {"roles": roles, "users": users, "groups": groups, "projects": projects,
                    "domains": domains}

    def user_project_ids(self, user_id: str) -> set[str]:
        """Projects where the user effectively holds any role (for /v3/users/{id}/projects)."""
        grants = self.list_assignments({"effective": True, "user_id": user_id})
        return {g.target_id for g in grants if g.target == "project"}

    def user_domain_ids(self, user_id: str) -> set[str]:
        grants = self.list_assignments({"effective": True, "user_id": user_id})
        return {g.target_id for g in grants if g.target == "domain"}
