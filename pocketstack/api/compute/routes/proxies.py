"""The proxy APIs of the old compute API, until 2.35 (image metadata until 2.38): /images,
/os-networks, /os-tenant-networks, /os-floating-ips, /os-floating-ip-pools, /os-volumes,
/os-snapshots; and the APIs Nova removed for good (410 Gone)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Body, Depends, Request
from fastapi.responses import JSONResponse, Response

from pocketstack.api.common.auth import authenticated
from pocketstack.api.compute import schemas, validation
from pocketstack.api.compute.links import links
from pocketstack.api.compute.microversion import mv
from pocketstack.api.compute.routes._common import V, accepted, base, compute, ok, params
from pocketstack.api.compute.views_servers import micro, stamp
from pocketstack.common import exceptions as exc
from pocketstack.common.context import RequestContext
from pocketstack.services.compute.imagegw import ImageInfo

router = APIRouter(prefix=V)
STATUS = {"active": "ACTIVE", "queued": "SAVING", "saving": "SAVING", "uploading": "SAVING",
          "importing": "SAVING", "deleted": "DELETED", "pending_delete": "DELETED",
          "killed": "ERROR", "deactivated": "ERROR"}
PROGRESS = {"ACTIVE": 100, "SAVING": 25}


def gate(request: Request, last: int = 35) -> None:
    if mv(request) > last:
        raise exc.NotFound("The resource could not be found.")


# -- images -------------------------------------------------------------------------------------
def _image(img: ImageInfo, root: str, detail: bool) -> dict[str, Any]:
    out: dict[str, Any] = {"id": img.id, "name": img.name,
                           "links": [*links(root, "images", img.id),
                                     {"rel": "alternate", "type": "application/vnd.openstack.image",
                                      "href": root.replace("/compute", "/image") +
                                      f"/v2/images/{img.id}"}]}
    if not detail:
        return out
    status = STATUS.get(img.status, "UNKNOWN")
    out.update({"status": status, "progress": PROGRESS.get(status, 0),
                "minDisk": img.min_disk, "minRam": img.min_ram,
                "created": stamp(img.created_at), "updated": stamp(img.updated_at),
                "metadata": dict(img.properties), "OS-EXT-IMG-SIZE:size": img.size})
    server = img.properties.get("instance_uuid")
    if server:
        out["server"] = {"id": server, "links": links(root, "servers", server)}
    return out


@router.get("/images")
def images(request: Request, ctx: RequestContext = Depends(authenticated)) -> JSONResponse:
    gate(request)
    found = compute(request).proxies.images(ctx, params(request))
    return ok({"images": [_image(i, base(request), False) for i in found]})


@router.get("/images/detail")
def images_detail(request: Request, ctx: RequestContext = Depends(authenticated)
                  ) -> JSONResponse:
    gate(request)
    found = compute(request).proxies.images(ctx, params(request))
    return ok({"images": [_image(i, base(request), True) for i in found]})


@router.get("/images/{image_id}")
def image(request: Request, image_id: str,
          ctx: RequestContext = Depends(authenticated)) -> JSONResponse:
    gate(request)
    img = compute(request).proxies.image(ctx, image_id)
    return ok({"image": _image(img, base(request), True)})


@router.delete("/images/{image_id}")
def delete_image(request: Request, image_id: str,
                 ctx: RequestContext = Depends(authenticated)) -> Response:
    gate(request)
    compute(request).proxies.delete_image(ctx, image_id)
    return Response(status_code=204)


@router.get("/images/{image_id}/metadata")
def image_metadata(request: Request, image_id: str,
                   ctx: RequestContext = Depends(authenticated)) -> JSONResponse:
    gate(request, 38)
    return ok({"metadata": dict(compute(request).proxies.image(ctx, image_id).properties)})


@router.put("/images/{image_id}/metadata")
@router.post("/images/{image_id}/metadata")
def set_image_metadata(request: Request, image_id: str, payload: Any = Body(None),
                       ctx: RequestContext = Depends(authenticated)) -> JSONResponse:
    gate(request, 38)
    items = validation.validate(schemas.METADATA_BODY, payload)["metadata"]
    out = compute(request).proxies.set_image_metadata(ctx, image_id, items,
                                                      replace=request.method == "PUT")
    return ok({"metadata": out})


@router.get("/images/{image_id}/metadata/{key}")
def image_meta_item(request: Request, image_id: str, key: str,
                    ctx: RequestContext = Depends(authenticated)) -> JSONResponse:
    gate(request, 38)
    props = compute(request).proxies.image(ctx, image_id).properties
    if key not in props:
        raise exc.NotFound("Metadata item was not found")
    return ok({"meta": {key: props[key]}})


@router.put("/images/{image_id}/metadata/{key}")
def set_image_meta_item(request: Request, image_id: str, key: str, payload: Any = Body(None),
                        ctx: RequestContext = Depends(authenticated)) -> JSONResponse:
    gate(request, 38)
    item = validation.validate(schemas.META_ITEM, payload)["meta"]
    if key not in item:
        raise exc.BadRequest("Request body and URI mismatch")
    compute(request).proxies.set_image_metadata(ctx, image_id, item)
    return ok({"meta": item})


@router.delete("/images/{image_id}/metadata/{key}")
def delete_image_meta_item(request: Request, image_id: str, key: str,
                           ctx: RequestContext = Depends(authenticated)) -> Response:
    gate(request, 38)
    compute(request).proxies.set_image_metadata(ctx, image_id, {}, delete=key)
    return Response(status_code=204)


# -- networks -----------------------------------------------------------------------------------
NET_FIELDS = ("bridge", "bridge_interface", "broadcast", "cidr", "cidr_v6", "created_at",
              "deleted", "deleted_at", "dhcp_server", "dhcp_start", "dns1", "dns2",
              "enable_dhcp", "gateway", "gateway_v6", "host", "injected", "mtu",
              "multi_host", "netmask", "netmask_v6", "priority", "project_id", "rxtx_base",
              "share_address", "updated_at", "vlan", "vpn_private_address",
              "vpn_public_address", "vpn_public_port")


def _network(net: Any, tenant: bool) -> dict[str, Any]:
    if tenant:
        return {"id": net.id, "label": net.name, "cidr": None}
    out: dict[str, Any] = dict.fromkeys(NET_FIELDS)
    out.update({"id": net.id, "label": net.name, "deleted": False})
    return out


@router.get("/os-networks")
@router.get("/os-tenant-networks")
def networks(request: Request, ctx: RequestContext = Depends(authenticated)) -> JSONResponse:
    gate(request)
    tenant = "tenant" in request.url.path
    found = compute(request).proxies.networks(ctx)
    return ok({"networks": [_network(n, tenant) for n in found]})


@router.get("/os-networks/{network_id}")
@router.get("/os-tenant-networks/{network_id}")
def network(request: Request, network_id: str,
            ctx: RequestContext = Depends(authenticated)) -> JSONResponse:
    gate(request)
    net = compute(request).proxies.network(ctx, network_id)
    return ok({"network": _network(net, "tenant" in request.url.path)})


# -- floating IPs -------------------------------------------------------------------------------
def _fip(request: Request, ctx: RequestContext, view: Any, pools: dict[str, str]
         ) -> dict[str, Any]:
    fip = view.fip
    device = view.port.device_id if getattr(view, "port", None) is not None else None
    return {"id": fip.id, "ip": fip.floating_ip_address, "fixed_ip": fip.fixed_ip_address,
            "instance_id": device or None, "pool": pools.get(fip.floating_network_id, "")}


def _pools(request: Request, ctx: RequestContext) -> dict[str, str]:
    return {p.id: p.name for p in compute(request).proxies.pools(ctx)}


@router.get("/os-floating-ips")
def floating_ips(request: Request, ctx: RequestContext = Depends(authenticated)
                 ) -> JSONResponse:
    gate(request)
    pools = _pools(request, ctx)
    found = compute(request).proxies.floating_ips(ctx)
    return ok({"floating_ips": [_fip(request, ctx, v, pools) for v in found]})


@router.post("/os-floating-ips")
def create_floating_ip(request: Request, payload: Any = Body(None),
                       ctx: RequestContext = Depends(authenticated)) -> JSONResponse:
    gate(request)
    pool = payload.get("pool") if isinstance(payload, dict) else None
    view = compute(request).proxies.create_floating_ip(ctx, pool)
    return ok({"floating_ip": _fip(request, ctx, view, _pools(request, ctx))})


@router.get("/os-floating-ips/{fip_id}")
def floating_ip(request: Request, fip_id: str,
                ctx: RequestContext = Depends(authenticated)) -> JSONResponse:
    gate(request)
    view = compute(request).proxies.floating_ip(ctx, fip_id)
    return ok({"floating_ip": _fip(request, ctx, view, _pools(request, ctx))})


@router.delete("/os-floating-ips/{fip_id}")
def delete_floating_ip(request: Request, fip_id: str,
                       ctx: RequestContext = Depends(authenticated)) -> Response:
    gate(request)
    compute(request).proxies.delete_floating_ip(ctx, fip_id)
    return accepted()


@router.get("/os-floating-ip-pools")
def floating_ip_pools(request: Request, ctx: RequestContext = Depends(authenticated)
                      ) -> JSONResponse:
    gate(request)
    return ok({"floating_ip_pools": [{"name": n} for n in _pools(request, ctx).values()]})


# -- volumes and snapshots ----------------------------------------------------------------------
def _volume(v: dict[str, Any]) -> dict[str, Any]:
    atts = [{"id": a.get("attachment_id") or v["id"], "volumeId": v["id"],
             "serverId": a.get("server_id"), "device": a.get("device")}
            for a in v.get("attachments", []) if a.get("server_id")]
    return {"id": v["id"], "status": v["status"], "size": v["size"],
            "availabilityZone": v.get("availability_zone"),
            "createdAt": micro(v.get("created_at")), "displayName": v.get("name"),
            "displayDescription": v.get("description"), "volumeType": v.get("volume_type"),
            "snapshotId": v.get("snapshot_id"), "metadata": v.get("metadata") or {},
            "attachments": atts or [{}]}


def _snapshot(x: dict[str, Any]) -> dict[str, Any]:
    return {"id": x["id"], "volumeId": x["volume_id"], "status": x["status"],
            "size": x["size"], "createdAt": micro(x.get("created_at")),
            "displayName": x.get("name"), "displayDescription": x.get("description")}


VOLUME_CREATE = schemas.wrap("volume", schemas.obj({
    "volume_type": {"type": "string"}, "metadata": schemas.METADATA,
    "snapshot_id": schemas.UUID, "size": schemas.POS_INT, "availability_zone": {
        "type": "string"}, "display_name": {"type": ["string", "null"], "maxLength": 255},
    "display_description": {"type": ["string", "null"], "maxLength": 255}}, ("size",)))
SNAPSHOT_CREATE = schemas.wrap("snapshot", schemas.obj({
    "volume_id": {"type": "string"}, "force": schemas.BOOLEAN,
    "display_name": {"type": ["string", "null"], "maxLength": 255},
    "display_description": {"type": ["string", "null"], "maxLength": 255}}, ("volume_id",)))


@router.get("/os-volumes")
@router.get("/os-volumes/detail")
def volumes(request: Request, ctx: RequestContext = Depends(authenticated)) -> JSONResponse:
    gate(request)
    found = compute(request).proxies.volumes(ctx, params(request))
    return ok({"volumes": [_volume(v) for v in found]})


@router.post("/os-volumes")
def create_volume(request: Request, payload: Any = Body(None),
                  ctx: RequestContext = Depends(authenticated)) -> JSONResponse:
    gate(request)
    data = validation.validate(VOLUME_CREATE, payload)["volume"]
    vol = compute(request).proxies.volume_create(ctx, {**data, "size": int(data["size"])})
    return ok({"volume": _volume(vol)})


@router.get("/os-volumes/{volume_id}")
def volume(request: Request, volume_id: str,
           ctx: RequestContext = Depends(authenticated)) -> JSONResponse:
    gate(request)
    return ok({"volume": _volume(compute(request).proxies.volume_get(ctx, volume_id))})


@router.delete("/os-volumes/{volume_id}")
def delete_volume(request: Request, volume_id: str,
                  ctx: RequestContext = Depends(authenticated)) -> Response:
    gate(request)
    compute(request).proxies.volume_delete(ctx, volume_id)
    return accepted()


@router.get("/os-snapshots")
@router.get("/os-snapshots/detail")
def snapshots(request: Request, ctx: RequestContext = Depends(authenticated)) -> JSONResponse:
    gate(request)
    return ok({"snapshots": [_snapshot(x) for x in compute(request).proxies.snapshots(ctx)]})


@router.post("/os-snapshots")
def create_snapshot(request: Request, payload: Any = Body(None),
                    ctx: RequestContext = Depends(authenticated)) -> JSONResponse:
    gate(request)
    data = validation.validate(SNAPSHOT_CREATE, payload)["snapshot"]
    return ok({"snapshot": _snapshot(compute(request).proxies.snapshot_create(ctx, data))})


@router.get("/os-snapshots/{snapshot_id}")
def snapshot(request: Request, snapshot_id: str,
             ctx: RequestContext = Depends(authenticated)) -> JSONResponse:
    gate(request)
    return ok({"snapshot": _snapshot(compute(request).proxies.snapshot(ctx, snapshot_id))})


@router.delete("/os-snapshots/{snapshot_id}")
def delete_snapshot(request: Request, snapshot_id: str,
                    ctx: RequestContext = Depends(authenticated)) -> Response:
    gate(request)
    compute(request).proxies.snapshot_delete(ctx, snapshot_id)
    return accepted()
