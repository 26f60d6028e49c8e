"""One JSON error shape under /api/, rate limits as JSON 429s, and a valid OpenAPI document."""

import pytest
import schemathesis
from sqlalchemy.exc import OperationalError

from campaigns.api import queries
from tests.api.v1_helpers import BASE, assert_error, bearer, make_key

SIGNER = {"name": "Ana", "email": "ana@example.org", "country": "GB"}


@pytest.mark.parametrize(
    "path", ["/api/v1/nothing", "/api/v1/campaigns/a/b/c", "/api/other", "/api"]
)
def test_unknown_api_routes_are_json_404(client, path):
    """Any unknown address under /api/ answers in the API's shape, not the site's page."""
    assert_error(client.get(path), 404, "not_found")


def test_site_pages_keep_their_html_errors(client):
    """Outside /api/ nothing changed: a missing page is the styled HTML page."""
    response = client.get("/no-such-page")
    assert response.status_code == 404 and response.mimetype == "text/html"
    assert "Page not found" in response.get_data(as_text=True)


def test_wrong_method_is_405_with_allow(client):
    """A method the address does not take is a JSON 405 that lists the ones it does."""
    error = assert_error(client.delete(f"{BASE}/campaigns"), 405, "method_not_allowed")
    assert error["message"]
    allowed = client.delete(f"{BASE}/campaigns").headers["Allow"]
    assert "GET" in allowed and "DELETE" not in allowed


def test_server_errors_are_json_without_a_trace(app, client):
    """An unexpected exception is a JSON 500 saying nothing of what went wrong; pages stay HTML."""
    app.config["PROPAGATE_EXCEPTIONS"] = False

    def boom():
        """Fail the way a bug would."""
        raise RuntimeError("secret detail in /srv/app/db.py")

    app.add_url_rule(f"{BASE}/boom", "api_boom", boom)
    app.add_url_rule("/boom", "site_boom", boom)
    response = client.get(f"{BASE}/boom")
    assert_error(response, 500, "server_error")
    text = response.get_data(as_text=True)
    assert "secret detail" not in text and "Traceback" not in text
    assert client.get("/boom").mimetype == "text/html"


def test_database_outage_is_json_503_with_retry_after(client, monkeypatch):
    """A lost database is a 503 asking the client to come back, never a 500."""

    def down(**_):
        """The database went away."""
        raise OperationalError("SELECT 1", {}, Exception("connection refused"))

    monkeypatch.setattr(queries, "victories_page", down)
    response = client.get(f"{BASE}/victories")
    assert_error(response, 503, "unavailable")
    assert response.headers["Retry-After"].isdigit()


def test_nul_bytes_are_a_json_400(client):
    """NUL characters, refused everywhere, are refused here in the API's shape."""
    assert_error(client.get(f"{BASE}/campaigns?q=a%00b"), 400, "bad_request")


def test_public_limit_is_one_bucket_per_address(app_factory, make_campaign):
    """API_LIMIT_PER_IP counts every public endpoint together; over it, a JSON 429."""
    app = app_factory(RATELIMIT_ENABLED=True, API_LIMIT_PER_IP="2 per minute")
    slug = make_campaign()
    client = app.test_client()
    assert client.get(f"{BASE}/campaigns").status_code == 200
    assert client.get(f"{BASE}/victories").status_code == 200
    response = client.get(f"{BASE}/campaigns/{slug}/count")
    error = assert_error(response, 429, "rate_limited")
    assert error["details"]["limit"] and int(response.headers["Retry-After"]) > 0
    other = client.get(f"{BASE}/victories", environ_base={"REMOTE_ADDR": "10.0.0.9"})
    assert other.status_code == 200


def test_key_limit_counts_per_key(app_factory, make_user, make_campaign):
    """API_LIMIT_PER_KEY counts each key on its own."""
    app = app_factory(RATELIMIT_ENABLED=True, API_LIMIT_PER_KEY="1 per minute")
    owner = make_user()
    slug = make_campaign(owner=owner)
    first, second = make_key(app, owner), make_key(app, owner)
    client = app.test_client()
    url = f"{BASE}/campaigns/{slug}/signatures"
    assert client.get(url, headers=bearer(first)).status_code == 200
    assert_error(client.get(url, headers=bearer(first)), 429, "rate_limited")
    assert client.get(url, headers=bearer(second)).status_code == 200


def test_sign_limit_per_address(app_factory, make_campaign):
    """API_SIGN_LIMIT_PER_IP refuses further signing from one address with a JSON 429."""
    app = app_factory(RATELIMIT_ENABLED=True, API_SIGN_LIMIT_PER_IP="1 per minute")
    slug = make_campaign()
    client = app.test_client()
    url = f"{BASE}/campaigns/{slug}/signatures"
    assert client.post(url, json=SIGNER).status_code == 202
    response = client.post(url, json={**SIGNER, "email": "bo@example.org"})
    assert_error(response, 429, "rate_limited")
    assert response.headers["Retry-After"]


def test_openapi_document_is_valid_and_complete(app, client):
    """A valid OpenAPI 3 document listing every endpoint, each documenting the error envelope."""
    response = client.get(f"{BASE}/openapi.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    document = response.get_json()
    assert document["openapi"].startswith("3.")
    schemathesis.openapi.from_dict(document).validate()
    expected = {
        ("/api/v1/campaigns", "get"), ("/api/v1/campaigns/{slug}", "get"),
        ("/api/v1/campaigns/{slug}/count", "get"), ("/api/v1/campaigns/{slug}/updates", "get"),
        ("/api/v1/campaigns/{slug}/signatures", "get"),
        ("/api/v1/campaigns/{slug}/signatures", "post"), ("/api/v1/victories", "get"),
    }  # fmt: skip
    operations = {
        (p, m) for p, item in document["paths"].items() for m in item if m != "parameters"
    }
    assert operations == expected
    for path, method in expected:
        default = document["paths"][path][method]["responses"]["default"]
        assert default == {"$ref": "#/components/responses/DEFAULT_ERROR"}
    keyed = document["paths"]["/api/v1/campaigns/{slug}/signatures"]["get"]
    assert keyed["security"] == [{"apiKey": []}]
    assert document["components"]["securitySchemes"]["apiKey"]["scheme"] == "bearer"
    envelope = document["components"]["schemas"]["ErrorEnvelope"]
    assert envelope["required"] == ["error"]
