"""Where imported data comes from: a URL (web-download, the tasks API), another Glance
(glance-download) or the staging area (glance-direct). Each runs in a worker thread and ends
with the data committed to a store, its hashes computed while it streamed."""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import Any

from pocketstack.drivers.image.base import ImageStore, StoreError
from pocketstack.drivers.image.hashing import Digest, HashingSink
from pocketstack.services.image.options import ImageOptions

BLOCK = 4 << 20


class ImportFailed(Exception):
    """The import cannot complete; the message is shown in the task."""


@dataclass(frozen=True)
class Imported:
    location: str
    digest: Digest


def uri_allowed(uri: str, options: ImageOptions) -> bool:
    """Glance's import URI filtering: scheme, host and port allow/deny lists."""
    try:
        parts = urllib.parse.urlsplit(uri)
        port = parts.port
    except ValueError:
        return False
    if parts.scheme not in options.allowed_schemes or not parts.hostname:
        return False
    if parts.hostname in options.disallowed_hosts:
        return False
    if options.allowed_ports:
        default = 443 if parts.scheme == "https" else 80
        if (port or default) not in options.allowed_ports:
            return False
    return True


def fetch(url: str, store: ImageStore, name: str, *, limit: int, options: ImageOptions,
          headers: dict[str, str] | None = None) -> Imported:
    """Stream ``url`` into a new object of ``store`` (at most ``limit`` bytes)."""
    writer = store.open_writer(name)
    sink = HashingSink(writer, hash_algo=options.hashing_algorithm)
    try:
        request = urllib.request.Request(url, headers=headers or {})
        with urllib.request.urlopen(request, timeout=options.download_timeout) as resp:
            length = resp.headers.get("Content-Length")
            if length and length.isdigit() and int(length) > limit:
                raise ImportFailed(f"The image at {url} ({length} bytes) is larger than the "
                                   f"{limit} bytes allowed.")
            while True:
                block = resp.read(BLOCK)
                if not block:
                    break
                if sink.size + len(block) > limit:
                    raise ImportFailed(f"The image at {url} is larger than the {limit} bytes "
                                       "allowed.")
                sink.feed(block)
        digest = sink.finish()
        location = writer.commit()
    except BaseException as e:
        sink.cancel()
        writer.abort()
        raise _failure(url, e) from e
    return Imported(location, digest)


def _failure(url: str, e: BaseException) -> BaseException:
    if isinstance(e, ImportFailed):
        return e
    if isinstance(e, urllib.error.HTTPError):
        return ImportFailed(f"Fetching {url} failed: HTTP {e.code} {e.reason}")
    if isinstance(e, urllib.error.URLError):
        return ImportFailed(f"Fetching {url} failed: {e.reason}")
    if isinstance(e, (OSError, StoreError, ValueError)):
        return ImportFailed(f"Fetching {url} failed: {e}")
    return e


def from_staging(staging: ImageStore, store: ImageStore, staged: dict[str, Any],
                 name: str) -> Imported:
    """Move staged data into the store (a rename when both are on one filesystem)."""
    digest = Digest(int(staged["size"]), staged["checksum"], staged["hash_algo"],
                    staged["hash_value"], b"", b"")
    location = store.adopt(staging, staged["location"], name)
    if location is not None:
        return Imported(location, digest)
    writer = store.open_writer(name)
    try:
        for block in staging.iter_range(staged["location"], chunk_size=BLOCK):
            writer.write(block)
        location = writer.commit()
    except BaseException as e:
        writer.abort()
        raise ImportFailed(f"Moving staged data failed: {e}") from e
    staging.delete(staged["location"])
    return Imported(location, digest)


def get_json(url: str, token: str, timeout: float) -> Any:
    request = urllib.request.Request(url, headers={"X-Auth-Token": token,
                                                   "Accept": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as resp:
            return json.loads(resp.read() or b"null")
    except urllib.error.HTTPError as e:
        raise ImportFailed(f"{url} answered HTTP {e.code}") from e
    except (urllib.error.URLError, OSError, ValueError) as e:
        raise ImportFailed(f"{url} could not be reached: {e}") from e


def remote_image_endpoint(identity_url: str, token: str, region: str, interface: str,
                          timeout: float) -> str:
    """The image endpoint of ``region`` in the caller's catalog (glance-download)."""
    catalog = get_json(f"{identity_url}/auth/catalog", token, timeout) or {}
    for service in catalog.get("catalog", []):
        if service.get("type") != "image":
            continue
        for ep in service.get("endpoints", []):
            if ep.get("region_id", ep.get("region")) == region and \
                    ep.get("interface") == interface:
                return str(ep["url"]).rstrip("/")
    raise ImportFailed(f"No image service endpoint with interface '{interface}' in region "
                       f"'{region}'.")
