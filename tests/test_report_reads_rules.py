"""The site's numbers read the rules' answers (issue 13): the small public functions the rules
and ``projections.status`` expose for ``projections.report`` answer as the rules judge.

Checked on an invented history, day by day: the end of a consent in force against
``consent_active``, an exception in force against ``exception_active``, eligibility against the
findings of ``ineligible-member``, and the follow-up, response, decision and review deadlines
against the days the rules' findings begin (the day after the deadline).
"""

from __future__ import annotations

import datetime as dt

import pytest

from ledger import events as ev
from ledger.demo import generate
from ledger.profile import Profile
from ledger.profile import load as load_profile
from projections import registers as reg
from projections import status
from projections.findings import Episode, all_episodes
from projections.rules import concerns, membership, policy, posting

PROFILE = "south-woodham-preschool"
START = dt.date(2024, 9, 1)
END = dt.date(2026, 3, 31)
Worked = tuple[reg.Registers, Profile, list[Episode]]


@pytest.fixture(scope="module")
def worked() -> Worked:
    profile = load_profile(PROFILE)
    facts = generate(profile, setting="Test", start=START, end=END, seed=3, children=12)
    first = ev.SettingRegistered(on=START, name="Test", profile=PROFILE)
    r = reg.rebuild(enumerate([first, *facts], start=1))
    return r, profile, all_episodes(r, profile)


def days(step: int = 5) -> list[dt.date]:
    return [START + dt.timedelta(days=n) for n in range(0, (END - START).days + 1, step)]


def test_consent_expiry_is_the_end_of_the_consent_in_force(worked: Worked) -> None:
    r, _, _ = worked
    seen = 0
    for k, history in r.consents.items():
        child, _, channel = k.rpartition("|")
        for day in days(3):
            mark = status.latest(history, day)
            active = status.consent_active(r, child, channel, day)
            expected = mark.expires if active and mark is not None else None
            assert status.consent_expiry(r, child, channel, day) == expected
            seen += expected is not None
    assert seen  # the history has consents with an end date


def test_exception_in_force_is_exception_active(worked: Worked) -> None:
    r, _, _ = worked
    for pair, history in r.exceptions.items():
        person, _, guardian = pair.partition("/")
        for day in days():
            grant = status.exception_in_force(history, day)
            assert (grant is not None) == status.exception_active(r, person, guardian, day)


def test_eligible_members_are_never_ineligible_findings(worked: Worked) -> None:
    r, profile, episodes = worked
    open_on: dict[str, list[Episode]] = {}
    for e in episodes:
        if e.rule == "ineligible-member":
            open_on.setdefault(e.subject, []).append(e)
    for ref in r.members:
        for day in days():
            finding = any(
                e.since <= day and (e.end is None or day < e.end) for e in open_on.get(ref, [])
            )
            if membership.eligible(r, profile, ref, day):
                assert not finding, (ref, day)


def test_deadlines_are_the_days_before_the_findings_begin(worked: Worked) -> None:
    r, profile, episodes = worked
    by_subject = {(e.rule, e.subject): e for e in episodes}
    one = dt.timedelta(days=1)
    checked = 0
    for ref, post in r.posts.items():
        due = posting.follow_up_due(post, profile)
        if due is None:
            assert ("removal-follow-up-overdue", ref) not in by_subject
            continue
        late = ("removal-follow-up-overdue", ref) in by_subject
        assert late == (not posting.follow_up_complete(r, profile, post, due))
        if late:
            assert by_subject["removal-follow-up-overdue", ref].since == due + one
            checked += 1
    for ref, concern in r.concerns.items():
        e = by_subject.get(("concern-unaddressed", ref))
        if e is not None:
            assert e.since == concerns.response_due(profile, concern.raised) + one
            checked += 1
    for ref, case in r.cases.items():
        e = by_subject.get(("referral-undecided", ref))
        if e is not None:
            assert e.since == concerns.decision_due(profile, case.referred) + one
    reviews = [e for e in episodes if e.rule == "policy-review-overdue"]
    for e in reviews:
        last = max(m.on for m in r.policy if m.on < e.since)
        assert e.since == policy.review_due(profile, last) + one
    assert checked
