"""Realistic ledgers for each seed profile give exactly the findings the rules imply.

A year (and, in the deep profile, three school years) at a setting under each profile, from the
demo generator, recorded through the real store: the findings as of several days equal the
independent reference evaluation, and every problem the generator planted is found.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest

from ledger.demo import generate, planted
from ledger.integrity import Signer
from ledger.profile import load as load_profile
from projections import findings as fnd
from tests.conftest import config_for, fixed_clock, new_ledger
from tests.reference import reference_findings

PROFILES = [
    "south-woodham-preschool",
    "stepping-stones-preschool",
    "stepping-stones-nursery",
    "sandbank-valley-federation",
    "west-wycombe-preschool",
]
# What each planted story should be found as.
STORY_RULES: dict[str, set[str]] = {
    "case-undecided": {"referral-undecided"},
    "connection-acknowledged": {"connection-without-exception"},
    "connection-open": {"connection-without-exception"},
    "contact-device-acknowledged": {"non-setting-device"},
    "contact-unpermitted": {"contact-without-permission"},
    "late-concern": {"concern-unaddressed"},
    "late-follow-up": {"removal-follow-up-overdue"},
    "late-takedown": {"withdrawn-consent-post-live"},
    "leaver-not-removed": {"leaver-not-removed"},
    "personal-account": {"unauthorised-poster", "child-image-forbidden"},
    "personal-phone": {"non-setting-device"},
    "photo-open": {"consent-missing", "child-image-forbidden"},
    "photo-removed": {"consent-missing", "child-image-forbidden"},
    "policy-review-overdue": {"policy-review-overdue"},
    "too-few-admins": {"too-few-admins"},
    "unauthorised-acknowledged": {"unauthorised-poster"},
}
DEEP = os.environ.get("HYPOTHESIS_PROFILE") == "deep"
SPANS = [(dt.date(2025, 9, 1), dt.date(2026, 7, 31)), (dt.date(2023, 9, 1), dt.date(2026, 8, 31))]


@pytest.mark.parametrize("span", SPANS, ids=lambda s: f"{s[0].year}-{s[1].year}")
@pytest.mark.parametrize("name", PROFILES)
def test_realistic_ledger_findings_equal_the_rules(
    ledger_db: str, tmp_path: Path, name: str, span: tuple[dt.date, dt.date]
) -> None:
    start, end = span
    profile = load_profile(name)
    facts = generate(profile, setting="Test", start=start, end=end, seed=3, children=24)
    ledger = new_ledger(config_for(ledger_db, tmp_path))
    signer = Signer.generate("policy-ledger")
    ledger.create("Test Setting", name, signer, fixed_clock)
    ledger.record(facts, signer, fixed_clock)
    registers = ledger.registers()
    events = [recorded.event for recorded in ledger.read()]
    middle = start + (end - start) / 2
    for day in (middle, end):
        got = sorted(
            (f.rule, f.subject, f.since, f.status, f.resolved_on, f.resolution == fnd.ACKNOWLEDGED)
            for f in fnd.evaluate(registers, profile, day)
        )
        want = sorted(
            (r.rule, r.subject, r.since, r.status, r.resolved_on, r.acknowledged)
            for r in reference_findings(events, profile, day)
        )
        assert got == want, f"as of {day}"
    # Every problem the generator planted is a finding of its rule, on its subject.
    found = {(f.rule, f.subject) for f in fnd.evaluate(registers, profile, end)}
    stories = planted(profile, start=start, end=end, seed=3, children=24)
    assert stories, "the generator planted nothing"
    for story in stories:
        kind, subjects = story.split(" ")[:2]
        rules = STORY_RULES[kind] & set(profile.rules)
        assert rules, f"planted {story!r} under a profile without its rule"
        for subject in subjects.split(","):
            assert any((rule, subject) in found for rule in rules), f"{story!r}: {subject}"
    ledger.close()
