"""Helpers for the update-email tests: signers, emailed updates, and the outbox read back."""

import sqlalchemy as sa

from campaigns.core.markdown import render_markdown
from campaigns.extensions import db as _db
from campaigns.jobs.tasks import TASKS
from campaigns.models import Campaign, OutboxEmail, Signature, SignatureState, Update, utcnow


def campaign_id_of(slug: str) -> int:
    """The id of a campaign (inside an app context)."""
    return _db.session.scalar(sa.select(Campaign.id).where(Campaign.slug == slug))


def add_signers(app, slug, count=1, *, prefix="signer", state=SignatureState.CONFIRMED,
                consent=True, suspect=False, locale="en") -> list[str]:  # fmt: skip
    """Insert `count` signatures in one statement; returns their email addresses."""
    emails = [f"{prefix}{n}@example.org" for n in range(count)]
    with app.app_context():
        campaign_id = campaign_id_of(slug)
        now = utcnow()
        rows = [
            {"campaign_id": campaign_id, "email": email, "canonical_email": email,
             "email_domain": "example.org", "name": email.split("@")[0].title(), "country": "GB",
             "state": state, "consent_updates": consent, "suspect": suspect, "locale": locale,
             "confirmed_at": now if state == SignatureState.CONFIRMED else None}
            for email in emails
        ]  # fmt: skip
        _db.session.execute(sa.insert(Signature), rows)
        _db.session.commit()
    return emails


def add_update(app, slug, *, title="We met the board", body="They **listened**.",
               emailed=True, deleted=False) -> int:  # fmt: skip
    """An update on the campaign, asked to be emailed (as the updates service does)."""
    with app.app_context():
        now = utcnow()
        update = Update(
            campaign_id=campaign_id_of(slug), title=title, body=body,
            body_html=render_markdown(body), published_at=now,
            emailed_at=now if emailed else None, deleted_at=now if deleted else None,
        )  # fmt: skip
        _db.session.add(update)
        _db.session.commit()
        return update.id


def fan_out(app) -> dict:
    """Run the fan-out job as a worker would."""
    with app.app_context():
        return TASKS["send_update_emails"]()


def update_emails(app, update_id=None) -> list[OutboxEmail]:
    """The signer_update outbox rows (of one update), oldest first, detached."""
    with app.app_context():
        query = sa.select(OutboxEmail).where(OutboxEmail.template == "signer_update")
        if update_id is not None:
            query = query.where(OutboxEmail.dedupe_key.like(f"update:{update_id}:%"))
        rows = _db.session.scalars(query.order_by(OutboxEmail.id)).all()
        _db.session.expunge_all()
        return rows


def get_update(app, update_id) -> Update:
    """An update row, detached."""
    with app.app_context():
        update = _db.session.get(Update, update_id)
        _db.session.expunge_all()
        return update
