"""OAuth1 consumers, policies, domain-specific configuration and OS-EP-FILTER endpoint groups
through the real API (all admin-only, as Keystone's default policy).

Keystone API reference: identity/v3 "Policies", "Domain configuration"; identity/v3-ext
"OS-OAUTH1", "OS-EP-FILTER"."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
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


@pytest.fixture(scope="module")
def demo(http: httpx.Client, demo_conn: Any) -> Api:
    return Api(http, str(demo_conn.auth_token))


# -- OS-OAUTH1 consumers ---------------------------------------------------------------------
def test_consumers(admin: Api, demo: Api) -> None:
    resp = admin("POST", "OS-OAUTH1/consumers", {"consumer": {"description": "my app"}})
    assert resp.status_code == 201, resp.text
    consumer = resp.json()["consumer"]
    assert consumer["secret"] and consumer["description"] == "my app"
    assert consumer["links"]["self"].endswith(f"/v3/OS-OAUTH1/consumers/{consumer['id']}")
    shown = admin("GET", f"OS-OAUTH1/consumers/{consumer['id']}").json()["consumer"]
    assert "secret" not in shown
    assert {k: shown[k] for k in ("id", "description", "links")} == \
        {k: consumer[k] for k in ("id", "description", "links")}
    listed = admin("GET", "OS-OAUTH1/consumers").json()["consumers"]
    assert consumer["id"] in [c["id"] for c in listed]
    assert all("secret" not in c for c in listed)
    updated = admin("PATCH", f"OS-OAUTH1/consumers/{consumer['id']}",
                    {"consumer": {"description": "renamed"}}).json()["consumer"]
    assert updated["description"] == "renamed" and "secret" not in updated
    error(admin("PATCH", f"OS-OAUTH1/consumers/{consumer['id']}",
                {"consumer": {"secret": "mine"}}), 400)
    error(demo("GET", "OS-OAUTH1/consumers"), 403)
    error(demo("POST", "OS-OAUTH1/consumers", {"consumer": {}}), 403)
    assert admin("DELETE", f"OS-OAUTH1/consumers/{consumer['id']}").status_code == 204
    error(admin("GET", f"OS-OAUTH1/consumers/{consumer['id']}"), 404)


def test_consumer_secret_is_stored_hashed(admin: Api, cloud: Any) -> None:
    if cloud.database_url is not None:
        pytest.skip("reads the SQLite file")
    import sqlite3

    consumer = admin("POST", "OS-OAUTH1/consumers", {"consumer": {}}).json()["consumer"]
    db = sqlite3.connect(cloud.data_dir / "pocketstack.db")
    stored = db.execute("SELECT secret_hash FROM identity_oauth_consumers WHERE id = ?",
                        (consumer["id"],)).fetchone()[0]
    db.close()
    assert consumer["secret"] not in stored and stored.startswith("$argon2id$")


# -- policies -------------------------------------------------------------------------------
def test_policies_with_sdk(admin_conn: Any) -> None:
    policy = admin_conn.identity.create_policy(blob='{"a": 1}', type="application/json")
    assert policy.blob == '{"a": 1}' and policy.type == "application/json"
    updated = admin_conn.identity.update_policy(policy, type="text/plain")
    assert updated.type == "text/plain" and updated.blob == policy.blob
    assert admin_conn.identity.get_policy(policy.id).type == "text/plain"
    assert policy.id in [p.id for p in admin_conn.identity.policies()]
    admin_conn.identity.delete_policy(policy)
    assert policy.id not in [p.id for p in admin_conn.identity.policies()]


def test_policies_wire(admin: Api, demo: Api) -> None:
    resp = admin("POST", "policies", {"policy": {"blob": "b", "type": "t1", "note": "n"}})
    assert resp.status_code == 201
    policy = resp.json()["policy"]
    assert set(policy) == {"id", "blob", "type", "links", "note"}
    assert policy["links"]["self"].endswith(f"/v3/policies/{policy['id']}")
    only = admin("GET", "policies", type="t1").json()["policies"]
    assert policy["id"] in [p["id"] for p in only]
    assert all(p["type"] == "t1" for p in only)
    error(admin("POST", "policies", {"policy": {"blob": "b"}}), 400)
    error(admin("POST", "policies", {"policy": {"blob": 1, "type": "t"}}), 400)
    error(demo("GET", "policies"), 403)
    error(demo("DELETE", f"policies/{policy['id']}"), 403)
    assert admin("DELETE", f"policies/{policy['id']}").status_code == 204
    error(admin("GET", f"policies/{policy['id']}"), 404)


# -- domain configuration -------------------------------------------------------------------
CONFIG = {"identity": {"driver": "ldap"},
          "ldap": {"url": "ldap://myldap.com:389/", "user_tree_dn": "ou=Users,dc=org"}}


@pytest.fixture()
def domain(admin: Api) -> Iterator[str]:
    d = admin("POST", "domains", {"domain": {"name": "cfg-" + uuid.uuid4().hex[:8]}})
    domain_id = d.json()["domain"]["id"]
    yield domain_id
    admin("PATCH", f"domains/{domain_id}", {"domain": {"enabled": False}})
    admin("DELETE", f"domains/{domain_id}")


def test_default_config(admin: Api, demo: Api) -> None:
    config = admin("GET", "domains/config/default").json()["config"]
    assert set(config) == {"identity", "ldap"}
    assert config["identity"] == {"driver": "sql", "list_limit": None}
    assert config["ldap"]["url"] == "ldap://localhost" and "password" not in config["ldap"]
    ident = admin("GET", "domains/config/identity/default").json()["config"]
    assert ident == {"identity": config["identity"]}
    for option in config["ldap"]:
        got = admin("GET", f"domains/config/ldap/{option}/default").json()["config"]
        assert got == {option: config["ldap"][option]}
    error(admin("GET", "domains/config/ldap/password/default"), 403)
    error(admin("GET", "domains/config/nope/default"), 403)
    error(demo("GET", "domains/config/default"), 403)


def test_create_show_replace(admin: Api, domain: str) -> None:
    resp = admin("PUT", f"domains/{domain}/config", {"config": CONFIG})
    assert resp.status_code == 201, resp.text
    assert resp.json()["config"] == CONFIG
    assert admin("GET", f"domains/{domain}/config").json()["config"] == CONFIG
    for group, options in CONFIG.items():
        got = admin("GET", f"domains/{domain}/config/{group}").json()["config"]
        assert got == {group: options}
        for option, value in options.items():
            got = admin("GET", f"domains/{domain}/config/{group}/{option}").json()["config"]
            assert got == {option: value}
    # PUT again replaces (200); sensitive options are stored but never shown.
    replaced = admin("PUT", f"domains/{domain}/config", {"config": {
        "ldap": {"url": "ldap://other", "password": "s3cret"}}})
    assert replaced.status_code == 200
    assert replaced.json()["config"] == {"ldap": {"url": "ldap://other"}}
    error(admin("GET", f"domains/{domain}/config/ldap/password"), 404)
    error(admin("GET", f"domains/{domain}/config/identity"), 404)


def test_update_and_delete_parts(admin: Api, domain: str) -> None:
    error(admin("GET", f"domains/{domain}/config"), 404)
    admin("PUT", f"domains/{domain}/config", {"config": CONFIG})
    got = admin("PATCH", f"domains/{domain}/config/identity", {"config": {
        "identity": {"driver": "sql", "list_limit": 42}}}).json()["config"]
    assert got["identity"] == {"driver": "sql", "list_limit": 42} and got["ldap"] == CONFIG["ldap"]
    got = admin("PATCH", f"domains/{domain}/config/identity/driver",
                {"config": {"driver": "ldap"}}).json()["config"]
    assert got["identity"]["driver"] == "ldap"
    got = admin("PATCH", f"domains/{domain}/config", {"config": {
        "ldap": {"url": "ldap://new"}}}).json()["config"]
    assert got["ldap"]["url"] == "ldap://new" and got["identity"]["list_limit"] == 42
    # Targeted updates must name exactly that group / option, which must already exist.
    error(admin("PATCH", f"domains/{domain}/config/identity", {"config": CONFIG}), 403)
    error(admin("PATCH", f"domains/{domain}/config/identity/driver",
                {"config": {"list_limit": 1}}), 403)
    error(admin("PATCH", f"domains/{domain}/config/ldap/suffix",
                {"config": {"suffix": "x"}}), 404)
    error(admin("PATCH", f"domains/{domain}/config", {"config": {"nope": {"a": 1}}}), 403)
    error(admin("PATCH", f"domains/{domain}/config", {"config": {"ldap": {"nope": 1}}}), 403)
    error(admin("PATCH", f"domains/{domain}/config", {"config": {"ldap": "x"}}), 403)
    error(admin("PATCH", f"domains/{domain}/config", {"config": {}}), 403)
    assert admin("DELETE", f"domains/{domain}/config/identity/driver").status_code == 204
    error(admin("GET", f"domains/{domain}/config/identity/driver"), 404)
    error(admin("DELETE", f"domains/{domain}/config/identity/driver"), 404)
    assert admin("DELETE", f"domains/{domain}/config/identity").status_code == 204
    error(admin("GET", f"domains/{domain}/config/identity"), 404)
    assert admin("DELETE", f"domains/{domain}/config").status_code == 204
    error(admin("GET", f"domains/{domain}/config"), 404)


def test_config_errors_and_policy(admin: Api, demo: Api, domain: str) -> None:
    error(admin("PUT", "domains/no-such/config", {"config": CONFIG}), 404)
    error(admin("GET", "domains/no-such/config"), 404)
    error(admin("PUT", f"domains/{domain}/config", {"config": {"identity": {"x": 1}}}), 403)
    error(admin("PUT", f"domains/{domain}/config", {"nope": {}}), 400)
    error(demo("PUT", f"domains/{domain}/config", {"config": CONFIG}), 403)
    error(demo("GET", f"domains/{domain}/config"), 403)
    # security_compliance is readable by anyone, for the default domain only.
    got = demo("GET", "domains/default/config/security_compliance").json()["config"]
    assert set(got["security_compliance"]) == {"password_regex", "password_regex_description"}
    assert demo("GET", "domains/default/config/security_compliance/password_regex") \
        .json()["config"] == {"password_regex": None}
    error(demo("GET", f"domains/{domain}/config/security_compliance"), 403)


# -- OS-EP-FILTER ---------------------------------------------------------------------------
@pytest.fixture()
def catalog(admin: Api) -> Iterator[dict[str, Any]]:
    tag = uuid.uuid4().hex[:8]
    service = admin("POST", "services", {"service": {"type": "t-" + tag, "name": tag}}) \
        .json()["service"]
    endpoints = [admin("POST", "endpoints", {"endpoint": {
        "service_id": service["id"], "interface": i, "url": f"http://{tag}/{i}",
        "region_id": "RegionOne"}}).json()["endpoint"] for i in ("public", "internal")]
    project = admin("POST", "projects", {"project": {"name": "ep-" + tag}}).json()["project"]
    yield {"service": service, "endpoints": endpoints, "project": project}
    admin("DELETE", f"projects/{project['id']}")
    admin("DELETE", f"services/{service['id']}")


def test_endpoint_groups_crud(admin: Api, demo: Api, catalog: dict[str, Any]) -> None:
    sid = catalog["service"]["id"]
    resp = admin("POST", "OS-EP-FILTER/endpoint_groups", {"endpoint_group": {
        "name": "g1", "description": "d", "filters": {"service_id": sid}}})
    assert resp.status_code == 201, resp.text
    group = resp.json()["endpoint_group"]
    assert set(group) == {"id", "name", "description", "filters", "links"}
    assert group["links"]["self"].endswith(f"/v3/OS-EP-FILTER/endpoint_groups/{group['id']}")
    listed = admin("GET", "OS-EP-FILTER/endpoint_groups").json()["endpoint_groups"]
    assert group in listed
    assert admin("GET", f"OS-EP-FILTER/endpoint_groups/{group['id']}").json() == \
        {"endpoint_group": group}
    assert admin("HEAD", f"OS-EP-FILTER/endpoint_groups/{group['id']}").status_code == 200
    named = admin("GET", "OS-EP-FILTER/endpoint_groups", name="g1").json()["endpoint_groups"]
    assert group["id"] in [g["id"] for g in named] and all(g["name"] == "g1" for g in named)
    updated = admin("PATCH", f"OS-EP-FILTER/endpoint_groups/{group['id']}", {"endpoint_group": {
        "name": "g2", "filters": {"service_id": sid, "interface": "public"}}})
    assert updated.json()["endpoint_group"]["name"] == "g2"
    eps = admin("GET", f"OS-EP-FILTER/endpoint_groups/{group['id']}/endpoints").json()
    assert [e["id"] for e in eps["endpoints"]] == [catalog["endpoints"][0]["id"]]
    for bad in ({"name": "x"}, {"name": "x", "filters": {}},
                {"name": "x", "filters": {"colour": "red"}}):
        error(admin("POST", "OS-EP-FILTER/endpoint_groups", {"endpoint_group": bad}), 400)
    error(demo("GET", "OS-EP-FILTER/endpoint_groups"), 403)
    assert admin("DELETE", f"OS-EP-FILTER/endpoint_groups/{group['id']}").status_code == 204
    error(admin("GET", f"OS-EP-FILTER/endpoint_groups/{group['id']}"), 404)
    assert admin("HEAD", f"OS-EP-FILTER/endpoint_groups/{group['id']}").status_code == 404


def test_project_associations(admin: Api, catalog: dict[str, Any]) -> None:
    pid, (public, internal) = catalog["project"]["id"], catalog["endpoints"]
    group = admin("POST", "OS-EP-FILTER/endpoint_groups", {"endpoint_group": {
        "name": "int", "filters": {"interface": "internal",
                                   "service_id": catalog["service"]["id"]}}}).json()[
        "endpoint_group"]
    gid = group["id"]
    # An endpoint directly...
    assert admin("PUT", f"OS-EP-FILTER/projects/{pid}/endpoints/{public['id']}") \
        .status_code == 204
    error(admin("PUT", f"OS-EP-FILTER/projects/{pid}/endpoints/{public['id']}"), 409)
    assert admin("HEAD", f"OS-EP-FILTER/projects/{pid}/endpoints/{public['id']}") \
        .status_code == 204
    assert admin("HEAD", f"OS-EP-FILTER/projects/{pid}/endpoints/{internal['id']}") \
        .status_code == 404
    projects = admin("GET", f"OS-EP-FILTER/endpoints/{public['id']}/projects").json()
    assert [p["id"] for p in projects["projects"]] == [pid]
    # ...and the endpoints of a group.
    assert admin("PUT", f"OS-EP-FILTER/endpoint_groups/{gid}/projects/{pid}").status_code == 204
    assoc = admin("GET", f"OS-EP-FILTER/endpoint_groups/{gid}/projects/{pid}").json()
    assert assoc["project_endpoint_group"]["endpoint_group_id"] == gid
    assert assoc["project_endpoint_group"]["project_id"] == pid
    groups = admin("GET", f"OS-EP-FILTER/projects/{pid}/endpoint_groups").json()
    assert [g["id"] for g in groups["endpoint_groups"]] == [gid]
    in_group = admin("GET", f"OS-EP-FILTER/endpoint_groups/{gid}/projects").json()
    assert [p["id"] for p in in_group["projects"]] == [pid]
    eps = admin("GET", f"OS-EP-FILTER/projects/{pid}/endpoints").json()["endpoints"]
    assert sorted(e["id"] for e in eps) == sorted([public["id"], internal["id"]])
    # Removing them.
    assert admin("DELETE", f"OS-EP-FILTER/endpoint_groups/{gid}/projects/{pid}") \
        .status_code == 204
    error(admin("GET", f"OS-EP-FILTER/endpoint_groups/{gid}/projects/{pid}"), 404)
    assert admin("DELETE", f"OS-EP-FILTER/projects/{pid}/endpoints/{public['id']}") \
        .status_code == 204
    error(admin("DELETE", f"OS-EP-FILTER/projects/{pid}/endpoints/{public['id']}"), 404)
    assert admin("GET", f"OS-EP-FILTER/projects/{pid}/endpoints").json()["endpoints"] == []
    error(admin("PUT", f"OS-EP-FILTER/projects/no-such/endpoints/{public['id']}"), 404)
    error(admin("PUT", f"OS-EP-FILTER/projects/{pid}/endpoints/no-such"), 404)
    error(admin("PUT", f"OS-EP-FILTER/endpoint_groups/no-such/projects/{pid}"), 404)
    admin("DELETE", f"OS-EP-FILTER/endpoint_groups/{gid}")


def test_sdk_endpoint_groups(admin_conn: Any, catalog: dict[str, Any]) -> None:
    group = admin_conn.identity.create_endpoint_group(
        name="sdk", filters={"service_id": catalog["service"]["id"]})
    assert admin_conn.identity.get_endpoint_group(group.id).name == "sdk"
    admin_conn.identity.associate_project_with_endpoint_group(
        project=catalog["project"]["id"], endpoint_group=group.id)
    projects = list(admin_conn.identity.endpoint_group_projects(group.id))
    assert [p.id for p in projects] == [catalog["project"]["id"]]
    admin_conn.identity.delete_endpoint_group(group.id)
