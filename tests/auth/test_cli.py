"""`flask users create` and `flask users set-role`."""

from sqlalchemy import select

from campaigns.extensions import db
from campaigns.models import AuditEvent, Role, User
from tests.conftest import PASSWORD, login


def test_create_admin_with_prompt(app, runner):
    """The password is asked twice; the account is verified and can log in."""
    result = runner.invoke(
        args=["users", "create", "Boss@Example.org", "--role", "admin"],
        input=f"{PASSWORD}\n{PASSWORD}\n",
    )
    assert result.exit_code == 0, result.output
    assert "Created boss@example.org (admin)" in result.output
    with app.app_context():
        user = db.session.scalar(select(User))
        assert (user.email, user.role, user.email_verified) == (
            "boss@example.org",
            Role.ADMIN,
            True,
        )
        assert db.session.scalar(select(AuditEvent.action)) == "user.created"
    assert login(app.test_client(), "boss@example.org").status_code == 302


def test_create_with_password_stdin(app, runner):
    """Scripts pipe the password in."""
    result = runner.invoke(
        args=["users", "create", "ops@example.org", "--password-stdin", "--name", "Ops"],
        input=f"{PASSWORD}\n",
    )
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert db.session.scalar(select(User.display_name)) == "Ops"


def test_create_refuses_bad_input(app, runner, make_user):
    """Bad email, weak password, duplicates and unknown roles are clear errors."""
    make_user("taken@example.org")
    cases = [
        (["users", "create", "not-an-email", "--password-stdin"], f"{PASSWORD}\n", "EMAIL"),
        (
            ["users", "create", "a@example.org", "--password-stdin"],
            "password1\n",
            "Password rejected",
        ),
        (["users", "create", "taken@example.org", "--password-stdin"], f"{PASSWORD}\n", "exists"),
        (["users", "create", "b@example.org", "--role", "king"], "", "Invalid value"),
    ]
    for args, stdin, message in cases:
        result = runner.invoke(args=args, input=stdin)
        assert result.exit_code != 0 and message in result.output, (args, result.output)
    with app.app_context():
        assert db.session.scalar(select(db.func.count(User.id))) == 1


def test_set_role(app, runner, make_user):
    """Roles change, with an audit event; unknown accounts are an error."""
    user = make_user("mod@example.org")
    result = runner.invoke(args=["users", "set-role", "mod@example.org", "moderator"])
    assert result.exit_code == 0 and "is now moderator" in result.output
    with app.app_context():
        assert db.session.get(User, user.id).role == Role.MODERATOR
        event = db.session.scalar(select(AuditEvent))
        assert (event.action, event.details["new"]) == ("user.role_changed", "moderator")
    missing = runner.invoke(args=["users", "set-role", "ghost@example.org", "admin"])
    assert missing.exit_code != 0 and "No account" in missing.output
