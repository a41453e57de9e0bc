"""Bad input never corrupts state: every rejected request answers with the exact status and
Keystone's error body {"error": {"code", "title", "message"}}, and listing afterwards shows
that nothing changed.

Expected codes follow the Keystone API reference and Tempest's negative identity tests:
400 for malformed or invalid bodies, 404 for unknown ids, 409 for duplicate names, 413 for
bodies over the limit, 401 (with WWW-Authenticate) without a valid token."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

pytestmark = pytest.mark.postgres

ON_POSTGRES = bool(os.environ.get("POCKETSTACK_TEST_PG_URL"))
UNKNOWN = "0" * 32
COLLECTIONS = ("domains", "projects", "users", "groups", "roles")


# -- helpers --------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def http(cloud: Any) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=cloud.url, timeout=60) as client:
        yield client


@pytest.fixture(scope="module")
def admin_h(admin_conn: Any) -> dict[str, str]:
    return {"X-Auth-Token": str(admin_conn.auth_token)}


def assert_error(resp: httpx.Response, code: int) -> dict[str, Any]:
    assert resp.status_code == code, resp.text
    assert resp.headers["Content-Type"].startswith("application/json")
    body = resp.json()
    assert set(body) == {"error"}, body
    err = body["error"]
    assert err["code"] == code, body
    assert isinstance(err["title"], str) and err["title"], body
    assert isinstance(err["message"], str) and err["message"], body
    return err  # type: ignore[no-any-return]


def snapshot(http: httpx.Client, h: dict[str, str]) -> dict[str, Any]:
    """Everything an admin can list, to compare before and after a rejected request."""
    out: dict[str, Any] = {}
    for name in COLLECTIONS:
        resp = http.get(f"/v3/{name}", headers=h)
        assert resp.status_code == 200, resp.text
        out[name] = sorted(resp.json()[name], key=lambda x: x["id"])
    resp = http.get("/v3/role_assignments", headers=h)
    out["role_assignments"] = sorted(json.dumps(a, sort_keys=True)
                                     for a in resp.json()["role_assignments"])
    return out


@pytest.fixture(scope="module")
def targets(http: httpx.Client, admin_h: dict[str, str]) -> Iterator[dict[str, str]]:
    """One of each resource to aim updates at, plus a second set to collide with."""
    ids: dict[str, str] = {}
    for suffix in ("", "2"):
        for kind, body in (
            ("domain", {"name": f"bad-input-dom{suffix}"}),
            ("project", {"name": f"bad-input-proj{suffix}", "domain_id": "default"}),
            ("user", {"name": f"bad-input-user{suffix}", "domain_id": "default",
                      "password": "pw"}),
            ("group", {"name": f"bad-input-group{suffix}", "domain_id": "default"}),
            ("role", {"name": f"bad-input-role{suffix}"}),
        ):
            resp = http.post(f"/v3/{kind}s", headers=admin_h, json={kind: body})
            assert resp.status_code == 201, resp.text
            ids[kind + suffix] = resp.json()[kind]["id"]
            ids[kind + suffix + "_name"] = body["name"]
    yield ids
    for suffix in ("", "2"):
        for kind in ("project", "user", "group", "role"):
            http.delete(f"/v3/{kind}s/{ids[kind + suffix]}", headers=admin_h)
        http.patch(f"/v3/domains/{ids['domain' + suffix]}", headers=admin_h,
                   json={"domain": {"enabled": False}})
        http.delete(f"/v3/domains/{ids['domain' + suffix]}", headers=admin_h)


def send(http: httpx.Client, h: dict[str, str], method: str, path: str, body: Any) -> Any:
    headers = {**h, "Content-Type": "application/json"}
    if isinstance(body, bytes):
        return http.request(method, path, headers=headers, content=body)
    if body is None:
        return http.request(method, path, headers=h)
    return http.request(method, path, headers=headers, content=json.dumps(body))


def rejected(http: httpx.Client, h: dict[str, str], targets: dict[str, str], method: str,
             path: str, body: Any, code: int) -> dict[str, Any]:
    """Send; the answer is exactly ``code`` with Keystone's error body; nothing changed."""
    path = path.format(**targets)
    if isinstance(body, dict | list | str):
        body = json.loads(json.dumps(body).replace("{U}", targets["user_name"]))
    before = snapshot(http, h)
    err = assert_error(send(http, h, method, path, body), code)
    assert snapshot(http, h) == before, f"{method} {path} changed state"
    return err


