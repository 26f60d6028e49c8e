"""A stateful hypothesis test: any interleaving of signing verbs keeps the count honest.

The machine signs (guests and members, some held as suspect), confirms, withdraws,
invalidates and releases in bulk, closes and reopens the campaign, aggregates and
reconciles, and checks after every step that the stored count plus the pending deltas
equals a real count of confirmed, unsuspect signatures, and that it matches a model.
"""

import sqlalchemy as sa
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from campaigns.extensions import db
from campaigns.models import (
    Campaign,
    CampaignStatus,
    Category,
    Role,
    Signature,
    SignatureDelta,
    SignatureState,
    User,
    utcnow,
)
from campaigns.signatures import abuse, counting, services
from campaigns.signatures.canonical import canonical_email, email_domain

PENDING, CONFIRMED = SignatureState.PENDING, SignatureState.CONFIRMED
WITHDRAWN, INVALIDATED = SignatureState.WITHDRAWN, SignatureState.INVALIDATED
# Different spellings of a few people's addresses, on three domains.
SPELLINGS = [
    "ana.lopez@gmail.com",
    "AnaLopez+x@googlemail.com",
    "bo@gmail.com",
    "B.O@gmail.com",
    "cy@corp.example",
    "CY@corp.example",
    "di@corp.example",
    "ed@example.org",
    "fay@example.org",
    "Fay@Example.org",
]
MEMBERS = ["ana.lopez@gmail.com", "gus@corp.example"]
DOMAINS = ["gmail.com", "corp.example", "example.org"]
IPS = ["1" * 32, "2" * 32, "f" * 32]
SUSPECT_IP = "f" * 32


def fake_limit(campaign_id, ip_hash, domain):
    """Deterministic limits: everything from SUSPECT_IP is over a limit."""
    return "ip" if ip_hash == SUSPECT_IP else None


class Row:
    """The model's view of one signature."""

    def __init__(self, canonical, ip, state, suspect):
        """A new row."""
        self.canonical, self.ip, self.state, self.suspect = canonical, ip, state, suspect

    @property
    def counts(self) -> bool:
        """Confirmed and not held."""
        return self.state == CONFIRMED and not self.suspect


def make_people(app) -> tuple[int, list[int]]:
    """A moderator and the members, once per test; their ids."""
    with app.app_context():
        users = [
            # Nobody logs in here: a placeholder hash spares argon2's cost.
            User(
                email=email,
                display_name=email.split("@")[0],
                role=role,
                email_verified_at=utcnow(),
                password_hash="!",
            )
            for email, role in [("mod@example.net", Role.MODERATOR)]
            + [(member, Role.MEMBER) for member in MEMBERS]
        ]
        db.session.add_all([*users, Category(name="General", slug="general")])
        db.session.commit()
        ids = [user.id for user in users]
        db.session.remove()
    return ids[0], ids[1:]


