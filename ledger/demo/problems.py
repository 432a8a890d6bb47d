"""The problems planted in an invented history, so that the findings have something to show:
a late policy review, a photo of a child without consent, a late takedown, a leaver left in
the group, ... Each adapts to the profile (a rule it turns off is never planted) and to the
length of the history; ``planted`` lists them in words.
"""

from __future__ import annotations

import datetime as dt
import functools
from typing import Final

from ledger.demo.calendar import ONE, add_months, last_day, summer_start
from ledger.demo.families import Families
from ledger.demo.words import HEATED
from ledger.events import (
    ChildContacted,
    ConnectionReported,
    FindingAcknowledged,
    PolicyReviewed,
    ReviewOutcome,
    RuleName,
)
from ledger.profile import PERSONAL_ACCOUNT

# Problems planted in a demo at a fraction of the way through the history.
_PLANTS_AT: Final[tuple[tuple[str, float], ...]] = (
    ("late-concern", 0.18),
    ("photo-removed", 0.30),
    ("unauthorised-acknowledged", 0.38),
    ("contact-device-acknowledged", 0.42),
    ("late-follow-up", 0.47),
    ("connection-acknowledged", 0.50),
    ("too-few-admins", 0.53),
    ("late-takedown", 0.58),
    ("personal-account", 0.63),
    ("personal-phone", 0.68),
    ("contact-unpermitted", 0.85),
)


