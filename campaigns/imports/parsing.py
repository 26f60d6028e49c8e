"""Reading an uploaded CSV of paper signatures: bytes to text, columns, and each row checked.

File-level problems (too large, not text, not UTF-8, missing columns, too many rows) raise
ImportFileError and nothing is stored. Row-level problems become a reason on that row, so
the organizer gets a per-row report and the good rows can still be imported.
"""

import csv
import io
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import gettext as _

from campaigns.core.services import RuleError
from campaigns.imports.countries import country_code
from campaigns.signatures.canonical import canonical_email

NAME_MAX = 120  # Signature.name's column length
EMAIL_MAX = 254
READ_CHUNK = 64 * 1024
REQUIRED = ("name", "country", "date")
# Header spellings each column accepts, compared after fold_header().
ALIASES = {
    "name": {"name", "full name", "fullname", "signer", "signer name", "signatory", "nom",
             "nom complet", "nombre", "nombre completo"},
    "country": {"country", "country code", "pays", "pais", "nation"},
    "email": {"email", "e mail", "email address", "e mail address", "mail", "courriel",
              "correo", "correo electronico"},
    "date": {"date", "signed on", "signed", "signed at", "date signed", "signature date",
             "signing date", "fecha", "date de signature"},
}  # fmt: skip
COLUMN_OF = {alias: column for column, aliases in ALIASES.items() for alias in aliases}
SLASHED = re.compile(r"(\d{1,2})([/.-])(\d{1,2})\2(\d{4})")
ISO = re.compile(r"(\d{4})[-/](\d{1,2})[-/](\d{1,2})(?:[T ][0-9:.+\-Z]*)?")
# The downloadable template, also shown on the upload page.
EXAMPLE_CSV = (
    "name,country,email,date\r\n"
    "Ana López,ES,ana.lopez@example.net,2024-03-01\r\n"
    "Jo Bloggs,United Kingdom,,2024-03-02\r\n"
)
WORDED = ("%d %B %Y", "%d %b %Y", "%B %d %Y", "%b %d %Y", "%B %d, %Y", "%b %d, %Y")
# The earliest plausible date of a signature on paper. Nothing older can belong to a
# campaign on this platform, and a floor catches years mistyped as 0001 or 1024 (which
# would be stored, sorted first and skew the daily figures).
EARLIEST = date(2000, 1, 1)


class ImportFileError(RuleError):
    """The file as a whole cannot be imported; the message says why and what to do."""

    def __init__(self, message: str, status: int = 422):
        super().__init__(message, "file", status)


@dataclass
class Row:
    """One data row of the file, with its values cleaned and the first problem found."""

    line: int
    name: str
    country: str | None = None
    email: str | None = None
    canonical: str | None = None
    signed_on: date | None = None
    reason: str | None = None  # a code from reasons.REASONS, None while accepted
    detail: str | None = None  # what the reason's message quotes (a value, a line number)
    replaces: int | None = None  # an unconfirmed online signature this row takes over

    def reject(self, reason: str, detail: str | int | None = None) -> None:
        """Mark the row rejected, keeping the first reason found."""
        if self.reason is None:
            self.reason, self.detail = reason, None if detail is None else str(detail)[:60]


def readable_size(n: int) -> str:
    """A byte limit as people read it: "5 MB", "1.5 MB", "98 KB"."""
    if n >= 1024 * 1024:
        return f"{round(n / (1024 * 1024), 1):g} MB"
    return f"{max(1, round(n / 1024))} KB"


def read_limited(data, limit: int) -> bytes:
    """The upload's bytes, read a chunk at a time and refused as soon as they pass limit."""
    stream = io.BytesIO(data) if isinstance(data, bytes | bytearray) else data
    chunks, total = [], 0
    while chunk := stream.read(READ_CHUNK):
        total += len(chunk)
        if total > limit:
            raise ImportFileError(
                _("The file is larger than %(size)s. Split it into smaller files and "
                  "upload each.", size=readable_size(limit)), status=413,
            )  # fmt: skip
        chunks.append(chunk)
    return b"".join(chunks)


def decode(raw: bytes) -> str:
    """The file's text: UTF-8 (with or without a BOM), or UTF-16 when it starts with its BOM.

    Other encodings are refused rather than guessed: a guess (say Windows-1252 for a file
    saved in Cyrillic) would store every name garbled without anyone noticing.
    """
    if not raw.strip():
        raise ImportFileError(_("The file is empty."))
    if raw.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0")):
        raise ImportFileError(
            _("This looks like a spreadsheet workbook, not a CSV file. "
              "In your spreadsheet program, save it as “CSV UTF-8”.")
        )  # fmt: skip
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            text = raw.decode("utf-16")
        except UnicodeDecodeError:
            raise ImportFileError(_("The file could not be read as text.")) from None
    else:
        try:
            text = raw.removeprefix(b"\xef\xbb\xbf").decode("utf-8")
        except UnicodeDecodeError as exc:
            line = raw.count(b"\n", 0, exc.start) + 1
            raise ImportFileError(
                _("Line %(line)s is not UTF-8 text. Save the file as “CSV UTF-8” "
                  "and upload it again.", line=line)
            ) from None  # fmt: skip
    if "\x00" in text:
        raise ImportFileError(_("This is not a text file. Upload a CSV file."))
    return text


