"""A spreadsheet's consent register means what it says (issue 15, items 1-3).

Every test drives ``ledger.cli.main`` on a ledger in the test's store (SQLite and PostgreSQL).
A "No" is never a consent; a column the importer does not understand is an error naming it (as
the spreadsheet spells it) unless ``--ignore`` says to leave it out; errors name the line, the
column as spelled, the value of a structured cell and what would be accepted; a refused register
writes nothing. The people are invented; their names must never appear in any message.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import tempfile
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any, NamedTuple
from xml.sax.saxutils import escape

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ledger import store as ledger_store
from ledger.cli import main
from ledger.importer import HEADINGS, NO, YES
from projections import status
from tests.conftest import STORES, NewDb, config_for, fresh_db
from tests.test_cli import (
    BASE_COMMON,
    CHILD_1,
    CHILD_2,
    GUARDIAN_1,
    GUARDIAN_2,
    NOW,
    SW,
    Fact,
    Result,
    assert_private,
    export,
    facts_of,
    files,
    import_facts,
    init,
    jsonl,
    ledger,
    run,
)

WW = "west-wycombe-preschool"  # its channels: facebook-page, personal-account

# Base facts plus a member of the closed group who may post there (G-0001).
BASE: list[Fact] = [
    *BASE_COMMON,
    {"type": "MemberAdmitted", "on": "2025-09-05", "member": "G-0001"},
]
HEADER = "Child,Parent,Channel,Date signed,Form,Method\n"
STRIP = ("position", "recorded_at", "leaf", "sealed")


@pytest.fixture(autouse=True)
def _pinned_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LEDGER_NOW", NOW)
    monkeypatch.delenv("LEDGER_DB", raising=False)
    monkeypatch.delenv("LEDGER_KEY", raising=False)


def put(folder: Path, text: str, name: str = "register.csv", *, raw: bytes | None = None) -> Path:
    path = folder / name
    path.write_bytes(raw if raw is not None else text.encode("utf-8"))
    return path


def added(capsys: pytest.CaptureFixture[str], db: str, before: int) -> list[dict[str, Any]]:
    """The facts recorded after the first ``before`` facts, without record-time fields."""
    recorded = facts_of(export(capsys, db))[before:]
    return [{k: v for k, v in f.items() if k not in STRIP} for f in recorded]


def grant(child: str, guardian: str, channel: str, on: str, evidence: str, method: str) -> Fact:
    return {
        "type": "ConsentGranted",
        "on": on,
        "child": child,
        "guardian": guardian,
        "channel": channel,
        "evidence": evidence,
        "method": method,
    }


def refused(capsys: pytest.CaptureFixture[str], db: str, path: Path, *extra: str) -> Result:
    """Import the file, which must be refused (exit 2) with nothing written."""
    before = files(db)
    exported = export(capsys, db)
    result = run(capsys, "--db", db, "import", str(path), *extra)
    assert result.status == 2, result.text
    assert "refused" in result.err, result.err
    assert files(db) == before
    assert export(capsys, db) == exported
    return result


def check_post(capsys: pytest.CaptureFixture[str], db: str) -> Result:
    return run(
        capsys,
        "--db",
        db,
        "check",
        "post",
        "--channel",
        "closed-group",
        "--author",
        "G-0001",
        "--depicts",
        "C-0001",
        "--device",
        "T-01",
        "--on",
        "2025-10-01",
    )


# --- 1. No is never a grant ---------------------------------------------------------------------


def test_a_photo_consent_no_records_nothing_and_check_post_says_no(
    workdir: Path, new_db: NewDb, capsys: pytest.CaptureFixture[str]
) -> None:
    """Issue 15, item 1: `Photo Consent` = No was imported as a grant; check post said Yes."""
    db = ledger(capsys, new_db, BASE, SW)
    path = put(
        workdir,
        "Child,Parent,Channel,Photo Consent,Date signed,Form,Method\n"
        "C-0001,G-0001,closed-group,No,03/09/2025,F-17,Paper\n",
    )
    result = run(capsys, "--db", db, "import", str(path))
    assert result.status == 0, result.text
    assert "1 row says No (not consent): nothing recorded" in result.out
    assert "Nothing was recorded" in result.out
    assert added(capsys, db, 1 + len(BASE)) == []
    answer = check_post(capsys, db)
    assert answer.status == 1, answer.text
    assert "C-0001" in answer.text


def test_a_photo_consent_yes_is_a_grant_and_check_post_says_yes(
    workdir: Path, new_db: NewDb, capsys: pytest.CaptureFixture[str]
) -> None:
    """The same register with Yes: the control for the test above (the No is what differs)."""
    db = ledger(capsys, new_db, BASE, SW)
    path = put(
        workdir,
        "Child,Parent,Channel,Photo Consent,Date signed,Form,Method\n"
        "C-0001,G-0001,closed-group,Yes,03/09/2025,F-17,Paper\n"
        "C-0002,G-0002,public-page,no,03/09/2025,F-18,Paper\n",
    )
    result = run(capsys, "--db", db, "import", str(path))
    assert result.status == 0, result.text
    assert "Recorded 1 consent given" in result.out
    assert "1 row says No" in result.out
    assert added(capsys, db, 1 + len(BASE)) == [
        grant("C-0001", "G-0001", "closed-group", "2025-09-03", "F-17", "paper")
    ]
    assert check_post(capsys, db).status == 0


@pytest.mark.parametrize("heading", ["Consent", "Consent given", "Photo permission", "Photos"])
@pytest.mark.parametrize(
    ("answer", "granted"),
    [
        *[(yes, True) for yes in ("yes", "Y", "TRUE", "1", "x", "✓", "✔", "Granted", "given")],
        *[(no, False) for no in ("no", "N", "False", "0", "refused", "Declined", "", "  ")],
    ],
)
def test_every_yes_and_no_form_of_a_generic_consent_column(
    workdir: Path,
    new_db: NewDb,
    capsys: pytest.CaptureFixture[str],
    heading: str,
    answer: str,
    granted: bool,
) -> None:
    db = ledger(capsys, new_db, BASE_COMMON, SW)
    path = put(
        workdir,
        f"Child ref,Parent ref,Channel,{heading},Date signed,Form ref,Method\n"
        f"C-0001,G-0001,closed-group,{answer},03/09/2025,F-17,paper\n",
    )
    result = run(capsys, "--db", db, "import", str(path))
    assert result.status == 0, result.text
    expected = [grant("C-0001", "G-0001", "closed-group", "2025-09-03", "F-17", "paper")]
    assert added(capsys, db, 1 + len(BASE_COMMON)) == (expected if granted else [])


def test_a_column_per_channel_grants_exactly_its_yes_cells(
    workdir: Path, new_db: NewDb, capsys: pytest.CaptureFixture[str]
) -> None:
    db = ledger(capsys, new_db, BASE_COMMON, SW)
    path = put(
        workdir,
        "Child,Parent/Carer ref,Closed Group,Public Page,Date signed,Form No.,Method\n"
        "C-0001,G-0001,Yes,No,03/09/2025,F-17,Paper\n"
        "C-0002,G-0002,,y,04/09/2025,F-18,email\n"
        "C-0002,G-0002,no,,05/09/2025,F-19,email\n",
    )
    result = run(capsys, "--db", db, "import", str(path))
    assert result.status == 0, result.text
    assert "Read 3 rows" in result.out
    assert "1 row says No" in result.out
    assert added(capsys, db, 1 + len(BASE_COMMON)) == [
        grant("C-0001", "G-0001", "closed-group", "2025-09-03", "F-17", "paper"),
        grant("C-0002", "G-0002", "public-page", "2025-09-04", "F-18", "email"),
    ]


def test_channel_headings_as_people_write_them_map_to_the_profiles_channels(
    workdir: Path, new_db: NewDb, capsys: pytest.CaptureFixture[str]
) -> None:
    db = ledger(capsys, new_db, BASE_COMMON, WW)
    path = put(
        workdir,
        "Child,Parent,Facebook page,Date signed,Form,Method\nC-0001,G-0001,✓,03/09/2025,F-17,app\n",
    )
    result = run(capsys, "--db", db, "import", str(path))
    assert result.status == 0, result.text
    assert added(capsys, db, 1 + len(BASE_COMMON)) == [
        grant("C-0001", "G-0001", "facebook-page", "2025-09-03", "F-17", "app")
    ]


@pytest.mark.parametrize("heading", ["Website", "Facebook page", "Instagram consent"])
def test_a_heading_like_a_channel_of_another_profile_is_refused_with_the_list(
    workdir: Path, new_db: NewDb, capsys: pytest.CaptureFixture[str], heading: str
) -> None:
    db = ledger(capsys, new_db, BASE_COMMON, SW)
    path = put(
        workdir,
        f"Child,Parent,Closed Group,{heading},Date signed,Form,Method\n"
        "C-0001,G-0001,Yes,Yes,03/09/2025,F-17,Paper\n",
    )
    result = refused(capsys, db, path)
    assert f"line 1, column `{heading}`" in result.err
    assert "closed-group, public-page, personal-account" in result.err


def test_a_channel_cell_not_of_the_profile_lists_the_profiles_channels(
    workdir: Path, new_db: NewDb, capsys: pytest.CaptureFixture[str]
) -> None:
    """Issue 15, item 2: `Closed Group` got "expected a channel of the profile" with no list."""
    db = ledger(capsys, new_db, BASE_COMMON, SW)
    good = put(
        workdir,
        HEADER + "C-0001,G-0001,Closed Group,03/09/2025,F-17,Paper\n",
        "good.csv",
    )
    result = run(capsys, "--db", db, "import", str(good))
    assert result.status == 0, result.text  # `Closed Group` is closed-group
    path = put(
        workdir,
        HEADER + "C-0002,G-0002,Instagram,03/09/2025,F-18,Paper\n",
    )
    result = refused(capsys, db, path)
    assert "line 2, column `Channel` (field `channel`)" in result.err
    assert "the cell is not a channel" in result.err  # a capitalised word may be a name
    assert "Instagram" not in result.err
    assert "closed-group, public-page, personal-account" in result.err


@pytest.mark.parametrize("value", ["maybe", "yes please", "2", "N/A"])
def test_a_yes_no_cell_that_is_neither_is_refused_naming_line_column_value_and_forms(
    workdir: Path, new_db: NewDb, capsys: pytest.CaptureFixture[str], value: str
) -> None:
    db = ledger(capsys, new_db, BASE_COMMON, SW)
    path = put(
        workdir,
        "Child,Parent,Channel,Photo Consent,Date signed,Form,Method\n"
        "C-0001,G-0001,closed-group,Yes,03/09/2025,F-17,Paper\n"
        f"C-0002,G-0002,closed-group,{value},03/09/2025,F-18,Paper\n",
    )
    result = refused(capsys, db, path)
    assert "line 3, column `Photo Consent`" in result.err
    assert f"`{value}` is not a Yes/No answer" in result.err
    assert "yes, y, true, 1, x, ✓, ✔, granted, given" in result.err
    assert "no, n, false, 0, refused, declined" in result.err


def test_a_consent_column_without_a_channel_column_is_refused(
    workdir: Path, new_db: NewDb, capsys: pytest.CaptureFixture[str]
) -> None:
    db = ledger(capsys, new_db, BASE_COMMON, SW)
    path = put(
        workdir,
        "Child,Parent,Photo Consent,Date signed,Form,Method\n"
        "C-0001,G-0001,Yes,03/09/2025,F-17,Paper\n",
    )
    result = refused(capsys, db, path)
    assert "column `Photo Consent`" in result.err
    assert "`Channel` column" in result.err


# --- 2. a column not understood is an error naming it --------------------------------------------


def test_an_unknown_column_is_refused_by_name_and_ignore_leaves_it_out(
    workdir: Path, new_db: NewDb, capsys: pytest.CaptureFixture[str]
) -> None:
    db = ledger(capsys, new_db, BASE_COMMON, SW)
    path = put(
        workdir,
        "Child,Parent,Channel,Date signed,Form,Method,Room,Notes\n"
        "C-0001,G-0001,closed-group,03/09/2025,F-17,Paper,Rainbows,see file\n",
    )
    result = refused(capsys, db, path)
    assert "line 1, column `Room`: this column is not understood" in result.err
    assert "--ignore 'Room'" in result.err
    result = refused(capsys, db, path, "--ignore", "Room")
    assert "column `Notes`" in result.err
    result = run(capsys, "--db", db, "import", str(path), "--ignore", "room", "--ignore", "Notes")
    assert result.status == 0, result.text
    assert added(capsys, db, 1 + len(BASE_COMMON)) == [
        grant("C-0001", "G-0001", "closed-group", "2025-09-03", "F-17", "paper")
    ]


def test_ignoring_a_column_the_file_does_not_have_is_refused(
    workdir: Path, new_db: NewDb, capsys: pytest.CaptureFixture[str]
) -> None:
    db = ledger(capsys, new_db, BASE_COMMON, SW)
    path = put(
        workdir,
        HEADER + "C-0001,G-0001,closed-group,03/09/2025,F-17,Paper\n",
    )
    result = refused(capsys, db, path, "--ignore", "Romo")
    assert "--ignore 'Romo'" in result.err
    assert "`Date signed`" in result.err  # the columns the file has


@pytest.mark.parametrize("heading", ["Child name", "Parent/Carer name", "Surname"])
def test_name_columns_are_refused_saying_names_are_not_needed(
    workdir: Path, new_db: NewDb, capsys: pytest.CaptureFixture[str], heading: str
) -> None:
    db = ledger(capsys, new_db, BASE_COMMON, SW)
    path = put(
        workdir,
        f"Child,{heading},Parent,Channel,Date signed,Form,Method\n"
        f"C-0001,{CHILD_1},G-0001,closed-group,03/09/2025,F-17,Paper\n",
    )
    result = refused(capsys, db, path)
    assert f"column `{heading}`" in result.err
    assert "does not need names" in result.err
    assert "--ignore" in result.err
    result = run(capsys, "--db", db, "import", str(path), "--ignore", heading)
    assert result.status == 0, result.text
    assert CHILD_1 not in result.text
    assert len(added(capsys, db, 1 + len(BASE_COMMON))) == 1


def test_two_columns_for_one_thing_are_refused(
    workdir: Path, new_db: NewDb, capsys: pytest.CaptureFixture[str]
) -> None:
    db = ledger(capsys, new_db, BASE_COMMON, SW)
    path = put(
        workdir,
        "Child,Parent,Channel,Date,Date signed,Form,Method\n"
        "C-0001,G-0001,closed-group,03/09/2025,03/09/2025,F-17,Paper\n",
    )
    result = refused(capsys, db, path)
    assert "column `Date signed`" in result.err
    assert "`Date`" in result.err


# --- 3. a real parser, and messages that point at the right thing -------------------------------

EXCEL = (
    "Child ref;Parent/Carer ref;Form No.;Date signed;Method;Closed Group;Public Page;"
    "Withdrawn;Date withdrawn\r\n"
    "C-0001;G-0001;F-17;03/09/2025;Paper;Yes;No;No;\r\n"
    "C-0002;G-0002;F-18;4/9/2025;E-mail;Yes;Yes;Yes;10/01/2026\r\n"
    ";;;;;;;;\r\n"
)


def test_a_register_as_excel_exports_it_imports(
    workdir: Path, new_db: NewDb, capsys: pytest.CaptureFixture[str]
) -> None:
    """BOM, CRLF, semicolons, DD/MM/YYYY and D/M/YYYY, Yes/No columns, headings as people write
    them, a Withdrawn Yes/No column beside its date, and an empty row at the end."""
    db = ledger(capsys, new_db, BASE_COMMON, SW)
    path = put(workdir, "", "Consent register.csv", raw=b"\xef\xbb\xbf" + EXCEL.encode())
    result = run(capsys, "--db", db, "import", str(path))
    assert result.status == 0, result.text
    assert "Read 2 rows" in result.out
    assert "Recorded 3 consents given, 2 withdrawals" in result.out
    withdrawn = {"type": "ConsentWithdrawn", "on": "2026-01-10", "child": "C-0002"}
    assert added(capsys, db, 1 + len(BASE_COMMON)) == [
        grant("C-0001", "G-0001", "closed-group", "2025-09-03", "F-17", "paper"),
        grant("C-0002", "G-0002", "closed-group", "2025-09-04", "F-18", "email"),
        withdrawn | {"guardian": "G-0002", "channel": "closed-group"},
        grant("C-0002", "G-0002", "public-page", "2025-09-04", "F-18", "email"),
        withdrawn | {"guardian": "G-0002", "channel": "public-page"},
    ]


@pytest.mark.parametrize("separator", [",", ";", "\t"])
def test_the_separator_is_sniffed(
    workdir: Path, new_db: NewDb, capsys: pytest.CaptureFixture[str], separator: str
) -> None:
    """Issue 15, item 2: a semicolon-separated file got "lacks column(s)"."""
    db = ledger(capsys, new_db, BASE_COMMON, SW)
    rows = [
        ["Child", "Parent", "Channel", "Date signed", "Form", "Method"],
        ["C-0001", "G-0001", "closed-group", "03.09.2025", "F-17", "paper"],
    ]
    path = put(workdir, "".join(separator.join(r) + "\n" for r in rows))
    result = run(capsys, "--db", db, "import", str(path))
    assert result.status == 0, result.text
    assert added(capsys, db, 1 + len(BASE_COMMON)) == [
        grant("C-0001", "G-0001", "closed-group", "2025-09-03", "F-17", "paper")
    ]


@pytest.mark.parametrize(
    ("written", "iso"),
    [
        ("2025-09-03", "2025-09-03"),
        ("03/09/2025", "2025-09-03"),
        ("3/9/2025", "2025-09-03"),
        ("03-09-2025", "2025-09-03"),
        ("03.09.2025", "2025-09-03"),
        ("29/02/2024", "2024-02-29"),
        ("03/09/2025 00:00", "2025-09-03"),
    ],
)
def test_the_date_forms(
    workdir: Path, new_db: NewDb, capsys: pytest.CaptureFixture[str], written: str, iso: str
) -> None:
    db = ledger(capsys, new_db, BASE_COMMON, SW)
    path = put(
        workdir,
        HEADER + f"C-0001,G-0001,closed-group,{written},F-17,paper\n",
    )
    result = run(capsys, "--db", db, "import", str(path))
    assert result.status == 0, result.text
    assert added(capsys, db, 1 + len(BASE_COMMON))[0]["on"] == iso


@pytest.mark.parametrize(
    ("written", "says"),
    [
        ("5/9/26", "`5/9/26` has a two-digit year: write the year in full (05/09/2026"),
        ("31/09/2026", "`31/09/2026` is not a day of the calendar: September 2026 has 30 days"),
        ("29/02/2025", "`29/02/2025` is not a day of the calendar: February 2025 has 28 days"),
        ("09/13/2025", "`09/13/2025` is not a day of the calendar: there is no month 13"),
        ("3rd Sept", "the cell is not a date (expected YYYY-MM-DD, DD/MM/YYYY, D/M/YYYY"),
    ],
)
def test_a_bad_date_says_what_is_wrong_with_it(
    workdir: Path, new_db: NewDb, capsys: pytest.CaptureFixture[str], written: str, says: str
) -> None:
    """Issue 15, item 2: `5/9/26` and `31/09/2026` got the same "expected YYYY-MM-DD"."""
    db = ledger(capsys, new_db, BASE_COMMON, SW)
    path = put(
        workdir,
        HEADER + f"C-0001,G-0001,closed-group,{written},F-17,paper\n",
    )
    result = refused(capsys, db, path)
    assert "line 2, column `Date signed` (field `on`)" in result.err
    assert says in result.err


def test_a_withdrawn_no_is_not_a_date_error(
    workdir: Path, new_db: NewDb, capsys: pytest.CaptureFixture[str]
) -> None:
    """Issue 15, item 2: `Withdrawn` = No was "line 2, field `on`: expected a date"."""
    db = ledger(capsys, new_db, BASE_COMMON, SW)
    path = put(
        workdir,
        "Child,Parent,Channel,Date signed,Form,Method,Withdrawn\n"
        "C-0001,G-0001,closed-group,03/09/2025,F-17,paper,No\n",
    )
    result = run(capsys, "--db", db, "import", str(path))
    assert result.status == 0, result.text
    assert added(capsys, db, 1 + len(BASE_COMMON)) == [
        grant("C-0001", "G-0001", "closed-group", "2025-09-03", "F-17", "paper")
    ]


def test_a_withdrawn_yes_needs_a_date(
    workdir: Path, new_db: NewDb, capsys: pytest.CaptureFixture[str]
) -> None:
    db = ledger(capsys, new_db, BASE_COMMON, SW)
    path = put(
        workdir,
        "Child,Parent,Channel,Date signed,Form,Method,Withdrawn\n"
        "C-0001,G-0001,closed-group,03/09/2025,F-17,paper,Yes\n",
    )
    result = refused(capsys, db, path)
    assert "line 2, column `Withdrawn`" in result.err
    assert "`Date withdrawn`" in result.err
    path = put(
        workdir,
        "Child,Parent,Channel,Date signed,Form,Method,Withdrawn,Date withdrawn\n"
        "C-0001,G-0001,closed-group,03/09/2025,F-17,paper,Yes,\n",
    )
    result = refused(capsys, db, path)
    assert "line 2, column `Date withdrawn`" in result.err
    path = put(
        workdir,
        "Child,Parent,Channel,Date signed,Form,Method,Withdrawn,Date withdrawn\n"
        "C-0001,G-0001,closed-group,03/09/2025,F-17,paper,No,04/09/2025\n",
    )
    result = refused(capsys, db, path)
    assert "says No" in result.err


@pytest.mark.parametrize(
    ("method", "says"),
    [("fax", "`fax` is not a method"), ("", "empty")],
)
def test_a_bad_method_lists_the_methods(
    workdir: Path, new_db: NewDb, capsys: pytest.CaptureFixture[str], method: str, says: str
) -> None:
    db = ledger(capsys, new_db, BASE_COMMON, SW)
    path = put(
        workdir,
        "Child,Parent,Channel,Date signed,Form,How given\n"
        f"C-0001,G-0001,closed-group,03/09/2025,F-17,{method}\n",
    )
    result = refused(capsys, db, path)
    assert "line 2, column `How given` (field `method`)" in result.err
    assert says in result.err
    assert "paper, email, app" in result.err


def test_a_refusal_by_the_ledger_names_the_column_as_spelled(
    workdir: Path, new_db: NewDb, capsys: pytest.CaptureFixture[str]
) -> None:
    """A refusal found when the fact is decided (a child not enrolled, a date after today) names
    the column it came from, not only the fact's field."""
    db = ledger(capsys, new_db, BASE_COMMON, SW)
    path = put(
        workdir,
        "Child ref,Parent,Channel,Date signed,Form,Method\n"
        "C-0001,G-0001,closed-group,03/09/2025,F-17,paper\n"
        "C-0009,G-0001,closed-group,03/09/2025,F-17,paper\n",
    )
    result = refused(capsys, db, path)
    assert "line 3, column `Child ref` (field `child`)" in result.err
    path = put(
        workdir,
        "Child ref,Parent,Channel,Date signed,Form,Method\n"
        "C-0001,G-0001,closed-group,03/09/2027,F-17,paper\n",
    )
    result = refused(capsys, db, path)
    assert "line 2, column `Date signed` (field `on`)" in result.err


