"""The category list admins manage, and the campaigns they feature on the home page."""

from flask_babel import gettext as _
from sqlalchemy import func, select

from campaigns.core.services import record_audit
from campaigns.extensions import db
from campaigns.models import Campaign, Category, User, utcnow
from campaigns.petitions.slugs import slugify

NAME_MAX = 60


class CatalogError(ValueError):
    """A catalog change that cannot be made; the message says why."""


def categories_with_usage() -> list[tuple[Category, int]]:
    """Every category, archived ones included, with how many campaigns use it."""
    usage = (
        select(Campaign.category_id, func.count(Campaign.id).label("n"))
        .group_by(Campaign.category_id)
        .subquery()
    )
    rows = db.session.execute(
        select(Category, func.coalesce(usage.c.n, 0))
        .outerjoin(usage, usage.c.category_id == Category.id)
        .order_by(Category.position, Category.name)
    )
    return [(category, count) for category, count in rows]


def _clean_name(name: str, *, exclude_id: int | None = None) -> str:
    """A trimmed name no other category has (compared without case)."""
    name = " ".join((name or "").split())
    if not name:
        raise CatalogError(_("Enter a name."))
    if len(name) > NAME_MAX:
        raise CatalogError(_("Use at most %(n)d characters.", n=NAME_MAX))
    query = select(Category.id).where(func.lower(Category.name) == name.lower())
    if exclude_id is not None:
        query = query.where(Category.id != exclude_id)
    if db.session.scalar(query) is not None:
        raise CatalogError(_("There is already a category called %(name)s.", name=name))
    return name


def _unique_slug(name: str) -> str:
    """A slug for a new category that no other category has."""
    base = slugify(name, max_length=50) or "category"
    taken = set(
        db.session.scalars(
            select(Category.slug).where(
                (Category.slug == base) | Category.slug.like(f"{base}-%", escape="\\")
            )
        )
    )
    n, slug = 2, base
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    return slug


def create_category(actor: User | None, *, name: str) -> Category:
    """Add a category at the end of the list; its slug is derived once and never changes."""
    name = _clean_name(name)
    last = db.session.scalar(select(func.max(Category.position)))
    category = Category(name=name, slug=_unique_slug(name), position=(last or 0) + 1)
    db.session.add(category)
    db.session.flush()
    record_audit(actor, "category.created", category, name=name, slug=category.slug)
    return category


def rename_category(actor: User, category: Category, *, name: str) -> None:
    """Change the name shown; the slug stays, so links to the category keep working."""
    old = category.name
    category.name = _clean_name(name, exclude_id=category.id)
    record_audit(actor, "category.renamed", category, old=old, new=category.name)
    db.session.flush()


def move_category(actor: User, category: Category, *, offset: int) -> None:
    """Move a category up (offset -1) or down (+1) the list, renumbering positions."""
    ordered = list(db.session.scalars(select(Category).order_by(Category.position, Category.name)))
    index = ordered.index(category)
    target = min(max(index + offset, 0), len(ordered) - 1)
    ordered.insert(target, ordered.pop(index))
    for position, item in enumerate(ordered, start=1):
        item.position = position
    record_audit(actor, "category.moved", category, position=target + 1)
    db.session.flush()


def archive_category(actor: User, category: Category) -> None:
    """Stop new campaigns using the category; existing ones keep it."""
    if category.archived_at is None:
        category.archived_at = utcnow()
        record_audit(actor, "category.archived", category)
    db.session.flush()


def unarchive_category(actor: User, category: Category) -> None:
    """Offer the category to new campaigns again."""
    if category.archived_at is not None:
        category.archived_at = None
        record_audit(actor, "category.unarchived", category)
    db.session.flush()


def delete_category(actor: User, category: Category) -> None:
    """Delete a category no campaign uses (a mistake); used ones can only be archived."""
    used = db.session.scalar(
        select(func.count(Campaign.id)).where(Campaign.category_id == category.id)
    )
    if used:
        raise CatalogError(_("Campaigns use this category: archive it instead."))
    record_audit(actor, "category.deleted", category, name=category.name, slug=category.slug)
    db.session.delete(category)
    db.session.flush()


def toggle_featured(actor: User, campaign: Campaign) -> bool:
    """Feature a published, visible campaign on the home page, or stop; returns the new state."""
    if campaign.featured_at is None:
        if not campaign.is_published or campaign.is_hidden:
            raise CatalogError(_("Only published, visible campaigns can be featured."))
        campaign.featured_at = utcnow()
        record_audit(actor, "campaign.featured", campaign)
    else:
        campaign.featured_at = None
        record_audit(actor, "campaign.unfeatured", campaign)
    db.session.flush()
    return campaign.featured_at is not None
