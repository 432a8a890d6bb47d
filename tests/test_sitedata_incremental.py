"""The site's numbers kept by a follower (``sitedata.updated``) equal those worked out from the
registers afresh (``sitedata.compute``), whatever the facts between and the day.

- a property over generated histories (every kind of fact the demo invents, late filings and
  planted problems): the numbers updated chunk after chunk, as a follower does between its
  catch-ups, equal ``compute`` at every step; and when the day turns they are worked out again;
- what a follower does with one new fact (``ledger follow --once`` after ``post publish``), on
  each store: the saved numbers equal those worked out from a rebuild, were updated (not worked
  out again), and the registers' parts that read nothing the fact changed were kept;
- adversarial: numbers saved for another position (or a position whose changes the follower did
  not keep) are not updated from, but worked out again; old saved numbers (format 2) read as
  absent.
"""

from __future__ import annotations

import copy
import datetime as dt
from pathlib import Path
from typing import Any

import hypothesis.strategies as st
import msgspec
import pytest
from hypothesis import given, note, settings

from ledger import events as ev
from ledger.demo import generate
from ledger.follow import follow_postgres, follow_sqlite
from ledger.profile import Profile
from ledger.profile import load as load_profile
from projections import findings as fnd
from projections import registers as reg
from projections import sitedata
from tests.conftest import fixed_clock
from tests.test_follow import _new_ledger

PROFILES = ["south-woodham-preschool", "sandbank-valley-federation", "stepping-stones-nursery"]
START, END = dt.date(2025, 9, 1), dt.date(2026, 7, 31)


def _history(profile: Profile, seed: int) -> list[ev.Event]:
    return generate(profile, setting="x", start=START, end=END, seed=seed, children=10)


class Follower:
    """What a follower keeps between catch-ups (``ledger.follow.RegistersProjection``): the
    registers, and since the numbers it last worked out, the sections the facts wrote and
    each post they changed as it was before them."""

    def __init__(self) -> None:
        self.registers = reg.Registers()
        self.written: set[str] = set()
        self.before: dict[str, reg.Post | None] = {}

    def apply(self, event: ev.Event) -> None:
        written = reg.writes(event)
        self.written |= written
        if "posts" in written:
            ref = event.post if hasattr(event, "post") else event.ref  # type: ignore[attr-defined]
            if ref not in self.before:
                post = self.registers.posts.get(ref)
                self.before[ref] = copy.copy(post) if post is not None else None
        reg.apply(self.registers, event, self.registers.position + 1)

    def numbers(self, profile: Profile, day: dt.date, old: sitedata.SiteData | None) -> Any:
        episodes = fnd.all_episodes(self.registers, profile)
        if old is None or old.day != day:
            data = sitedata.compute(self.registers, profile, day, episodes)
        else:
            data = sitedata.updated(
                old, self.registers, profile, episodes, self.written, self.before
            )
        self.written, self.before = set(), {}
        return data


@settings(max_examples=30)
@given(
    profile=st.sampled_from(PROFILES),
    seed=st.integers(0, 10_000),
    chunks=st.lists(st.integers(1, 40), min_size=1, max_size=12),
    days=st.lists(st.one_of(st.just(333), st.integers(0, 333)), min_size=1, max_size=3),
    cut=st.integers(0, 100),
)
def test_updated_numbers_equal_those_worked_out(
    profile: str, seed: int, chunks: list[int], days: list[int], cut: int
) -> None:
    loaded = load_profile(profile)
    facts = _history(loaded, seed)
    start = len(facts) * cut // 100  # (where the numbers are first worked out: then chunks)
    follower = Follower()
    for event in facts[:start]:
        follower.apply(event)
    data: sitedata.SiteData | None = None
    at = start
    for step, size in enumerate(chunks):
        day = START + dt.timedelta(days=days[step % len(days)])
        for event in facts[at : at + size]:
            follower.apply(event)
        at += size
        note(f"step {step}: facts up to {follower.registers.position}, day {day}")
        data = follower.numbers(loaded, day, data)
        fresh = sitedata.compute(follower.registers, loaded, day)
        assert data == fresh
        assert sitedata.to_bytes(data) == sitedata.to_bytes(fresh)


def test_a_post_and_its_finding_update_only_the_posts_and_what_reads_findings() -> None:
    """One new post that opens a finding (no consent for a child it depicts): the parts that
    read neither the posts nor the findings are kept as they were (the same objects), and the
    whole equals the numbers worked out afresh."""
    profile = load_profile("south-woodham-preschool")
    facts = _history(profile, 3)
    follower = Follower()
    for event in facts:
        follower.apply(event)
    day = END
    old = follower.numbers(profile, day, None)
    r = follower.registers
    child, channel = next(
        (c, name)
        for name, channel in profile.channels.items()
        if channel.child_images == "consent"
        for c in r.children
        if f"{c}|{name}" not in r.consents
    )
    post = ev.PostPublished(on=day, post="P-9999", channel=channel, author="S-0001",
                            depicts=[child], device="T-01")  # fmt: skip
    follower.apply(post)
    new = follower.numbers(profile, day, old)
    assert new == sitedata.compute(follower.registers, profile, day)
    assert new.posts.total == old.posts.total + 1
    assert new.found != old.found  # the finding it opened
    assert new.group is old.group and new.coverage is old.coverage  # kept, not worked out
    assert new.policy is old.policy