class Problems(Families):
    """Adds the planted problems and the policy's reviews."""

    def _plan_reviews(self) -> None:
        """Reviews in good time, except the last one due by ``end``, which slips."""
        if not self._on("policy-review-overdue"):
            return
        months, rng = self.p.review_interval_months, self.rng
        on_time: list[tuple[dt.date, dt.date]] = []  # (due, reviewed)
        last = self.start
        while (due := add_months(last, months)) <= self.end:
            last = max(last + ONE, due - dt.timedelta(days=rng.randint(5, 40)))
            on_time.append((due, last))
        slipping = [
            i for i, (due, _) in enumerate(on_time) if due + dt.timedelta(days=5) <= self.end
        ]
        if not slipping:
            return
        index = slipping[-1]
        reviews = [reviewed for _, reviewed in on_time[:index]]
        due = on_time[index][0]
        self.planted.append(f"policy-review-overdue policy from {due + ONE}")
        last = due + dt.timedelta(days=rng.randint(20, 60))
        while last <= self.end:
            reviews.append(last)
            due = add_months(last, months)
            last = max(last + ONE, due - dt.timedelta(days=rng.randint(5, 40)))
        for number, day in enumerate(reviews):
            outcome: ReviewOutcome = (
                "amended" if number == index or rng.random() < 0.3 else "unchanged"
            )
            self._at(day, functools.partial(self._review, outcome))

    def _review(self, outcome: ReviewOutcome) -> None:
        self._emit(PolicyReviewed(on=self.today, outcome=outcome))

    def _wanted(self) -> list[str]:
        """The kinds of problem this profile can show."""
        on = self._on
        kinds = []
        if on("concern-unaddressed"):
            kinds.append("late-concern")
        if (self.consent_channels and on("consent-missing")) or (
            not self.consent_channels and self.main and on("child-image-forbidden")
        ):
            kinds.append("photo-removed")
        if self.role_channel and on("unauthorised-poster"):
            kinds.append("unauthorised-acknowledged")
        if self.p.contacts_need_setting_device and on("contact-without-permission"):
            kinds.append("contact-device-acknowledged")
        if self.group and on("removal-follow-up-overdue"):
            kinds.append("late-follow-up")
        if on("connection-without-exception") and self.p.friendship_exception == "never":
            kinds.append("connection-acknowledged")
        if self.group and on("too-few-admins"):
            kinds.append("too-few-admins")
        if self.consent_channels and on("withdrawn-consent-post-live"):
            kinds.append("late-takedown")
        if (
            self.consent_channels
            and on("child-image-forbidden")
            and not self.p.require_setting_device
            and not self.p.contacts_need_setting_device
        ):
            kinds.append("personal-account")
        if self.group and self.p.require_setting_device and on("non-setting-device"):
            kinds.append("personal-phone")
        if on("contact-without-permission"):
            kinds.append("contact-unpermitted")
        return kinds

    def _plan_problems(self) -> None:
        wanted = self._wanted()
        span = (self.end - self.start).days
        if not self.many:
            for kind, fraction in _PLANTS_AT:
                if kind in wanted and span >= 60:
                    day = self._school_on_or_after(
                        self.start + dt.timedelta(days=round(span * fraction))
                    )
                    if day <= self.end:
                        self._at(day, functools.partial(self._plant, kind))
        # Near the end: still open when the committee looks.
        if span >= 45 and (
            (self.consent_channels and self._on("consent-missing"))
            or (not self.consent_channels and self._on("child-image-forbidden"))
        ):
            day = self._school_on_or_before(self.end - dt.timedelta(days=self.rng.randint(8, 20)))
            if day >= self.start + dt.timedelta(days=30):
                self._at(day, functools.partial(self._plant, "photo-open"))
        if self._on("connection-without-exception") and self.p.friendship_exception != "never":
            day = self._school_on_or_before(self.end - dt.timedelta(days=self.rng.randint(3, 12)))
            if day >= self.start + dt.timedelta(days=30):
                self._at(day, functools.partial(self._plant, "connection-open"))
        if self._on("referral-undecided"):
            back = self.p.decision_days + self.rng.randint(6, 16)
            day = self._school_on_or_before(self.end - dt.timedelta(days=back))
            if day >= self.start + dt.timedelta(days=30):
                self._at(day, functools.partial(self._plant, "case-undecided"))
        if self.group is not None and self._on("leaver-not-removed"):
            grace = self.p.leaver_grace_days
            years = [
                year
                for year in range(self.start.year, self.end.year + 1)
                if summer_start(year) + dt.timedelta(days=grace + 3) <= self.end
                and summer_start(year) >= self.start + dt.timedelta(days=90)
            ]
            if years:
                targets = years if self.many else years[-1:]
                for year in targets:
                    self.forget_leavers[year] = max(1, round(self.k)) if self.many else 1

    def _plan_yearly_problems(self, year: int) -> None:
        wanted = self._wanted()
        for _ in range(max(1, round(self.k))):
            for kind in wanted:
                day = self._random_school_day(dt.date(year, 9, 20), dt.date(year + 1, 6, 30))
                if day is not None and day + dt.timedelta(days=40) <= self.end:
                    self._at(day, functools.partial(self._plant, kind))

    def _plant(self, kind: str) -> None:
        rng = self.rng
        later = self._days
        before = len(self.buffer)
        subject: str | None = None
        if kind == "late-concern":
            subject = self._concern(rng.choice(HEATED), late=True)
        elif kind in ("photo-removed", "photo-open"):
            subject = self._plant_photo(keep=kind == "photo-open")
        elif kind == "unauthorised-acknowledged" and self.role_channel:
            author = self._plain_staff()
            if author is not None:
                subject = self._publish(self.role_channel, author, [], self._device())
                self.pinned.add(subject)
                self._at(
                    later(5, 12),
                    functools.partial(
                        self._acknowledge,
                        "unauthorised-poster",
                        subject,
                        "Notice posted while the manager was away; approved by the chair"
                        " afterwards and posting rights explained.",
                    ),
                )
        elif kind == "contact-device-acknowledged":
            subject = self._contact_child(device="personal-phone")
            if subject is not None:
                self._at(
                    later(3, 8),
                    functools.partial(
                        self._acknowledge,
                        "non-setting-device",
                        subject,
                        "The setting phone was flat; staff reminded to charge it and never to"
                        " use their own.",
                    ),
                )
        elif kind == "contact-unpermitted":
            for _ in range(10):
                child_ref = self.contactable.choice(rng)
                if child_ref is None:
                    break
                unpermitted = [
                    m
                    for m in ("text", "setting-app", "setting-email")
                    if m not in self.children[child_ref].contact
                ]
                staff = self.by_kind["staff"].choice(rng)
                if unpermitted and staff is not None:
                    self._emit(
                        ChildContacted(
                            on=self.today,
                            child=child_ref,
                            by=staff,
                            method=unpermitted[0],
                            device=self._device(),
                        )
                    )
                    subject = child_ref
                    break
        elif kind == "late-follow-up" and self.group is not None:
            self._negative_discussion(late_referral=True)
            subject = f"P-{self.counters.get('P', 0):04d}"
        elif kind in ("connection-acknowledged", "connection-open"):
            subject = self._plant_connection(acknowledge=kind == "connection-acknowledged")
        elif kind == "too-few-admins":
            admin = self._holder("group-admin")
            replacement = self._plain_staff()
            if admin is not None and replacement is not None:
                self._revoke(admin, "group-admin")
                self._at(later(6, 10), functools.partial(self._assign, replacement, "group-admin"))
                if replacement not in self.members_s:
                    self._at(later(0, 0), functools.partial(self._admit, replacement))
                subject = self.group
        elif kind == "late-takedown":
            subject = self._plant_late_takedown()
        elif kind == "personal-account":
            self._plant_personal_account()  # the post, some days later, is the plant
        elif kind == "personal-phone":
            subject = self._plant_personal_phone()
        elif kind == "case-undecided":
            person = self._plain_staff()
            if person is not None:
                concern = self._concern(
                    "confidentiality", person, action="Passed to the manager for investigation."
                )
                self._at(later(1, 2), functools.partial(self._undecided_case, person, concern))
        if subject is not None and len(self.buffer) > before:
            self.planted.append(f"{kind} {subject} on {self.today}")

    def _acknowledge(self, rule: RuleName, subject: str, action: str) -> None:
        self._emit(
            FindingAcknowledged(on=self.today, rule=rule, subject_ref=subject, action=action)
        )

    def _unconsented_child(self, channel: str | None) -> str | None:
        lapsed: str | None = None
        never: str | None = None
        for ref in self.enrolled.sample(self.rng, 200):
            child = self.children[ref]
            if (self.today - child.start).days < 21:
                continue  # the consent form may still be on its way
            if channel is None or not child.consented(channel, self.today):
                if channel is not None and channel in child.consent:
                    lapsed = lapsed or ref
                else:
                    never = never or ref
        return lapsed or never

    def _plant_photo(self, *, keep: bool) -> str | None:
        """A photo of a child who may not be shown there: taken down in a few days, or not."""
        channel = self.consent_channels[0] if self.consent_channels else self.main
        if channel is None:
            return None
        child = self._unconsented_child(channel if self.consent_channels else None)
        author = self._author(channel)
        if child is None or author is None:
            return None
        post = self._publish(channel, author, [child], self._device())
        self.pinned.add(post)
        if not keep:
            removal = self._days(1, 3)
            self._at(
                removal, functools.partial(self._take_down, post, channel, "breach", force=True)
            )
            self._at(
                removal,
                functools.partial(
                    self._concern,
                    "child-image",
                    None,
                    action="Photo taken down; staff reminded to check the consent register"
                    " before posting.",
                ),
            )
        return post

    def _plant_late_takedown(self) -> str | None:
        """Consent withdrawn; the older post showing the child comes down days too late."""
        best: tuple[int, str, str, list[str]] | None = None
        for channel in self.consent_channels:
            for ref in self.enrolled.sample(self.rng, 80):
                if not self.children[ref].consented(channel, self.today):
                    continue
                posts = [p for p in self._live_posts(channel, ref) if p not in self.pinned]
                if posts and (best is None or len(posts) < best[0]):
                    best = (len(posts), channel, ref, posts)
        if best is None:
            return None
        _, channel, ref, posts = best
        self._withdraw(ref, channel)
        when = self._days(self.p.takedown_days + 2, self.p.takedown_days + 6)
        for post in posts:
            self.pinned.add(post)
            self._at(
                when,
                functools.partial(self._take_down, post, channel, "consent-withdrawn", force=True),
            )
        return ",".join(posts)

    def _plant_personal_account(self) -> str | None:
        """A student puts a photo from the setting on their own page; asked to leave."""
        student = self._join("student", [])
        day = self._school_on_or_after(self._days(9, 16))
        self._at(day, functools.partial(self._personal_post, student))
        return student

    def _personal_post(self, student: str) -> None:
        child = self.enrolled.choice(self.rng)
        if self.people[student].left is not None or child is None:
            return
        post = self._publish(PERSONAL_ACCOUNT, student, [child], "own-phone")
        self.planted.append(f"personal-account {post} on {self.today}")
        self.pinned.add(post)
        concern = self._concern(
            "child-image", student, action="The student was asked to take the photo down at once."
        )
        self._at(
            self._days(1, 1),
            functools.partial(self._take_down, post, PERSONAL_ACCOUNT, "breach", force=True),
        )
        self._at(
            self._days(1, 2),
            functools.partial(self._refer_case, student, concern, True, "asked-to-leave"),
        )

    def _plant_personal_phone(self) -> str | None:
        """A photo taken on a personal phone and posted in the group; taken down; advice."""
        assert self.group is not None
        author = next(
            (p for p in self.members_s.sample(self.rng, 20) if self.people[p].kind == "staff"),
            None,
        )
        depicts = self._consented_children(self.group, 2)
        if author is None or not depicts:
            return None
        post = self._publish(self.group, author, depicts, "personal-phone")
        self.pinned.add(post)
        removal = self._days(1, 2)
        self._at(
            removal, functools.partial(self._take_down, post, self.group, "breach", force=True)
        )
        self._at(
            removal,
            functools.partial(
                self._concern,
                "child-image",
                author,
                action="Photo taken down; only the setting's tablets are used for photos.",
            ),
        )
        self._at(
            removal + dt.timedelta(days=2),
            functools.partial(self._refer_case, author, None, True, "advice"),
        )
        return post

    def _plant_connection(self, *, acknowledge: bool) -> str | None:
        for _ in range(40):
            ref = self.enrolled.choice(self.rng)
            person = self._plain_staff()
            if ref is None or person is None:
                return None
            if last_day(self.children[ref].leave_year) <= self.today + dt.timedelta(days=10):
                continue  # a family about to leave: the finding would close by itself
            guardian = self.rng.choice(self.children[ref].guardians)
            if self.exceptions.get((person, guardian)):
                continue
            self._emit(ConnectionReported(on=self.today, person=person, guardian=guardian))
            subject = f"{person}/{guardian}"
            if acknowledge:
                self._at(
                    self._days(4, 9),
                    functools.partial(
                        self._acknowledge,
                        "connection-without-exception",
                        subject,
                        "The connection was removed and the member of staff reminded of the"
                        " policy.",
                    ),
                )
            return subject
        return None
