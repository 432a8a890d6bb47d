"""``ledger import --dry-run`` lists the findings the import would open, in the words of the
warnings at the moment of recording (``ledger.warnings``), and writes nothing (issue 15,
"Idempotent imports and a dry run").

Every test drives ``ledger.cli.main`` on a ledger in the test's store (SQLite and PostgreSQL),
for JSON Lines, CSV, .xlsx and .ods. "Writes nothing" is checked three ways: the ledger's head,
its stored state (the SQLite files byte for byte; on PostgreSQL every row of the schema) and the
bytes of ``ledger export``. A file the import refuses is refused by the dry run with the same
exit status and the same message.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from projections.rules.titles import TITLES
from tests.conftest import NewDb
from tests.test_cli import (
    BASE_COMMON,
    GUARDIAN_1,
    NOW,
    SW,
    Fact,
    Result,
    files,
    jsonl,
    ledger,
    run,
)
from tests.test_register import EXCEL, _ods, _workbook

# A post on the closed group showing C-0002, before any consent: the consent register then
# gives C-0002's consent (so the post had it) and its withdrawal on 10 January 2026, with the
# post still up: the import opens withdrawn-consent-post-live for P-0001.
POSTED: list[Fact] = [
    *BASE_COMMON,
    {"type": "MemberAdmitted", "on": "2025-09-02", "member": "S-0001"},
    {
        "type": "PostPublished",
        "on": "2025-10-01",
        "post": "P-0001",
        "channel": "closed-group",
        "author": "S-0001",
        "depicts": ["C-0002"],
        "device": "T-01",
    },
]

REGISTER_ROWS: list[list[object]] = [
    [
        "Child ref",
        "Parent/Carer ref",
        "Form No.",
        "Date signed",
        "Method",
        "Closed Group",
        "Public Page",
        "Withdrawn",
        "Date withdrawn",
    ],
    ["C-0001", "G-0001", "F-17", dt.date(2025, 9, 3), "Paper", "Yes", "No", "No", None],
    ["C-0002", "G-0002", "F-18", dt.date(2025, 9, 4), "E-mail", "Yes", "Yes", "Yes",
     dt.date(2026, 1, 10)],
]  # fmt: skip

WITHDRAWN_LIVE = (
    "Warning: this opens a finding: withdrawn-consent-post-live"
    f" ({TITLES['withdrawn-consent-post-live']}) for P-0001, since 2026-01-13."
)
REMOVE = "  To resolve it: ledger post remove --post P-0001 --by PERSON --reason consent-withdrawn"

TODAY = dt.date.fromisoformat(NOW[:10])
YESTERDAY = (TODAY - dt.timedelta(days=1)).isoformat()

# JSON Lines: a post of C-0001 without consent (a finding at once), and a concern raised
# yesterday (a finding tomorrow unless it is addressed by today: the limit is one day).
NEW_FACTS: list[Fact] = [
    {
        "type": "PostPublished",
        "on": "2026-02-02",
        "post": "P-0002",
        "channel": "closed-group",
        "author": "S-0001",
        "depicts": ["C-0001"],
        "device": "T-01",
    },
    {"type": "ConcernRaised", "on": YESTERDAY, "concern": "K-0002", "category": "other"},
]
CONSENT_MISSING = (
    "Warning: this opens a finding: consent-missing"
    f" ({TITLES['consent-missing']}) for P-0002, since 2026-02-02."
)
CONCERN_DUE = (
    f"Warning: unless it is done by {TODAY.isoformat()}, this becomes a finding:"
    f" concern-unaddressed ({TITLES['concern-unaddressed']}) for K-0002."
)


@pytest.fixture(autouse=True)
def _pinned_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LEDGER_NOW", NOW)
    monkeypatch.delenv("LEDGER_DB", raising=False)
    monkeypatch.delenv("LEDGER_KEY", raising=False)


def _put(folder: Path, name: str, data: bytes) -> Path:
    path = folder / name
    path.write_bytes(data)
    return path


def _csv(folder: Path) -> Path:
    return _put(folder, "Consent register.csv", b"\xef\xbb\xbf" + EXCEL.encode())


def _xlsx(folder: Path) -> Path:
    return _put(folder, "Consent register.xlsx", _workbook(REGISTER_ROWS))


def _odsfile(folder: Path) -> Path:
    return _put(folder, "Consent register.ods", _ods(REGISTER_ROWS))


REGISTERS: dict[str, Callable[[Path], Path]] = {"csv": _csv, "xlsx": _xlsx, "ods": _odsfile}


def _export(capsys: pytest.CaptureFixture[str], db: str) -> str:
    result = run(capsys, "--db", db, "export")
    assert result.status == 0, result.text
    return result.out


def _head(exported: str) -> int:
    return sum(1 for line in exported.splitlines() if json.loads(line)["type"] != "Checkpoint")


def _state(capsys: pytest.CaptureFixture[str], db: str) -> tuple[dict[str, Any], str, int]:
    """The stored state, the export's bytes and the head: what a dry run must not change."""
    stored = files(db)
    exported = _export(capsys, db)
    return stored, exported, _head(exported)