# -- malformed bodies -----------------------------------------------------------------------
CREATE_PATHS = [("POST", f"/v3/{c}") for c in COLLECTIONS]
UPDATE_PATHS = [("PATCH", f"/v3/{c}/{{{c[:-1]}}}") for c in COLLECTIONS]
ALL_WRITES = CREATE_PATHS + UPDATE_PATHS + [("POST", "/v3/auth/tokens")]

MALFORMED = [
    b'{"project": {"name": "x"',             # truncated
    b"{'project': {'name': 'x'}}",           # not JSON (single quotes)
    b'{"project": {"name": "\xff\xfe"}}',    # not UTF-8
    b"",                                     # empty
    b"[" * 50000 + b"]" * 50000,             # nested deeper than any parser should go
]


@pytest.mark.parametrize(("method", "path"), ALL_WRITES)
@pytest.mark.parametrize("body", MALFORMED, ids=["truncated", "quotes", "utf8", "empty",
                                                 "deep"])
def test_malformed_json_is_400(http: httpx.Client, admin_h: dict[str, str],
                               targets: dict[str, str], method: str, path: str,
                               body: bytes) -> None:
    rejected(http, admin_h, targets, method, path, body, 400)


@pytest.mark.parametrize(("method", "path"), CREATE_PATHS + UPDATE_PATHS)
@pytest.mark.parametrize("body", [None, [], "text", 5, {}, {"wrong_key": {"name": "x"}}],
                         ids=["null", "list", "string", "number", "empty", "wrong-key"])
def test_body_of_the_wrong_shape_is_400(http: httpx.Client, admin_h: dict[str, str],
                                        targets: dict[str, str], method: str, path: str,
                                        body: Any) -> None:
    raw = json.dumps(body).encode()
    rejected(http, admin_h, targets, method, path, raw, 400)


@pytest.mark.parametrize("collection", COLLECTIONS)
def test_resource_that_is_not_an_object_is_400(http: httpx.Client, admin_h: dict[str, str],
                                               targets: dict[str, str],
                                               collection: str) -> None:
    kind = collection[:-1]
    for value in ("x", [], None, 1):
        rejected(http, admin_h, targets, "POST", f"/v3/{collection}", {kind: value}, 400)
        rejected(http, admin_h, targets, "PATCH", f"/v3/{collection}/{{{kind}}}",
                 {kind: value}, 400)


# -- invalid fields -------------------------------------------------------------------------
INVALID_CREATE = [
    ("project", {}),                                       # name missing
    ("project", {"name": ""}),
    ("project", {"name": "   "}),
    ("project", {"name": 123}),
    ("project", {"name": "a" * 65}),
    ("project", {"name": "ok", "enabled": "true"}),
    ("project", {"name": "ok", "enabled": 1}),
    ("project", {"name": "ok", "enabled": None}),
    ("project", {"name": "ok", "description": 5}),
    ("project", {"name": "ok", "tags": "a"}),
    ("project", {"name": "ok", "tags": [1]}),
    ("project", {"name": "ok", "tags": ["a,b"]}),
    ("project", {"name": "ok", "domain_id": 5}),
    ("project", {"name": "ok", "is_domain": "false"}),
    ("project", {"name": "ok", "options": "x"}),
    ("user", {}),
    ("user", {"name": ""}),
    ("user", {"name": "a" * 256}),
    ("user", {"name": "ok", "enabled": "true"}),
    ("user", {"name": "ok", "password": 5}),
    ("user", {"name": "ok", "default_project_id": 5}),
    ("group", {}),
    ("group", {"name": "a" * 65}),
    ("group", {"name": "ok", "description": ["x"]}),
    ("domain", {}),
    ("domain", {"name": "a" * 65}),
    ("domain", {"name": "ok", "enabled": "false"}),
    ("role", {}),
    ("role", {"name": "a" * 256}),
    ("role", {"name": "ok", "description": {"x": 1}}),
]


