"""The new facts of issue 18 (DESIGN.md section 3, "Extensions for seed fidelity") through every
command that records, exports, replays, verifies, forgets and answers a subject access request,
on both stores: `ledger contact parent` (ParentContacted), `post publish --purpose`, `concern
raise --about C-… --post P-…` with the new categories, `person join --kind visitor` and `member
admit --by`; and the `unofficial-contact` warning said at the moment of recording.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from ledger import recording
from ledger.integrity import Signer
from tests.conftest import NewDb, key_path_for
from tests.test_cli import (
    BASE_COMMON,
    BASE_SW,
    CHILD_1,
    GUARDIAN_1,
    NURSERY,
    STAFF_1,
    Fact,
    export,
    facts_of,
    files,
    import_facts,
    ledger,
    run,
    write,
)

# Each new fact as a recording command and as the import line it must equal (South Woodham,
# whose group takes a visitor admitted by the manager; the facts follow BASE_SW).
NEW: list[tuple[list[str], Fact]] = [
    (
        [
            "contact",
            "parent",
            "--guardian",
            "G-0001",
            "--by",
            "S-0001",
            "--method",
            "social-media",
            "--device",
            "T-01",
            "--on",
            "2025-10-05",
        ],
        {
            "type": "ParentContacted",
            "on": "2025-10-05",
            "guardian": "G-0001",
            "by": "S-0001",
            "method": "social-media",
            "device": "T-01",
        },
    ),
    (
        [
            "post",
            "publish",
            "--post",
            "P-0002",
            "--channel",
            "closed-group",
            "--author",
            "S-0001",
            "--purpose",
            "activity",
            "--on",
            "2025-10-06",
        ],
        {
            "type": "PostPublished",
            "on": "2025-10-06",
            "post": "P-0002",
            "channel": "closed-group",
            "author": "S-0001",
            "depicts": [],
            "purpose": "activity",
        },
    ),
    (
        [
            "concern",
            "raise",
            "--concern",
            "K-0002",
            "--category",
            "bullying",
            "--about",
            "C-0001",
            "--post",
            "P-0002",
            "--on",
            "2025-10-07",
        ],
        {
            "type": "ConcernRaised",
            "on": "2025-10-07",
            "concern": "K-0002",
            "category": "bullying",
            "about": "C-0001",
            "post": "P-0002",
        },
    ),
    (
        [
            "person",
            "join",
            "--person",
            "S-0003",
            "--name",
            "Test Visitor",
            "--kind",
            "visitor",
            "--on",
            "2025-10-01",
        ],
        {
            "type": "PersonJoined",
            "on": "2025-10-01",
            "person": "S-0003",
            "name": "Test Visitor",
            "kind": "visitor",
        },
    ),
    (
        ["member", "admit", "--member", "S-0003", "--by", "S-0001", "--on", "2025-10-02"],
        {"type": "MemberAdmitted", "on": "2025-10-02", "member": "S-0003", "by": "S-0001"},
    ),
]
# What differs between two ledgers holding the same facts: when and how each was stored.
STORED = ("recorded_at", "leaf", "sealed")


def _same(lines: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{k: v for k, v in line.items() if k not in STORED} for line in facts_of(lines)]


def _help(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    from ledger.cli import main

    capsys.readouterr()
    with pytest.raises(SystemExit) as done:
        main([*argv, "--help"])
    assert done.value.code == 0
    return " ".join(capsys.readouterr().out.split())


# --- help -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("argv", "listed"),
    [
        (["contact", "parent"], ["--guardian", "--by", "--method", "--device"]),
        (["contact", "parent"], [*recording.OWN_METHODS, *recording.OTHER_METHODS]),
        (["contact", "parent"], ["example: ledger contact parent --guardian G-0001 --by S-0001"]),
        (["contact", "record"], [*recording.OWN_METHODS, *recording.OTHER_METHODS]),
        (["contact", "permit"], ["setting-email", "social-media"]),
        (
            ["post", "publish"],
            [
                "--purpose",
                "one of: promotion (the setting, its events, its fundraising), news",
                "activity (what the children did), discussion, other (e.g. promotion)",
            ],
        ),
        (
            ["concern", "raise"],
            ["use-at-work", "personal-information", "parent-question", "bullying"],
        ),
        (["concern", "raise"], ["discrimination", "a child C-…", "e.g. P-0001", "example:"]),
        (["person", "join"], ["one of: staff, volunteer, student, committee, visitor"]),
        (["member", "admit"], ["--by", "who admitted or invited them", "e.g. S-0001"]),
    ],
)
def test_help_lists_the_new_values_with_an_example(
    capsys: pytest.CaptureFixture[str], argv: list[str], listed: list[str]
) -> None:
    text = _help(capsys, *argv)
    for words in listed:
        assert words in text, f"{argv}: {words!r} not in: {text}"


# --- recording: the same fact as an import ------------------------------------------------------


def test_each_new_command_writes_what_an_import_of_its_line_writes(
    workdir: Path, new_db: NewDb, capsys: pytest.CaptureFixture[str]
) -> None:
    by_command = ledger(capsys, new_db, name="commands.db")
    for argv, _line in NEW:
        result = run(capsys, "--db", by_command, *argv)
        assert result.status == 0, result.text
    by_import = ledger(capsys, new_db, name="import.db")
    result = import_facts(capsys, by_import, [line for _argv, line in NEW], name="new.jsonl")
    assert result.status == 0, result.text
    commands, imported = _same(export(capsys, by_command)), _same(export(capsys, by_import))
    assert commands == imported
    # And each new line is exported as it was written, field for field.
    tail = {(line["type"], line["on"]): line for line in imported[-len(NEW) :]}
    for _argv, line in NEW:
        exported = dict(tail[(line["type"], line["on"])])
        del exported["position"]
        assert exported == line


@pytest.mark.parametrize(
    ("argv", "meant"),
    [
        (["post", "publish", "--post", "P-0009", "--channel", "closed-group"], "`news`?"),
        (["concern", "raise", "--concern", "K-0009", "--category", "bulying"], "`bullying`?"),
        (["person", "join", "--person", "S-0009", "--name", "X", "--kind", "visiter"], "visitor"),
    ],
)
def test_a_mistyped_new_value_says_what_was_meant_and_writes_nothing(
    workdir: Path,
    new_db: NewDb,
    capsys: pytest.CaptureFixture[str],
    argv: list[str],
    meant: str,
) -> None:
    db = ledger(capsys, new_db)
    if argv[:2] == ["post", "publish"]:
        argv = [*argv, "--author", "S-0001", "--purpose", "newz"]
    before = files(db)
    result = run(capsys, "--db", db, *argv)
    assert result.status == 2, result.text
    assert f"did you mean {meant}" in result.err or meant in result.err, result.text
    assert "did you mean" in result.err
    assert files(db) == before


@pytest.mark.parametrize(
    ("argv", "field"),
    [
        (["contact", "parent", "--guardian", "G-0009", "--by", "S-0001"], "guardian"),
        (["contact", "parent", "--guardian", "G-0001", "--by", "S-0009"], "by"),
        (["contact", "parent", "--guardian", "S-0001", "--by", "S-0001"], "guardian"),
        (["contact", "parent", "--guardian", "G-0001", "--by", "G-0001"], "by"),
    ],
)
def test_a_contact_with_an_unknown_or_wrong_reference_is_refused(
    workdir: Path,
    new_db: NewDb,
    capsys: pytest.CaptureFixture[str],
    argv: list[str],
    field: str,
) -> None:
    db = ledger(capsys, new_db)
    before = files(db)
    result = run(capsys, "--db", db, *argv, "--method", "setting-email")
    assert result.status == 2, result.text
    assert field in result.err, result.text
    assert files(db) == before


def test_a_method_holding_a_held_name_is_refused(
    workdir: Path, new_db: NewDb, capsys: pytest.CaptureFixture[str]
) -> None:
    """A method and a device are kept in clear (the rule reads them): a name there could never
    be forgotten, so it is refused, naming the field and never the name."""
    db = ledger(capsys, new_db)
    before = files(db)
    family = STAFF_1.split()[-1]
    for option in ("--method", "--device"):
        argv = ["contact", "parent", "--guardian", "G-0001", "--by", "S-0001"]
        argv += ["--method", "text"] if option == "--device" else []
        result = run(capsys, "--db", db, *argv, option, f"{family.lower()}-phone")
        assert result.status == 2, result.text
        assert f"{option}:" in result.err and "holds the name" in result.err, result.text
        assert family not in result.text
    assert files(db) == before


# --- the warning at the moment of recording -----------------------------------------------------


def test_recording_an_unofficial_contact_says_so_at_once(
    workdir: Path, new_db: NewDb, capsys: pytest.CaptureFixture[str]
) -> None:
    """Stepping Stones Nursery, line 38: a private message to a parent opens a finding, said
    when it is recorded with the command that resolves it; the nursery's own email does not."""
    db = ledger(capsys, new_db, facts=BASE_COMMON, profile=NURSERY)
    argv = ["contact", "parent", "--guardian", "G-0001", "--by", "S-0001", "--on", "2025-10-05"]
    result = run(capsys, "--db", db, *argv, "--method", "setting-email")
    assert result.status == 0 and "Warning" not in result.out, result.text
    result = run(capsys, "--db", db, *argv, "--method", "social-media")
    assert result.status == 0, result.text
    said = " ".join(result.out.split())
    assert "opens a finding: unofficial-contact" in said, said
    assert "for S-0001/G-0001" in said and "by social-media" in said, said
    assert (
        "ledger committee acknowledge --rule unofficial-contact --subject S-0001/G-0001" in said
    ), said
    assert GUARDIAN_1 not in result.text and STAFF_1 not in result.text
    # A second one while it is open belongs to it: nothing new to say.
    result = run(capsys, "--db", db, *argv[:-1], "2025-10-06", "--method", "text")
    assert result.status == 0 and "opens a finding" not in result.out, result.text


