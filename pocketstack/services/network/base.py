"""What every Networking service shares: transactions with retry, ownership checks,
standard attributes, tags and list plumbing."""

from __future__ import annotations

import logging
import random
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

from pocketstack.common import exceptions as exc
from pocketstack.common.context import RequestContext
from pocketstack.common.timeutils import utcnow
from pocketstack.db.repositories.network.listing import Listing, column_clauses, tag_clauses
from pocketstack.db.repositories.network.misc import TagRepo
from pocketstack.services.network.query import ListQuery
from pocketstack.services.transactions import RetryingTransactions

if TYPE_CHECKING:
    from pocketstack.services.network import Networking

log = logging.getLogger("pocketstack.network")

# Ports that Neutron deletes by itself with their network (and never counts as "in use").
AUTO_DELETE_OWNERS = ("network:dhcp", "network:floatingip")
DHCP_OWNER = "network:dhcp"
ROUTER_INTERFACE = "network:router_interface"
ROUTER_GATEWAY = "network:router_gateway"
ROUTER_OWNERS = (ROUTER_INTERFACE, "network:router_interface_distributed",
                 "network:ha_router_replicated_interface", ROUTER_GATEWAY)
FLOATINGIP_OWNER = "network:floatingip"
RESERVED_DHCP = "reserved_dhcp_port"


class Transactions(RetryingTransactions):
    """Runs a unit of work in one write transaction and retries it when a unique
    constraint or a lock tells that a concurrent writer won a race (with a random pause,
    so that racing writers spread out)."""

    def __init__(self, db: Any) -> None:
        super().__init__(db, log=log, gave_up="giving up after %d attempts: %s",
                         pause=lambda attempt: random.uniform(0.001, 0.004) * (attempt + 1))


def stamp_new(obj: Any, ctx_description: str | None = None) -> None:
    now = utcnow()
    obj.created_at = now
    obj.updated_at = now
    obj.revision_number = 1
    if ctx_description is not None:
        obj.description = ctx_description


def bump(obj: Any) -> None:
    obj.updated_at = utcnow()
    obj.revision_number = (obj.revision_number or 0) + 1


def not_found(kind: str, id_: str) -> exc.NotFound:
    names = {"network": "Network", "subnet": "Subnet", "port": "Port", "router": "Router",
             "floatingip": "Floating IP", "security_group": "Security group",
             "security_group_rule": "Security group rule", "subnetpool": "Subnet pool",
             "rbac_policy": "RBAC policy", "agent": "Agent"}
    types = {"network": "NetworkNotFound", "subnet": "SubnetNotFound", "port": "PortNotFound",
             "router": "RouterNotFound", "floatingip": "FloatingIPNotFound",
             "security_group": "SecurityGroupNotFound",
             "security_group_rule": "SecurityGroupRuleNotFound",
             "subnetpool": "SubnetPoolNotFound", "rbac_policy": "RbacPolicyNotFound",
             "agent": "AgentNotFound"}
    name = names.get(kind, kind)
    if kind == "floatingip":
        msg = f"Floating IP {id_} could not be found"
    else:
        msg = f"{name} {id_} could not be found."
    return exc.NotFound(msg, error_type=types.get(kind, "HTTPNotFound"))


class ServiceBase:
    """Common plumbing; ``self.net`` is the Networking facade (other services)."""

    resource = ""  # singular name, e.g. "network"

    def __init__(self, net: Networking) -> None:
        self.net = net
        self.settings = net.settings
        self.tx = net.tx

    # -- ownership ----------------------------------------------------------------------
    @staticmethod
    def check_owner(ctx: RequestContext, obj: Any, kind: str) -> None:
        """Changing a resource the caller can see (a shared network, its subnets) but does
        not own is refused by policy (403), as in Neutron; unseen ones were a 404 already."""
        if not ctx.is_admin and obj.project_id != ctx.project_id:
            raise exc.Forbidden(f"(rule:update_{kind}) is disallowed by policy",
                                error_type="PolicyNotAuthorized")

    @staticmethod
    def project_for(ctx: RequestContext, data: dict[str, Any]) -> str:
        project = data.pop("project_id", None) or ctx.project_id or ""
        if project != ctx.project_id and not ctx.is_admin:
            raise exc.Forbidden("Specifying 'project_id' or 'tenant_id' other than the "
                                "authenticated project in request requires admin privileges",
                                error_type="HTTPForbidden")
        return project

    # -- listing ------------------------------------------------------------------------
    def listing(self, q: ListQuery, model: Any, columns: dict[str, tuple[Any, Any]],
                extra_where: Sequence[Any] = ()) -> Listing:
        """Turn a ListQuery into SQL parts; unknown filters are a 400 (filter-validation)."""
        filters = dict(q.filters)
        where = list(extra_where)
        where += tag_clauses(model.id, filters)
        where += column_clauses(columns, filters)
        unknown = sorted(filters)
        if unknown:
            raise exc.BadRequest(f"[{', '.join(repr(u) for u in unknown)}] is invalid "
                                 "attribute for filtering", error_type="HTTPBadRequest")
        sorts = []
        for key, asc in q.sorts:
            if key not in columns:
                raise exc.BadRequest(f"{key} is invalid attribute for sort_key",
                                     error_type="HTTPBadRequest")
            sorts.append((columns[key][0], asc))
        return Listing(where=where, sorts=sorts, limit=q.limit, marker_id=q.marker,
                       page_reverse=q.page_reverse)

    @staticmethod
    def tags_of(s: Session, ids: Sequence[str]) -> dict[str, list[str]]:
        return TagRepo(s).for_ids(ids)


def std_columns(model: Any) -> dict[str, tuple[Any, Any]]:
    """Filter/sort columns every standard-attribute resource has."""
    return {
        "id": (model.id, str),
        "project_id": (model.project_id, str),
        "tenant_id": (model.project_id, str),
        "name": (model.name, str),
        "description": (model.description, str),
        "revision_number": (model.revision_number, int),
        "created_at": (model.created_at, _ts),
        "updated_at": (model.updated_at, _ts),
    }


def _ts(value: str) -> Any:
    from pocketstack.common.timeutils import parse_iso

    return parse_iso(value)


def bool_filter(value: str) -> bool:
    from pocketstack.services.network.query import to_bool

    result = to_bool(value)
    if result is None:
        raise ValueError(value)
    return result


def nullable_str(value: str) -> str | None:
    return value or None
