"""A reference evaluator of the findings, written from ``site/rules.md`` alone.

It exists so that property-based tests can compare the real findings projection against an
independent reading of the rules. It is deliberately naive: for every day from the first fact to
the day judged it rebuilds the end-of-day state from scratch (every fact dated on or before that
day, same-day facts in record order), then decides for each rule and subject whether a finding
begins, continues or ends that day. Speed is not a goal; obviousness is.

The three shapes of rule (rules.md) become one daily step:

1. *begin*: a subject that triggers today gets a new episode, unless one is already open (a
   further contact or report while a finding is open belongs to it);
2. *remedy*: an open episode whose remedy holds at the end of today is resolved today (this may
   be the day it began);
3. *acknowledge*: ``FindingAcknowledged`` today resolves the episode still open for that rule
   and subject (so a same-day remedy wins). An acknowledged "is the case" finding stays resolved
   until the situation stops; if it starts again later, that is a new finding.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from ledger import events as ev
from ledger.events import RULES, Event
from ledger.profile import ANY_MEMBER, ANY_PERSON, GUARDIANS, Channel, Profile

ONE_DAY = dt.timedelta(days=1)

# "Something is the case": judged at the end of each day, on the closed group only.
CASE_RULES = frozenset({"ineligible-member", "leaver-not-removed", "too-few-admins"})
FOLLOW_UP_REASONS = frozenset({"negative-discussion", "inappropriate"})
# Concerns that ask for the post they name to come down, on the group (flagged-post-not-removed).
FLAGGING = frozenset({"critical-discussion", "inappropriate-comment"})
# Whose friendships a profile judges when it names no kinds (every kind but a visitor).
DEFAULT_FRIENDSHIP_KINDS = frozenset({"staff", "volunteer", "student", "committee"})
# The kinds of person whose posts the setting's devices bind (rules.md, non-setting-device).
SETTING_PEOPLE = frozenset({"staff", "volunteer", "student"})


@dataclass(frozen=True)
class RefFinding:
    rule: str
    subject: str
    since: dt.date
    status: str  # "open" or "resolved"
    resolved_on: dt.date | None
    acknowledged: bool  # resolved by FindingAcknowledged


@dataclass
class _Episode:
    rule: str
    subject: str
    since: dt.date
    resolved_on: dt.date | None = None
    acknowledged: bool = False


def add_months(day: dt.date, months: int) -> dt.date:
    """Calendar months later; a day past the end of the shorter month rolls back to its end."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


# --- the state at the end of one day -----------------------------------------------------------


