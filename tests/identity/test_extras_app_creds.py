"""Application credentials and access rules through the real API: create (generated or
given secret, shown once), roles (default: the token's; by id or name; never more than the
user holds), expiry, authentication with the credential, restricted credentials, name filter,
owner-only access, and access rules that are shared and cannot be deleted while in use.

Keystone API reference: identity/v3 "Application Credentials"."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

pytestmark = pytest.mark.postgres


class Api:
    def __init__(self, client: httpx.Client, token: str) -> None:
        self.client, self.token = client, token

    def __call__(self, method: str, path: str, body: Any = None, **params: Any) -> httpx.Response:
        return self.client.request(method, f"/v3/{path}", json=body, params=params or None,
                                   headers={"X-Auth-Token": self.token})


def issue(client: httpx.Client, identity: dict[str, Any],
          scope: dict[str, Any] | None = None) -> httpx.Response:
    auth: dict[str, Any] = {"identity": identity}
    if scope:
        auth["scope"] = scope
    return client.post("/v3/auth/tokens", json={"auth": auth})


def error(resp: httpx.Response, code: int) -> str:
    assert resp.status_code == code, resp.text
    assert resp.json()["error"]["code"] == code
    return str(resp.json()["error"]["message"])


@pytest.fixture(scope="module")
def http(cloud: Any) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=cloud.url, timeout=60) as client:
        yield client


@pytest.fixture(scope="module")
def admin(http: httpx.Client, admin_conn: Any) -> Api:
    return Api(http, str(admin_conn.auth_token))


@pytest.fixture()
def member(http: httpx.Client, admin: Api) -> dict[str, Any]:
    """A fresh user with 'member' (which implies 'reader') and a fresh role on a project."""
    name = "ac-" + uuid.uuid4().hex[:8]
    project = admin("POST", "projects", {"project": {"name": name}}).json()["project"]
    user = admin("POST", "users", {"user": {"name": name, "password": "pw-" + name}}).json()["user"]
    extra = admin("POST", "roles", {"role": {"name": "r-" + name}}).json()["role"]
    member_role = admin("GET", "roles", name="member").json()["roles"][0]
    for role in (member_role, extra):
        admin("PUT", f"projects/{project['id']}/users/{user['id']}/roles/{role['id']}")
    resp = issue(http, {"methods": ["password"], "password": {
        "user": {"id": user["id"], "password": "pw-" + name}}}, {"project": {"id": project["id"]}})
    token = resp.headers["X-Subject-Token"]
    return {"user": user, "project": project, "role": extra, "member": member_role,
            "api": Api(http, token), "token": resp.json()["token"]}


def app_cred_auth(cred_id: str, secret: str) -> dict[str, Any]:
    return {"methods": ["application_credential"],
            "application_credential": {"id": cred_id, "secret": secret}}


# -- application credentials ---------------------------------------------------------------
def test_create_secret_once_and_authenticate(http: httpx.Client, member: dict[str, Any]) -> None:
    api, uid = member["api"], member["user"]["id"]
    resp = api("POST", f"users/{uid}/application_credentials",
               {"application_credential": {"name": "monitoring", "description": "d"}})
    assert resp.status_code == 201, resp.text
    cred = resp.json()["application_credential"]
    assert set(cred) == {"id", "name", "description", "expires_at", "project_id", "roles",
                         "unrestricted", "access_rules", "secret", "links"}
    assert cred["project_id"] == member["project"]["id"] and cred["unrestricted"] is False
    assert len(cred["secret"]) >= 64 and cred["expires_at"] is None
    # Default roles: those of the token that created it (implied ones included).
    token_roles = {r["id"] for r in member["token"]["roles"]}
    assert {r["id"] for r in cred["roles"]} == token_roles
    assert set(cred["roles"][0]) == {"id", "name", "domain_id"}
    shown = api("GET", f"users/{uid}/application_credentials/{cred['id']}").json()
    assert "secret" not in shown["application_credential"]
    assert shown["application_credential"]["links"]["self"].endswith(
        f"/v3/users/{uid}/application_credentials/{cred['id']}")
    # The credential authenticates, scoped to its project with its roles.
    resp = issue(http, app_cred_auth(cred["id"], cred["secret"]))
    assert resp.status_code == 201, resp.text
    token = resp.json()["token"]
    assert token["project"]["id"] == member["project"]["id"]
    assert token["methods"] == ["application_credential"]
    assert token["application_credential"] == {"id": cred["id"], "name": "monitoring",
                                               "restricted": True}
    assert {r["id"] for r in token["roles"]} == token_roles
    # ...by name and user too; a wrong secret is refused.
    by_name = {"methods": ["application_credential"], "application_credential": {
        "name": "monitoring", "secret": cred["secret"], "user": {"id": uid}}}
    assert issue(http, by_name).status_code == 201
    error(issue(http, app_cred_auth(cred["id"], "wrong")), 401)
    # Deleted, it no longer authenticates and its tokens stop working.
    app_token = resp.headers["X-Subject-Token"]
    assert api("DELETE", f"users/{uid}/application_credentials/{cred['id']}").status_code == 204
    error(issue(http, app_cred_auth(cred["id"], cred["secret"])), 401)
    check = http.get("/v3/auth/tokens", headers={"X-Auth-Token": api.token,
                                                 "X-Subject-Token": app_token})
    assert check.status_code == 404


def test_roles_subset_and_given_secret(http: httpx.Client, member: dict[str, Any]) -> None:
    api, uid = member["api"], member["user"]["id"]
    resp = api("POST", f"users/{uid}/application_credentials", {"application_credential": {
        "name": "narrow", "secret": "my-own-secret", "roles": [{"id": member["role"]["id"]}]}})
    assert resp.status_code == 201, resp.text
    cred = resp.json()["application_credential"]
    assert cred["secret"] == "my-own-secret"
    assert [r["id"] for r in cred["roles"]] == [member["role"]["id"]]
    token = issue(http, app_cred_auth(cred["id"], "my-own-secret")).json()["token"]
    assert [r["id"] for r in token["roles"]] == [member["role"]["id"]]
    # By name; and a role that is not in the token is refused.
    by_name = api("POST", f"users/{uid}/application_credentials", {"application_credential": {
        "name": "reader-only", "roles": [{"name": "reader"}]}})
    assert by_name.status_code == 201, by_name.text
    assert [r["name"] for r in by_name.json()["application_credential"]["roles"]] == ["reader"]
    error(api("POST", f"users/{uid}/application_credentials", {"application_credential": {
        "name": "escalate", "roles": [{"name": "admin"}]}}), 400)
    error(api("POST", f"users/{uid}/application_credentials", {"application_credential": {
        "name": "unknown", "roles": [{"name": "no-such-role"}]}}), 404)
    error(api("POST", f"users/{uid}/application_credentials", {"application_credential": {
        "name": "bad", "roles": [{"id": "x", "name": "y"}]}}), 400)


def test_expiry_format_and_validation(http: httpx.Client, member: dict[str, Any]) -> None:
    api, uid = member["api"], member["user"]["id"]
    when = datetime.now(UTC).replace(tzinfo=None) + timedelta(hours=1)
    when = when.replace(microsecond=123456)
    resp = api("POST", f"users/{uid}/application_credentials", {"application_credential": {
        "name": "expiring", "expires_at": when.isoformat()}})
    assert resp.status_code == 201, resp.text
    cred = resp.json()["application_credential"]
    assert cred["expires_at"] == when.isoformat()  # Keystone's format: no zone designator
    token = issue(http, app_cred_auth(cred["id"], cred["secret"])).json()["token"]
    assert token["expires_at"] <= when.isoformat() + "Z"
    for bad in ("bad.123Z", "2001-01-01T00:00:00Z"):
        error(api("POST", f"users/{uid}/application_credentials", {"application_credential": {
            "name": "x" + bad, "expires_at": bad}}), 400)


def test_names_are_unique_per_user_and_filterable(member: dict[str, Any]) -> None:
    api, uid = member["api"], member["user"]["id"]
    for name in ("one", "two"):
        assert api("POST", f"users/{uid}/application_credentials",
                   {"application_credential": {"name": name}}).status_code == 201
    error(api("POST", f"users/{uid}/application_credentials",
              {"application_credential": {"name": "one"}}), 409)
    listed = api("GET", f"users/{uid}/application_credentials").json()
    assert sorted(c["name"] for c in listed["application_credentials"]) == ["one", "two"]
    assert all("secret" not in c for c in listed["application_credentials"])
    only = api("GET", f"users/{uid}/application_credentials", name="two").json()
    assert [c["name"] for c in only["application_credentials"]] == ["two"]
    error(api("POST", f"users/{uid}/application_credentials",
              {"application_credential": {}}), 400)


def test_restricted_credentials_cannot_delegate(http: httpx.Client,
                                                member: dict[str, Any]) -> None:
    api, uid = member["api"], member["user"]["id"]
    made = {}
    for name, unrestricted in (("restricted", False), ("unrestricted", True)):
        made[name] = api("POST", f"users/{uid}/application_credentials", {
            "application_credential": {"name": name, "unrestricted": unrestricted}}).json()[
            "application_credential"]
    assert made["unrestricted"]["unrestricted"] is True
    for name, code in (("restricted", 403), ("unrestricted", 201)):
        cred = made[name]
        token = issue(http, app_cred_auth(cred["id"], cred["secret"])).headers["X-Subject-Token"]
        resp = Api(http, token)("POST", f"users/{uid}/application_credentials",
                                {"application_credential": {"name": "child-" + name}})
        assert resp.status_code == code, resp.text


def test_owner_only(http: httpx.Client, admin: Api, member: dict[str, Any],
                    admin_conn: Any) -> None:
    api, uid = member["api"], member["user"]["id"]
    admin_id = admin_conn.current_user_id
    cred = api("POST", f"users/{uid}/application_credentials",
               {"application_credential": {"name": "private"}}).json()["application_credential"]
    # Nobody creates one for someone else, not even the admin.
    error(admin("POST", f"users/{uid}/application_credentials",
                {"application_credential": {"name": "forged"}}), 403)
    theirs = admin("POST", f"users/{admin_id}/application_credentials",
                   {"application_credential": {"name": "adm-" + uid}}).json()[
        "application_credential"]
    error(api("GET", f"users/{admin_id}/application_credentials"), 403)
    error(api("GET", f"users/{uid}/application_credentials/{theirs['id']}"), 403)
    error(api("DELETE", f"users/{uid}/application_credentials/{theirs['id']}"), 403)
    # The admin reads and deletes anyone's.
    assert admin("GET", f"users/{uid}/application_credentials/{cred['id']}").status_code == 200
    assert admin("DELETE", f"users/{uid}/application_credentials/{cred['id']}") \
        .status_code == 204
    error(admin("GET", f"users/{uid}/application_credentials/{cred['id']}"), 404)
    admin("DELETE", f"users/{admin_id}/application_credentials/{theirs['id']}")


# -- access rules ---------------------------------------------------------------------------
def test_access_rules_shared_and_protected(member: dict[str, Any]) -> None:
    api, uid = member["api"], member["user"]["id"]
    rule = {"path": "/v2.1/servers/*/ips", "method": "GET", "service": "compute"}
    first = api("POST", f"users/{uid}/application_credentials", {"application_credential": {
        "name": "rules-1", "access_rules": [rule]}}).json()["application_credential"]
    got = dict(first["access_rules"][0])
    rule_id = got.pop("id")
    assert got == rule
    # An identical rule, or a rule given by id, is the same rule.
    second = api("POST", f"users/{uid}/application_credentials", {"application_credential": {
        "name": "rules-2", "access_rules": [rule]}}).json()["application_credential"]
    third = api("POST", f"users/{uid}/application_credentials", {"application_credential": {
        "name": "rules-3", "access_rules": [{"id": rule_id}]}}).json()["application_credential"]
    assert second["access_rules"][0]["id"] == third["access_rules"][0]["id"] == rule_id
    listed = api("GET", f"users/{uid}/access_rules").json()
    assert [r["id"] for r in listed["access_rules"]] == [rule_id]
    assert listed["access_rules"][0]["links"]["self"].endswith(f"/v3/access_rules/{rule_id}")
    shown = api("GET", f"users/{uid}/access_rules/{rule_id}").json()["access_rule"]
    assert {k: shown[k] for k in rule} == rule
    assert api("GET", f"users/{uid}/access_rules", service="image").json()["access_rules"] == []
    # In use: cannot be deleted; once no credential uses it, it can.
    error(api("DELETE", f"users/{uid}/access_rules/{rule_id}"), 403)
    for cred in (first, second, third):
        api("DELETE", f"users/{uid}/application_credentials/{cred['id']}")
    assert api("GET", f"users/{uid}/access_rules/{rule_id}").status_code == 200
    assert api("DELETE", f"users/{uid}/access_rules/{rule_id}").status_code == 204
    error(api("GET", f"users/{uid}/access_rules/{rule_id}"), 404)


def test_access_rule_validation(member: dict[str, Any], admin: Api, admin_conn: Any) -> None:
    api, uid = member["api"], member["user"]["id"]
    for bad in ({"path": "no-slash", "method": "GET", "service": "compute"},
                {"path": "/x", "method": "FETCH", "service": "compute"},
                {"path": "/x", "method": "GET"},
                {"path": "/x", "method": "GET", "service": "compute", "other": 1}):
        error(api("POST", f"users/{uid}/application_credentials", {"application_credential": {
            "name": "bad-rule", "access_rules": [bad]}}), 400)
    error(api("POST", f"users/{uid}/application_credentials", {"application_credential": {
        "name": "unknown-rule", "access_rules": [{"id": "nope"}]}}), 404)
    error(api("GET", f"users/{admin_conn.current_user_id}/access_rules"), 403)
    assert admin("GET", f"users/{uid}/access_rules").status_code == 200


def test_openstacksdk_round_trip(cloud: Any, member: dict[str, Any]) -> None:
    """The official client creates one, and then authenticates with it."""
    import openstack

    user = member["user"]
    conn = cloud.connect(user["name"], password="pw-" + user["name"],
                         project=None, project_id=member["project"]["id"])
    cred = conn.identity.create_application_credential(user["id"], name="sdk",
                                                        description="from the sdk")
    assert cred.secret and cred.project_id == member["project"]["id"]
    listed = [c.name for c in conn.identity.application_credentials(user["id"])]
    assert listed == ["sdk"]
    app = openstack.connect(
        auth_type="v3applicationcredential", region_name="RegionOne",
        auth={"auth_url": cloud.identity_url, "application_credential_id": cred.id,
              "application_credential_secret": cred.secret},
        identity_api_version="3", load_yaml_config=False, load_envvars=False)
    access = app.session.auth.get_access(app.session)
    assert access.project_id == member["project"]["id"]
    assert access.user_id == user["id"]
    conn.identity.delete_application_credential(user["id"], cred.id)
    assert list(conn.identity.application_credentials(user["id"])) == []