def test_a_name_in_a_structured_cell_is_never_repeated(
    workdir: Path, new_db: NewDb, capsys: pytest.CaptureFixture[str]
) -> None:
    db = ledger(capsys, new_db, BASE_COMMON, SW)
    for cells in (
        f"C-0001,G-0001,closed-group,{GUARDIAN_1},F-17,paper",
        f"C-0001,G-0001,{GUARDIAN_1},03/09/2025,F-17,paper",
        f"C-0001,G-0001,closed-group,03/09/2025,F-17,{GUARDIAN_1}",
        f"{CHILD_1},G-0001,closed-group,03/09/2025,F-17,paper",
        "C-0001,G-0001,Olivia,03/09/2025,F-17,paper",  # a first name alone, in a channel cell
        "C-0001,G-0001,closed-group,Olivia,F-17,paper",
    ):
        path = put(workdir, HEADER + "" + cells + "\n")
        result = refused(capsys, db, path)  # `refused` runs `run`, which looks for the names
        assert "line 2, column" in result.err
        assert "Olivia" not in result.err


# --- a register of random Yes/No cells: the consents are exactly its Yes cells -----------------

CHANNELS = ("closed-group", "public-page")
CHILDREN = ("C-0001", "C-0002")
GUARDIAN = {"C-0001": "G-0001", "C-0002": "G-0002"}
YES_FORMS = ("Yes", "y", "TRUE", "1", "x", "✓", "✔", "granted", "Given")
NO_FORMS = ("No", "n", "false", "0", "Refused", "declined", "", " ")