def _open_findings(capsys: pytest.CaptureFixture[str], db: str) -> set[tuple[str, str]]:
    result = run(capsys, "--db", db, "findings", "--open", "--json")
    assert result.status == 0, result.text
    return {(f["rule"], f["subject"]) for f in json.loads(result.out)}


def _warned(out: str) -> set[tuple[str, str]]:
    """(rule, subject) of each finding a dry run says the import would open."""
    found: set[tuple[str, str]] = set()
    for line in out.splitlines():
        if line.startswith("Warning: this opens a finding: ") or line.startswith(
            "Warning: unless it is done by "
        ):
            what = line.split("finding: ", 1)[1]
            rule = what.split(" (", 1)[0]
            subject = what.rsplit(" for ", 1)[1].split(",", 1)[0].rstrip(".")
            found.add((rule, subject))
    return found


@pytest.mark.parametrize("kind", sorted(REGISTERS))
def test_a_register_dry_run_lists_the_findings_it_would_open_and_writes_nothing(
    workdir: Path, new_db: NewDb, capsys: pytest.CaptureFixture[str], kind: str
) -> None:
    db = ledger(capsys, new_db, POSTED, SW)
    path = REGISTERS[kind](workdir)
    before = _state(capsys, db)
    opened_before = _open_findings(capsys, db)
    dry = run(capsys, "--db", db, "import", "--dry-run", str(path))
    assert dry.status == 0, dry.text
    assert dry.err == ""
    out = dry.out.splitlines()
    assert "Would record 3 consents given, 2 withdrawals." in out
    assert WITHDRAWN_LIVE in out, dry.out
    assert out[out.index(WITHDRAWN_LIVE) + 2] == REMOVE, dry.out  # after the finding's detail
    assert "Importing it would open 1 finding:" in out, dry.out
    assert out[-1] == "This was a dry run: nothing was written."
    assert GUARDIAN_1 not in dry.out
    assert _state(capsys, db) == before  # head, stored bytes, export: all as they were
    # The real import opens exactly the findings the dry run listed.
    real = run(capsys, "--db", db, "import", str(path))
    assert real.status == 0, real.text
    assert "Warning: 1 finding opened by this import (withdrawn-consent-post-live 1)." in real.out
    assert _open_findings(capsys, db) - opened_before == _warned(dry.out)


def test_a_jsonl_dry_run_lists_each_finding_with_what_to_do_and_by_when(
    workdir: Path, new_db: NewDb, capsys: pytest.CaptureFixture[str]
) -> None:
    db = ledger(capsys, new_db, POSTED, SW)
    path = _put(workdir, "new.jsonl", jsonl(NEW_FACTS).encode())
    before = _state(capsys, db)
    opened_before = _open_findings(capsys, db)
    dry = run(capsys, "--db", db, "import", "--dry-run", str(path))
    assert dry.status == 0, dry.text
    out = dry.out.splitlines()
    assert "Would record 1 PostPublished fact, 1 ConcernRaised fact." in out
    assert CONSENT_MISSING in out, dry.out
    assert CONCERN_DUE in out, dry.out
    assert "  To resolve it: ledger post remove --post P-0002 --by PERSON --reason breach" in out
    assert any(
        line.startswith("  To resolve it: ledger concern address --concern K-0002") for line in out
    ), dry.out
    assert out[-1] == "This was a dry run: nothing was written."
    assert _state(capsys, db) == before
    real = run(capsys, "--db", db, "import", str(path))
    assert real.status == 0, real.text
    # consent-missing is open at once; the concern's finding opens tomorrow, as the dry run said.
    assert _open_findings(capsys, db) - opened_before == _warned(dry.out) - {
        ("concern-unaddressed", "K-0002")
    }
    assert "due to open unless acted on by this import (concern-unaddressed 1)" in real.out


