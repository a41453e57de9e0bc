"""tempest.conf for a running pocketstack: one builder per service, picked by the catalog.

Each builder gets the cloud (URLs, an admin REST client) and the ``conf`` dict
({section: {option: value}}) and adds its sections. A service's builder runs only when its
catalog type is published in state.json; to teach the harness a new service, write its
builder and add a row to SERVICES. Discovery (microversions, extensions) asks the live API so
the figures say what the cloud really offers; provisioning (flavors, an image, the public
network) creates what Tempest expects to find.
"""

from __future__ import annotations

import http.server
import json
import os
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

Conf = dict[str, dict[str, Any]]


class ApiError(RuntimeError):
    pass


@dataclass
class Cloud:
    """What the harness knows about the pocketstack under test."""

    url: str
    identity_url: str
    services: dict[str, str]          # catalog type -> endpoint URL (state.json)
    admin_password: str
    region: str = "RegionOne"
    _token: str | None = field(default=None, repr=False)

    def endpoint(self, *types: str) -> tuple[str, str] | None:
        """(type, url) of the first of these catalog types that is published."""
        for t in types:
            if t in self.services:
                return t, self.services[t].rstrip("/")
        return None

    # A tiny admin REST client (stdlib only: this runs before any venv is trusted). -----------
    def token(self) -> str:
        if self._token is None:
            body = {"auth": {
                "identity": {"methods": ["password"], "password": {"user": {
                    "name": "admin", "domain": {"id": "default"},
                    "password": self.admin_password}}},
                "scope": {"project": {"name": "admin", "domain": {"id": "default"}}}}}
            _, headers = self._call("POST", self.identity_url + "/auth/tokens", body, auth=False)
            self._token = headers["X-Subject-Token"]
        return self._token

    def request(self, method: str, url: str, body: Any = None, *,
                headers: dict[str, str] | None = None, data: bytes | None = None) -> Any:
        return self._call(method, url, body, headers=headers, data=data)[0]

    def _call(self, method: str, url: str, body: Any = None, *, auth: bool = True,
              headers: dict[str, str] | None = None,
              data: bytes | None = None) -> tuple[Any, Any]:
        hdrs = {"Accept": "application/json"}
        if body is not None:
            data = json.dumps(body).encode()
            hdrs["Content-Type"] = "application/json"
        if auth:
            hdrs["X-Auth-Token"] = self.token()
        hdrs.update(headers or {})
        req = urllib.request.Request(url, data=data, method=method, headers=hdrs)
        try:
            with urllib.request.urlopen(req, timeout=60) as resp:
                raw = resp.read()
                return (json.loads(raw) if raw.strip() else None), resp.headers
        except urllib.error.HTTPError as e:
            raise ApiError(f"{method} {url} -> {e.code}: {e.read()[:500]!r}") from None
        except urllib.error.URLError as e:
            raise ApiError(f"{method} {url} -> {e.reason}") from None


# Identity (always) --------------------------------------------------------------------------
def identity(cloud: Cloud, conf: Conf) -> None:
    conf["auth"] = {
        "use_dynamic_credentials": True,
        "admin_username": "admin",
        "admin_password": cloud.admin_password,
        "admin_project_name": "admin",
        "admin_domain_name": "Default",
        "admin_user_domain_name": "Default",
        "admin_project_domain_name": "Default",
        "default_credentials_domain_name": "Default",
        "create_isolated_networks": "network" in cloud.services,
    }
    conf["identity"] = {
        "uri_v3": cloud.identity_url,
        "auth_version": "v3",
        "region": cloud.region,
        "v3_endpoint_type": "public",
        "admin_role": "admin",
        "default_domain_id": "default",
        "catalog_type": "identity",
    }
    conf["identity-feature-enabled"] = {}


