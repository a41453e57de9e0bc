"""Identity resources through the official clients: domains, projects, users, groups, roles,
grants, implied roles and role assignments (effective, include_names), and tenant isolation.

Facts from the Keystone API reference (identity/v3) and Tempest's identity tests."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from openstack import exceptions as sdk_exc

pytestmark = pytest.mark.postgres


# -- helpers --------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def http(cloud: Any) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=cloud.url, timeout=60) as client:
        yield client


@pytest.fixture(scope="module")
def admin_h(admin_conn: Any) -> dict[str, str]:
    return {"X-Auth-Token": str(admin_conn.auth_token)}


@pytest.fixture(scope="module")
def demo_h(demo_conn: Any) -> dict[str, str]:
    return {"X-Auth-Token": str(demo_conn.auth_token)}


def assert_error(resp: httpx.Response, code: int) -> dict[str, Any]:
    assert resp.status_code == code, resp.text
    body = resp.json()
    assert set(body) == {"error"}, body
    err = body["error"]
    assert err["code"] == code, body
    assert isinstance(err["title"], str) and err["title"], body
    assert isinstance(err["message"], str) and err["message"], body
    return err  # type: ignore[no-any-return]


def sdk_status(fn: Any, *args: Any, **kwargs: Any) -> int:
    """Call an openstacksdk method that must fail; return the HTTP status it failed with."""
    with pytest.raises(sdk_exc.HttpException) as info:
        result = fn(*args, **kwargs)
        if hasattr(result, "__next__"):
            list(result)
    return int(info.value.status_code)


def role_id(conn: Any, name: str) -> str:
    return str(conn.identity.find_role(name, ignore_missing=False).id)


def openstack_cli(cloud: Any, *args: str) -> Any:
    """The `openstack` command line client, as a user would run it; JSON output parsed."""
    exe = Path(sys.executable).with_name("openstack")
    # --opt=value: a generated password may start with '-'.
    cmd = [str(exe), f"--os-auth-url={cloud.identity_url}", "--os-username=admin",
           f"--os-password={cloud.admin_password}", "--os-project-name=admin",
           "--os-user-domain-id=default", "--os-project-domain-id=default",
           "--os-identity-api-version=3", "--os-region-name=RegionOne", *args]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=120,
                         env={"PATH": str(exe.parent) + ":/usr/bin:/bin", "HOME": "/nonexistent"})
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout) if out.stdout.strip() else None


# -- domains --------------------------------------------------------------------------------
def test_domain_lifecycle(admin_conn: Any, unique: str) -> None:
    ident = admin_conn.identity
    domain = ident.create_domain(name=unique, description="first")
    assert domain.name == unique and domain.description == "first" and domain.is_enabled
    got = ident.get_domain(domain.id)
    assert (got.id, got.name, got.description) == (domain.id, unique, "first")
    assert [d.id for d in ident.domains(name=unique)] == [domain.id]
    assert sdk_status(ident.create_domain, name=unique) == 409
    # An enabled domain cannot be deleted (Keystone: 403, disable it first).
    assert sdk_status(ident.delete_domain, domain.id) == 403
    assert ident.get_domain(domain.id).id == domain.id
    updated = ident.update_domain(domain.id, description="second", enabled=False)
    assert updated.description == "second" and updated.is_enabled is False
    assert ident.get_domain(domain.id).is_enabled is False
    ident.delete_domain(domain.id)
    assert sdk_status(ident.get_domain, domain.id) == 404
    assert list(ident.domains(name=unique)) == []


def test_deleting_a_domain_deletes_what_it_owns(admin_conn: Any, unique: str) -> None:
    ident = admin_conn.identity
    domain = ident.create_domain(name=unique)
    project = ident.create_project(name=unique, domain_id=domain.id)
    user = ident.create_user(name=unique, domain_id=domain.id, password="pw-" + unique)
    group = ident.create_group(name=unique, domain_id=domain.id)
    ident.update_domain(domain.id, enabled=False)
    ident.delete_domain(domain.id)
    assert sdk_status(ident.get_project, project.id) == 404
    assert sdk_status(ident.get_user, user.id) == 404
    assert sdk_status(ident.get_group, group.id) == 404


def test_users_of_a_disabled_domain_cannot_authenticate(cloud: Any, admin_conn: Any,
                                                        http: httpx.Client,
                                                        unique: str) -> None:
    ident = admin_conn.identity
    domain = ident.create_domain(name=unique)
    user = ident.create_user(name=unique, domain_id=domain.id, password="pw-" + unique)
    body = {"auth": {"identity": {"methods": ["password"], "password": {
        "user": {"id": user.id, "password": "pw-" + unique}}}}}
    assert http.post("/v3/auth/tokens", json=body).status_code == 201
    ident.update_domain(domain.id, enabled=False)
    assert_error(http.post("/v3/auth/tokens", json=body), 401)
    ident.delete_domain(domain.id)


# -- projects -------------------------------------------------------------------------------
def test_project_lifecycle_and_fields(admin_conn: Any, http: httpx.Client,
                                      admin_h: dict[str, str], unique: str) -> None:
    ident = admin_conn.identity
    project = ident.create_project(name=unique, domain_id="default", description="d1",
                                   tags=["blue", "green"])
    assert project.name == unique and project.domain_id == "default"
    assert project.description == "d1" and project.is_enabled and not project.is_domain
    raw = http.get(f"/v3/projects/{project.id}", headers=admin_h).json()["project"]
    assert raw["parent_id"] == "default"  # a top-level project's parent is its domain
    assert sorted(raw["tags"]) == ["blue", "green"]
    assert raw["links"]["self"].endswith(f"/v3/projects/{project.id}")
    assert [p.id for p in ident.projects(name=unique)] == [project.id]
    assert sdk_status(ident.create_project, name=unique, domain_id="default") == 409
    updated = ident.update_project(project.id, description="d2", enabled=False)
    assert updated.description == "d2" and updated.is_enabled is False
    assert ident.get_project(project.id).is_enabled is False
    ident.delete_project(project.id)
    assert sdk_status(ident.get_project, project.id) == 404


def test_same_project_name_in_two_domains(admin_conn: Any, unique: str) -> None:
    ident = admin_conn.identity
    domain = ident.create_domain(name=unique)
    try:
        a = ident.create_project(name=unique, domain_id="default")
        b = ident.create_project(name=unique, domain_id=domain.id)
        assert a.id != b.id
        assert {p.id for p in ident.projects(name=unique)} == {a.id, b.id}
        assert [p.id for p in ident.projects(name=unique, domain_id=domain.id)] == [b.id]
        ident.delete_project(a.id)
        ident.delete_project(b.id)
    finally:
        ident.update_domain(domain.id, enabled=False)
        ident.delete_domain(domain.id)


def test_project_hierarchy(admin_conn: Any, http: httpx.Client, admin_h: dict[str, str],
                           unique: str) -> None:
    ident = admin_conn.identity
    parent = ident.create_project(name=unique, domain_id="default")
    child = ident.create_project(name=unique + "-c", domain_id="default", parent_id=parent.id)
    grandchild = ident.create_project(name=unique + "-g", domain_id="default",
                                      parent_id=child.id)
    assert child.parent_id == parent.id
    assert [p.id for p in ident.projects(parent_id=parent.id)] == [child.id]
    resp = http.get(f"/v3/projects/{parent.id}", params={"subtree_as_ids": ""},
                    headers=admin_h)
    assert resp.json()["project"]["subtree"] == {child.id: {grandchild.id: None}}
    resp = http.get(f"/v3/projects/{grandchild.id}", params={"parents_as_ids": ""},
                    headers=admin_h)
    assert resp.json()["project"]["parents"] == {child.id: {parent.id: None}}
    # A project with children cannot be deleted (Keystone: 403).
    assert sdk_status(ident.delete_project, parent.id) == 403
    assert ident.get_project(parent.id).id == parent.id
    ident.delete_project(grandchild.id)
    ident.delete_project(child.id)
    ident.delete_project(parent.id)


def test_project_tags(http: httpx.Client, admin_h: dict[str, str], unique: str) -> None:
    resp = http.post("/v3/projects", headers=admin_h,
                     json={"project": {"name": unique, "tags": ["a"]}})
    assert resp.status_code == 201, resp.text
    pid = resp.json()["project"]["id"]
    assert http.put(f"/v3/projects/{pid}/tags/{unique}", headers=admin_h).status_code == 201
    assert http.head(f"/v3/projects/{pid}/tags/{unique}", headers=admin_h).status_code == 204
    assert http.head(f"/v3/projects/{pid}/tags/absent", headers=admin_h).status_code == 404
    assert sorted(http.get(f"/v3/projects/{pid}/tags", headers=admin_h).json()["tags"]) \
        == sorted(["a", unique])
    found = http.get("/v3/projects", params={"tags": unique}, headers=admin_h).json()
    assert [p["id"] for p in found["projects"]] == [pid]
    resp = http.put(f"/v3/projects/{pid}/tags", headers=admin_h, json={"tags": ["x", "y"]})
    assert resp.status_code == 200 and sorted(resp.json()["tags"]) == ["x", "y"]
    assert http.delete(f"/v3/projects/{pid}/tags/x", headers=admin_h).status_code == 204
    assert http.get(f"/v3/projects/{pid}/tags", headers=admin_h).json()["tags"] == ["y"]
    assert http.delete(f"/v3/projects/{pid}", headers=admin_h).status_code == 204


# -- users and groups -----------------------------------------------------------------------
def test_user_lifecycle(cloud: Any, admin_conn: Any, http: httpx.Client,
                        admin_h: dict[str, str], unique: str) -> None:
    ident = admin_conn.identity
    project = ident.create_project(name=unique, domain_id="default")
    user = ident.create_user(name=unique, domain_id="default", password="pw-" + unique,
                             email=f"{unique}@example.org", default_project_id=project.id,
                             description="someone")
    raw = http.get(f"/v3/users/{user.id}", headers=admin_h).json()["user"]
    assert raw["name"] == unique and raw["domain_id"] == "default" and raw["enabled"] is True
    assert raw["email"] == f"{unique}@example.org"
    assert raw["default_project_id"] == project.id
    assert "password" not in raw and "password_hash" not in raw
    assert "password_expires_at" in raw
    assert [u.id for u in ident.users(name=unique)] == [user.id]
    assert sdk_status(ident.create_user, name=unique, domain_id="default") == 409
    ident.update_user(user.id, email="new@example.org", enabled=False)
    raw = http.get(f"/v3/users/{user.id}", headers=admin_h).json()["user"]
    assert raw["email"] == "new@example.org" and raw["enabled"] is False
    assert [u.id for u in ident.users(name=unique, enabled=False)] == [user.id]
    ident.delete_user(user.id)
    assert sdk_status(ident.get_user, user.id) == 404
    ident.delete_project(project.id)


def test_group_membership_and_group_roles(cloud: Any, admin_conn: Any, http: httpx.Client,
                                          admin_h: dict[str, str], unique: str) -> None:
    ident = admin_conn.identity
    project = ident.create_project(name=unique, domain_id="default")
    user = ident.create_user(name=unique, domain_id="default", password="pw-" + unique)
    group = ident.create_group(name=unique, domain_id="default", description="g")
    assert group.description == "g"
    assert sdk_status(ident.create_group, name=unique, domain_id="default") == 409
    ident.add_user_to_group(user, group)
    assert ident.check_user_in_group(user, group) is True
    assert [u.id for u in ident.group_users(group)] == [user.id]
    assert [g.id for g in ident.user_groups(user)] == [group.id]
    member = role_id(admin_conn, "member")
    ident.assign_project_role_to_group(project, group, member)
    assert ident.validate_group_has_project_role(project, group, member) is True
    # The group's role lets its member scope a token to the project.
    body = {"auth": {"identity": {"methods": ["password"], "password": {
        "user": {"id": user.id, "password": "pw-" + unique}}},
        "scope": {"project": {"id": project.id}}}}
    resp = http.post("/v3/auth/tokens", json=body)
    assert resp.status_code == 201, resp.text
    assert {r["name"] for r in resp.json()["token"]["roles"]} == {"member", "reader"}
    ident.remove_user_from_group(user, group)
    assert ident.check_user_in_group(user, group) is False
    check = http.head(f"/v3/groups/{group.id}/users/{user.id}", headers=admin_h)
    assert check.status_code == 404
    assert_error(http.post("/v3/auth/tokens", json=body), 401)
    ident.delete_group(group.id)
    assert sdk_status(ident.get_group, group.id) == 404
    ident.delete_user(user.id)
    ident.delete_project(project.id)


# -- roles, grants, implied roles, role assignments -----------------------------------------
def test_role_lifecycle(admin_conn: Any, unique: str) -> None:
    ident = admin_conn.identity
    role = ident.create_role(name=unique, description="r")
    assert role.name == unique and role.description == "r"
    assert [r.id for r in ident.roles(name=unique)] == [role.id]
    assert sdk_status(ident.create_role, name=unique) == 409
    renamed = ident.update_role(role.id, name=unique + "-x")
    assert renamed.name == unique + "-x"
    assert ident.get_role(role.id).name == unique + "-x"
    ident.delete_role(role.id)
    assert sdk_status(ident.get_role, role.id) == 404


def test_grants_on_project_domain_and_system(admin_conn: Any, http: httpx.Client,
                                             admin_h: dict[str, str], unique: str) -> None:
    ident = admin_conn.identity
    project = ident.create_project(name=unique, domain_id="default")
    user = ident.create_user(name=unique, domain_id="default")
    role = ident.create_role(name=unique)
    assert ident.validate_user_has_project_role(project, user, role) is False
    ident.assign_project_role_to_user(project, user, role)
    ident.assign_project_role_to_user(project, user, role)  # idempotent
    assert ident.validate_user_has_project_role(project, user, role) is True
    listed = http.get(f"/v3/projects/{project.id}/users/{user.id}/roles", headers=admin_h)
    assert [r["id"] for r in listed.json()["roles"]] == [role.id]
    ident.assign_domain_role_to_user("default", user, role)
    assert ident.validate_user_has_domain_role("default", user, role) is True
    ident.assign_system_role_to_user(user, role, "all")
    assert ident.validate_user_has_system_role(user, role, "all") is True
    ident.unassign_project_role_from_user(project, user, role)
    assert ident.validate_user_has_project_role(project, user, role) is False
    resp = http.delete(f"/v3/projects/{project.id}/users/{user.id}/roles/{role.id}",
                       headers=admin_h)
    assert_error(resp, 404)  # no such grant any more
    ident.unassign_domain_role_from_user("default", user, role)
    ident.unassign_system_role_from_user(user, role, "all")
    assert ident.validate_user_has_system_role(user, role, "all") is False
    for bad in (f"/v3/projects/{project.id}/users/{user.id}/roles/{'0' * 32}",
                f"/v3/projects/{project.id}/users/{'0' * 32}/roles/{role.id}",
                f"/v3/projects/{'0' * 32}/users/{user.id}/roles/{role.id}"):
        assert_error(http.put(bad, headers=admin_h), 404)
    ident.delete_role(role.id)
    ident.delete_user(user.id)
    ident.delete_project(project.id)


def test_deleting_a_role_removes_its_grants(admin_conn: Any, http: httpx.Client,
                                            admin_h: dict[str, str], unique: str) -> None:
    ident = admin_conn.identity
    project = ident.create_project(name=unique, domain_id="default")
    user = ident.create_user(name=unique, domain_id="default")
    role = ident.create_role(name=unique)
    ident.assign_project_role_to_user(project, user, role)
    ident.delete_role(role.id)
    found = http.get("/v3/role_assignments", params={"user.id": user.id}, headers=admin_h)
    assert found.status_code == 200 and found.json()["role_assignments"] == []
    ident.delete_user(user.id)
    ident.delete_project(project.id)


def test_implied_roles_with_the_cli(cloud: Any, admin_conn: Any, http: httpx.Client,
                                    admin_h: dict[str, str], unique: str) -> None:
    ident = admin_conn.identity
    prior = ident.create_role(name=unique + "-prior")
    implied = ident.create_role(name=unique + "-implied")
    created = openstack_cli(cloud, "implied", "role", "create", "--implied-role",
                            implied.name, prior.name, "-f", "json")
    assert created == {"prior_role": prior.id, "implies": implied.id}
    rules = openstack_cli(cloud, "implied", "role", "list", "-f", "json")
    assert any(r["Prior Role ID"] == prior.id and r["Implied Role ID"] == implied.id
               for r in rules)
    resp = http.get(f"/v3/roles/{prior.id}/implies/{implied.id}", headers=admin_h)
    assert resp.status_code == 200, resp.text
    assert resp.json()["role_inference"]["implies"]["id"] == implied.id
    assert http.head(f"/v3/roles/{prior.id}/implies/{implied.id}",
                     headers=admin_h).status_code == 204
    listed = http.get(f"/v3/roles/{prior.id}/implies", headers=admin_h).json()
    assert [r["id"] for r in listed["role_inference"]["implies"]] == [implied.id]
    # A user granted the prior role effectively holds the implied one too.
    project = ident.create_project(name=unique, domain_id="default")
    user = ident.create_user(name=unique, domain_id="default")
    ident.assign_project_role_to_user(project, user, prior)
    effective = http.get("/v3/role_assignments", headers=admin_h,
                         params={"user.id": user.id, "effective": ""}).json()
    got = {a["role"]["id"]: a for a in effective["role_assignments"]}
    assert set(got) == {prior.id, implied.id}
    assert got[implied.id]["links"]["prior_role"].endswith(f"/v3/roles/{prior.id}")
    direct = http.get("/v3/role_assignments", headers=admin_h,
                      params={"user.id": user.id}).json()
    assert [a["role"]["id"] for a in direct["role_assignments"]] == [prior.id]
    openstack_cli(cloud, "implied", "role", "delete", "--implied-role", implied.name,
                  prior.name)
    assert http.head(f"/v3/roles/{prior.id}/implies/{implied.id}",
                     headers=admin_h).status_code == 404
    effective = http.get("/v3/role_assignments", headers=admin_h,
                         params={"user.id": user.id, "effective": ""}).json()
    assert [a["role"]["id"] for a in effective["role_assignments"]] == [prior.id]
    ident.delete_user(user.id)
    ident.delete_project(project.id)
    ident.delete_role(prior.id)
    ident.delete_role(implied.id)


def test_role_assignments_effective_and_include_names(admin_conn: Any, http: httpx.Client,
                                                      admin_h: dict[str, str],
                                                      unique: str) -> None:
    ident = admin_conn.identity
    project = ident.create_project(name=unique, domain_id="default")
    user = ident.create_user(name=unique, domain_id="default")
    group = ident.create_group(name=unique, domain_id="default")
    role = ident.create_role(name=unique)
    ident.add_user_to_group(user, group)
    ident.assign_project_role_to_group(project, group, role)

    direct = list(ident.role_assignments(user_id=user.id))
    assert direct == []
    by_group = list(ident.role_assignments(group_id=group.id))
    assert len(by_group) == 1
    assert by_group[0].group == {"id": group.id}
    assert by_group[0].scope == {"project": {"id": project.id}}

    resp = http.get("/v3/role_assignments", headers=admin_h,
                    params={"user.id": user.id, "effective": "", "include_names": ""})
    assert resp.status_code == 200, resp.text
    (a,) = resp.json()["role_assignments"]
    assert a["user"] == {"id": user.id, "name": unique,
                         "domain": {"id": "default", "name": "Default"}}
    assert a["role"]["id"] == role.id and a["role"]["name"] == unique
    assert a["scope"] == {"project": {"id": project.id, "name": unique,
                                      "domain": {"id": "default", "name": "Default"}}}
    assert a["links"]["membership"].endswith(f"/v3/groups/{group.id}/users/{user.id}")
    assert a["links"]["assignment"].endswith(
        f"/v3/projects/{project.id}/groups/{group.id}/roles/{role.id}")
    # Without include_names the references carry ids only.
    plain = http.get("/v3/role_assignments", headers=admin_h,
                     params={"user.id": user.id, "effective": ""}).json()
    assert plain["role_assignments"][0]["user"] == {"id": user.id}
    # scope.project.id filter
    scoped = list(ident.role_assignments(scope_project_id=project.id))
    assert [(x.group or {}).get("id") for x in scoped] == [group.id]
    # effective together with group.id is a bad request.
    resp = http.get("/v3/role_assignments", headers=admin_h,
                    params={"group.id": group.id, "effective": ""})
    assert_error(resp, 400)
    ident.delete_group(group.id)
    ident.delete_user(user.id)
    ident.delete_role(role.id)
    ident.delete_project(project.id)


# -- tenant isolation -----------------------------------------------------------------------
def test_demo_cannot_list_users_projects_domains_or_roles(demo_conn: Any, http: httpx.Client,
                                                          demo_h: dict[str, str]) -> None:
    ident = demo_conn.identity
    assert sdk_status(ident.users) == 403
    assert sdk_status(ident.projects) == 403
    for path in ("/v3/users", "/v3/projects", "/v3/domains", "/v3/groups",
                 "/v3/role_assignments"):
        err = assert_error(http.get(path, headers=demo_h), 403)
        assert err["title"] == "Forbidden"


def test_demo_sees_only_its_own_project_and_user(admin_conn: Any, demo_conn: Any,
                                                 http: httpx.Client,
                                                 demo_h: dict[str, str]) -> None:
    admin_project = admin_conn.identity.find_project("admin", ignore_missing=False)
    demo_access = demo_conn.session.auth.get_access(demo_conn.session)
    demo_project, demo_user = demo_access.project_id, demo_access.user_id
    assert_error(http.get(f"/v3/projects/{admin_project.id}", headers=demo_h), 403)
    own = http.get(f"/v3/projects/{demo_project}", headers=demo_h)
    assert own.status_code == 200 and own.json()["project"]["name"] == "demo"
    admin_user = admin_conn.identity.find_user("admin", ignore_missing=False)
    assert_error(http.get(f"/v3/users/{admin_user.id}", headers=demo_h), 403)
    me = http.get(f"/v3/users/{demo_user}", headers=demo_h)
    assert me.status_code == 200 and me.json()["user"]["name"] == "demo"
    mine = http.get(f"/v3/users/{demo_user}/projects", headers=demo_h).json()["projects"]
    assert [p["name"] for p in mine] == ["demo"]
    reachable = http.get("/v3/auth/projects", headers=demo_h).json()["projects"]
    assert [p["name"] for p in reachable] == ["demo"]
    assert_error(http.get(f"/v3/users/{admin_user.id}/projects", headers=demo_h), 403)
    own_assignments = http.get("/v3/role_assignments", headers=demo_h,
                               params={"user.id": demo_user})
    assert own_assignments.status_code == 200, own_assignments.text


def test_demo_cannot_change_anything(admin_conn: Any, http: httpx.Client,
                                     demo_h: dict[str, str], unique: str) -> None:
    admin_project = admin_conn.identity.find_project("admin", ignore_missing=False)
    admin_user = admin_conn.identity.find_user("admin", ignore_missing=False)
    member = role_id(admin_conn, "member")
    attempts = [
        ("POST", "/v3/projects", {"project": {"name": unique}}),
        ("POST", "/v3/users", {"user": {"name": unique}}),
        ("POST", "/v3/domains", {"domain": {"name": unique}}),
        ("POST", "/v3/groups", {"group": {"name": unique}}),
        ("POST", "/v3/roles", {"role": {"name": unique}}),
        ("PATCH", f"/v3/projects/{admin_project.id}", {"project": {"description": "x"}}),
        ("PATCH", f"/v3/users/{admin_user.id}", {"user": {"enabled": False}}),
        ("DELETE", f"/v3/projects/{admin_project.id}", None),
        ("DELETE", f"/v3/users/{admin_user.id}", None),
        ("PUT", f"/v3/projects/{admin_project.id}/users/{admin_user.id}/roles/{member}", None),
    ]
    for method, path, body in attempts:
        resp = http.request(method, path, headers=demo_h, json=body)
        assert_error(resp, 403)
    assert list(admin_conn.identity.projects(name=unique)) == []
    assert list(admin_conn.identity.users(name=unique)) == []
    assert list(admin_conn.identity.roles(name=unique)) == []
    assert admin_conn.identity.get_user(admin_user.id).is_enabled is True
    assert admin_conn.identity.get_project(admin_project.id).description != "x"