def test_a_dry_run_that_opens_nothing_says_so(
    workdir: Path, new_db: NewDb, capsys: pytest.CaptureFixture[str]
) -> None:
    db = ledger(capsys, new_db, BASE_COMMON, SW)
    path = _put(
        workdir,
        "register.csv",
        b"Child,Parent,Channel,Date signed,Form,Method\nC-0001,G-0001,closed-group,"
        b"03/09/2025,F-17,paper\n",
    )
    before = _state(capsys, db)
    dry = run(capsys, "--db", db, "import", "--dry-run", str(path))
    assert dry.status == 0, dry.text
    assert "Importing it would open no finding." in dry.out.splitlines()
    assert "Warning" not in dry.out
    assert _state(capsys, db) == before


# --- a file the import refuses, the dry run refuses the same way -------------------------------

HELD_NAME_ACTION = [
    {
        "type": "ConcernAddressed",
        "on": "2026-01-05",
        "concern": "K-0001",
        "action": f"talked to {GUARDIAN_1}",
    }
]
UNKNOWN_CHILD = [{**NEW_FACTS[0], "depicts": ["C-0999"]}]


def _refusing(kind: str, folder: Path) -> Path:
    if kind == "empty-jsonl":
        return _put(folder, "empty.jsonl", b"")
    if kind == "bad-json":
        return _put(folder, "bad.jsonl", jsonl(NEW_FACTS[:1]).encode() + b"{not json\n")
    if kind == "unknown-child-jsonl":
        return _put(folder, "unknown.jsonl", jsonl(UNKNOWN_CHILD).encode())
    if kind == "held-name-jsonl":
        return _put(folder, "name.jsonl", jsonl(HELD_NAME_ACTION).encode())
    if kind == "unknown-child-csv":
        return _put(
            folder,
            "register.csv",
            b"Child ref,Parent,Channel,Date signed,Form,Method\n"
            b"C-0001,G-0001,closed-group,03/09/2025,F-17,paper\n"
            b"C-0009,G-0001,closed-group,03/09/2025,F-18,paper\n",
        )
    if kind == "unknown-column-csv":
        return _put(folder, "register.csv", b"Child,Parent,Channel,Room\nC-0001,G-0001,x,y\n")
    rows = [list(row) for row in REGISTER_ROWS]
    rows[2][0] = "C-0009"
    if kind == "unknown-child-xlsx":
        return _put(folder, "register.xlsx", _workbook(rows))
    assert kind == "unknown-child-ods", kind
    return _put(folder, "register.ods", _ods(rows))


@pytest.mark.parametrize(
    "kind",
    [
        "empty-jsonl",
        "bad-json",
        "unknown-child-jsonl",
        "held-name-jsonl",
        "unknown-child-csv",
        "unknown-column-csv",
        "unknown-child-xlsx",
        "unknown-child-ods",
    ],
)
def test_a_refused_file_is_refused_by_the_dry_run_with_the_same_message(
    workdir: Path, new_db: NewDb, capsys: pytest.CaptureFixture[str], kind: str
) -> None:
    db = ledger(capsys, new_db, POSTED, SW)
    path = _refusing(kind, workdir)
    before = _state(capsys, db)
    results: list[Result] = []
    for extra in (["--dry-run"], []):
        result = run(capsys, "--db", db, "import", *extra, str(path))
        assert result.status == 2, result.text
        assert result.err.startswith("ledger: "), result.err
        assert result.out == "", result.out
        assert _state(capsys, db) == before
        results.append(result)
    dry, real = results
    assert dry.err == real.err


def test_import_help_says_the_dry_run_lists_the_findings(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from ledger.cli import main

    capsys.readouterr()
    with pytest.raises(SystemExit) as stop:
        main(["import", "--help"])
    assert stop.value.code == 0
    text = " ".join(capsys.readouterr().out.split())
    assert (
        "--dry-run check the file and say what would be recorded and each finding it would open"
        in text
    )
    assert "what to do and by when" in text


def test_the_readme_says_the_dry_run_lists_the_findings() -> None:
    readme = Path(__file__).resolve().parent.parent / "README.md"
    text = " ".join(readme.read_text().split())
    assert "says what would be recorded and lists each finding the import would open" in text