# Image (glance) ------------------------------------------------------------------------------
def image(cloud: Cloud, conf: Conf) -> None:
    ctype, url = cloud.endpoint(*SERVICES["image"].catalog_types)  # type: ignore[misc]
    conf["image"] = {"catalog_type": ctype, "region": cloud.region, "endpoint_type": "publicURL",
                     "container_formats": "bare,ami,ari,aki,ovf,ova",
                     "disk_formats": "qcow2,raw,ami,ari,aki,vhd,vmdk,vdi,iso,vhdx"}
    feats: dict[str, Any] = {"api_v2": True}
    try:   # interoperable image import is on when the cloud names import methods
        methods = cloud.request("GET", f"{url}/v2/info/import")["import-methods"]["value"]
        feats["import_image"] = bool(methods)
    except (ApiError, KeyError, TypeError):
        feats["import_image"] = False
    conf["image-feature-enabled"] = feats
    base = _local_http_files()   # web-download tests fetch from loopback, never the internet
    conf["image"]["http_image"] = f"{base}/image.raw"
    conf["image"]["http_qcow2_image"] = f"{base}/image.qcow2"


_HTTP: list[str] = []


def _local_http_files() -> str:
    """A loopback HTTP server (a daemon thread of this harness, gone when it exits) serving a
    small raw image and a small qcow2 made here, for Tempest's web-download import tests."""
    if _HTTP:
        return _HTTP[0]
    import atexit
    import functools
    import shutil
    import struct
    import tempfile
    import threading

    root = tempfile.mkdtemp(prefix="ps-tempest-http-")
    atexit.register(shutil.rmtree, root, True)
    with open(os.path.join(root, "image.raw"), "wb") as fh:
        fh.write(os.urandom(64 * 1024))
    cluster = 1 << 16   # qcow2 v2: header, refcount table, refcount block, L1 table
    header = struct.pack(">4sIQIIQIIQQIIQ", b"QFI\xfb", 2, 0, 0, 16, 1 << 20, 0, 1,
                         3 * cluster, cluster, 1, 0, 0)
    refcounts = struct.pack(">Q", 2 * cluster) + bytes(cluster - 8)
    block = struct.pack(">4H", 1, 1, 1, 1) + bytes(cluster - 8)
    with open(os.path.join(root, "image.qcow2"), "wb") as fh:
        fh.write(header.ljust(cluster, b"\0") + refcounts + block + bytes(cluster))
    handler = functools.partial(_QuietHandler, directory=root)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    _HTTP.append(f"http://127.0.0.1:{server.server_address[1]}")
    return _HTTP[0]


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args: Any) -> None:
        pass


# Networking (neutron) ------------------------------------------------------------------------
def network(cloud: Cloud, conf: Conf) -> None:
    ctype, url = cloud.endpoint(*SERVICES["network"].catalog_types)  # type: ignore[misc]
    conf["network"] = {"catalog_type": ctype, "region": cloud.region,
                       "endpoint_type": "publicURL",
                       "project_network_cidr": "10.100.0.0/16", "project_network_mask_bits": 28,
                       "project_networks_reachable": False}
    feats: dict[str, Any] = {}
    try:
        aliases = sorted(e["alias"] for e in
                         cloud.request("GET", f"{url}/v2.0/extensions")["extensions"])
        feats["api_extensions"] = ",".join(aliases) or "None"
        feats["port_security"] = "port-security" in aliases
        feats["floating_ips"] = "router" in aliases
    except (ApiError, KeyError, TypeError):
        pass
    try:
        nets = cloud.request("GET", f"{url}/v2.0/networks?router:external=True")["networks"]
        net = nets[0] if nets else _public_network(cloud, url)
        conf["network"]["public_network_id"] = net["id"]
        conf["network"]["floating_network_name"] = net["name"]
    except (ApiError, KeyError, TypeError):
        pass
    conf["network-feature-enabled"] = feats


def _public_network(cloud: Cloud, url: str) -> dict[str, Any]:
    """The external network DevStack creates ('public', flat on physnet1, 172.24.4.0/24):
    Tempest's router and floating IP tests need one."""
    net = cloud.request("POST", f"{url}/v2.0/networks", {"network": {
        "name": "public", "router:external": True, "shared": False,
        "provider:network_type": "flat", "provider:physical_network": "physnet1"}})["network"]
    cloud.request("POST", f"{url}/v2.0/subnets", {"subnet": {
        "name": "public-subnet", "network_id": net["id"], "ip_version": 4,
        "cidr": "172.24.4.0/24", "gateway_ip": "172.24.4.1", "enable_dhcp": False,
        "allocation_pools": [{"start": "172.24.4.10", "end": "172.24.4.250"}]}})
    return net  # type: ignore[no-any-return]


