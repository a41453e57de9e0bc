"""Subnet pools and prefix allocation for subnets created from them."""

from __future__ import annotations

import ipaddress
from typing import Any

from sqlalchemy.orm import Session

from pocketstack.common import exceptions as exc
from pocketstack.common.context import RequestContext
from pocketstack.common.ids import new_uuid
from pocketstack.db.models.network import SubnetPool
from pocketstack.db.repositories.network.misc import TagRepo
from pocketstack.db.repositories.network.subnets import SubnetPoolRepo, SubnetRepo
from pocketstack.services.network import addresses as A
from pocketstack.services.network.base import (
    ServiceBase,
    bool_filter,
    bump,
    not_found,
    stamp_new,
    std_columns,
)
from pocketstack.services.network.query import ListQuery


def _prefixes(values: list[str], version: int | None = None) -> list[A.IPNetwork]:
    nets = [A.parse_cidr(v, field="prefixes") for v in values]
    if not nets:
        raise A.bad("Invalid input for prefixes. Reason: at least one prefix is required.")
    versions = {n.version for n in nets}
    if len(versions) > 1 or (version is not None and versions != {version}):
        raise A.bad("Illegal subnetpool prefixes: prefixes of mixed or wrong IP versions.",
                    "IllegalSubnetPoolPrefixes")
    return list(ipaddress.collapse_addresses(nets))  # type: ignore[arg-type]


