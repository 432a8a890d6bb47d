"""Warnings at the moment of recording (issue 15, item 5).

A recording command whose fact opens a finding still records it (exit 0: the record is the
evidence), and says at once, after the "Recorded" line, which finding, what to do and by when.
A withdrawal lists the posts still up that must come down, with the deadline; a consent on a
channel the policy never allows children's images on says it cannot be used there. Every test
runs on both stores (``new_db``) and drives ``ledger.cli.main`` as tests/test_cli.py does.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from ledger import warnings as alerts
from projections.findings import Episode
from tests.conftest import NewDb
from tests.test_cli import (
    BASE_SW,
    NOW,
    Fact,
    assert_private,
    export,
    facts_of,
    findings,
    has,
    import_facts,
    ledger,
    run,
)


@pytest.fixture(autouse=True)
def _pinned_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LEDGER_NOW", NOW)
    monkeypatch.delenv("LEDGER_DB", raising=False)
    monkeypatch.delenv("LEDGER_KEY", raising=False)


def after_recorded(text: str) -> str:
    """What the command printed after its "Recorded ..." line."""
    lines = text.splitlines()
    (index,) = [i for i, line in enumerate(lines) if line.startswith("Recorded ")]
    return "\n".join(lines[index + 1 :])


def post(ref: str, child: str, on: str, channel: str = "closed-group") -> list[str]:
    return [
        "post", "publish", "--post", ref, "--channel", channel, "--author", "G-0001",
        "--depicts", child, "--device", "T-01", "--on", on,
    ]  # fmt: skip


def test_a_post_without_consent_is_recorded_and_warned_about(
    workdir: Path, new_db: NewDb, capsys: pytest.CaptureFixture[str]
) -> None:
    db = ledger(capsys, new_db)
    result = run(capsys, "--db", db, *post("P-0002", "C-0002", "2026-03-02"))
    assert result.status == 0, result.text  # recorded: the record is the evidence
    assert result.out.startswith("Recorded PostPublished for P-0002")
    told = after_recorded(result.out)
    assert "consent-missing" in told
    assert "P-0002" in told
    assert "without consent" in told  # a plain title beside the code
    assert "ledger post remove --post P-0002" in told  # what to do
    assert_private(result.text)
    # The fact is in the ledger, and the finding is the one the warning named.
    assert facts_of(export(capsys, db))[-1]["post"] == "P-0002"
    assert has(findings(capsys, db), "consent-missing", "P-0002")


def test_a_post_with_consent_prints_no_warning(
    workdir: Path, new_db: NewDb, capsys: pytest.CaptureFixture[str]
) -> None:
    db = ledger(capsys, new_db)
    result = run(capsys, "--db", db, *post("P-0002", "C-0001", "2026-03-02"))
    assert result.status == 0, result.text
    assert result.out.startswith("Recorded PostPublished for P-0002")
    assert after_recorded(result.out) == ""
    assert not has(findings(capsys, db), "consent-missing", "P-0002")


def test_a_withdrawal_lists_the_posts_still_up_and_the_deadline(
    workdir: Path, new_db: NewDb, capsys: pytest.CaptureFixture[str]
) -> None:
    db = ledger(capsys, new_db)
    # P-0003 depicts C-0001 on the closed group but is taken down before the withdrawal;
    # P-0004 is up but depicts another child. Neither is listed.
    extra: list[list[str]] = [
        post("P-0003", "C-0001", "2025-11-01"),
        ["post", "remove", "--post", "P-0003", "--by", "S-0001", "--reason", "other",
         "--on", "2025-12-01"],
        ["consent", "grant", "--child", "C-0002", "--guardian", "G-0002", "--channel",
         "closed-group", "--evidence", "F-18", "--method", "paper", "--on", "2025-09-03"],
        post("P-0004", "C-0002", "2025-11-02"),
    ]  # fmt: skip
    for argv in extra:
        done = run(capsys, "--db", db, *argv)
        assert done.status == 0, done.text
    # 2026 is not a leap year: two days after 27 February is 1 March.
    result = run(
        capsys, "--db", db, "consent", "withdraw", "--child", "C-0001", "--guardian", "G-0001",
        "--channel", "closed-group", "--on", "2026-02-27",
    )  # fmt: skip
    assert result.status == 0, result.text
    told = after_recorded(result.out)
    assert "P-0001" in told  # published 2025-10-01, still up
    assert "P-0003" not in told  # already taken down
    assert "P-0004" not in told  # another child
    assert "2026-03-01" in told  # takedown_days = 2 after the withdrawal's day
    assert "ledger post remove --post P-0001" in told
    assert_private(result.text)


def test_a_withdrawal_with_no_post_up_prints_no_warning(
    workdir: Path, new_db: NewDb, capsys: pytest.CaptureFixture[str]
) -> None:
    facts: list[Fact] = [f for f in BASE_SW if f["type"] != "PostPublished"]
    db = ledger(capsys, new_db, facts)
    result = run(
        capsys, "--db", db, "consent", "withdraw", "--child", "C-0001", "--guardian", "G-0001",
        "--channel", "closed-group", "--on", "2026-02-27",
    )  # fmt: skip
    assert result.status == 0, result.text
    assert after_recorded(result.out) == ""


def test_a_grant_on_a_channel_that_never_allows_images_says_so(
    workdir: Path, new_db: NewDb, capsys: pytest.CaptureFixture[str]
) -> None:
    db = ledger(capsys, new_db)
    result = run(
        capsys, "--db", db, "consent", "grant", "--child", "C-0002", "--guardian", "G-0002",
        "--channel", "personal-account", "--evidence", "F-19", "--method", "paper",
        "--on", "2026-03-02",
    )  # fmt: skip
    assert result.status == 0, result.text
    told = after_recorded(result.out)
    assert "personal-account" in told
    assert "never allows" in told
    assert "cannot be used" in told
    assert_private(result.text)
    # A grant on a channel that allows images with consent says nothing.
    fine = run(
        capsys, "--db", db, "consent", "grant", "--child", "C-0002", "--guardian", "G-0002",
        "--channel", "public-page", "--evidence", "F-20", "--method", "paper",
        "--on", "2026-03-02",
    )  # fmt: skip
    assert fine.status == 0, fine.text
    assert after_recorded(fine.out) == ""


def test_a_concern_raised_says_by_when_it_must_be_addressed(
    workdir: Path, new_db: NewDb, capsys: pytest.CaptureFixture[str]
) -> None:
    db = ledger(capsys, new_db)
    result = run(
        capsys, "--db", db, "concern", "raise", "--concern", "K-0002", "--category",
        "critical-discussion", "--about", "S-0002", "--on", "2027-06-30",
    )  # fmt: skip
    assert result.status == 0, result.text
    told = after_recorded(result.out)
    assert "concern-unaddressed" in told
    assert "2027-07-01" in told  # concern_response_days = 1
    assert "ledger concern address --concern K-0002" in told


def test_an_import_counts_the_findings_it_opens(
    workdir: Path, new_db: NewDb, capsys: pytest.CaptureFixture[str]
) -> None:
    db = ledger(capsys, new_db)
    more: list[Fact] = [
        {"type": "PostPublished", "on": "2026-03-02", "post": "P-0002", "channel": "closed-group",
         "author": "G-0001", "depicts": ["C-0002"], "device": "T-01"},
        {"type": "PostPublished", "on": "2026-03-03", "post": "P-0003", "channel": "closed-group",
         "author": "G-0001", "depicts": ["C-0002"], "device": "T-01"},
    ]  # fmt: skip
    result = import_facts(capsys, db, more, name="more.jsonl")
    assert result.status == 0, result.text
    assert "2 findings opened" in result.out
    assert "consent-missing" in result.out
    assert "ledger findings" in result.out


# --- the deciding, on its own -----------------------------------------------------------------


def test_only_findings_the_fact_opens_are_told() -> None:
    """An episode open before the fact is not new; one the fact ends is told as resolved."""
    day = dt.date(2026, 3, 2)
    old = Episode("consent-missing", "P-0001", dt.date(2026, 1, 1), "d")
    new = Episode("consent-missing", "P-0002", day, "d")
    ended = Episode("consent-missing", "P-0001", dt.date(2026, 1, 1), "d", day, "PostRemoved")
    assert [a.subject for a in alerts.opened([old], [old, new], day)] == ["P-0002"]
    assert alerts.opened([old], [old], day) == []
    assert [a.subject for a in alerts.resolved([old], [ended], day)] == ["P-0001"]
    # A finding that begins after the fact's day is due: its limit runs out the day before.
    later = Episode("concern-unaddressed", "K-0002", dt.date(2026, 3, 4), "d")
    (due,) = alerts.opened([], [later], day)
    assert due.by == dt.date(2026, 3, 3)
    assert due.commands and due.commands[0].startswith("ledger concern address")