# Compute (nova) -----------------------------------------------------------------------------
def compute(cloud: Cloud, conf: Conf) -> None:
    ctype, url = cloud.endpoint(*SERVICES["compute"].catalog_types)  # type: ignore[misc]
    section = {"catalog_type": ctype, "region": cloud.region, "endpoint_type": "publicURL",
               "build_timeout": 120}
    try:
        version = cloud.request("GET", url + "/")["version"]
        if version.get("version"):
            section["min_microversion"] = version.get("min_version") or "2.1"
            section["max_microversion"] = version["version"]
    except (ApiError, KeyError, TypeError):
        pass
    flavors = _ensure_flavors(cloud, url)
    section["flavor_ref"], section["flavor_ref_alt"] = flavors[0], flavors[-1]
    images = conf.get("_provisioned", {}).get("images") or []
    if images:
        section["image_ref"], section["image_ref_alt"] = images[0], images[-1]
    feats: dict[str, Any] = {}
    try:   # hosts decide what moves Tempest may try (migrations need two)
        hosts = cloud.request("GET", f"{url}/os-hypervisors")["hypervisors"]
        section["min_compute_nodes"] = max(1, len(hosts))
        feats["live_migration"] = feats["cold_migration"] = len(hosts) > 1
        # Hosts keep servers' disks locally (no shared storage), so a live migration copies
        # them: block migration; volume-backed servers move with their volumes attached.
        feats["block_migration_for_live_migration"] = feats["live_migration"]
        feats["volume_backed_live_migration"] = feats["live_migration"]
    except (ApiError, KeyError, TypeError):
        pass
    section["volume_device_name"] = "vdb"
    feats["scheduler_enabled_filters"] = (
        "ComputeFilter,AvailabilityZoneFilter,ImagePropertiesFilter,"
        "ServerGroupAffinityFilter,ServerGroupAntiAffinityFilter,SameHostFilter,"
        "DifferentHostFilter,AggregateInstanceExtraSpecsFilter")
    conf["compute"] = section
    conf["compute-feature-enabled"] = feats
    conf["validation"] = {"run_validation": False}


def _ensure_flavors(cloud: Cloud, url: str) -> list[str]:
    have = cloud.request("GET", f"{url}/flavors")["flavors"]
    wanted = [("ps.tempest.1", 128, 1, 1), ("ps.tempest.2", 256, 1, 2)]
    ids = []
    for name, ram, vcpus, disk in wanted:
        found = next((f for f in have if f["name"] == name), None)
        if found is None:
            found = cloud.request("POST", f"{url}/flavors", {"flavor": {
                "name": name, "ram": ram, "vcpus": vcpus, "disk": disk}})["flavor"]
        ids.append(found["id"])
    return ids


def provision_images(cloud: Cloud, conf: Conf) -> None:
    """Two small public images for the compute tests (the fake driver never boots them)."""
    found = cloud.endpoint(*SERVICES["image"].catalog_types)
    if not found:
        return
    url = found[1]
    ids = []
    for name in ("ps-tempest-image", "ps-tempest-image-alt"):
        img = cloud.request("POST", f"{url}/v2/images", {
            "name": name, "disk_format": "raw", "container_format": "bare",
            "visibility": "public"})
        cloud.request("PUT", f"{url}/v2/images/{img['id']}/file", data=b"\0" * 1024 * 1024,
                      headers={"Content-Type": "application/octet-stream"})
        ids.append(img["id"])
    conf.setdefault("_provisioned", {})["images"] = ids


