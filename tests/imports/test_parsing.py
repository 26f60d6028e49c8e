"""Reading a paper-signature CSV: headers, dates, countries, and each row's reason."""

import io
from datetime import date

import pytest

from campaigns.imports.parsing import (
    ImportFileError,
    check_row,
    parse,
    parse_date,
    read_limited,
    readable_size,
)
from campaigns.imports.reasons import REASONS, reason_text
from tests.conftest import make_app

LATEST = date(2025, 6, 30)


@pytest.fixture(scope="module")
def ctx():
    """An app context for country names (no database is touched)."""
    app = make_app("sqlite://")
    with app.test_request_context():
        yield app


def rows_of(text: str, **options) -> list:
    """Parse a CSV given as text."""
    return parse(text.encode(), max_rows=100, day_first=options.get("day_first", True),
                 latest=LATEST)  # fmt: skip


@pytest.mark.parametrize(
    ("written", "day_first", "expected"),
    [
        ("2024-03-01", True, date(2024, 3, 1)),
        ("2024-3-1", True, date(2024, 3, 1)),
        ("2024/03/01", False, date(2024, 3, 1)),
        ("2024-03-01T10:30:00Z", True, date(2024, 3, 1)),
        ("01/03/2024", True, date(2024, 3, 1)),
        ("01/03/2024", False, date(2024, 1, 3)),
        ("01.03.2024", False, date(2024, 3, 1)),  # dotted dates are day first everywhere
        ("1 March 2024", True, date(2024, 3, 1)),
        ("Mar 1, 2024", True, date(2024, 3, 1)),
    ],
)
def test_dates_read(written, day_first, expected):
    """ISO dates, slashed ones in the chosen order, dotted and written-out ones."""
    assert parse_date(written, day_first=day_first) == expected


@pytest.mark.parametrize("written", ["yesterday", "31/02/2024", "13/13/2024", "01/03/24", "2024"])
def test_unreadable_dates_refused(written):
    """Impossible dates, two-digit years and words are not guessed."""
    with pytest.raises(ValueError):
        parse_date(written)


def test_headers_any_case_order_and_alias(ctx):
    """Headers are matched loosely, in any order; unknown columns are ignored."""
    (row,) = rows_of("Notes , SIGNED ON,e_mail,Country Code,Full-Name\n"
                     "hi,2024-01-02,a@example.org,fr,  Ana   María  \n")  # fmt: skip
    assert (row.name, row.country, row.email, row.signed_on, row.reason) == (
        "Ana María", "FR", "a@example.org", date(2024, 1, 2), None)  # fmt: skip


@pytest.mark.parametrize(
    ("written", "code"),
    [("gb", "GB"), ("United Kingdom", "GB"), ("U.K.", "GB"), ("england", "GB"),
     ("Royaume-Uni", "GB"), ("Deutschland", "DE"), ("España", "ES"), ("espana", "ES"),
     ("Côte d\u2019Ivoire", "CI"), ("USA", "US"), ("Bosnia & Herzegovina", "BA"),
     ("भारत", "IN"), ("Atlantis", None), ("EU", None), ("ZZ", None)],
)  # fmt: skip
def test_countries_by_code_or_name(ctx, written, code):
    """Codes and names in several languages are recognised; non-countries are not."""
    row = check_row(2, {"name": "A", "country": written, "email": "", "date": "2024-01-01"},
                    day_first=True, latest=LATEST)  # fmt: skip
    assert row.country == code
    assert row.reason == (None if code else "unknown_country")


@pytest.mark.parametrize(
    ("values", "reason"),
    [
        ({"name": ""}, "missing_name"),
        ({"name": "x" * 121}, "name_too_long"),
        ({"country": ""}, "missing_country"),
        ({"country": "Narnia"}, "unknown_country"),
        ({"email": "nope"}, "invalid_email"),
        ({"email": "a" * 250 + "@example.org"}, "invalid_email"),
        ({"date": ""}, "missing_date"),
        ({"date": "soon"}, "bad_date"),
        ({"date": "2025-07-01"}, "future_date"),
        ({"date": "2025-06-30"}, None),
        ({"date": "0001-01-01"}, "too_old"),
        ({"date": "31/12/1999"}, "too_old"),
        ({"date": "2000-01-01"}, None),
    ],
)
def test_row_reasons(ctx, values, reason):
    """Each problem gets its own reason code and a sentence explaining it."""
    base = {"name": "Ana", "country": "ES", "email": "", "date": "2024-01-01"}
    row = check_row(7, base | values, day_first=True, latest=LATEST)
    assert row.reason == reason
    if reason:
        assert reason in REASONS and reason_text(reason, row.detail)


def test_every_reason_has_a_message(ctx):
    """No reason code is shown as an empty cell."""
    assert all(reason_text(code, "x") for code in REASONS)


def test_reports_stored_with_former_codes_still_read(ctx):
    """Reports saved before the neutral reason show it for their old codes too."""
    neutral = reason_text("already_counted")
    assert reason_text("signed_online") == reason_text("earlier_import") == neutral


def test_line_numbers_follow_the_file(ctx):
    """Blank lines are skipped but counted; a quoted line break stays in one row."""
    rows = rows_of('name,country,date\n\nA,GB,2024-01-01\n"B\nC",GB,2024-01-01\nD,GB,2024-01-01\n')
    assert [(row.line, row.name) for row in rows] == [(3, "A"), (4, "B C"), (6, "D")]


def test_short_rows_are_missing_values(ctx):
    """A row with fewer cells than the header is rejected for what it lacks."""
    (row,) = rows_of("name,country,date\nAna,ES\n")
    assert row.reason == "missing_date"


def test_stream_is_read_only_up_to_the_limit():
    """The limit is checked while reading: a larger stream is refused without reading it all."""
    stream = io.BytesIO(b"x" * 1_000_000)
    with pytest.raises(ImportFileError) as caught:
        read_limited(stream, 100_000)
    assert caught.value.status == 413
    assert stream.tell() < 200_000
    assert read_limited(io.BytesIO(b"abc"), 3) == b"abc"


def test_readable_sizes():
    """Limits are written the way people read them."""
    assert [readable_size(n) for n in (5 * 1024 * 1024, 1536 * 1024, 100_000)] == [
        "5 MB", "1.5 MB", "98 KB"]  # fmt: skip
