"""The policy in force, in plain words: its channels, its rules with their parameters and the
lines they cite, its review history and when the next review is due (the policy rule's
``review_due``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Final

import msgspec

from ledger.profile import ANY_MEMBER, ANY_PERSON, GUARDIANS, Profile
from ledger.profile import Parameter as StatedOrRead
from projections import wording
from projections.findings import Episode
from projections.registers import Registers
from projections.rules import policy as policy_rules

# Parameters in plain words: (label, unit) by field name.
PARAMETER_WORDS: Final[dict[str, tuple[str, str]]] = {
    "takedown_days": ("Posts come down within", "days of a withdrawal"),
    "follow_up_days": ("Follow-up within", "days of the removal"),
    "leaver_grace_days": ("Leavers removed within", "days of the summer holiday's start"),
    "summer_holiday_default": ("Summer holiday taken to start (when not recorded)", ""),
    "min_group_admins": ("Administrators needed", ""),
    "friendship_exception": ("Friendship exceptions", ""),
    "concern_response_days": ("Concerns taken up within", "days"),
    "decision_days": ("Disciplinary decision within", "days of the referral"),
    "review_interval_months": ("Policy reviewed at least every", "months"),
    "require_setting_device": ("Photos of children only on setting devices", ""),
    "contacts_need_setting_device": ("Contact with children only on setting devices", ""),
    "official_contact_methods": ("The setting's own ways of contact", ""),
    "contacts_judged": ("Whose contacts are judged", ""),
    "removal_days": ("Posts flagged in a concern come down within", "days of the concern"),
    "friendship_kinds": ("Friendships with parents judged for, while they serve", ""),
}
EXCEPTION_WORDS: Final[dict[str, str]] = {
    "pre-existing": "only where the relationship began before the child started",
    "declared": "where staff and parent declare it to the setting",
    "never": "never granted",
}


class Parameter(msgspec.Struct, frozen=True):
    field: str
    label: str
    value: str
    stated: bool = False  # the policy states it; else the ledger reads it (``basis`` says how)
    basis: str = ""  # the line and its words, or the ledger's reading, in plain words


class ChannelText(msgspec.Struct, frozen=True):
    name: str
    says: str
    posters: list[str]
    child_images: str
    group: bool
    cite: list[str]


class RuleText(msgspec.Struct, frozen=True):
    name: str
    says: str
    parameters: list[Parameter]
    cite: list[str]


class PolicyEvent(msgspec.Struct, frozen=True):
    on: dt.date
    kind: str  # "adopted" or "reviewed"
    detail: str  # the version adopted, or the review's outcome


class PolicyReport(msgspec.Struct, frozen=True):
    title: str
    policy: str
    profile: str
    source: str
    channels: list[ChannelText]
    rules: list[RuleText]
    retention: str
    retention_years: list[tuple[str, int]]
    history: list[PolicyEvent]
    last_review: dt.date | None  # the last adoption or review on or before the day
    next_review_due: dt.date | None  # when the profile sets a review interval
    review_overdue: bool


def _value(field: str, value: object) -> str:
    if isinstance(value, tuple):  # labels (ways of contact) or kinds of person, as listed
        return ", ".join(str(v) for v in value) or "none"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if field == "friendship_exception" and isinstance(value, str):
        return f"{value}: {EXCEPTION_WORDS.get(value, value)}"
    if field == "summer_holiday_default" and isinstance(value, str):
        month, day_ = (int(part) for part in value.split("-"))
        return f"{day_} {dt.date(2000, month, 1).strftime('%B')}"
    unit = PARAMETER_WORDS.get(field, ("", ""))[1]
    if isinstance(value, int) and unit.split(" ", 1)[0] in ("days", "months"):
        word, _, rest = unit.partition(" ")
        return f"{wording.count(value, word.removesuffix('s'))} {rest}".strip()
    return f"{value} {unit}".strip()


def _basis(b: StatedOrRead) -> tuple[bool, str]:
    """Whether the policy states a parameter, and where (its line and words), or how the
    ledger reads it: what a committee may change in its own profile."""
    if b.stated and b.cited is not None:
        words = f': "{b.cited.quote}"' if b.cited.quote else ""
        return True, f"stated by the policy ({b.cited.at}{words})"
    return False, f"the ledger's reading: {b.reading}" if b.reading else "the ledger's reading"


def policy_report(
    r: Registers, profile: Profile, episodes: Sequence[Episode], day: dt.date
) -> PolicyReport:
    rules: list[RuleText] = []
    bases = {(b.rule, b.name): b for b in profile.parameters()}
    for name, rule in profile.rules.items():
        parameters = [
            Parameter(
                field,
                PARAMETER_WORDS[field][0],
                _value(field, bases[(name, field)].value),
                *_basis(bases[(name, field)]),
            )
            for field in PARAMETER_WORDS
            if (name, field) in bases  # every parameter the rule uses, set or by default
        ]
        rules.append(RuleText(name, rule.says, parameters, list(rule.cite)))
    history = [PolicyEvent(m.on, m.kind, m.detail) for m in r.policy if m.on <= day]
    last = history[-1].on if history else None
    due = None
    if last is not None and profile.is_on("policy-review-overdue"):
        due = policy_rules.review_due(profile, last)
    retention = profile.retention
    return PolicyReport(
        title=profile.title,
        policy=profile.policy,
        profile=profile.name,
        source=profile.source,
        channels=[
            ChannelText(n, c.says, list(c.posters), c.child_images, c.group, list(c.cite))
            for n, c in profile.channels.items()
        ],
        rules=rules,
        retention=retention.says,
        retention_years=[
            ("Children's records, years after leaving", retention.child_years_after_leaving),
            (
                "Parents' and carers' records, years after their last child left",
                retention.guardian_years_after_last_child_left,
            ),
            (
                "Staff and volunteers' records, years after leaving",
                retention.person_years_after_leaving,
            ),
        ],
        history=history,
        last_review=last,
        next_review_due=due,
        review_overdue=due is not None and day > due,
    )


def posters_in_words(posters: Sequence[str]) -> str:
    if not posters:
        return "nobody"
    words = {
        ANY_MEMBER: "any group member",
        ANY_PERSON: "anyone at the setting",
        GUARDIANS: "parents and carers of children at the setting",
    }
    return ", ".join(words.get(p, p) for p in posters)


def images_in_words(child_images: str) -> str:
    """A channel's ``child_images`` in plain words."""
    return {
        "consent": "with consent",
        "own-children": "a parent's own children only",
    }.get(child_images, "never")
