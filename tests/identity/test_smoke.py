"""The first thing a user does: get a token with the official client library."""

from __future__ import annotations


def test_admin_token_is_project_scoped(cloud, admin_conn):
    token = admin_conn.auth_token
    assert token
    access = admin_conn.session.auth.get_access(admin_conn.session)
    assert access.project_name == "admin"
    assert "admin" in access.role_names
    assert "member" in access.role_names and "reader" in access.role_names  # implied


def test_demo_user_is_member_of_demo(demo_conn):
    access = demo_conn.session.auth.get_access(demo_conn.session)
    assert access.project_name == "demo"
    assert "member" in access.role_names
    assert "admin" not in access.role_names
