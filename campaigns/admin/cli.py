"""`flask categories ...`: seed and list the category list from the command line."""

import click
from flask.cli import with_appcontext

from campaigns.admin import catalog
from campaigns.extensions import db


@click.group("categories")
def categories_cli():
    """Manage the categories campaigns are filed under."""


@categories_cli.command("add")
@click.argument("names", nargs=-1, required=True)
@with_appcontext
def add(names: tuple[str, ...]):
    """Add one or more categories at the end of the list (recorded in the audit log)."""
    try:
        created = [catalog.create_category(None, name=name) for name in names]
    except catalog.CatalogError as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from exc
    db.session.commit()
    for category in created:
        click.echo(f"Added {category.name} ({category.slug}).")


@categories_cli.command("list")
@with_appcontext
def list_():
    """Print every category in order, with its slug, campaign count and state."""
    rows = catalog.categories_with_usage()
    if not rows:
        click.echo("No categories yet. Add some with: flask categories add NAME")
    for category, count in rows:
        state = "archived" if category.archived_at else "active"
        line = f"{category.position:>3}  {category.slug:<30} {category.name}"
        click.echo(f"{line}  [{state}, {count} campaigns]")
