"""Hand-worked examples for the reference evaluator (tests/reference.py), rule by rule.

Every expected finding below was worked out by hand from site/rules.md, not by running the
evaluator. Each test turns on only the rules it is about, so other rules stay silent.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest

from ledger import events as ev
from ledger.events import Event
from ledger.profile import Profile, decode
from projections import registers as reg
from projections.findings import evaluate
from tests.reference import RefFinding, add_months, reference_findings

# --- helpers -----------------------------------------------------------------------------------

_HEAD = """
name = "test"
title = "A test setting"
policy = "The test policy"
source = "test-policy.txt"

[channels.closed-group]
posters = ["any-member"]
child_images = "consent"
says = "The parents' closed group."
group = true

[channels.public-page]
posters = ["manager", "chair"]
child_images = "consent"
says = "The public page."

[channels.facebook-page]
posters = ["manager"]
child_images = "never"
says = "A page that never shows children."
"""


def profile(**rules: dict[str, object]) -> Profile:
    """A test profile with three channels and the given rules (rule_name -> parameters)."""
    return group_profile("", **rules)


def group_profile(group: str, **rules: dict[str, object]) -> Profile:
    """``profile``, with TOML lines added to the closed group's channel (``member_kinds``...)."""
    text = _HEAD.replace("group = true\n", "group = true\n" + group, 1)
    for name, params in rules.items():
        text += f'\n[rules.{name.replace("_", "-")}]\nsays = "x"\ncite = ["test-policy.txt:1"]\n'
        for key, value in params.items():
            if isinstance(value, bool):
                text += f"{key} = {str(value).lower()}\n"
            elif isinstance(value, int):
                text += f"{key} = {value}\n"
            elif isinstance(value, list):  # a list of labels: TOML writes it as JSON does
                text += f"{key} = {json.dumps(value)}\n"
            else:
                text += f'{key} = "{value}"\n'
    return decode(text, "test.toml")


