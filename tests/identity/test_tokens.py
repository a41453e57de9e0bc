"""Tokens through the real API: issue (password, token), scopes (unscoped, project, domain,
system), validate (GET/HEAD with X-Subject-Token), revoke, nocatalog, and tokens that stop
working when the user is disabled or deleted, the password changes or a role is removed.

Keystone API reference: identity/v3 "Authentication and token management"."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

import httpx
import pytest

pytestmark = pytest.mark.postgres


# -- helpers --------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def http(cloud: Any) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=cloud.url, timeout=60) as client:
        yield client


@pytest.fixture(scope="module")
def admin_token(admin_conn: Any) -> str:
    return str(admin_conn.auth_token)


def assert_error(resp: httpx.Response, code: int) -> dict[str, Any]:
    """The status is exactly ``code`` and the body is Keystone's error document."""
    assert resp.status_code == code, resp.text
    body = resp.json()
    assert set(body) == {"error"}, body
    err = body["error"]
    assert err["code"] == code, body
    assert isinstance(err["title"], str) and err["title"], body
    assert isinstance(err["message"], str) and err["message"], body
    return err  # type: ignore[no-any-return]


def password_auth(user: dict[str, Any], password: str, scope: Any = None) -> dict[str, Any]:
    ident: dict[str, Any] = {"id": user["id"], "password": password} if "id" in user else {
        "name": user["name"], "domain": user.get("domain", {"id": "default"}),
        "password": password}
    auth: dict[str, Any] = {"identity": {"methods": ["password"], "password": {"user": ident}}}
    if scope is not None:
        auth["scope"] = scope
    return {"auth": auth}


def token_auth(token: str, scope: Any = None) -> dict[str, Any]:
    auth: dict[str, Any] = {"identity": {"methods": ["token"], "token": {"id": token}}}
    if scope is not None:
        auth["scope"] = scope
    return {"auth": auth}


def issue(http: httpx.Client, body: Any, params: dict[str, str] | None = None) -> httpx.Response:
    return http.post("/v3/auth/tokens", json=body, params=params)


def issue_ok(http: httpx.Client, body: Any, **params: str) -> tuple[str, dict[str, Any]]:
    resp = issue(http, body, params or None)
    assert resp.status_code == 201, resp.text
    token = resp.headers["X-Subject-Token"]
    assert token
    return token, resp.json()["token"]


def validate(http: httpx.Client, auth_token: str, subject: str,
             method: str = "GET", **params: str) -> httpx.Response:
    return http.request(method, "/v3/auth/tokens", params=params or None,
                        headers={"X-Auth-Token": auth_token, "X-Subject-Token": subject})


