"""Shared helpers for the paper-signature import tests."""

import io

from sqlalchemy import select

from campaigns.extensions import db as _db
from campaigns.models import Campaign, Signature, SignatureImport


def csv_bytes(*lines: str, encoding: str = "utf-8") -> bytes:
    """A CSV file from its lines."""
    return ("\n".join(lines) + "\n").encode(encoding)


def upload(client, slug: str, content: bytes, filename: str = "paper.csv", **fields):
    """POST a file to the upload form."""
    data = {"file": (io.BytesIO(content), filename), "date_order": "day", **fields}
    return client.post(f"/campaigns/{slug}/imports", data=data, content_type="multipart/form-data")


def campaign_row(app, slug: str) -> Campaign:
    """The campaign, detached."""
    with app.app_context():
        campaign = _db.session.scalar(select(Campaign).where(Campaign.slug == slug))
        _db.session.expunge_all()
        return campaign


def imports_of(app, slug: str) -> list[SignatureImport]:
    """The campaign's imports, oldest first, detached (reports loaded)."""
    with app.app_context():
        campaign = _db.session.scalar(select(Campaign).where(Campaign.slug == slug))
        rows = _db.session.scalars(
            select(SignatureImport)
            .where(SignatureImport.campaign_id == campaign.id)
            .order_by(SignatureImport.id)
        ).all()
        for row in rows:
            _ = row.report
        _db.session.expunge_all()
        return list(rows)


def signatures_of(app, slug: str) -> list[Signature]:
    """The campaign's signatures, in id order, detached."""
    with app.app_context():
        campaign = _db.session.scalar(select(Campaign).where(Campaign.slug == slug))
        rows = _db.session.scalars(
            select(Signature).where(Signature.campaign_id == campaign.id).order_by(Signature.id)
        ).all()
        _db.session.expunge_all()
        return list(rows)
