"""The recording commands' accepted values and their "did you mean" (issue 15, item 8)."""

from __future__ import annotations

import typing

import msgspec

from ledger import events as ev
from ledger import recording


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
    assert recording.did_you_mean("group-admn", roles) == "group-admin"
    assert recording.did_you_mean("Manager", roles) == "manager"
    assert recording.did_you_mean("social-media", roles) == "social-media-officer"
    assert recording.did_you_mean("photographer", roles) is None
    assert recording.did_you_mean("closed-grop", ["closed-group", "public-page"]) == "closed-group"
    assert recording.did_you_mean("", ["closed-group"]) is None