@pytest.mark.parametrize(("kind", "fields"), INVALID_CREATE,
                         ids=[f"{k}-{json.dumps(f)[:40]}" for k, f in INVALID_CREATE])
def test_invalid_create_is_400(http: httpx.Client, admin_h: dict[str, str],
                               targets: dict[str, str], kind: str,
                               fields: dict[str, Any]) -> None:
    rejected(http, admin_h, targets, "POST", f"/v3/{kind}s", {kind: fields}, 400)


INVALID_UPDATE = [
    ("project", {"name": ""}),
    ("project", {"name": "a" * 65}),
    ("project", {"enabled": "true"}),
    ("project", {"enabled": 0}),
    ("project", {"description": 5}),
    ("project", {"domain_id": "other"}),   # Keystone: update of domain_id is not allowed
    ("user", {"name": "a" * 256}),
    ("user", {"enabled": "false"}),
    ("user", {"domain_id": "other"}),
    ("group", {"name": ""}),
    ("domain", {"name": "a" * 65}),
    ("domain", {"enabled": "no"}),
    ("role", {"name": "a" * 256}),
]


@pytest.mark.parametrize(("kind", "fields"), INVALID_UPDATE,
                         ids=[f"{k}-{json.dumps(f)[:40]}" for k, f in INVALID_UPDATE])
def test_invalid_update_is_400(http: httpx.Client, admin_h: dict[str, str],
                               targets: dict[str, str], kind: str,
                               fields: dict[str, Any]) -> None:
    rejected(http, admin_h, targets, "PATCH", f"/v3/{kind}s/{{{kind}}}", {kind: fields}, 400)


NULL_UPDATES = [("project", "name"), ("project", "enabled"), ("user", "name"),
                ("user", "enabled"), ("group", "name"), ("domain", "name"),
                ("domain", "enabled"), ("role", "name")]


@pytest.mark.parametrize(("kind", "field"), NULL_UPDATES)
def test_null_for_a_required_field_is_400(http: httpx.Client, admin_h: dict[str, str],
                                          targets: dict[str, str], kind: str,
                                          field: str) -> None:
    rejected(http, admin_h, targets, "PATCH", f"/v3/{kind}s/{{{kind}}}",
             {kind: {field: None}}, 400)


@pytest.mark.parametrize("kind", ["project", "user", "group", "domain", "role"])
def test_changing_the_id_is_400(http: httpx.Client, admin_h: dict[str, str],
                                targets: dict[str, str], kind: str) -> None:
    rejected(http, admin_h, targets, "PATCH", f"/v3/{kind}s/{{{kind}}}",
             {kind: {"id": UNKNOWN}}, 400)


@pytest.mark.parametrize("literal", ["NaN", "Infinity", "-Infinity"])
def test_nan_is_400(http: httpx.Client, admin_h: dict[str, str], targets: dict[str, str],
                    literal: str) -> None:
    body = f'{{"project": {{"name": "nan-{literal}", "x": {literal}}}}}'.encode()
    rejected(http, admin_h, targets, "POST", "/v3/projects", body, 400)


@pytest.mark.parametrize("kind", ["project", "user", "group", "role", "domain"])
def test_nul_character_in_a_name_is_400(http: httpx.Client, admin_h: dict[str, str],
                                        targets: dict[str, str], kind: str) -> None:
    rejected(http, admin_h, targets, "POST", f"/v3/{kind}s", {kind: {"name": "a\u0000b"}}, 400)


@pytest.mark.parametrize("collection", COLLECTIONS)
def test_nul_character_in_a_filter_is_refused(http: httpx.Client, admin_h: dict[str, str],
                                              collection: str) -> None:
    # pocketstack's contract for every service: a NUL in a query string is a clear 400 in
    # the service's error body (no name can hold one; PostgreSQL cannot even compare it).
    resp = http.get(f"/v3/{collection}", params={"name": "no\u0000such"}, headers=admin_h)
    assert "NUL" in assert_error(resp, 400)["message"]


