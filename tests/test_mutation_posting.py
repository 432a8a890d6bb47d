"""Tests that kill the surviving mutants of ``projections/rules/posting.py`` (issue 12, item 11).

``post_problems`` is what ``ledger check post`` asks before anything is posted: it is called
here directly, and must give the same answer as the recorded post's findings. The judges are
called directly where an episode's end and resolution matter (a rule's episodes are its
contract), and each finding's detail (what ``ledger findings`` prints) is asserted.
"""

from __future__ import annotations

from datetime import date

from ledger import events as ev
from projections.findings import evaluate
from projections.rules import posting
from tests.test_rules import (
    SOUTH_WOODHAM,
    child,
    consent,
    d,
    person,
    post,
    record,
    removed,
    south_woodham,
)


def _problems(
    events: list[ev.Event],
    *,
    channel: str,
    author: str,
    depicts: list[str],
    device: str | None,
    day: date,
) -> list[tuple[str, str]]:
    """What ``ledger check post`` would answer for this post after ``events``."""
    registers, profile = record(SOUTH_WOODHAM, events)
    return posting.post_problems(
        registers, profile, channel=channel, author=author, depicts=depicts, device=device, day=day
    )


def test_check_post_answers_as_the_recorded_post_is_judged() -> None:
    """A member of the group posting a consented child on the tablet: nothing wrong. The same
    post by a member of staff outside the group, of a child without consent, on a personal
    phone: every problem, with its detail. (Issue 18: the author was a parent, whom the
    tablets rule no longer binds; the setting's own people are.)"""
    history = [
        *south_woodham(),
        *child("C-0002", d("2025-09-01"), "G-0002"),
        consent("C-0001", "closed-group", d("2025-09-01")),
        *person("S-0005", d("2025-09-01"), kind="volunteer"),
        ev.MemberAdmitted(on=d("2025-09-01"), member="S-0005"),
        *person("S-0006", d("2025-09-01"), kind="student"),
    ]
    day = d("2025-10-06")
    fine = _problems(
        history,
        channel="closed-group",
        author="S-0005",
        depicts=["C-0001"],
        device="T-01",
        day=day,
    )
    assert fine == []
    wrong = _problems(
        history,
        channel="closed-group",
        author="S-0006",
        depicts=["C-0001", "C-0002"],
        device="own phone",
        day=day,
    )
    assert wrong == [
        ("consent-missing", "no active consent for closed-group on 2025-10-06 for C-0002"),
        (
            "unauthorised-poster",
            "S-0006 held none of the posting roles for closed-group (any-member) on 2025-10-06",
        ),
        ("non-setting-device", "a post depicting children was not taken on a setting device"),
    ]
    early = _problems(
        history,
        channel="closed-group",
        author="S-0005",
        depicts=["C-0001"],
        device=None,
        day=d("2025-08-31"),
    )
    # Before the volunteer joined they were not yet the setting's: no device finding.
    assert early == [
        ("consent-missing", "no active consent for closed-group on 2025-08-31 for C-0001"),
        (
            "unauthorised-poster",
            "S-0005 held none of the posting roles for closed-group (any-member) on 2025-08-31",
        ),
    ]
    no_device = _problems(
        history,
        channel="closed-group",
        author="S-0005",
        depicts=["C-0001"],
        device=None,
        day=day,
    )
    assert no_device == [("non-setting-device", "a post depicting children names no device")]


def test_check_post_on_the_public_page_and_a_personal_account() -> None:
    """The public page: the manager may post; a parent may not (the roles are named). A
    personal account: only a parent, and no child but their own (issue 18)."""
    history = [*south_woodham(), consent("C-0001", "public-page", d("2025-09-01"))]
    day = d("2025-10-06")
    assert (
        _problems(
            history,
            channel="public-page",
            author="S-0001",
            depicts=["C-0001"],
            device="T-01",
            day=day,
        )
        == []
    )
    assert _problems(
        history, channel="public-page", author="G-0001", depicts=[], device=None, day=day
    ) == [
        (
            "unauthorised-poster",
            "G-0001 held none of the posting roles for public-page (manager, chair) on 2025-10-06",
        )
    ]
    assert _problems(
        history,
        channel="personal-account",
        author="S-0001",
        depicts=["C-0001"],
        device="T-01",
        day=day,
    ) == [
        (
            "child-image-forbidden",
            "personal-account allows a guardian's own children only; the post depicts 1 child"
            " not the author's own: C-0001",
        ),
        (
            "unauthorised-poster",
            "S-0001 held none of the posting roles for personal-account (guardians) on 2025-10-06",
        ),
    ]
    assert (
        _problems(
            history,
            channel="personal-account",
            author="G-0001",
            depicts=["C-0001"],
            device="own phone",
            day=day,
        )
        == []
    )


def test_published_post_episodes_end_only_when_removed() -> None:
    events = [
        *south_woodham(),
        post("P-0001", "closed-group", "G-0001", d("2025-10-06"), "C-0001", device="T-01"),
        post("P-0002", "closed-group", "G-0001", d("2025-10-06"), "C-0001", device="T-01"),
        removed("P-0001", d("2025-10-08")),
    ]
    registers, profile = record(SOUTH_WOODHAM, events)
    episodes = posting.published_posts(registers, profile)
    assert [(e.rule, e.subject, e.end, e.resolution, e.detail) for e in episodes] == [
        (
            "consent-missing",
            "P-0001",
            d("2025-10-08"),
            "PostRemoved",
            "no active consent for closed-group on 2025-10-06 for C-0001",
        ),
        (
            "consent-missing",
            "P-0002",
            None,
            None,
            "no active consent for closed-group on 2025-10-06 for C-0001",
        ),
    ]