ANSWER = st.one_of(
    st.sampled_from(YES_FORMS).map(lambda form: (True, form)),
    st.sampled_from(NO_FORMS).map(lambda form: (False, form)),
)
CELLS = [(child, channel) for child in CHILDREN for channel in CHANNELS]


@pytest.mark.parametrize("store", STORES)
def test_the_consents_after_import_are_exactly_the_yes_cells(
    store: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """For any register of Yes/No cells (a column per channel, or a Consent column beside a
    Channel column), the consents active after the import are exactly its Yes cells."""

    @settings(max_examples=6)
    @given(
        answers=st.lists(ANSWER, min_size=len(CELLS), max_size=len(CELLS)),
        per_channel=st.booleans(),
    )
    def check(answers: list[tuple[bool, str]], per_channel: bool) -> None:
        grid = dict(zip(CELLS, answers, strict=True))
        with tempfile.TemporaryDirectory(dir=tmp_path) as name, fresh_db(store, Path(name)) as db:
            folder = Path(name)
            monkeypatch.chdir(folder)
            init(capsys, db, SW)
            assert import_facts(capsys, db, BASE_COMMON).status == 0
            if per_channel:
                text = "Child,Parent,Closed Group,Public Page,Date signed,Form,Method\n" + "".join(
                    f"{c},{GUARDIAN[c]},{grid[c, CHANNELS[0]][1]},{grid[c, CHANNELS[1]][1]},"
                    f"03/09/2025,F-{i},paper\n"
                    for i, c in enumerate(CHILDREN)
                )
            else:
                text = "Child,Parent,Channel,Consent,Date signed,Form,Method\n" + "".join(
                    f"{c},{GUARDIAN[c]},{ch},{grid[c, ch][1]},03/09/2025,F-{i},paper\n"
                    for i, (c, ch) in enumerate(CELLS)
                )
            result = run(capsys, "--db", db, "import", str(put(folder, text)))
            assert result.status == 0, result.text
            it = ledger_store.open_ledger(config_for(db, folder))
            try:
                registers = it.registers()
            finally:
                it.close()
            day = dt.date(2025, 10, 1)
            active = {cell for cell in CELLS if status.consent_active(registers, *cell, day)}
            assert active == {cell for cell, (yes, _) in grid.items() if yes}

    check()


def test_the_old_register_without_a_yes_no_column_still_reads(
    workdir: Path, new_db: NewDb, capsys: pytest.CaptureFixture[str]
) -> None:
    """A register with a `Channel` column and no Yes/No column: one consent per row, as before
    (registers written for the old importer keep their meaning)."""
    db = ledger(capsys, new_db, BASE_COMMON, SW)
    path = put(
        workdir,
        "child,guardian,channel,date,evidence,method,expires,withdrawn\n"
        "C-0001,G-0001,closed-group,2025-09-03,F-17,paper,2026-09-03,2026-01-10\n",
    )
    result = run(capsys, "--db", db, "import", str(path))
    assert result.status == 0, result.text
    assert added(capsys, db, 1 + len(BASE_COMMON)) == [
        grant("C-0001", "G-0001", "closed-group", "2025-09-03", "F-17", "paper")
        | {"expires": "2026-09-03"},
        {
            "type": "ConsentWithdrawn",
            "on": "2026-01-10",
            "child": "C-0001",
            "guardian": "G-0001",
            "channel": "closed-group",
        },
    ]


# --- 5. a children register: enrolments and links ----------------------------------------------

KIDS = (
    "\ufeffChild ref,Child name,Start date,Parent/Carer ref,Parent/Carer name\r\n"
    f"C-0001,{CHILD_1},02/09/2025,G-0001,{GUARDIAN_1}\r\n"
    f"C-0001,{CHILD_1},02/09/2025,G-0002,{GUARDIAN_2}\r\n"
    f"C-0002,{CHILD_2},3/9/2025,G-0001,{GUARDIAN_1}\r\n"
)


def test_a_children_register_enrols_each_child_once_and_links_each_parent(
    workdir: Path, new_db: NewDb, capsys: pytest.CaptureFixture[str]
) -> None:
    db = ledger(capsys, new_db, [], SW)
    result = run(capsys, "--db", db, "import", str(put(workdir, KIDS, "children.csv")))
    assert result.status == 0, result.text
    assert "Read 3 rows of the children register" in result.out
    assert "Recorded 2 children enrolled, 3 parents or carers linked" in result.out
    assert_private(result.text)

    def link(guardian: str, name: str, child: str, on: str) -> Fact:
        return {"type": "GuardianLinked", "on": on, "guardian": guardian, "name": name} | {
            "child": child
        }

    enrol = {"type": "ChildEnrolled", "on": "2025-09-02", "child": "C-0001", "name": CHILD_1}
    assert added(capsys, db, 1) == [
        enrol,
        link("G-0001", GUARDIAN_1, "C-0001", "2025-09-02"),
        link("G-0002", GUARDIAN_2, "C-0001", "2025-09-02"),
        enrol | {"on": "2025-09-03", "child": "C-0002", "name": CHILD_2},
        link("G-0001", GUARDIAN_1, "C-0002", "2025-09-03"),
    ]


@pytest.mark.parametrize(
    ("text", "says"),
    [
        pytest.param(
            "Child ref,Child name,Start date,Parent ref,Parent name,Channel\n",
            "columns of a children register (`Child name`, `Start date`, `Parent name`) and of a"
            " consent register (`Channel`)",
            id="ambiguous",
        ),
        pytest.param(
            f"Child ref,Child name,Parent ref,Parent name\nC-0001,{CHILD_1},G-0001,{GUARDIAN_1}\n",
            "a children register has no column for the child's start date (e.g. `Start date`)",
            id="no-start-date",
        ),
        pytest.param(
            f"Child ref,Child name,Start date\nC-0001,{CHILD_1},02/09/2025\n"
            f"C-0001,{CHILD_1},03/09/2025\n",
            "line 3, column `Start date` (field `on`): not the start date line 2 gives this child",
            id="two-start-dates",
        ),
        pytest.param(
            f"Child ref,Child name,Start date\nC-0001,{CHILD_1},02/09/2025\n"
            f"C-0001,{CHILD_2},02/09/2025\n",
            "line 3, column `Child name` (field `name`): not the name line 2 gives this child",
            id="two-names",
        ),
        pytest.param(
            f"Child ref,Name,Start date\nC-0001,{CHILD_1},02/09/2025\n",
            "line 1, column `Name`: whose name?",
            id="whose-name",
        ),
        pytest.param(
            f"Child ref,Child name,Start date\nC-1,{CHILD_1},2/9/25\n",
            "line 2, column `Start date` (field `on`): `2/9/25` has a two-digit year",
            id="two-digit-year",
        ),
    ],
)
def test_a_bad_children_register_is_refused(
    workdir: Path, new_db: NewDb, capsys: pytest.CaptureFixture[str], text: str, says: str
) -> None:
    db = ledger(capsys, new_db, [], SW)
    result = refused(capsys, db, put(workdir, text, "children.csv"))
    assert says in result.err


# --- 6. importing twice records nothing twice; a dry run writes nothing -------------------------


def test_importing_the_same_register_twice_records_nothing_the_second_time(
    workdir: Path, new_db: NewDb, capsys: pytest.CaptureFixture[str]
) -> None:
    """Issue 15, item 3: importing the same file twice doubled every consent, silently."""
    db = ledger(capsys, new_db, BASE_COMMON, SW)
    path = put(workdir, "", "Consent register.csv", raw=b"\xef\xbb\xbf" + EXCEL.encode())
    first = run(capsys, "--db", db, "import", str(path))
    assert first.status == 0, first.text
    recorded = facts_of(export(capsys, db))
    second = run(capsys, "--db", db, "import", str(path))
    assert second.status == 0, second.text
    assert facts_of(export(capsys, db)) == recorded
    assert "Already recorded, so not recorded again: 5 facts" in second.out
    start = 1 + len(BASE_COMMON)
    assert f"line 2: position {start + 1}" in second.out
    assert f"line 3: position {start + 2}" in second.out
    assert "Nothing was recorded" in second.out
    # A register with one new row beside the old ones records only the new one.
    path.write_bytes(
        b"\xef\xbb\xbf" + EXCEL.encode() + b"C-0001;G-0001;F-20;05/09/2025;app;No;Yes;;\r\n"
    )
    third = run(capsys, "--db", db, "import", str(path))
    assert third.status == 0, third.text
    assert "Recorded 1 consent given" in third.out
    assert added(capsys, db, len(recorded)) == [
        grant("C-0001", "G-0001", "public-page", "2025-09-05", "F-20", "app")
    ]


def test_a_row_repeated_in_one_register_is_recorded_once(
    workdir: Path, new_db: NewDb, capsys: pytest.CaptureFixture[str]
) -> None:
    db = ledger(capsys, new_db, BASE_COMMON, SW)
    row = "C-0001,G-0001,closed-group,03/09/2025,F-17,paper\n"
    result = run(capsys, "--db", db, "import", str(put(workdir, HEADER + row + row)))
    assert result.status == 0, result.text
    assert "line 3: as line 2 of this file" in result.out
    assert len(added(capsys, db, 1 + len(BASE_COMMON))) == 1


def test_a_children_register_imported_twice_enrols_nobody_twice(
    workdir: Path, new_db: NewDb, capsys: pytest.CaptureFixture[str]
) -> None:
    db = ledger(capsys, new_db, [], SW)
    path = put(workdir, KIDS, "children.csv")
    assert run(capsys, "--db", db, "import", str(path)).status == 0
    recorded = facts_of(export(capsys, db))
    again = run(capsys, "--db", db, "import", str(path))
    assert again.status == 0, again.text
    assert "Already recorded, so not recorded again: 5 facts" in again.out
    assert facts_of(export(capsys, db)) == recorded


@pytest.mark.parametrize("kind", ["consent", "children", "jsonl"])
def test_a_dry_run_says_what_would_be_recorded_and_writes_nothing(
    workdir: Path, new_db: NewDb, capsys: pytest.CaptureFixture[str], kind: str
) -> None:
    db = ledger(capsys, new_db, BASE_COMMON if kind == "consent" else [], SW)
    if kind == "consent":
        path = put(workdir, "", "register.csv", raw=EXCEL.encode())
        would = "Would record 3 consents given, 2 withdrawals."
    elif kind == "children":
        path = put(workdir, KIDS, "children.csv")
        would = "Would record 2 children enrolled, 3 parents or carers linked to children."
    else:
        path = put(workdir, jsonl(BASE_COMMON), "facts.jsonl")
        would = "Would record 1 PolicyAdopted fact, 2 PersonJoined facts"
    before = files(db)
    head = len(facts_of(export(capsys, db)))
    result = run(capsys, "--db", db, "import", "--dry-run", str(path))
    assert result.status == 0, result.text
    assert would in result.out
    assert "This was a dry run: nothing was written." in result.out
    assert files(db) == before
    assert len(facts_of(export(capsys, db))) == head
    # ... and the real import records what the dry run said.
    real = run(capsys, "--db", db, "import", str(path))
    assert real.status == 0, real.text
    assert len(facts_of(export(capsys, db))) > head


def test_a_dry_run_refuses_what_the_import_would_refuse(
    workdir: Path, new_db: NewDb, capsys: pytest.CaptureFixture[str]
) -> None:
    db = ledger(capsys, new_db, BASE_COMMON, SW)
    path = put(
        workdir,
        "Child ref,Parent,Channel,Date signed,Form,Method\n"
        "C-0001,G-0001,closed-group,03/09/2025,F-17,paper\n"
        "C-0009,G-0001,closed-group,03/09/2025,F-18,paper\n",
    )
    result = refused(capsys, db, path, "--dry-run")
    assert "line 3, column `Child ref` (field `child`)" in result.err


# --- 4. the format written down ----------------------------------------------------------------

README = Path(__file__).resolve().parent.parent / "README.md"


def _help(capsys: pytest.CaptureFixture[str]) -> str:
    capsys.readouterr()
    with pytest.raises(SystemExit) as stop:
        main(["import", "--help"])
    assert stop.value.code == 0
    return " ".join(capsys.readouterr().out.split())


def test_import_help_lists_every_column_heading_date_form_and_answer(
    capsys: pytest.CaptureFixture[str],
) -> None:
    text = _help(capsys).lower()
    for role, headings in HEADINGS.items():
        for heading in headings:
            assert heading.replace(" s ", "'s ") in text, (role, heading)
    for form in ("yyyy-mm-dd", "dd/mm/yyyy", "d/m/yyyy", "dd-mm-yyyy", "dd.mm.yyyy"):
        assert form in text
    assert ", ".join(YES) in text
    assert ", ".join(NO) in text
    assert "--ignore" in text and "--dry-run" in text
    assert "two-digit year" in text
    assert ".xlsx" in text


def _readme_registers() -> list[str]:
    section = README.read_text().split("### Registers from a spreadsheet", 1)[1]
    section = section.split("\n### ", 1)[0]
    return re.findall(r"```csv\n(.*?)```", section, re.S)


def test_the_readme_describes_the_registers_and_its_examples_import(
    workdir: Path, new_db: NewDb, capsys: pytest.CaptureFixture[str]
) -> None:
    section = README.read_text().split("### Registers from a spreadsheet", 1)[1]
    for said in (
        *YES,
        *NO,
        "03.09.2025",
        "`5/9/26`",
        "--ignore",
        "--dry-run",
        "Closed Group",
        ".xlsx",
    ):
        assert said in section, said
    children, consent = sorted(_readme_registers(), key=lambda text: "Start date" not in text)
    db = ledger(capsys, new_db, [], SW)
    result = run(capsys, "--db", db, "import", str(put(workdir, children, "children.csv")))
    assert result.status == 0, result.text
    assert "Recorded 2 children enrolled, 3 parents or carers linked" in result.out
    result = run(capsys, "--db", db, "import", str(put(workdir, consent, "consent.csv")))
    assert result.status == 0, result.text
    assert "Recorded 3 consents given, 2 withdrawals" in result.out
    granted = [
        (f["child"], f["channel"]) for f in added(capsys, db, 6) if f["type"] == "ConsentGranted"
    ]
    # C-0001 said No to the public page: no consent there.
    assert granted == [
        ("C-0001", "closed-group"),
        ("C-0002", "closed-group"),
        ("C-0002", "public-page"),
    ]


# --- 7. Workbooks (Excel's .xlsx, LibreOffice's .ods), the same rules -------------------------


CHANNEL_HEADS = ("Closed Group", "Public Page")


def _workbook(rows: list[list[object]], extra_sheet: bool = False) -> bytes:
    import io

    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    if extra_sheet:
        book.create_sheet("Notes").append(["something else"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# An .ods as LibreOffice writes it: a zip holding ``mimetype`` first, stored, and
# ``content.xml`` with typed cells (dates as ``office:date-value``, TRUE/FALSE as
# ``office:boolean-value``, numbers as ``office:value``), so the reader meets real cell types.
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


def _ods(rows: list[list[object]], extra_sheet: bool = False) -> bytes:
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


class Book(NamedTuple):
    """A kind of workbook: its file name ending, its writer, and how its refusals name it."""

    suffix: str
    write: Callable[[list[list[object]], bool], bytes]
    kind: str  # "workbook" or "spreadsheet"
    unreadable: str


BOOKS = [
    pytest.param(
        Book(".xlsx", _workbook, "workbook", "not an Excel workbook that can be read"), id="xlsx"
    ),
    pytest.param(
        Book(".ods", _ods, "spreadsheet", "not an OpenDocument spreadsheet that can be read"),
        id="ods",
    ),
]


@pytest.mark.parametrize("book", BOOKS)
def test_a_workbook_imports_by_the_same_rules(
    workdir: Path, new_db: NewDb, capsys: pytest.CaptureFixture[str], book: Book
) -> None:
    """Dates as the spreadsheet's dates, Yes/No as text and as TRUE/FALSE, a form number as a
    number."""
    db = ledger(capsys, new_db, BASE_COMMON, SW)
    data = book.write(
        [
            [
                *("Child ref", "Parent/Carer ref", "Form No.", "Date signed", "Method"),
                *CHANNEL_HEADS,
            ],
            ["C-0001", "G-0001", 17, dt.datetime(2025, 9, 3), "Paper", "Yes", "No"],
            ["C-0002", "G-0002", "F-18", "04/09/2025", "email", True, False],
            ["C-0002", "G-0002", "F-19", dt.date(2025, 9, 5), "email", None, None],
        ],
        False,
    )
    path = put(workdir, "", "Consent register" + book.suffix, raw=data)
    result = run(capsys, "--db", db, "import", str(path))
    assert result.status == 0, result.text
    assert "1 row says No" in result.out
    assert added(capsys, db, 1 + len(BASE_COMMON)) == [
        grant("C-0001", "G-0001", "closed-group", "2025-09-03", "17", "paper"),
        grant("C-0002", "G-0002", "closed-group", "2025-09-04", "F-18", "email"),
    ]
    again = run(capsys, "--db", db, "import", str(path))
    assert "Nothing was recorded" in again.out


@pytest.mark.parametrize("book", BOOKS)
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
            "the {kind} has 2 sheets with something on them",
            id="two-sheets",
        ),
    ],
)
def test_a_bad_workbook_is_refused_as_a_bad_csv_is(
    workdir: Path,
    new_db: NewDb,
    capsys: pytest.CaptureFixture[str],
    book: Book,
    rows: list[list[object]],
    extra_sheet: bool,
    says: str,
) -> None:
    db = ledger(capsys, new_db, BASE_COMMON, SW)
    path = put(workdir, "", "register" + book.suffix, raw=book.write(rows, extra_sheet))
    result = refused(capsys, db, path)
    assert says.format(kind=book.kind) in result.err


def test_an_empty_ods_is_refused(
    workdir: Path, new_db: NewDb, capsys: pytest.CaptureFixture[str]
) -> None:
    db = ledger(capsys, new_db, BASE_COMMON, SW)
    result = refused(capsys, db, put(workdir, "", "register.ods", raw=_ods([])))
    assert "the spreadsheet is empty" in result.err


@pytest.mark.parametrize("book", BOOKS)
@pytest.mark.parametrize("raw", [b"", b"PK\x03\x04 not really a zip", b"Child,Parent\n"])
def test_a_file_named_as_a_workbook_that_is_none_is_refused(
    workdir: Path, new_db: NewDb, capsys: pytest.CaptureFixture[str], book: Book, raw: bytes
) -> None:
    db = ledger(capsys, new_db, BASE_COMMON, SW)
    path = put(workdir, "", "register" + book.suffix, raw=raw)
    result = refused(capsys, db, path)
    assert book.unreadable in result.err