def make_machine(app):
    """The machine class, bound to one app; each run gets a campaign of its own."""
    moderator_id, member_ids = make_people(app)
    serial = iter(range(1, 1_000_000))

    class Signing(RuleBasedStateMachine):
        """Signing verbs in any order against a fresh campaign."""

        def __init__(self):
            """A new open campaign; earlier runs' campaigns are left alone."""
            super().__init__()
            with app.app_context():
                campaign = Campaign(
                    slug=f"stateful-{next(serial)}",
                    title="Stateful",
                    summary="s",
                    body="b",
                    country="GB",
                    goal=1000,
                    status=CampaignStatus.OPEN,
                    owner_id=moderator_id,
                    category_id=db.session.scalar(sa.select(Category.id)),
                    published_at=utcnow(),
                )
                db.session.add(campaign)
                db.session.commit()
                self.campaign_id = campaign.id
                db.session.remove()
            self.moderator_id, self.member_ids = moderator_id, member_ids
            self.rows: dict[int, Row] = {}
            self.open = True

        def campaign(self) -> Campaign:
            """The campaign, in the current session."""
            return db.session.get(Campaign, self.campaign_id)

        def live(self, canonical):
            """The model row holding this canonical address, if any (withdrawn rows hold none)."""
            return next((sid for sid, r in self.rows.items() if r.canonical == canonical), None)

        @precondition(lambda self: self.open)
        @rule(address=st.sampled_from(SPELLINGS), ip=st.sampled_from(IPS))
        def sign(self, address, ip):
            """A guest signs; a duplicate spelling changes nothing."""
            canonical = canonical_email(address)
            existing = self.live(canonical)
            with app.app_context():
                result = services.sign(
                    self.campaign(), name="Signer", email=address, country="GB", ip_hash=ip
                )
                db.session.commit()
            if existing is not None:
                assert result.signature_id is None and not result.created
            else:
                assert result.created and result.suspect == (ip == SUSPECT_IP)
                self.rows[result.signature_id] = Row(canonical, ip, PENDING, ip == SUSPECT_IP)

        @precondition(lambda self: self.open)
        @rule(member=st.integers(0, len(MEMBERS) - 1), ip=st.sampled_from([SUSPECT_IP, IPS[0]]))
        def sign_as_member(self, member, ip):
            """A verified member signs in one step, or confirms their pending guest signature."""
            canonical = canonical_email(MEMBERS[member])
            existing = self.live(canonical)
            with app.app_context():
                user = db.session.get(User, self.member_ids[member])
                result = services.sign_as_member(self.campaign(), user, country="GB", ip_hash=ip)
                db.session.commit()
            if existing is None:
                assert result.created and result.confirmed
                self.rows[result.signature_id] = Row(canonical, ip, CONFIRMED, ip == SUSPECT_IP)
            else:
                row = self.rows[existing]
                assert result.signature_id == existing and not result.created
                if row.state == PENDING and not row.suspect:
                    row.state = CONFIRMED

        @precondition(lambda self: self.rows)
        @rule(pick=st.integers(min_value=0))
        def confirm(self, pick):
            """Click a confirmation link, perhaps again."""
            sid = sorted(self.rows)[pick % len(self.rows)]
            with app.app_context():
                outcome = services.confirm(sid)
                db.session.commit()
            row = self.rows[sid]
            if row.state == PENDING and not row.suspect and self.open:
                assert outcome == services.Outcome.DONE
                row.state = CONFIRMED
            else:
                assert outcome != services.Outcome.DONE

        @precondition(lambda self: self.rows)
        @rule(pick=st.integers(min_value=0))
        def withdraw(self, pick):
            """Withdraw a signature, perhaps again."""
            sid = sorted(self.rows)[pick % len(self.rows)]
            with app.app_context():
                outcome = services.withdraw(sid)
                db.session.commit()
            row = self.rows[sid]
            expected = services.Outcome.ALREADY if row.state == WITHDRAWN else services.Outcome.DONE
            assert outcome == expected
            row.state, row.canonical = WITHDRAWN, None

        def bulk(self, verb, selection, **kwargs) -> int:
            """Run a moderator's bulk action."""
            with app.app_context():
                moderator = db.session.get(User, self.moderator_id)
                n = verb(moderator, self.campaign(), selection, **kwargs)
                db.session.commit()
                return n

        def selected(self, domain=None, ip=None):
            """Model rows a bulk action on this domain or address hash reaches."""
            return [
                r
                for r in self.rows.values()
                if (domain is None or (r.canonical and email_domain(r.canonical) == domain))
                and (ip is None or r.ip == ip)
            ]

        @rule(domain=st.sampled_from(DOMAINS))
        def invalidate_domain(self, domain):
            """A moderator invalidates a domain's pending and confirmed signatures."""
            hit = [r for r in self.selected(domain=domain) if r.state in (PENDING, CONFIRMED)]
            assert self.bulk(abuse.invalidate, abuse.Selection(domain=domain), note="x") == len(hit)
            for row in hit:
                row.state = INVALIDATED

        @rule(ip=st.sampled_from(IPS))
        def invalidate_ip(self, ip):
            """A moderator invalidates an address hash's signatures."""
            hit = [r for r in self.selected(ip=ip) if r.state in (PENDING, CONFIRMED)]
            assert self.bulk(abuse.invalidate, abuse.Selection(ip_hash=ip)) == len(hit)
            for row in hit:
                row.state = INVALIDATED

        @rule(ip=st.sampled_from(IPS))
        def release(self, ip):
            """A moderator releases held signatures from an address hash."""
            hit = [r for r in self.selected(ip=ip) if r.suspect and r.state in (PENDING, CONFIRMED)]
            assert self.bulk(abuse.release, abuse.Selection(ip_hash=ip)) == len(hit)
            for row in hit:
                row.suspect = False

        @rule()
        def close_or_reopen(self):
            """The campaign closes (confirmations stop counting) or reopens."""
            self.open = not self.open
            status = CampaignStatus.OPEN if self.open else CampaignStatus.CLOSED
            with app.app_context():
                self.campaign().status = status
                db.session.commit()

        @rule()
        def aggregate(self):
            """The aggregator runs: the stored count is then exact."""
            with app.app_context():
                assert not counting.aggregate().locked_out
                assert self.stored_and_pending()[1] == 0
                assert self.campaign().signature_count == self.real_count()
                db.session.remove()

        @rule()
        def reconcile(self):
            """The reconciler never finds drift the verbs themselves caused."""
            with app.app_context():
                repairs = counting.reconcile()
            assert [r for r in repairs if r["campaign_id"] == self.campaign_id] == []

        def real_count(self) -> int:
            """Confirmed, unsuspect signatures, counted for real."""
            return db.session.scalar(
                sa.select(sa.func.count(Signature.id)).where(
                    Signature.campaign_id == self.campaign_id, counting.counted_signatures()
                )
            )

        def stored_and_pending(self) -> tuple[int, int]:
            """The stored count and the sum of the deltas waiting for the aggregator."""
            pending = sa.select(sa.func.coalesce(sa.func.sum(SignatureDelta.delta), 0)).where(
                SignatureDelta.campaign_id == self.campaign_id
            )
            return self.campaign().signature_count, int(db.session.scalar(pending))

        @invariant()
        def count_is_honest(self):
            """Stored count plus pending deltas equals the real count, which matches the model."""
            with app.app_context():
                stored, pending = self.stored_and_pending()
                real = self.real_count()
                states = dict(
                    db.session.execute(
                        sa.select(Signature.id, Signature.state).where(
                            Signature.campaign_id == self.campaign_id
                        )
                    ).all()
                )
                db.session.remove()
            assert stored + pending == real == sum(r.counts for r in self.rows.values())
            assert states == {sid: r.state for sid, r in self.rows.items()}

    return Signing


def no_fsync(dbapi_connection, record):
    """SQLite without waiting for the disk: hundreds of small commits, nothing to survive."""
    dbapi_connection.execute("PRAGMA synchronous = OFF")


def test_any_interleaving_keeps_the_count_equal_to_confirmed_signatures(app, monkeypatch):
    """Hypothesis drives the machine; a failure prints the shortest sequence of steps."""
    monkeypatch.setattr(services, "over_limit", fake_limit)
    with app.app_context():
        engine = db.engine
    if engine.dialect.name == "sqlite":
        sa.event.listen(engine, "connect", no_fsync)
        engine.dispose()
    run_state_machine_as_test(
        make_machine(app),
        settings=settings(max_examples=30, stateful_step_count=30, deadline=None, database=None),
    )
