"""A path typed with bytes that are not UTF-8 is printed, not a crash (found by
tests/test_faults.py's hostile arguments: ``site build --out $'\\xa3=b'`` ended in exit 70
where standard output encodes strictly, as it does in a UTF-8 locale)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from ledger.cli.common import printable
from tests.conftest import NewDb
from tests.test_cli import NOW, ledger
from tests.test_faults import run as strict_run


def test_printable_escapes_only_what_cannot_be_printed() -> None:
    assert printable("site-2026") == "site-2026"
    assert printable("Café") == "Café"
    odd = os.fsdecode(b"\xa3=b")
    assert printable(odd) == "\\udca3=b"
    assert printable(Path(odd) / "x") == "\\udca3=b/x"


def test_a_site_built_into_a_folder_whose_name_is_not_utf8_says_where(
    workdir: Path,
    new_db: NewDb,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("LEDGER_NOW", NOW)
    db = ledger(capsys, new_db)
    out = os.fsdecode(b"\xa3=b")
    status, text = strict_run("--db", db, "site", "build", "--audience", "public", "--out", out)
    assert status == 0, text
    assert "pages in \\udca3=b" in text
    assert (workdir / out / "index.html").exists()


def test_a_checkpoint_kept_under_a_name_that_is_not_utf8_says_where(
    workdir: Path,
    new_db: NewDb,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("LEDGER_NOW", NOW)
    db = ledger(capsys, new_db)
    out = os.fsdecode(b"cp-\xa3.txt")
    status, text = strict_run("--db", db, "checkpoint", "--out", out)
    assert status == 0, text
    assert "to cp-\\udca3.txt." in text
    assert (workdir / out).read_text().startswith("policy-ledger/")
