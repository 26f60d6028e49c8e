"""THE acceptance test: a delivery worker killed halfway through 1,000 update emails.

A real delivery process (`flask outbox deliver`) sends to a real SMTP server on loopback.
When the server has received the 500th message, it kills the process with SIGKILL before
answering. The reaper then fails the row whose send was cut off, and delivery runs again:
every recipient has exactly one email.
"""

import os
import signal
import subprocess
import sys
import threading
from collections import Counter
from datetime import timedelta

from sqlalchemy import func, select

from campaigns.extensions import db
from campaigns.jobs.tasks import TASKS
from campaigns.mail.delivery import INTERRUPTED, reap_interrupted
from campaigns.models import OutboxEmail, OutboxState, utcnow
from tests.conftest import ROOT
from tests.mail.conftest import Inbox
from tests.outcomes.mailing_helpers import add_signers, add_update, fan_out

RECIPIENTS = 1000
KILL_AT = 500


class KillingInbox(Inbox):
    """Keeps every message; at the KILL_AT-th, kills the sender before answering DATA."""

    def __init__(self):
        """No victim yet."""
        super().__init__()
        self.victim: subprocess.Popen | None = None
        self.killed = threading.Event()

    async def handle_DATA(self, server, session, envelope):
        """Keep the message; the KILL_AT-th one is the last the worker ever sends."""
        reply = await super().handle_DATA(server, session, envelope)
        if len(self.messages) == KILL_AT and self.victim is not None:
            self.victim.send_signal(signal.SIGKILL)
            self.victim.wait(30)  # dead before it can read the reply
            self.killed.set()
        return reply


def deliver_in_subprocess(app, port: int, log) -> subprocess.Popen:
    """Start `flask outbox deliver` against the test database and the loopback server."""
    env = {**os.environ, "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"]}
    env.update(
        SECRET_KEY="test-secret", MAIL_BACKEND="smtp", MAIL_SERVER="127.0.0.1",
        MAIL_PORT=str(port), JOBS_BACKEND="manual", BASE_URL="http://localhost",
    )  # fmt: skip
    env.pop("REDIS_URL", None)
    return subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "wsgi", "outbox", "deliver"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip


def test_killed_delivery_job_emails_each_recipient_exactly_once(
    smtp_app, smtp_server, make_campaign, tmp_path
):
    """Kill the worker mid-batch, reap, deliver again: 1,000 recipients, 1,000 emails."""
    slug = make_campaign()
    emails = add_signers(smtp_app, slug, RECIPIENTS)
    add_update(smtp_app, slug)
    assert list(fan_out(smtp_app).values()) == [RECIPIENTS]  # one fan-out batch of 1,000
    inbox = smtp_server.inbox = KillingInbox()
    smtp_server.start()

    log_path = tmp_path / "deliver.log"
    with log_path.open("wb") as log:
        process = deliver_in_subprocess(smtp_app, smtp_server.port, log)
        inbox.victim = process
        try:
            killed = inbox.killed.wait(240)
            assert killed, log_path.read_text(errors="replace")[-3000:]
            assert process.wait(30) == -signal.SIGKILL
        finally:
            if process.poll() is None:
                process.kill()
            process.wait(30)
    assert len(inbox.messages) == KILL_AT

    with smtp_app.app_context():
        counts = dict(
            db.session.execute(
                select(OutboxEmail.state, func.count()).group_by(OutboxEmail.state)
            ).all()
        )
        # The email cut off mid-send stays claimed, so no delivery pass picks it up again.
        assert counts == {
            OutboxState.SENT: KILL_AT - 1,
            OutboxState.SENDING: 1,
            OutboxState.PENDING: RECIPIENTS - KILL_AT,
        }
        timeout = smtp_app.config["OUTBOX_SENDING_TIMEOUT_SECONDS"]
        assert reap_interrupted(now=utcnow() + timedelta(seconds=timeout + 1)) == 1
        result = TASKS["deliver_outbox"]()
        assert result["sent"] == RECIPIENTS - KILL_AT
        [interrupted] = db.session.scalars(
            select(OutboxEmail).where(OutboxEmail.state == OutboxState.FAILED)
        ).all()
        sent = db.session.scalar(select(func.count()).where(OutboxEmail.state == OutboxState.SENT))
    assert interrupted.last_error == INTERRUPTED
    assert sent == RECIPIENTS - 1
    received = Counter(message["To"] for message in inbox.messages)
    assert len(inbox.messages) == RECIPIENTS
    assert set(received) == set(emails) and set(received.values()) == {1}
    # The interrupted email arrived once (the 500th), and was not sent again.
    assert inbox.messages[KILL_AT - 1]["To"] == interrupted.recipient
