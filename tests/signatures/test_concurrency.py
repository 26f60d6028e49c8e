"""Signing under concurrency (PostgreSQL): duplicates, double clicks and racing aggregators.

Each thread has its own test client (and so its own request, app context and database
session); a barrier releases them together so the database, not Python, decides the order.
"""

import threading
from collections import Counter
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa
from sqlalchemy import select

from campaigns.extensions import db
from campaigns.models import Signature, SignatureDelta, SignatureState
from campaigns.signatures import counting, services, writes
from campaigns.signatures.targets import guest_target
from tests.conftest import USING_POSTGRES, get_campaign, outbox_rows
from tests.signatures.test_sign_views import email_links

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        not USING_POSTGRES, reason="concurrent writers and advisory locks need PostgreSQL"
    ),
]


def together(jobs: list) -> list:
    """Run each callable in its own thread, all released at once; their results in order."""
    barrier = threading.Barrier(len(jobs))
    results: list = [None] * len(jobs)
    errors: list = []

    def work(index, job):
        """Wait for everyone, then run."""
        try:
            barrier.wait(timeout=60)
            results[index] = job()
        except BaseException as exc:  # reported below, so a thread's failure fails the test
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert not errors, errors[:3]
    assert not any(thread.is_alive() for thread in threads)
    return results


def people() -> tuple[list[str], list[str]]:
    """150 distinct signers, and 50 other spellings of the first 50 of them."""
    gmail = [f"first.last{n}@gmail.com" for n in range(30)]
    others = [f"signer{n}@example.org" for n in range(120)]
    spellings = [f"FirstLast{n}+again@googlemail.com" for n in range(20)]
    spellings += [f"first.last{n}@GMAIL.com" for n in range(20, 30)]
    spellings += [f"Signer{n}@Example.ORG" for n in range(10)]
    spellings += [f"signer{n}@example.org" for n in range(10, 20)]
    return gmail + others, spellings


def sign_over_http(app, slug, email):
    """One guest's POST to the sign form, from a client of its own; the response status."""

    def post():
        """Submit the form."""
        response = app.test_client().post(
            f"/campaigns/{slug}/sign",
            data={
                "name": "Con Current",
                "email": email,
                "country": "GB",
                "visibility": "count_only",
            },
        )
        return response.status_code

    return post


def confirm_over_http(app, link):
    """One click on a confirmation page's button; the response status."""

    def post():
        """POST the confirmation."""
        return app.test_client().post(urlsplit(link).path).status_code

    return post


@pytest.mark.parametrize("autocommit", [False, True], ids=["in-transaction", "autocommit"])
def test_two_hundred_concurrent_signers_then_double_clicked_confirmations(
    app_factory, make_campaign, autocommit
):
    """150 people (50 signing twice, spelled differently) and 100 confirmations, 30 doubled.

    Exactly 150 signatures and 150 confirmation emails; after aggregation the count is 100.
    Run twice: with each request looking the campaign up (the signature joins that
    transaction), and with the campaign cached, as on a viral campaign, where each signature
    commits on its own through the autocommit pool (writes.py).
    """
    app = app_factory(COUNT_CACHE_SECONDS=60 if autocommit else 0)
    slug = make_campaign()
    if autocommit:
        with app.app_context():
            guest_target(slug)  # cached now: no request below opens a transaction
    unique, duplicates = people()
    statuses = together([sign_over_http(app, slug, email) for email in unique + duplicates])
    assert Counter(statuses) == {303: 200}
    assert (writes.AUTOCOMMIT_ENGINE in app.extensions) is autocommit

    with app.app_context():
        rows = db.session.execute(select(Signature.canonical_email, Signature.state)).all()
    assert len(rows) == 150 and len({canonical for canonical, _ in rows}) == 150
    assert {state for _, state in rows} == {SignatureState.PENDING}
    emails = outbox_rows(app, template="signature_confirm")
    assert len(emails) == 150 and len({e.payload["signature_id"] for e in emails}) == 150

    links = [email_links(app, e)["confirm_link"] for e in emails[:100]]
    clicks = [confirm_over_http(app, link) for link in links + links[:30]]
    assert Counter(together(clicks)) == {200: 130}

    with app.app_context():
        assert db.session.scalar(select(sa.func.sum(SignatureDelta.delta))) == 100
        result = counting.aggregate()
        assert result.deltas == 100 and not result.locked_out
        assert counting.reconcile() == []
    assert get_campaign(app, slug).signature_count == 100


