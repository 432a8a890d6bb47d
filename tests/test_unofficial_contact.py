"""The `unofficial-contact` rule (DESIGN.md section 5; issue 18): a parent or a child contacted
by a method that is not one of the setting's own, as each profile's policy says.

Worked examples, by hand, for each profile that turns it on (and one that does not). The
property test against the reference is in tests/test_reference.py; the recording command, the
warning at recording, import/export and forget are tested in tests/test_recording_contacts.py.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ledger import events as ev
from ledger.decisions import Refused, decide
from ledger.profile import coverage, load
from projections import registers as reg
from projections.findings import evaluate
from tests.reference import reference_findings
from tests.test_policy_pages import _files
from tests.test_rules import (
    SANDBANK,
    SOUTH_WOODHAM,
    SS_NURSERY,
    SS_PRESCHOOL,
    TODAY,
    WEST_WYCOMBE,
    F,
    ack,
    d,
    judge,
    record,
    sandbank,
    south_woodham,
    stepping_stones_nursery,
    stepping_stones_preschool,
    west_wycombe,
)

RULE = "unofficial-contact"
ACKED = "FindingAcknowledged"


def parent(on: date, method: str, by: str = "S-0003", guardian: str = "G-0001") -> ev.Event:
    return ev.ParentContacted(on=on, guardian=guardian, by=by, method=method)


def child(on: date, method: str, by: str = "S-0001", ref: str = "C-0001") -> ev.Event:
    return ev.ChildContacted(on=on, child=ref, by=by, method=method, device="T-01")


def test_ss_nursery_parents_contacted_outside_the_official_channels() -> None:
    """Stepping Stones Nursery, line 38: staff and parents communicate via the official nursery
    channels (work email and phone). A private message is a finding about the pair; further
    such contacts by the same pair while it is open (or on the day it is acknowledged) belong to
    it; a later one is a new finding; another pair is its own; official ways are no finding."""
    events = [
        *stepping_stones_nursery(),
        parent(d("2025-10-01"), "setting-email"),
        parent(d("2025-10-01"), "in-person"),
        parent(d("2025-10-01"), "setting-phone"),
        parent(d("2025-10-02"), "social-media"),
        parent(d("2025-10-03"), "text"),
        ack(d("2025-10-05"), RULE, "S-0003/G-0001"),
        parent(d("2025-10-05"), "personal-phone"),
        parent(d("2025-10-06"), "personal-phone"),
        parent(d("2025-10-04"), "personal-email", by="S-0001", guardian="G-0002"),
        parent(d("2025-10-07"), "setting-app", by="S-0001", guardian="G-0002"),
    ]
    assert judge(SS_NURSERY, events, d("2025-10-31"), RULE) == [
        F(RULE, "S-0003/G-0001", d("2025-10-02"), "resolved", d("2025-10-05"), ACKED),
        F(RULE, "S-0001/G-0002", d("2025-10-04")),
        F(RULE, "S-0003/G-0001", d("2025-10-06")),
    ]
    # As of the day before, the first finding is open and the later ones have not begun.
    assert judge(SS_NURSERY, events, d("2025-10-03"), RULE) == [
        F(RULE, "S-0003/G-0001", d("2025-10-02"))
    ]


def test_ss_nursery_judges_parents_not_children() -> None:
    """Stepping Stones Nursery, line 38 speaks of parents and carers: a text to a child is not
    this rule's finding there."""
    events = [*stepping_stones_nursery(), child(d("2025-10-02"), "text")]
    assert judge(SS_NURSERY, events, TODAY, RULE) == []


def test_ss_preschool_personal_messages_to_a_child() -> None:
    """Stepping Stones Pre School, line 23: no personal messages to a child over the internet;
    only the pre-school's own means. A text (line 22: a last resort) is a finding the committee
    acknowledges with the reason. The subject is PERSON/CHILD; parents are not judged here."""
    events = [
        *stepping_stones_preschool(),
        child(d("2025-10-01"), "setting-phone"),
        child(d("2025-10-01"), "in-person"),
        child(d("2025-10-02"), "social-media"),
        child(d("2025-10-03"), "text", by="S-0002", ref="C-0002"),
        ack(d("2025-10-04"), RULE, "S-0002/C-0002"),
        parent(d("2025-10-02"), "social-media", by="S-0001"),
    ]
    found = judge(SS_PRESCHOOL, events, d("2025-10-31"), RULE)
    assert found == [
        F(RULE, "S-0001/C-0001", d("2025-10-02")),
        F(RULE, "S-0002/C-0002", d("2025-10-03"), "resolved", d("2025-10-04"), ACKED),
    ]


