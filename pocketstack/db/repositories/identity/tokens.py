"""Revocation events."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, or_, select

from pocketstack.db.models.identity import RevocationEvent
from pocketstack.db.repositories.base import Repository


class RevocationRepo(Repository[RevocationEvent]):
    model = RevocationEvent

    def matches(
        self,
        *,
        issued_at: datetime,
        user_ids: list[str],
        audit_ids: list[str],
        project_id: str | None,
        domain_id: str | None,
        trust_id: str | None,
    ) -> bool:
        conds = [RevocationEvent.user_id.in_(user_ids)]
        if audit_ids:
            # A token is revoked alone by its own (first) audit id, with every token
            # re-scoped from the same original by its chain (last) id.
            conds.append(RevocationEvent.audit_id == audit_ids[0])
            conds.append(RevocationEvent.audit_chain_id == audit_ids[-1])
        if project_id:
            conds.append(RevocationEvent.project_id == project_id)
        if domain_id:
            conds.append(RevocationEvent.domain_id == domain_id)
        if trust_id:
            conds.append(RevocationEvent.trust_id == trust_id)
        stmt = (
            select(RevocationEvent.id)
            .where(and_(RevocationEvent.issued_before >= issued_at, or_(*conds)))
            .limit(1)
        )
        return self.session.scalar(stmt) is not None

    def purge_before(self, when: datetime) -> int:
        return self.delete_where(RevocationEvent.revoked_at < when)