class _State:
    """What the facts dated on or before ``day`` say, at the end of that day."""

    def __init__(self, known: Sequence[Event], day: dt.date, profile: Profile) -> None:
        self.day = day
        self.profile = profile
        self.first_day: dict[str, dt.date] = {}  # child -> ChildEnrolled day
        self.last_day: dict[str, dt.date] = {}  # child -> ChildLeft day (the earliest)
        self.children_of: dict[str, set[str]] = {}  # guardian -> linked children
        self.joined: set[str] = set()  # persons with a PersonJoined
        self.kind: dict[str, str] = {}  # person -> the kind they joined as
        self.invited: dict[str, bool] = {}  # member -> their latest admission named who invited
        self.person_last_day: dict[str, dt.date] = {}  # person -> PersonLeft day (the earliest)
        self.role: dict[tuple[str, str], bool] = {}  # (person, role) -> latest is an assignment
        self.registered: set[str] = set()
        self.retired: set[str] = set()
        self.consent: dict[tuple[str, str], ev.ConsentGranted | ev.ConsentWithdrawn] = {}
        self.member: dict[str, bool] = {}  # ref -> latest is an admission
        self.exception: dict[tuple[str, str], bool] = {}  # (person, guardian) -> latest is a grant
        self.summer: dict[int, dt.date] = {}  # year -> latest TermDatesRecorded
        self.permitted: set[tuple[str, str]] = set()  # (child, method)
        # The latest PolicyAdopted / PolicyReviewed day before today, once a policy was adopted
        # before today (today's own review or adoption is the remedy, judged separately).
        self.policy_adopted_before = False
        self.policy_basis_before: dt.date | None = None
        for e in known:
            assert e.on <= day
            if isinstance(e, ev.ChildEnrolled):
                self.first_day.setdefault(e.child, e.on)
            elif isinstance(e, ev.ChildLeft):
                self.last_day.setdefault(e.child, e.on)
            elif isinstance(e, ev.GuardianLinked):
                self.children_of.setdefault(e.guardian, set()).add(e.child)
            elif isinstance(e, ev.PersonJoined):
                self.joined.add(e.person)
                self.kind.setdefault(e.person, e.kind)
            elif isinstance(e, ev.PersonLeft):
                self.person_last_day.setdefault(e.person, e.on)
            elif isinstance(e, ev.RoleAssigned):
                self.role[(e.person, e.role)] = True
            elif isinstance(e, ev.RoleRevoked):
                self.role[(e.person, e.role)] = False
            elif isinstance(e, ev.DeviceRegistered):
                self.registered.add(e.device)
            elif isinstance(e, ev.DeviceRetired):
                self.retired.add(e.device)
            elif isinstance(e, ev.ConsentGranted | ev.ConsentWithdrawn):
                self.consent[(e.child, e.channel)] = e
            elif isinstance(e, ev.MemberAdmitted):
                self.member[e.member] = True
                self.invited[e.member] = e.by is not None
            elif isinstance(e, ev.MemberRemoved):
                self.member[e.member] = False
            elif isinstance(e, ev.FriendshipExceptionGranted):
                self.exception[(e.person, e.guardian)] = True
            elif isinstance(e, ev.FriendshipExceptionEnded):
                self.exception[(e.person, e.guardian)] = False
            elif isinstance(e, ev.TermDatesRecorded):
                self.summer[e.year] = e.summer_holiday_starts
            elif isinstance(e, ev.CommunicationPermitted):
                self.permitted.add((e.child, e.method))
            elif isinstance(e, ev.PolicyAdopted | ev.PolicyReviewed) and e.on < day:
                self.policy_adopted_before |= isinstance(e, ev.PolicyAdopted)
                self.policy_basis_before = e.on

    # children and guardians

    def enrolled(self, child: str) -> bool:
        started = child in self.first_day and self.first_day[child] <= self.day
        return started and not self.has_left(child)

    def has_left(self, child: str) -> bool:
        return child in self.last_day and self.last_day[child] < self.day

    def children(self, guardian: str) -> set[str]:
        """Linked children who have started: a child enrolled after the day is none yet."""
        return {c for c in self.children_of.get(guardian, set()) if c in self.first_day}

    def any_child_enrolled(self, guardian: str) -> bool:
        return any(self.enrolled(child) for child in self.children(guardian))

    def all_children_left(self, guardian: str) -> bool:
        kids = self.children(guardian)
        return bool(kids) and all(self.has_left(child) for child in kids)

    def summer_start(self, year: int) -> dt.date:
        return self.summer.get(year, self.profile.summer_holiday_start(year))

    def leaver_deadline(self, guardian: str) -> dt.date:
        last = max(self.last_day[child] for child in self.children(guardian))
        year = last.year
        while self.summer_start(year) < last:
            year += 1
        return self.summer_start(year) + dt.timedelta(days=self.profile.leaver_grace_days)

    # people, roles, devices, consent, the group, exceptions

    def current(self, person: str) -> bool:
        left = person in self.person_last_day and self.person_last_day[person] < self.day
        return person in self.joined and not left

    def holds(self, person: str, role: str) -> bool:
        return self.role.get((person, role), False) and self.current(person)

    def in_service(self, device: str | None) -> bool:
        return device is not None and device in self.registered and device not in self.retired

    def consent_active(self, child: str, channel: str) -> bool:
        latest = self.consent.get((child, channel))
        if not isinstance(latest, ev.ConsentGranted):
            return False
        return latest.expires is None or self.day <= latest.expires

    def is_member(self, ref: str) -> bool:
        return self.member.get(ref, False)

    def members(self) -> list[str]:
        return sorted(ref for ref, admitted in self.member.items() if admitted)

    def exception_active(self, person: str, guardian: str) -> bool:
        return self.exception.get((person, guardian), False)

    def may_post(self, author: str, channel: Channel) -> bool:
        if ANY_MEMBER in channel.posters and self.is_member(author):
            return True
        if ANY_PERSON in channel.posters and self.current(author):
            return True
        if GUARDIANS in channel.posters and self.any_child_enrolled(author):
            return True
        kinds = (ANY_MEMBER, ANY_PERSON, GUARDIANS)
        return any(self.holds(author, role) for role in channel.posters if role not in kinds)

    def may_post_for(self, post: ev.PostPublished, channel: Channel) -> bool:
        """A poster of the channel, and (where the channel limits its posters to some
        purposes) posting for one of them; no purpose stated is none of them."""
        if not self.may_post(post.author, channel):
            return False
        return not channel.poster_purposes or post.purpose in channel.poster_purposes

    def shows_others(self, post: ev.PostPublished) -> bool:
        """Whether the post shows a child not linked to its author (own-children)."""
        own = self.children_of.get(post.author, set())
        return any(child not in own for child in post.depicts)

    def binds(self, author: str) -> bool:
        """Whether the setting's devices bind the author: one of its own people (joined by
        today: only facts dated by today are known)."""
        return self.kind.get(author) in SETTING_PEOPLE


