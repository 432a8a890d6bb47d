"""Integrity errors in plain words first, details after (issue 15, item 8).

A manager or an inspector reads what happened ("a fact is missing", "the file is
incomplete", "a recorded fact was changed") before the positions and hashes that locate it.
Each case is made as the adversary or the careless copier would make it: a line deleted from an
export, an export cut short, a line repeated, a row deleted from the database or changed in it.
Both stores.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ledger.integrity import Signer
from tests.conftest import STORES, raw
from tests.test_audit_trail import Place, export, ledger_folder, verify_status
from tests.test_privacy_and_refusals import pinned_now, run


@pytest.fixture(scope="module", params=STORES)
def place(request: pytest.FixtureRequest) -> Iterator[tuple[Place, str, str]]:
    with ledger_folder(3, writes=3, store=request.param) as place:
        vkey = Signer.load(place.config().key_path).verifier_key()
        yield place, export(place), vkey


def _replay(folder: Path, text: str, vkey: str) -> tuple[int, str]:
    path = folder / "edited.jsonl"
    path.write_text(text)
    with pinned_now():
        return run("replay", str(path), "--key", vkey)


def _fact_lines(lines: list[str]) -> list[int]:
    return [i for i, line in enumerate(lines) if '"type":"Checkpoint"' not in line]


def test_a_deleted_line_reads_as_a_missing_fact(
    place: tuple[Place, str, str], tmp_path: Path
) -> None:
    _place, text, vkey = place
    lines = text.splitlines(keepends=True)
    gone = _fact_lines(lines)[5]
    status, out = _replay(tmp_path, "".join(lines[:gone] + lines[gone + 1 :]), vkey)
    assert status == 1, out
    assert f"line {gone + 1}: a fact is missing here: the file has no line for position" in out
    assert "(expected position" in out  # the details, after the words


def test_two_deleted_lines_are_counted(place: tuple[Place, str, str], tmp_path: Path) -> None:
    _place, text, vkey = place
    lines = text.splitlines(keepends=True)
    gone = _fact_lines(lines)[5]
    status, out = _replay(tmp_path, "".join(lines[:gone] + lines[gone + 2 :]), vkey)
    assert status == 1, out
    assert "2 facts are missing here: the file has no line for positions" in out


def test_a_repeated_line_reads_as_repeated(place: tuple[Place, str, str], tmp_path: Path) -> None:
    _place, text, vkey = place
    lines = text.splitlines(keepends=True)
    twice = _fact_lines(lines)[5]
    status, out = _replay(tmp_path, "".join(lines[: twice + 1] + lines[twice:]), vkey)
    assert status == 1, out
    assert "a fact is repeated or out of order here" in out


def test_a_file_cut_short_reads_as_incomplete(
    place: tuple[Place, str, str], tmp_path: Path
) -> None:
    _place, text, vkey = place
    lines = text.splitlines(keepends=True)
    kept = lines[:-3]  # the last checkpoint goes, and two facts before it
    last = max(i for i, line in enumerate(kept) if '"type":"Checkpoint"' in line)
    unsigned = len(kept) - last - 1
    assert unsigned > 1
    status, out = _replay(tmp_path, "".join(kept), vkey)
    assert status == 1, out
    assert f"line {last + 2}: the file is incomplete, or was added to: its last" in out
    assert f" {unsigned} facts are not followed by a signed checkpoint" in out


def test_a_file_cut_at_the_front_reads_as_not_the_beginning(
    place: tuple[Place, str, str], tmp_path: Path
) -> None:
    _place, text, vkey = place
    lines = text.splitlines(keepends=True)
    assert '"type":"Checkpoint"' in lines[1]  # the first write: the setting, then its checkpoint
    status, out = _replay(tmp_path, "".join(lines[2:]), vkey)
    assert status == 1, out
    assert "the file does not start at the beginning of the trail" in out


def _stream(conn: Any) -> Any:
    ((stream,),) = conn.execute(
        "SELECT originator_id FROM {events} WHERE topic LIKE 'SettingRegistered:%'"
    )
    return stream


@contextlib.contextmanager
def _copy(place: Place) -> Iterator[Place]:
    """The module's ledger, as this test may change it: a fresh one on the same seed."""
    with ledger_folder(3, writes=3, store="postgres" if "://" in place.db else "sqlite") as fresh:
        yield fresh


def test_verify_names_a_deleted_row_and_a_changed_one_in_words(
    place: tuple[Place, str, str],
) -> None:
    with _copy(place[0]) as mine:
        with raw(mine.db) as conn:
            conn.execute(
                "DELETE FROM {events} WHERE originator_id=? AND originator_version=4",
                (_stream(conn),),
            )
        status, out = verify_status(mine)
        assert status == 1, out
        assert "TAMPERED at position 4: a fact is missing, or facts were moved:" in out
    with _copy(place[0]) as mine:
        with raw(mine.db) as conn:
            ((state,),) = conn.execute(
                "SELECT state FROM {events} WHERE originator_id=? AND originator_version=4",
                (_stream(conn),),
            )
            conn.execute(
                "UPDATE {events} SET state=? WHERE originator_id=? AND originator_version=4",
                (bytes(state)[:-1] + bytes([bytes(state)[-1] ^ 0x01]), _stream(conn)),
            )
        status, out = verify_status(mine)
        assert status == 1, out
        assert "TAMPERED at position 4: a recorded fact was changed:" in out
