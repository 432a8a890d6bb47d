"""Warnings at the moment of recording (issue 15, item 5): what a fact just recorded means.

Pure: each answer is a function of the findings' episodes before and after the write, the
registers after it, the profile and the facts. The command line prints them (``ledger.cli``).
A fact that breaks the policy is still recorded (the record is the evidence); these say which
finding it opened, what to do about it and by when. References only: no name is ever read.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Final, Literal

import msgspec

from ledger import events as ev
from ledger import recording
from ledger.profile import Profile
from projections.calendar import ONE_DAY, add_days
from projections.findings import Episode, Judge, all_episodes
from projections.registers import Registers, writes
from projections.rules import (
    JUDGES,
    concerns,
    contact,
    flagged,
    friendship,
    membership,
    policy,
    posting,
)
from projections.rules.titles import TITLES

Kind = Literal["opened", "due", "resolved"]


class Alert(msgspec.Struct, frozen=True):
    """One thing to tell: a finding the fact opened (``opened``), one that will open unless
    something is done by ``by`` (``due``), or one it resolved (``resolved``)."""

    kind: Kind
    rule: str
    subject: str
    title: str
    detail: str
    since: dt.date
    by: dt.date | None = None  # the last day to act, where the rule has a limit
    commands: tuple[str, ...] = ()


class Withdrawal(msgspec.Struct, frozen=True):
    """The posts still up on the channel depicting the child whose consent was withdrawn."""

    child: str
    channel: str
    withdrawn: dt.date
    by: dt.date  # takedown_days after the withdrawal's day
    days: int
    posts: tuple[str, ...]
    commands: tuple[str, ...]


class NeverAllowed(msgspec.Struct, frozen=True):
    """A consent on a channel whose policy never allows children's images."""

    child: str
    channel: str
    own_children: bool = False  # the channel allows only a guardian's own children, by no consent


# What to write in place of a value the warning cannot know.
_PLACEHOLDERS: Final[dict[str, str]] = {
    "by": "PERSON",
    "approved_by": "PERSON",
    "action": '"WHAT WAS DONE"',
    "since": "DAY",
}


# The sections of the registers each judge reads (its rule module's, and ``projections.status``'s
# for the modules that ask it; every judge's episodes read ``acks`` when acknowledgements are
# applied). A fact that writes none of a judge's sections (``registers.writes``) leaves its
# episodes as they were: it cannot open or resolve one of its findings, so it is not judged.
# A test holds this table to every section each rule module (and ``status``) names.
_STATUS = frozenset(
    {"children", "consents", "devices", "exceptions", "guardians", "members", "persons", "roles"}
)
_POSTING = _STATUS | {"posts"}
_MEMBERSHIP = _STATUS | {"invited", "term_dates"}
_CONTACT = _STATUS | {"acks", "contacts", "parent_contacts", "permissions"}
READS: dict[Judge, frozenset[str]] = {
    posting.published_posts: _POSTING,
    posting.withdrawn_consent_post_live: _POSTING,
    posting.removal_follow_up_overdue: _POSTING,
    membership.ineligible_member: _MEMBERSHIP,
    membership.leaver_not_removed: _MEMBERSHIP,
    membership.too_few_admins: _MEMBERSHIP,
    friendship.connection_without_exception: _STATUS | {"acks", "connections"},
    concerns.concern_unaddressed: frozenset({"cases", "concerns"}),
    concerns.referral_undecided: frozenset({"cases", "concerns"}),
    policy.policy_review_overdue: frozenset({"policy"}),
    contact.contact_without_permission: _CONTACT,
    contact.contact_device: _CONTACT,
    contact.unofficial_contact: _CONTACT,
    flagged.flagged_post_not_removed: frozenset({"concerns", "posts"}),
}
assert set(READS) == set(JUDGES), "every judge says what it reads"


def judges_for(fact: ev.Event) -> list[Judge]:
    """The judges whose episodes ``fact`` can change: those reading a section it writes (all
    of them for an acknowledgement, which any episode reads)."""
    written = writes(fact)
    return [judge for judge in JUDGES if "acks" in written or not written.isdisjoint(READS[judge])]


def mentioned(fact: ev.Event) -> set[str]:
    """Every reference the fact names (each text field, and each item of a list field)."""
    out: set[str] = set()
    for value in msgspec.structs.astuple(fact):
        if isinstance(value, str):
            out.add(value)
        elif isinstance(value, list):
            out.update(v for v in value if isinstance(v, str))
    return out