def test_an_unofficial_contact_with_a_child_is_said_by_its_pair(
    workdir: Path, new_db: NewDb, capsys: pytest.CaptureFixture[str]
) -> None:
    """Stepping Stones Pre School, line 23: a personal message to a child."""
    db = ledger(capsys, new_db, facts=BASE_COMMON, profile="stepping-stones-preschool")
    argv = ["contact", "record", "--child", "C-0001", "--by", "S-0001", "--device", "T-01"]
    result = run(capsys, "--db", db, *argv, "--method", "social-media", "--on", "2025-10-05")
    assert result.status == 0, result.text
    said = " ".join(result.out.split())
    assert "opens a finding: unofficial-contact" in said and "S-0001/C-0001" in said, said
    assert CHILD_1 not in result.text


# --- export, replay, verify, subject and forget on the new facts --------------------------------

NURSERY_NEW: list[Fact] = [
    {"type": "PersonJoined", "on": "2025-10-01", "person": "S-0003", "name": "Test Visitor"}
    | {"kind": "visitor"},
    {
        "type": "PostPublished",
        "on": "2025-10-04",
        "post": "P-0001",
        "channel": "closed-page",
        "author": "S-0001",
        "depicts": [],
        "purpose": "news",
    },
    {"type": "ParentContacted", "on": "2025-10-05", "guardian": "G-0001", "by": "S-0001"}
    | {"method": "social-media"},
    {"type": "ParentContacted", "on": "2025-10-06", "guardian": "G-0002", "by": "S-0002"}
    | {"method": "setting-phone", "device": "T-01"},
    {"type": "ParentContacted", "on": "2025-10-07", "guardian": "G-0002", "by": "S-0002"}
    | {"method": "personal-phone"},
    {
        "type": "ConcernRaised",
        "on": "2025-10-08",
        "concern": "K-0002",
        "category": "personal-information",
        "about": "C-0001",
        "post": "P-0001",
    },
    {
        "type": "FindingAcknowledged",
        "on": "2025-10-09",
        "rule": "unofficial-contact",
        "subject": "S-0002/G-0002",
        "action": "Spoke to S-0002 about using the nursery phone",
    },
]