# --- facts that do not change from day to day ---------------------------------------------------


class _Facts:
    """Day-independent indexes over the facts dated on or before the day judged."""

    def __init__(self, facts: Sequence[Event]) -> None:
        self.posts: dict[str, ev.PostPublished] = {}  # the first publication of each post
        for e in facts:
            if isinstance(e, ev.PostPublished):
                self.posts.setdefault(e.post, e)
        self.removed_on: dict[str, dt.date] = {}  # earliest removal on or after publication
        self.follow_up_removal: dict[str, dt.date] = {}  # earliest removal for a follow-up reason
        self.contacted: dict[str, dt.date] = {}  # the earliest contact that counts (below)
        self.contacts: list[ev.PosterContacted] = []  # every contact, by day
        self.flagged: dict[str, dt.date] = {}  # post -> the earliest concern flagging it
        self.concerns: list[ev.ConcernRaised] = []
        self.referred: dict[str, dt.date] = {}
        self.raised: dict[str, dt.date] = {}
        self.addressed: dict[str, dt.date] = {}
        self.case_referred: dict[str, dt.date] = {}
        self.decided: dict[str, dt.date] = {}
        self.withdrawals: list[ev.ConsentWithdrawn] = []
        for e in facts:  # sorted by day, so setdefault keeps the earliest
            if isinstance(e, ev.PostRemoved):
                post = self.posts.get(e.post)
                if post is not None and e.on >= post.on:
                    self.removed_on.setdefault(e.post, e.on)
                if e.reason in FOLLOW_UP_REASONS:
                    self.follow_up_removal.setdefault(e.post, e.on)
            elif isinstance(e, ev.PosterContacted):
                self.contacts.append(e)
            elif isinstance(e, ev.ReferredToManager):
                self.referred.setdefault(e.ref, e.on)
            elif isinstance(e, ev.ConcernRaised):
                self.raised.setdefault(e.concern, e.on)
                self.concerns.append(e)
            elif isinstance(e, ev.ConcernAddressed):
                self.addressed.setdefault(e.concern, e.on)
            elif isinstance(e, ev.DisciplinaryReferred):
                self.case_referred.setdefault(e.case, e.on)
            elif isinstance(e, ev.DisciplinaryDecided):
                self.decided.setdefault(e.case, e.on)
            elif isinstance(e, ev.ConsentWithdrawn):
                self.withdrawals.append(e)

    def count_contacts(self, state: _State, profile: Profile) -> None:
        """Note today's contacts with posters that count as a removal's follow-up: where the
        post's channel names moderators, only one by someone holding a moderator's role at the
        end of the contact's day ("contacted directly by an administrator")."""
        for e in self.contacts:
            if e.on != state.day:
                continue
            post = self.posts.get(e.post)
            channel = profile.channels.get(post.channel) if post is not None else None
            moderators = channel.moderators if channel is not None else []
            if not moderators or any(state.holds(e.by, role) for role in moderators):
                self.contacted.setdefault(e.post, e.on)

    def flag(self, profile: Profile) -> None:
        """The posts concerns ask to come down: a flagging category, a post on the group."""
        for e in self.concerns:
            post = self.posts.get(e.post) if e.post is not None else None
            channel = profile.channels.get(post.channel) if post is not None else None
            if e.category in FLAGGING and channel is not None and channel.group:
                assert e.post is not None
                self.flagged.setdefault(e.post, e.on)

    def removed_by(self, post: str, day: dt.date) -> bool:
        return post in self.removed_on and self.removed_on[post] <= day

    def takedown_deadline(self, post: ev.PostPublished, takedown_days: int) -> dt.date | None:
        """The earliest withdrawal after publication touching the post, plus the limit."""
        days = [
            w.on
            for w in self.withdrawals
            if w.channel == post.channel and w.child in post.depicts and w.on > post.on
        ]
        return min(days) + dt.timedelta(days=takedown_days) if days else None


