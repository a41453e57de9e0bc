"""More server actions: admin moves and state reset, backups, security groups, the old
floating / fixed IP actions (before 2.44) and the old console actions."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse, Response

from pocketstack.api.compute import schemas, validation
from pocketstack.api.compute.microversion import mv
from pocketstack.api.compute.routes._common import accepted, compute, ok
from pocketstack.common import exceptions as exc
from pocketstack.common.context import RequestContext

Handler = Callable[[Request, RequestContext, str, Any], Response]


def _migrate(request: Request, ctx: RequestContext, sid: str, payload: Any) -> Response:
    data = validation.validate(schemas.migrate(mv(request)), payload)["migrate"] or {}
    compute(request).migrations.migrate(ctx, sid, data.get("host"))
    return accepted()


def _live(request: Request, ctx: RequestContext, sid: str, payload: Any) -> Response:
    data = validation.validate(schemas.live_migrate(mv(request)), payload)["os-migrateLive"]
    compute(request).migrations.live_migrate(ctx, sid, data.get("host"))
    return accepted()


def _reset(request: Request, ctx: RequestContext, sid: str, payload: Any) -> Response:
    state = validation.validate(schemas.RESET_STATE, payload)["os-resetState"]["state"]
    compute(request).actions.reset_state(ctx, sid, state)
    return accepted()


def _backup(request: Request, ctx: RequestContext, sid: str, payload: Any) -> Response:
    from pocketstack.api.compute.routes.server_actions import image_reply

    data = validation.validate(schemas.CREATE_BACKUP, payload)["createBackup"]
    image = compute(request).snapshots.create_backup(
        ctx, sid, data["name"], data["backup_type"], int(data["rotation"]),
        data.get("metadata") or {})
    return image_reply(request, image.id if image else None)


def _sg(add: bool) -> Handler:
    key = "addSecurityGroup" if add else "removeSecurityGroup"

    def run(request: Request, ctx: RequestContext, sid: str, payload: Any) -> Response:
        name = validation.validate(schemas.wrap(key, schemas.SECURITY_GROUP), payload)[key]
        compute(request).extras.change_security_group(ctx, sid, name["name"], add)
        return accepted()
    return run


def _fip(add: bool) -> Handler:
    key = "addFloatingIp" if add else "removeFloatingIp"
    schema = schemas.wrap(key, schemas.obj({"address": schemas.IP, "fixed_address": schemas.IP},
                                           ("address",)))

    def run(request: Request, ctx: RequestContext, sid: str, payload: Any) -> Response:
        if mv(request) >= 44:
            raise exc.NotFound(f"There is no such action: {key}")
        data = validation.validate(schema, payload)[key]
        compute(request).extras.floating_ip(ctx, sid, data["address"],
                                            data.get("fixed_address"), add)
        return accepted()
    return run


def _add_fixed(request: Request, ctx: RequestContext, sid: str, payload: Any) -> Response:
    if mv(request) >= 44:
        raise exc.NotFound("There is no such action: addFixedIp")
    data = validation.validate(schemas.wrap("addFixedIp", schemas.obj(
        {"networkId": {"type": ["string", "integer"]}}, ("networkId",))), payload)
    compute(request).interfaces.attach(ctx, sid, str(data["addFixedIp"]["networkId"]), None,
                                       None, None)
    return accepted()


def _remove_fixed(request: Request, ctx: RequestContext, sid: str, payload: Any) -> Response:
    if mv(request) >= 44:
        raise exc.NotFound("There is no such action: removeFixedIp")
    data = validation.validate(schemas.wrap("removeFixedIp", schemas.obj(
        {"address": schemas.IP}, ("address",))), payload)
    compute(request).interfaces.remove_fixed_ip(ctx, sid, data["removeFixedIp"]["address"])
    return accepted()


CONSOLE_ACTIONS = {"os-getVNCConsole": "vnc", "os-getSPICEConsole": "spice",
                   "os-getRDPConsole": "rdp", "os-getSerialConsole": "serial"}


def _console(key: str) -> Handler:
    protocol = CONSOLE_ACTIONS[key]

    def run(request: Request, ctx: RequestContext, sid: str, payload: Any) -> JSONResponse:
        data = validation.validate(schemas.wrap(key, schemas.obj(
            {"type": {"type": "string"}}, ("type",))), payload)[key]
        url = compute(request).extras.console(ctx, sid, protocol, data["type"])
        return ok({"console": {"type": data["type"], "url": url}})
    return run


def _restore(force: bool) -> Handler:
    key = "forceDelete" if force else "restore"

    def run(request: Request, ctx: RequestContext, sid: str, payload: Any) -> Response:
        validation.validate(schemas.bare(key), payload)
        compute(request).extras.restore(ctx, sid, force)
        return accepted()
    return run


def _evacuate(request: Request, ctx: RequestContext, sid: str, payload: Any) -> Response:
    data = payload.get("evacuate") or {}
    if not isinstance(data, dict):
        raise exc.BadRequest("Invalid input for field/attribute evacuate.")
    compute(request).extras.evacuate(ctx, sid, data.get("host"))
    return ok({} if mv(request) >= 14 else {"adminPass": data.get("adminPass") or ""})


def _inject(key: str) -> Handler:
    def run(request: Request, ctx: RequestContext, sid: str, payload: Any) -> Response:
        validation.validate(schemas.bare(key), payload)
        compute(request).extras.inject(ctx, sid, key)
        return accepted()
    return run


HANDLERS: dict[str, Handler] = {
    "migrate": _migrate, "os-migrateLive": _live, "os-resetState": _reset,
    "createBackup": _backup, "addSecurityGroup": _sg(True), "removeSecurityGroup": _sg(False),
    "addFloatingIp": _fip(True), "removeFloatingIp": _fip(False), "addFixedIp": _add_fixed,
    "removeFixedIp": _remove_fixed, "forceDelete": _restore(True), "restore": _restore(False),
    "evacuate": _evacuate, "injectNetworkInfo": _inject("injectNetworkInfo"),
    "resetNetwork": _inject("resetNetwork"),
    **{k: _console(k) for k in CONSOLE_ACTIONS},
}