def test_longest_names_are_accepted(http: httpx.Client, admin_h: dict[str, str]) -> None:
    for kind, limit in (("project", 64), ("group", 64), ("domain", 64), ("user", 255),
                        ("role", 255)):
        name = (kind + "-longest-")[:limit].ljust(limit, "x")
        assert len(name) == limit
        resp = http.post(f"/v3/{kind}s", headers=admin_h, json={kind: {"name": name}})
        assert resp.status_code == 201, (kind, resp.text)
        obj = resp.json()[kind]
        assert obj["name"] == name
        if kind == "domain":
            http.patch(f"/v3/domains/{obj['id']}", headers=admin_h,
                       json={"domain": {"enabled": False}})
        assert http.delete(f"/v3/{kind}s/{obj['id']}", headers=admin_h).status_code == 204


# -- unknown ids ----------------------------------------------------------------------------
@pytest.mark.parametrize("collection", COLLECTIONS)
def test_unknown_ids_are_404(http: httpx.Client, admin_h: dict[str, str],
                             targets: dict[str, str], collection: str) -> None:
    kind = collection[:-1]
    rejected(http, admin_h, targets, "GET", f"/v3/{collection}/{UNKNOWN}", None, 404)
    assert http.head(f"/v3/{collection}/{UNKNOWN}", headers=admin_h).status_code == 404
    rejected(http, admin_h, targets, "PATCH", f"/v3/{collection}/{UNKNOWN}",
             {kind: {"description": "x"}}, 404)
    rejected(http, admin_h, targets, "DELETE", f"/v3/{collection}/{UNKNOWN}", None, 404)


@pytest.mark.parametrize(("method", "path", "body"), [
    ("POST", "/v3/projects", {"project": {"name": "x1", "domain_id": UNKNOWN}}),
    ("POST", "/v3/projects", {"project": {"name": "x2", "parent_id": UNKNOWN}}),
    ("POST", "/v3/users", {"user": {"name": "x3", "domain_id": UNKNOWN}}),
    ("POST", "/v3/groups", {"group": {"name": "x4", "domain_id": UNKNOWN}}),
    ("PUT", "/v3/groups/{group}/users/" + UNKNOWN, None),
    ("PUT", f"/v3/groups/{UNKNOWN}/users/{{user}}", None),
    ("DELETE", "/v3/groups/{group}/users/{user}", None),   # not a member
    ("PUT", "/v3/projects/{project}/users/{user}/roles/" + UNKNOWN, None),
    ("PUT", "/v3/domains/{domain}/groups/" + UNKNOWN + "/roles/{role}", None),
    ("PUT", "/v3/roles/{role}/implies/" + UNKNOWN, None),
    ("GET", "/v3/users/" + UNKNOWN + "/projects", None),
    ("GET", "/v3/users/" + UNKNOWN + "/groups", None),
    ("GET", "/v3/groups/" + UNKNOWN + "/users", None),
    ("GET", "/v3/nothing-here", None),
], ids=lambda v: v if isinstance(v, str) else None)
def test_references_to_unknown_things_are_404(http: httpx.Client, admin_h: dict[str, str],
                                              targets: dict[str, str], method: str, path: str,
                                              body: Any) -> None:
    rejected(http, admin_h, targets, method, path, body, 404)


# -- duplicates -----------------------------------------------------------------------------
@pytest.mark.parametrize("kind", ["project", "user", "group", "domain", "role"])
def test_duplicate_names_are_409(http: httpx.Client, admin_h: dict[str, str],
                                 targets: dict[str, str], kind: str) -> None:
    name = targets[kind + "_name"]
    body: dict[str, Any] = {"name": name}
    if kind in ("project", "user", "group"):
        body["domain_id"] = "default"
    rejected(http, admin_h, targets, "POST", f"/v3/{kind}s", {kind: body}, 409)
    # Renaming another one to the taken name is a conflict too, and leaves it as it was.
    rejected(http, admin_h, targets, "PATCH", f"/v3/{kind}s/{{{kind}2}}",
             {kind: {"name": name}}, 409)


