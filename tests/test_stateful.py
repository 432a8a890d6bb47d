"""The ledger as a state machine: random valid (and some invalid) commands across the catalogue.

After every step:
- the findings (from the store's tracked registers) equal the independent reference evaluation
  in ``tests/reference.py``, written from ``site/rules.md`` without sight of the projections;
- the registers the store gives (persisted snapshot plus the facts after it) equal a rebuild
  from scratch and the registers advanced one fact at a time by the test;
- the findings as of an earlier day equal those computed from only the facts dated by then;
- a refused command leaves the ledger where it was.
And whenever a post is proposed, ``check post`` says no exactly when recording it produces a
consent-missing, child-image-forbidden, unauthorised-poster, non-setting-device or
purpose-not-allowed finding.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import shutil
import tempfile
import typing
from pathlib import Path

import hypothesis.strategies as st
import msgspec
import pytest
from hypothesis import note, settings
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from ledger import events as ev
from ledger import integrity, store
from ledger.cli import _exported
from ledger.decisions import Refused
from ledger.follow import follow_sqlite
from ledger.integrity import Signer
from ledger.mapper import FORGOTTEN, EventMapper
from ledger.profile import load as load_profile
from ledger.service.reading import PostQuestion, post_registers
from ledger.site import build
from projections import findings as fnd
from projections import registers as reg
from projections import sitedata
from projections.rules.posting import post_problems
from tests.conftest import STORES, fixed_clock, fresh_db, new_ledger, postgres_base
from tests.reference import reference_findings

START = dt.date(2025, 8, 25)
LAST_DAY = dt.date(2027, 6, 29)
POST_RULES = {
    "consent-missing",
    "child-image-forbidden",
    "unauthorised-poster",
    "non-setting-device",
    "purpose-not-allowed",
}

# Every rule on, every shape of channel: the widest test of the rules together.
ALL_RULES = """
name = "all-rules"
title = "All Rules Test Setting"
policy = "A test policy with every rule"
source = "all-rules.txt"

[channels.closed-group]
posters = ["any-member"]
child_images = "consent"
group = true
says = "The parents' closed group."

[channels.public-page]
posters = ["manager", "chair"]
child_images = "consent"
says = "The public page."

[channels.facebook-page]
posters = ["manager", "social-media-officer"]
child_images = "never"
purposes = ["promotion", "news"]
says = "A page with no images of children."