def scoped(registers: Registers, fact: ev.Event) -> Registers:
    """The registers with only the posts the fact can bear on: a post is judged from its own
    facts (its removal, follow-ups, acknowledgements), its author's roles and membership, its
    children's consents and its device, so a fact naming none of those references cannot open
    or resolve a finding about it. The other sections are shared, not copied. Judging a post
    is most of the work of judging a ledger (half a million posts at a million facts)."""
    refs = mentioned(fact)
    if writes(fact) == {"posts"}:  # a fact about a post changes that post alone
        return msgspec.structs.replace(
            registers, posts={ref: registers.posts[ref] for ref in refs if ref in registers.posts}
        )
    posts = {
        ref: post
        for ref, post in registers.posts.items()
        if ref in refs
        or post.author in refs
        or (post.device is not None and post.device in refs)
        or not refs.isdisjoint(post.depicts)
    }
    return msgspec.structs.replace(registers, posts=posts)


def episodes(registers: Registers, profile: Profile, fact: ev.Event) -> list[Episode]:
    """The episodes the fact can bear on: those of the rules it can change (``judges_for``),
    with the posts ``scoped``. The others are the same before and after it."""
    return all_episodes(scoped(registers, fact), profile, judges_for(fact))


def command(noun: str, verb: str, **known: str) -> str:
    """``ledger NOUN VERB`` with its required options: the known values, the others named."""
    (cmd,) = [c for c in recording.COMMANDS if c.noun == noun and c.verb == verb]
    parts = ["ledger", noun, verb]
    for field in recording.fields(cmd.event):
        name = field.encode_name
        if name in known:
            parts += [recording.option(field), known[name]]
        elif field.required:
            parts += [recording.option(field), _PLACEHOLDERS.get(name, name.upper())]
    return " ".join(parts)


def _remove(post: str, reason: str = "breach") -> tuple[str, ...]:
    return (command("post", "remove", post=post, reason=reason),)


def _acknowledge(rule: str, subject: str) -> tuple[str, ...]:
    return (command("committee", "acknowledge", rule=rule, subject=subject),)


def todo(rule: str, subject: str) -> tuple[str, ...]:
    """The commands that record what resolves a finding of ``rule`` about ``subject``."""
    if rule in (
        "consent-missing",
        "child-image-forbidden",
        "unauthorised-poster",
        "purpose-not-allowed",
        "flagged-post-not-removed",
    ):
        return _remove(subject)
    if rule == "non-setting-device":
        return _remove(subject) if subject.startswith("P-") else _acknowledge(rule, subject)
    if rule == "withdrawn-consent-post-live":
        return _remove(subject, "consent-withdrawn")
    if rule == "removal-follow-up-overdue":
        return (
            command("post", "contact-poster", post=subject),
            command("refer", "to-manager", ref=subject),
        )
    if rule == "ineligible-member":
        return (command("member", "remove", member=subject),)
    if rule == "leaver-not-removed":
        return (command("member", "remove", member=subject, reason="left"),)
    if rule == "too-few-admins":
        return (command("role", "assign", role="group-admin"),)
    if rule == "connection-without-exception":
        person, _, guardian = subject.partition("/")
        return (command("friendship", "grant", person=person, guardian=guardian),)
    if rule == "concern-unaddressed":
        return (command("concern", "address", concern=subject),)
    if rule == "referral-undecided":
        return (command("case", "decide", case=subject),)
    if rule == "policy-review-overdue":
        return (command("policy", "review"),)
    return _acknowledge(rule, subject)


def _key(e: Episode) -> tuple[str, str, dt.date]:
    return (e.rule, e.subject, e.since)


def _alert(kind: Kind, e: Episode, by: dt.date | None) -> Alert:
    return Alert(
        kind,
        e.rule,
        e.subject,
        TITLES.get(e.rule, e.rule),
        e.detail,
        e.since,
        by,
        todo(e.rule, e.subject) if kind != "resolved" else (),
    )


def opened(before: Iterable[Episode], after: Iterable[Episode], day: dt.date) -> list[Alert]:
    """The findings the write opened: episodes after it that were not there before and are not
    resolved. One begun on or before ``day`` (the fact's day) is ``opened``; one that begins
    later (a limit still running) is ``due``, to be acted on by the day before it begins."""
    old = {_key(e) for e in before}
    out: list[Alert] = []
    for e in after:
        if _key(e) in old or e.end is not None:
            continue
        if e.since <= day:
            out.append(_alert("opened", e, None))
        else:
            out.append(_alert("due", e, e.since - ONE_DAY))
    return out


def resolved(before: Iterable[Episode], after: Iterable[Episode], day: dt.date) -> list[Alert]:
    """The findings open before the write that it resolved (ended on or before ``day``)."""
    ended = {_key(e): e for e in after if e.end is not None and e.end <= day}
    return [
        _alert("resolved", ended[_key(e)], None)
        for e in before
        if e.end is None and _key(e) in ended
    ]


def withdrawal(fact: ev.Event, after: Registers, profile: Profile) -> Withdrawal | None:
    """For a withdrawal: the posts on its channel depicting the child, published before the
    withdrawal's day and not taken down, which must come down within the takedown limit."""
    if not isinstance(fact, ev.ConsentWithdrawn):
        return None
    if not profile.is_on("withdrawn-consent-post-live"):
        return None
    posts = tuple(
        ref
        for ref, post in after.posts.items()
        if post.channel == fact.channel
        and fact.child in post.depicts
        and post.on < fact.on
        and post.removed is None
    )
    if not posts:
        return None
    days = profile.takedown_days
    return Withdrawal(
        fact.child,
        fact.channel,
        fact.on,
        add_days(fact.on, days),
        days,
        posts,
        tuple(_remove(p, "consent-withdrawn")[0] for p in posts),
    )


