"""POST /servers/{id}/action: one body key names the action (reboot, os-stop, resize...)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Body, Depends, Request
from fastapi.responses import Response

from pocketstack.api.common.auth import authenticated
from pocketstack.api.compute import policy, schemas
from pocketstack.api.compute import views_servers as vs
from pocketstack.api.compute.microversion import mv
from pocketstack.api.compute.routes import server_extras
from pocketstack.api.compute.routes._common import V, accepted, base, body, compute, ok
from pocketstack.common import exceptions as exc
from pocketstack.common.context import RequestContext

router = APIRouter(prefix=f"{V}/servers")
Handler = Callable[[Request, RequestContext, str, Any], Response]
SIMPLE = {"os-stop": "stop", "os-start": "start", "pause": "pause", "unpause": "unpause",
          "suspend": "suspend", "resume": "resume", "unrescue": "unrescue"}
ADMIN = {"migrate": "migrate", "os-migrateLive": "migrate_live",
         "os-resetState": "reset_state", "injectNetworkInfo": "inject_network_info",
         "resetNetwork": "reset_network", "evacuate": "evacuate"}


def _simple(name: str) -> Handler:
    def run(request: Request, ctx: RequestContext, sid: str, payload: Any) -> Response:
        body(payload, schemas.bare(next(k for k, v in SIMPLE.items() if v == name)))
        compute(request).actions.simple(ctx, sid, name)
        return accepted()
    return run


def _reboot(request: Request, ctx: RequestContext, sid: str, payload: Any) -> Response:
    kind = body(payload, schemas.REBOOT)["reboot"]["type"].upper()
    compute(request).actions.reboot(ctx, sid, kind)
    return accepted()


def _lock(request: Request, ctx: RequestContext, sid: str, payload: Any) -> Response:
    data = body(payload, schemas.lock(mv(request)))["lock"] or {}
    compute(request).actions.lock(ctx, sid, data.get("locked_reason"))
    return accepted()


def _unlock(request: Request, ctx: RequestContext, sid: str, payload: Any) -> Response:
    body(payload, schemas.bare("unlock"))
    compute(request).actions.unlock(ctx, sid)
    return accepted()


def _rescue(request: Request, ctx: RequestContext, sid: str, payload: Any) -> Response:
    data = body(payload, schemas.RESCUE)["rescue"] or {}
    password = compute(request).actions.rescue(ctx, sid, data.get("adminPass"),
                                               data.get("rescue_image_ref"),
                                               allow_volume_backed=mv(request) >= 87)
    return ok({"adminPass": password})


def _rebuild(request: Request, ctx: RequestContext, sid: str, payload: Any) -> Response:
    version = mv(request)
    data = body(payload, schemas.rebuild(version))["rebuild"]
    from pocketstack.api.compute.routes.servers import access_ips
    access_ips(data)
    if "user_data" in data and data["user_data"] is not None:
        from pocketstack.services.compute.build import check_user_data
        check_user_data(data["user_data"])
    c = compute(request)
    password = c.actions.rebuild(ctx, sid, data["imageRef"], data)
    rec = c.servers.get(ctx, sid, refresh=False)
    view = vs.server(rec, ctx, base(request), version, kind="rebuild", admin_pass=password)
    return ok({"server": view}, status=202)


def _resize(request: Request, ctx: RequestContext, sid: str, payload: Any) -> Response:
    data = body(payload, schemas.RESIZE)["resize"]
    compute(request).migrations.resize(ctx, sid, str(data["flavorRef"]),
                                       data.get("OS-DCF:diskConfig"))
    return accepted()


def _confirm(request: Request, ctx: RequestContext, sid: str, payload: Any) -> Response:
    body(payload, schemas.bare("confirmResize"))
    compute(request).migrations.confirm(ctx, sid)
    return Response(status_code=204)


def _revert(request: Request, ctx: RequestContext, sid: str, payload: Any) -> Response:
    body(payload, schemas.bare("revertResize"))
    compute(request).migrations.revert(ctx, sid)
    return accepted()


def _image(request: Request, ctx: RequestContext, sid: str, payload: Any) -> Response:
    data = body(payload, schemas.CREATE_IMAGE)["createImage"]
    image = compute(request).snapshots.create_image(ctx, sid, data["name"],
                                                    data.get("metadata") or {})
    return _image_reply(request, image.id)


def _image_reply(request: Request, image_id: str | None) -> Response:
    if mv(request) >= 45:
        return ok({"image_id": image_id} if image_id else {}, status=202)
    headers = {}
    if image_id:
        headers["Location"] = f"{str(request.base_url).rstrip('/')}/image/v2/images/{image_id}"
    return Response(status_code=202, headers=headers)


def _shelve(request: Request, ctx: RequestContext, sid: str, payload: Any) -> Response:
    body(payload, schemas.bare("shelve"))
    compute(request).snapshots.shelve(ctx, sid)
    return accepted()


def _shelve_offload(request: Request, ctx: RequestContext, sid: str, payload: Any
                    ) -> Response:
    policy.admin(ctx, "os_compute_api:os-shelve:shelve_offload")
    body(payload, schemas.bare("shelveOffload"))
    compute(request).snapshots.shelve_offload(ctx, sid)
    return accepted()


def _unshelve(request: Request, ctx: RequestContext, sid: str, payload: Any) -> Response:
    data = body(payload, schemas.unshelve(mv(request)))["unshelve"] or {}
    if data.get("host"):
        policy.admin(ctx, "os_compute_api:os-shelve:unshelve_to_host")
    unpin = "availability_zone" in data and data["availability_zone"] is None
    compute(request).snapshots.unshelve(ctx, sid, data.get("availability_zone"),
                                        data.get("host"), unpin)
    return accepted()


def _console(request: Request, ctx: RequestContext, sid: str, payload: Any) -> Response:
    data = body(payload, schemas.CONSOLE_OUTPUT)["os-getConsoleOutput"] or {}
    length = data.get("length")
    length = None if length in (None, -1, "-1") else int(length)
    output = compute(request).actions.console_output(ctx, sid, length)
    return ok({"output": output})


def _password(request: Request, ctx: RequestContext, sid: str, payload: Any) -> Response:
    data = body(payload, schemas.CHANGE_PASSWORD)["changePassword"]
    compute(request).actions.change_password(ctx, sid, data["adminPass"])
    return accepted()


def _crash_dump(request: Request, ctx: RequestContext, sid: str, payload: Any) -> Response:
    if mv(request) < 17:
        raise exc.BadRequest("There is no such action: trigger_crash_dump")
    body(payload, schemas.bare("trigger_crash_dump"))
    compute(request).actions.trigger_crash_dump(ctx, sid)
    return accepted()


HANDLERS: dict[str, Handler] = {
    **{k: _simple(v) for k, v in SIMPLE.items()},
    "reboot": _reboot, "lock": _lock, "unlock": _unlock, "rescue": _rescue,
    "rebuild": _rebuild, "resize": _resize, "confirmResize": _confirm,
    "revertResize": _revert, "createImage": _image, "shelve": _shelve,
    "shelveOffload": _shelve_offload, "unshelve": _unshelve,
    "os-getConsoleOutput": _console, "changePassword": _password,
    "trigger_crash_dump": _crash_dump, **server_extras.HANDLERS,
}


@router.post("/{server_id}/action")
def action(request: Request, server_id: str, payload: Any = Body(None),
           ctx: RequestContext = Depends(authenticated)) -> Response:
    if not isinstance(payload, dict) or len(payload) != 1:
        raise exc.BadRequest("Malformed request body: one action is expected.")
    name = next(iter(payload))
    handler = HANDLERS.get(name)
    if handler is None:
        raise exc.BadRequest(f"There is no such action: {name}")
    if name in ADMIN:
        policy.admin(ctx, f"os_compute_api:os-{ADMIN[name]}")
    policy.member(ctx, f"os_compute_api:servers:{name}")
    return handler(request, ctx, server_id, payload)


def image_reply(request: Request, image_id: str | None) -> Response:
    return _image_reply(request, image_id)
