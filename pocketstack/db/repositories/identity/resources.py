"""Domains and projects."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select

from pocketstack.db.models.identity import Domain, Project, ProjectTag
from pocketstack.db.repositories.base import Repository


class DomainRepo(Repository[Domain]):
    model = Domain

    def by_name(self, name: str) -> Domain | None:
        return self.first(Domain.name == name)


class ProjectRepo(Repository[Project]):
    model = Project

    def by_name(self, domain_id: str, name: str) -> Project | None:
        return self.first(Project.domain_id == domain_id, Project.name == name)

    def children(self, project_id: str) -> Sequence[Project]:
        return self.find(Project.parent_id == project_id)

    def ancestors(self, project: Project) -> list[Project]:
        """Parents from the nearest up to the top of the tree (excluding the project)."""
        out: list[Project] = []
        seen = {project.id}
        parent_id = project.parent_id
        while parent_id and parent_id not in seen:
            parent = self.get(parent_id)
            if parent is None:
                break
            out.append(parent)
            seen.add(parent.id)
            parent_id = parent.parent_id
        return out

    def descendants(self, project_id: str) -> list[Project]:
        out: list[Project] = []
        frontier = [project_id]
        while frontier:
            kids = self.find(Project.parent_id.in_(frontier))
            out.extend(kids)
            frontier = [k.id for k in kids]
        return out

    def in_domain(self, domain_id: str) -> Sequence[Project]:
        return self.find(Project.domain_id == domain_id)


class ProjectTagRepo(Repository[ProjectTag]):
    model = ProjectTag

    def tags(self, project_id: str) -> list[str]:
        stmt = (
            select(ProjectTag.name)
            .where(ProjectTag.project_id == project_id)
            .order_by(ProjectTag.name)
        )
        return list(self.session.scalars(stmt).all())

    def tags_for(self, project_ids: list[str]) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {pid: [] for pid in project_ids}
        if not project_ids:
            return out
        rows = self.session.execute(
            select(ProjectTag.project_id, ProjectTag.name)
            .where(ProjectTag.project_id.in_(project_ids))
            .order_by(ProjectTag.name)
        )
        for pid, name in rows:
            out[pid].append(name)
        return out

    def replace(self, project_id: str, tags: list[str]) -> None:
        self.delete_where(ProjectTag.project_id == project_id)
        for tag in dict.fromkeys(tags):
            self.session.add(ProjectTag(project_id=project_id, name=tag))
        self.session.flush()