def _withdrawn(child_ref: str, on: str, guardian: str = "G-0001") -> ev.Event:
    return ev.ConsentWithdrawn(on=d(on), child=child_ref, guardian=guardian, channel="closed-group")


def test_withdrawn_consent_post_live_across_posts_children_and_channels() -> None:
    """Posts of nobody withdrawn, or withdrawn before the post, come first and change nothing
    for the posts after them; a child withdrawn only on another channel counts for nothing;
    of two children withdrawn the same day, the first named is; the detail says who, where,
    when and the limit."""
    start = d("2025-09-01")
    events = [
        *south_woodham(),
        *child("C-0002", start, "G-0002"),
        *child("C-0003", start, "G-0003"),
        consent("C-0001", "closed-group", start),
        consent("C-0002", "closed-group", start, "G-0002"),
        consent("C-0003", "public-page", start, "G-0003"),
        ev.ConsentWithdrawn(
            on=d("2025-09-05"), child="C-0003", guardian="G-0003", channel="public-page"
        ),
        post("P-0001", "closed-group", "G-0001", d("2025-09-10"), "C-0003", device="T-01"),
        post("P-0002", "closed-group", "G-0001", d("2025-09-10"), device="T-01"),
        post("P-0003", "public-page", "S-0001", d("2025-09-10"), "C-0001", device="T-01"),
        post(
            "P-0004",
            "closed-group",
            "G-0001",
            d("2025-09-10"),
            "C-0003",
            "C-0002",
            "C-0001",
            device="T-01",
        ),
        post("P-0005", "personal-account", "S-0001", d("2025-09-10"), "C-0001"),
        _withdrawn("C-0001", "2025-10-01"),
        _withdrawn("C-0002", "2025-10-01", "G-0002"),
    ]
    registers, profile = record(SOUTH_WOODHAM, events)
    episodes = posting.withdrawn_consent_post_live(registers, profile)
    assert [(e.subject, e.since, e.end, e.resolution, e.detail) for e in episodes] == [
        (
            "P-0004",
            d("2025-10-04"),
            None,
            None,
            "consent for C-0002 on closed-group was withdrawn on 2025-10-01; the post was not"
            " taken down within 2 days",
        )
    ]


def test_withdrawn_consent_post_live_a_post_withdrawn_before_comes_first() -> None:
    """A post published after the withdrawal (recorded first) is judged by consent-missing,
    not this rule, and does not stop the post recorded after it from being judged."""
    events = [
        *south_woodham(),
        consent("C-0001", "closed-group", d("2025-09-01")),
        _withdrawn("C-0001", "2025-10-01"),
        post("P-0001", "closed-group", "G-0001", d("2025-10-02"), "C-0001", device="T-01"),
        post("P-0002", "closed-group", "G-0001", d("2025-09-10"), "C-0001", device="T-01"),
        removed("P-0002", d("2025-10-05")),
    ]
    registers, profile = record(SOUTH_WOODHAM, events)
    episodes = posting.withdrawn_consent_post_live(registers, profile)
    assert [(e.subject, e.since, e.end, e.resolution) for e in episodes] == [
        ("P-0002", d("2025-10-04"), d("2025-10-05"), "PostRemoved")
    ]


def test_removal_follow_up_detail_and_the_last_day() -> None:
    """Contact on the seventh day is in time; the detail names what is missing."""
    events = [
        *south_woodham(),
        post("P-0001", "closed-group", "G-0001", d("2025-09-30")),
        post("P-0002", "closed-group", "G-0001", d("2025-09-30")),
        post("P-0003", "closed-group", "G-0001", d("2025-09-30")),
        removed("P-0001", d("2025-10-01"), "negative-discussion"),
        removed("P-0002", d("2025-10-01"), "inappropriate"),
        removed("P-0003", d("2025-10-01"), "inappropriate"),
        ev.PosterContacted(on=d("2025-10-08"), post="P-0001", by="S-0001"),
        ev.ReferredToManager(on=d("2025-10-08"), ref="P-0001"),
        ev.PosterContacted(on=d("2025-10-08"), post="P-0002", by="S-0001"),
    ]
    registers, profile = record(SOUTH_WOODHAM, events)
    episodes = posting.removal_follow_up_overdue(registers, profile)
    assert [(e.subject, e.since, e.detail) for e in episodes] == [
        (
            "P-0002",
            d("2025-10-09"),
            "removed on 2025-10-01 (inappropriate); within 7 days there was no referral",
        ),
        (
            "P-0003",
            d("2025-10-09"),
            "removed on 2025-10-01 (inappropriate); within 7 days there was no contact with the"
            " poster and no referral",
        ),
    ]


def test_every_finding_of_a_ledger_has_its_detail() -> None:
    events = [
        *south_woodham(),
        *person("S-0003", d("2025-09-01")),
        post("P-0001", "personal-account", "S-0003", d("2025-10-06"), "C-0001"),
    ]
    registers, profile = record(SOUTH_WOODHAM, events)
    details = {f.rule: f.detail for f in evaluate(registers, profile, d("2025-10-31"))}
    assert details["non-setting-device"] == "a post depicting children names no device"
