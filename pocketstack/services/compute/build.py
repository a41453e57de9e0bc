"""What a create-server request asks for, checked against the other services before any
row is written: flavor, image (and whether the flavor is big enough for it), key pair,
networks and ports, security groups, availability zone / host, server group, block
devices. Every problem here is a 4xx and leaves nothing behind."""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

from pocketstack.common import exceptions as exc
from pocketstack.common.context import RequestContext
from pocketstack.db.repositories.compute.flavors import FlavorRepo
from pocketstack.db.repositories.compute.groups import GroupRepo
from pocketstack.db.repositories.compute.hosts import NodeRepo, ServiceRepo
from pocketstack.db.repositories.compute.keypairs import KeyPairRepo
from pocketstack.services.compute.flavors import FlavorService, snapshot
from pocketstack.services.compute.imagegw import ImageInfo
from pocketstack.services.compute.netgw import NetRequest

if TYPE_CHECKING:
    from pocketstack.services.compute import Compute

GiB = 1024 ** 3
HOSTNAME_BAD = re.compile(r"[^\w.-]+")


@dataclass
class BuildRequest:
    name: str
    flavor_ref: str
    image_ref: str = ""
    min_count: int = 1
    max_count: int = 1
    networks: list[NetRequest] = field(default_factory=list)
    network_mode: str | None = None  # 'auto', 'none', or None (not given)
    security_groups: list[str] | None = None
    key_name: str | None = None
    user_data: str | None = None
    metadata: dict[str, str] = field(default_factory=dict)
    availability_zone: str | None = None
    bdms: list[dict[str, Any]] = field(default_factory=list)
    scheduler_hints: dict[str, Any] = field(default_factory=dict)
    config_drive: bool = False
    tags: list[str] = field(default_factory=list)
    description: str | None = None
    access_ip_v4: str | None = None
    access_ip_v6: str | None = None
    disk_config: str = "MANUAL"
    hostname: str | None = None
    host: str | None = None
    hypervisor_hostname: str | None = None
    trusted_certs: list[str] | None = None
    personality: list[dict[str, str]] = field(default_factory=list)
    admin_pass: str | None = None
    return_reservation_id: bool = False


@dataclass
class Prepared:
    req: BuildRequest
    flavor: dict[str, Any]
    image: ImageInfo | None
    image_meta: dict[str, Any]
    key_data: str | None
    networks: list[dict[str, Any]]
    sg_names: list[str]
    sg_ids: list[str]
    zone: str | None
    force_host: str | None
    force_node: str | None
    group_id: int | None
    bdms: list[dict[str, Any]]
    boot_from_volume: bool
    limits: tuple[dict[str, int], dict[str, int]] | None = None


def sanitize_hostname(name: str, fallback: str) -> str:
    text = name.replace(" ", "-").replace("_", "-")
    text = HOSTNAME_BAD.sub("", text.encode("ascii", "ignore").decode()).lower()
    text = text[:63].strip("-.")
    return text or fallback