# Block storage (cinder) ---------------------------------------------------------------------
def volume(cloud: Cloud, conf: Conf) -> None:
    ctype, url = cloud.endpoint(*SERVICES["volume"].catalog_types)  # type: ignore[misc]
    section = {"catalog_type": ctype, "region": cloud.region, "endpoint_type": "publicURL",
               "volume_size": 1, "build_timeout": 120}
    try:
        root = url[:url.index("/v3") + 3] if "/v3" in url else url
        version = cloud.request("GET", root + "/")["version"]
        if version.get("version"):
            section["min_microversion"] = version.get("min_version") or "3.0"
            section["max_microversion"] = version["version"]
    except (ApiError, KeyError, TypeError):
        pass
    section["volume_type_multiattach"] = _multiattach_type(cloud, url)
    conf["volume"] = section
    conf["volume-feature-enabled"] = {}
    images = conf.get("_provisioned", {}).get("images") or []
    if images:   # volume-from-image tests read [compute] image_ref even without compute
        conf.setdefault("compute", {}).setdefault("image_ref", images[0])


def _multiattach_type(cloud: Cloud, url: str) -> str:
    """A volume type whose volumes may be attached to several servers, as Cinder makes them
    (extra spec multiattach = '<is> True'); returns its name."""
    name = "ps-multiattach"
    have = cloud.request("GET", f"{url}/types?is_public=None")["volume_types"]
    if not any(t["name"] == name for t in have):
        cloud.request("POST", f"{url}/types", {"volume_type": {
            "name": name, "extra_specs": {"multiattach": "<is> True"}}})
    return name


@dataclass(frozen=True)
class Service:
    available_option: str | None      # the [service_available] option
    catalog_types: tuple[str, ...]    # any of these in state.json means "present"
    builder: Callable[[Cloud, Conf], None]


# Order matters: images are provisioned before compute needs their ids.
SERVICES: dict[str, Service] = {
    "identity": Service(None, ("identity",), identity),
    "image": Service("glance", ("image",), image),
    "network": Service("neutron", ("network",), network),
    "volume": Service("cinder", ("block-storage", "volumev3", "volume"), volume),
    "compute": Service("nova", ("compute",), compute),
}
ALWAYS_ABSENT = ("swift", "horizon")   # no object storage, no dashboard tests


def present(cloud: Cloud) -> list[str]:
    return [name for name, s in SERVICES.items()
            if name == "identity" or cloud.endpoint(*s.catalog_types)]


def _try(warnings: list[str], what: str, fn: Callable[[Cloud, Conf], None], cloud: Cloud,
         conf: Conf) -> None:
    try:
        fn(cloud, conf)
    except (ApiError, KeyError, TypeError, ValueError) as e:
        warnings.append(f"{what}: {type(e).__name__}: {e}")


def build(cloud: Cloud, features: dict[str, dict[str, dict[str, Any]]],
          overrides: list[tuple[str, str, str]], warnings: list[str]) -> Conf:
    """The whole tempest.conf as {section: {option: value}}.

    ``features`` is {service: {section: {option: value}}} from the harness's config block,
    applied only for services that are present; ``overrides`` are --set triples, last.
    Problems in a service's discovery or provisioning are appended to ``warnings``.
    """
    conf: Conf = {"DEFAULT": {"log_file": "tempest.log", "debug": True}}
    names = present(cloud)
    conf["service_available"] = {s.available_option: name in names
                                 for name, s in SERVICES.items() if s.available_option}
    conf["service_available"].update({opt: False for opt in ALWAYS_ABSENT})
    if "image" in names and ("compute" in names or "volume" in names):
        _try(warnings, "image provisioning", provision_images, cloud, conf)
    for name in names:
        if name == "identity":
            SERVICES[name].builder(cloud, conf)
        else:   # a young service may lack an API its builder asks: say so, run the rest
            _try(warnings, name, SERVICES[name].builder, cloud, conf)
        for section, options in features.get(name, {}).items():
            conf.setdefault(section, {}).update(options)
    conf.pop("_provisioned", None)
    for section, option, value in overrides:
        conf.setdefault(section, {})[option] = value
    return conf


def render(conf: Conf) -> str:
    def fmt(v: Any) -> str:
        if isinstance(v, bool):
            return "true" if v else "false"
        if isinstance(v, (list, tuple)):
            return ",".join(map(str, v))
        return str(v).replace("$", "$$")   # oslo.config substitutes $name

    out = []
    for section, options in conf.items():
        if not options and section != "DEFAULT":
            continue
        out.append(f"[{section}]")
        out.extend(f"{k} = {fmt(v)}" for k, v in options.items())
        out.append("")
    return "\n".join(out)