def when(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


@pytest.fixture()
def member(http: httpx.Client, admin_token: str, unique: str) -> Iterator[dict[str, Any]]:
    """A fresh user with the member role on a fresh project (no default project)."""
    h = {"X-Auth-Token": admin_token}
    project = http.post("/v3/projects", headers=h,
                        json={"project": {"name": unique, "domain_id": "default"}})
    assert project.status_code == 201, project.text
    user = http.post("/v3/users", headers=h, json={"user": {
        "name": unique, "domain_id": "default", "password": "secret-" + unique}})
    assert user.status_code == 201, user.text
    roles = http.get("/v3/roles", headers=h, params={"name": "member"}).json()["roles"]
    assert len(roles) == 1
    info = {"user": user.json()["user"], "project": project.json()["project"],
            "password": "secret-" + unique, "member_role": roles[0]}
    grant = http.put(f"/v3/projects/{info['project']['id']}/users/{info['user']['id']}"
                     f"/roles/{roles[0]['id']}", headers=h)
    assert grant.status_code == 204, grant.text
    yield info
    http.delete(f"/v3/users/{info['user']['id']}", headers=h)
    http.delete(f"/v3/projects/{info['project']['id']}", headers=h)


def project_scope(info: dict[str, Any]) -> dict[str, Any]:
    return {"project": {"id": info["project"]["id"]}}


# -- issue ----------------------------------------------------------------------------------
def test_password_project_scoped_token(cloud: Any, http: httpx.Client,
                                       member: dict[str, Any]) -> None:
    resp = issue(http, password_auth(member["user"], member["password"],
                                     {"project": {"name": member["project"]["name"],
                                                  "domain": {"id": "default"}}}))
    assert resp.status_code == 201, resp.text
    assert resp.headers["X-Subject-Token"]
    assert resp.headers["Content-Type"].startswith("application/json")
    assert resp.headers.get("X-OpenStack-Request-Id", "").startswith("req-")
    token = resp.json()["token"]
    assert token["methods"] == ["password"]
    assert token["user"]["id"] == member["user"]["id"]
    assert token["user"]["name"] == member["user"]["name"]
    assert token["user"]["domain"] == {"id": "default", "name": "Default"}
    assert token["project"]["id"] == member["project"]["id"]
    assert token["project"]["name"] == member["project"]["name"]
    assert token["project"]["domain"] == {"id": "default", "name": "Default"}
    assert token["is_domain"] is False
    assert sorted(r["name"] for r in token["roles"]) == ["member", "reader"]  # reader implied
    assert all(set(r) >= {"id", "name"} for r in token["roles"])
    assert isinstance(token["audit_ids"], list) and len(token["audit_ids"]) == 1
    assert when(token["expires_at"]) > when(token["issued_at"])
    identity = [s for s in token["catalog"] if s["type"] == "identity"]
    assert len(identity) == 1
    urls = {e["interface"]: e["url"] for e in identity[0]["endpoints"]}
    assert urls["public"].rstrip("/") == cloud.identity_url.rstrip("/")
    assert all(e["region_id"] == "RegionOne" for e in identity[0]["endpoints"])


def test_unscoped_token_has_no_roles_or_catalog(http: httpx.Client,
                                                member: dict[str, Any]) -> None:
    _, token = issue_ok(http, password_auth(member["user"], member["password"]))
    assert token["methods"] == ["password"]
    assert token["user"]["id"] == member["user"]["id"]
    for key in ("project", "domain", "system", "roles", "catalog"):
        assert key not in token


def test_default_project_is_used_unless_unscoped_asked_for(cloud: Any, http: httpx.Client,
                                                           admin_token: str) -> None:
    admin = {"name": "admin", "domain": {"id": "default"}}
    _, token = issue_ok(http, password_auth(admin, cloud.admin_password))
    assert token["project"]["name"] == "admin"
    _, token = issue_ok(http, password_auth(admin, cloud.admin_password, "unscoped"))
    assert "project" not in token and "roles" not in token


def test_user_by_name_and_domain_name(http: httpx.Client, member: dict[str, Any]) -> None:
    ref = {"name": member["user"]["name"], "domain": {"name": "Default"}}
    _, token = issue_ok(http, password_auth(ref, member["password"], project_scope(member)))
    assert token["user"]["id"] == member["user"]["id"]


def test_domain_scoped_token(http: httpx.Client, admin_token: str,
                             member: dict[str, Any]) -> None:
    body = password_auth(member["user"], member["password"], {"domain": {"id": "default"}})
    assert_error(issue(http, body), 401)  # no role on the domain yet
    h = {"X-Auth-Token": admin_token}
    role_id = member["member_role"]["id"]
    resp = http.put(f"/v3/domains/default/users/{member['user']['id']}/roles/{role_id}",
                    headers=h)
    assert resp.status_code == 204, resp.text
    try:
        _, token = issue_ok(http, body)
        assert token["domain"] == {"id": "default", "name": "Default"}
        assert "project" not in token and "system" not in token
        assert sorted(r["name"] for r in token["roles"]) == ["member", "reader"]
        _, by_name = issue_ok(http, password_auth(member["user"], member["password"],
                                                  {"domain": {"name": "Default"}}))
        assert by_name["domain"]["id"] == "default"
    finally:
        http.delete(f"/v3/domains/default/users/{member['user']['id']}/roles/{role_id}",
                    headers=h)


def test_system_scoped_token(cloud: Any, http: httpx.Client, member: dict[str, Any]) -> None:
    admin = {"name": "admin", "domain": {"id": "default"}}
    _, token = issue_ok(http, password_auth(admin, cloud.admin_password,
                                            {"system": {"all": True}}))
    assert token["system"] == {"all": True}
    assert "project" not in token and "domain" not in token
    assert {"admin", "member", "reader"} <= {r["name"] for r in token["roles"]}
    assert token["catalog"]
    # A user without a system role cannot get a system-scoped token.
    assert_error(issue(http, password_auth(member["user"], member["password"],
                                           {"system": {"all": True}})), 401)


def test_token_method_rescopes_an_unscoped_token(http: httpx.Client,
                                                 member: dict[str, Any]) -> None:
    unscoped, first = issue_ok(http, password_auth(member["user"], member["password"]))
    scoped, token = issue_ok(http, token_auth(unscoped, project_scope(member)))
    assert scoped != unscoped
    assert "token" in token["methods"]
    assert token["user"]["id"] == member["user"]["id"]
    assert token["project"]["id"] == member["project"]["id"]
    # A re-scoped token never outlives the token it came from; it carries its audit chain.
    assert when(token["expires_at"]) == when(first["expires_at"])
    assert token["audit_ids"][-1] == first["audit_ids"][0]
    assert len(token["audit_ids"]) == 2


def test_nocatalog(http: httpx.Client, admin_token: str, member: dict[str, Any]) -> None:
    body = password_auth(member["user"], member["password"], project_scope(member))
    subject, token = issue_ok(http, body, nocatalog="1")
    assert "catalog" not in token
    assert token["roles"]
    full = validate(http, admin_token, subject)
    assert full.status_code == 200 and full.json()["token"]["catalog"]
    bare = validate(http, admin_token, subject, nocatalog="true")
    assert bare.status_code == 200, bare.text
    assert "catalog" not in bare.json()["token"]


# -- validate and revoke --------------------------------------------------------------------
def test_validate_get_and_head(http: httpx.Client, admin_token: str,
                               member: dict[str, Any]) -> None:
    subject, issued = issue_ok(http, password_auth(member["user"], member["password"],
                                                   project_scope(member)))
    resp = validate(http, admin_token, subject)
    assert resp.status_code == 200, resp.text
    assert resp.headers["X-Subject-Token"] == subject
    token = resp.json()["token"]
    for key in ("methods", "user", "project", "audit_ids", "expires_at", "issued_at"):
        assert token[key] == issued[key], key
    assert sorted(r["id"] for r in token["roles"]) == sorted(r["id"] for r in issued["roles"])
    head = validate(http, admin_token, subject, "HEAD")
    assert head.status_code == 200
    assert head.content == b""
    # The subject may validate its own token.
    own = validate(http, subject, subject)
    assert own.status_code == 200, own.text


def test_validate_unknown_token_is_404(http: httpx.Client, admin_token: str) -> None:
    assert_error(validate(http, admin_token, "gAAAAABnot-a-real-token"), 404)
    assert validate(http, admin_token, "gAAAAABnot-a-real-token", "HEAD").status_code == 404


def test_other_users_token_is_forbidden_to_a_non_admin(http: httpx.Client, admin_token: str,
                                                       member: dict[str, Any]) -> None:
    mine, _ = issue_ok(http, password_auth(member["user"], member["password"],
                                           project_scope(member)))
    assert_error(validate(http, mine, admin_token), 403)


def test_revoke_then_404(http: httpx.Client, admin_token: str, member: dict[str, Any]) -> None:
    subject, _ = issue_ok(http, password_auth(member["user"], member["password"],
                                              project_scope(member)))
    other, _ = issue_ok(http, password_auth(member["user"], member["password"],
                                            project_scope(member)))
    resp = http.delete("/v3/auth/tokens",
                       headers={"X-Auth-Token": admin_token, "X-Subject-Token": subject})
    assert resp.status_code == 204, resp.text
    assert resp.content == b""
    assert_error(validate(http, admin_token, subject), 404)
    assert validate(http, admin_token, subject, "HEAD").status_code == 404
    # A revoked token no longer authenticates, and 401 says where to get a new one.
    resp = http.get(f"/v3/users/{member['user']['id']}", headers={"X-Auth-Token": subject})
    assert_error(resp, 401)
    assert resp.headers["WWW-Authenticate"].startswith("Keystone uri=")
    # Revoking twice is 404; a second token of the same user is untouched.
    again = http.delete("/v3/auth/tokens",
                        headers={"X-Auth-Token": admin_token, "X-Subject-Token": subject})
    assert_error(again, 404)
    assert validate(http, admin_token, other).status_code == 200


def test_a_user_revokes_own_token(http: httpx.Client, admin_token: str,
                                  member: dict[str, Any]) -> None:
    subject, _ = issue_ok(http, password_auth(member["user"], member["password"],
                                              project_scope(member)))
    resp = http.delete("/v3/auth/tokens",
                       headers={"X-Auth-Token": subject, "X-Subject-Token": subject})
    assert resp.status_code == 204, resp.text
    assert_error(validate(http, admin_token, subject), 404)


# -- bad credentials ------------------------------------------------------------------------
def test_wrong_password_unknown_user_and_unknown_project(http: httpx.Client,
                                                         member: dict[str, Any]) -> None:
    for body in (
        password_auth(member["user"], "wrong-password"),
        password_auth({"name": "no-such-user-xyz", "domain": {"id": "default"}}, "x"),
        password_auth({"id": "0" * 32}, "x"),
        password_auth(member["user"], member["password"], {"project": {"id": "0" * 32}}),
        # member has no role on the admin project
        password_auth(member["user"], member["password"],
                      {"project": {"name": "admin", "domain": {"id": "default"}}}),
    ):
        resp = issue(http, body)
        assert_error(resp, 401)
        assert resp.headers["WWW-Authenticate"].startswith("Keystone uri=")
        assert "X-Subject-Token" not in resp.headers


def test_no_token_is_401_with_www_authenticate(cloud: Any, http: httpx.Client) -> None:
    for path in ("/v3/users", "/v3/projects", "/v3/auth/tokens", "/v3/auth/projects"):
        resp = http.get(path)
        assert_error(resp, 401)
        assert resp.headers["WWW-Authenticate"] == f'Keystone uri="{cloud.url}/v3"'


# -- tokens that stop working ---------------------------------------------------------------
def _assert_dead(http: httpx.Client, admin_token: str, subject: str, user_id: str) -> None:
    assert_error(validate(http, admin_token, subject), 404)
    assert_error(http.get(f"/v3/users/{user_id}", headers={"X-Auth-Token": subject}), 401)


def test_token_invalid_after_user_disabled(http: httpx.Client, admin_token: str,
                                           member: dict[str, Any]) -> None:
    h = {"X-Auth-Token": admin_token}
    uid = member["user"]["id"]
    subject, _ = issue_ok(http, password_auth(member["user"], member["password"],
                                              project_scope(member)))
    assert validate(http, admin_token, subject).status_code == 200
    resp = http.patch(f"/v3/users/{uid}", headers=h, json={"user": {"enabled": False}})
    assert resp.status_code == 200 and resp.json()["user"]["enabled"] is False
    _assert_dead(http, admin_token, subject, uid)
    assert_error(issue(http, password_auth(member["user"], member["password"])), 401)
    # Enabling the user again does not bring the old token back; new ones work.
    resp = http.patch(f"/v3/users/{uid}", headers=h, json={"user": {"enabled": True}})
    assert resp.status_code == 200
    assert_error(validate(http, admin_token, subject), 404)
    issue_ok(http, password_auth(member["user"], member["password"], project_scope(member)))


def test_token_invalid_after_user_deleted(http: httpx.Client, admin_token: str,
                                          member: dict[str, Any]) -> None:
    uid = member["user"]["id"]
    subject, _ = issue_ok(http, password_auth(member["user"], member["password"],
                                              project_scope(member)))
    resp = http.delete(f"/v3/users/{uid}", headers={"X-Auth-Token": admin_token})
    assert resp.status_code == 204
    _assert_dead(http, admin_token, subject, uid)
    assert_error(issue(http, password_auth(member["user"], member["password"])), 401)


def test_token_invalid_after_admin_sets_password(http: httpx.Client, admin_token: str,
                                                 member: dict[str, Any]) -> None:
    uid = member["user"]["id"]
    subject, _ = issue_ok(http, password_auth(member["user"], member["password"],
                                              project_scope(member)))
    resp = http.patch(f"/v3/users/{uid}", headers={"X-Auth-Token": admin_token},
                      json={"user": {"password": "brand-new-pass"}})
    assert resp.status_code == 200, resp.text
    assert "password" not in resp.json()["user"]
    _assert_dead(http, admin_token, subject, uid)
    assert_error(issue(http, password_auth(member["user"], member["password"])), 401)
    issue_ok(http, password_auth(member["user"], "brand-new-pass", project_scope(member)))


def test_token_invalid_after_self_service_password_change(http: httpx.Client,
                                                          admin_token: str,
                                                          member: dict[str, Any]) -> None:
    uid = member["user"]["id"]
    subject, _ = issue_ok(http, password_auth(member["user"], member["password"],
                                              project_scope(member)))
    wrong = http.post(f"/v3/users/{uid}/password", headers={"X-Auth-Token": subject},
                      json={"user": {"original_password": "nope", "password": "next-pass"}})
    assert_error(wrong, 401)
    assert validate(http, admin_token, subject).status_code == 200  # nothing changed
    resp = http.post(f"/v3/users/{uid}/password", headers={"X-Auth-Token": subject},
                     json={"user": {"original_password": member["password"],
                                    "password": "next-pass"}})
    assert resp.status_code == 204, resp.text
    _assert_dead(http, admin_token, subject, uid)
    issue_ok(http, password_auth(member["user"], "next-pass", project_scope(member)))


def test_token_invalid_after_role_removed(http: httpx.Client, admin_token: str,
                                          member: dict[str, Any]) -> None:
    uid, pid = member["user"]["id"], member["project"]["id"]
    subject, _ = issue_ok(http, password_auth(member["user"], member["password"],
                                              project_scope(member)))
    unscoped, _ = issue_ok(http, password_auth(member["user"], member["password"]))
    resp = http.delete(f"/v3/projects/{pid}/users/{uid}/roles/{member['member_role']['id']}",
                       headers={"X-Auth-Token": admin_token})
    assert resp.status_code == 204, resp.text
    _assert_dead(http, admin_token, subject, uid)
    # The user's unscoped token is unaffected, but can no longer be scoped to the project.
    assert validate(http, admin_token, unscoped).status_code == 200
    assert_error(issue(http, token_auth(unscoped, project_scope(member))), 401)


def test_token_invalid_after_project_disabled(http: httpx.Client, admin_token: str,
                                              member: dict[str, Any]) -> None:
    pid = member["project"]["id"]
    subject, _ = issue_ok(http, password_auth(member["user"], member["password"],
                                              project_scope(member)))
    resp = http.patch(f"/v3/projects/{pid}", headers={"X-Auth-Token": admin_token},
                      json={"project": {"enabled": False}})
    assert resp.status_code == 200, resp.text
    assert_error(validate(http, admin_token, subject), 404)
    assert_error(issue(http, password_auth(member["user"], member["password"],
                                           project_scope(member))), 401)