def D(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def enrol(child: str, on: str) -> Event:
    return ev.ChildEnrolled(on=D(on), child=child, name="A child")


def leave(child: str, on: str) -> Event:
    return ev.ChildLeft(on=D(on), child=child)


def link(guardian: str, child: str, on: str) -> Event:
    return ev.GuardianLinked(on=D(on), guardian=guardian, name="A parent", child=child)


def join(person: str, on: str) -> Event:
    return ev.PersonJoined(on=D(on), person=person, name="A person", kind="staff")


def role(person: str, name: str, on: str) -> Event:
    return ev.RoleAssigned(on=D(on), person=person, role=name)  # type: ignore[arg-type]


def grant(child: str, channel: str, on: str, expires: str | None = None) -> Event:
    return ev.ConsentGranted(
        on=D(on),
        child=child,
        guardian="G-1",
        channel=channel,
        evidence="F-1",
        method="paper",
        expires=None if expires is None else D(expires),
    )


def withdraw(child: str, channel: str, on: str) -> Event:
    return ev.ConsentWithdrawn(on=D(on), child=child, guardian="G-1", channel=channel)


def post(
    ref: str,
    on: str,
    depicts: list[str],
    channel: str = "public-page",
    author: str = "S-1",
    device: str | None = None,
) -> Event:
    return ev.PostPublished(
        on=D(on), post=ref, channel=channel, author=author, depicts=depicts, device=device
    )


def remove(ref: str, on: str, reason: str = "other") -> Event:
    return ev.PostRemoved(on=D(on), post=ref, by="S-1", reason=reason)  # type: ignore[arg-type]


def ack(rule: str, subject: str, on: str) -> Event:
    return ev.FindingAcknowledged(on=D(on), rule=rule, subject_ref=subject, action="Talked.")  # type: ignore[arg-type]


def admit(member: str, on: str) -> Event:
    return ev.MemberAdmitted(on=D(on), member=member)


def expel(member: str, on: str) -> Event:
    return ev.MemberRemoved(on=D(on), member=member, reason="left")


Row = tuple[str, str, str, str | None, bool]


def rows(findings: list[RefFinding]) -> list[Row]:
    """(rule, subject, since, resolved_on, acknowledged), checking status agrees."""
    out = []
    for f in findings:
        assert f.status == ("open" if f.resolved_on is None else "resolved")
        assert not (f.acknowledged and f.resolved_on is None)
        resolved = None if f.resolved_on is None else f.resolved_on.isoformat()
        out.append((f.rule, f.subject, f.since.isoformat(), resolved, f.acknowledged))
    return out


def judge(events: list[Event], prof: Profile, as_of: str) -> list[Row]:
    return rows(reference_findings(events, prof, D(as_of)))


# --- month arithmetic --------------------------------------------------------------------------


def test_add_months_clamps_to_the_end_of_a_shorter_month() -> None:
    assert add_months(D("2024-01-31"), 1) == D("2024-02-29")
    assert add_months(D("2023-01-31"), 1) == D("2023-02-28")
    assert add_months(D("2024-11-30"), 3) == D("2025-02-28")
    assert add_months(D("2024-02-29"), 12) == D("2025-02-28")
    assert add_months(D("2024-03-15"), 12) == D("2025-03-15")
    assert add_months(D("2024-12-31"), 1) == D("2025-01-31")


# --- consent-missing ---------------------------------------------------------------------------

CM = "consent-missing"


def test_consent_missing_opens_resolves_and_respects_as_of() -> None:
    prof = profile(consent_missing={})
    events = [
        enrol("C-1", "2025-01-06"),
        link("G-1", "C-1", "2025-01-06"),
        post("P-1", "2025-02-03", ["C-1"]),
        remove("P-1", "2025-02-10"),
    ]
    assert judge(events, prof, "2025-02-02") == []
    assert judge(events, prof, "2025-02-03") == [(CM, "P-1", "2025-02-03", None, False)]
    assert judge(events, prof, "2025-02-09") == [(CM, "P-1", "2025-02-03", None, False)]
    assert judge(events, prof, "2025-02-10") == [(CM, "P-1", "2025-02-03", "2025-02-10", False)]
    # A rule the profile does not turn on never gives a finding.
    assert judge(events, profile(child_image_forbidden={}), "2025-03-01") == []


def test_consent_is_judged_per_channel_at_the_end_of_the_day_with_expiry() -> None:
    prof = profile(consent_missing={})
    events = [
        enrol("C-1", "2025-01-06"),
        enrol("C-2", "2025-01-06"),
        link("G-1", "C-1", "2025-01-06"),
        post("P-3", "2025-01-09", ["C-1"]),  # before the grant
        grant("C-1", "public-page", "2025-01-10", expires="2025-01-31"),
        post("P-5", "2025-01-20", ["C-1"], channel="closed-group"),  # consent is per channel
        post("P-6", "2025-01-20", []),  # depicts nobody
        post("P-7", "2025-01-20", ["C-1", "C-2"]),  # C-2 has no consent
        post("P-1", "2025-01-31", ["C-1"]),  # the expiry day is still covered
        post("P-2", "2025-02-01", ["C-1"]),  # expired
        grant("C-1", "public-page", "2025-02-10"),
        post("P-8", "2025-02-15", ["C-1"]),
        post("P-4", "2025-02-20", ["C-1"]),
        withdraw("C-1", "public-page", "2025-02-20"),  # later the same day: still counts
    ]
    assert judge(events, prof, "2025-03-01") == [
        (CM, "P-3", "2025-01-09", None, False),
        (CM, "P-5", "2025-01-20", None, False),
        (CM, "P-7", "2025-01-20", None, False),
        (CM, "P-2", "2025-02-01", None, False),
        (CM, "P-4", "2025-02-20", None, False),
    ]


def test_facts_are_ordered_by_day_not_by_when_they_were_recorded() -> None:
    prof = profile(consent_missing={})
    events = [
        enrol("C-1", "2025-01-06"),
        post("P-1", "2025-01-15", ["C-1"]),
        grant("C-1", "public-page", "2025-01-10"),  # recorded late, but dated earlier
    ]
    assert judge(events, prof, "2025-02-01") == []
    events.append(post("P-2", "2025-01-08", ["C-1"]))  # before the grant: a finding
    events.append(remove("P-2", "2025-01-07"))  # dated before the post: not its removal
    assert judge(events, prof, "2025-02-01") == [(CM, "P-2", "2025-01-08", None, False)]


def test_consent_missing_same_day_removal_and_acknowledgement() -> None:
    prof = profile(consent_missing={})
    events = [
        enrol("C-1", "2025-01-06"),
        ack(CM, "P-4", "2025-02-27"),  # before the finding began: no effect
        post("P-1", "2025-03-01", ["C-1"]),
        remove("P-1", "2025-03-01"),  # same day: begins and ends that day
        post("P-2", "2025-03-01", ["C-1"]),
        post("P-3", "2025-03-01", ["C-1"]),
        post("P-4", "2025-03-01", ["C-1"]),
        ack(CM, "P-2", "2025-03-05"),
        ack(CM, "P-3", "2025-03-06"),
        remove("P-3", "2025-03-06"),  # the remedy the same day wins over the acknowledgement
        remove("P-2", "2025-03-08"),  # already resolved by the acknowledgement
        ack("child-image-forbidden", "P-4", "2025-03-07"),  # another rule: no effect
    ]
    assert judge(events, prof, "2025-03-31") == [
        (CM, "P-1", "2025-03-01", "2025-03-01", False),
        (CM, "P-2", "2025-03-01", "2025-03-05", True),
        (CM, "P-3", "2025-03-01", "2025-03-06", False),
        (CM, "P-4", "2025-03-01", None, False),
    ]
    # As of the day before the acknowledgement, P-2 is still open.
    assert (CM, "P-2", "2025-03-01", None, False) in judge(events, prof, "2025-03-04")


# --- child-image-forbidden ---------------------------------------------------------------------

CIF = "child-image-forbidden"


def test_child_image_forbidden() -> None:
    prof = profile(child_image_forbidden={})
    events = [
        enrol("C-1", "2025-01-06"),
        grant("C-1", "public-page", "2025-01-06"),
        post("P-1", "2025-04-01", ["C-1"], channel="facebook-page"),
        post("P-2", "2025-04-01", [], channel="facebook-page"),  # no child: fine
        post("P-3", "2025-04-01", ["C-1"]),  # a consent channel: not this rule
        post("P-4", "2025-04-02", ["C-1"], channel="personal-account"),  # never, in every profile
        remove("P-1", "2025-04-03"),
        post("P-5", "2025-04-05", ["C-1"], channel="facebook-page"),
        ack(CIF, "P-5", "2025-04-05"),
    ]
    assert judge(events, prof, "2025-04-30") == [
        (CIF, "P-1", "2025-04-01", "2025-04-03", False),
        (CIF, "P-4", "2025-04-02", None, False),
        (CIF, "P-5", "2025-04-05", "2025-04-05", True),
    ]
    assert judge(events, prof, "2025-04-02") == [
        (CIF, "P-1", "2025-04-01", None, False),
        (CIF, "P-4", "2025-04-02", None, False),
    ]


# --- unauthorised-poster -----------------------------------------------------------------------

UP = "unauthorised-poster"


def test_unauthorised_poster_roles_membership_and_currency() -> None:
    prof = profile(unauthorised_poster={})
    events = [
        join("S-1", "2025-01-01"),
        role("S-1", "manager", "2025-01-01"),
        join("S-2", "2025-01-01"),
        join("S-3", "2025-01-01"),
        role("S-3", "chair", "2025-01-01"),
        ev.PersonLeft(on=D("2025-05-10"), person="S-3"),
        join("S-4", "2025-01-01"),
        role("S-4", "manager", "2025-01-01"),
        admit("G-1", "2025-01-01"),
        post("P-1", "2025-05-01", [], author="S-1"),  # a manager: fine
        post("P-2", "2025-05-01", [], author="S-2"),  # no role
        post("P-3", "2025-05-10", [], author="S-3"),  # the chair, on their last day: fine
        post("P-4", "2025-05-11", [], author="S-3"),  # the day after they left
        post("P-5", "2025-05-01", [], author="S-4"),
        ev.RoleRevoked(on=D("2025-05-01"), person="S-4", role="manager"),  # end of day counts
        post("P-6", "2025-05-01", [], channel="closed-group", author="G-1"),  # a member
        post("P-7", "2025-05-01", [], channel="closed-group", author="G-2"),  # not a member
        post("P-8", "2025-05-01", [], channel="personal-account", author="S-1"),  # nobody may
        post("P-9", "2025-05-01", [], author="G-1"),  # a guardian holds no role
        post("P-10", "2025-05-02", [], channel="closed-group", author="S-2"),
        admit("S-2", "2025-05-02"),  # admitted later the same day: a member that day
        remove("P-7", "2025-05-03"),
    ]
    assert judge(events, prof, "2025-05-31") == [
        (UP, "P-2", "2025-05-01", None, False),
        (UP, "P-5", "2025-05-01", None, False),
        (UP, "P-7", "2025-05-01", "2025-05-03", False),
        (UP, "P-8", "2025-05-01", None, False),
        (UP, "P-9", "2025-05-01", None, False),
        (UP, "P-4", "2025-05-11", None, False),
    ]


# --- non-setting-device ------------------------------------------------------------------------

NSD = "non-setting-device"


def test_non_setting_device_for_posts() -> None:
    # The setting's devices bind its own people (staff, volunteers, students): S-1 is staff;
    # a parent's, a committee member's or a visitor's phone is theirs (issue 18).
    prof = profile(non_setting_device={"require_setting_device": True})
    events = [
        join("S-1", "2025-01-01"),
        ev.PersonJoined(on=D("2025-01-01"), person="S-2", name="A person", kind="committee"),
        ev.PersonJoined(on=D("2025-01-01"), person="S-3", name="A person", kind="visitor"),
        ev.PersonJoined(on=D("2025-01-01"), person="S-4", name="A person", kind="student"),
        post("P-8", "2025-06-02", ["C-1"], author="G-1", device="own phone"),
        post("P-9", "2025-06-02", ["C-1"], author="S-2", device="own phone"),
        post("P-10", "2025-06-02", ["C-1"], author="S-3"),
        post("P-11", "2025-06-02", ["C-1"], author="S-4", device="own phone"),
        ev.DeviceRegistered(on=D("2025-01-01"), device="T-01"),
        ev.DeviceRegistered(on=D("2025-01-01"), device="T-02"),
        ev.DeviceRetired(on=D("2025-06-01"), device="T-02"),
        post("P-3", "2025-05-31", ["C-1"], device="T-02"),  # in service the day before
        post("P-2", "2025-06-01", ["C-1"], device="T-02"),  # retired that day
        post("P-1", "2025-06-02", ["C-1"], device="T-01"),
        post("P-4", "2025-06-02", ["C-1"]),  # no device
        post("P-5", "2025-06-02", ["C-1"], device="Jo's phone"),
        post("P-6", "2025-06-02", []),  # no child: no device needed
        post("P-7", "2025-06-02", ["C-1"], device="T-03"),
        ev.DeviceRegistered(on=D("2025-06-03"), device="T-03"),  # too late for P-7
        remove("P-4", "2025-06-04"),
        ev.ChildContacted(on=D("2025-06-02"), child="C-1", by="S-1", method="email"),
    ]
    assert judge(events, prof, "2025-06-30") == [
        (NSD, "P-2", "2025-06-01", None, False),
        (NSD, "P-11", "2025-06-02", None, False),
        (NSD, "P-4", "2025-06-02", "2025-06-04", False),
        (NSD, "P-5", "2025-06-02", None, False),
        (NSD, "P-7", "2025-06-02", None, False),
    ]


def test_non_setting_device_for_contacts_merges_while_open() -> None:
    prof = profile(non_setting_device={"contacts_need_setting_device": True})

    def contact(child: str, on: str, device: str | None) -> Event:
        return ev.ChildContacted(on=D(on), child=child, by="S-1", method="email", device=device)

    events = [
        ev.DeviceRegistered(on=D("2025-01-01"), device="T-01"),
        contact("C-1", "2025-07-01", None),
        post("P-1", "2025-07-01", ["C-1"]),  # posts are not judged by this profile
        contact("C-1", "2025-07-02", "T-01"),
        contact("C-2", "2025-07-02", "T-01"),
        contact("C-1", "2025-07-03", "phone"),  # belongs to the open finding
        ack(NSD, "C-1", "2025-07-05"),
        contact("C-1", "2025-07-08", None),  # a new finding
    ]
    assert judge(events, prof, "2025-07-31") == [
        (NSD, "C-1", "2025-07-01", "2025-07-05", True),
        (NSD, "C-1", "2025-07-08", None, False),
    ]
    assert judge(events, prof, "2025-07-07") == [(NSD, "C-1", "2025-07-01", "2025-07-05", True)]


# --- withdrawn-consent-post-live ---------------------------------------------------------------

WCP = "withdrawn-consent-post-live"


def test_withdrawn_consent_post_live_boundaries() -> None:
    prof = profile(withdrawn_consent_post_live={})  # takedown_days defaults to 2
    cg = "closed-group"
    events = [
        grant("C-1", cg, "2025-01-01"),
        grant("C-2", cg, "2025-01-01"),
        post("P-1", "2025-03-01", ["C-1"], channel=cg),
        post("P-2", "2025-03-01", ["C-1"], channel=cg),
        post("P-3", "2025-03-01", ["C-1"], channel=cg),
        post("P-4", "2025-03-01", ["C-2"], channel=cg),
        post("P-5", "2025-03-01", ["C-1"]),  # another channel
        post("P-7", "2025-03-01", ["C-1"], channel=cg),
        remove("P-7", "2025-03-05"),  # removed before the withdrawal
        withdraw("C-1", cg, "2025-03-10"),  # deadline 2025-03-12
        post("P-6", "2025-03-10", ["C-1"], channel=cg),  # same day: consent-missing's business
        remove("P-1", "2025-03-12"),  # exactly on the limit: no finding
        remove("P-2", "2025-03-13"),  # one day late
        # C-2: the earliest of two withdrawals counts (deadline 2025-03-22).
        withdraw("C-2", cg, "2025-03-20"),
        grant("C-2", cg, "2025-03-21"),
        withdraw("C-2", cg, "2025-03-25"),
        remove("P-4", "2025-03-24"),
    ]
    assert judge(events, prof, "2025-03-12") == []
    assert judge(events, prof, "2025-03-13") == [
        (WCP, "P-2", "2025-03-13", "2025-03-13", False),
        (WCP, "P-3", "2025-03-13", None, False),
    ]
    assert judge(events, prof, "2025-04-30") == [
        (WCP, "P-2", "2025-03-13", "2025-03-13", False),
        (WCP, "P-3", "2025-03-13", None, False),
        (WCP, "P-4", "2025-03-23", "2025-03-24", False),
    ]
    # With a longer limit, P-2 was removed in time and P-4's deadline moves to 2025-03-25.
    longer = profile(withdrawn_consent_post_live={"takedown_days": 5})
    assert judge(events, longer, "2025-04-30") == [(WCP, "P-3", "2025-03-16", None, False)]


# --- removal-follow-up-overdue -----------------------------------------------------------------

RFO = "removal-follow-up-overdue"


def test_removal_follow_up_overdue() -> None:
    prof = profile(removal_follow_up_overdue={})  # follow_up_days defaults to 7

    def contacted(ref: str, on: str) -> Event:
        return ev.PosterContacted(on=D(on), post=ref, by="S-1")

    def referred(ref: str, on: str) -> Event:
        return ev.ReferredToManager(on=D(on), ref=ref)

    events = [post(f"P-{n}", "2025-01-01", [], channel="closed-group") for n in range(1, 7)]
    events += [
        referred("P-5", "2025-01-30"),  # before the removal: counts
        remove("P-1", "2025-02-01", "negative-discussion"),  # limit 2025-02-08
        remove("P-2", "2025-02-01", "inappropriate"),
        remove("P-3", "2025-02-01", "inappropriate"),
        remove("P-4", "2025-02-01", "other"),  # not a follow-up reason
        remove("P-5", "2025-02-01", "negative-discussion"),
        remove("P-6", "2025-02-01", "negative-discussion"),
        contacted("P-5", "2025-02-02"),
        contacted("P-2", "2025-02-03"),
        contacted("P-1", "2025-02-08"),
        referred("P-1", "2025-02-08"),  # both exactly on the limit: no finding
        referred("P-2", "2025-02-09"),  # one day late: begins and ends that day
        contacted("P-3", "2025-02-12"),
        referred("P-3", "2025-02-15"),  # resolved by the later of the two
        ack(RFO, "P-6", "2025-02-20"),
    ]
    assert judge(events, prof, "2025-02-08") == []
    assert judge(events, prof, "2025-02-14") == [
        (RFO, "P-2", "2025-02-09", "2025-02-09", False),
        (RFO, "P-3", "2025-02-09", None, False),
        (RFO, "P-6", "2025-02-09", None, False),
    ]
    assert judge(events, prof, "2025-03-31") == [
        (RFO, "P-2", "2025-02-09", "2025-02-09", False),
        (RFO, "P-3", "2025-02-09", "2025-02-15", False),
        (RFO, "P-6", "2025-02-09", "2025-02-20", True),
    ]


# --- the closed group --------------------------------------------------------------------------

IM = "ineligible-member"


def test_ineligible_member() -> None:
    prof = profile(ineligible_member={})
    events = [
        join("S-1", "2025-01-01"),
        enrol("C-3", "2025-01-06"),
        link("G-3", "C-3", "2025-01-06"),
        link("G-4", "C-3", "2025-01-06"),
        admit("G-3", "2025-03-01"),
        admit("G-4", "2025-03-01"),
        link("G-4", "C-4", "2025-06-01"),  # a younger child, who starts on 2025-09-15
        leave("C-3", "2025-07-18"),
        admit("S-1", "2025-08-01"),
        admit("S-2", "2025-08-01"),  # never joined
        admit("G-2", "2025-08-01"),  # no children at all
        link("G-1", "C-1", "2025-08-01"),
        ack(IM, "G-2", "2025-08-05"),
        expel("G-2", "2025-08-10"),  # the situation stops ...
        admit("G-2", "2025-08-15"),  # ... and starts again: a new finding
        admit("G-1", "2025-08-20"),  # their child has not started yet
        ev.PersonLeft(on=D("2025-08-29"), person="S-1"),  # current up to and including
        expel("S-1", "2025-09-02"),
        enrol("C-1", "2025-09-08"),
        enrol("C-4", "2025-09-15"),
    ]
    # G-3's only child left: the leaver rule judges them, not this one. So does it G-4 from
    # 2025-07-19 to 2025-09-15: as of those days their younger child has not started, and a
    # day is judged by the facts dated by then (the enrolment is dated 2025-09-15), so C-4 is
    # no child of theirs yet (the stateful machine found the rule reading the later enrolment).
    assert judge(events, prof, "2025-09-30") == [
        (IM, "G-2", "2025-08-01", "2025-08-05", True),
        (IM, "S-2", "2025-08-01", None, False),
        (IM, "G-2", "2025-08-15", None, False),
        (IM, "G-1", "2025-08-20", "2025-09-08", False),
        (IM, "S-1", "2025-08-30", "2025-09-02", False),
    ]
    leavers = profile(ineligible_member={}, leaver_not_removed={})
    assert ("leaver-not-removed", "G-4", "2025-08-06", "2025-09-15", False) in judge(
        events, leavers, "2025-09-30"
    )
    # Without a group channel, the group rules do not apply.
    head = _HEAD.replace("group = true\n", "").replace('["any-member"]', '["manager"]')
    no_group = decode(head + _rule(IM), "t.toml")
    assert judge(events, no_group, "2025-09-30") == []


def _rule(name: str) -> str:
    return f'\n[rules.{name}]\nsays = "x"\ncite = ["test-policy.txt:1"]\n'


LNR = "leaver-not-removed"


def test_leaver_not_removed_default_summer_holiday() -> None:
    prof = profile(leaver_not_removed={}, ineligible_member={})  # grace 14 days, 07-22
    base = [
        enrol("C-1", "2024-09-02"),
        link("G-1", "C-1", "2024-09-02"),
        link("G-5", "C-1", "2024-09-02"),
        admit("G-1", "2024-09-02"),
        admit("G-5", "2024-09-02"),
        leave("C-1", "2025-07-18"),  # summer starts 2025-07-22; deadline 2025-08-05
        expel("G-5", "2025-08-05"),  # on the deadline: no finding
        expel("G-1", "2025-08-20"),
    ]
    assert judge(base, prof, "2025-08-05") == []
    assert judge(base, prof, "2025-08-06") == [(LNR, "G-1", "2025-08-06", None, False)]
    assert judge(base, prof, "2025-08-31") == [(LNR, "G-1", "2025-08-06", "2025-08-20", False)]


def test_leaver_not_removed_term_dates_and_next_year() -> None:
    prof = profile(leaver_not_removed={"leaver_grace_days": 14})
    recorded = [
        ev.TermDatesRecorded(on=D("2025-03-01"), year=2025, summer_holiday_starts=D("2025-07-25")),
        enrol("C-2", "2024-09-02"),
        link("G-2", "C-2", "2024-09-02"),
        link("G-3", "C-2", "2024-09-02"),
        admit("G-2", "2024-09-02"),
        admit("G-3", "2024-09-02"),
        leave("C-2", "2025-07-18"),  # summer starts 2025-07-25; deadline 2025-08-08
        expel("G-2", "2025-08-08"),
        expel("G-3", "2025-08-10"),  # a member at the end of 2025-08-09
    ]
    assert judge(recorded, prof, "2025-08-31") == [(LNR, "G-3", "2025-08-09", "2025-08-10", False)]
    # A child leaving after the summer holiday began waits for next year's: 2026-07-22 + 14.
    late = [
        enrol("C-3", "2024-09-02"),
        link("G-6", "C-3", "2024-09-02"),
        admit("G-6", "2024-09-02"),
        leave("C-3", "2025-08-01"),
    ]
    assert judge(late, prof, "2026-08-05") == []
    assert judge(late, prof, "2026-08-06") == [(LNR, "G-6", "2026-08-06", None, False)]


TFA = "too-few-admins"


def test_too_few_admins() -> None:
    prof = profile(too_few_admins={})  # min_group_admins defaults to 2
    events = [
        join("S-1", "2025-01-01"),
        join("S-2", "2025-01-01"),
        join("S-3", "2025-01-01"),
        role("S-1", "group-admin", "2025-01-01"),  # no members yet: no finding
        admit("G-1", "2025-01-10"),
        role("S-2", "group-admin", "2025-01-15"),
        ev.PersonLeft(on=D("2025-02-01"), person="S-2"),  # still an admin on that day
        ack(TFA, "closed-group", "2025-02-05"),
        role("S-3", "group-admin", "2025-02-10"),  # enough again: the situation stops
        ev.RoleRevoked(on=D("2025-02-20"), person="S-3", role="group-admin"),
        expel("G-1", "2025-02-25"),  # no members
    ]
    assert judge(events, prof, "2025-03-31") == [
        (TFA, "closed-group", "2025-01-10", "2025-01-15", False),
        (TFA, "closed-group", "2025-02-02", "2025-02-05", True),
        (TFA, "closed-group", "2025-02-20", "2025-02-25", False),
    ]
    assert judge(events, prof, "2025-02-24") == [
        (TFA, "closed-group", "2025-01-10", "2025-01-15", False),
        (TFA, "closed-group", "2025-02-02", "2025-02-05", True),
        (TFA, "closed-group", "2025-02-20", None, False),
    ]
    assert judge(events, profile(too_few_admins={"min_group_admins": 1}), "2025-03-31") == []


# --- friendships -------------------------------------------------------------------------------

CWE = "connection-without-exception"


def test_connection_without_exception() -> None:
    prof = profile(connection_without_exception={})

    def report(person: str, guardian: str, on: str) -> Event:
        return ev.ConnectionReported(on=D(on), person=person, guardian=guardian)

    def exception(person: str, guardian: str, on: str) -> Event:
        return ev.FriendshipExceptionGranted(
            on=D(on), person=person, guardian=guardian, since=D("2020-01-01"), approved_by="S-9"
        )

    events = [
        *(join(f"S-{n}", "2025-01-01") for n in (1, 2, 3, 4)),  # staff, serving throughout
        enrol("C-1", "2025-01-06"),
        link("G-1", "C-1", "2025-01-06"),
        exception("S-2", "G-1", "2025-01-20"),
        report("S-1", "G-1", "2025-02-01"),
        report("S-2", "G-1", "2025-02-01"),  # an active exception: fine
        report("S-1", "G-1", "2025-02-05"),  # belongs to the open finding
        exception("S-1", "G-1", "2025-02-10"),
        ev.FriendshipExceptionEnded(on=D("2025-03-01"), person="S-1", guardian="G-1"),
        report("S-1", "G-1", "2025-03-01"),  # open until the day after C-1's last day
        report("S-3", "G-1", "2025-04-01"),
        exception("S-3", "G-1", "2025-04-01"),  # granted that day: active, no finding
        report("S-4", "G-1", "2025-05-01"),
        ack(CWE, "S-4/G-1", "2025-05-03"),
        report("S-4", "G-1", "2025-05-04"),  # a new finding
        link("G-2", "C-2", "2025-06-01"),
        report("S-1", "G-2", "2025-06-10"),  # G-2's child has not started: no finding
        enrol("C-2", "2025-09-01"),
        leave("C-1", "2025-07-18"),
    ]
    assert judge(events, prof, "2025-07-18") == [
        (CWE, "S-1/G-1", "2025-02-01", "2025-02-10", False),
        (CWE, "S-1/G-1", "2025-03-01", None, False),
        (CWE, "S-4/G-1", "2025-05-01", "2025-05-03", True),
        (CWE, "S-4/G-1", "2025-05-04", None, False),
    ]
    assert judge(events, prof, "2025-07-19") == [
        (CWE, "S-1/G-1", "2025-02-01", "2025-02-10", False),
        (CWE, "S-1/G-1", "2025-03-01", "2025-07-19", False),
        (CWE, "S-4/G-1", "2025-05-01", "2025-05-03", True),
        (CWE, "S-4/G-1", "2025-05-04", "2025-07-19", False),
    ]


def test_connection_without_exception_judges_the_kinds_named_while_they_serve() -> None:
    """Issue 18: only the kinds of person the policy names (``friendship_kinds``), and only
    while they serve: a report before they join or after they leave is none, and an open one
    ends the day after they leave."""
    prof = profile(connection_without_exception={"friendship_kinds": ["staff", "volunteer"]})

    def person(ref: str, kind: str, on: str) -> Event:
        return ev.PersonJoined(on=D(on), person=ref, name="A person", kind=kind)  # type: ignore[arg-type]

    def report(ref: str, on: str) -> Event:
        return ev.ConnectionReported(on=D(on), person=ref, guardian="G-1")

    events = [
        enrol("C-1", "2025-01-06"),
        link("G-1", "C-1", "2025-01-06"),
        person("S-1", "staff", "2025-01-01"),
        person("S-2", "committee", "2025-01-01"),  # not named: never judged
        person("S-3", "volunteer", "2025-03-01"),
        person("S-4", "student", "2025-01-01"),  # not named
        report("S-1", "2025-02-01"),
        report("S-2", "2025-02-01"),
        report("S-3", "2025-02-01"),  # before they joined: not serving
        report("S-4", "2025-02-01"),
        ev.PersonLeft(on=D("2025-04-30"), person="S-1"),  # the open finding ends on 1 May
        report("S-1", "2025-05-02"),  # after they left: none
        report("S-3", "2025-05-02"),  # serving now: a finding
    ]
    assert judge(events, prof, "2025-06-01") == [
        (CWE, "S-1/G-1", "2025-02-01", "2025-05-01", False),
        (CWE, "S-3/G-1", "2025-05-02", None, False),
    ]
    everyone = profile(connection_without_exception={})  # no kinds named: all but visitors
    assert [row[1] for row in judge(events, everyone, "2025-06-01")] == [
        "S-1/G-1",
        "S-2/G-1",
        "S-4/G-1",
        "S-3/G-1",
    ]


# --- concerns and discipline -------------------------------------------------------------------

CU = "concern-unaddressed"
RU = "referral-undecided"


def test_concern_unaddressed() -> None:
    prof = profile(concern_unaddressed={})  # concern_response_days defaults to 1

    def raised(ref: str, on: str) -> Event:
        return ev.ConcernRaised(on=D(on), concern=ref, category="other")

    def addressed(ref: str, on: str) -> Event:
        return ev.ConcernAddressed(on=D(on), concern=ref, action="Spoke to them.")

    events = [raised(f"K-{n}", "2025-03-01") for n in range(1, 6)]
    events += [
        addressed("K-1", "2025-03-02"),  # on the limit: no finding
        addressed("K-2", "2025-03-03"),  # one day late
        ack(CU, "K-4", "2025-03-04"),
        ack(CU, "K-5", "2025-03-05"),
        addressed("K-5", "2025-03-05"),  # the remedy the same day wins
    ]
    assert judge(events, prof, "2025-03-02") == []
    assert judge(events, prof, "2025-03-31") == [
        (CU, "K-2", "2025-03-03", "2025-03-03", False),
        (CU, "K-3", "2025-03-03", None, False),
        (CU, "K-4", "2025-03-03", "2025-03-04", True),
        (CU, "K-5", "2025-03-03", "2025-03-05", False),
    ]


def test_referral_undecided() -> None:
    def referred(ref: str, on: str) -> Event:
        return ev.DisciplinaryReferred(on=D(on), case=ref, person="S-1")

    def decided(ref: str, on: str) -> Event:
        return ev.DisciplinaryDecided(on=D(on), case=ref, outcome="advice")

    events = [referred(f"D-{n}", "2025-01-01") for n in range(1, 4)]
    events += [decided("D-1", "2025-01-29"), decided("D-2", "2025-01-30")]
    # The default limit is 28 days: the last day in time is 2025-01-29.
    assert judge(events, profile(referral_undecided={}), "2025-01-29") == []
    assert judge(events, profile(referral_undecided={}), "2025-02-28") == [
        (RU, "D-2", "2025-01-30", "2025-01-30", False),
        (RU, "D-3", "2025-01-30", None, False),
    ]
    # With 10 days, all three are late: D-1 and D-2 are resolved on their decision days.
    short = profile(referral_undecided={"decision_days": 10})
    assert judge(events, short, "2025-02-28") == [
        (RU, "D-1", "2025-01-12", "2025-01-29", False),
        (RU, "D-2", "2025-01-12", "2025-01-30", False),
        (RU, "D-3", "2025-01-12", None, False),
    ]


# --- policy ------------------------------------------------------------------------------------

PRO = "policy-review-overdue"


def test_policy_review_overdue_monthly_with_month_end() -> None:
    prof = profile(policy_review_overdue={"review_interval_months": 1})

    def reviewed(on: str) -> Event:
        return ev.PolicyReviewed(on=D(on), outcome="unchanged")

    events = [
        reviewed("2023-12-01"),  # before any adoption: no finding from it
        ev.PolicyAdopted(on=D("2024-01-31"), version="1"),  # due by 2024-02-29
        reviewed("2024-03-05"),  # due by 2024-04-05
        reviewed("2024-04-05"),  # on the limit; due by 2024-05-05
        ack(PRO, "policy", "2024-05-10"),  # stays resolved however long it lasts
    ]
    assert judge(events, prof, "2024-02-29") == []
    assert judge(events, prof, "2024-03-04") == [(PRO, "policy", "2024-03-01", None, False)]
    assert judge(events, prof, "2024-06-30") == [
        (PRO, "policy", "2024-03-01", "2024-03-05", False),
        (PRO, "policy", "2024-05-06", "2024-05-10", True),
    ]


def test_policy_review_overdue_yearly() -> None:
    prof = profile(policy_review_overdue={})  # 12 months
    adopted = ev.PolicyAdopted(on=D("2024-02-29"), version="1")  # due by 2025-02-28
    on_time = [adopted, ev.PolicyReviewed(on=D("2025-02-28"), outcome="amended")]
    assert judge(on_time, prof, "2025-03-31") == []
    late = [adopted, ev.PolicyAdopted(on=D("2025-03-01"), version="2")]
    assert judge(late, prof, "2025-03-31") == [(PRO, "policy", "2025-03-01", "2025-03-01", False)]
    assert judge([adopted], prof, "2025-02-28") == []
    assert (
        judge([ev.PolicyReviewed(on=D("2020-01-01"), outcome="unchanged")], prof, "2022-01-01")
        == []
    )


# --- contact with children ---------------------------------------------------------------------

CWP = "contact-without-permission"


def test_contact_without_permission() -> None:
    prof = profile(contact_without_permission={})

    def permitted(child: str, method: str, on: str) -> Event:
        return ev.CommunicationPermitted(on=D(on), child=child, guardian="G-1", method=method)

    def contact(child: str, method: str, on: str) -> Event:
        return ev.ChildContacted(on=D(on), child=child, by="S-1", method=method)

    events = [
        contact("C-1", "email", "2025-03-01"),
        contact("C-2", "phone", "2025-03-01"),
        permitted("C-2", "phone", "2025-03-01"),  # the same day: in time
        permitted("C-3", "email", "2025-03-01"),
        contact("C-3", "text", "2025-03-02"),  # a different method
        ack(CWP, "C-3", "2025-03-04"),
        permitted("C-1", "email", "2025-03-05"),  # too late, and it does not resolve
        contact("C-1", "email", "2025-03-05"),
        contact("C-3", "text", "2025-03-06"),  # a new finding after the acknowledgement
        contact("C-1", "text", "2025-03-07"),  # belongs to C-1's open finding
    ]
    assert judge(events, prof, "2025-03-31") == [
        (CWP, "C-1", "2025-03-01", None, False),
        (CWP, "C-3", "2025-03-02", "2025-03-04", True),
        (CWP, "C-3", "2025-03-06", None, False),
    ]
    assert judge(events, prof, "2025-03-03") == [
        (CWP, "C-1", "2025-03-01", None, False),
        (CWP, "C-3", "2025-03-02", None, False),
    ]


UC = "unofficial-contact"


def test_unofficial_contact_parents_and_children_merge_per_pair() -> None:
    prof = profile(unofficial_contact={"official_contact_methods": ["setting-email"]})

    def parent(guardian: str, by: str, method: str, on: str) -> Event:
        return ev.ParentContacted(on=D(on), guardian=guardian, by=by, method=method)

    def child(ref: str, by: str, method: str, on: str) -> Event:
        return ev.ChildContacted(on=D(on), child=ref, by=by, method=method)

    events = [
        parent("G-1", "S-1", "setting-email", "2025-03-01"),  # official: nothing
        parent("G-1", "S-1", "text", "2025-03-02"),
        parent("G-1", "S-2", "text", "2025-03-02"),  # another pair: its own finding
        child("C-1", "S-1", "social-media", "2025-03-03"),
        parent("G-1", "S-1", "social-media", "2025-03-04"),  # belongs to the open one
        ack(UC, "S-1/G-1", "2025-03-05"),
        parent("G-1", "S-1", "text", "2025-03-05"),  # the day acknowledged: belongs to it
        parent("G-1", "S-1", "text", "2025-03-06"),  # a new finding
    ]
    assert judge(events, prof, "2025-03-31") == [
        (UC, "S-1/G-1", "2025-03-02", "2025-03-05", True),
        (UC, "S-2/G-1", "2025-03-02", None, False),
        (UC, "S-1/C-1", "2025-03-03", None, False),
        (UC, "S-1/G-1", "2025-03-06", None, False),
    ]
    parents_only = profile(
        unofficial_contact={
            "official_contact_methods": ["in-person"],
            "contacts_judged": ["parents"],
        }
    )
    assert [r[1] for r in judge(events, parents_only, "2025-03-31")] == [
        "S-1/G-1",
        "S-2/G-1",
        "S-1/G-1",
    ]


# --- several rules together --------------------------------------------------------------------


@pytest.mark.parametrize("as_of", ["2024-12-31", "2025-01-05"])
def test_nothing_before_the_first_fact(as_of: str) -> None:
    prof = profile(consent_missing={}, concern_unaddressed={})
    events = [
        post("P-1", "2025-01-06", ["C-1"]),
        ev.ConcernRaised(on=D("2025-01-06"), concern="K-1", category="other"),
    ]
    assert judge(events, prof, as_of) == []
    assert judge([], prof, as_of) == []


def test_findings_are_sorted_by_since_rule_subject() -> None:
    prof = profile(consent_missing={}, child_image_forbidden={}, unauthorised_poster={})
    events = [
        post("P-2", "2025-01-07", ["C-1"], channel="facebook-page", author="S-9"),
        post("P-1", "2025-01-06", ["C-1"], author="S-9"),
    ]
    assert judge(events, prof, "2025-01-31") == [
        (CM, "P-1", "2025-01-06", None, False),
        (UP, "P-1", "2025-01-06", None, False),
        (CIF, "P-2", "2025-01-07", None, False),
        (UP, "P-2", "2025-01-07", None, False),
    ]


# --- posters by kind and purpose, own-children, purposes (issue 18) ---------------------------

_KINDS = """
[channels.personal-account]
posters = ["any-person", "guardians"]
poster_purposes = ["promotion"]
child_images = "own-children"
says = "Anyone's own page: promotion only; a parent's own child."

[channels.news-page]
posters = ["manager"]
child_images = "never"
purposes = ["news", "promotion"]
says = "News and promotion."
"""


def kinds_profile() -> Profile:
    rules = ("child-image-forbidden", "unauthorised-poster", "purpose-not-allowed")
    text = _HEAD + _KINDS
    text += "".join(f'\n[rules.{r}]\nsays = "x"\ncite = ["test-policy.txt:1"]\n' for r in rules)
    return decode(text, "test.toml")


def says(ref: str, on: str, author: str, purpose: ev.Purpose | None, *depicts: str) -> Event:
    channel = "personal-account" if ref.startswith("P-1") else "news-page"
    return ev.PostPublished(
        on=D(on), post=ref, channel=channel, author=author, depicts=list(depicts), purpose=purpose
    )


PNA = "purpose-not-allowed"


def test_posters_by_kind_and_purpose_own_children_and_purposes() -> None:
    # Worked by hand from rules.md. G-1's child C-1 is enrolled 1 Jan to 31 Jan (its last day);
    # S-1 joins 1 Jan and leaves 10 Jan; S-2 joins 1 Jan and is the manager.
    events = [
        enrol("C-1", "2025-01-01"),
        enrol("C-2", "2025-01-01"),
        link("G-1", "C-1", "2025-01-01"),
        join("S-1", "2025-01-01"),
        leave("C-1", "2025-01-31"),
        ev.PersonLeft(on=D("2025-01-10"), person="S-1"),
        join("S-2", "2025-01-01"),
        role("S-2", "manager", "2025-01-01"),
        says("P-11", "2025-01-05", "S-1", "promotion"),  # a current person, promoting: fine
        says("P-12", "2025-01-05", "S-1", None),  # no purpose: unauthorised-poster
        says("P-13", "2025-01-10", "S-1", "promotion"),  # the last day counts: fine
        says("P-14", "2025-01-11", "S-1", "promotion"),  # left: unauthorised-poster
        says("P-15", "2025-01-31", "G-1", "promotion", "C-1"),  # own child, child there: fine
        says("P-16", "2025-02-01", "G-1", "promotion"),  # no child enrolled: unauthorised-poster
        says("P-17", "2025-01-06", "G-1", "news", "C-1", "C-2"),  # another child, and news
        says("P-18", "2025-01-06", "S-2", "promotion", "C-1"),  # not a guardian: any child
        says("P-21", "2025-01-06", "S-2", "news"),  # news page, news: fine
        says("P-22", "2025-01-06", "S-2", None),  # no purpose: purpose-not-allowed
        says("P-23", "2025-01-06", "S-2", "activity"),  # not listed: purpose-not-allowed
        remove("P-23", "2025-01-08"),
    ]
    assert judge(events, kinds_profile(), "2025-02-28") == [
        (UP, "P-12", "2025-01-05", None, False),
        (CIF, "P-17", "2025-01-06", None, False),
        (CIF, "P-18", "2025-01-06", None, False),
        (PNA, "P-22", "2025-01-06", None, False),
        (PNA, "P-23", "2025-01-06", "2025-01-08", False),
        (UP, "P-17", "2025-01-06", None, False),
        (UP, "P-14", "2025-01-11", None, False),
        (UP, "P-16", "2025-02-01", None, False),
    ]
    # The ledger's own projections read the same from these facts.
    stream = [(1, ev.SettingRegistered(on=D("2025-01-01"), name="T", profile="test"))]
    stream += [(n, e) for n, e in enumerate(events, start=2)]
    found = evaluate(reg.rebuild(stream), kinds_profile(), D("2025-02-28"))
    assert sorted((f.rule, f.subject, f.since.isoformat()) for f in found) == sorted(
        (r, s, since) for r, s, since, _, _ in judge(events, kinds_profile(), "2025-02-28")
    )