class Builder:
    def __init__(self, compute: Compute) -> None:
        self.c = compute

    def prepare(self, ctx: RequestContext, req: BuildRequest) -> Prepared:
        if req.user_data is not None:
            check_user_data(req.user_data)
        for item in req.personality:
            check_user_data(item.get("contents", ""), "Personality content")
        bdms, bfv, boot_image = self._bdms(ctx, req)
        image = self._image(ctx, req.image_ref or boot_image or "", bfv)
        if bfv:
            req.image_ref = ""
        elif image is not None:
            req.image_ref = image.id
        project = ctx.project_id or ""
        sg_names = req.security_groups if req.security_groups else ["default"]
        explicit = req.network_mode not in ("auto", None) or bool(req.networks)
        # One read transaction for what the compute and networking tables answer.
        flavor_row, specs, key_data, nets, sg_ids, limits = self.c.tx.read(
            lambda s: self._reads(s, ctx, req, sg_names, explicit))
        if image is not None and not bfv:
            self._fits(flavor_row, image)
        if not explicit:
            nets = self.c.net.resolve(ctx, req.network_mode, [], req.max_count)
        if nets and sg_ids is None:
            sg_ids = self.c.net.security_group_ids(ctx, project, sg_names)
        zone, force_host, force_node = self._zone(ctx, req)
        group_id = self._group(ctx, req.scheduler_hints)
        image_meta: dict[str, Any] = dict(image.properties) if image else {}
        return Prepared(req, snapshot(flavor_row, specs), image, image_meta, key_data,
                        [{"network_id": n.network_id, "port_id": n.port_id,
                          "fixed_ip": n.fixed_ip, "tag": n.tag} for n in nets],
                        sg_names, sg_ids if nets else [], zone, force_host, force_node,
                        group_id, bdms, bfv, limits)

    def _reads(self, s: Session, ctx: RequestContext, req: BuildRequest, sg_names: list[str],
               explicit: bool) -> tuple[Any, ...]:
        flavor_row, specs = self._flavor_in(s, ctx, req.flavor_ref)
        key_data = self._key_in(s, ctx, req.key_name)
        nets = [] if req.network_mode == "none" else (
            self.c.net.check_all(s, ctx, req.networks, req.max_count) if explicit else [])
        project = ctx.project_id or ""
        sg_ids = self.c.net.security_group_ids_in(s, ctx, project, sg_names) \
            if (nets or not explicit) else []
        limits = self.c.quotas.both_limits(s, project, ctx.user_id or "")
        return flavor_row, specs, key_data, nets, sg_ids, limits

    # -- pieces -----------------------------------------------------------------------------
    @staticmethod
    def _flavor_in(s: Session, ctx: RequestContext, ref: str) -> tuple[Any, dict[str, str]]:
        flavor_id = str(ref).rstrip("/").rsplit("/", 1)[-1]
        try:
            flavor = FlavorService.load(s, ctx, flavor_id)
        except exc.NotFound:
            raise exc.BadRequest(f"Flavor {flavor_id} could not be found.") from None
        if flavor.disabled:
            raise exc.BadRequest(f"Flavor {flavor_id} is disabled.")
        return flavor, FlavorRepo(s).specs(flavor.id)

    def _image(self, ctx: RequestContext, image_ref: str, bfv: bool) -> ImageInfo | None:
        ref = str(image_ref or "").rstrip("/").rsplit("/", 1)[-1]
        if not ref:
            if not bfv:
                raise exc.BadRequest("Block Device Mapping is Invalid: Boot sequence for the "
                                     "instance and image/block device mapping combination is "
                                     "not valid.")
            return None
        if bfv:
            return self.c.images.get_or_none(ctx, ref)
        try:
            image = self.c.images.get(ctx, ref)
        except exc.NotFound:
            raise exc.BadRequest(f"Image {ref} could not be found.") from None
        if image.status != "active":
            raise exc.BadRequest(f"Image {ref} is not active.")
        return image

    @staticmethod
    def _fits(flavor: Any, image: ImageInfo) -> None:
        if image.min_ram and flavor.memory_mb < image.min_ram:
            raise exc.BadRequest("Flavor's memory is too small for requested image.")
        if flavor.root_gb and image.min_disk and flavor.root_gb < image.min_disk:
            raise exc.BadRequest("Flavor's disk is too small for requested image.")
        if flavor.root_gb and (image.size or 0) > flavor.root_gb * GiB:
            raise exc.BadRequest(f"Flavor's disk is too small for requested image. Flavor "
                                 f"disk is {flavor.root_gb * GiB} bytes, image is "
                                 f"{image.size} bytes.")

    @staticmethod
    def _key_in(s: Session, ctx: RequestContext, name: str | None) -> str | None:
        if name is None:
            return None
        kp = KeyPairRepo(s).of_user(ctx.user_id or "", name)
        if kp is None:
            raise exc.BadRequest("Invalid key_name provided.")
        return str(kp.public_key)

    def _zone(self, ctx: RequestContext, req: BuildRequest
              ) -> tuple[str | None, str | None, str | None]:
        zone = req.availability_zone or self.c.options.default_schedule_zone
        host = node = None
        if zone and ":" in zone:
            zone, _, rest = zone.partition(":")
            host, _, node = rest.partition(":")
            if not ctx.is_admin:
                raise exc.Forbidden("Policy doesn't allow os_compute_api:servers:create:"
                                    "forced_host to be performed.")
            zone, host, node = zone or None, host or None, node or None
        if req.host or req.hypervisor_hostname:
            if not ctx.is_admin:
                raise exc.Forbidden("Policy doesn't allow compute:servers:create:"
                                    "requested_destination to be performed.")
        self._check_hosts(req.host or host, req.hypervisor_hostname or node)
        if zone and zone not in self.c.zones.names():
            raise exc.BadRequest("The requested availability zone is not available")
        return zone, host, node

    def _check_hosts(self, host: str | None, node: str | None) -> None:
        def work(s: Session) -> None:
            if host and ServiceRepo(s).by_host_binary(host, "nova-compute") is None:
                raise exc.BadRequest(f"Compute host {host} could not be found.")
            if node and NodeRepo(s).by_hostname(node) is None:
                raise exc.BadRequest(f"Compute host {node} could not be found.")
        self.c.tx.read(work)

    def _group(self, ctx: RequestContext, hints: dict[str, Any]) -> int | None:
        ref = hints.get("group")
        if not ref:
            return None
        group = self.c.tx.read(lambda s: GroupRepo(s).by_uuid(str(ref)))
        if group is None or not (ctx.is_admin or group.project_id == ctx.project_id):
            raise exc.BadRequest(f"Instance group {ref} could not be found.")
        return int(group.id)

    def _bdms(self, ctx: RequestContext, req: BuildRequest
              ) -> tuple[list[dict[str, Any]], bool, str | None]:
        out = [dict(b) for b in req.bdms]
        boot = [b for b in out if str(b.get("boot_index")) == "0"]
        if len(boot) > 1:
            raise exc.BadRequest("Block Device Mapping is Invalid: Boot sequence for the "
                                 "instance and image/block device mapping combination is "
                                 "not valid.")
        for bdm in out:
            self._check_bdm(ctx, req, bdm)
        bfv = bool(boot) and boot[0].get("destination_type") == "volume"
        boot_image = None
        if boot and boot[0].get("source_type") == "image":
            boot_image = str(boot[0].get("uuid") or "")
        if bfv and boot[0].get("source_type") == "volume":
            boot_image = self._volume_image(ctx, str(boot[0]["uuid"]))
        return out, bfv, boot_image

    def _volume_image(self, ctx: RequestContext, volume_id: str) -> str | None:
        vol = self.c.volumes.get(ctx, volume_id)
        meta = vol.get("image_metadata") or vol.get("volume_image_metadata") or {}
        return str(meta["image_id"]) if meta.get("image_id") else None

    def _check_bdm(self, ctx: RequestContext, req: BuildRequest, bdm: dict[str, Any]) -> None:
        source = bdm.get("source_type")
        dest = bdm.get("destination_type") or ("volume" if source == "volume" else "local")
        bdm["destination_type"] = dest
        if source in ("volume", "snapshot", "image") and not bdm.get("uuid"):
            raise exc.BadRequest("Block Device Mapping is Invalid: Missing device UUID.")
        if dest == "volume" and not self.c.volumes.available:
            raise exc.BadRequest("Block Device Mapping is Invalid: this cloud has no Block "
                                 "Storage service.")
        if source == "volume":
            try:
                vol = self.c.volumes.check_attachable(ctx, str(bdm["uuid"]))
            except exc.NotFound:
                raise exc.BadRequest(f"Block Device Mapping is Invalid: failed to get volume "
                                     f"{bdm['uuid']}.") from None
            if str(bdm.get("boot_index")) == "0" and not vol.get("bootable"):
                raise exc.BadRequest(f"Block Device Mapping is Invalid: Volume {bdm['uuid']} "
                                     "is not bootable.")
        elif source == "image" and dest == "volume" and not bdm.get("volume_size"):
            raise exc.BadRequest("Block Device Mapping is Invalid: Images with "
                                 "destination_type 'volume' need to have a non-zero size "
                                 "specified")


def check_user_data(data: str, what: str = "User data") -> None:
    try:
        base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError):
        raise exc.BadRequest(f"{what} needs to be valid base 64.") from None