def _delimiter(text: str) -> str:
    """Comma, semicolon (spreadsheets in many European languages) or tab: the header's commonest."""
    first = next((line for line in text.splitlines() if line.strip()), "")
    return max((",", ";", "\t"), key=first.count)


def fold_header(cell: str) -> str:
    """A header cell compared loosely: case, accents, spaces, dashes and underscores ignored."""
    text = unicodedata.normalize("NFKD", cell).encode("ascii", "ignore").decode().casefold()
    return " ".join(re.sub(r"[\s_\-]+", " ", text).split())


def _columns(header: list[str]) -> dict[str, int]:
    """Which cell holds each known column; missing required ones are named in the error."""
    positions: dict[str, int] = {}
    for index, cell in enumerate(header):
        column = COLUMN_OF.get(fold_header(cell))
        if column is None:
            continue  # extra columns (a note, a postcode) are allowed and ignored
        if column in positions:
            raise ImportFileError(
                _("Two columns hold the %(column)s: “%(first)s” and “%(second)s”. Keep one.",
                  column=column, first=header[positions[column]].strip(), second=cell.strip())
            )  # fmt: skip
        positions[column] = index
    missing = [column for column in REQUIRED if column not in positions]
    if missing:
        raise ImportFileError(
            _("The first line must name the columns; these are missing: %(missing)s. "
              "Download the template to see the expected header.", missing=", ".join(missing))
        )  # fmt: skip
    return positions


def _records(text: str) -> Iterator[tuple[int, list[str]]]:
    """(first line number, cells) of each CSV record, stopping with a message on bad quoting."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text), strict=True)
    line = 1
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error:
            raise ImportFileError(
                _("Line %(line)s could not be read as CSV: check its quotation marks.",
                  line=reader.line_num)
            ) from None  # fmt: skip
        yield line, cells
        line = reader.line_num + 1


def parse_date(value: str, *, day_first: bool = True) -> date:
    """2024-03-01, 2024/03/01, 01.03.2024, 01/03/2024 (day_first says which part is the
    day), 1 March 2024 or March 1, 2024; ValueError for anything else."""
    value = " ".join(value.split())
    if match := ISO.fullmatch(value):
        return date(int(match[1]), int(match[2]), int(match[3]))
    if match := SLASHED.fullmatch(value):
        first, second, year = int(match[1]), int(match[3]), int(match[4])
        if match[2] == "." or day_first:  # dotted dates are day first everywhere
            return date(year, second, first)
        return date(year, first, second)
    for pattern in WORDED:
        try:
            return datetime.strptime(value, pattern).date()
        except ValueError:
            continue
    raise ValueError(value)


def _cell(cells: list[str], positions: dict[str, int], column: str) -> str:
    """A row's value for a column, trimmed; empty when the row is shorter than the header."""
    index = positions.get(column)
    return cells[index].strip() if index is not None and index < len(cells) else ""


def check_row(line: int, values: dict[str, str], *, day_first: bool, latest: date) -> Row:
    """Clean one row's values and note the first problem (a reason code) if any."""
    name = " ".join(values["name"].split())
    name = "".join(ch for ch in name if unicodedata.category(ch) != "Cc")
    row = Row(line=line, name=name if len(name) <= NAME_MAX else name[:60] + "…")
    if not name:
        row.reject("missing_name")
    elif len(name) > NAME_MAX:
        row.reject("name_too_long", NAME_MAX)
    if not values["country"]:
        row.reject("missing_country")
    elif (code := country_code(values["country"])) is None:
        row.reject("unknown_country", values["country"])
    else:
        row.country = code
    if email := values["email"]:
        try:
            if len(email) > EMAIL_MAX:
                raise ValueError(email)
            row.email, row.canonical = email, canonical_email(email)
        except ValueError:
            row.reject("invalid_email")
    if not values["date"]:
        row.reject("missing_date")
    else:
        try:
            row.signed_on = parse_date(values["date"], day_first=day_first)
        except ValueError:
            row.reject("bad_date", values["date"])
        else:
            if row.signed_on > latest:
                row.reject("future_date", row.signed_on.isoformat())
            elif row.signed_on < EARLIEST:
                row.reject("too_old", row.signed_on.isoformat())
    return row


def parse(raw: bytes, *, max_rows: int, day_first: bool, latest: date) -> list[Row]:
    """Every non-blank data row of the file, checked; latest is the last plausible date."""
    records = _records(decode(raw))
    header = next((cells for _, cells in records if any(c.strip() for c in cells)), None)
    if header is None:
        raise ImportFileError(_("The file is empty."))
    positions = _columns(header)
    rows = []
    for line, cells in records:
        if not any(cell.strip() for cell in cells):
            continue
        if len(rows) >= max_rows:
            raise ImportFileError(
                _("The file has more than %(n)s signatures. Split it into smaller files.",
                  n=f"{max_rows:,}")
            )  # fmt: skip
        values = {column: _cell(cells, positions, column) for column in ALIASES}
        rows.append(check_row(line, values, day_first=day_first, latest=latest))
    if not rows:
        raise ImportFileError(_("The file has a header line but no signatures below it."))
    return rows
