"""POST /v3/volumes/{id}/action: one action per request, as Cinder names them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Body, Depends, Request
from fastapi.responses import Response

from pocketstack.api.common.auth import authenticated
from pocketstack.api.volume import microversion as mv
from pocketstack.api.volume import policy, schemas
from pocketstack.api.volume.routes.common import accepted, bs, ok
from pocketstack.common import exceptions as exc
from pocketstack.common.context import RequestContext

router = APIRouter(prefix="/v3/volumes")

Handler = Callable[[Request, RequestContext, str, Any], Response]
ACTIONS: dict[str, Handler] = {}
ADMIN_ONLY = ("os-reset_status", "os-force_delete", "os-force_detach", "os-migrate_volume",
              "os-migrate_volume_completion")


def action(name: str) -> Callable[[Handler], Handler]:
    def register(fn: Handler) -> Handler:
        ACTIONS[name] = fn
        return fn
    return register


def _arg(arg: Any) -> dict[str, Any]:
    if arg is None:
        return {}
    if not isinstance(arg, dict):
        raise exc.BadRequest("Invalid input: the action's argument must be an object.")
    return arg


@router.post("/{volume_id}/action")
def run(request: Request, volume_id: str, body: Any = Body(None),
        ctx: RequestContext = Depends(authenticated)) -> Response:
    name, arg = schemas.action(body)
    handler = ACTIONS.get(name)
    if handler is None:
        raise exc.BadRequest(f"There is no such action: {name}")
    if name in ADMIN_ONLY:
        policy.admin(ctx, f"volume_extension:volume_admin_actions:{name[3:]}")
    else:
        policy.member(ctx, f"volume:{name}")
    return handler(request, ctx, volume_id, arg)


@action("os-extend")
def _extend(request: Request, ctx: RequestContext, vid: str, arg: Any) -> Response:
    bs(request).actions.extend(ctx, vid, _arg(arg).get("new_size"),
                               in_use_ok=mv.at_least(request, "3.42"))
    return accepted()


@action("os-set_bootable")
def _bootable(request: Request, ctx: RequestContext, vid: str, arg: Any) -> Response:
    a = _arg(arg)
    if "bootable" not in a:
        raise exc.BadRequest("Must specify bootable in request.")
    bs(request).actions.set_bootable(ctx, vid, a["bootable"])
    return ok()


@action("os-update_readonly_flag")
def _readonly(request: Request, ctx: RequestContext, vid: str, arg: Any) -> Response:
    a = _arg(arg)
    if "readonly" not in a:
        raise exc.BadRequest("Must specify readonly in request.")
    bs(request).actions.set_readonly(ctx, vid, a["readonly"])
    return accepted()


@action("os-reset_status")
def _reset(request: Request, ctx: RequestContext, vid: str, arg: Any) -> Response:
    bs(request).actions.reset_status(ctx, vid, _arg(arg))
    return accepted()


@action("os-force_delete")
def _force_delete(request: Request, ctx: RequestContext, vid: str, arg: Any) -> Response:
    bs(request).volumes.delete(ctx, vid, cascade=True, force=True)
    return accepted()


@action("os-retype")
def _retype(request: Request, ctx: RequestContext, vid: str, arg: Any) -> Response:
    bs(request).actions.retype(ctx, vid, _arg(arg))
    return accepted()


@action("os-volume_upload_image")
def _upload(request: Request, ctx: RequestContext, vid: str, arg: Any) -> Response:
    from pocketstack.api.volume.views import ts

    out = bs(request).actions.upload_image(ctx, vid, _arg(arg))
    out["updated_at"] = ts(out["updated_at"])
    if not mv.at_least(request, "3.1"):
        out.pop("visibility")
        out.pop("protected")
    return accepted({"os-volume_upload_image": out})


# -- attachments (legacy flow) --------------------------------------------------------------------
@action("os-reserve")
def _reserve(request: Request, ctx: RequestContext, vid: str, arg: Any) -> Response:
    bs(request).attachments.reserve(ctx, vid)
    return accepted()


@action("os-unreserve")
def _unreserve(request: Request, ctx: RequestContext, vid: str, arg: Any) -> Response:
    bs(request).attachments.unreserve(ctx, vid)
    return accepted()


@action("os-begin_detaching")
def _begin_detaching(request: Request, ctx: RequestContext, vid: str, arg: Any) -> Response:
    bs(request).attachments.begin_detaching(ctx, vid)
    return accepted()


@action("os-roll_detaching")
def _roll_detaching(request: Request, ctx: RequestContext, vid: str, arg: Any) -> Response:
    bs(request).attachments.roll_detaching(ctx, vid)
    return accepted()


@action("os-initialize_connection")
def _initialize(request: Request, ctx: RequestContext, vid: str, arg: Any) -> Response:
    info = bs(request).attachments.initialize_connection(ctx, vid, _arg(arg).get("connector"))
    return ok({"connection_info": info})


@action("os-terminate_connection")
def _terminate(request: Request, ctx: RequestContext, vid: str, arg: Any) -> Response:
    if not isinstance(_arg(arg).get("connector"), dict):
        raise exc.BadRequest("Must specify 'connector'.")
    bs(request).volumes.get(ctx, vid)
    return accepted()


@action("os-attach")
def _attach(request: Request, ctx: RequestContext, vid: str, arg: Any) -> Response:
    bs(request).attachments.attach(ctx, vid, _arg(arg))
    return accepted()


@action("os-detach")
def _detach(request: Request, ctx: RequestContext, vid: str, arg: Any) -> Response:
    bs(request).attachments.detach(ctx, vid, _arg(arg).get("attachment_id"))
    return accepted()


@action("os-force_detach")
def _force_detach(request: Request, ctx: RequestContext, vid: str, arg: Any) -> Response:
    bs(request).attachments.detach(ctx, vid, _arg(arg).get("attachment_id"), force=True)
    return accepted()


# -- image metadata ---------------------------------------------------------------------------
@action("os-set_image_metadata")
def _set_image_meta(request: Request, ctx: RequestContext, vid: str, arg: Any) -> Response:
    meta = schemas.metadata(_arg(arg))
    return ok({"metadata": bs(request).volumes.set_image_metadata(ctx, vid, meta)})


@action("os-unset_image_metadata")
def _unset_image_meta(request: Request, ctx: RequestContext, vid: str, arg: Any) -> Response:
    key = _arg(arg).get("key")
    if not isinstance(key, str) or not key:
        raise exc.BadRequest("Malformed request body: 'key' is required.")
    bs(request).volumes.delete_image_metadata(ctx, vid, key)
    return ok()


@action("os-show_image_metadata")
def _show_image_meta(request: Request, ctx: RequestContext, vid: str, arg: Any) -> Response:
    return ok({"metadata": bs(request).volumes.image_metadata(ctx, vid)})
