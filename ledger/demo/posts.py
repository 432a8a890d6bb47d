"""Posts on an invented setting's channels: photos of children with consent, notices, parents'
posts in the group, and the critical discussions taken down and followed up.
"""

from __future__ import annotations

import datetime as dt
import functools

from ledger.demo.friendships import Friendships
from ledger.demo.state import Bag
from ledger.events import (
    PosterContacted,
    PostPublished,
    PostRemoved,
    ReferredToManager,
    RemovalReason,
)
from ledger.profile import ANY_MEMBER


class Posts(Friendships):
    """Adds posts published and taken down."""

    def _publish(self, channel: str, author: str, depicts: list[str], device: str | None) -> str:
        ref = self._ref("P")
        # A channel kept for some purposes is posted on for the first of them (a demo post is
        # what the channel is for); other posts state none, as older ledgers' posts do.
        spec = self.p.channels[channel]
        purposes = spec.purposes or spec.poster_purposes
        self._emit(
            PostPublished(
                on=self.today,
                post=ref,
                channel=channel,
                author=author,
                depicts=depicts,
                device=device,
                purpose=purposes[0] if purposes else None,
            )
        )
        if channel in self.consent_channels:
            for child in depicts:
                self.live.setdefault((channel, child), []).append(ref)
        return ref

    def _take_down(
        self, post: str, channel: str, reason: RemovalReason, *, force: bool = False
    ) -> None:
        if post in self.removed or (post in self.pinned and not force):
            return
        self.removed.add(post)
        self.pinned.discard(post)
        self._emit(PostRemoved(on=self.today, post=post, by=self._remover(channel), reason=reason))

    def _remover(self, channel: str) -> str:
        if channel == self.group:
            admin = self._holder("group-admin")
            if admin is not None:
                return admin
        spec = self.p.channels.get(channel)
        for role in spec.posters if spec else []:
            holder = self._holder(role)
            if holder is not None:
                return holder
        return self._manager()

    def _author(self, channel: str) -> str | None:
        """A person allowed to post on the channel today."""
        posters = self.p.channels[channel].posters
        if ANY_MEMBER in posters:
            return self.members_s.choice(self.rng)
        candidates: list[str] = []
        for role in posters:
            for person in (self.holders.get(role) or Bag()).items():
                if person not in candidates:
                    candidates.append(person)
        return self.rng.choice(candidates) if candidates else None

    def _consented_children(self, channel: str, count: int) -> list[str]:
        if count == 0:
            return []
        chosen = [
            ref
            for ref in self.enrolled.sample(self.rng, count * 3 + 3)
            if self.children[ref].consented(channel, self.today)
        ]
        return sorted(chosen[:count])

    def _photo_post(self, channel: str) -> None:
        author = self._author(channel)
        if author is None:
            return
        depicts = self._consented_children(channel, self.rng.choice((0, 1, 1, 2, 2, 3, 4)))
        post = self._publish(channel, author, depicts, self._device())
        if self.rng.random() < 0.02:  # posted twice by mistake, or a typo in the caption
            self._at(self._days(0, 1), functools.partial(self._take_down, post, channel, "other"))

    def _notice_post(self, channel: str) -> None:
        author = self._author(channel)
        if author is not None:
            self._publish(channel, author, [], self._device() if self.rng.random() < 0.5 else None)

    def _guardian_post(self) -> None:
        assert self.group is not None
        if not self.members_post:
            return  # only management posts there (Stepping Stones Nursery)
        author = self.members_g.choice(self.rng)
        if author is not None:
            self._publish(self.group, author, [], None)

    def _negative_discussion(self, *, late_referral: bool = False) -> None:
        """A parent's critical post in the group, taken down and followed up."""
        assert self.group is not None
        if not self.members_post:
            return  # parents do not post there (Stepping Stones Nursery)
        author = self.members_g.choice(self.rng)
        if author is None:
            return
        post = self._publish(self.group, author, [], None)
        reason: RemovalReason = (
            "negative-discussion" if self.rng.random() < 0.75 else "inappropriate"
        )
        removal = self._days(0, 1)
        self.pinned.add(post)
        self._at(removal, functools.partial(self._take_down, post, self.group, reason, force=True))
        limit = self.p.follow_up_days
        contact = removal + dt.timedelta(days=self.rng.randint(0, min(2, limit)))
        refer = removal + dt.timedelta(days=self.rng.randint(0, min(3, limit)))
        if late_referral:
            refer = removal + dt.timedelta(days=limit + self.rng.randint(3, 8))
        self._at(contact, functools.partial(self._contact_poster, post))
        self._at(refer, functools.partial(self._emit_referral, post))
        if self.rng.random() < 0.4:
            self._at(removal, functools.partial(self._concern, "critical-discussion", author))
        if self.rng.random() < 0.05:
            self._at(
                removal + dt.timedelta(days=2),
                functools.partial(self._remove_member, author, "breach"),
            )

    def _contact_poster(self, post: str) -> None:
        assert self.group is not None
        self._emit(PosterContacted(on=self.today, post=post, by=self._remover(self.group)))

    def _emit_referral(self, ref: str) -> None:
        self._emit(ReferredToManager(on=self.today, ref=ref))
