"""The friendly recording commands (``ledger consent grant ...``), one per kind of fact.

Each command's options are the fields of its event, so that ``ledger consent grant --child
C-0001 ...`` builds exactly the JSON object an import line would hold, and goes through the same
decoding, validation and decisions.
"""

from __future__ import annotations

import types
import typing
from typing import Final

import msgspec

from ledger import events as ev


class Command(msgspec.Struct, frozen=True):
    noun: str
    verb: str
    event: type[ev.Event]
    summary: str


COMMANDS: Final[tuple[Command, ...]] = (
    Command("policy", "adopt", ev.PolicyAdopted, "record that a version of the policy was adopted"),
    Command("policy", "review", ev.PolicyReviewed, "record a review of the policy"),
    Command("terms", "record", ev.TermDatesRecorded, "record the start of a year's summer holiday"),
    Command("child", "enrol", ev.ChildEnrolled, "enrol a child (on = their first day)"),
    Command("child", "leave", ev.ChildLeft, "record a child leaving (on = their last day)"),
    Command("guardian", "link", ev.GuardianLinked, "link a parent or carer to a child"),
    Command(
        "person",
        "join",
        ev.PersonJoined,
        "record staff, a volunteer, student, committee member or visitor",
    ),
    Command("person", "leave", ev.PersonLeft, "record someone leaving (on = their last day)"),
    Command("role", "assign", ev.RoleAssigned, "give someone a role"),
    Command("role", "revoke", ev.RoleRevoked, "take a role away"),
    Command("device", "register", ev.DeviceRegistered, "register a setting device (a tablet)"),
    Command("device", "retire", ev.DeviceRetired, "retire a setting device"),
    Command("consent", "grant", ev.ConsentGranted, "record a consent form for a child"),
    Command("consent", "withdraw", ev.ConsentWithdrawn, "record a withdrawal of consent"),
    Command("post", "publish", ev.PostPublished, "record a post (after `ledger check post`)"),
    Command("post", "remove", ev.PostRemoved, "record that a post was taken down"),
    Command("post", "contact-poster", ev.PosterContacted, "record that the poster was contacted"),
    Command("refer", "to-manager", ev.ReferredToManager, "record a post or concern passed on"),
    Command("member", "admit", ev.MemberAdmitted, "admit someone to the closed group"),
    Command("member", "remove", ev.MemberRemoved, "remove someone from the closed group"),
    Command("friendship", "grant", ev.FriendshipExceptionGranted, "grant a friendship exception"),
    Command("friendship", "end", ev.FriendshipExceptionEnded, "end a friendship exception"),
    Command(
        "friendship", "report", ev.ConnectionReported, "report a staff–parent online connection"
    ),
    Command("concern", "raise", ev.ConcernRaised, "record a concern"),
    Command("concern", "address", ev.ConcernAddressed, "record what was done about a concern"),
    Command("case", "refer", ev.DisciplinaryReferred, "refer someone for disciplinary action"),
    Command("case", "decide", ev.DisciplinaryDecided, "record a disciplinary decision"),
    Command(
        "contact", "permit", ev.CommunicationPermitted, "record a parent's permission for contact"
    ),
    Command("contact", "record", ev.ChildContacted, "record a contact with a child"),
    Command("contact", "parent", ev.ParentContacted, "record a contact with a parent or carer"),
    Command(
        "committee",
        "acknowledge",
        ev.FindingAcknowledged,
        "record what was done about a finding that cannot be undone",
    ),
)

# Example values for ``--help``: references and codes only, and an obviously invented name.
EXAMPLES: Final[dict[str, str]] = {
    "child": "C-0001",
    "guardian": "G-0001",
    "person": "S-0001",
    "by": "S-0001",
    "approved_by": "S-0001",
    "author": "S-0001",
    "member": "G-0001",
    "about": "S-0002",
    "post": "P-0001",
    "ref": "P-0001",
    "concern": "K-0001",
    "case": "D-0001",
    "device": "T-01",
    "name": '"A. Example"',
    "kind": "staff",
    "role": "manager",
    "channel": "closed-group",
    "evidence": "F-17",
    "method": "paper",
    "depicts": "C-0001,C-0002",
    "reason": "inappropriate",
    "category": "critical-discussion",
    "action": '"Comment removed; parent spoken to"',
    "outcome": "unchanged",
    "version": "2025.1",
    "year": "2026",
    "summer_holiday_starts": "2026-07-22",
    "since": "2024-05-01",
    "subject": "P-0001",
    "rule": "consent-missing",
    "expires": "2027-08-31",
}
_OVERRIDES: Final[dict[tuple[type[ev.Event], str], str]] = {
    (ev.DisciplinaryDecided, "outcome"): "advice",
    (ev.CommunicationPermitted, "method"): "setting-email",
    (ev.ChildContacted, "method"): "setting-email",
    (ev.ParentContacted, "method"): "setting-email",
    (ev.MemberRemoved, "reason"): "left",
    (ev.ReferredToManager, "ref"): "K-0001",
}


