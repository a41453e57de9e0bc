"""First-start bootstrap, as keystone-manage bootstrap does it, plus DevStack's demo user.

Idempotent: every start re-runs it in one transaction, creating what is missing and keeping
the catalog's endpoint URLs in line with the address the cloud listens on.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from pocketstack.common.ids import new_id
from pocketstack.common.timeutils import utcnow
from pocketstack.db.engine import Database
from pocketstack.db.models.identity import (
    Assignment,
    Domain,
    Endpoint,
    ImpliedRole,
    PasswordHistory,
    Project,
    Region,
    Role,
    Service,
    User,
)
from pocketstack.db.repositories.identity.catalog import EndpointRepo, RegionRepo, ServiceRepo
from pocketstack.db.repositories.identity.resources import DomainRepo, ProjectRepo
from pocketstack.db.repositories.identity.roles import AssignmentRepo, ImpliedRoleRepo, RoleRepo
from pocketstack.db.repositories.identity.users import PasswordHistoryRepo, UserRepo
from pocketstack.services.identity.assignments import SYSTEM
from pocketstack.services.identity.passwords import Hasher


@dataclass(frozen=True)
class PublishedService:
    type: str
    name: str
    url: str  # full public URL of the service's endpoint
    description: str = ""


@dataclass
class BootstrapResult:
    admin_user_id: str
    admin_project_id: str
    demo_user_id: str
    demo_project_id: str
    created: bool


def bootstrap(
    db: Database,
    hasher: Hasher,
    *,
    admin_password: str,
    demo_password: str,
    region: str,
    services: list[PublishedService],
    reset_passwords: bool = False,
) -> BootstrapResult:
    with db.write() as s:
        created = DomainRepo(s).get("default") is None
        if created:
            DomainRepo(s).add(Domain(id="default", name="Default", enabled=True,
                                     description="The default domain", extra={}))
        names = ("admin", "manager", "member", "reader", "service")
        roles = {name: _role(s, name) for name in names}
        # As current Keystone: admin implies manager implies member implies reader.
        _imply(s, roles["admin"], roles["manager"])
        _imply(s, roles["manager"], roles["member"])
        _imply(s, roles["member"], roles["reader"])
        _unimply(s, roles["admin"], roles["member"])  # older data dirs had the direct link
        admin_project = _project(s, "admin", "Bootstrap project for initializing the cloud.")
        _project(s, "service", "Project for the services' own users.")
        demo_project = _project(s, "demo", "DevStack's demo project.")
        admin = _user(s, hasher, "admin", admin_password, admin_project.id, reset_passwords)
        demo = _user(s, hasher, "demo", demo_password, demo_project.id, reset_passwords)
        _grant(s, "UserProject", admin.id, admin_project.id, roles["admin"].id)
        _grant(s, "UserSystem", admin.id, SYSTEM, roles["admin"].id)
        _grant(s, "UserProject", demo.id, demo_project.id, roles["member"].id)
        if RegionRepo(s).get(region) is None:
            RegionRepo(s).add(Region(id=region, description="", extra={}))
        for svc in services:
            _publish(s, svc, region)
        return BootstrapResult(admin.id, admin_project.id, demo.id, demo_project.id, created)


def _role(s: Session, name: str) -> Role:
    repo = RoleRepo(s)
    role = repo.by_name(name)
    if role is None:
        role = repo.add(Role(id=new_id(), name=name, domain_id="<<null>>", extra={},
                             options={"immutable": True} if name != "service" else {}))
    return role


def _imply(s: Session, prior: Role, implied: Role) -> None:
    repo = ImpliedRoleRepo(s)
    if repo.get((prior.id, implied.id)) is None:
        repo.add(ImpliedRole(prior_role_id=prior.id, implied_role_id=implied.id))


def _unimply(s: Session, prior: Role, implied: Role) -> None:
    row = ImpliedRoleRepo(s).get((prior.id, implied.id))
    if row is not None:
        ImpliedRoleRepo(s).delete(row)


def _project(s: Session, name: str, description: str) -> Project:
    repo = ProjectRepo(s)
    project = repo.by_name("default", name)
    if project is None:
        project = repo.add(Project(id=new_id(), name=name, domain_id="default", enabled=True,
                                   description=description, is_domain=False, extra={},
                                   options={}))
    return project


def _user(s: Session, hasher: Hasher, name: str, password: str, project_id: str,
          reset: bool) -> User:
    repo = UserRepo(s)
    user = repo.by_name("default", name)
    if user is not None and not reset:
        return user
    hashed, now = hasher.hash(password), utcnow()
    if user is None:
        user = repo.add(User(id=new_id(), name=name, domain_id="default", enabled=True,
                             default_project_id=project_id, created_at=now, extra={},
                             options={}))
    user.password_hash, user.password_created_at = hashed, now
    PasswordHistoryRepo(s).add(PasswordHistory(user_id=user.id, password_hash=hashed,
                                               created_at=now))
    return user


def _grant(s: Session, type_: str, actor: str, target: str, role_id: str) -> None:
    repo = AssignmentRepo(s)
    key = (type_, actor, target, role_id, False)
    if repo.get(key) is None:
        repo.add(Assignment(type=type_, actor_id=actor, target_id=target, role_id=role_id,
                            inherited=False))


def _publish(s: Session, svc: PublishedService, region: str) -> None:
    services = ServiceRepo(s)
    found = [x for x in services.find(Service.type == svc.type)
             if (x.extra or {}).get("name") == svc.name]
    service = found[0] if found else services.add(
        Service(id=new_id(), type=svc.type, enabled=True,
                extra={"name": svc.name, "description": svc.description})
    )
    endpoints = EndpointRepo(s)
    for interface in ("public", "internal", "admin"):
        existing = endpoints.first(Endpoint.service_id == service.id,
                                   Endpoint.interface == interface)
        if existing is None:
            endpoints.add(Endpoint(id=new_id(), service_id=service.id, interface=interface,
                                   url=svc.url, region_id=region, enabled=True, extra={}))
        elif existing.url != svc.url:
            existing.url = svc.url
