"""No POST route answers junk with a server error, whoever sends it."""

import pytest

from campaigns.models import Role

JUNK = [
    {},
    {"email": "", "password": "", "display_name": ""},
    {"email": "x" * 5000, "password": "y" * 5000, "next": "z" * 5000},
    {"email": "@@@", "remember": "maybe", "lang-language": "klingon"},
    {"email": "é@例え.テスト", "display_name": "💥" * 100, "profile-locale": "fr-XX"},
    {"u1-role": "root", "delete-password": "\u202e", "change-password": "\ud7ff" * 3},
]


def post_routes(app):
    """Every POST endpoint, with placeholder arguments filled in."""
    paths = []
    for rule in app.url_map.iter_rules():
        if "POST" in rule.methods:
            path = rule.rule.replace("<int:user_id>", "1").replace("<token>", "not-a-token")
            paths.append(path)
    # Log out last, so signed-in sweeps stay signed in for every other route.
    return sorted(paths, key=lambda path: path == "/logout")


@pytest.mark.parametrize("role", [None, Role.MEMBER, Role.ADMIN])
def test_junk_never_gets_a_500(app, client, login_as, role):
    """Field errors, 400s, 403s, 404s and redirects are all fine; 5xx is not."""
    if role is not None:
        login_as(role, email="sweeper@example.org")
    routes = post_routes(app)
    assert "/register" in routes and "/account/delete" in routes
    for path in routes:
        for data in JUNK:
            response = client.post(path, data=data)
            assert response.status_code < 500, (path, data, response.status_code)
