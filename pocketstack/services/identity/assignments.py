"""Role resolution: which roles an actor effectively holds on a project, domain or system.

Effective roles = direct grants to the user and to the user's groups on the target, plus
grants marked inherited on the project's domain or on any of its parent projects, expanded
through implied roles (transitively).
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from pocketstack.db.models.identity import Project
from pocketstack.db.repositories.identity.resources import ProjectRepo
from pocketstack.db.repositories.identity.roles import AssignmentRepo, ImpliedRoleRepo
from pocketstack.db.repositories.identity.users import MembershipRepo

SYSTEM = "system"

USER_PROJECT = "UserProject"
GROUP_PROJECT = "GroupProject"
USER_DOMAIN = "UserDomain"
GROUP_DOMAIN = "GroupDomain"
USER_SYSTEM = "UserSystem"
GROUP_SYSTEM = "GroupSystem"


def assignment_type(actor: str, target: str) -> str:
    """actor: 'user' | 'group'; target: 'project' | 'domain' | 'system'."""
    return f"{actor.capitalize()}{target.capitalize()}"


def project_targets(session: Session, project: Project) -> list[tuple[str, bool]]:
    """(target_id, inherited) pairs whose grants reach a project."""
    targets = [(project.id, False), (project.domain_id, True)]
    targets.extend((p.id, True) for p in ProjectRepo(session).ancestors(project))
    return targets


def direct_role_ids(
    session: Session,
    user_id: str,
    *,
    project: Project | None = None,
    domain_id: str | None = None,
    system: bool = False,
) -> set[str]:
    actors = [user_id, *MembershipRepo(session).group_ids_of(user_id)]
    if project is not None:
        targets = project_targets(session, project)
    elif domain_id is not None:
        targets = [(domain_id, False)]
    elif system:
        targets = [(SYSTEM, False)]
    else:
        return set()
    rows = AssignmentRepo(session).for_actors_on_targets(actors, targets)
    return {r.role_id for r in rows}


def expand_implied(session: Session, role_ids: set[str]) -> set[str]:
    pairs = ImpliedRoleRepo(session).all_pairs()
    if not pairs:
        return set(role_ids)
    implies: dict[str, list[str]] = {}
    for prior, implied in pairs:
        implies.setdefault(prior, []).append(implied)
    out = set(role_ids)
    frontier = list(role_ids)
    while frontier:
        rid = frontier.pop()
        for nxt in implies.get(rid, ()):
            if nxt not in out:
                out.add(nxt)
                frontier.append(nxt)
    return out


def effective_role_ids(
    session: Session,
    user_id: str,
    *,
    project: Project | None = None,
    domain_id: str | None = None,
    system: bool = False,
) -> set[str]:
    direct = direct_role_ids(session, user_id, project=project, domain_id=domain_id, system=system)
    return expand_implied(session, direct) if direct else set()
