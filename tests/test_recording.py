"""The recording commands' accepted values, in --help and "did you mean" (issue 15, item 8)."""

from __future__ import annotations

import typing
from pathlib import Path

import msgspec
import pytest

from ledger import events as ev
from ledger import recording
from projections.wording import did_you_mean
from tests.conftest import NewDb
from tests.test_cli import ledger


def _field(event: type[ev.Event], name: str) -> msgspec.structs.FieldInfo:
    (found,) = [f for f in msgspec.structs.fields(event) if f.encode_name == name]
    return found


def test_the_values_a_field_accepts_are_the_catalogues() -> None:
    assert recording.accepted(ev.PersonJoined, _field(ev.PersonJoined, "kind")) == typing.get_args(
        ev.PersonKind
    )
    assert recording.accepted(ev.RoleAssigned, _field(ev.RoleAssigned, "role")) == typing.get_args(
        ev.Role
    )
    assert recording.accepted(ev.ConsentGranted, _field(ev.ConsentGranted, "method")) == (
        "paper",
        "email",
        "app",
    )
    # An optional field (None beside the values) still lists them.
    assert "inappropriate" in recording.accepted(ev.PostRemoved, _field(ev.PostRemoved, "reason"))
    assert recording.accepted(
        ev.FindingAcknowledged, _field(ev.FindingAcknowledged, "rule")
    ) == tuple(ev.RULES)
    # References, dates, channels (the profile's) and free text: any value of a form.
    for event, name in [
        (ev.ConsentGranted, "child"),
        (ev.ConsentGranted, "channel"),
        (ev.PostPublished, "depicts"),
        (ev.ChildEnrolled, "name"),
        (ev.ConsentGranted, "expires"),
    ]:
        assert recording.accepted(event, _field(event, name)) == (), name


def test_every_fixed_value_of_every_command_is_listed() -> None:
    # Every field whose type is a Literal (or a list or option of one) has its values listed.
    listed = {
        (c.event.__name__, f.encode_name)
        for c in recording.COMMANDS
        for f in recording.fields(c.event)
        if recording.accepted(c.event, f)
    }
    assert ("PersonJoined", "kind") in listed
    assert ("ConcernRaised", "category") in listed
    assert ("DisciplinaryDecided", "outcome") in listed
    assert ("MemberRemoved", "reason") in listed
    assert ("PolicyReviewed", "outcome") in listed


def test_did_you_mean_picks_the_close_value_and_only_then() -> None:
    roles = typing.get_args(ev.Role)
    assert did_you_mean("group-admn", roles) == "group-admin"
    assert did_you_mean("Manager", roles) == "manager"
    assert did_you_mean("social-media", roles) == "social-media-officer"
    assert did_you_mean("photographer", roles) is None
    assert did_you_mean("closed-grop", ["closed-group", "public-page"]) == "closed-group"
    assert did_you_mean("", ["closed-group"]) is None


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    from ledger.cli import main

    capsys.readouterr()
    try:
        status = main(list(argv))
    except SystemExit as done:  # --help
        status = done.code if isinstance(done.code, int) else 0
    out, err = capsys.readouterr()
    return status, out + err


@pytest.mark.parametrize(
    ("argv", "listed"),
    [
        (["role", "assign", "--help"], "one of: manager, deputy, third-in-charge"),
        (["person", "join", "--help"], "one of: staff, volunteer, student, committee"),
        (["consent", "grant", "--help"], "one of: paper, email, app"),
        (["post", "remove", "--help"], "one of: negative-discussion, inappropriate"),
        (["check", "post", "--help"], "south-woodham-preschool: closed-group, public-page"),
        (["consent", "grant", "--help"], "west-wycombe-preschool: facebook-page"),
    ],
)
def test_help_lists_the_values_an_option_accepts(
    capsys: pytest.CaptureFixture[str], argv: list[str], listed: str
) -> None:
    status, text = _run(capsys, *argv)
    assert status == 0
    assert listed in " ".join(text.split()), text


def test_a_mistyped_command_value_or_choice_says_what_was_meant(
    workdir: Path, new_db: NewDb, capsys: pytest.CaptureFixture[str]
) -> None:
    db = ledger(capsys, new_db)
    for argv, meant in [
        (["findngs"], "did you mean `findings`?"),
        (["role", "assign", "--person", "S-0001", "--role", "group-admn"], "`group-admin`?"),
        (["site", "build", "--out", "x", "--audience", "comittee"], "`committee`?"),
        (
            ["check", "post", "--channel", "closed-grup", "--author", "S-0001"],
            "did you mean `closed-group`?",
        ),
    ]:
        status, text = _run(capsys, "--db", db, *argv)
        assert status == 2, text
        assert meant in text, text
    # Nothing close: no guess, and what was typed is not repeated by the guess.
    status, text = _run(capsys, "--db", db, "role", "assign", "--person", "S-0001", "--role", "Ann")
    assert status == 2 and "did you mean" not in text, text


def test_the_acknowledgement_is_not_named_like_the_findings(
    workdir: Path, new_db: NewDb, capsys: pytest.CaptureFixture[str]
) -> None:
    """`ledger finding acknowledge` beside `ledger findings` invited mistakes: it is
    `ledger committee acknowledge`, and the old name says where it went."""
    assert next(c for c in recording.COMMANDS if c.event is ev.FindingAcknowledged).noun == (
        "committee"
    )
    db = ledger(capsys, new_db)
    argv = ["--rule", "consent-missing", "--subject", "P-0001", "--action", "Post removed"]
    status, text = _run(capsys, "--db", db, "finding", "acknowledge", *argv)
    assert status == 2 and "ledger committee acknowledge" in text, text
    status, text = _run(capsys, "--db", db, "committee", "acknowledge", *argv)
    assert status == 0, text
    assert text.startswith("Recorded FindingAcknowledged for P-0001")
