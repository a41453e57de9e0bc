"""Agents: listed, shown, updated and deleted by admins; written by heartbeats from the
agents themselves (a later issue), which also make availability zones appear."""

from __future__ import annotations

import time
from typing import Any

from sqlalchemy.orm import Session

from pocketstack.common import exceptions as exc
from pocketstack.common.context import RequestContext
from pocketstack.common.ids import new_uuid
from pocketstack.common.timeutils import utcnow
from pocketstack.db.models.network import Agent
from pocketstack.db.repositories.network.misc import AgentRepo
from pocketstack.services.network.base import ServiceBase, bool_filter, not_found
from pocketstack.services.network.query import ListQuery

ZONE_RESOURCES = {"DHCP agent": "network", "L3 agent": "router"}


class AgentService(ServiceBase):
    resource = "agent"

    def alive(self, agent: Agent) -> bool:
        age = time.time() - agent.heartbeat_timestamp.timestamp()
        return age <= self.settings.network_agent_down_time

    @staticmethod
    def columns() -> dict[str, tuple[Any, Any]]:
        m = Agent
        return {"id": (m.id, str), "agent_type": (m.agent_type, str), "binary": (m.binary, str),
                "topic": (m.topic, str), "host": (m.host, str),
                "availability_zone": (m.availability_zone, str),
                "admin_state_up": (m.admin_state_up, bool_filter),
                "description": (m.description, str)}

    def list(self, ctx: RequestContext, q: ListQuery) -> list[Agent]:
        if not ctx.is_admin:
            return []
        alive = q.one("alive")

        def work(s: Session) -> list[Agent]:
            rows = list(AgentRepo(s).list(self.listing(q, Agent, self.columns())))
            if alive is not None:
                want = alive.lower() in ("true", "1")
                rows = [a for a in rows if self.alive(a) == want]
            return rows
        return self.tx.read(work)

    def get(self, ctx: RequestContext, agent_id: str) -> Agent:
        if not ctx.is_admin:
            raise not_found("agent", agent_id)
        return self.tx.read(lambda s: self._agent(s, agent_id))

    @staticmethod
    def _agent(s: Session, agent_id: str) -> Agent:
        agent = AgentRepo(s).get(agent_id)
        if agent is None:
            raise not_found("agent", agent_id)
        return agent

    def update(self, ctx: RequestContext, agent_id: str, data: dict[str, Any]) -> Agent:
        self._admin(ctx)

        def work(s: Session) -> Agent:
            agent = self._agent(s, agent_id)
            for key in ("admin_state_up", "description"):
                if key in data:
                    setattr(agent, key, data[key])
            s.flush()
            return agent
        return self.tx.write(work)

    def delete(self, ctx: RequestContext, agent_id: str) -> None:
        self._admin(ctx)
        self.tx.write(lambda s: s.delete(self._agent(s, agent_id)))

    @staticmethod
    def _admin(ctx: RequestContext) -> None:
        if not ctx.is_admin:
            raise exc.Forbidden("(rule:update_agent) is disallowed by policy",
                                error_type="PolicyNotAuthorized")

    def heartbeat(self, state: dict[str, Any]) -> Agent:
        """Record an agent's report (creates the agent on its first heartbeat)."""
        def work(s: Session) -> Agent:
            repo = AgentRepo(s)
            now = utcnow()
            agent = repo.by_type_host(state["agent_type"], state["host"])
            if agent is None:
                agent = Agent(id=new_uuid(), agent_type=state["agent_type"], host=state["host"],
                              binary=state.get("binary", ""), created_at=now, started_at=now,
                              heartbeat_timestamp=now, admin_state_up=True)
                s.add(agent)
            if state.get("start_flag"):
                agent.started_at = now
            agent.heartbeat_timestamp = now
            for key in ("binary", "topic", "availability_zone", "configurations",
                        "resource_versions", "resources_synced"):
                if key in state:
                    setattr(agent, key, state[key])
            s.flush()
            return agent
        return self.tx.write(work)

    def availability_zones(self) -> list[dict[str, str]]:
        def work(s: Session) -> list[dict[str, str]]:
            zones: dict[tuple[str, str], bool] = {}
            for agent in AgentRepo(s).zones():
                resource = ZONE_RESOURCES.get(agent.agent_type)
                if resource and agent.availability_zone:
                    key = (agent.availability_zone, resource)
                    zones[key] = zones.get(key, False) or (agent.admin_state_up
                                                           and self.alive(agent))
            return [{"name": n, "resource": r, "state": "available" if ok else "unavailable"}
                    for (n, r), ok in sorted(zones.items())]
        return self.tx.read(work)