def _on_or_before(table: dict[str, dt.date], key: str, day: dt.date) -> bool:
    return key in table and table[key] <= day


# --- the rules ---------------------------------------------------------------------------------


def _triggers(
    rule: str, state: _State, facts: _Facts, today: Sequence[Event], profile: Profile
) -> set[str]:
    """Subjects for which a finding of a "happened" or "not in time" rule begins today."""
    d = state.day
    out: set[str] = set()
    published_today = [p for p in facts.posts.values() if p.on == d]
    if rule == "consent-missing":
        for p in published_today:
            channel = profile.channels.get(p.channel)
            unconsented = [c for c in p.depicts if not state.consent_active(c, p.channel)]
            if channel is not None and channel.child_images == "consent" and unconsented:
                out.add(p.post)
    elif rule == "child-image-forbidden":
        for p in published_today:
            channel = profile.channels.get(p.channel)
            if channel is not None and channel.child_images == "never" and p.depicts:
                out.add(p.post)
            own_only = channel is not None and channel.child_images == "own-children"
            if own_only and state.shows_others(p):
                out.add(p.post)
    elif rule == "unauthorised-poster":
        for p in published_today:
            channel = profile.channels.get(p.channel)
            if channel is not None and not state.may_post_for(p, channel):
                out.add(p.post)
    elif rule == "purpose-not-allowed":
        for p in published_today:
            channel = profile.channels.get(p.channel)
            if channel is not None and channel.purposes and p.purpose not in channel.purposes:
                out.add(p.post)
    elif rule == "non-setting-device":
        if profile.require_setting_device:
            for p in published_today:
                if p.depicts and state.binds(p.author) and not state.in_service(p.device):
                    out.add(p.post)
        if profile.contacts_need_setting_device:
            for e in today:
                if isinstance(e, ev.ChildContacted) and not state.in_service(e.device):
                    out.add(e.child)
    elif rule == "withdrawn-consent-post-live":
        for p in facts.posts.values():
            deadline = facts.takedown_deadline(p, profile.takedown_days)
            if deadline is None or d != deadline + ONE_DAY:
                continue
            if not facts.removed_by(p.post, deadline):  # still live at the end of the deadline
                out.add(p.post)
    elif rule == "removal-follow-up-overdue":
        for post, removed in facts.follow_up_removal.items():
            limit = removed + dt.timedelta(days=profile.follow_up_days)
            if d == limit + ONE_DAY:
                contacted = _on_or_before(facts.contacted, post, limit)
                referred = _on_or_before(facts.referred, post, limit)
                if not (contacted and referred):
                    out.add(post)
    elif rule == "concern-unaddressed":
        for concern, raised in facts.raised.items():
            limit = raised + dt.timedelta(days=profile.concern_response_days)
            if d == limit + ONE_DAY and not _on_or_before(facts.addressed, concern, limit):
                out.add(concern)
    elif rule == "referral-undecided":
        for case, referred in facts.case_referred.items():
            limit = referred + dt.timedelta(days=profile.decision_days)
            if d == limit + ONE_DAY and not _on_or_before(facts.decided, case, limit):
                out.add(case)
    elif rule == "policy-review-overdue":
        # Due within the interval after the basis; a review on the day after the deadline
        # still gives a finding (begun and resolved that day), as for every "not in time" rule.
        if state.policy_adopted_before and state.policy_basis_before is not None:
            deadline = add_months(state.policy_basis_before, profile.review_interval_months)
            if d == deadline + ONE_DAY:
                out.add("policy")
    elif rule == "contact-without-permission":
        for e in today:
            if isinstance(e, ev.ChildContacted) and (e.child, e.method) not in state.permitted:
                out.add(e.child)
    elif rule == "unofficial-contact":
        # A parent or a child (as the profile judges) contacted by a method that is not one
        # of the setting's own: a finding about the pair PERSON/GUARDIAN or PERSON/CHILD.
        official = set(profile.official_contact_methods)
        judged = profile.contacts_judged
        for e in today:
            if isinstance(e, ev.ParentContacted) and "parents" in judged:
                whom = e.guardian
            elif isinstance(e, ev.ChildContacted) and "children" in judged:
                whom = e.child
            else:
                continue
            if e.method not in official:
                out.add(f"{e.by}/{whom}")
    elif rule == "connection-without-exception":
        kinds = _friendship_kinds(profile)
        for e in today:
            if not isinstance(e, ev.ConnectionReported):
                continue
            if state.kind.get(e.person) not in kinds or not state.current(e.person):
                continue  # not a kind the policy names, or not serving that day
            enrolled = state.any_child_enrolled(e.guardian)
            if enrolled and not state.exception_active(e.person, e.guardian):
                out.add(f"{e.person}/{e.guardian}")
    elif rule == "flagged-post-not-removed":
        for post, raised in facts.flagged.items():
            limit = raised + dt.timedelta(days=profile.removal_days)
            if d == limit + ONE_DAY and not facts.removed_by(post, limit):
                out.add(post)
    else:  # pragma: no cover - every rule is handled
        raise AssertionError(rule)
    return out


