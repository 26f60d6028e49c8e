"""`flask demo`: load the demo campaigns and accounts, once (idempotent)."""

import random
from datetime import timedelta

import click
import sqlalchemy as sa
from flask.cli import with_appcontext
from sqlalchemy import select

from campaigns.auth import services as auth
from campaigns.core.demo_data import (
    CAMPAIGNS,
    CATEGORIES,
    COUNTRIES,
    DEMO_USERS,
    FIRST_NAMES,
    LAST_NAMES,
    REASONS,
)
from campaigns.core.markdown import render_markdown
from campaigns.extensions import db
from campaigns.models import (
    Campaign,
    CampaignStatus,
    Category,
    ClaimState,
    DecisionMaker,
    Milestone,
    Role,
    Signature,
    Update,
    UpdateKind,
    VictoryClaim,
    Visibility,
    utcnow,
)
from campaigns.petitions.search import refresh_search_text

BATCH = 5000


def _users() -> dict[str, object]:
    """Create the demo accounts that do not exist yet."""
    users = {}
    for email, name, role, password in DEMO_USERS:
        user = auth.find_user(email) or auth.create_user(
            email=email, display_name=name, password=password, role=Role(role)
        )
        users[email.split("@")[0]] = user
    return users


def _categories() -> dict[str, Category]:
    """Create the demo categories that do not exist yet."""
    existing = {c.slug: c for c in db.session.scalars(select(Category))}
    for position, (slug, name) in enumerate(CATEGORIES):
        if slug not in existing:
            existing[slug] = Category(slug=slug, name=name, position=position)
            db.session.add(existing[slug])
    return existing


def _signature_rows(campaign: Campaign, count: int, rng: random.Random):
    """Confirmed signatures spread over the days after publication."""
    visibilities = [Visibility.COUNT_ONLY] * 6 + [Visibility.INITIALS] * 3 + [Visibility.FULL_NAME]
    for n in range(count):
        signed = campaign.published_at + timedelta(minutes=rng.randint(1, 60 * 24 * 20))
        email = f"supporter{n}.{campaign.id}@example.org"
        yield {
            "campaign_id": campaign.id, "email": email, "canonical_email": email,
            "email_domain": "example.org",
            "name": f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
            "country": rng.choice(COUNTRIES), "visibility": rng.choice(visibilities),
            "consent_updates": rng.random() < 0.4, "state": "confirmed", "source": "import",
            "locale": campaign.language, "created_at": signed, "confirmed_at": signed,
            "reason": rng.choice(REASONS) if rng.random() < 0.15 else None,
        }  # fmt: skip


def _insert_signatures(campaign: Campaign, count: int) -> None:
    """Bulk-insert real signature rows so counts match what a recount would find."""
    rng = random.Random(campaign.slug)  # noqa: S311 -- repeatable demo data, not secrets
    rows = list(_signature_rows(campaign, count, rng))
    for start in range(0, len(rows), BATCH):
        db.session.execute(sa.insert(Signature.__table__), rows[start : start + BATCH])
    campaign.signature_count = count
    campaign.count_updated_at = utcnow()
    if campaign.goal and count >= campaign.goal:
        campaign.goal_reached_at = campaign.published_at + timedelta(days=3)


def _campaign(spec: dict, users: dict, categories: dict) -> Campaign:
    """Create one campaign with its decision makers, milestones and victory record."""
    campaign = Campaign(
        slug=spec["slug"], title=spec["title"], summary=spec["summary"], body=spec["body"],
        body_html=render_markdown(spec["body"]), category=categories[spec["category"]],
        country=spec["country"], goal=spec["goal"],
        language=spec.get("language", "en"), status=CampaignStatus(spec["status"]),
        owner=users["organizer"], published_at=spec["published"],
        submitted_at=spec["published"],
    )  # fmt: skip
    for position, (name, title, org) in enumerate(spec["decision_makers"]):
        campaign.decision_makers.append(
            DecisionMaker(position=position, name=name, title=title, organization=org)
        )
    for threshold, label in spec["milestones"]:
        reached = spec["published"] + timedelta(days=2) if spec["signatures"] >= threshold else None
        campaign.milestones.append(Milestone(threshold=threshold, label=label, reached_at=reached))
    refresh_search_text(campaign)
    if spec.get("featured"):  # as if an admin had chosen it for the home page
        campaign.featured_at = spec["published"]
    if "response" in spec:
        _record_response(campaign.decision_makers[0], spec["response"], users["organizer"])
    db.session.add(campaign)
    db.session.flush()
    if spec["signatures"]:
        _insert_signatures(campaign, spec["signatures"])
    if "victory" in spec:
        _victory(campaign, spec, users)
    return campaign


def _record_response(maker: DecisionMaker, response: tuple, organizer) -> None:
    """A decision maker's response, as an organizer would have recorded it."""
    maker.responded_at, maker.response, maker.response_url = response
    maker.response_recorded_at, maker.response_recorded_by_id = response[0], organizer.id


def _victory(campaign: Campaign, spec: dict, users: dict) -> None:
    """The confirmed victory as the admin queue leaves it: record, claim and outcome update.

    The update is not emailed: demo signers are made up, and nobody consented to anything.
    """
    summary, evidence = spec["victory"]
    declared = spec["published"] + timedelta(days=4)
    decided = declared + timedelta(days=1)
    organizer, admin = users["organizer"], users["admin"]
    campaign.victory_summary, campaign.victory_evidence_url = summary, evidence
    campaign.victory_declared_at, campaign.victory_declared_by_id = declared, organizer.id
    campaign.victory_confirmed_at, campaign.victory_confirmed_by_id = decided, admin.id
    campaign.victory_signature_count = campaign.signature_count
    campaign.closed_at = decided
    db.session.add(
        VictoryClaim(
            campaign_id=campaign.id, state=ClaimState.CONFIRMED, summary=summary,
            evidence_url=evidence, declared_by_id=organizer.id, declared_at=declared,
            decided_by_id=admin.id, decided_at=decided,
        )
    )  # fmt: skip
    body = f"{summary}\n\n[Evidence of the outcome](<{evidence}>)"
    db.session.add(
        Update(
            campaign_id=campaign.id, author_id=admin.id, kind=UpdateKind.OUTCOME,
            title=f"Victory: {campaign.title}"[:160], body=body, body_html=render_markdown(body),
            created_at=decided, published_at=decided,
        )
    )  # fmt: skip


@click.command("demo")
@with_appcontext
def demo_command():
    """Load demo accounts and campaigns; running it again adds nothing."""
    users = _users()
    categories = _categories()
    created = 0
    for spec in CAMPAIGNS:
        if db.session.scalar(select(Campaign.id).where(Campaign.slug == spec["slug"])) is None:
            _campaign(spec, users, categories)
            created += 1
    db.session.commit()
    click.echo(f"Demo data ready ({created} campaigns added).")
    click.echo("Demo logins (password after the colon):")
    for email, _name, role, password in DEMO_USERS:
        click.echo(f"  {role:<8} {email}: {password}")
