"""Tests that kill the surviving mutants of ``projections/rules/policy.py`` (issue 12, item 11).

The detail of a policy-review-overdue finding is what ``ledger findings`` prints under it.
"""

from __future__ import annotations

from ledger import events as ev
from projections.findings import evaluate
from tests.test_rules import WEST_WYCOMBE, d, record


def test_policy_review_overdue_detail_names_the_last_mark_and_the_interval() -> None:
    """The detail says whether the policy was last adopted or reviewed, on which day, and the
    interval in months; an overdue review then resolved keeps its own detail."""
    events = [
        ev.PolicyAdopted(on=d("2024-02-29"), version="2024"),
        ev.PolicyReviewed(on=d("2025-03-03"), outcome="unchanged"),
    ]
    registers, profile = record(WEST_WYCOMBE, events)
    found = [
        (f.since, f.status, f.detail)
        for f in evaluate(registers, profile, d("2026-06-30"))
        if f.rule == "policy-review-overdue"
    ]
    assert found == [
        (
            d("2025-03-01"),
            "resolved",
            "the policy was last adopted on 2024-02-29; a review was due within 12 month(s)",
        ),
        (
            d("2026-03-04"),
            "open",
            "the policy was last reviewed on 2025-03-03; a review was due within 12 month(s)",
        ),
    ]