@pytest.fixture
def nursery(workdir: Path, new_db: NewDb, capsys: pytest.CaptureFixture[str]) -> str:
    db = ledger(capsys, new_db, facts=[*BASE_COMMON, *NURSERY_NEW], profile=NURSERY)
    assert GUARDIAN_1  # the names these tests look for are recorded by BASE_COMMON
    return db


def _findings(capsys: pytest.CaptureFixture[str], db: str) -> list[dict[str, Any]]:
    result = run(capsys, "--db", db, "findings", "--as-of", "2026-06-30", "--json")
    assert result.status == 0, result.text
    found: list[dict[str, Any]] = json.loads(result.out)
    return found


def test_the_new_facts_export_replay_and_verify(
    nursery: str, capsys: pytest.CaptureFixture[str]
) -> None:
    db = nursery
    lines = export(capsys, db)
    new = [line for line in facts_of(lines) if line["on"] >= "2025-10-01"][-len(NURSERY_NEW) :]
    for written, exported in zip(NURSERY_NEW, new, strict=True):
        assert {k: v for k, v in exported.items() if k not in ("position", *STORED)} == written
    found = _findings(capsys, db)
    assert [
        (f["rule"], f["subject"], f["status"]) for f in found if f["rule"] == "unofficial-contact"
    ] == [
        ("unofficial-contact", "S-0001/G-0001", "open"),
        ("unofficial-contact", "S-0002/G-0002", "resolved"),
    ]
    result = run(capsys, "--db", db, "verify")
    assert result.status == 0 and result.out.startswith("Intact"), result.text
    trail = write(Path.cwd() / "trail.jsonl", run(capsys, "--db", db, "export").out)
    key = Signer.load(key_path_for(db, Path.cwd())).verifier_key()
    result = run(capsys, "replay", str(trail), "--key", key, "--as-of", "2026-06-30", "--json")
    assert result.status == 0, result.text
    answer = json.loads(result.out)
    assert answer["findings"] == found
    assert answer["head"]["size"] == max(line["position"] for line in facts_of(lines))
    # Exported again, byte for byte the same (nothing is re-encoded differently on reading).
    assert run(capsys, "--db", db, "export").out == run(capsys, "--db", db, "export").out