def _remedied(
    rule: str, subject: str, state: _State, facts: _Facts, today: Sequence[Event]
) -> bool:
    """Whether, at the end of today, the remedy of an open finding has been recorded."""
    d = state.day
    if rule in {
        "consent-missing",
        "child-image-forbidden",
        "unauthorised-poster",
        "purpose-not-allowed",
        "withdrawn-consent-post-live",
        "flagged-post-not-removed",
    }:
        return facts.removed_by(subject, d)
    if rule == "non-setting-device":
        # A post is remedied by its removal; a child (a contact) only by acknowledgement.
        return subject.startswith("P-") and facts.removed_by(subject, d)
    if rule == "removal-follow-up-overdue":
        contacted = _on_or_before(facts.contacted, subject, d)
        referred = _on_or_before(facts.referred, subject, d)
        return contacted and referred
    if rule == "concern-unaddressed":
        return _on_or_before(facts.addressed, subject, d)
    if rule == "referral-undecided":
        return _on_or_before(facts.decided, subject, d)
    if rule == "policy-review-overdue":
        return any(isinstance(e, ev.PolicyAdopted | ev.PolicyReviewed) for e in today)
    if rule in ("contact-without-permission", "unofficial-contact"):
        return False  # only an acknowledgement resolves it
    if rule == "connection-without-exception":
        person, guardian = subject.split("/")
        # ... or the person having left the setting: the policy binds them no longer.
        return (
            state.exception_active(person, guardian)
            or state.all_children_left(guardian)
            or not state.current(person)
        )
    raise AssertionError(rule)  # pragma: no cover


