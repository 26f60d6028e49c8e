"""The fan-out of an update into the outbox: exactly one row per recipient, whatever happens."""

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from campaigns.extensions import db
from campaigns.jobs.tasks import TASKS, periodic_jobs
from campaigns.mail.delivery import deliver_due
from campaigns.mail.messages import build_message, header_text
from campaigns.models import OutboxEmail, OutboxState, Signature, SignatureState, Update, utcnow
from campaigns.outcomes import mailing
from tests.conftest import USING_POSTGRES
from tests.outcomes.mailing_helpers import (
    add_signers,
    add_update,
    fan_out,
    get_update,
    update_emails,
)


def signers_of_every_kind(app, slug) -> list[str]:
    """One signer of each kind; returns the addresses that should get updates."""
    wanted = add_signers(app, slug, 3, prefix="yes")
    add_signers(app, slug, 1, prefix="pending", state=SignatureState.PENDING)
    add_signers(app, slug, 1, prefix="withdrawn", state=SignatureState.WITHDRAWN)
    add_signers(app, slug, 1, prefix="invalid", state=SignatureState.INVALIDATED)
    add_signers(app, slug, 1, prefix="noconsent", consent=False)
    add_signers(app, slug, 1, prefix="suspect", suspect=True)
    return wanted


def test_fan_out_queues_one_email_per_consenting_confirmed_signer(app, make_campaign):
    """Confirmed, consenting, not suspect: one row each; everyone else and other campaigns none."""
    slug, other = make_campaign(), make_campaign()
    wanted = signers_of_every_kind(app, slug)
    add_signers(app, other, 2, prefix="other")
    update_id = add_update(app, slug)
    assert fan_out(app) == {update_id: 3}
    rows = update_emails(app)
    assert sorted(r.recipient for r in rows) == sorted(wanted)
    with app.app_context():
        ids = dict(db.session.execute(select(Signature.email, Signature.id)).all())
    for row in rows:
        sid = ids[row.recipient]
        assert row.payload == {"update_id": update_id, "signature_id": sid}
        assert row.dedupe_key == f"update:{update_id}:{sid}"
        assert row.state == OutboxState.PENDING and row.locale == "en"
    done = get_update(app, update_id)
    assert done.email_recipients == 3 and done.email_queued_at is not None
    assert done.email_cursor == max(ids[email] for email in wanted)
    assert "deliver_outbox" in app.extensions["groundswell_jobs"].submitted


def test_running_the_job_again_adds_nothing(app, make_campaign):
    """A second run, even one that starts over from the first signer, queues nobody twice."""
    slug = make_campaign()
    add_signers(app, slug, 4)
    update_id = add_update(app, slug)
    fan_out(app)
    assert fan_out(app) == {}  # finished: not picked up again
    with app.app_context():  # as if the finish had been lost: the dedupe keys still hold
        db.session.execute(
            update(Update).values(email_queued_at=None, email_cursor=0, email_recipients=0)
        )
        db.session.commit()
    assert fan_out(app) == {update_id: 0}
    assert len(update_emails(app)) == 4


def test_updates_not_asked_to_be_emailed_queue_nothing(app, make_campaign):
    """Posting without emailing, or deleting before the job ran, queues no email."""
    slug = make_campaign()
    add_signers(app, slug, 2)
    add_update(app, slug, emailed=False)
    add_update(app, slug, deleted=True)
    assert fan_out(app) == {}
    assert update_emails(app) == []


def test_fan_out_interrupted_between_batches_resumes_without_duplicates(
    app_factory, make_campaign, monkeypatch
):
    """The job dies after its first committed batch; run again, each recipient is queued once."""
    app = app_factory(UPDATE_FANOUT_BATCH_SIZE=2)
    slug = make_campaign()
    wanted = add_signers(app, slug, 5)
    update_id = add_update(app, slug)
    real_queue_batch, calls = mailing._queue_batch, []

    def dies_on_second_batch(*args):
        calls.append(args)
        if len(calls) == 2:
            raise RuntimeError("worker killed")
        return real_queue_batch(*args)

    monkeypatch.setattr(mailing, "_queue_batch", dies_on_second_batch)
    with pytest.raises(RuntimeError):
        fan_out(app)
    half = get_update(app, update_id)
    assert len(update_emails(app)) == 2 and half.email_recipients == 2
    assert half.email_queued_at is None and half.email_cursor > 0
    monkeypatch.setattr(mailing, "_queue_batch", real_queue_batch)
    assert fan_out(app) == {update_id: 5}
    rows = update_emails(app)
    assert sorted(r.recipient for r in rows) == sorted(wanted)
    assert get_update(app, update_id).email_queued_at is not None