def test_subject_access_lists_the_contacts_and_a_concern_about_a_child(
    nursery: str, capsys: pytest.CaptureFixture[str]
) -> None:
    db = nursery

    def held(ref: str) -> list[tuple[str, str]]:
        result = run(capsys, "--db", db, "subject", ref, "--json")
        assert result.status == 0, result.text
        return [(f["type"], f["on"]) for f in json.loads(result.out)["facts"]]

    assert ("ParentContacted", "2025-10-05") in held("G-0001")
    assert ("ParentContacted", "2025-10-05") in held("S-0001")
    assert ("ParentContacted", "2025-10-06") not in held("G-0001")
    assert {("ParentContacted", "2025-10-06"), ("ParentContacted", "2025-10-07")} <= set(
        held("S-0002")
    )
    assert ("FindingAcknowledged", "2025-10-09") in held("G-0002")
    assert ("ConcernRaised", "2025-10-08") in held("C-0001")
    assert ("ConcernRaised", "2025-10-08") not in held("C-0002")
    assert ("PersonJoined", "2025-10-01") in held("S-0003")


@pytest.mark.parametrize("ref", ["G-0002", "S-0002"])
def test_forgetting_either_side_of_a_contact_leaves_no_name_and_keeps_the_trail(
    nursery: str, capsys: pytest.CaptureFixture[str], ref: str
) -> None:
    db = nursery
    before = _findings(capsys, db)
    names = {"G-0002": "Bartholomew", "S-0002": "Clementine"}
    assert names[ref] in run(capsys, "--db", db, "export").out
    # The acknowledgement's note about the pair goes with either of them.
    assert "nursery phone" in run(capsys, "--db", db, "export").out
    result = run(capsys, "--db", db, "forget", ref)
    assert result.status == 0, result.text
    trail = run(capsys, "--db", db, "export").out
    assert names[ref] not in trail
    assert "nursery phone" not in trail
    assert "ParentContacted" in trail  # the facts stay, by reference
    assert _findings(capsys, db) == before
    result = run(capsys, "--db", db, "verify")
    assert result.status == 0 and result.out.startswith("Intact"), result.text
    result = run(capsys, "--db", db, "subject", ref)
    assert result.status == 0 and "has been forgotten" in result.out, result.text
    assert "ParentContacted" in result.out