def test_racing_aggregators_never_apply_a_delta_twice(app_factory, make_campaign):
    """Two aggregators loop while four confirmers work; every delta is applied exactly once."""
    slug = make_campaign()
    app = app_factory(COUNT_BATCH_SIZE=7)
    with app.app_context():
        campaign_id = get_campaign(app, slug).id
        ids = []
        for n in range(200):
            ids.append(
                db.session.execute(
                    sa.insert(Signature)
                    .values(
                        campaign_id=campaign_id,
                        email=f"s{n}@example.org",
                        canonical_email=f"s{n}@example.org",
                        email_domain="example.org",
                        name="S",
                        country="GB",
                        state=SignatureState.PENDING,
                    )
                    .returning(Signature.id)
                ).scalar_one()
            )
        db.session.commit()
    confirming_done = threading.Event()
    applied: list[int] = []
    locked_out: list[bool] = []

    def confirmer(part):
        """Confirm a quarter of the signatures, one transaction each."""

        def run():
            """Confirm, commit, repeat."""
            with app.app_context():
                for sid in part:
                    assert services.confirm(sid) == services.Outcome.DONE
                    db.session.commit()
            return len(part)

        return run

    def aggregator():
        """Aggregate until the confirmers are done, then once more."""
        with app.app_context():
            while True:
                finished = confirming_done.is_set()
                result = counting.aggregate()
                applied.append(result.campaigns.get(campaign_id, 0))
                locked_out.append(result.locked_out)
                db.session.remove()
                if finished:
                    return

    confirmers = [confirmer(ids[i::4]) for i in range(4)]
    threads = [threading.Thread(target=aggregator) for _ in range(2)]
    for thread in threads:
        thread.start()
    assert together(confirmers) == [50, 50, 50, 50]
    confirming_done.set()
    for thread in threads:
        thread.join(60)
    with app.app_context():
        leftover = counting.aggregate()
    assert sum(applied) + leftover.campaigns.get(campaign_id, 0) == 200
    assert get_campaign(app, slug).signature_count == 200
    with app.app_context():
        assert db.session.scalar(select(sa.func.count(SignatureDelta.id))) == 0
        assert counting.reconcile() == []


def test_the_count_lock_admits_one_aggregator_at_a_time(app, make_campaign):
    """While one transaction holds the advisory lock, another session is refused, then admitted."""
    slug = make_campaign()
    with app.app_context():
        counting.record_delta(get_campaign(app, slug).id, 1)
        db.session.commit()
    held = threading.Event()
    release = threading.Event()

    def holder():
        """Take the lock and keep the transaction open until told to finish."""
        with app.app_context():
            assert counting.take_count_lock()
            held.set()
            release.wait(30)
            db.session.rollback()
        return True

    thread = threading.Thread(target=holder)
    thread.start()
    try:
        assert held.wait(30)
        with app.app_context():
            assert counting.take_count_lock() is False
            db.session.rollback()
            result = counting.aggregate()
            assert result.locked_out and result.deltas == 0
            assert counting.reconcile() == []
    finally:
        release.set()
        thread.join(30)
    assert get_campaign(app, slug).signature_count == 0
    with app.app_context():
        assert counting.take_count_lock() is True
        db.session.rollback()
        assert counting.aggregate().deltas == 1
    assert get_campaign(app, slug).signature_count == 1
