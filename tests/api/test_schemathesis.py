"""schemathesis against /api/v1/openapi.json: no 5xx, and every answer matches the document.

The document is loaded from the app itself (WSGI, no server). Most generated requests use a
seeded campaign's slug, so the campaign paths reach real rows and not only 404s, and the
keyed operation is called with a real organizer's key about half of the time. Each
operation is its own test, bounded to max_examples generated requests (valid and invalid).
"""

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode, checks

from campaigns.models import CampaignStatus, utcnow
from tests.api.test_v1_read import add_update
from tests.api.v1_helpers import BASE, add_signature, bearer, make_key

# Everything but positive_data_acceptance: the app rightly refuses, with a 4xx, some input
# JSON Schema cannot describe (a blank name, an address email-validator refuses, NUL bytes).
CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_schema_conformance,
    checks.response_headers_conformance,
    checks.negative_data_rejection,
    checks.ignored_auth,
    checks.unsupported_method,
]


@pytest.fixture
def seeded(app, make_user, make_campaign) -> dict:
    """An open campaign with signatures, an update and milestones, a won one, a draft, a key."""
    owner = make_user()
    open_slug = make_campaign(
        owner=owner, goal=100, signature_count=2, milestones=[(1, "First"), (50, "Halfway")]
    )
    for name in ("Ana López", "Bea Quinn"):
        add_signature(app, open_slug, name=name, reason="Because.")
    add_update(app, open_slug, "We delivered the petition")
    won = make_campaign(
        status=CampaignStatus.VICTORY, victory_summary="They acted.",
        victory_confirmed_at=utcnow(), victory_signature_count=598,
    )  # fmt: skip
    make_campaign(status=CampaignStatus.DRAFT)
    return {"slugs": [open_slug, won], "key": make_key(app, owner)}


# Every operation in the document; the last test checks none is missing here.
OPERATIONS = [
    ("GET", "/api/v1/campaigns"),
    ("GET", "/api/v1/campaigns/{slug}"),
    ("GET", "/api/v1/campaigns/{slug}/count"),
    ("GET", "/api/v1/campaigns/{slug}/updates"),
    ("GET", "/api/v1/campaigns/{slug}/signatures"),
    ("POST", "/api/v1/campaigns/{slug}/signatures"),
    ("GET", "/api/v1/victories"),
]


def cases(operation, slugs: list[str]):
    """Valid requests on the seeded slugs (and one unknown), and invalid ones on any slug."""
    if "{slug}" in operation.path:
        positive = st.sampled_from([*slugs, "no-such-campaign"]).flatmap(
            lambda slug: operation.as_strategy(
                GenerationMode.POSITIVE, path_parameters={"slug": slug}
            )
        )
    else:
        positive = operation.as_strategy(GenerationMode.POSITIVE)
    return st.one_of(positive, operation.as_strategy(GenerationMode.NEGATIVE))


@pytest.mark.parametrize(("method", "path"), OPERATIONS)
def test_operation_answers_as_documented(app, seeded, method, path):
    """Generated requests get no 5xx, and every answer is as the document says."""
    operation = schemathesis.openapi.from_wsgi(f"{BASE}/openapi.json", app)[path][method]

    @given(case=cases(operation, seeded["slugs"]), with_key=st.booleans())
    @settings(
        max_examples=25, deadline=None, database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    )  # fmt: skip
    def run(case, with_key):
        """One generated request, answered and checked."""
        if with_key and method == "GET" and path.endswith("/signatures"):
            case.headers = {**(case.headers or {}), **bearer(seeded["key"])}
        case.call_and_validate(checks=CHECKS)

    run()


def test_every_operation_is_exercised(app):
    """The list above is the document's operations, so a new endpoint cannot be skipped."""
    document = schemathesis.openapi.from_wsgi(f"{BASE}/openapi.json", app)
    found = {(op.method.upper(), op.path) for op in (r.ok() for r in document.get_all_operations())}
    assert found == set(OPERATIONS)