def _case_holds(rule: str, state: _State, profile: Profile) -> set[str]:
    """Subjects for which an "is the case" rule holds at the end of the day."""
    group = profile.group_channel
    assert group is not None
    channel = profile.channels[group]
    members = state.members()
    if rule == "ineligible-member":
        out = set()
        for m in members:
            if channel.invited_members and state.invited.get(m, False):
                continue  # admitted on an invitation (Stepping Stones Nursery, line 19)
            if m.startswith("S-"):
                kinds = channel.member_kinds
                if not state.current(m) or (kinds is not None and state.kind[m] not in kinds):
                    out.add(m)
            elif not state.any_child_enrolled(m) and not state.all_children_left(m):
                out.add(m)
        return out
    if rule == "leaver-not-removed":
        return {
            m
            for m in members
            if m.startswith("G-")
            and state.all_children_left(m)
            and state.day > state.leaver_deadline(m)
        }
    if rule == "too-few-admins":
        admins = {
            person
            for (person, role) in state.role
            if role == "group-admin" and state.holds(person, role)
        }
        if members and len(admins) < profile.min_group_admins:
            return {group}
        return set()
    raise AssertionError(rule)  # pragma: no cover


def _friendship_kinds(profile: Profile) -> frozenset[str]:
    rule = profile.rules.get("connection-without-exception")
    if rule is None or rule.friendship_kinds is None:
        return DEFAULT_FRIENDSHIP_KINDS
    return frozenset(rule.friendship_kinds)


# --- the simulation ----------------------------------------------------------------------------


def reference_findings(
    events: Sequence[Event], profile: Profile, as_of: dt.date
) -> list[RefFinding]:
    """Every finding as of ``as_of``: events are in record order (position 1, 2, ...)."""
    # Only facts dated on or before the day judged; by day, then record order (a stable sort).
    facts_list = sorted((e for e in events if e.on <= as_of), key=lambda e: e.on)
    if not facts_list:
        return []
    facts = _Facts(facts_list)
    episodes: list[_Episode] = []
    open_: dict[tuple[str, str], _Episode] = {}
    acked_case: set[tuple[str, str]] = set()  # acknowledged "is the case" while it lasts
    rules = [
        rule
        for rule in RULES
        if profile.is_on(rule) and (rule not in CASE_RULES or profile.group_channel is not None)
    ]

    facts.flag(profile)
    day = facts_list[0].on
    while day <= as_of:
        known = [e for e in facts_list if e.on <= day]
        today = [e for e in known if e.on == day]
        state = _State(known, day, profile)
        facts.count_contacts(state, profile)
        for rule in rules:
            if rule in CASE_RULES:
                holds = _case_holds(rule, state, profile)
                # The situation stopped: an acknowledged episode may start afresh later.
                acked_case -= {(r, s) for (r, s) in acked_case if r == rule and s not in holds}
                triggers = {s for s in holds if (rule, s) not in acked_case}
            else:
                triggers = _triggers(rule, state, facts, today, profile)
            for subject in sorted(triggers):
                if (rule, subject) not in open_:
                    episode = _Episode(rule, subject, day)
                    episodes.append(episode)
                    open_[(rule, subject)] = episode
            for (r, subject), episode in list(open_.items()):
                if r != rule:
                    continue
                if rule in CASE_RULES:
                    remedied = subject not in holds
                else:
                    remedied = _remedied(rule, subject, state, facts, today)
                if remedied:
                    episode.resolved_on = day
                    del open_[(r, subject)]
        for e in today:
            if isinstance(e, ev.FindingAcknowledged):
                episode = open_.pop((e.rule, e.subject_ref), None)
                if episode is not None:
                    episode.resolved_on = day
                    episode.acknowledged = True
                    if e.rule in CASE_RULES:
                        acked_case.add((e.rule, e.subject_ref))
        day += ONE_DAY

    findings = [
        RefFinding(
            rule=ep.rule,
            subject=ep.subject,
            since=ep.since,
            status="open" if ep.resolved_on is None else "resolved",
            resolved_on=ep.resolved_on,
            acknowledged=ep.acknowledged,
        )
        for ep in episodes
    ]
    return sorted(findings, key=lambda f: (f.since, f.rule, f.subject))
