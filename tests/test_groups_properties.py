"""Property-based tests of the group, moderation and friendship rules (issue 18, part groups).

Random short histories of a group's people (of every kind, joining and leaving, some with
roles), memberships (some admitted on an invitation), removals and follow-ups (contacts by
anyone), concerns naming posts, and friendships, recorded under the three profiles that set
``member_kinds``, ``invited_members``, ``moderators``, ``flagged-post-not-removed`` and
``friendship_kinds``, and under a profile of the test's own that sets the other values. Every
fact is checked by ``decide`` first (a refused one is left out, as the ledger would). The
findings of the projection must equal those of the independent reference (tests/reference.py,
written from the rules' text) on several days.
"""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from ledger import events as ev
from ledger.decisions import Refused, decide
from ledger.profile import Profile, decode, load
from projections import findings as fnd
from projections import registers as reg
from tests.reference import reference_findings
from tests.test_rules import TODAY

START = dt.date(2025, 9, 1)
RULES = {
    "ineligible-member",
    "removal-follow-up-overdue",
    "connection-without-exception",
    "flagged-post-not-removed",
}
KINDS: list[ev.PersonKind] = ["staff", "volunteer", "student", "committee", "visitor"]
ROLES: list[ev.Role] = ["manager", "group-admin", "chair"]

# A setting's own profile: a group open to volunteers and invited members, moderated by the
# chair alone, flagged posts down within 3 days, friendships judged for committee members.
OWN = decode(
    """
name = "own"
title = "Own setting"
policy = "Own policy"
source = "own.txt"

[channels.closed-group]
posters = ["any-member"]
child_images = "consent"
group = true
member_kinds = ["volunteer"]
invited_members = true
moderators = ["chair"]
says = "The group."

[rules.ineligible-member]
says = "x"
cite = ["own.txt:1"]

[rules.removal-follow-up-overdue]
says = "x"
cite = ["own.txt:1"]
follow_up_days = 2

[rules.flagged-post-not-removed]
says = "x"
cite = ["own.txt:1"]
removal_days = 3

[rules.connection-without-exception]
says = "x"
cite = ["own.txt:1"]
friendship_exception = "declared"
friendship_kinds = ["committee"]
""",
    "own.toml",
)
PROFILES: list[Profile] = [
    load("south-woodham-preschool"),
    load("stepping-stones-nursery"),
    load("west-wycombe-preschool"),
    OWN,
]


@st.composite
def cases(draw: st.DrawFn) -> tuple[Profile, list[ev.Event]]:
    """A profile, and facts on days 0..40 after START in day order (late filing is the
    stateful machine's to try); most posts on the profile's group."""
    profile = draw(st.sampled_from(PROFILES))
    group = profile.group_channel
    channels = sorted(profile.channels)
    people = [f"S-{n}" for n in range(1, 5)]
    guardians = [f"G-{n}" for n in range(1, 3)]
    out: list[ev.Event] = []
    for ref in people:
        out.append(
            ev.PersonJoined(
                on=START, person=ref, name="Test Person", kind=draw(st.sampled_from(KINDS))
            )
        )
        for role in draw(st.lists(st.sampled_from(ROLES), unique=True, max_size=2)):
            out.append(ev.RoleAssigned(on=START, person=ref, role=role))
    for n, ref in enumerate(guardians, start=1):
        out += [
            ev.ChildEnrolled(on=START, child=f"C-{n}", name="Test Child"),
            ev.GuardianLinked(on=START, guardian=ref, name="Test Parent", child=f"C-{n}"),
        ]
    actors = people + guardians
    posts: list[str] = []
    steps = draw(
        st.lists(st.tuples(st.integers(0, 40), st.integers(0, 12)), min_size=10, max_size=40)
    )
    for offset, step in sorted(steps, key=lambda step: step[0]):
        kind = {10: 3, 11: 4, 12: 5}.get(step, step)  # posts, removals, contacts twice as often
        on = START + dt.timedelta(days=offset)
        some = st.sampled_from
        if kind == 0:
            out.append(ev.PersonLeft(on=on, person=draw(some(people))))
        elif kind == 1:
            by = draw(st.one_of(st.none(), some(people)))
            out.append(ev.MemberAdmitted(on=on, member=draw(some(actors)), by=by))
        elif kind == 2:
            out.append(ev.MemberRemoved(on=on, member=draw(some(actors)), reason="breach"))
        elif kind == 3:
            ref = f"P-{len(posts) + 1}"
            posts.append(ref)
            out.append(
                ev.PostPublished(
                    on=on,
                    post=ref,
                    channel=draw(some([group, group, *channels] if group else channels)),
                    author=draw(some(actors)),
                    depicts=[],
                )
            )
        elif kind == 4 and posts:
            reason = draw(some(["negative-discussion", "inappropriate", "breach"]))
            out.append(
                ev.PostRemoved(on=on, post=draw(some(posts)), by=draw(some(people)), reason=reason)
            )
        elif kind == 5 and posts:
            out.append(ev.PosterContacted(on=on, post=draw(some(posts)), by=draw(some(people))))
        elif kind == 6 and posts:
            out.append(ev.ReferredToManager(on=on, ref=draw(some(posts))))
        elif kind == 7 and posts:
            category = draw(some(["critical-discussion", "inappropriate-comment", "other"]))
            out.append(
                ev.ConcernRaised(
                    on=on, concern=f"K-{len(out)}", category=category, post=draw(some(posts))
                )
            )
        elif kind == 8:
            out.append(
                ev.ConnectionReported(
                    on=on, person=draw(some(people)), guardian=draw(some(guardians))
                )
            )
        elif kind == 9:
            out.append(ev.RoleRevoked(on=on, person=draw(some(people)), role=draw(some(ROLES))))
    return profile, out


def _record(profile: Profile, facts: list[ev.Event]) -> tuple[reg.Registers, list[ev.Event]]:
    registers = reg.rebuild(
        [(1, ev.SettingRegistered(on=dt.date(2020, 1, 1), name="Test", profile=profile.name))]
    )
    kept: list[ev.Event] = []
    for fact in facts:
        try:
            decide(registers, profile, fact, today=TODAY)
        except Refused:
            continue  # refused: never recorded
        kept.append(fact)
        reg.apply(registers, fact, len(kept) + 1)
    return registers, kept


@given(cases())
def test_the_group_and_friendship_rules_equal_the_reference(
    case: tuple[Profile, list[ev.Event]],
) -> None:
    profile, facts = case
    registers, kept = _record(profile, facts)
    for day in (START + dt.timedelta(days=n) for n in (5, 20, 45)):
        got = sorted(
            (f.rule, f.subject, f.since, f.status, f.resolved_on)
            for f in fnd.evaluate(registers, profile, day)
            if f.rule in RULES
        )
        want = sorted(
            (r.rule, r.subject, r.since, r.status, r.resolved_on)
            for r in reference_findings(kept, profile, day)
            if r.rule in RULES
        )
        assert got == want, f"{profile.name} as of {day}"
