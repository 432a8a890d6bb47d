"""LibreOffice's .ods registers import by the same rules as CSV and .xlsx (issue 15).

The spreadsheets are made here as LibreOffice writes them (a zip holding ``mimetype`` first,
stored, and ``content.xml`` with typed cells: dates as ``office:date-value``, TRUE/FALSE as
``office:boolean-value``, numbers as ``office:value``), so the reader meets real cell types.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

import pytest

from tests.conftest import NewDb
from tests.test_cli import BASE_COMMON, SW, ledger, run
from tests.test_register import CHANNEL_HEADS, added, grant, put, refused

_NS = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"'
    ' xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"'
    ' xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"'
)


def _cell(value: object) -> str:
    if value is None:
        return "<table:table-cell/>"
    if isinstance(value, bool):
        return (
            f'<table:table-cell office:value-type="boolean" office:boolean-value='
            f'"{str(value).lower()}"><text:p>{str(value).upper()}</text:p></table:table-cell>'
        )
    if isinstance(value, dt.date):
        return (
            f'<table:table-cell office:value-type="date" office:date-value="{value.isoformat()}">'
            f"<text:p>{value:%d/%m/%Y}</text:p></table:table-cell>"
        )
    if isinstance(value, int | float):
        return (
            f'<table:table-cell office:value-type="float" office:value="{value}">'
            f"<text:p>{value}</text:p></table:table-cell>"
        )
    return (
        '<table:table-cell office:value-type="string">'
        f"<text:p>{escape(str(value))}</text:p></table:table-cell>"
    )


def _sheet(name: str, rows: list[list[object]]) -> str:
    body = "".join(
        "<table:table-row>" + "".join(_cell(v) for v in row) + "</table:table-row>" for row in rows
    )
    return f'<table:table table:name="{name}">{body}</table:table>'


def ods(rows: list[list[object]], extra_sheet: bool = False) -> bytes:
    sheets = _sheet("Register", rows)
    if extra_sheet:
        sheets += _sheet("Notes", [["something else"]])
    content = (
        f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {_NS}'
        f' office:version="1.2"><office:body><office:spreadsheet>{sheets}'
        "</office:spreadsheet></office:body></office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest='
        '"urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
        '<manifest:file-entry manifest:full-path="/" manifest:media-type='
        '"application/vnd.oasis.opendocument.spreadsheet"/><manifest:file-entry'
        ' manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>'
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr(
            zipfile.ZipInfo("mimetype"),
            "application/vnd.oasis.opendocument.spreadsheet",
            compress_type=zipfile.ZIP_STORED,
        )
        z.writestr("META-INF/manifest.xml", manifest, compress_type=zipfile.ZIP_DEFLATED)
        z.writestr("content.xml", content, compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


def test_an_ods_spreadsheet_imports_by_the_same_rules(
    workdir: Path, new_db: NewDb, capsys: pytest.CaptureFixture[str]
) -> None:
    """Dates as dates, Yes/No as text and as TRUE/FALSE, a form number as a number."""
    db = ledger(capsys, new_db, BASE_COMMON, SW)
    data = ods(
        [
            [
                *("Child ref", "Parent/Carer ref", "Form No.", "Date signed", "Method"),
                *CHANNEL_HEADS,
            ],
            ["C-0001", "G-0001", 17, dt.date(2025, 9, 3), "Paper", "Yes", "No"],
            ["C-0002", "G-0002", "F-18", "04/09/2025", "email", True, False],
            ["C-0002", "G-0002", "F-19", dt.date(2025, 9, 5), "email", None, None],
        ]
    )
    path = put(workdir, "", "Consent register.ods", raw=data)
    result = run(capsys, "--db", db, "import", str(path))
    assert result.status == 0, result.text
    assert "1 row says No" in result.out
    assert added(capsys, db, 1 + len(BASE_COMMON)) == [
        grant("C-0001", "G-0001", "closed-group", "2025-09-03", "17", "paper"),
        grant("C-0002", "G-0002", "closed-group", "2025-09-04", "F-18", "email"),
    ]
    again = run(capsys, "--db", db, "import", str(path))
    assert "Nothing was recorded" in again.out


@pytest.mark.parametrize(
    ("rows", "extra_sheet", "says"),
    [
        pytest.param(
            [
                ["Child", "Parent", "Channel", "Photo Consent", "Date signed", "Form", "Method"],
                ["C-0001", "G-0001", "closed-group", "maybe", "03/09/2025", "F-1", "paper"],
            ],
            False,
            "line 2, column `Photo Consent`: `maybe` is not a Yes/No answer",
            id="bad-answer",
        ),
        pytest.param(
            [
                ["Child", "Parent", "Channel", "Date signed", "Form", "Method"],
                ["C-0001", "G-0001", "closed-group", dt.date(2025, 9, 3), "F-1", "fax"],
            ],
            False,
            "line 2, column `Method`",
            id="bad-method",
        ),
        pytest.param(
            [["Child", "Parent", "Channel", "Date signed", "Form", "Method", "Room"]],
            False,
            "line 1, column `Room`: this column is not understood",
            id="unknown-column",
        ),
        pytest.param(
            [["Child", "Parent", "Channel", "Date signed", "Form", "Method"]],
            True,
            "the spreadsheet has 2 sheets with something on them",
            id="two-sheets",
        ),
        pytest.param([], False, "the spreadsheet is empty", id="empty"),
    ],
)
def test_a_bad_ods_is_refused_as_a_bad_csv_is(
    workdir: Path,
    new_db: NewDb,
    capsys: pytest.CaptureFixture[str],
    rows: list[list[object]],
    extra_sheet: bool,
    says: str,
) -> None:
    db = ledger(capsys, new_db, BASE_COMMON, SW)
    path = put(workdir, "", "register.ods", raw=ods(rows, extra_sheet))
    result = refused(capsys, db, path)
    assert says in result.err


@pytest.mark.parametrize("raw", [b"", b"PK\x03\x04 not really a zip", b"Child,Parent\n"])
def test_a_file_named_ods_that_is_no_spreadsheet_is_refused(
    workdir: Path, new_db: NewDb, capsys: pytest.CaptureFixture[str], raw: bytes
) -> None:
    db = ledger(capsys, new_db, BASE_COMMON, SW)
    path = put(workdir, "", "register.ods", raw=raw)
    result = refused(capsys, db, path)
    assert "not an OpenDocument spreadsheet that can be read" in result.err
