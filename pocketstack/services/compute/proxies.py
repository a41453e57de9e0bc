"""The old proxy APIs of the compute API (until 2.35): images and their metadata, networks,
floating IPs, security groups and their rules, volumes and snapshots — each a thin
translation onto the Image, Networking and Block Storage services (in process)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pocketstack.common import exceptions as exc
from pocketstack.common.context import RequestContext
from pocketstack.services.compute.imagegw import ImageInfo
from pocketstack.services.network.query import ListQuery

if TYPE_CHECKING:
    from pocketstack.services.compute import Compute


def _q(**filters: Any) -> ListQuery:
    return ListQuery(filters={k: [str(v)] for k, v in filters.items() if v is not None})


class ProxyService:
    def __init__(self, compute: Compute) -> None:
        self.c = compute

    @property
    def net(self) -> Any:
        return self.c.net.net

    # -- images -------------------------------------------------------------------------------
    def images(self, ctx: RequestContext, params: dict[str, str]) -> list[ImageInfo]:
        query: list[tuple[str, str]] = [("limit", params.get("limit", "1000"))]
        if params.get("marker"):
            query.append(("marker", params["marker"]))
        for key in ("name", "status"):
            if params.get(key):
                query.append((key, params[key].lower() if key == "status" else params[key]))
        try:
            found, _ = self.c.images.list(ctx, query)
        except exc.BadRequest:
            if params.get("marker"):
                raise exc.BadRequest(f"marker [{params['marker']}] not found") from None
            raise
        server = params.get("server")
        kind = params.get("type")
        if server:
            found = [i for i in found if i.properties.get("instance_uuid") == server.rstrip(
                "/").rsplit("/", 1)[-1]]
        if kind:
            found = [i for i in found if i.properties.get("image_type", "image") == kind]
        for key, attr in (("minDisk", "min_disk"), ("minRam", "min_ram")):
            if params.get(key, "").isdigit():
                found = [i for i in found if getattr(i, attr) >= int(params[key])]
        return found

    def image(self, ctx: RequestContext, image_id: str) -> ImageInfo:
        try:
            return self.c.images.get(ctx, image_id)
        except exc.NotFound:
            raise exc.NotFound("Image not found.") from None

    def delete_image(self, ctx: RequestContext, image_id: str) -> None:
        self.image(ctx, image_id)
        self.c.images.delete_as(ctx, image_id)

    def set_image_metadata(self, ctx: RequestContext, image_id: str, items: dict[str, str],
                           *, replace: bool = False, delete: str | None = None
                           ) -> dict[str, str]:
        image = self.image(ctx, image_id)
        remove = []
        if replace:
            remove = [k for k in image.properties if k not in items]
        if delete is not None:
            if delete not in image.properties:
                raise exc.NotFound("Metadata item was not found")
            remove = [delete]
        if len({**image.properties, **items}) - len(remove) > 128:
            raise exc.Forbidden("Quota exceeded for metadata_items: Maximum number of "
                                "metadata items exceeds 128")
        out = self.c.images.set_properties(ctx, image_id, items, remove)
        return dict(out.properties)

    # -- networks -------------------------------------------------------------------------------
    def networks(self, ctx: RequestContext) -> list[Any]:
        return [v.network for v in self.net.networks.list(ctx, ListQuery())]

    def network(self, ctx: RequestContext, network_id: str) -> Any:
        try:
            return self.net.networks.get(ctx, network_id).network
        except exc.NotFound:
            raise exc.NotFound("Network not found") from None

    # -- floating IPs --------------------------------------------------------------------------
    def pools(self, ctx: RequestContext) -> list[Any]:
        admin = RequestContext(project_id=ctx.project_id, roles=("admin",))
        return [v.network for v in self.net.networks.list(admin, ListQuery())
                if v.network.router_external]

    def floating_ips(self, ctx: RequestContext) -> list[Any]:
        return list(self.net.floatingips.list(ctx, _q(project_id=ctx.project_id)))

    def floating_ip(self, ctx: RequestContext, fip_id: str) -> Any:
        try:
            return self.net.floatingips.get(ctx, fip_id)
        except exc.NotFound:
            raise exc.NotFound(f"Floating IP {fip_id} could not be found") from None

    def create_floating_ip(self, ctx: RequestContext, pool: str | None) -> Any:
        pools = self.pools(ctx)
        match = [p for p in pools if pool is None or p.name == pool or p.id == pool]
        if not match:
            raise exc.NotFound("Floating IP pool not found." if pool is None else
                               f"Floating IP pool not found: {pool}")
        try:
            return self.net.floatingips.create(ctx, {"floating_network_id": match[0].id})
        except exc.Conflict as e:
            raise exc.NotFound(f"No more floating IPs in pool {match[0].name}. "
                               f"({e.message})") from None

    def delete_floating_ip(self, ctx: RequestContext, fip_id: str) -> None:
        self.floating_ip(ctx, fip_id)
        self.net.floatingips.delete(ctx, fip_id)

    def port_devices(self, ctx: RequestContext, port_ids: list[str]) -> dict[str, str]:
        out = {}
        for port_id in port_ids:
            try:
                out[port_id] = self.net.ports.get(ctx, port_id).port.device_id
            except exc.NotFound:
                continue
        return out

    # -- security groups -----------------------------------------------------------------------
    def security_groups(self, ctx: RequestContext, all_tenants: bool) -> list[Any]:
        q = ListQuery() if (all_tenants and ctx.is_admin) else _q(project_id=ctx.project_id)
        return list(self.net.security_groups.list(ctx, q))

    def security_group(self, ctx: RequestContext, sg_id: str) -> Any:
        try:
            return self.net.security_groups.get(ctx, sg_id)
        except exc.NotFound:
            raise exc.NotFound(f"Security group {sg_id} not found.") from None

    def create_security_group(self, ctx: RequestContext, name: str, description: str
                              ) -> Any:
        return self.net.security_groups.create(ctx, [{"name": name,
                                                      "description": description}])[0]

    def update_security_group(self, ctx: RequestContext, sg_id: str, name: str,
                              description: str) -> Any:
        current = self.security_group(ctx, sg_id)
        if current.group.name == "default" and name != "default":
            raise exc.BadRequest("Unable to update system group 'default'")
        return self.net.security_groups.update(ctx, sg_id, {"name": name,
                                                            "description": description})

    def delete_security_group(self, ctx: RequestContext, sg_id: str) -> None:
        current = self.security_group(ctx, sg_id)
        if current.group.name == "default":
            raise exc.BadRequest("Unable to delete system group 'default'")
        try:
            self.net.security_groups.delete(ctx, sg_id)
        except exc.Conflict as e:
            raise exc.BadRequest(e.message) from None

    def create_rule(self, ctx: RequestContext, data: dict[str, Any]) -> Any:
        group = self.security_group(ctx, data["parent_group_id"])
        rule = {"security_group_id": group.group.id, "direction": "ingress",
                "ethertype": "IPv4", "protocol": data.get("ip_protocol"),
                "port_range_min": data.get("from_port"), "port_range_max": data.get("to_port")}
        if data.get("group_id"):
            self.security_group(ctx, data["group_id"])
            rule["remote_group_id"] = data["group_id"]
        else:
            cidr = data.get("cidr") or "0.0.0.0/0"
            rule["remote_ip_prefix"] = cidr
            rule["ethertype"] = "IPv6" if ":" in cidr else "IPv4"
        try:
            return self.net.security_groups.create_rules(ctx, [rule])[0]
        except exc.Conflict:
            raise exc.BadRequest(f"This rule already exists in group "
                                 f"{data['parent_group_id']}") from None

    def delete_rule(self, ctx: RequestContext, rule_id: str) -> None:
        try:
            self.net.security_groups.delete_rule(ctx, rule_id)
        except exc.NotFound:
            raise exc.NotFound(f"Security group rule {rule_id} could not be found.") from None

    def group_names(self, ctx: RequestContext, ids: list[str]) -> dict[str, Any]:
        admin = RequestContext(project_id=ctx.project_id, roles=("admin",))
        return {g.group.id: g.group for g in self.net.security_groups.list(admin, ListQuery())
                if g.group.id in ids}

    # -- volumes and snapshots -----------------------------------------------------------------
    @property
    def volume(self) -> Any:
        return self.c.volumes.service

    def volumes(self, ctx: RequestContext, params: dict[str, str]) -> list[dict[str, Any]]:
        found, _ = self.volume.volumes.list(ctx, {k: v for k, v in params.items()
                                                  if k in ("limit", "offset", "marker")})
        return list(found)

    def volume_get(self, ctx: RequestContext, volume_id: str) -> dict[str, Any]:
        return self.c.volumes.get(ctx, volume_id)

    def volume_create(self, ctx: RequestContext, data: dict[str, Any]) -> dict[str, Any]:
        body = {"size": data["size"], "name": data.get("display_name"),
                "description": data.get("display_description"),
                "volume_type": data.get("volume_type"), "metadata": data.get("metadata"),
                "availability_zone": data.get("availability_zone"),
                "snapshot_id": data.get("snapshot_id"), "imageRef": data.get("imageRef")}
        return dict(self.volume.volumes.create(ctx, {k: v for k, v in body.items()
                                                     if v is not None}))

    def volume_delete(self, ctx: RequestContext, volume_id: str) -> None:
        self.c.volumes.get(ctx, volume_id)
        self.volume.volumes.delete(ctx, volume_id)

    def snapshots(self, ctx: RequestContext) -> list[dict[str, Any]]:
        return list(self.volume.snapshots.list(ctx, {}))

    def snapshot(self, ctx: RequestContext, snapshot_id: str) -> dict[str, Any]:
        try:
            return dict(self.volume.snapshots.get(ctx, snapshot_id))
        except exc.NotFound:
            raise exc.NotFound(f"Snapshot {snapshot_id} could not be found.") from None

    def snapshot_create(self, ctx: RequestContext, data: dict[str, Any]) -> dict[str, Any]:
        force = str(data.get("force", False)).lower() in ("true", "1", "yes")
        body = {"volume_id": data["volume_id"], "name": data.get("display_name"),
                "description": data.get("display_description")}
        return dict(self.volume.snapshots.create(ctx, body, in_use_ok=force))

    def snapshot_delete(self, ctx: RequestContext, snapshot_id: str) -> None:
        self.snapshot(ctx, snapshot_id)
        self.volume.snapshots.delete(ctx, snapshot_id)