def test_a_late_fact_before_the_first_day_works_everything_out_again() -> None:
    """A post filed with a day before any other fact moves the first day of the history (so
    the window of months): the numbers are all worked out again, and equal."""
    profile = load_profile("south-woodham-preschool")
    facts = _history(profile, 5)
    follower = Follower()
    for event in facts:
        follower.apply(event)
    old = follower.numbers(profile, END, None)
    early = START - dt.timedelta(days=400)
    follower.apply(
        ev.PostPublished(
            on=early, post="P-0999", channel="closed-group", author="S-0001", depicts=[]
        )
    )
    new = follower.numbers(profile, END, old)
    assert new.kept.first == early != old.kept.first
    assert new == sitedata.compute(follower.registers, profile, END)


def test_numbers_of_another_position_are_not_updated_from(tmp_path: Path) -> None:
    """Adversarial: numbers saved at a position other than the one the follower kept the
    changes from (a follower that loaded registers saved later, by a command) are worked out
    again, not updated from; old saved numbers (format 2) are read as absent."""
    _, ledger, signer = _new_ledger(str(tmp_path / "l.db"), tmp_path)
    profile = ledger.profile
    facts = _history(profile, 7)
    half = len(facts) // 2
    ledger.record(facts[:half], signer, fixed_clock)
    day = END
    follow_sqlite(ledger, once=True, today=lambda: day)
    ledger.record(facts[half : half + 5], signer, fixed_clock)
    ledger.save_registers(ledger.registers())  # as a command may: the follower starts there
    ledger.record(facts[half + 5 : half + 6], signer, fixed_clock)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(sitedata, "updated", lambda *_: pytest.fail("updated from the wrong base"))
        follow_sqlite(ledger, once=True, today=lambda: day)
    saved = ledger.saved_site_data(day)
    assert saved == sitedata.compute(reg.rebuild(ledger.facts()), profile, day)
    # An old format's saved numbers: not read (another view), the numbers worked out.
    head = ledger.head()
    old = msgspec.msgpack.encode({**msgspec.to_builtins(saved), "format": 2})
    assert sitedata.from_bytes(old) is not None  # (same shape: only the format tells them)
    ledger.save_view("SiteData/2", head, old)
    assert ledger.saved_site_data(day) == saved  # (another view's bytes are not read)
    ledger.save_view(sitedata.NAME, head, old)  # and where this format's are kept:
    assert ledger.saved_site_data(day) is None  # its format tells them apart, absent
    ledger.close()


def _follow(config: Any, ledger: Any, day: dt.date) -> None:
    if config.is_postgres:
        follow_postgres(config, once=True, poll=0.2, today=lambda: day)
    else:
        follow_sqlite(ledger, once=True, today=lambda: day)


def test_follow_once_after_one_new_fact_saves_the_numbers_worked_out(
    ledger_db: str, tmp_path: Path
) -> None:
    """``follow --once`` after one new post (as the bench times it): the saved numbers equal
    those worked out from a rebuild (as structs and as bytes), and were updated from those
    saved before, not worked out again."""
    config, ledger, signer = _new_ledger(ledger_db, tmp_path)
    profile = ledger.profile
    facts = _history(profile, 11)
    ledger.record(facts, signer, fixed_clock)
    day = END
    _follow(config, ledger, day)
    before = ledger.saved_site_data(day)
    assert before is not None
    post = ev.PostPublished(
        on=day, post="P-9999", channel="closed-group", author="S-0001", depicts=[]
    )
    ledger.record([post], signer, fixed_clock)
    calls: list[str] = []
    computed, updated = sitedata.compute, sitedata.updated

    def spy_compute(*args: Any, **kwargs: Any) -> sitedata.SiteData:
        calls.append("compute")
        return computed(*args, **kwargs)

    def spy_updated(*args: Any, **kwargs: Any) -> sitedata.SiteData:
        calls.append("updated")
        return updated(*args, **kwargs)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(sitedata, "compute", spy_compute)
        patch.setattr(sitedata, "updated", spy_updated)
        _follow(config, ledger, day)
    assert calls == ["updated"]
    saved = ledger.saved_site_data(day)
    fresh = sitedata.compute(reg.rebuild(ledger.facts()), profile, day)
    assert saved is not None and saved.position == before.position + 1
    assert saved == fresh
    assert sitedata.to_bytes(saved) == sitedata.to_bytes(fresh)
    assert saved.posts.total == before.posts.total + 1
    ledger.close()


@settings(max_examples=15)
@given(
    order=st.permutations(range(30)),
    reasons=st.lists(
        st.sampled_from(["negative-discussion", "inappropriate", "consent-withdrawn"]),
        min_size=30,
        max_size=30,
    ),
    late=st.lists(st.integers(0, 40), min_size=30, max_size=30),
)
def test_many_removals_one_at_a_time_keep_the_latest_lists(
    order: list[int], reasons: list[str], late: list[int]
) -> None:
    """More removals than the lists of the latest hold, removed one at a time in any order and
    dated in any order (filed late): the kept lists and counts equal those worked out."""
    profile = load_profile("south-woodham-preschool")
    follower = Follower()
    for event in _history(profile, 2):
        follower.apply(event)
    author = next(p for p in follower.registers.persons if p.startswith("S-"))
    for n in range(30):
        follower.apply(
            ev.PostPublished(
                on=END - dt.timedelta(days=60),
                post=f"P-8{n:03d}",
                channel="closed-group",
                author=author,
                depicts=[],
            )
        )
    data = follower.numbers(profile, END, None)
    for n in order:
        on = END - dt.timedelta(days=late[n])
        follower.apply(
            ev.PostRemoved(on=on, post=f"P-8{n:03d}", reason=reasons[n], by=author)  # type: ignore[arg-type]
        )
        data = follower.numbers(profile, END, data)
        assert data == sitedata.compute(follower.registers, profile, END)