def never_allowed(fact: ev.Event, profile: Profile) -> NeverAllowed | None:
    """For a consent: whether its channel's policy never allows children's images at all."""
    if not isinstance(fact, ev.ConsentGranted):
        return None
    channel = profile.channels.get(fact.channel)
    if channel is None or channel.child_images == "consent":
        return None
    return NeverAllowed(fact.child, fact.channel, channel.child_images == "own-children")


class Told(msgspec.Struct, frozen=True):
    """Everything to tell about one recorded fact."""

    alerts: list[Alert]
    withdrawal: Withdrawal | None
    never: NeverAllowed | None


def told(
    fact: ev.Event,
    before: Sequence[Episode],
    after: Sequence[Episode],
    registers_after: Registers,
    profile: Profile,
) -> Told:
    """What to tell after recording ``fact``: the findings it opened or resolved, as of its day;
    for a withdrawal, the posts to take down (their own future findings are told there, not
    again); for a consent, a channel that never allows images."""
    gone = withdrawal(fact, registers_after, profile)
    listed = set(gone.posts) if gone is not None else set()
    found = [
        a
        for a in opened(before, after, fact.on)
        if not (a.rule == "withdrawn-consent-post-live" and a.subject in listed)
    ]
    found += resolved(before, after, fact.on)
    return Told(found, gone, never_allowed(fact, profile))


def lines(told_: Told, today: dt.date) -> list[str]:
    """The warning in words, after the "Recorded" line (nothing when there is nothing to tell)."""
    out: list[str] = []
    if told_.never is not None:
        n = told_.never
        but = " other than a guardian's own children" if n.own_children else ""
        out.append(
            f"Warning: the policy never allows images of children on {n.channel}{but}, so this"
            f" consent for {n.child} cannot be used there (it is recorded as given)."
        )
    if told_.withdrawal is not None:
        w = told_.withdrawal
        count = len(w.posts)
        some = "1 post" if count == 1 else f"{count} posts"
        days = "1 day" if w.days == 1 else f"{w.days} days"
        late = (
            f" (that day has passed: a finding, withdrawn-consent-post-live, from"
            f" {(w.by + ONE_DAY).isoformat()})"
            if w.by < today
            else ""
        )
        out.append(
            f"Warning: {some} on {w.channel} still up showing {w.child}: take"
            f" {'it' if count == 1 else 'them'} down by {w.by.isoformat()}{late}, {days} after"
            f" the withdrawal, and record {'it' if count == 1 else 'each'}:"
        )
        out += [f"  {c}" for c in w.commands]
    shown: set[str] = set()
    for a in told_.alerts:
        what = f"{a.rule} ({a.title}) for {a.subject}"
        if a.kind == "resolved":
            out.append(f"Resolved: {what}.")
            continue
        if a.kind == "opened":
            out.append(f"Warning: this opens a finding: {what}, since {a.since.isoformat()}.")
        elif a.by is not None and a.by < today:
            out.append(
                f"Warning: this opens a finding: {what}, since {a.since.isoformat()}"
                f" (the limit ran out on {a.by.isoformat()})."
            )
        else:
            by = a.by.isoformat() if a.by is not None else ""
            out.append(f"Warning: unless it is done by {by}, this becomes a finding: {what}.")
        out.append(f"  {a.detail}")
        if a.commands and all(c in shown for c in a.commands):
            out.append("  To resolve it: the same as above.")
            continue
        out += [f"  To resolve it: {c}" for c in a.commands[:1]]
        out += [f"  and: {c}" for c in a.commands[1:]]
        shown.update(a.commands)
    return out


def counted(before: Sequence[Episode], after: Sequence[Episode], day: dt.date) -> list[str]:
    """For an import: how many findings it opened (and how many will open unless acted on),
    by rule, and where to see them."""
    found = opened(before, after, day)
    now = [a for a in found if a.kind == "opened" or (a.by is not None and a.by < day)]
    due = [a for a in found if a not in now]
    out: list[str] = []
    for group, said in ((now, "opened"), (due, "due to open unless acted on")):
        if not group:
            continue
        rules: dict[str, int] = {}
        for a in group:
            rules[a.rule] = rules.get(a.rule, 0) + 1
        each = ", ".join(f"{rule} {n:,}" for rule, n in sorted(rules.items()))
        findings = "1 finding" if len(group) == 1 else f"{len(group):,} findings"
        out.append(f"Warning: {findings} {said} by this import ({each}).")
    if out:
        out.append("  See them, and what to do, with: ledger findings --open")
    return out
