"""Domains and projects (with hierarchy and tags)."""

from __future__ import annotations

import contextlib
from typing import Any

from pocketstack.common import exceptions as exc
from pocketstack.db.engine import Database
from pocketstack.db.models.identity import (
    ApplicationCredential,
    Assignment,
    Domain,
    Group,
    Project,
    ProjectEndpoint,
    ProjectTag,
    Role,
    Trust,
    User,
)
from pocketstack.db.repositories.identity.catalog import ProjectEndpointRepo
from pocketstack.db.repositories.identity.extras import AppCredRepo
from pocketstack.db.repositories.identity.resources import DomainRepo, ProjectRepo, ProjectTagRepo
from pocketstack.db.repositories.identity.roles import AssignmentRepo, RoleRepo
from pocketstack.db.repositories.identity.users import GroupRepo, UserRepo
from pocketstack.services.identity.tokens import add_revocation
from pocketstack.services.identity.trusts import end_trusts_where
from pocketstack.services.identity.validation import fresh_id, keep_id

DEFAULT_DOMAIN = "default"


class ResourceService:
    def __init__(self, db: Database) -> None:
        self.db = db

    # -- domains ----------------------------------------------------------------------
    def create_domain(self, data: dict[str, Any], domain_id: str | None = None) -> Domain:
        """``domain_id``: an explicit id (Keystone's explicit_domain_id), else a new one."""
        with self.db.write() as s:
            domain = Domain(
                id=domain_id or fresh_id(data),
                name=data.pop("name"),
                description=data.pop("description", None),
                enabled=data.pop("enabled", True),
                tags=data.pop("tags", None) or [],
                options=data.pop("options", None) or {},
                extra=data,
            )
            return DomainRepo(s).add(
                domain, conflict=f"Conflict occurred attempting to store domain - Duplicate "
                f"entry found with name {domain.name}."
            )

    def get_domain(self, domain_id: str) -> Domain:
        with self.db.read() as s:
            return self._domain(s, domain_id)

    @staticmethod
    def _domain(s: Any, domain_id: str, *, lock: bool = False) -> Domain:
        repo = DomainRepo(s)
        domain = repo.get_for_update(domain_id) if lock else repo.get(domain_id)
        if domain is None:
            raise exc.NotFound(f"Could not find domain: {domain_id}.")
        return domain

    def list_domains(self, *, name: str | None = None, enabled: bool | None = None,
                     ids: set[str] | None = None) -> list[Domain]:
        with self.db.read() as s:
            where = []
            if name is not None:
                where.append(Domain.name == name)
            if enabled is not None:
                where.append(Domain.enabled == enabled)
            if ids is not None:
                where.append(Domain.id.in_(ids))
            return list(DomainRepo(s).find(*where, order_by=Domain.name))

    def update_domain(self, domain_id: str, data: dict[str, Any]) -> Domain:
        with self.db.write() as s:
            repo = DomainRepo(s)
            domain = self._domain(s, domain_id)
            if domain_id == DEFAULT_DOMAIN and data.get("enabled") is False:
                raise exc.ValidationError("The default domain cannot be disabled.")
            keep_id(data, domain.id)
            for key in ("name", "description", "enabled", "tags", "options"):
                if key in data:
                    setattr(domain, key, data.pop(key))
            domain.extra = {**(domain.extra or {}), **data}
            repo.flush(conflict=f"Duplicate entry found with name {domain.name}.")
            if domain.enabled is False:
                add_revocation(s, domain_id=domain.id)
            return domain

    def delete_domain(self, domain_id: str) -> None:
        """Deletes a disabled domain and everything it owns (projects, users, groups...)."""
        with self.db.write() as s:
            domain = self._domain(s, domain_id, lock=True)
            if domain.enabled:
                raise exc.Forbidden(
                    "Cannot delete a domain that is enabled, please disable it first."
                )
            if domain_id == DEFAULT_DOMAIN:
                raise exc.Forbidden("The default domain cannot be deleted.")
            projects = ProjectRepo(s).in_domain(domain_id)
            users = UserRepo(s).find(User.domain_id == domain_id)
            groups = GroupRepo(s).find(Group.domain_id == domain_id)
            actor_or_target = (
                [p.id for p in projects] + [u.id for u in users] + [g.id for g in groups]
                + [domain_id]
            )
            assignments = AssignmentRepo(s)
            assignments.delete_where(Assignment.actor_id.in_(actor_or_target))
            assignments.delete_where(Assignment.target_id.in_(actor_or_target))
            RoleRepo(s).delete_where(Role.domain_id == domain_id)
            for obj in sorted(projects, key=lambda p: p.parent_id is None):
                s.delete(obj)
            for obj in [*users, *groups]:
                s.delete(obj)
            s.flush()
            add_revocation(s, domain_id=domain_id)
            s.delete(domain)

    # -- projects ---------------------------------------------------------------------
    def create_project(self, data: dict[str, Any], *, default_domain: str) -> tuple[Project, list[str]]:
        tags = list(data.pop("tags", None) or [])
        if data.pop("is_domain", False):
            # A project acting as a domain is a domain, seen through the projects API.
            if data.get("parent_id") or data.get("domain_id"):
                raise exc.ValidationError("A project that is a domain has no parent or domain.")
            domain = self.create_domain({k: v for k, v in data.items() if k != "parent_id"})
            return domain_as_project(domain), []
        with self.db.write() as s:
            parent_id = data.pop("parent_id", None)
            domain_id = data.pop("domain_id", None)
            if parent_id:
                parent = ProjectRepo(s).get(parent_id)
                if parent is None:
                    raise exc.NotFound(f"Could not find project: {parent_id}.")
                if domain_id and domain_id != parent.domain_id:
                    raise exc.ValidationError("A project must be in the same domain as its parent.")
                domain_id = parent.domain_id
            domain_id = domain_id or default_domain
            if DomainRepo(s).get(domain_id) is None:
                raise exc.NotFound(f"Could not find domain: {domain_id}.")
            project = Project(
                id=fresh_id(data),
                name=data.pop("name"),
                domain_id=domain_id,
                parent_id=parent_id,
                description=data.pop("description", None) or "",
                enabled=data.pop("enabled", True),
                is_domain=False,
                options=data.pop("options", None) or {},
                extra=data,
            )
            ProjectRepo(s).add(
                project,
                conflict=f"Conflict occurred attempting to store project - it is not permitted "
                f"to have two projects with the same name in the same domain : {project.name}.",
            )
            ProjectTagRepo(s).replace(project.id, tags)
            return project, sorted(set(tags))

    def get_project(self, project_id: str) -> tuple[Project, list[str]]:
        with self.db.read() as s:
            if ProjectRepo(s).get(project_id) is None:
                domain = DomainRepo(s).get(project_id)
                if domain is not None:
                    return domain_as_project(domain), []
            project = self._project(s, project_id)
            return project, ProjectTagRepo(s).tags(project_id)

    def list_domain_projects(self) -> list[tuple[Project, list[str]]]:
        return [(domain_as_project(d), []) for d in self.list_domains()]

    def _is_domain(self, project_id: str) -> bool:
        with self.db.read() as s:
            return ProjectRepo(s).get(project_id) is None and DomainRepo(s).get(project_id) is not None

    @staticmethod
    def _project(s: Any, project_id: str, *, lock: bool = False) -> Project:
        repo = ProjectRepo(s)
        project = repo.get_for_update(project_id) if lock else repo.get(project_id)
        if project is None:
            raise exc.NotFound(f"Could not find project: {project_id}.")
        return project

    def list_projects(self, *, filters: dict[str, Any], ids: set[str] | None = None,
                      tags_all: list[str] | None = None, tags_any: list[str] | None = None,
                      not_tags: list[str] | None = None, not_tags_any: list[str] | None = None
                      ) -> list[tuple[Project, list[str]]]:
        with self.db.read() as s:
            where = [Project.is_domain.is_(False)]
            for key in ("name", "domain_id", "parent_id", "enabled"):
                if filters.get(key) is not None:
                    where.append(getattr(Project, key) == filters[key])
            if ids is not None:
                where.append(Project.id.in_(ids))
            projects = list(ProjectRepo(s).find(*where, order_by=Project.name))
            tagmap = ProjectTagRepo(s).tags_for([p.id for p in projects])
        out = []
        for p in projects:
            tags = set(tagmap[p.id])
            if tags_all and not set(tags_all) <= tags:
                continue
            if tags_any and not set(tags_any) & tags:
                continue
            if not_tags and set(not_tags) <= tags:
                continue
            if not_tags_any and set(not_tags_any) & tags:
                continue
            out.append((p, tagmap[p.id]))
        return out

    def update_project(self, project_id: str, data: dict[str, Any]) -> tuple[Project, list[str]]:
        if self._is_domain(project_id):
            wanted = {k: v for k, v in data.items() if k in ("name", "description", "enabled")}
            return domain_as_project(self.update_domain(project_id, wanted)), []
        with self.db.write() as s:
            project = self._project(s, project_id)
            keep_id(data, project.id)
            data.pop("is_domain", None)
            if "domain_id" in data and data.pop("domain_id") != project.domain_id:
                raise exc.ValidationError("Update of `domain_id` is not allowed.")
            if "parent_id" in data and data.pop("parent_id") != project.parent_id:
                raise exc.Forbidden("Update of `parent_id` is not allowed.")
            tags = data.pop("tags", None)
            for key in ("name", "description", "enabled", "options"):
                if key in data:
                    setattr(project, key, data.pop(key))
            project.extra = {**(project.extra or {}), **data}
            ProjectRepo(s).flush(conflict=f"Duplicate project name {project.name} in domain.")
            tagrepo = ProjectTagRepo(s)
            if tags is not None:
                tagrepo.replace(project.id, list(tags))
            if project.enabled is False:
                add_revocation(s, project_id=project.id)
            return project, tagrepo.tags(project.id)

    def delete_project(self, project_id: str) -> None:
        if self._is_domain(project_id):
            self.delete_domain(project_id)
            return
        with self.db.write() as s:
            project = self._project(s, project_id, lock=True)
            if ProjectRepo(s).children(project_id):
                raise exc.Forbidden(f"Cannot delete project {project_id}: it has child projects.")
            AssignmentRepo(s).delete_where(Assignment.target_id == project_id)
            AppCredRepo(s).delete_where(ApplicationCredential.project_id == project_id)
            ProjectEndpointRepo(s).delete_where(ProjectEndpoint.project_id == project_id)
            end_trusts_where(s, Trust.project_id == project_id)
            add_revocation(s, project_id=project_id)
            ProjectRepo(s).delete(project)

    def subtree(self, project_id: str) -> list[Project]:
        with self.db.read() as s:
            return ProjectRepo(s).descendants(project_id)

    def parents(self, project_id: str) -> list[Project]:
        with self.db.read() as s:
            return ProjectRepo(s).ancestors(self._project(s, project_id))

    # -- project tags -----------------------------------------------------------------
    def set_tags(self, project_id: str, tags: list[str]) -> list[str]:
        with self.db.write() as s:
            self._project(s, project_id)
            ProjectTagRepo(s).replace(project_id, tags)
            return ProjectTagRepo(s).tags(project_id)

    def add_tag(self, project_id: str, tag: str) -> None:
        with self.db.write() as s:
            self._project(s, project_id)
            repo = ProjectTagRepo(s)
            current = repo.tags(project_id)
            if tag not in current:
                if len(current) >= 80:
                    raise exc.ValidationError("A project may have at most 80 tags.")
                with contextlib.suppress(exc.Conflict):  # idempotent under concurrency
                    repo.add(ProjectTag(project_id=project_id, name=tag))

    def remove_tag(self, project_id: str, tag: str) -> None:
        with self.db.write() as s:
            self._project(s, project_id)
            repo = ProjectTagRepo(s)
            current = repo.tags(project_id)
            if tag not in current:
                raise exc.NotFound(f"Tag {tag} not found on project {project_id}.")
            repo.replace(project_id, [t for t in current if t != tag])

    def global_role(self, s: Any, name: str) -> Role | None:
        return RoleRepo(s).by_name(name)


def domain_as_project(domain: Domain) -> Project:
    """The project view of a domain (Keystone models domains as projects with is_domain)."""
    return Project(id=domain.id, name=domain.name, domain_id=None, parent_id=None,
                   description=domain.description or "", enabled=domain.enabled, is_domain=True,
                   extra={}, options={})
