"""Server groups: affinity, anti-affinity and their soft variants (2.15+), with the
max_server_per_host rule (2.64+). Members join at boot with the scheduler hint 'group'."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from pocketstack.common import exceptions as exc
from pocketstack.common.context import RequestContext
from pocketstack.common.ids import new_uuid
from pocketstack.common.timeutils import utcnow
from pocketstack.db.models.compute_servers import ServerGroup
from pocketstack.db.repositories.compute.groups import GroupRepo
from pocketstack.services.compute.quotas import QuotaService
from pocketstack.services.compute.tx import Transactions


@dataclass
class GroupRecord:
    group: ServerGroup
    members: list[str] = field(default_factory=list)


def not_found(group_id: str) -> exc.NotFound:
    return exc.NotFound(f"Instance group {group_id} could not be found.")


class GroupService:
    def __init__(self, tx: Transactions, quotas: QuotaService) -> None:
        self.tx = tx
        self.quotas = quotas

    @staticmethod
    def _load(s: Session, ctx: RequestContext, group_id: str) -> ServerGroup:
        group = GroupRepo(s).by_uuid(group_id)
        if group is None or not (ctx.is_admin or group.project_id == ctx.project_id):
            raise not_found(group_id)
        return group

    def create(self, ctx: RequestContext, name: str, policy: str, rules: dict[str, int]
               ) -> GroupRecord:
        if rules and policy != "anti-affinity":
            raise exc.BadRequest("Only anti-affinity policy supports rules.")

        def work(s: Session) -> GroupRecord:
            self.quotas.check_server_group(s, ctx.project_id or "", ctx.user_id or "")
            group = GroupRepo(s).add(ServerGroup(uuid=new_uuid(), name=name,
                                                 project_id=ctx.project_id or "",
                                                 user_id=ctx.user_id or "", policy=policy,
                                                 rules=dict(rules), created_at=utcnow()))
            return GroupRecord(group, [])
        return self.tx.write(work)

    def get(self, ctx: RequestContext, group_id: str) -> GroupRecord:
        def work(s: Session) -> GroupRecord:
            group = self._load(s, ctx, group_id)
            return GroupRecord(group, GroupRepo(s).members_for([group.id])[group.id])
        return self.tx.read(work)

    def list(self, ctx: RequestContext, all_projects: bool, limit: int | None,
             offset: int | None) -> list[GroupRecord]:
        def work(s: Session) -> list[GroupRecord]:
            repo = GroupRepo(s)
            project = None if (all_projects and ctx.is_admin) else ctx.project_id
            groups = list(repo.page(project, limit, offset))
            members = repo.members_for([g.id for g in groups])
            return [GroupRecord(g, members[g.id]) for g in groups]
        return self.tx.read(work)

    def delete(self, ctx: RequestContext, group_id: str) -> None:
        def work(s: Session) -> None:
            GroupRepo(s).delete(self._load(s, ctx, group_id))
        self.tx.write(work)
