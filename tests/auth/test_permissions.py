"""Who may use which route: a table of role by action."""

import pytest
from sqlalchemy import select

from campaigns.extensions import db
from campaigns.models import AuditEvent, Role, User

ANON = None
ROUTES = [
    ("GET", "/account/"),
    ("GET", "/admin/audit"),
    ("GET", "/admin/users"),
    ("POST", "/admin/users/{other}/role"),
]
# Expected status per (role, route index): 200/302 allowed, 302 to login for anonymous, 403 refused.
TABLE = {
    ANON: [302, 302, 302, 302],
    Role.MEMBER: [200, 403, 403, 403],
    Role.MODERATOR: [200, 403, 403, 403],
    Role.ADMIN: [200, 200, 200, 302],
}


@pytest.mark.parametrize("role", list(TABLE))
@pytest.mark.parametrize("index", range(len(ROUTES)))
def test_role_table(client, login_as, make_user, role, index):
    """Each role gets exactly the access the table gives it."""
    other = make_user("other@example.org")
    if role is not ANON:
        login_as(role)
    method, path = ROUTES[index]
    data = {f"u{other.id}-role": "moderator"}
    response = client.open(path.format(other=other.id), method=method, data=data)
    assert response.status_code == TABLE[role][index]
    if role is ANON:
        assert response.headers["Location"].startswith("/login?next=")


def test_admin_changes_role_with_audit(app, client, login_as, make_user):
    """An admin's role change is saved and audited."""
    admin = login_as(Role.ADMIN)
    other = make_user("other@example.org")
    client.post(f"/admin/users/{other.id}/role", data={f"u{other.id}-role": "moderator"})
    with app.app_context():
        assert db.session.get(User, other.id).role == Role.MODERATOR
        event = db.session.scalar(select(AuditEvent))
        assert (event.actor_id, event.action, event.details) == (
            admin.id,
            "user.role_changed",
            {"old": "member", "new": "moderator"},
        )


def test_admin_cannot_change_own_role(app, client, login_as):
    """Admins cannot lock themselves out."""
    admin = login_as(Role.ADMIN)
    client.post(f"/admin/users/{admin.id}/role", data={f"u{admin.id}-role": "member"})
    with app.app_context():
        assert db.session.get(User, admin.id).role == Role.ADMIN


def test_invalid_role_is_400(client, login_as, make_user):
    """An unknown role value is a bad request, not a crash."""
    login_as(Role.ADMIN)
    other = make_user("other@example.org")
    bad = client.post(f"/admin/users/{other.id}/role", data={f"u{other.id}-role": "emperor"})
    assert bad.status_code == 400
    assert client.post("/admin/users/99999/role", data={"role": "member"}).status_code == 404
