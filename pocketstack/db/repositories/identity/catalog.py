"""Regions, services, endpoints, endpoint groups and project-endpoint associations."""

from __future__ import annotations

from pocketstack.db.models.identity import (
    Endpoint,
    EndpointGroup,
    ProjectEndpoint,
    Region,
    Service,
)
from pocketstack.db.repositories.base import Repository


class RegionRepo(Repository[Region]):
    model = Region


class ServiceRepo(Repository[Service]):
    model = Service


class EndpointRepo(Repository[Endpoint]):
    model = Endpoint


class EndpointGroupRepo(Repository[EndpointGroup]):
    model = EndpointGroup


class ProjectEndpointRepo(Repository[ProjectEndpoint]):
    model = ProjectEndpoint
