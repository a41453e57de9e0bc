"""Compute services and hypervisors: hosts register (or update) their capacity, send
heartbeats, and are listed, enabled / disabled, forced down and deleted through the API.

A service is up when it was seen within `service_down_time` seconds and is not forced
down. The control plane itself shows as nova-scheduler and nova-conductor on this machine,
in the internal availability zone.
"""

from __future__ import annotations

import socket
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy.orm import Session

from pocketstack.common import exceptions as exc
from pocketstack.common.ids import new_uuid
from pocketstack.common.timeutils import aware, utcnow
from pocketstack.db.models.compute import ComputeNode, ComputeService
from pocketstack.db.repositories.compute.hosts import AllocationRepo, NodeRepo, ServiceRepo
from pocketstack.db.repositories.compute.instances import (
    InstanceRepo,
    project_usage_on,
    servers_on,
)
from pocketstack.drivers.compute.base import HostResources
from pocketstack.services.compute.options import ComputeOptions
from pocketstack.services.compute.tx import Transactions

CONTROL_BINARIES = ("nova-scheduler", "nova-conductor")
COMPUTE = "nova-compute"


@dataclass
class NodeRecord:
    node: ComputeNode
    service: ComputeService
    up: bool


class HostService:
    def __init__(self, tx: Transactions, options: ComputeOptions) -> None:
        self.tx = tx
        self.options = options
        self.control_host = socket.gethostname().split(".")[0] or "controller"

    def is_up(self, svc: ComputeService) -> bool:
        if svc.forced_down or svc.last_seen_up is None:
            return False
        age = utcnow() - aware(svc.last_seen_up)  # type: ignore[operator]
        return age <= timedelta(seconds=self.options.service_down_time)

    # -- registration and heartbeats -------------------------------------------------------
    def register(self, hosts: list[tuple[str, HostResources]]) -> None:
        """Create or update the services and nodes of these hosts (at start)."""
        def work(s: Session) -> None:
            now = utcnow()
            for binary in CONTROL_BINARIES:
                self._service(s, self.control_host, binary, now)
            for host, res in hosts:
                svc = self._service(s, host, COMPUTE, now)
                self._node(s, svc, host, res, now)
            # Heal counters from the allocations (a crash cannot leave them wrong).
            NodeRepo(s).recount(AllocationRepo(s).usage_by_node())
        self.tx.write(work)

    @staticmethod
    def _service(s: Session, host: str, binary: str, now: Any) -> ComputeService:
        repo = ServiceRepo(s)
        svc = repo.by_host_binary(host, binary)
        if svc is None:
            svc = repo.add(ComputeService(uuid=new_uuid(), host=host, binary=binary,
                                          disabled=False, forced_down=False, created_at=now,
                                          last_seen_up=now))
        svc.last_seen_up = now
        return svc

    def _node(self, s: Session, svc: ComputeService, host: str, res: HostResources,
              now: Any) -> None:
        repo = NodeRepo(s)
        node = repo.by_hostname(host)
        if node is None:
            node = repo.add(ComputeNode(uuid=new_uuid(), service_id=svc.id, host=host,
                                        hypervisor_hostname=host, vcpus=res.vcpus,
                                        memory_mb=res.memory_mb, local_gb=res.local_gb,
                                        created_at=now))
        node.service_id = svc.id
        node.vcpus, node.memory_mb, node.local_gb = res.vcpus, res.memory_mb, res.local_gb
        node.hypervisor_type, node.hypervisor_version = res.hypervisor_type, \
            res.hypervisor_version
        node.host_ip, node.cpu_info = res.host_ip, res.cpu_info
        node.cpu_allocation_ratio = self.options.cpu_ratio
        node.ram_allocation_ratio = self.options.ram_ratio
        node.disk_allocation_ratio = self.options.disk_ratio
        node.reserved_host_memory_mb = self.options.reserved_memory_mb
        node.updated_at = now

    def heartbeat(self, hosts: list[str]) -> None:
        def work(s: Session) -> None:
            now = utcnow()
            repo = ServiceRepo(s)
            repo.touch(hosts, COMPUTE, now)
            for binary in CONTROL_BINARIES:
                repo.touch([self.control_host], binary, now)
        self.tx.write(work)

    # -- services API -----------------------------------------------------------------------
    def services(self, host: str | None = None, binary: str | None = None
                 ) -> list[ComputeService]:
        return self.tx.read(lambda s: list(ServiceRepo(s).listing(host, binary)))

    def find_service(self, s: Session, service_id: str) -> ComputeService:
        repo = ServiceRepo(s)
        svc = repo.by_uuid(service_id)
        if svc is None and service_id.isdigit():
            svc = repo.get(int(service_id))
        if svc is None:
            raise exc.NotFound(f"Service {service_id} could not be found.")
        return svc

    def set_status(self, host: str, binary: str, *, disabled: bool | None = None,
                   reason: str | None = None, forced_down: bool | None = None
                   ) -> ComputeService:
        def work(s: Session) -> ComputeService:
            svc = ServiceRepo(s).by_host_binary(host, binary)
            if svc is None:
                if ServiceRepo(s).listing(host=host):
                    raise exc.NotFound(f"Service {binary} on host {host} could not be found.")
                raise exc.NotFound(f"Host '{host}' is not mapped to any cell")
            self._apply(svc, disabled, reason, forced_down)
            return svc
        return self.tx.write(work)

    def update_service(self, service_id: str, *, disabled: bool | None,
                       reason: str | None, forced_down: bool | None) -> ComputeService:
        def work(s: Session) -> ComputeService:
            svc = self.find_service(s, service_id)
            if svc.binary != COMPUTE and (disabled is not None or forced_down is not None):
                raise exc.BadRequest(f"Updating a {svc.binary} service is not supported. "
                                     "Only nova-compute services can be updated.")
            self._apply(svc, disabled, reason, forced_down)
            return svc
        return self.tx.write(work)

    @staticmethod
    def _apply(svc: ComputeService, disabled: bool | None, reason: str | None,
               forced_down: bool | None) -> None:
        if disabled is not None:
            svc.disabled = disabled
            svc.disabled_reason = reason if disabled else None
        if forced_down is not None:
            svc.forced_down = forced_down
        svc.updated_at = utcnow()

    def delete_service(self, service_id: str) -> None:
        def work(s: Session) -> None:
            svc = self.find_service(s, service_id)
            if svc.binary == COMPUTE:
                if InstanceRepo(s).count_on_host(svc.host):
                    raise exc.Conflict("Unable to delete compute service that is hosting "
                                       "instances. Migrate or delete the instances first.")
                for node in NodeRepo(s).on_host(svc.host):
                    s.delete(node)
            ServiceRepo(s).delete(svc)
        self.tx.write(work)

    # -- hypervisors -------------------------------------------------------------------------
    def nodes(self, pattern: str | None = None, limit: int | None = None,
              marker: str | None = None) -> list[NodeRecord]:
        def work(s: Session) -> list[NodeRecord]:
            repo = NodeRepo(s)
            marker_id = None
            if marker is not None:
                mark = self._find_node(s, marker, for_marker=True)
                marker_id = mark.id
            found = list(repo.page(pattern, limit, marker_id))
            return self._records(s, found)
        return self.tx.read(work)

    def _records(self, s: Session, nodes: list[ComputeNode]) -> list[NodeRecord]:
        services = {x.id: x for x in ServiceRepo(s).by_ids({n.service_id for n in nodes})}
        return [NodeRecord(n, services[n.service_id], self.is_up(services[n.service_id]))
                for n in nodes if n.service_id in services]

    @staticmethod
    def _find_node(s: Session, node_id: str, *, for_marker: bool = False) -> ComputeNode:
        repo = NodeRepo(s)
        node = repo.by_uuid(node_id)
        if node is None and node_id.isdigit():
            node = repo.get(int(node_id))
        if node is None:
            if for_marker:
                raise exc.BadRequest(f"marker [{node_id}] not found")
            raise exc.NotFound(f"Hypervisor {node_id} could not be found.")
        return node

    def node(self, node_id: str) -> NodeRecord:
        return self.tx.read(lambda s: self._records(s, [self._find_node(s, node_id)])[0])

    def statistics(self) -> dict[str, int]:
        return self.tx.read(lambda s: NodeRepo(s).totals())

    def host_names(self) -> list[str]:
        return [x.host for x in self.services(binary=COMPUTE)]

    def servers_on(self, nodes: list[str]) -> dict[str, list[tuple[str, str]]]:
        return self.tx.read(lambda s: servers_on(s, nodes))

    def host_usage(self, host: str) -> tuple[list[ComputeNode], list[tuple[str, int, int, int]]]:
        def work(s: Session) -> tuple[list[ComputeNode], list[tuple[str, int, int, int]]]:
            nodes = list(NodeRepo(s).on_host(host))
            if not nodes:
                raise exc.NotFound(f"Host {host} could not be found.")
            return nodes, project_usage_on(s, host)
        return self.tx.read(work)