[channels.personal-account]
posters = ["any-person", "guardians"]
poster_purposes = ["promotion"]
child_images = "own-children"
says = "Anyone's own page: for promotion, and a parent's own children."
""" + "".join(
    f'\n[rules.{rule}]\nsays = "test"\ncite = ["all-rules.txt:1"]\n{extra}'
    for rule, extra in [
        ("consent-missing", ""),
        ("child-image-forbidden", ""),
        ("unauthorised-poster", ""),
        (
            "non-setting-device",
            "require_setting_device = true\ncontacts_need_setting_device = true\n",
        ),
        ("withdrawn-consent-post-live", "takedown_days = 2\n"),
        ("removal-follow-up-overdue", "follow_up_days = 5\n"),
        ("ineligible-member", ""),
        ("leaver-not-removed", "leaver_grace_days = 10\n"),
        ("too-few-admins", "min_group_admins = 2\n"),
        ("connection-without-exception", 'friendship_exception = "declared"\n'),
        ("concern-unaddressed", "concern_response_days = 1\n"),
        ("referral-undecided", "decision_days = 14\n"),
        ("policy-review-overdue", "review_interval_months = 3\n"),
        ("contact-without-permission", ""),
        # Some of METHODS are the setting's own, some are not; parents and children judged.
        ("unofficial-contact", 'official_contact_methods = ["email", "setting-email"]\n'),
        ("purpose-not-allowed", ""),
    ]
)

PROFILES = [
    "all-rules",
    "all-rules",
    "all-rules",
    "all-rules",
    "south-woodham-preschool",
    "west-wycombe-preschool",
    "stepping-stones-preschool",
    "stepping-stones-nursery",
    "sandbank-valley-federation",
]
ROLES = ["manager", "deputy", "chair", "social-media-officer", "group-admin", "safeguarding-lead"]
METHODS = ["email", "phone", "text", "setting-email", "setting-phone", "social-media"]
PURPOSES = [None, *typing.get_args(ev.Purpose)]
CATEGORIES = list(typing.get_args(ev.ConcernCategory))


def name_for(ref: str) -> str:
    """A name of this person's own, found nowhere else: no name is part of another (the same
    length), and none holds a reference or a word the ledger prints."""
    letters = "".join("abcdefghij"[int(d)] for d in ref[2:].rjust(6, "0"))
    kind = {"C": "Chq", "G": "Guq", "S": "Stq"}[ref[0]]
    return f"{kind}{letters} Zx{ref[0].lower()}{letters}"


def _key(f: fnd.Finding) -> tuple[object, ...]:
    return (f.rule, f.subject, f.since, f.status, f.resolved_on, f.resolution == fnd.ACKNOWLEDGED)


class LedgerMachine(RuleBasedStateMachine):
    store_name = "sqlite"  # where the ledger lives: see PostgresLedgerMachine

    def __init__(self) -> None:
        super().__init__()
        self.tmp = Path(tempfile.mkdtemp(prefix="ledger-machine-"))
        self.places = contextlib.ExitStack()
        self.events: list[ev.Event] = []
        self.model = reg.Registers()
        self.day = START
        self.counters: dict[str, int] = {}
        self.children: list[str] = []
        self.guardians: dict[str, list[str]] = {}
        self.persons: list[str] = []
        self.posts: list[str] = []
        self.concerns: list[str] = []
        self.cases: list[str] = []
        self.devices: list[str] = []
        self.refusals = 0
        self.forgotten: list[str] = []
        self.site_built = False

    # -- set-up and helpers --------------------------------------------------------------------

    @initialize(profile=st.sampled_from(PROFILES))
    def create(self, profile: str) -> None:
        self._old_snapshot_every = store.SAVE_EVERY
        store.SAVE_EVERY = 4  # exercise persisted registers plus tail on every few writes
        db = self.places.enter_context(fresh_db(self.store_name, self.tmp))
        config = store.Config(db=db, key_path=self.tmp / "ledger.key")
        if profile == "all-rules":
            config.profile_path.write_text(ALL_RULES)
            self.profile = load_profile(str(config.profile_path))
        else:
            self.profile = load_profile(profile)
        self.ledger = new_ledger(config)
        self.signer = Signer.generate("policy-ledger")
        self.ledger.create("Test Setting", self.profile.name, self.signer, fixed_clock)
        setting = next(self.ledger.read(0, 1)).event
        self._remember(setting)
        note(f"profile {profile}")

    def teardown(self) -> None:
        if hasattr(self, "_old_snapshot_every"):
            store.SAVE_EVERY = self._old_snapshot_every
        if hasattr(self, "ledger"):
            self.ledger.close()
        self.places.close()  # a PostgreSQL schema is dropped
        shutil.rmtree(self.tmp, ignore_errors=True)

    def _remember(self, event: ev.Event) -> None:
        self.events.append(event)
        reg.apply(self.model, event, len(self.events))

    def new_ref(self, prefix: str) -> str:
        self.counters[prefix] = self.counters.get(prefix, 0) + 1
        width = 2 if prefix == "T" else 4
        return f"{prefix}-{self.counters[prefix]:0{width}d}"

    def when(self, data: st.DataObject) -> dt.date:
        """A day near the current one: sometimes a fact filed a few days late."""
        back = data.draw(st.sampled_from([0, 0, 0, 0, 1, 3, 8]), label="days late")
        return max(START, self.day - dt.timedelta(days=back))

    def record(self, event: ev.Event) -> bool:
        head = self.ledger.head()
        note(f"record {ev.to_json(event).decode()}")
        try:
            self.ledger.record([event], self.signer, fixed_clock)
        except Refused as refusal:
            note(f"  refused: {refusal}")
            assert self.ledger.head() == head, "a refusal wrote something"
            self.refusals += 1
            return False
        self._remember(event)
        return True

    def channel(self, data: st.DataObject) -> str:
        return data.draw(st.sampled_from(sorted(self.profile.channels)), label="channel")

    # -- time ----------------------------------------------------------------------------------

    @rule(days=st.sampled_from([0, 1, 1, 2, 5, 9, 20, 40, 100]))
    def time_passes(self, days: int) -> None:
        self.day = min(LAST_DAY, self.day + dt.timedelta(days=days))

    # -- people --------------------------------------------------------------------------------

    @rule(data=st.data())
    def enrol_child(self, data: st.DataObject) -> None:
        child = self.new_ref("C")
        if self.record(ev.ChildEnrolled(on=self.when(data), child=child, name=name_for(child))):
            self.children.append(child)

    @rule(data=st.data(), consent=st.booleans(), member=st.booleans())
    def family_joins(self, data: st.DataObject, consent: bool, member: bool) -> None:
        """A child starts with a parent, usually with a consent form and a place in the group."""
        on = self.when(data)
        child, guardian = self.new_ref("C"), self.new_ref("G")
        if not self.record(ev.ChildEnrolled(on=on, child=child, name=name_for(child))):
            return
        self.children.append(child)
        if not self.record(
            ev.GuardianLinked(on=on, guardian=guardian, name=name_for(guardian), child=child)
        ):
            return
        self.guardians[guardian] = [child]
        if consent:
            channel = self.channel(data)
            self.record(
                ev.ConsentGranted(
                    on=on,
                    child=child,
                    guardian=guardian,
                    channel=channel,
                    evidence=f"F-2 from {name_for(guardian)}",  # sealed under both
                    method="email",
                )
            )
        if member and self.profile.group_channel:
            self.record(ev.MemberAdmitted(on=on, member=guardian))

    @rule(data=st.data(), role=st.sampled_from(ROLES))
    def staff_joins(self, data: st.DataObject, role: str) -> None:
        """Someone joins with a role."""
        on = self.when(data)
        person = self.new_ref("S")
        if self.record(ev.PersonJoined(on=on, person=person, name=name_for(person), kind="staff")):
            self.persons.append(person)
            self.record(ev.RoleAssigned(on=on, person=person, role=role))  # type: ignore[arg-type]

    @precondition(lambda self: self.children)
    @rule(data=st.data())
    def link_guardian(self, data: st.DataObject) -> None:
        child = data.draw(st.sampled_from(self.children))
        existing = sorted(self.guardians)
        if existing and data.draw(st.booleans()):
            guardian = data.draw(st.sampled_from(existing))
        else:
            guardian = self.new_ref("G")
        event = ev.GuardianLinked(
            on=self.when(data), guardian=guardian, name=name_for(guardian), child=child
        )
        if self.record(event):
            self.guardians.setdefault(guardian, []).append(child)

    @precondition(lambda self: self.children)
    @rule(data=st.data())
    def child_leaves(self, data: st.DataObject) -> None:
        staying = [c for c in self.children if self.model.children[c].left is None]
        child = data.draw(st.sampled_from(staying or self.children))
        self.record(ev.ChildLeft(on=self.when(data), child=child))

    @rule(
        data=st.data(),
        kind=st.sampled_from(["staff", "volunteer", "student", "committee", "visitor"]),
    )
    def person_joins(self, data: st.DataObject, kind: str) -> None:
        person = self.new_ref("S")
        if self.record(
            ev.PersonJoined(on=self.when(data), person=person, name=name_for(person), kind=kind)
        ):  # type: ignore[arg-type]
            self.persons.append(person)

    @precondition(lambda self: self.persons)
    @rule(data=st.data())
    def person_leaves(self, data: st.DataObject) -> None:
        person = data.draw(st.sampled_from(self.persons))
        self.record(ev.PersonLeft(on=self.when(data), person=person))

    @precondition(lambda self: self.persons)
    @rule(data=st.data(), role=st.sampled_from(ROLES), assign=st.booleans())
    def role_changes(self, data: st.DataObject, role: str, assign: bool) -> None:
        person = data.draw(st.sampled_from(self.persons))
        cls = ev.RoleAssigned if assign else ev.RoleRevoked
        self.record(cls(on=self.when(data), person=person, role=role))  # type: ignore[arg-type]

    @rule(data=st.data())
    def device_registered(self, data: st.DataObject) -> None:
        device = self.new_ref("T")
        if self.record(ev.DeviceRegistered(on=self.when(data), device=device)):
            self.devices.append(device)

    @precondition(lambda self: self.devices)
    @rule(data=st.data())
    def device_retired(self, data: st.DataObject) -> None:
        device = data.draw(st.sampled_from(self.devices))
        self.record(ev.DeviceRetired(on=self.when(data), device=device))

    # -- consent and posts ---------------------------------------------------------------------

    @precondition(lambda self: self.guardians)
    @rule(data=st.data(), expires=st.sampled_from([None, None, 5, 60]))
    def consent_granted(self, data: st.DataObject, expires: int | None) -> None:
        guardian = data.draw(st.sampled_from(sorted(self.guardians)))
        child = data.draw(st.sampled_from(self.guardians[guardian]))
        on = self.when(data)
        until = on + dt.timedelta(days=expires) if expires is not None else None
        self.record(
            ev.ConsentGranted(
                on=on,
                child=child,
                guardian=guardian,
                channel=self.channel(data),
                evidence="F-1",
                method="paper",
                expires=until,
            )
        )

    @precondition(lambda self: self.model.consents)
    @rule(data=st.data())
    def consent_withdrawn(self, data: st.DataObject) -> None:
        """Withdraw a consent that was granted (by any of the child's guardians)."""
        child, channel = data.draw(st.sampled_from(sorted(self.model.consents))).split("|")
        guardian = data.draw(st.sampled_from(self.model.children[child].guardians))
        self.record(
            ev.ConsentWithdrawn(on=self.when(data), child=child, guardian=guardian, channel=channel)
        )

    def _author(self, data: st.DataObject) -> str | None:
        authors = self.persons + sorted(self.guardians)
        return data.draw(st.sampled_from(authors)) if authors else None

    @precondition(lambda self: self.persons or self.guardians)
    @rule(data=st.data())
    def post_checked_then_published(self, data: st.DataObject) -> None:
        """Ask ``check post`` first, then record the post and compare with the findings."""
        author = self._author(data)
        assert author is not None
        channel = self.channel(data)
        depicts = (
            data.draw(st.lists(st.sampled_from(self.children), unique=True, max_size=3))
            if self.children
            else []
        )
        device = data.draw(st.sampled_from([None, "personal-phone", *self.devices]))
        purpose = data.draw(st.sampled_from(PURPOSES), label="purpose")
        on = self.when(data)
        # `check post` reads only the entries the post is about: it must answer as the whole
        # registers would.
        question = PostQuestion(channel, author, depicts, device, on, purpose)
        partial = post_registers(self.ledger, question)
        answer, whole = (
            post_problems(
                registers,
                self.profile,
                channel=channel,
                author=author,
                depicts=depicts,
                device=device,
                day=on,
                purpose=purpose,
            )
            for registers in (partial, self.ledger.registers())
        )
        assert answer == whole, f"from the entries {answer}, from the registers {whole}"
        post = self.new_ref("P")
        event = ev.PostPublished(
            on=on,
            post=post,
            channel=channel,
            author=author,
            depicts=depicts,
            device=device,
            purpose=purpose,
        )
        if not self.record(event):
            return
        self.posts.append(post)
        found = {
            f.rule
            for f in reference_findings(self.events, self.profile, on)
            if f.subject == post and f.rule in POST_RULES
        }
        assert {r for r, _ in answer} == found, f"check post said {answer}, recording found {found}"

    @precondition(lambda self: self.posts and self.persons)
    @rule(
        data=st.data(),
        reason=st.sampled_from(
            ["negative-discussion", "inappropriate", "consent-withdrawn", "other"]
        ),
    )
    def post_removed(self, data: st.DataObject, reason: str) -> None:
        post = data.draw(st.sampled_from(self.posts))
        by = data.draw(st.sampled_from(self.persons))
        self.record(ev.PostRemoved(on=self.when(data), post=post, by=by, reason=reason))  # type: ignore[arg-type]

    @precondition(lambda self: self.posts and self.persons)
    @rule(data=st.data(), reason=st.sampled_from(["negative-discussion", "inappropriate"]))
    def post_removed_with_follow_up(self, data: st.DataObject, reason: str) -> None:
        """A negative post is taken down, and (maybe late) the poster contacted and referred."""
        live = [p for p in self.posts if self.model.posts[p].removed is None]
        if not live:
            return
        post = data.draw(st.sampled_from(live))
        by = data.draw(st.sampled_from(self.persons))
        on = self.when(data)
        if not self.record(ev.PostRemoved(on=on, post=post, by=by, reason=reason)):  # type: ignore[arg-type]
            return
        for step in data.draw(st.lists(st.sampled_from(["contact", "refer"]), max_size=2)):
            later = on + dt.timedelta(days=data.draw(st.sampled_from([0, 3, 9])))
            if step == "contact":
                self.record(ev.PosterContacted(on=later, post=post, by=by))
            else:
                self.record(ev.ReferredToManager(on=later, ref=post))

    @precondition(lambda self: self.posts and self.persons)
    @rule(data=st.data(), contact=st.booleans())
    def post_followed_up(self, data: st.DataObject, contact: bool) -> None:
        post = data.draw(st.sampled_from(self.posts))
        on = self.when(data)
        if contact:
            self.record(
                ev.PosterContacted(on=on, post=post, by=data.draw(st.sampled_from(self.persons)))
            )
        else:
            self.record(ev.ReferredToManager(on=on, ref=post))

    # -- the group -----------------------------------------------------------------------------

    @precondition(lambda self: self.persons or self.guardians)
    @rule(data=st.data(), admit=st.booleans())
    def membership(self, data: st.DataObject, admit: bool) -> None:
        member = self._author(data)
        assert member is not None
        on = self.when(data)
        if admit:
            # Admitted by someone (an invitation), or with nobody named, as before.
            by = data.draw(st.sampled_from([None, *self.persons]), label="admitted by")
            self.record(ev.MemberAdmitted(on=on, member=member, by=by))
        else:
            self.record(ev.MemberRemoved(on=on, member=member, reason="left"))

    @rule(data=st.data(), year=st.sampled_from([2025, 2026, 2027]), day=st.integers(10, 28))
    def term_dates(self, data: st.DataObject, year: int, day: int) -> None:
        self.record(
            ev.TermDatesRecorded(
                on=self.when(data), year=year, summer_holiday_starts=dt.date(year, 7, day)
            )
        )

    # -- friendships ---------------------------------------------------------------------------

    @precondition(lambda self: self.persons and self.guardians)
    @rule(data=st.data(), action=st.sampled_from(["report", "report", "grant", "end"]))
    def friendship(self, data: st.DataObject, action: str) -> None:
        person = data.draw(st.sampled_from(self.persons))
        guardian = data.draw(st.sampled_from(sorted(self.guardians)))
        on = self.when(data)
        if action == "report":
            self.record(ev.ConnectionReported(on=on, person=person, guardian=guardian))
        elif action == "grant":
            since = on - dt.timedelta(days=data.draw(st.sampled_from([0, 30, 400])))
            self.record(
                ev.FriendshipExceptionGranted(
                    on=on, person=person, guardian=guardian, since=since, approved_by=person
                )
            )
        else:
            self.record(ev.FriendshipExceptionEnded(on=on, person=person, guardian=guardian))

    # -- concerns and cases --------------------------------------------------------------------

    @rule(data=st.data(), category=st.sampled_from(CATEGORIES))
    def concern_raised(self, data: st.DataObject, category: str) -> None:
        """A concern, about nobody named, a person, a parent or a child, and maybe a post."""
        concern = self.new_ref("K")
        about = data.draw(
            st.sampled_from([None, *self.persons, *sorted(self.guardians), *self.children]),
            label="about",
        )
        post = data.draw(st.sampled_from([None, *self.posts]), label="post")
        event = ev.ConcernRaised(
            on=self.when(data),
            concern=concern,
            category=category,  # type: ignore[arg-type]
            about=about,
            post=post,
        )
        if self.record(event):
            self.concerns.append(concern)

    @precondition(lambda self: self.concerns)
    @rule(data=st.data())
    def concern_addressed(self, data: st.DataObject) -> None:
        concern = data.draw(st.sampled_from(self.concerns))
        self.record(ev.ConcernAddressed(on=self.when(data), concern=concern, action="Dealt with"))

    @precondition(lambda self: self.persons)
    @rule(data=st.data())
    def case_referred(self, data: st.DataObject) -> None:
        case = self.new_ref("D")
        person = data.draw(st.sampled_from(self.persons))
        if self.record(ev.DisciplinaryReferred(on=self.when(data), case=case, person=person)):
            self.cases.append(case)

    @precondition(lambda self: self.cases)
    @rule(data=st.data())
    def case_decided(self, data: st.DataObject) -> None:
        case = data.draw(st.sampled_from(self.cases))
        self.record(ev.DisciplinaryDecided(on=self.when(data), case=case, outcome="advice"))

    # -- policy, contact, acknowledgements -----------------------------------------------------

    @rule(data=st.data(), adopt=st.booleans())
    def policy(self, data: st.DataObject, adopt: bool) -> None:
        on = self.when(data)
        if adopt:
            self.record(ev.PolicyAdopted(on=on, version="1"))
        else:
            self.record(ev.PolicyReviewed(on=on, outcome="unchanged"))

    @precondition(lambda self: self.guardians)
    @rule(data=st.data(), method=st.sampled_from(METHODS))
    def contact_permitted(self, data: st.DataObject, method: str) -> None:
        guardian = data.draw(st.sampled_from(sorted(self.guardians)))
        child = data.draw(st.sampled_from(self.guardians[guardian]))
        self.record(
            ev.CommunicationPermitted(
                on=self.when(data), child=child, guardian=guardian, method=method
            )
        )

    @precondition(lambda self: self.children and self.persons)
    @rule(data=st.data(), method=st.sampled_from(METHODS))
    def child_contacted(self, data: st.DataObject, method: str) -> None:
        child = data.draw(st.sampled_from(self.children))
        by = data.draw(st.sampled_from(self.persons))
        device = data.draw(st.sampled_from([None, "own-phone", *self.devices]))
        self.record(
            ev.ChildContacted(on=self.when(data), child=child, by=by, method=method, device=device)
        )

    @precondition(lambda self: self.guardians and self.persons)
    @rule(data=st.data(), method=st.sampled_from(METHODS))
    def parent_contacted(self, data: st.DataObject, method: str) -> None:
        """A parent contacted by a member of the setting, by the setting's own way or not."""
        guardian = data.draw(st.sampled_from(sorted(self.guardians)))
        by = data.draw(st.sampled_from(self.persons))
        device = data.draw(st.sampled_from([None, "own-phone", *self.devices]))
        self.record(
            ev.ParentContacted(
                on=self.when(data), guardian=guardian, by=by, method=method, device=device
            )
        )

    @rule(data=st.data())
    def acknowledge(self, data: st.DataObject) -> None:
        current = fnd.evaluate(self.ledger.registers(), self.profile, self.day)
        if not current:
            return
        finding = data.draw(st.sampled_from(current))
        self.record(
            ev.FindingAcknowledged(
                on=self.when(data),
                rule=finding.rule,
                subject_ref=finding.subject,
                action="Noted",  # type: ignore[arg-type]
            )
        )

    # -- forgetting ----------------------------------------------------------------------------

    @precondition(lambda self: self.children or self.guardians or self.persons)
    @rule(data=st.data(), kind=st.sampled_from(["child", "guardian", "person"]))
    def forget(self, data: st.DataObject, kind: str) -> None:
        """Anyone is forgotten (a child, a parent, staff of any kind), as ``ledger forget``
        does it: the fact, then the key destroyed. Then the findings are unchanged, the tree
        and the key store verify, and no byte of the name is in the database file, its WAL, the
        key store, an export or (at a run's first forget) either site edition."""
        people = {
            "child": self.children,
            "guardian": sorted(self.guardians),
            "person": self.persons,
        }[kind]
        left = [p for p in people if p not in self.model.forgotten]
        if not left:
            return
        ref = data.draw(st.sampled_from(left), label="forget")
        before = fnd.evaluate(self.ledger.registers(), self.profile, self.day)
        event = ev.SubjectForgotten(on=self.when(data), subject_ref=ref)
        note(f"forget {ref}")
        try:
            self.ledger.record([event], self.signer, fixed_clock, forgetting=True)
        except Refused as refusal:
            raise AssertionError(f"forget {ref} was refused: {refusal}") from None
        self.ledger.keys.forget(ref)
        self._remember(event)
        self.forgotten.append(ref)
        after = fnd.evaluate(self.ledger.registers(), self.profile, self.day)
        assert after == before, f"the findings changed when {ref} was forgotten"
        verdict = self.ledger.verify(self.signer.verifier())
        assert verdict.ok, verdict.problem
        assert isinstance(self.ledger.mapper, EventMapper)
        problems = integrity.check_key_store(
            self.ledger.rows_of_types([*ev.NAME_FIELDS, ev.SubjectForgotten]),
            self.ledger.mapper.open_row,
            self.ledger.stream,
            self.ledger.keys,
            "ledger.keys",
        )
        assert not problems, problems
        exported = _exported(self.ledger, None, self.signer.verifier_key())
        for line in exported.splitlines():
            fact = msgspec.json.decode(line)
            if fact.get("type") == "ConsentGranted" and (
                fact["child"] in self.model.forgotten or fact["guardian"] in self.model.forgotten
            ):
                assert fact["evidence"] == FORGOTTEN, "free text outlived a forgotten person"
        (self.tmp / "export.jsonl").write_bytes(exported)
        if not self.site_built:
            self.site_built = True
            for audience in ("committee", "public"):
                build(
                    self.ledger,
                    self.tmp / f"site-{audience}",
                    audience=audience,
                    day=self.day,
                    verifier_key=self.signer.verifier_key(),
                )
        files = [p for p in self.tmp.rglob("*") if p.is_file()]
        assert any(p.name.endswith(".keys") for p in files)
        for gone in self.forgotten:
            name = name_for(gone)
            for path in files:
                data_ = path.read_bytes()
                for needle in (name.encode(), name.encode("utf-16-le")):
                    assert needle not in data_, f"{path.name} holds the name of {gone}"

    # -- invariants ----------------------------------------------------------------------------

    @invariant()
    def registers_agree(self) -> None:
        if not hasattr(self, "ledger"):
            return
        tracked = self.ledger.registers()
        rebuilt = reg.rebuild(self.ledger.facts())
        assert reg.to_bytes(tracked) == reg.to_bytes(self.model), "tracked registers differ"
        assert reg.to_bytes(rebuilt) == reg.to_bytes(self.model), "rebuilt registers differ"

    @invariant()
    def followed_site_numbers_equal_those_worked_out(self) -> None:
        """A follower run after each step keeps the site's numbers as of the current day:
        updated from those it saved at the step before (when the day has not turned), they
        equal the numbers worked out afresh (SQLite: the follower's code is the same on both
        stores, and the one-new-fact test runs it on PostgreSQL)."""
        if not hasattr(self, "ledger") or self.store_name != "sqlite":
            return
        follow_sqlite(self.ledger, once=True, today=lambda: self.day)
        saved = self.ledger.saved_site_data(self.day)
        assert saved is not None, "the follower saved no numbers at the head"
        assert saved == sitedata.compute(self.model, self.profile, self.day)

    @invariant()
    def findings_match_reference(self) -> None:
        if not hasattr(self, "ledger"):
            return
        for day in (self.day, self.day - dt.timedelta(days=23)):
            got = sorted(_key(f) for f in fnd.evaluate(self.model, self.profile, day))
            want = sorted(
                (r.rule, r.subject, r.since, r.status, r.resolved_on, r.acknowledged)
                for r in reference_findings(self.events, self.profile, day)
            )
            assert got == want

    @invariant()
    def as_of_uses_only_facts_dated_by_then(self) -> None:
        if not hasattr(self, "ledger"):
            return
        day = self.day - dt.timedelta(days=11)
        only_then = reg.Registers()
        for position, event in enumerate(self.events, start=1):
            if event.on <= day or position == 1:
                # A fact dated by then may name a subject introduced by a fact dated later (a
                # parent linked before the child's enrolment date): as of then, it is not there.
                with contextlib.suppress(KeyError):
                    reg.apply(only_then, event, position)
        assert fnd.evaluate(self.model, self.profile, day) == fnd.evaluate(
            only_then, self.profile, day
        )


class PostgresLedgerMachine(LedgerMachine):
    store_name = "postgres"


@pytest.mark.parametrize("store_name", STORES)
def test_ledger_machine(store_name: str) -> None:
    """The machine on each store; PostgreSQL's round trips cost more, so it runs half as many
    command sequences there (the same rules, refusals and invariants)."""
    examples = settings.default.max_examples * 4
    machine: type[LedgerMachine] = LedgerMachine
    if store_name == "postgres":
        postgres_base()  # skip, or fail in CI, before hypothesis starts
        machine, examples = PostgresLedgerMachine, examples // 2
    run_state_machine_as_test(
        machine,
        settings=settings(
            max_examples=examples,
            stateful_step_count=settings.default.stateful_step_count * 2,
        ),
    )