def test_sandbank_pupils_only_by_the_school_email() -> None:
    """Sandbank and Valley, 4.2 (line 57): electronic communication with pupils only by the
    school email; social networking with a pupil is a finding, the school email is not."""
    events = [
        *sandbank(),
        child(d("2024-10-01"), "setting-email", by="S-0002"),
        child(d("2024-10-02"), "social-media", by="S-0002"),
        child(d("2024-10-03"), "setting-phone", by="S-0002"),
    ]
    assert judge(SANDBANK, events, TODAY, RULE) == [F(RULE, "S-0002/C-0001", d("2024-10-02"))]


def test_west_wycombe_parents_by_the_preschool_email_or_telephone() -> None:
    """West Wycombe Preschool, line 14: messages to parents go by the pre-school email or
    telephone, never staff's private numbers or social media; an app is neither of them."""
    events = [
        *west_wycombe(),
        parent(d("2025-10-01"), "setting-email", by="S-0001"),
        parent(d("2025-10-01"), "setting-phone", by="S-0001"),
        parent(d("2025-10-02"), "setting-app", by="S-0001"),
    ]
    assert judge(WEST_WYCOMBE, events, TODAY, RULE) == [F(RULE, "S-0001/G-0001", d("2025-10-02"))]


def test_south_woodham_does_not_turn_it_on() -> None:
    """South Woodham (DESIGN.md section 5's profile table) does not turn the rule on."""
    events = [
        *south_woodham(),
        parent(d("2025-10-02"), "social-media", by="S-0001"),
        child(d("2025-10-02"), "social-media"),
    ]
    assert judge(SOUTH_WOODHAM, events, TODAY, RULE) == []


def test_the_detail_names_references_and_methods_only() -> None:
    registers, profile = record(
        SS_NURSERY, [*stepping_stones_nursery(), parent(d("2025-10-02"), "social-media")]
    )
    [finding] = [f for f in evaluate(registers, profile, TODAY) if f.rule == RULE]
    assert "S-0003" in finding.detail and "G-0001" in finding.detail
    assert "social-media" in finding.detail and "setting-email" in finding.detail
    assert "Test" not in finding.detail  # the names recorded in the history


def test_an_acknowledgement_needs_a_known_pair() -> None:
    """FindingAcknowledged for PERSON/CHILD is refused for an unknown child or person."""
    registers, profile = record(SS_PRESCHOOL, stepping_stones_preschool())
    decide(registers, profile, ack(d("2025-10-04"), RULE, "S-0001/C-0001"), TODAY)
    for subject in ("S-0001/C-0009", "S-0009/C-0001"):
        with pytest.raises(Refused):
            decide(registers, profile, ack(d("2025-10-04"), RULE, subject), TODAY)


def test_a_profile_turning_it_on_lists_methods() -> None:
    for name in (SS_NURSERY, SS_PRESCHOOL, SANDBANK, WEST_WYCOMBE):
        assert load(name).official_contact_methods
        assert "social-media" not in load(name).official_contact_methods


# --- property: the rule equals the reference reading of rules.md -------------------------------

START = date(2025, 9, 1)
PAIRS_BY = ("S-0001", "S-0002")
GUARDIANS = ("G-0001", "G-0002")
CHILDREN = ("C-0001", "C-0002")
# Official in some shipped profile, or in none (the labels the contract ships, and one more).
METHODS = (
    "in-person",
    "setting-email",
    "setting-phone",
    "setting-app",
    "personal-phone",
    "personal-email",
    "text",
    "social-media",
    "carrier-pigeon",
)


def _base(profile_name: str) -> list[ev.Event]:
    out: list[ev.Event] = [
        ev.SettingRegistered(on=date(2020, 1, 1), name="Test", profile=profile_name)
    ]
    for ref in PAIRS_BY:
        out.append(ev.PersonJoined(on=START, person=ref, name="Test Staff", kind="staff"))
    for n, (g, c) in enumerate(zip(GUARDIANS, CHILDREN, strict=True)):
        out.append(ev.ChildEnrolled(on=START, child=c, name=f"Test Child {n}"))
        out.append(ev.GuardianLinked(on=START, guardian=g, name=f"Test Parent {n}", child=c))
    return out


_day = st.integers(min_value=0, max_value=6).map(lambda n: START + timedelta(days=n))
_parent_contact = st.builds(
    ev.ParentContacted,
    on=_day,
    guardian=st.sampled_from(GUARDIANS),
    by=st.sampled_from(PAIRS_BY),
    method=st.sampled_from(METHODS),
)
_child_contact = st.builds(
    ev.ChildContacted,
    on=_day,
    child=st.sampled_from(CHILDREN),
    by=st.sampled_from(PAIRS_BY),
    method=st.sampled_from(METHODS),
    device=st.none(),
)
_ack = st.builds(
    lambda on, by, whom: ev.FindingAcknowledged(
        on=on, rule=RULE, subject_ref=f"{by}/{whom}", action="Spoken to"
    ),
    _day,
    st.sampled_from(PAIRS_BY),
    st.sampled_from(GUARDIANS + CHILDREN),
)


