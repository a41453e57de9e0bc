"""Networking (Neutron v2.0 with ML2 semantics) domain logic.

``Networking`` is the service container (Cloud.network). Its parts are built on first use,
so a process that serves other APIs first does not pay for importing them at start.
"""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING

from pocketstack.config import Settings
from pocketstack.db.engine import Database

if TYPE_CHECKING:
    from pocketstack.services.network.agents import AgentService
    from pocketstack.services.network.floatingips import FloatingIPService
    from pocketstack.services.network.networks import NetworkService
    from pocketstack.services.network.ports import PortService
    from pocketstack.services.network.quotas import QuotaService
    from pocketstack.services.network.rbac import RBACService
    from pocketstack.services.network.router_interfaces import RouterInterfaceService
    from pocketstack.services.network.routers import RouterService
    from pocketstack.services.network.security_groups import SecurityGroupService
    from pocketstack.services.network.segments import SegmentTypes
    from pocketstack.services.network.subnetpools import SubnetPoolService
    from pocketstack.services.network.subnets import SubnetService
    from pocketstack.services.network.tags import TagService


class Networking:
    """The Networking service container: one instance per process (Cloud.network)."""

    def __init__(self, db: Database, settings: Settings) -> None:
        from pocketstack.services.network.base import Transactions

        self.db = db
        self.settings = settings
        self.tx: Transactions = Transactions(db)  # one writer queue per process

    @cached_property
    def segment_types(self) -> SegmentTypes:
        from pocketstack.services.network.segments import SegmentTypes

        return SegmentTypes(self.settings)

    @cached_property
    def quotas(self) -> QuotaService:
        from pocketstack.services.network.quotas import QuotaService

        return QuotaService(self)

    @cached_property
    def networks(self) -> NetworkService:
        from pocketstack.services.network.networks import NetworkService

        return NetworkService(self)

    @cached_property
    def subnetpools(self) -> SubnetPoolService:
        from pocketstack.services.network.subnetpools import SubnetPoolService

        return SubnetPoolService(self)

    @cached_property
    def subnets(self) -> SubnetService:
        from pocketstack.services.network.subnets import SubnetService

        return SubnetService(self)

    @cached_property
    def security_groups(self) -> SecurityGroupService:
        from pocketstack.services.network.security_groups import SecurityGroupService

        return SecurityGroupService(self)

    @cached_property
    def ports(self) -> PortService:
        from pocketstack.services.network.ports import PortService

        return PortService(self)

    @cached_property
    def routers(self) -> RouterService:
        from pocketstack.services.network.routers import RouterService

        return RouterService(self)

    @cached_property
    def router_interfaces(self) -> RouterInterfaceService:
        from pocketstack.services.network.router_interfaces import RouterInterfaceService

        return RouterInterfaceService(self)

    @cached_property
    def floatingips(self) -> FloatingIPService:
        from pocketstack.services.network.floatingips import FloatingIPService

        return FloatingIPService(self)

    @cached_property
    def rbac(self) -> RBACService:
        from pocketstack.services.network.rbac import RBACService

        return RBACService(self)

    @cached_property
    def agents(self) -> AgentService:
        from pocketstack.services.network.agents import AgentService

        return AgentService(self)

    @cached_property
    def tags(self) -> TagService:
        from pocketstack.services.network.tags import TagService

        return TagService(self)
