"""Tags on networks, subnets, ports, routers, floating IPs, security groups and subnet
pools (the tag API, standard-attr-tag)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session

from pocketstack.common import exceptions as exc
from pocketstack.common.context import RequestContext
from pocketstack.db.repositories.network.misc import TagRepo
from pocketstack.services.network.base import ServiceBase, bump

MAX_TAGS = 50


class TagService(ServiceBase):
    def _finder(self, resource: str) -> Callable[[Session, RequestContext, str], Any]:
        n = self.net
        finders: dict[str, Callable[[Session, RequestContext, str], Any]] = {
            "networks": n.networks.visible_one, "subnets": n.subnets.visible_one,
            "ports": n.ports.visible_one, "routers": n.routers.own,
            "floatingips": n.floatingips.own, "security_groups": n.security_groups.own,
            "subnetpools": n.subnetpools.visible_one,
        }
        if resource not in finders:
            raise exc.NotFound("The resource could not be found.", error_type="HTTPNotFound")
        return finders[resource]

    def _target(self, s: Session, ctx: RequestContext, resource: str, rid: str,
                write: bool) -> Any:
        obj = self._finder(resource)(s, ctx, rid)
        if write and not ctx.is_admin and getattr(obj, "project_id", None) != ctx.project_id:
            raise exc.Forbidden(f"(rule:update_{resource[:-1]}:tags) is disallowed by policy",
                                error_type="PolicyNotAuthorized")
        return obj

    def get(self, ctx: RequestContext, resource: str, rid: str) -> list[str]:
        def work(s: Session) -> list[str]:
            self._target(s, ctx, resource, rid, False)
            return TagRepo(s).for_ids([rid]).get(rid, [])
        return self.tx.read(work)

    def check(self, ctx: RequestContext, resource: str, rid: str, tag: str) -> None:
        if tag not in self.get(ctx, resource, rid):
            raise exc.NotFound(f"Tag {tag} could not be found for {resource[:-1]} {rid}.",
                               error_type="TagNotFound")

    def replace(self, ctx: RequestContext, resource: str, rid: str, body: Any) -> list[str]:
        tags = body.get("tags") if isinstance(body, dict) else None
        if not isinstance(tags, list):
            raise exc.BadRequest("Invalid input for tags. Reason: a list of tags is required.",
                                 error_type="HTTPBadRequest")
        for t in tags:
            self._valid(t)
        if len(set(tags)) > MAX_TAGS:
            raise exc.BadRequest(f"Invalid input for tags. Reason: at most {MAX_TAGS} tags.",
                                 error_type="HTTPBadRequest")

        def work(s: Session) -> list[str]:
            obj = self._target(s, ctx, resource, rid, True)
            TagRepo(s).replace(resource, rid, tags)
            bump(obj)
            return sorted(set(tags))
        return self.tx.write(work)

    def add(self, ctx: RequestContext, resource: str, rid: str, tag: str) -> None:
        self._valid(tag)

        def work(s: Session) -> None:
            obj = self._target(s, ctx, resource, rid, True)
            TagRepo(s).add(resource, rid, tag)
            bump(obj)
        self.tx.write(work)

    def remove(self, ctx: RequestContext, resource: str, rid: str, tag: str | None) -> None:
        def work(s: Session) -> None:
            obj = self._target(s, ctx, resource, rid, True)
            if tag is None:
                TagRepo(s).purge([rid])
            elif not TagRepo(s).remove(rid, tag):
                raise exc.NotFound(f"Tag {tag} could not be found for {resource[:-1]} {rid}.",
                                   error_type="TagNotFound")
            bump(obj)
        self.tx.write(work)

    @staticmethod
    def _valid(tag: Any) -> None:
        if not isinstance(tag, str) or not tag or len(tag) > 255 or "," in tag or "/" in tag:
            raise exc.BadRequest(f"Invalid input for tags. Reason: '{tag}' is not a valid tag.",
                                 error_type="HTTPBadRequest")
