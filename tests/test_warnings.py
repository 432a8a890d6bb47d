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

from ledger import cli
from ledger import warnings as alerts
from ledger.decisions import Refused, decide
from ledger.importer import decode_object
from ledger.store import open_ledger
from projections import registers as reg
from projections.findings import Episode, all_episodes
from tests.conftest import NewDb, config_for
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
    assert "that day has passed" in told and "from 2026-03-02" in told  # today is 2027-06-30
    assert_private(result.text)
    # Recorded as it happens, the deadline is still to come.
    again = run(
        capsys, "--db", db, "consent", "withdraw", "--child", "C-0002", "--guardian", "G-0002",
        "--channel", "closed-group", "--on", "2027-06-29",
    )  # fmt: skip
    assert again.status == 0, again.text
    told = after_recorded(again.out)
    assert "P-0004" in told and "by 2027-07-01," in told
    assert "passed" not in told


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


def test_a_large_import_points_to_the_findings_instead(
    workdir: Path,
    new_db: NewDb,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Past WARN_IMPORTS_UP_TO facts an import is not judged twice; it says where to look."""
    db = ledger(capsys, new_db)
    monkeypatch.setattr(cli, "WARN_IMPORTS_UP_TO", 1)
    more: list[Fact] = [
        {"type": "PostPublished", "on": "2026-03-02", "post": "P-0002", "channel": "closed-group",
         "author": "G-0001", "depicts": ["C-0002"], "device": "T-01"},
        {"type": "PostPublished", "on": "2026-03-03", "post": "P-0003", "channel": "closed-group",
         "author": "G-0001", "depicts": ["C-0002"], "device": "T-01"},
    ]  # fmt: skip
    result = import_facts(capsys, db, more, name="more.jsonl")
    assert result.status == 0, result.text
    assert "findings opened" not in result.out
    assert "ledger findings --open" in result.out


# Facts of every kind that can bear on a post, a member or a role, each tried on its own
# against the same ledger: judging only the posts a fact names must tell what judging every
# post tells.
TRIED: list[Fact] = [
    {"type": "PostPublished", "on": "2026-03-02", "post": "P-0009", "channel": "closed-group",
     "author": "G-0001", "depicts": ["C-0002"], "device": "T-01"},
    {"type": "PostPublished", "on": "2026-03-02", "post": "P-0009", "channel": "public-page",
     "author": "G-0002", "depicts": ["C-0001"]},
    {"type": "ConsentWithdrawn", "on": "2026-01-10", "child": "C-0001", "guardian": "G-0001",
     "channel": "closed-group"},
    {"type": "ConsentGranted", "on": "2025-09-01", "child": "C-0002", "guardian": "G-0002",
     "channel": "public-page", "evidence": "F-30", "method": "paper"},
    {"type": "ConsentGranted", "on": "2026-01-10", "child": "C-0001", "guardian": "G-0001",
     "channel": "personal-account", "evidence": "F-31", "method": "paper"},
    {"type": "MemberRemoved", "on": "2025-09-20", "member": "G-0001", "reason": "voluntary"},
    {"type": "MemberAdmitted", "on": "2025-09-20", "member": "G-0002"},
    {"type": "RoleRevoked", "on": "2025-09-20", "person": "S-0001", "role": "manager"},
    {"type": "RoleAssigned", "on": "2026-01-10", "person": "S-0002", "role": "group-admin"},
    {"type": "DeviceRetired", "on": "2025-09-20", "device": "T-01"},
    {"type": "PostRemoved", "on": "2026-01-10", "post": "P-0002", "by": "S-0001",
     "reason": "inappropriate"},
    {"type": "FindingAcknowledged", "on": "2026-01-10", "rule": "consent-missing",
     "subject": "P-0002", "action": "Spoken to"},
    {"type": "ChildLeft", "on": "2026-01-10", "child": "C-0001"},
    {"type": "PersonLeft", "on": "2026-01-10", "person": "S-0001"},
    {"type": "ConcernRaised", "on": "2027-06-29", "concern": "K-0009",
     "category": "critical-discussion", "about": "S-0002"},
]  # fmt: skip


def test_judging_only_the_posts_a_fact_names_tells_what_judging_all_tells(
    workdir: Path, new_db: NewDb, capsys: pytest.CaptureFixture[str]
) -> None:
    extra: list[Fact] = [
        # A post on the public page without consent (P-0002), and one by another author.
        {"type": "PostPublished", "on": "2025-11-01", "post": "P-0002", "channel": "public-page",
         "author": "S-0001", "depicts": ["C-0002"], "device": "T-01"},
        {"type": "PostPublished", "on": "2025-11-02", "post": "P-0003", "channel": "closed-group",
         "author": "G-0002", "depicts": ["C-0001"], "device": "T-01"},
    ]  # fmt: skip
    db = ledger(capsys, new_db, [*BASE_SW, *extra])
    store = open_ledger(config_for(db, workdir))
    profile = store.profile
    today = dt.date.fromisoformat(NOW[:10])
    tried = narrowed = 0
    for obj in TRIED:
        event = decode_object(dict(obj), None)
        full, part = store.registers(), store.registers()
        narrowed += len(alerts.scoped(part, event).posts) < len(part.posts)
        try:
            decide(full, profile, event, today)
        except Refused:
            continue
        tried += 1
        old_full = all_episodes(full, profile)
        old_part = alerts.episodes(part, profile, event)
        reg.apply(full, event, full.position + 1)
        reg.apply(part, event, part.position + 1)
        new_full = all_episodes(full, profile)
        new_part = alerts.episodes(part, profile, event)

        def said(found: list[alerts.Alert]) -> set[tuple[str, str, str, dt.date]]:
            return {(a.kind, a.rule, a.subject, a.since) for a in found}

        for check in (alerts.opened, alerts.resolved):
            assert said(check(old_full, new_full, event.on)) == said(
                check(old_part, new_part, event.on)
            ), obj
    assert tried >= 10  # most of them are facts the ledger would record
    assert narrowed >= 5  # and most of them are judged on fewer posts than the ledger holds


# A subject of each rule's kind (site/rules.md says what each rule's subject is).
SUBJECTS = {
    "consent-missing": "P-0001",
    "child-image-forbidden": "P-0001",
    "unauthorised-poster": "P-0001",
    "non-setting-device": "C-0001",  # a contact's finding (a post's is P-…)
    "withdrawn-consent-post-live": "P-0001",
    "removal-follow-up-overdue": "P-0001",
    "ineligible-member": "G-0001",
    "leaver-not-removed": "G-0001",
    "too-few-admins": "closed-group",
    "connection-without-exception": "S-0001/G-0001",
    "concern-unaddressed": "K-0001",
    "referral-undecided": "D-0001",
    "policy-review-overdue": "policy",
    "contact-without-permission": "C-0001",
    "unofficial-contact": "S-0001/G-0001",
    "purpose-not-allowed": "P-0001",
    "flagged-post-not-removed": "P-0001",
}


def test_every_rule_has_a_plain_title_and_a_command_that_resolves_it() -> None:
    from ledger import events as ev
    from ledger import recording

    assert set(alerts.TITLES) == set(ev.RULES) == set(SUBJECTS)
    verbs = {f"ledger {c.noun} {c.verb} " for c in recording.COMMANDS}
    for rule, subject in [*SUBJECTS.items(), ("non-setting-device", "P-0001")]:
        commands = alerts.todo(rule, subject)
        assert commands, rule
        # Each is a real recording command, naming the finding's subject where it has one.
        assert all(any(c.startswith(v) for v in verbs) for c in commands), commands
        if rule not in ("too-few-admins", "policy-review-overdue"):
            named = all(f" {part}" in commands[0] for part in subject.split("/"))
            assert named or f" {subject} " in commands[0], commands