def test_two_workers_on_one_update_queue_each_recipient_once(app, make_campaign, monkeypatch):
    """A second worker runs the whole fan-out while the first is mid-batch: no duplicates.

    On PostgreSQL the second one finds the update locked and leaves it; on SQLite it does
    the work, and the first one's guarded cursor update fails, so it adds and counts nothing.
    """
    slug = make_campaign()
    add_signers(app, slug, 3)
    update_id = add_update(app, slug)
    real_batch_end, other_runs = mailing._batch_end, []

    def other_worker_meanwhile(*args):
        if not other_runs:
            other_runs.append("running")
            with app.app_context():  # another worker: its own session and transaction
                other_runs[0] = mailing.fan_out_update(update_id)
        return real_batch_end(*args)

    monkeypatch.setattr(mailing, "_batch_end", other_worker_meanwhile)
    first = fan_out(app)
    assert other_runs == [None] if USING_POSTGRES else other_runs == [3]
    assert first == ({update_id: 3} if USING_POSTGRES else {})
    assert len(update_emails(app)) == 3
    assert get_update(app, update_id).email_recipients == 3


@pytest.mark.postgres
@pytest.mark.skipif(not USING_POSTGRES, reason="row locks with SKIP LOCKED need PostgreSQL")
def test_one_fan_out_at_a_time_per_update(app, make_campaign):
    """While one worker holds the update's row, another leaves it alone instead of waiting."""
    slug = make_campaign()
    add_signers(app, slug, 2)
    update_id = add_update(app, slug)
    with app.app_context():
        with Session(db.engine) as other:
            other.execute(select(Update.id).where(Update.id == update_id).with_for_update())
            assert mailing.fan_out_update(update_id) is None
            other.rollback()
        assert mailing.fan_out_update(update_id) == 2


def test_deleted_update_cancels_its_queued_emails_at_delivery(app, make_campaign):
    """Emails queued before the update was deleted are cancelled, not sent or failed."""
    slug = make_campaign()
    add_signers(app, slug, 2)
    update_id = add_update(app, slug)
    fan_out(app)
    with app.app_context():
        db.session.execute(update(Update).where(Update.id == update_id).values(deleted_at=utcnow()))
        db.session.commit()
        report = deliver_due()
    assert (report.cancelled, report.sent, report.failed) == (2, 0, 0)
    assert {r.state for r in update_emails(app)} == {OutboxState.CANCELLED}


def test_signer_who_withdrew_or_unsubscribed_since_is_not_emailed(app, make_campaign):
    """Consent is checked again when the email is sent."""
    slug = make_campaign()
    add_signers(app, slug, 3)
    add_update(app, slug)
    fan_out(app)
    with app.app_context():
        db.session.execute(
            update(Signature)
            .where(Signature.email == "signer0@example.org")
            .values(consent_updates=False)
        )
        db.session.execute(
            update(Signature)
            .where(Signature.email == "signer1@example.org")
            .values(state=SignatureState.WITHDRAWN, email=None)
        )
        db.session.commit()
        report = deliver_due()
    assert (report.sent, report.cancelled) == (1, 2)
    sent = [r.recipient for r in update_emails(app) if r.state == OutboxState.SENT]
    assert sent == ["signer2@example.org"]


def test_send_update_emails_is_a_task_and_a_periodic_sweep(app):
    """The job is registered, and swept on the outbox interval so a lost request is caught."""
    assert "send_update_emails" in TASKS
    assert ("send_update_emails", app.config["OUTBOX_INTERVAL_SECONDS"]) in periodic_jobs(
        app.config
    )


def test_sender_name_is_one_short_line(app, make_campaign):
    """A long or odd title cannot break the From header or run past a line."""
    title = "Stop the\r\nBcc: x@example.org " + "very " * 30 + "long campaign"
    slug = make_campaign(title=title[:160])
    add_signers(app, slug, 1)
    add_update(app, slug, title="Line\nbreak")
    fan_out(app)
    [row] = update_emails(app)
    with app.app_context():
        message = build_message(db.session.get(OutboxEmail, row.id))
    assert "\n" not in message["From"] and "\r" not in message["Subject"]
    [sender] = message["From"].addresses  # the "Bcc: x@..." in the title stayed a name
    assert sender.addr_spec == "no-reply@localhost"
    assert sender.display_name.endswith("… via Groundswell")
    assert len(sender.display_name.split(" via ")[0]) <= mailing.SENDER_TITLE_MAX
    assert message["Subject"].startswith("Line break — Stop the Bcc:")
    assert header_text("a\r\nb\tc", 10) == "a b c"
    assert header_text("x" * 20, 10) == "x" * 9 + "…"