def test_an_old_line_without_the_new_fields_exports_without_them(
    workdir: Path, new_db: NewDb, capsys: pytest.CaptureFixture[str]
) -> None:
    """Files written before the extensions import as they are and export without the fields
    (no `purpose`, `post` or `by` appears where it was not written)."""
    db = ledger(capsys, new_db, facts=BASE_SW)
    lines = facts_of(export(capsys, db))
    post = next(line for line in lines if line["type"] == "PostPublished")
    concern = next(line for line in lines if line["type"] == "ConcernRaised")
    admitted = next(line for line in lines if line["type"] == "MemberAdmitted")
    assert "purpose" not in post and "post" not in concern and "by" not in admitted
    result = run(capsys, "--db", db, "verify")
    assert result.status == 0, result.text


def test_a_receipt_is_made_and_checks_beside_the_new_facts(
    workdir: Path, new_db: NewDb, capsys: pytest.CaptureFixture[str]
) -> None:
    """A parent's consent receipt, in a ledger that holds every new fact (a concern about the
    child among them), is made and checks offline against the setting's key; the concern about
    the child is not consent, so it is not in the receipt."""
    db = ledger(capsys, new_db, facts=[*BASE_SW, *(line for _argv, line in NEW)])
    result = run(capsys, "--db", db, "receipt", "C-0001")
    assert result.status == 0, result.text
    assert "ConsentGranted" in result.out, result.out
    assert "ConcernRaised" not in result.out and "ParentContacted" not in result.out
    path = write(Path.cwd() / "receipt.json", result.out)
    key = Signer.load(key_path_for(db, Path.cwd())).verifier_key()
    result = run(capsys, "receipt", "--check", str(path), "--key", key)
    assert result.status == 0, result.text


def test_forgetting_a_child_shreds_the_note_on_an_unofficial_contact_with_them(
    workdir: Path, new_db: NewDb, capsys: pytest.CaptureFixture[str]
) -> None:
    """The committee's note on a PERSON/CHILD finding is sealed under both people's keys: it
    goes with the child (and the findings and the trail stay as they were)."""
    contact: Fact = {
        "type": "ChildContacted",
        "on": "2025-10-05",
        "child": "C-0001",
        "by": "S-0001",
        "method": "social-media",
        "device": "T-01",
    }
    note: Fact = {
        "type": "FindingAcknowledged",
        "on": "2025-10-06",
        "rule": "unofficial-contact",
        "subject": "S-0001/C-0001",
        "action": "Message deleted; S-0001 reminded of the pre-school phone",
    }
    facts = [*BASE_COMMON, contact, note]
    db = ledger(capsys, new_db, facts=facts, profile="stepping-stones-preschool")
    before = _findings(capsys, db)
    assert ("unofficial-contact", "S-0001/C-0001", "resolved") in [
        (f["rule"], f["subject"], f["status"]) for f in before
    ]
    assert "reminded of the pre-school phone" in run(capsys, "--db", db, "export").out
    result = run(capsys, "--db", db, "forget", "C-0001")
    assert result.status == 0, result.text
    trail = run(capsys, "--db", db, "export").out
    assert "reminded of the pre-school phone" not in trail
    assert CHILD_1.split()[0] not in trail
    assert _findings(capsys, db) == before
    result = run(capsys, "--db", db, "verify")
    assert result.status == 0 and result.out.startswith("Intact"), result.text