class SubnetPoolService(ServiceBase):
    resource = "subnetpool"

    def columns(self) -> dict[str, tuple[Any, Any]]:
        cols = std_columns(SubnetPool)
        cols.update({"ip_version": (SubnetPool.ip_version, int),
                     "shared": (SubnetPool.shared, bool_filter),
                     "is_default": (SubnetPool.is_default, bool_filter),
                     "default_prefixlen": (SubnetPool.default_prefixlen, int),
                     "min_prefixlen": (SubnetPool.min_prefixlen, int),
                     "max_prefixlen": (SubnetPool.max_prefixlen, int),
                     "address_scope_id": (SubnetPool.address_scope_id, str)})
        return cols

    def list(self, ctx: RequestContext, q: ListQuery) -> list[tuple[SubnetPool, list[str]]]:
        def work(s: Session) -> list[tuple[SubnetPool, list[str]]]:
            where = [] if ctx.is_admin else [SubnetPoolRepo.visible(ctx.project_id)]
            pools = list(SubnetPoolRepo(s).list(self.listing(q, SubnetPool, self.columns(),
                                                             where)))
            tags = self.tags_of(s, [p.id for p in pools])
            return [(p, tags.get(p.id, [])) for p in pools]
        return self.tx.read(work)

    def get(self, ctx: RequestContext, pool_id: str) -> tuple[SubnetPool, list[str]]:
        def work(s: Session) -> tuple[SubnetPool, list[str]]:
            pool = self.visible_one(s, ctx, pool_id)
            return pool, self.tags_of(s, [pool.id]).get(pool.id, [])
        return self.tx.read(work)

    @staticmethod
    def visible_one(s: Session, ctx: RequestContext, pool_id: str) -> SubnetPool:
        pool = SubnetPoolRepo(s).get(pool_id)
        if pool is None or not (ctx.is_admin or pool.shared or pool.project_id == ctx.project_id):
            raise not_found("subnetpool", pool_id)
        return pool

    def create(self, ctx: RequestContext, data: dict[str, Any]) -> tuple[SubnetPool, list[str]]:
        def work(s: Session) -> tuple[SubnetPool, list[str]]:
            project = self.project_for(ctx, data)
            self.net.quotas.check(s, project, "subnetpool", 1)
            if data.get("address_scope_id"):
                raise not_found("address_scope", data["address_scope_id"])
            nets = _prefixes(data.get("prefixes") or [])
            version = nets[0].version
            pool = SubnetPool(id=new_uuid(), project_id=project, name=data.get("name", ""),
                              ip_version=version, prefixes=[str(n) for n in nets],
                              shared=data.get("shared", False),
                              is_default=data.get("is_default", False),
                              default_quota=data.get("default_quota"))
            self._lengths(pool, data, creating=True)
            stamp_new(pool, data.get("description", ""))
            self._check_default(s, pool)
            s.add(pool)
            if data.get("tags"):
                TagRepo(s).replace("subnetpools", pool.id, data["tags"])
            s.flush()
            return pool, list(data.get("tags") or [])
        return self.tx.write(work)

    @staticmethod
    def _lengths(pool: SubnetPool, data: dict[str, Any], creating: bool) -> None:
        top = 32 if pool.ip_version == 4 else 128
        if creating:
            pool.min_prefixlen = data.get("min_prefixlen", 8 if pool.ip_version == 4 else 64)
            pool.max_prefixlen = data.get("max_prefixlen", top)
            pool.default_prefixlen = data.get("default_prefixlen", pool.min_prefixlen)
        else:
            for key in ("min_prefixlen", "max_prefixlen", "default_prefixlen"):
                if key in data:
                    setattr(pool, key, data[key])
        lo, dflt, hi = pool.min_prefixlen, pool.default_prefixlen, pool.max_prefixlen
        if not (0 <= lo <= dflt <= hi <= top):
            raise A.bad(f"Illegal prefix bounds: min_prefixlen={lo}, default_prefixlen={dflt}, "
                        f"max_prefixlen={hi}.", "IllegalSubnetPoolPrefixBounds")

    @staticmethod
    def _check_default(s: Session, pool: SubnetPool) -> None:
        if not pool.is_default:
            return
        other = SubnetPoolRepo(s).default_for(pool.ip_version)
        if other is not None and other.id != pool.id:
            raise exc.BadRequest(f"Invalid input for operation: A default subnetpool for this "
                                 f"IP family has already been set. Only one default may exist "
                                 f"per IP family ({other.id}).", error_type="InvalidInput")

    def update(self, ctx: RequestContext, pool_id: str,
               data: dict[str, Any]) -> tuple[SubnetPool, list[str]]:
        def work(s: Session) -> tuple[SubnetPool, list[str]]:
            pool = self.visible_one(s, ctx, pool_id)
            self.check_owner(ctx, pool, "subnetpool")
            if "prefixes" in data:
                nets = _prefixes(data["prefixes"], pool.ip_version)
                old = [ipaddress.ip_network(p) for p in pool.prefixes]
                if any(not any(o.subnet_of(n) for n in nets) for o in old):  # type: ignore[arg-type]
                    raise A.bad("Illegal update to prefixes: existing prefixes must be "
                                "retained.", "IllegalSubnetPoolPrefixUpdate")
                pool.prefixes = [str(n) for n in nets]
            for key in ("name", "description", "default_quota", "is_default"):
                if key in data:
                    setattr(pool, key, data[key])
            self._lengths(pool, data, creating=False)
            self._check_default(s, pool)
            bump(pool)
            s.flush()
            return pool, self.tags_of(s, [pool.id]).get(pool.id, [])
        return self.tx.write(work)

    def delete(self, ctx: RequestContext, pool_id: str) -> None:
        def work(s: Session) -> None:
            pool = self.visible_one(s, ctx, pool_id)
            self.check_owner(ctx, pool, "subnetpool")
            if SubnetRepo(s).in_pool(pool.id):
                raise exc.Conflict(f"Subnet pool {pool.id} cannot be deleted as it is still "
                                   "in use by one or more subnets.", error_type="SubnetPoolInUse")
            TagRepo(s).purge([pool.id])
            s.delete(pool)
        self.tx.write(work)

    # -- prefix allocation --------------------------------------------------------------------
    def allocate(self, s: Session, ctx: RequestContext, pool: SubnetPool, cidr: str | None,
                 prefixlen: int | None) -> A.IPNetwork:
        """A CIDR from the pool: the one asked for (checked) or the first free block."""
        s.refresh(pool, with_for_update=True)
        prefixes = [ipaddress.ip_network(p) for p in pool.prefixes]
        used = [ipaddress.ip_network(x.cidr) for x in SubnetRepo(s).in_pool(pool.id)]
        if cidr is not None:
            net = A.parse_cidr(cidr, strict=True)
            if not any(net.subnet_of(p) for p in prefixes):  # type: ignore[arg-type]
                raise A.bad(f"Cidr {net} is not within the prefixes of subnet pool {pool.id}.",
                            "SubnetAllocationError")
            self._check_len(pool, net.prefixlen)
            if any(A.overlaps(net, u) for u in used):
                raise A.bad(f"Failed to allocate subnet: Cidr {net} overlaps with another "
                            "subnet of the pool.", "SubnetAllocationError")
            return net
        plen = pool.default_prefixlen if prefixlen is None else prefixlen
        self._check_len(pool, plen)
        for prefix in prefixes:
            found = self._first_free(prefix, plen, used)
            if found is not None:
                return found
        raise exc.Conflict(f"Insufficient prefix space to allocate subnet size /{plen}.",
                           error_type="SubnetAllocationError")

    @staticmethod
    def _check_len(pool: SubnetPool, plen: int) -> None:
        if not pool.min_prefixlen <= plen <= pool.max_prefixlen:
            raise A.bad(f"Unable to allocate subnet with prefix length {plen}, minimum allowed "
                        f"prefix is {pool.min_prefixlen} and maximum is {pool.max_prefixlen}.",
                        "SubnetAllocationError")

    @staticmethod
    def _first_free(prefix: A.IPNetwork, plen: int, used: list[A.IPNetwork]) -> A.IPNetwork | None:
        if plen < prefix.prefixlen:
            return None
        size = 1 << (prefix.max_prefixlen - plen)
        start, end = int(prefix.network_address), int(prefix.broadcast_address)
        spans = sorted((int(u.network_address), int(u.broadcast_address)) for u in used
                       if A.overlaps(u, prefix))
        cursor = start
        for us, ue in spans + [(end + 1, end + 1)]:
            aligned = -(-cursor // size) * size
            if aligned + size - 1 < us and aligned + size - 1 <= end:
                return ipaddress.ip_network(f"{ipaddress.ip_address(aligned)}/{plen}")
            cursor = max(cursor, ue + 1)
        return None
