"""`flask users ...`: create accounts and change roles from the command line."""

import sys

import click
from flask.cli import with_appcontext

from campaigns.auth import services
from campaigns.core.emails import normalize_email
from campaigns.extensions import db
from campaigns.models import Role

ROLE_CHOICE = click.Choice([r.value for r in Role])


def _email(value: str) -> str:
    """Normalise an email argument or stop with a clear message."""
    try:
        return normalize_email(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="EMAIL") from exc


@click.group("users")
def users_cli():
    """Manage accounts."""


@users_cli.command("create")
@click.argument("email")
@click.option("--role", type=ROLE_CHOICE, default="member", show_default=True)
@click.option("--name", "display_name", help="Display name (default: the part before @).")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@with_appcontext
def create(email: str, role: str, display_name: str | None, password_stdin: bool):
    """Create a verified account; prompts for the password unless --password-stdin."""
    address = _email(email)
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        user = services.create_user(
            email=address,
            display_name=display_name or address.split("@")[0],
            password=password,
            role=Role(role),
        )
    except services.PasswordRejected as exc:
        raise click.ClickException("Password rejected: " + " ".join(exc.problems)) from exc
    except ValueError as exc:
        raise click.ClickException(str(exc)) from exc
    db.session.commit()
    click.echo(f"Created {user.email} ({user.role.value}).")


@users_cli.command("set-role")
@click.argument("email")
@click.argument("role", type=ROLE_CHOICE)
@with_appcontext
def set_role(email: str, role: str):
    """Change the role of an existing account."""
    user = services.find_user(_email(email))
    if user is None:
        raise click.ClickException(f"No account with {email}.")
    services.set_role(None, user, Role(role))
    db.session.commit()
    click.echo(f"{user.email} is now {user.role.value}.")