# The ways of contact the shipped profiles name (DESIGN.md section 3): the setting's own, and
# those that are not. A method is any such label; a profile's `unofficial-contact` rule says
# which are its own (``ledger init --help`` and the policy page show them).
OWN_METHODS: Final[tuple[str, ...]] = ("in-person", "setting-email", "setting-phone", "setting-app")
OTHER_METHODS: Final[tuple[str, ...]] = ("personal-phone", "personal-email", "text", "social-media")
CONTACT_EVENTS: Final[tuple[type[ev.Event], ...]] = (
    ev.ChildContacted,
    ev.ParentContacted,
    ev.CommunicationPermitted,
)

# Help for a field whose values are a reference of more than one kind.
REFERENCE_HELP: Final[dict[tuple[type[ev.Event], str], str]] = {
    (ev.ConcernRaised, "about"): "who the concern is about: a member of the setting S-…, a parent"
    " or carer G-…, or a child C-… (e.g. S-0002, or C-0001 for a pupil)",
    (ev.ConcernRaised, "post"): "the post the concern is about, if it is about one (e.g. P-0001)",
    (ev.MemberAdmitted, "by"): "who admitted or invited them: S-… or G-… (e.g. S-0001)",
    (ev.PostPublished, "purpose"): "what the post is for, one of: promotion (the setting, its"
    " events, its fundraising), news (updates, reminders), activity (what the children did),"
    " discussion, other (e.g. promotion)",
}


def method_help() -> str:
    """The help of a contact method's option: the labels the shipped profiles use."""
    return (
        "how: a label (e.g. setting-email); the shipped profiles use "
        + ", ".join(OWN_METHODS)
        + " for the setting's own ways, and "
        + ", ".join(OTHER_METHODS)
        + " for the others (a contact by one the profile does not count as its own is a"
        " finding where the policy says so)"
    )


def option(field: msgspec.structs.FieldInfo) -> str:
    return "--" + field.encode_name.replace("_", "-")


def fields(event: type[ev.Event]) -> list[msgspec.structs.FieldInfo]:
    """The command's fields: every event field except ``on``, which is ``--on`` (default today)."""
    return [f for f in msgspec.structs.fields(event) if f.encode_name != "on"]


def is_list(event: type[ev.Event], field: msgspec.structs.FieldInfo) -> bool:
    hint = typing.get_type_hints(event, include_extras=True)[field.name]
    return typing.get_origin(hint) is list


def is_int(event: type[ev.Event], field: msgspec.structs.FieldInfo) -> bool:
    hint = typing.get_type_hints(event, include_extras=True)[field.name]
    while typing.get_origin(hint) is typing.Annotated:
        hint = typing.get_args(hint)[0]
    return hint is int


def example(command: Command) -> str:
    parts = ["ledger", command.noun, command.verb]
    for f in fields(command.event):
        if not f.required and f.encode_name not in ("device", "expires", "depicts"):
            continue
        value = _OVERRIDES.get((command.event, f.encode_name), EXAMPLES.get(f.encode_name, "…"))
        parts += [option(f), value]
    parts += ["--on", "2026-03-02"]
    return " ".join(parts)


def accepted(event: type[ev.Event], field: msgspec.structs.FieldInfo) -> tuple[str, ...]:
    """The values a field accepts, where the catalogue fixes them (a role, a kind of person, a
    method, a reason, a category, an outcome, a rule): for ``--help`` and "did you mean". Empty
    where any value of a form is accepted (a reference, a date, a channel of the profile)."""
    hint = typing.get_type_hints(event, include_extras=True)[field.name]
    while True:
        origin = typing.get_origin(hint)
        if origin is typing.Annotated or origin is list:
            hint = typing.get_args(hint)[0]
        elif origin is typing.Union or origin is types.UnionType:
            options = [a for a in typing.get_args(hint) if a is not type(None)]
            if len(options) != 1:
                return ()
            hint = options[0]
        else:
            break
    if typing.get_origin(hint) is typing.Literal:
        return tuple(str(value) for value in typing.get_args(hint))
    return ()
