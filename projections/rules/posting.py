"""Rules about posts: consent, images, who may post, which device, takedowns, follow-ups.

Seed lines (in ``../shared/seeds``):
- Stepping Stones Nursery, line 17: prior written permission from parents before any image of a
  child is posted; line 18: only the designated person or management post on the page.
- South Woodham, line 124: parents give permission before photos are used; line 56: staff
  never put images of children on social media themselves; line 74: photos only on the
  pre-school's tablets; lines 128-130: negative or inappropriate content removed, the poster
  contacted and the issue passed to the manager.
- West Wycombe, line 9: no photos of pupils uploaded; line 12: who manages the page, "purely
  for advertising and promoting" (``purpose-not-allowed``); line 10: personal pages only "for
  positive advertising" (posters for a purpose).
- South Woodham, line 100: parents' photographs "should only be of their child"
  (``own-children``); Stepping Stones Nursery, line 48: none "with other children in them".

Who the setting's devices bind (``require_setting_device``, DESIGN.md section 5): posts by the
setting's own people, persons of kind staff, volunteer or student. South Woodham line 74 ("do
not take any photographs of pre-school children on your own phone ... only ... the tablets that
belong to pre-school") stands under "Social Media and Staff/Volunteers/Students" and speaks to
those "volunteering/work experience" (line 71) and "employees" (line 56); it is not addressed to
guardians, whom line 100 lets photograph their own child at events. Committee members are not
bound: the seed never tells the committee how to take photographs, and a committee member at an
event is there as a parent or trustee, not at work. Visitors are not bound either: like parents
they come with their own phones (Stepping Stones Nursery line 42 speaks to "parents and
visitors" together) and the seeds give them no setting device to use.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_right
from collections.abc import Callable
from functools import partial
from typing import NamedTuple

from ledger.profile import ANY_MEMBER, ANY_PERSON, GUARDIANS, Profile
from projections import status, wording
from projections.calendar import ONE_DAY, add_days
from projections.episodes import Episode, runs
from projections.registers import Mark, Post, Registers, key

REMOVED = "PostRemoved"
# The kinds of person the setting's devices bind (see the module's docstring).
SETTING_PEOPLE = frozenset({"staff", "volunteer", "student"})


class ChannelRules(NamedTuple):
    """What the profile asks of posts on one channel, looked up once rather than per post."""

    channel: str
    posters: list[str]
    members_post: bool  # the posters are exactly "any-member" (the closed group)
    no_child_images: bool  # the channel never allows images of children
    image_rule: bool  # child-image-forbidden is on
    consent_rule: bool  # consent-missing is on
    poster_rule: bool  # unauthorised-poster is on
    device_rule: bool  # non-setting-device is on and the profile requires setting devices
    own_children: bool = False  # a guardian may show their own children, nobody else any
    purposes: tuple[str, ...] = ()  # what the channel is for (empty: anything)
    purpose_rule: bool = False  # purpose-not-allowed is on and the channel lists purposes
    poster_purposes: tuple[str, ...] = ()  # the posters may post only for these (empty: any)

    @classmethod
    def of(cls, profile: Profile, channel: str) -> ChannelRules:
        chan = profile.channels[channel]
        return cls(
            channel,
            list(chan.posters),
            list(chan.posters) == [ANY_MEMBER],
            chan.child_images == "never",
            profile.is_on("child-image-forbidden"),
            profile.is_on("consent-missing"),
            profile.is_on("unauthorised-poster"),
            profile.is_on("non-setting-device") and profile.require_setting_device,
            chan.child_images == "own-children",
            tuple(chan.purposes),
            profile.is_on("purpose-not-allowed") and bool(chan.purposes),
            tuple(chan.poster_purposes),
        )


def stated(purpose: str | None) -> str:
    """A post's purpose in a finding's words."""
    return "states no purpose" if purpose is None else f"is for {purpose}"


class TurnsBy(dict[str, list[dt.date]]):
    """Turns (``status``) of one question by child, person or device, each worked out from
    the registers the first time it is asked for: judging one post works out only what that
    post needs, judging every post works out each once."""

    def __init__(self, work_out: Callable[[str], list[dt.date]]) -> None:
        super().__init__()
        self.work_out = work_out

    def __missing__(self, ref: str) -> list[dt.date]:
        turns = self[ref] = self.work_out(ref)
        return turns


EVERY_POST_FROM = 100  # posts from which every history is worked out at once (``PostJudge``)


class PostJudge:
    """Judges posts against the profile, with the registers' histories turned into turns.

    A history's turns (``status.consent_turns`` and the like) answer "on this day?" with one
    bisection of dates. Judging every post of a ledger asks about a million (child, channel,
    day) consents and half a million (author, day) memberships, so each history's turns are
    worked out once for all of them, and found by channel, then child or author (no
    ``child|channel`` key to build per question). ``bisect_right(turns, day) % 2`` below is
    ``status.active_in`` written out, as it runs a million times.
    """

    def __init__(self, r: Registers, profile: Profile, *, every_post: bool = False) -> None:
        self.r = r
        self.devices = TurnsBy(self._service_turns)
        members = TurnsBy(lambda ref: status.opened_turns(r.members.get(ref, [])))
        # By channel: its rules, its consents by child, and who may post on it by author (the
        # closed group's members from their membership).
        self.channels: dict[str, tuple[ChannelRules, TurnsBy, TurnsBy]] = {}
        for name in profile.channels:
            rules = ChannelRules.of(profile, name)
            consents = TurnsBy(partial(self._consent_turns, name))
            posters = members if rules.members_post else TurnsBy(partial(self._poster_turns, rules))
            self.channels[name] = (rules, consents, posters)
        if every_post:  # nearly every history will be asked about: one pass over each section
            for k, history in r.consents.items():
                child, _, channel = k.rpartition("|")
                if channel in self.channels:
                    self.channels[channel][1][child] = status.consent_turns(history)
            members.update((ref, status.opened_turns(h)) for ref, h in r.members.items())

    def problems(
        self,
        channel: str,
        author: str,
        depicts: list[str],
        device: str | None,
        day: dt.date,
        purpose: str | None = None,
    ) -> list[tuple[str, str]]:
        """What is wrong with a post on that day: (rule, detail) pairs, empty if nothing."""
        rules, consents, posters = self.channels[channel]
        problems: list[tuple[str, str]] = []
        if depicts and rules.no_child_images:
            # South Woodham line 56, West Wycombe line 9: no images of children here at all.
            if rules.image_rule:
                problems.append(
                    (
                        "child-image-forbidden",
                        f"{channel} never allows images of children; the post depicts"
                        f" {wording.count(len(depicts), 'child')}: {', '.join(depicts)}",
                    )
                )
        elif depicts and rules.own_children:
            # South Woodham line 100: a parent's photographs "should only be of their child".
            own = self._own_children(author, day)
            others = [child for child in depicts if child not in own]
            if others and rules.image_rule:
                problems.append(
                    (
                        "child-image-forbidden",
                        f"{channel} allows a guardian's own children only; the post depicts"
                        f" {wording.count(len(others), 'child')} not the author's own:"
                        f" {', '.join(others)}",
                    )
                )
        elif depicts and rules.consent_rule:
            # Stepping Stones Nursery line 17, South Woodham line 124: permission first.
            missing: list[str] = []
            for child in depicts:
                if not bisect_right(consents[child], day) % 2:
                    missing.append(child)
            if missing:
                problems.append(
                    (
                        "consent-missing",
                        f"no active consent for {channel} on {day.isoformat()} for"
                        f" {', '.join(missing)}",
                    )
                )
        # Stepping Stones Nursery line 18, West Wycombe line 12: who may post on the page; West
        # Wycombe line 10: on a personal page, only for positive advertising.
        if rules.poster_rule:
            if not bisect_right(posters[author], day) % 2:
                allowed = ", ".join(rules.posters) if rules.posters else "nobody"
                problems.append(
                    (
                        "unauthorised-poster",
                        f"{author} held none of the posting roles for {channel} ({allowed})"
                        f" on {day.isoformat()}",
                    )
                )
            elif rules.poster_purposes and purpose not in rules.poster_purposes:
                problems.append(
                    (
                        "unauthorised-poster",
                        f"{channel} allows posts only for {', '.join(rules.poster_purposes)};"
                        f" the post {stated(purpose)}",
                    )
                )
        # West Wycombe line 12: the page is "purely for advertising and promoting".
        if rules.purpose_rule and purpose not in rules.purposes:
            problems.append(
                (
                    "purpose-not-allowed",
                    f"{channel} is only for {', '.join(rules.purposes)};"
                    f" the post {stated(purpose)}",
                )
            )
        # South Woodham line 74: photos only on the pre-school's own devices, for its own people.
        if (
            depicts
            and rules.device_rule
            and self._setting_person(author, day)
            and not bisect_right(self.devices[device or ""], day) % 2
        ):
            why = "names no device" if device is None else "was not taken on a setting device"
            problems.append(("non-setting-device", f"a post depicting children {why}"))
        return problems

    def _own_children(self, guardian: str, day: dt.date) -> set[str]:
        """The children linked to the guardian on or before the day."""
        return {link.child for link in self.r.guardians.get(guardian, ()) if link.on <= day}

    def _setting_person(self, author: str, day: dt.date) -> bool:
        """Whether the author is one of the setting's own people, whom its devices bind: of
        one of those kinds and joined by the day (a photo taken at work binds them after they
        leave too; before they joined they were not yet the setting's)."""
        person = self.r.persons.get(author)
        return person is not None and person.kind in SETTING_PEOPLE and person.joined <= day

    def _consent_turns(self, channel: str, child: str) -> list[dt.date]:
        return status.consent_turns(self.r.consents.get(key(child, channel), []))

    def _service_turns(self, device: str) -> list[dt.date]:
        found = self.r.devices.get(device)
        return status.service_turns(found) if found is not None else []

    def _poster_turns(self, rules: ChannelRules, author: str) -> list[dt.date]:
        """The turns of ``may_post`` for the author on the channel, judged on every day on
        which it can change: the days of the author's membership, of their roles, of their
        joining and the day after their leaving, and (for ``guardians``) of their links and
        their children's first days and the days after their last."""
        r = self.r
        days = [m.on for m in r.members.get(author, ())]
        for role in rules.posters:
            days.extend(m.on for m in r.roles.get(key(author, role), ()))
        person = r.persons.get(author)
        if person is not None:
            days.append(person.joined)
            if person.left is not None:
                days.append(person.left + ONE_DAY)
        if GUARDIANS in rules.posters:
            for link in r.guardians.get(author, ()):
                days.append(link.on)
                child = r.children.get(link.child)
                if child is not None:
                    days.append(child.start)
                    if child.left is not None:
                        days.append(child.left + ONE_DAY)

        def may_post_on(day: dt.date) -> bool:
            return may_post(r, rules.posters, author, day)

        return [day for run in runs(days, may_post_on) for day in run if day is not None]


def may_post(r: Registers, posters: list[str], author: str, day: dt.date) -> bool:
    """Whether the author was one of the channel's posters on that day: a role they held, a
    current group member (``any-member``), a current member of the setting (``any-person``), or
    a guardian of a child enrolled that day (``guardians``)."""
    if ANY_PERSON in posters and status.current(r, author, day):
        return True
    if GUARDIANS in posters:
        for link in r.guardians.get(author, ()):
            if link.on <= day and status.enrolled(r, link.child, day):
                return True
    return status.may_post(r, posters, author, day)


def post_problems(
    r: Registers,
    profile: Profile,
    *,
    channel: str,
    author: str,
    depicts: list[str],
    device: str | None,
    day: dt.date,
    purpose: str | None = None,
) -> list[tuple[str, str]]:
    """What is wrong with this post on that day: (rule, detail) pairs, empty if nothing.

    Used both to judge recorded posts and by ``ledger check post`` before anything is posted,
    so the answer to "may I post this?" is exactly what recording it would find: both ask a
    ``PostJudge`` (here over the few entries ``check post`` loads).
    """
    return PostJudge(r, profile).problems(channel, author, depicts, device, day, purpose)


def published_posts(r: Registers, profile: Profile) -> list[Episode]:
    """consent-missing, child-image-forbidden, unauthorised-poster, purpose-not-allowed and
    non-setting-device (for posts): each begins on the post's day and is resolved by its
    removal."""
    # A few posts (those a fact just recorded can bear on, ``ledger.warnings``): only their
    # histories are worked out, not every consent's and membership's of the ledger.
    judge = PostJudge(r, profile, every_post=len(r.posts) > EVERY_POST_FROM)
    out: list[Episode] = []
    for ref, post in r.posts.items():
        problems = judge.problems(
            post.channel, post.author, post.depicts, post.device, post.on, post.purpose
        )
        for rule, detail in problems:
            resolution = REMOVED if post.removed is not None else None
            out.append(Episode(rule, ref, post.on, detail, post.removed, resolution))
    return out


def withdrawn_consent_post_live(r: Registers, profile: Profile) -> list[Episode]:
    """A post still up past the takedown limit after consent for a child in it was withdrawn."""
    limit = profile.takedown_days
    # The days consent was withdrawn, by channel, then child, to test posts against.
    withdrawals: dict[str, dict[str, list[dt.date]]] = {}
    for k, history in r.consents.items():
        days = [m.on for m in history if not m.granted]
        if days:
            child, _, channel = k.rpartition("|")
            withdrawals.setdefault(channel, {})[child] = days
    touched = {child for by_child in withdrawals.values() for child in by_child}
    out: list[Episode] = []
    for ref, post in r.posts.items():
        if touched.isdisjoint(post.depicts):
            continue  # (most posts) nobody in it ever had consent withdrawn
        withdrawn_on = withdrawals.get(post.channel, {})
        first: tuple[dt.date, str] | None = None
        for child in post.depicts:
            for w in withdrawn_on.get(child, ()):
                if w > post.on and (post.removed is None or post.removed > w):
                    if first is None or w < first[0]:
                        first = (w, child)
                    break
        if first is None:
            continue
        withdrawn, child = first
        deadline = add_days(withdrawn, limit)
        if post.removed is not None and post.removed <= deadline:
            continue
        out.append(
            Episode(
                "withdrawn-consent-post-live",
                ref,
                add_days(deadline, 1),
                f"consent for {child} on {post.channel} was withdrawn on {withdrawn.isoformat()};"
                f" the post was not taken down within {wording.count(limit, 'day')}",
                post.removed,
                REMOVED if post.removed else None,
            )
        )
    return out


def _follow_up_complete(post: Post, by: dt.date, contacted: tuple[Mark, ...]) -> bool:
    return any(m.on <= by for m in contacted) and any(m.on <= by for m in post.referred)


def removal_follow_up_overdue(r: Registers, profile: Profile) -> list[Episode]:
    """A removal of negative or inappropriate content not followed up in time (South Woodham,
    line 128: the poster contacted by an administrator and the issue passed to the manager).
    Where the post's channel names moderators, only a contact by one of them counts."""
    limit = profile.follow_up_days
    out: list[Episode] = []
    for ref, post in r.posts.items():
        deadline = follow_up_due(post, profile)
        if post.removed is None or deadline is None:
            continue
        contacted = contacts_counted(r, profile, post)
        if _follow_up_complete(post, deadline, contacted):
            continue
        end = None
        resolution = None
        if contacted and post.referred:
            # The later of the two (by day, then by the order they were recorded) resolves it.
            first_contact, referred = contacted[0], post.referred[0]
            later = max(first_contact, referred)
            end = later.on
            resolution = "PosterContacted" if later is first_contact else "ReferredToManager"
        steps = (("contact with the poster", contacted), ("referral", post.referred))
        missing = [what for what, marks in steps if not any(m.on <= deadline for m in marks)]
        moderators = _moderators(profile, post)
        if moderators and post.contacted and missing[0] == "contact with the poster":
            missing[0] = f"contact with the poster by a {' or '.join(moderators)}"
        out.append(
            Episode(
                "removal-follow-up-overdue",
                ref,
                add_days(deadline, 1),
                f"removed on {post.removed.isoformat()} ({post.reason});"
                f" within {wording.count(limit, 'day')}"
                f" there was no {' and no '.join(missing)}",
                end,
                resolution,
            )
        )
    return out


def _moderators(profile: Profile, post: Post) -> list[str]:
    channel = profile.channels.get(post.channel)
    return list(channel.moderators) if channel is not None else []


def contacts_counted(r: Registers, profile: Profile, post: Post) -> tuple[Mark, ...]:
    """The contacts with a removed post's poster that count as its follow-up, in order: where
    the post's channel names moderators (South Woodham, line 128: "contacted directly by an
    administrator"), only those made by someone holding one of their roles that day; else all.
    """
    moderators = _moderators(profile, post)
    if not moderators:
        return post.contacted
    return tuple(
        Mark(m.on, m.pos)
        for m in post.contacted_by
        if any(status.holds_role(r, m.by, role, m.on) for role in moderators)
    )


# --- what the site's numbers read (``projections.report``): the follow-up, decided here once ----

FOLLOW_UP_REASONS = ("negative-discussion", "inappropriate")  # removals that need a follow-up


def follow_up_due(post: Post, profile: Profile) -> dt.date | None:
    """The last day to follow up the post's removal (the poster contacted and the issue passed
    to the manager, South Woodham line 128); None when it was not removed, or was removed for a
    reason that needs no follow-up."""
    if post.removed is None or post.reason not in FOLLOW_UP_REASONS:
        return None
    return add_days(post.removed, profile.follow_up_days)


def follow_up_complete(r: Registers, profile: Profile, post: Post, by: dt.date) -> bool:
    """Whether both steps of the follow-up were done on or before ``by`` (the contact by a
    moderator, where the channel names them: ``contacts_counted``)."""
    return _follow_up_complete(post, by, contacts_counted(r, profile, post))
