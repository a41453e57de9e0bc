"""Key pairs: import (SSH public key or x509 certificate), generate where the microversion
allows, list with pagination, show, delete. A key pair belongs to a user; admins may act for
another user (2.10+)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from pocketstack.common import exceptions as exc
from pocketstack.common.context import RequestContext
from pocketstack.common.timeutils import utcnow
from pocketstack.db.models.compute import KeyPair
from pocketstack.db.repositories.compute.keypairs import KeyPairRepo
from pocketstack.services.compute import keygen
from pocketstack.services.compute.tx import Transactions

if TYPE_CHECKING:
    from pocketstack.services.compute.quotas import QuotaService

SAFE_NAME = re.compile(r"^[a-zA-Z0-9 _-]+$")
SAFE_NAME_292 = re.compile(r"^[a-zA-Z0-9 @._-]+$")


def not_found(name: str, user_id: str) -> exc.NotFound:
    return exc.NotFound(f"Keypair {name} not found for user {user_id}")


class KeyPairService:
    def __init__(self, tx: Transactions, quotas: QuotaService) -> None:
        self.tx = tx
        self.quotas = quotas

    @staticmethod
    def owner(ctx: RequestContext, user_id: str | None) -> str:
        if user_id and user_id != ctx.user_id and not ctx.is_admin:
            raise exc.Forbidden("Policy doesn't allow os_compute_api:os-keypairs to be "
                                "performed.")
        return user_id or ctx.user_id or ""

    def create(self, ctx: RequestContext, name: str, public_key: str | None, key_type: str,
               user_id: str | None, *, extended_names: bool) -> tuple[KeyPair, str | None]:
        """(the key pair, its private key when one was generated)."""
        owner = self.owner(ctx, user_id)
        name = name.strip() if not extended_names else name
        pattern = SAFE_NAME_292 if extended_names else SAFE_NAME
        if not name or len(name) > 255 or not pattern.match(name):
            raise exc.BadRequest("Keypair data is invalid: Keypair name contains unsafe "
                                 "characters")
        private = None
        if public_key is None:
            public_key, private = keygen.generate(key_type, name)
        fingerprint = keygen.fingerprint(public_key, key_type)

        def work(s: Session) -> KeyPair:
            repo = KeyPairRepo(s)
            limit = self.quotas.limit(s, ctx.project_id or "", "key_pairs", owner)
            if limit >= 0 and repo.count_of(owner) >= limit:
                raise exc.Forbidden("Quota exceeded, too many key pairs.")
            if repo.of_user(owner, name) is not None:
                raise exc.Conflict(f"Key pair '{name}' already exists.")
            return repo.add(KeyPair(user_id=owner, name=name, type=key_type,
                                    fingerprint=fingerprint, public_key=public_key,
                                    created_at=utcnow()),
                            conflict=f"Key pair '{name}' already exists.")
        return self.tx.write(work), private

    def list(self, ctx: RequestContext, user_id: str | None, limit: int | None,
             marker: str | None) -> list[KeyPair]:
        owner = self.owner(ctx, user_id)

        def work(s: Session) -> list[KeyPair]:
            repo = KeyPairRepo(s)
            mark = None
            if marker is not None:
                mark = repo.of_user(owner, marker)
                if mark is None:
                    raise exc.BadRequest(f"marker [{marker}] not found")
            return list(repo.page(owner, limit, mark))
        return self.tx.read(work)

    def get(self, ctx: RequestContext, name: str, user_id: str | None) -> KeyPair:
        owner = self.owner(ctx, user_id)

        def work(s: Session) -> KeyPair:
            kp = KeyPairRepo(s).of_user(owner, name)
            if kp is None:
                raise not_found(name, owner)
            return kp
        return self.tx.read(work)

    def lookup(self, s: Session, user_id: str, name: str) -> KeyPair | None:
        return KeyPairRepo(s).of_user(user_id, name)

    def delete(self, ctx: RequestContext, name: str, user_id: str | None) -> None:
        owner = self.owner(ctx, user_id)

        def work(s: Session) -> None:
            repo = KeyPairRepo(s)
            kp = repo.of_user(owner, name)
            if kp is None:
                raise not_found(name, owner)
            repo.delete(kp)
        self.tx.write(work)