@settings(max_examples=max(150, settings().max_examples))
@given(
    profile_name=st.sampled_from([SS_NURSERY, SS_PRESCHOOL, SANDBANK, WEST_WYCOMBE]),
    facts=st.lists(st.one_of(_parent_contact, _child_contact, _ack), max_size=25),
    as_of=st.integers(min_value=0, max_value=8).map(lambda n: START + timedelta(days=n)),
)
def test_unofficial_contact_equals_the_reference(
    profile_name: str, facts: list[ev.Event], as_of: date
) -> None:
    """Contacts and acknowledgements in any order of recording (late facts take their place by
    day): the rule's findings as of any day are the reference's, for every profile that turns
    it on (parents only, children only; each its own official methods)."""
    profile = load(profile_name)
    events = _base(profile_name) + facts
    registers = reg.rebuild(list(enumerate(events, start=1)))
    got = sorted(
        (f.subject, f.since, f.status, f.resolved_on, f.resolution == ACKED)
        for f in evaluate(registers, profile, as_of)
        if f.rule == RULE
    )
    want = sorted(
        (r.subject, r.since, r.status, r.resolved_on, r.acknowledged)
        for r in reference_findings(events, profile, as_of)
        if r.rule == RULE
    )
    assert got == want
    # Every finding's subject is a pair this profile judges, by a method it does not allow.
    judged = {"G": "parents", "C": "children"}
    for subject, *_ in got:
        assert judged[subject.split("/")[1][0]] in profile.contacts_judged


# --- the site's policy pages, made from the profile ----------------------------------------------


@pytest.mark.parametrize("name", [SS_NURSERY, WEST_WYCOMBE, SANDBANK, SS_PRESCHOOL])
def test_the_policy_pages_show_the_rule_its_methods_and_whether_the_policy_states_them(
    name: str,
) -> None:
    pages = _files(name)
    policy = pages["policy.md"]
    profile = load(name)
    methods = ", ".join(profile.official_contact_methods)
    assert f"The setting's own ways of contact:** {methods} (" in policy, policy
    [official] = [p for p in profile.parameters() if p.name == "official_contact_methods"]
    basis = "stated by the policy" if official.stated else "the ledger's reading"
    assert f"{methods} ({basis}" in policy
    assert "### unofficial-contact" in policy
    assert (
        "outside the setting's own channels ([unofficial-contact](rules.md#unofficial-contact))"
        in policy
    )
    judged = ", ".join(profile.contacts_judged)
    assert f"Whose contacts are judged:** {judged} (" in policy
    lines = pages["policy-lines.md"]
    judged = [e for e in profile_lines(name) if "rule:unofficial-contact" in e.by]
    assert judged, name
    for entry in judged:
        assert f"“{entry.quote}”" in lines.replace("\\", ""), entry.line


def profile_lines(name: str) -> list[Any]:
    return list(coverage(load(name)))


BOTH = """
name = "both-sides"
title = "A setting whose policy speaks of parents and children alike"
policy = "Test policy"
source = "both.txt"

[channels.public-page]
posters = ["manager"]
child_images = "consent"
says = "The page."

[rules.unofficial-contact]
official_contact_methods = ["setting-email"]
says = "Parents and children are contacted only by the setting's email."
cite = ["both.txt:1"]
read.official_contact_methods = "A test's own reading."
read.contacts_judged = "Both, as the policy speaks of both."
"""


def test_a_profile_judging_both_sides_finds_both_kinds_of_contact() -> None:
    """With ``contacts_judged`` left at its default (parents and children), an unofficial
    contact with a parent and one with a child are each a finding of their own pair; neither
    hides the other."""
    from ledger.profile import decode

    profile = decode(BOTH, "both.toml")
    assert profile.contacts_judged == ("parents", "children")
    facts = [
        *_base("both-sides"),
        ev.ParentContacted(on=START, guardian="G-0001", by="S-0001", method="text"),
        ev.ChildContacted(on=START, child="C-0002", by="S-0002", method="text"),
        ev.ParentContacted(on=START, guardian="G-0002", by="S-0002", method="setting-email"),
    ]
    registers = reg.rebuild(enumerate(facts, start=1))
    found = sorted(
        (f.subject, f.since) for f in evaluate(registers, profile, START) if f.rule == RULE
    )
    assert found == [("S-0001/G-0001", START), ("S-0002/C-0002", START)]
