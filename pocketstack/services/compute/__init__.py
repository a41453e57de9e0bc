"""Compute (Nova v2.1) domain logic: the services the Compute API calls, the conductor that
carries operations forward, and the in-process agents of the fake hosts.

``Compute`` is built on first use (Cloud.compute). ``start()`` seeds the default flavors,
registers the hosts its driver runs (their capacity, as services and hypervisors) and
starts the worker, whose first reconcile pass resumes every server a previous process left
in a transitional state and has the agents audit their hypervisors.
"""

from __future__ import annotations

import logging
import threading
from datetime import timedelta
from typing import Any

from pocketstack.agents.compute import AgentSet
from pocketstack.common import exceptions as exc
from pocketstack.common.timeutils import utcnow
from pocketstack.db.repositories.compute.hosts import ServiceRepo
from pocketstack.db.repositories.compute.instances import InstanceRepo
from pocketstack.drivers.compute.base import ComputeDriver, DriverError, HostResources
from pocketstack.services.compute import lifecycle as L
from pocketstack.services.compute.actions import ActionService
from pocketstack.services.compute.aggregates import AggregateService
from pocketstack.services.compute.build import Builder
from pocketstack.services.compute.conductor import Conductor
from pocketstack.services.compute.extras import ExtraService
from pocketstack.services.compute.flavors import FlavorService
from pocketstack.services.compute.groups import GroupService
from pocketstack.services.compute.history import History
from pocketstack.services.compute.hostapi import HostAPI
from pocketstack.services.compute.hosts import HostService
from pocketstack.services.compute.imagegw import ImageGateway
from pocketstack.services.compute.interfaces import InterfaceService
from pocketstack.services.compute.keypairs import KeyPairService
from pocketstack.services.compute.migrations import MigrationService
from pocketstack.services.compute.netgw import NetworkGateway
from pocketstack.services.compute.options import ComputeOptions
from pocketstack.services.compute.proxies import ProxyService
from pocketstack.services.compute.quotas import QuotaService
from pocketstack.services.compute.scheduler import Scheduler
from pocketstack.services.compute.servers import ServerService
from pocketstack.services.compute.snapshots import SnapshotService
from pocketstack.services.compute.tx import Transactions
from pocketstack.services.compute.usage import UsageService
from pocketstack.services.compute.volgw import VolumeGateway
from pocketstack.services.compute.volumes import AttachmentService
from pocketstack.services.compute.worker import AUDIT_EVERY, Worker
from pocketstack.services.compute.zones import ZoneService

log = logging.getLogger("pocketstack.compute")


def make_driver(options: ComputeOptions) -> ComputeDriver:
    from pocketstack.drivers.compute.fake import FakeDriver

    hosts = {name: HostResources(vcpus=options.host_vcpus, memory_mb=options.host_memory_mb,
                                 local_gb=options.host_disk_gb, hypervisor_type="fake",
                                 hypervisor_version=1000, host_ip="127.0.0.1",
                                 cpu_info={"arch": "x86_64", "model": "fake", "vendor":
                                           "pocketstack", "topology": {"sockets": 1,
                                                                       "cores": options.host_vcpus,
                                                                       "threads": 1},
                                           "features": []})
             for name in options.fake_host_names()}
    return FakeDriver(hosts, boot_delay=options.fake_boot_delay)


class Compute:
    def __init__(self, cloud: Any, options: ComputeOptions | None = None,
                 driver: ComputeDriver | None = None) -> None:
        self.cloud = cloud
        self.db = cloud.db
        self.options = options or ComputeOptions.from_settings(cloud.settings)
        self.tx = Transactions(self.db)
        self.quotas = QuotaService(self.tx, self.options)
        self.flavors = FlavorService(self.tx)
        self.keypairs = KeyPairService(self.tx, self.quotas)
        self.hosts = HostService(self.tx, self.options)
        self.aggregates = AggregateService(self.tx, self.options)
        self.zones = ZoneService(self)
        self.scheduler = Scheduler(self.options)
        self.net = NetworkGateway(cloud.network)
        self.images = ImageGateway(cloud.image)
        self.volumes = VolumeGateway(cloud)
        self.history = History(self.tx)
        self.builder = Builder(self)
        self.servers = ServerService(self)
        self.actions = ActionService(self)
        self.snapshots = SnapshotService(self)
        self.migrations = MigrationService(self)
        self.groups = GroupService(self.tx, self.quotas)
        self.extras = ExtraService(self)
        self.interfaces = InterfaceService(self)
        self.attachments = AttachmentService(self)
        self.usage = UsageService(self)
        self.proxies = ProxyService(self)
        self.conductor = Conductor(self)
        self.hostapi = HostAPI(self)
        self.driver = driver or make_driver(self.options)
        self.agents = AgentSet(self.driver, self.hostapi)
        self.worker = Worker(self.conductor.process, threads=self.options.workers,
                             interval=self.options.reconcile_interval,
                             periodic=[(1, self.agents.heartbeat), (1, self.resume),
                                       (AUDIT_EVERY, self.agents.audit),
                                       (1, self.offload_shelved)])
        self._started = False
        self._lock = threading.Lock()

    def start(self) -> None:
        """Seed flavors, register the hosts, start reconciling (idempotent)."""
        with self._lock:
            if self._started:
                return
            self._started = True
        try:
            self.flavors.ensure_defaults()
            self.hosts.register([(h, self.driver.host_resources(h))
                                 for h in self.driver.hosts()])
        except Exception:  # noqa: BLE001 - tables missing on a database not yet migrated
            log.warning("compute start-up skipped", exc_info=True)
        self.worker.start()

    def close(self) -> None:
        self.worker.stop()

    # -- used by the services -----------------------------------------------------------------
    def kick(self, instance_id: str) -> None:
        self.worker.submit(instance_id)

    def resume(self) -> int:
        """Submit every server that still carries a task."""
        pending = self.tx.read(lambda s: InstanceRepo(s).pending())
        for iid in pending:
            self.kick(iid)
        return len(pending)

    def offload_shelved(self) -> int:
        """Offload servers shelved longer than shelved_offload_time (when it is > 0)."""
        wait = self.options.shelved_offload_time
        if wait <= 0:
            return 0
        cutoff = utcnow() - timedelta(seconds=wait)
        ids = self.tx.read(lambda s: InstanceRepo(s).shelved_before(cutoff))

        def work(s: Any, iid: str) -> None:
            inst = InstanceRepo(s).live(iid, lock=True)
            if inst is not None and inst.vm_state == "shelved" and not inst.task:
                L.begin(inst, "shelve_offload", "shelving_offloading", "req-periodic-offload")
        for iid in ids:
            self.tx.write(lambda s, iid=iid: work(s, iid))
            self.kick(iid)
        return len(ids)

    def host_alive(self, host: str | None) -> bool:
        if not host:
            return False
        svc = self.tx.read(lambda s: ServiceRepo(s).by_host_binary(host, "nova-compute"))
        return svc is not None and self.hosts.is_up(svc)

    def call_host(self, host: str | None, method: str, *args: Any) -> Any:
        """A synchronous request to a host's agent (console output, devices)."""
        agent = self.agents.get(host)
        if agent is None:
            raise exc.Conflict(f"Compute host {host} is not available.")
        try:
            return agent.call(method, *args)
        except DriverError as e:
            raise exc.Conflict(str(e)) from None
