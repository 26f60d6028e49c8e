"""Stable, unique, URL-safe slugs for campaigns."""

import re
import secrets
import unicodedata

from sqlalchemy import select

from campaigns.extensions import db
from campaigns.models import Campaign

MAX_LENGTH = 80
# Paths under /campaigns/ that a slug must never shadow.
RESERVED = frozenset({"new", "mine", "search", "category", "categories", "feed", "edit"})


def slugify(text: str, max_length: int = MAX_LENGTH) -> str:
    """Lower-case ASCII words joined by hyphens; empty when nothing Latin is left."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    words = re.findall(r"[a-z0-9]+", ascii_text.lower())
    slug = ""
    for word in words:
        candidate = f"{slug}-{word}" if slug else word
        if len(candidate) > max_length:
            break
        slug = candidate
    return slug or (words[0][:max_length] if words else "")


def unique_slug(title: str) -> str:
    """A slug for a new campaign that no other campaign has."""
    base = slugify(title) or "campaign"
    if base in RESERVED:
        base = f"{base}-campaign"
    taken = set(
        db.session.scalars(
            select(Campaign.slug).where(
                (Campaign.slug == base) | Campaign.slug.like(f"{base}-%", escape="\\")
            )
        )
    )
    if base not in taken:
        return base
    for n in range(2, 100):
        if f"{base}-{n}" not in taken:
            return f"{base}-{n}"
    return f"{base}-{secrets.token_hex(3)}"
