"""Malformed files: each gets a clear message, and nothing at all is stored."""

import io
import os

import pytest
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from campaigns.models import CampaignStatus
from tests.conftest import login
from tests.imports.helpers import csv_bytes, imports_of, signatures_of, upload

MB = 1024 * 1024


@pytest.fixture
def organizer(client, make_user, make_campaign):
    """An open campaign whose owner is logged in; returns its slug."""
    owner = make_user()
    slug = make_campaign(owner=owner, status=CampaignStatus.OPEN)
    assert login(client, owner.email).status_code == 302
    return slug


def assert_nothing_stored(app, slug: str) -> None:
    """No import and no signature was written."""
    assert imports_of(app, slug) == []
    assert signatures_of(app, slug) == []


def test_ten_megabytes_of_garbage_get_a_friendly_413(app, client, organizer):
    """A body over MAX_CONTENT_LENGTH is refused before it is read: 413, a plain page."""
    # Encoded in memory: the test client's own temporary file for big bodies is never closed.
    fields = {"file": FileStorage(io.BytesIO(os.urandom(10 * MB)), "garbage.csv"),
              "date_order": "day"}  # fmt: skip
    boundary, body = encode_multipart(fields)
    response = client.post(f"/campaigns/{organizer}/imports", data=body,
                           content_type=f"multipart/form-data; boundary={boundary}")  # fmt: skip
    assert response.status_code == 413
    assert "File too large" in response.text
    assert "larger than 5 MB" in response.text
    assert f"/campaigns/{organizer}/imports" in response.text  # a way back
    assert_nothing_stored(app, organizer)


def test_a_file_over_the_import_limit_is_stopped_while_read(app_factory, make_user, make_campaign):
    """Under the request limit but over IMPORT_MAX_BYTES: refused as it is read, 413."""
    app = app_factory(IMPORT_MAX_BYTES=100_000)
    client = app.test_client()
    owner = make_user()
    slug = make_campaign(owner=owner)
    login(client, owner.email)
    body = csv_bytes("name,country,date", *["Paper Person,GB,2024-01-01"] * 5000)
    assert len(body) > 100_000
    response = upload(client, slug, body)
    assert response.status_code == 413
    assert "The file is larger than 98 KB." in response.text
    assert_nothing_stored(app, slug)


BAD_FILES = [
    ("empty", b"", "The file is empty."),
    ("blank lines", b"\r\n\r\n  \n", "The file is empty."),
    ("header only", b"name,country,date\n", "a header line but no signatures"),
    ("missing columns", csv_bytes("Name,Email", "Ana,ana@example.org"),
     "these are missing: country, date"),
    ("column twice", csv_bytes("name,full name,country,date", "A,A,GB,2024-01-01"),
     "Two columns hold the name"),
    ("windows-1252", csv_bytes("name,country,date", "Ana,ES,2024-01-01", "José,ES,2024-01-01",
                               encoding="cp1252"), "Line 3 is not UTF-8 text"),
    ("binary with NUL", b"name,country,date\n\x00\x01\x02\x03", "This is not a text file."),
    ("workbook", b"PK\x03\x04" + os.urandom(2000), "spreadsheet workbook"),
    ("random bytes", bytes(range(128, 256)) * 40, "Line 1 is not UTF-8 text"),
    ("bad quoting", csv_bytes("name,country,date", '"Ana" López,ES,2024-01-01'),
     "Line 2 could not be read as CSV"),
]  # fmt: skip


@pytest.mark.parametrize(("case", "body", "message"), BAD_FILES, ids=[c[0] for c in BAD_FILES])
def test_malformed_files_change_nothing(app, client, organizer, case, body, message):
    """Each malformed file is refused with a message on the form (422) and no rows."""
    response = upload(client, organizer, body)
    assert response.status_code == 422, case
    assert message in response.text
    assert 'aria-invalid="true"' in response.text  # the message sits on the file field
    assert_nothing_stored(app, organizer)


def test_default_row_limit_keeps_an_upload_short(app):
    """10,000 rows by default: a 50,000-row file held the only SQLite writer for ~20 s."""
    assert app.config["IMPORT_MAX_ROWS"] == 10_000


def test_too_many_rows(app_factory, make_user, make_campaign):
    """More rows than IMPORT_MAX_ROWS: the whole file is refused, naming the limit."""
    app = app_factory(IMPORT_MAX_ROWS=3)
    client = app.test_client()
    owner = make_user()
    slug = make_campaign(owner=owner)
    login(client, owner.email)
    body = csv_bytes("name,country,date", *[f"P{n},GB,2024-01-01" for n in range(4)])
    response = upload(client, slug, body)
    assert response.status_code == 422
    assert "more than 3 signatures" in response.text
    assert_nothing_stored(app, slug)


def test_no_file_chosen(app, client, organizer):
    """Submitting the form without a file asks for one."""
    response = client.post(
        f"/campaigns/{organizer}/imports", data={"date_order": "day"},
        content_type="multipart/form-data",
    )  # fmt: skip
    assert response.status_code == 422
    assert "Choose a CSV file to upload." in response.text
    assert_nothing_stored(app, organizer)


def test_utf8_bom_semicolons_and_utf16_are_read(app, client, organizer):
    """Excel's usual exports: UTF-8 with a BOM and semicolons, and UTF-16 with tabs."""
    bom = "\ufeffNom;Pays;Courriel;Date\r\nZoé;France;zoe@example.org;01/03/2024\r\n"
    assert upload(client, organizer, bom.encode("utf-8")).status_code == 302
    utf16 = "name\tcountry\tdate\r\nGōngxǐ 李\tDE\t2024-03-02\r\n"
    assert upload(client, organizer, utf16.encode("utf-16")).status_code == 302
    first, second = imports_of(app, organizer)
    assert first.report[0] | {"reason": None} == {
        "line": 2, "name": "Zoé", "country": "FR", "date": "2024-03-01",
        "status": "accepted", "reason": None, "detail": None,
    }  # fmt: skip
    assert second.report[0]["name"] == "Gōngxǐ 李" and second.rows_accepted == 1
