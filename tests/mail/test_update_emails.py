"""Update emails through a real SMTP server on loopback: who gets them, and how they look."""

from collections import Counter
from urllib.parse import urlsplit

from sqlalchemy import select, update

from campaigns.extensions import db
from campaigns.jobs.tasks import TASKS
from campaigns.models import Campaign, Signature, SignatureState
from tests.outcomes.mailing_helpers import add_signers, add_update, fan_out


def deliver(app) -> dict:
    """Run the delivery job as a worker would."""
    with app.app_context():
        return TASKS["deliver_outbox"]()


def set_discreet(app, slug, discreet=True):
    """Turn a campaign's discreet email setting on or off."""
    with app.app_context():
        db.session.execute(
            update(Campaign).where(Campaign.slug == slug).values(discreet_email=discreet)
        )
        db.session.commit()


def test_consenting_signers_get_each_update_once_and_others_none(
    smtp_app, smtp_server, make_campaign
):
    """Confirmed consenting signers get one email per update; nobody else gets any."""
    smtp_server.start()
    slug = make_campaign(title="Expel him from the Academy")
    yes = add_signers(smtp_app, slug, 4, prefix="yes")
    no = add_signers(smtp_app, slug, 2, prefix="no", consent=False)
    no += add_signers(smtp_app, slug, 1, prefix="pending", state=SignatureState.PENDING)
    no += add_signers(smtp_app, slug, 1, prefix="suspect", suspect=True)
    first = add_update(smtp_app, slug, title="The board meets on Friday")
    fan_out(smtp_app)
    deliver(smtp_app)
    fan_out(smtp_app)  # running the jobs again sends nothing more
    deliver(smtp_app)
    add_update(smtp_app, slug, title="They voted")
    fan_out(smtp_app)
    deliver(smtp_app)

    received = Counter((m["To"], m["Subject"]) for m in smtp_server.inbox.messages)
    assert set(received.values()) == {1}
    assert {to for to, _ in received} == set(yes)
    assert sorted(subject for to, subject in received if to == yes[0]) == [
        "The board meets on Friday — Expel him from the Academy",
        "They voted — Expel him from the Academy",
    ]
    assert not {to for to, _ in received} & set(no)
    message = smtp_server.inbox.messages[0]
    assert message["From"] == "Expel him from the Academy via Groundswell <no-reply@localhost>"
    text = message.get_body(("plain",)).get_content()
    assert "The board meets on Friday" in text and "/signatures/withdraw/" in text
    assert f"#update-{first}" in text


def test_update_email_has_one_click_unsubscribe(smtp_app, smtp_server, make_campaign):
    """List-Unsubscribe (RFC 2369) and List-Unsubscribe-Post (RFC 8058) work as clients use them."""
    smtp_server.start()
    slug = make_campaign()
    [email] = add_signers(smtp_app, slug, 1)
    add_update(smtp_app, slug)
    fan_out(smtp_app)
    deliver(smtp_app)
    [message] = smtp_server.inbox.messages
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    header = message["List-Unsubscribe"].strip()  # folded: the URL is longer than a line
    assert header.startswith("<http://localhost/unsubscribe/") and header.endswith(">")
    html = message.get_body(("html",)).get_content()
    assert header[1:-1] in html and "/signatures/withdraw/" in html
    # What a mail provider does with it: POST the body, without cookies or a CSRF token.
    path = urlsplit(header[1:-1]).path
    response = smtp_app.test_client().post(path, data={"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    with smtp_app.app_context():
        consent = db.session.scalar(
            select(Signature.consent_updates).where(Signature.email == email)
        )
    assert consent is False


def test_discreet_campaign_keeps_its_title_out_of_subject_and_sender(
    smtp_app, smtp_server, make_campaign
):
    """A discreet campaign's emails name it only inside; others name it in Subject and From."""
    smtp_server.start()
    discreet = make_campaign(title="Survivors of abuse at Example Corp")
    plain = make_campaign(title="Fund the farmworkers' legal defense")
    set_discreet(smtp_app, discreet)
    add_signers(smtp_app, discreet, 1, prefix="quiet")
    add_signers(smtp_app, plain, 1, prefix="loud")
    add_update(smtp_app, discreet, title="A hearing is scheduled")
    add_update(smtp_app, plain, title="We raised the money")
    fan_out(smtp_app)
    deliver(smtp_app)
    messages = {m["To"]: m for m in smtp_server.inbox.messages}
    quiet, loud = messages["quiet0@example.org"], messages["loud0@example.org"]
    assert quiet["Subject"] == "News from a campaign you signed"
    assert quiet["From"] == "Groundswell <no-reply@localhost>"
    assert "Survivors" not in quiet["Subject"] + quiet["From"]
    assert "A hearing" not in quiet["Subject"]
    text = quiet.get_body(("plain",)).get_content()
    assert "Survivors of abuse at Example Corp" in text  # named inside the email...
    # ...but not in the opening lines inbox previews show next to the subject.
    assert "Survivors" not in " ".join(text.split("\n")[:4])
    html = quiet.get_body(("html",)).get_content()
    assert "Survivors" not in html[html.index("<body") : html.index("</h1>")]
    assert "Fund the farmworkers" in loud.get_body(("plain",)).get_content().split("\n")[0]
    assert loud["Subject"] == "We raised the money — Fund the farmworkers' legal defense"
    assert (
        loud["From"] == "Fund the farmworkers' legal defense via Groundswell <no-reply@localhost>"
    )


def test_discreet_campaign_confirmation_email(smtp_app, smtp_server, make_campaign):
    """The signature confirmation follows the same rule for its sender's name."""
    smtp_server.start()
    discreet = make_campaign(title="Survivors of abuse at Example Corp")
    plain = make_campaign(title="Fund the farmworkers' legal defense")
    set_discreet(smtp_app, discreet)
    client = smtp_app.test_client()
    for slug, email in ((discreet, "quiet@example.org"), (plain, "loud@example.org")):
        data = {"name": "Ana", "email": email, "country": "GB", "visibility": "count_only"}
        assert client.post(f"/campaigns/{slug}/sign", data=data).status_code in (302, 303)
    deliver(smtp_app)
    messages = {m["To"]: m for m in smtp_server.inbox.messages}
    assert messages["quiet@example.org"]["From"] == "Groundswell <no-reply@localhost>"
    assert "Survivors" not in messages["quiet@example.org"]["Subject"]
    assert messages["loud@example.org"]["From"] == (
        "Fund the farmworkers' legal defense via Groundswell <no-reply@localhost>"
    )