# -- limits and authentication --------------------------------------------------------------
BIG = 2 * 1024 * 1024


@pytest.mark.parametrize(("method", "path"), [("POST", "/v3/projects"),
                                              ("PATCH", "/v3/projects/{project}"),
                                              ("POST", "/v3/auth/tokens")])
def test_two_megabyte_body_is_413(http: httpx.Client, admin_h: dict[str, str],
                                  targets: dict[str, str], method: str, path: str) -> None:
    body = json.dumps({"project": {"name": "big", "description": "x" * BIG}}).encode()
    rejected(http, admin_h, targets, method, path, body, 413)


def test_two_megabyte_chunked_body_is_413(http: httpx.Client, admin_h: dict[str, str],
                                          targets: dict[str, str]) -> None:
    def chunks() -> Iterator[bytes]:
        yield b'{"project": {"name": "big", "description": "'
        for _ in range(BIG // 65536):
            yield b"x" * 65536
        yield b'"}}'

    before = snapshot(http, admin_h)
    resp = http.post("/v3/projects", content=chunks(),
                     headers={**admin_h, "Content-Type": "application/json"})
    assert_error(resp, 413)
    assert snapshot(http, admin_h) == before


@pytest.mark.parametrize("token", [None, "", "garbage", "gAAAAAB" + "x" * 180])
def test_missing_or_invalid_token_is_401(cloud: Any, http: httpx.Client,
                                         admin_h: dict[str, str], token: str | None) -> None:
    before = snapshot(http, admin_h)
    headers = {} if token is None else {"X-Auth-Token": token}
    for method, path, body in (("GET", "/v3/projects", None),
                               ("POST", "/v3/projects", {"project": {"name": "anon"}}),
                               ("DELETE", "/v3/projects/" + UNKNOWN, None)):
        resp = http.request(method, path, headers=headers, json=body)
        assert_error(resp, 401)
        assert resp.headers["WWW-Authenticate"] == f'Keystone uri="{cloud.url}/v3"'
    assert snapshot(http, admin_h) == before


@pytest.mark.parametrize(("method", "path"), [("PUT", "/v3/projects"),
                                              ("DELETE", "/v3/users"),
                                              ("POST", "/v3/projects/{project}")])
def test_wrong_method_is_405(http: httpx.Client, admin_h: dict[str, str],
                             targets: dict[str, str], method: str, path: str) -> None:
    rejected(http, admin_h, targets, method, path, {"project": {"name": "m"}}, 405)


@pytest.mark.parametrize("auth", [
    {},
    {"auth": {}},
    {"auth": {"identity": {}}},
    {"auth": {"identity": {"methods": "password"}}},
    {"auth": {"identity": {"methods": []}}},
    {"auth": {"identity": {"methods": ["password"]}}},
    {"auth": {"identity": {"methods": ["password"], "password": {"user": {"name": "{U}"}}}}},
    {"auth": {"identity": {"methods": ["password"], "password": {
        "user": {"name": "{U}", "domain": {"id": "default"}, "password": 5}}}}},
    {"auth": {"identity": {"methods": ["password"], "password": {
        "user": {"name": "{U}", "domain": {"id": "default"}, "password": "pw"}}},
        "scope": {"project": {"id": "x"}, "domain": {"id": "default"}}}},
    {"auth": {"identity": {"methods": ["password"], "password": {
        "user": {"name": "{U}", "domain": {"id": "default"}, "password": "pw"}}},
        "scope": {"system": {"all": "yes"}}}},
], ids=lambda v: json.dumps(v)[:50])
def test_malformed_auth_request_is_400(http: httpx.Client, admin_h: dict[str, str],
                                       targets: dict[str, str], auth: dict[str, Any]) -> None:
    rejected(http, admin_h, targets, "POST", "/v3/auth/tokens", auth, 400)


@pytest.mark.parametrize("path", ["/v3/projects/%0Ax", "/v3/users/a%0Ab/groups"])
def test_newline_in_a_path_is_a_keystone_404(http: httpx.Client, admin_h: dict[str, str],
                                             path: str) -> None:
    assert_error(http.get(path, headers=admin_h), 404)
