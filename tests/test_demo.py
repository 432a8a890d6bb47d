"""The demo generator's histories obey the ledger's integrity refusals (DESIGN.md section 4).

The checker here is written from the design, independently of ``ledger.demo``: it replays a
history in list order, as the ledger records it, and names the first event it would refuse.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import re
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

import msgspec
import pytest

from ledger import demo, events
from ledger import profile as profiles
from ledger.events import AnyEvent, Event
from tests.conftest import NewDb, holds_ledger

START = dt.date(2025, 9, 1)
END = dt.date(2026, 7, 31)
ROLES = set(events.Role.__args__)  # type: ignore[attr-defined]


def shipped() -> list[str]:
    names = profiles.shipped()
    assert names, "the package ships no profiles"
    return names


def problems(
    history: Iterable[Event], profile: profiles.Profile, start: dt.date, end: dt.date
) -> list[str]:
    """Every refusal the history would meet, as "position: what" (empty when it is valid)."""
    out: list[str] = []
    children: dict[str, dt.date] = {}
    left_children: set[str] = set()
    guardians: dict[str, str] = {}
    guardian_children: dict[str, list[str]] = {}
    links: set[tuple[str, str]] = set()
    people: dict[str, tuple[dt.date, str]] = {}
    left_people: set[str] = set()
    devices: dict[str, dt.date] = {}
    retired: set[str] = set()
    posts: dict[str, dt.date] = {}
    removed: set[str] = set()
    concerns: dict[str, dt.date] = {}
    cases: dict[str, dt.date] = {}
    decided: set[str] = set()
    assigned: dict[tuple[str, str], list[dt.date]] = {}
    granted: dict[tuple[str, str], list[dt.date]] = {}
    admitted: dict[str, list[dt.date]] = {}
    exceptions: dict[tuple[str, str], list[dt.date]] = {}
    mode = profile.friendship_exception
    friendship_on = profile.is_on("connection-without-exception")

    def started(pos: int, what: str, first: dt.date | None, on: dt.date) -> None:
        if first is None:
            out.append(f"{pos}: {what} is unknown")
        elif on < first:
            out.append(f"{pos}: {what} is before its start ({on} < {first})")

    def earliest(dates: list[dt.date] | None, on: dt.date) -> dt.date | None:
        before = [d for d in dates or [] if d <= on]
        return min(before) if before else (min(dates) if dates else None)

    def known_actor(pos: int, ref: str) -> None:
        if ref not in (people if ref.startswith("S-") else guardians):
            out.append(f"{pos}: {ref} is unknown")

    for pos, event in enumerate(history):
        on = event.on
        if on < start or on > end:
            out.append(f"{pos}: {type(event).__name__} on {on} outside {start}..{end}")
        try:
            msgspec.json.decode(msgspec.json.encode(event), type=AnyEvent)
        except msgspec.ValidationError as exc:
            out.append(f"{pos}: does not decode: {exc}")
        match event:
            case events.SettingRegistered():
                out.append(f"{pos}: SettingRegistered is written by init")
            case events.ChildEnrolled(child=c):
                if c in children:
                    out.append(f"{pos}: {c} enrolled twice")
                children[c] = on
            case events.ChildLeft(child=c):
                started(pos, c, children.get(c), on)
                if c in left_children:
                    out.append(f"{pos}: {c} left twice")
                left_children.add(c)
            case events.GuardianLinked(guardian=g, child=c, name=name):
                if c not in children:
                    out.append(f"{pos}: {c} is unknown")
                if (g, c) in links:
                    out.append(f"{pos}: {g} linked to {c} twice")
                if g in guardians and guardians[g] != name:
                    out.append(f"{pos}: {g} linked under another name")
                guardians[g] = name
                guardian_children.setdefault(g, []).append(c)
                links.add((g, c))
            case events.PersonJoined(person=p, kind=kind):
                if p in people:
                    out.append(f"{pos}: {p} joined twice")
                people[p] = (on, kind)
            case events.PersonLeft(person=p):
                started(pos, p, people[p][0] if p in people else None, on)
                if p in left_people:
                    out.append(f"{pos}: {p} left twice")
                left_people.add(p)
            case events.RoleAssigned(person=p, role=role):
                started(pos, p, people[p][0] if p in people else None, on)
                if role not in ROLES:
                    out.append(f"{pos}: unknown role {role}")
                assigned.setdefault((p, role), []).append(on)
            case events.RoleRevoked(person=p, role=role):
                started(pos, f"{role} of {p}", earliest(assigned.get((p, role)), on), on)
            case events.DeviceRegistered(device=d):
                if d in devices:
                    out.append(f"{pos}: {d} registered twice")
                devices[d] = on
            case events.DeviceRetired(device=d):
                started(pos, d, devices.get(d), on)
                if d in retired:
                    out.append(f"{pos}: {d} retired twice")
                retired.add(d)
            case events.ConsentGranted(child=c, guardian=g, channel=ch):
                if (g, c) not in links:
                    out.append(f"{pos}: {g} is not linked to {c}")
                if ch not in profile.channels:
                    out.append(f"{pos}: unknown channel {ch}")
                granted.setdefault((c, ch), []).append(on)
            case events.ConsentWithdrawn(child=c, guardian=g, channel=ch):
                if (g, c) not in links:
                    out.append(f"{pos}: {g} is not linked to {c}")
                if ch not in profile.channels:
                    out.append(f"{pos}: unknown channel {ch}")
                started(pos, f"consent {c} {ch}", earliest(granted.get((c, ch)), on), on)
            case events.PostPublished(post=p, channel=ch, author=a, depicts=depicts):
                if p in posts:
                    out.append(f"{pos}: {p} published twice")
                if ch not in profile.channels:
                    out.append(f"{pos}: unknown channel {ch}")
                known_actor(pos, a)
                for c in depicts:
                    if c not in children:
                        out.append(f"{pos}: {c} is unknown")
                posts[p] = on
            case events.PostRemoved(post=p, by=by):
                started(pos, p, posts.get(p), on)
                known_actor(pos, by)
                if p in removed:
                    out.append(f"{pos}: {p} removed twice")
                removed.add(p)
            case events.PosterContacted(post=p, by=by):
                started(pos, p, posts.get(p), on)
                known_actor(pos, by)
            case events.ReferredToManager(ref=r):
                started(pos, r, (posts if r.startswith("P-") else concerns).get(r), on)
            case events.MemberAdmitted(member=m):
                known_actor(pos, m)
                admitted.setdefault(m, []).append(on)
            case events.MemberRemoved(member=m):
                known_actor(pos, m)
                started(pos, f"membership of {m}", earliest(admitted.get(m), on), on)
            case events.FriendshipExceptionGranted(
                person=p, guardian=g, since=since, approved_by=approver
            ):
                for ref in (p, g, approver):
                    known_actor(pos, ref)
                if not friendship_on or mode == "never":
                    out.append(f"{pos}: the profile forbids friendship exceptions")
                if mode == "pre-existing":
                    starts = [children[c] for c in guardian_children.get(g, []) if c in children]
                    if starts and since >= min(starts):
                        out.append(f"{pos}: exception does not predate the child's start")
                    joined, kind = people.get(p, (on, "staff"))
                    if kind in ("volunteer", "student") and since >= joined:
                        out.append(f"{pos}: exception does not predate the person joining")
                exceptions.setdefault((p, g), []).append(on)
            case events.FriendshipExceptionEnded(person=p, guardian=g):
                started(pos, f"exception {p}/{g}", earliest(exceptions.get((p, g)), on), on)
            case events.ConnectionReported(person=p, guardian=g):
                known_actor(pos, p)
                known_actor(pos, g)
            case events.ConcernRaised(concern=k, about=about):
                if k in concerns:
                    out.append(f"{pos}: {k} raised twice")
                if about is not None:
                    known_actor(pos, about)
                concerns[k] = on
            case events.ConcernAddressed(concern=k):
                started(pos, k, concerns.get(k), on)
            case events.DisciplinaryReferred(case=d, person=p, concern=k):
                if d in cases:
                    out.append(f"{pos}: {d} referred twice")
                known_actor(pos, p)
                if k is not None and k not in concerns:
                    out.append(f"{pos}: {k} is unknown")
                cases[d] = on
            case events.DisciplinaryDecided(case=d):
                started(pos, d, cases.get(d), on)
                if d in decided:
                    out.append(f"{pos}: {d} decided twice")
                decided.add(d)
            case events.CommunicationPermitted(child=c, guardian=g):
                if (g, c) not in links:
                    out.append(f"{pos}: {g} is not linked to {c}")
            case events.ChildContacted(child=c, by=by):
                if c not in children:
                    out.append(f"{pos}: {c} is unknown")
                known_actor(pos, by)
            case events.FindingAcknowledged(subject_ref=subject):
                for ref in subject.split("/"):
                    if ref[:2] in ("C-", "G-", "S-", "P-", "K-", "D-"):
                        known = {
                            "C-": children,
                            "G-": guardians,
                            "S-": people,
                            "P-": posts,
                            "K-": concerns,
                            "D-": cases,
                        }[ref[:2]]
                        if ref not in known:
                            out.append(f"{pos}: acknowledged {ref} is unknown")
    return out


def test_checker_catches_refusals() -> None:
    prof = profiles.load(shipped()[0])
    day = START
    bad = [
        events.PolicyAdopted(on=day, version="1"),
        events.ChildEnrolled(on=day, child="C-0001", name="A B"),
        events.ConsentGranted(
            on=day,
            child="C-0001",
            guardian="G-0001",
            channel="nowhere",
            evidence="F-1",
            method="paper",
        ),
        events.ChildLeft(on=day - dt.timedelta(days=1), child="C-0001"),
        events.PostRemoved(on=day, post="P-0001", by="S-0001", reason="other"),
        events.ChildEnrolled(on=END + dt.timedelta(days=1), child="C-0001", name="A B"),
    ]
    found = " | ".join(problems(bad, prof, START, END))
    for expected in (
        "not linked",
        "unknown channel",
        "before its start",
        "P-0001 is unknown",
        "enrolled twice",
        "outside",
    ):
        assert expected in found


@pytest.mark.parametrize("seed", [0, 1, 7])
def test_demo_is_valid_for_every_profile(seed: int) -> None:
    for name in shipped():
        prof = profiles.load(name)
        history = demo.generate(prof, setting="Demo", start=START, end=END, seed=seed)
        assert history, name
        assert isinstance(history[0], events.PolicyAdopted) and history[0].on == START
        assert problems(history, prof, START, END) == [], name


@pytest.mark.parametrize(
    ("start", "end"),
    [
        (dt.date(2023, 9, 1), dt.date(2026, 7, 31)),
        (dt.date(2024, 1, 15), dt.date(2026, 11, 21)),
        (dt.date(2026, 3, 2), dt.date(2026, 4, 10)),
        (dt.date(2025, 8, 10), dt.date(2026, 8, 30)),
    ],
)
def test_other_spans_are_valid(start: dt.date, end: dt.date) -> None:
    for name in shipped():
        prof = profiles.load(name)
        history = demo.generate(prof, setting="Demo", start=start, end=end, seed=3)
        assert problems(history, prof, start, end) == [], name


def test_demo_is_deterministic_and_seeded() -> None:
    prof = profiles.load(shipped()[-1])
    first = demo.generate(prof, setting="Demo", start=START, end=END, seed=5)
    again = demo.generate(prof, setting="Demo", start=START, end=END, seed=5)
    other = demo.generate(prof, setting="Demo", start=START, end=END, seed=6)
    assert [events.to_json(e) for e in first] == [events.to_json(e) for e in again]
    assert [events.to_json(e) for e in first] != [events.to_json(e) for e in other]


def test_demo_tells_a_story() -> None:
    for name in shipped():
        prof = profiles.load(name)
        history = demo.generate(prof, setting="Demo", start=START, end=END)
        kinds = Counter(type(e).__name__ for e in history)
        for kind in (
            "PolicyAdopted",
            "TermDatesRecorded",
            "PersonJoined",
            "RoleAssigned",
            "DeviceRegistered",
            "ChildEnrolled",
            "GuardianLinked",
            "ChildLeft",
            "PostPublished",
            "PostRemoved",
            "ConcernRaised",
            "ConcernAddressed",
            "DisciplinaryReferred",
            "DisciplinaryDecided",
        ):
            assert kinds[kind] > 0, (name, kind)
        if any(c.child_images == "consent" for c in prof.channels.values()):
            assert kinds["ConsentGranted"] > kinds["ChildEnrolled"] // 2, name
            assert kinds["ConsentWithdrawn"] > 0, name
        if prof.group_channel is not None:
            assert kinds["MemberAdmitted"] > 0 and kinds["MemberRemoved"] > 0, name
        if prof.is_on("contact-without-permission"):
            assert kinds["CommunicationPermitted"] > 0 and kinds["ChildContacted"] > 0, name
        assert kinds["FindingAcknowledged"] > 0 or not prof.is_on("unauthorised-poster"), name
        # Most events are in date order; a few are filed late.
        late = sum(1 for a, b in itertools.pairwise(history) if b.on < a.on)
        assert 0 < late < len(history) * 0.06, (name, late, len(history))
        assert demo.planted(prof, start=START, end=END), name


def test_friendship_exceptions_only_where_allowed() -> None:
    for name in shipped():
        prof = profiles.load(name)
        history = demo.generate(
            prof, setting="Demo", start=dt.date(2023, 9, 1), end=END, children=80
        )
        grants = [e for e in history if isinstance(e, events.FriendshipExceptionGranted)]
        allowed = prof.is_on("connection-without-exception") and prof.friendship_exception in (
            "pre-existing",
            "declared",
        )
        assert bool(grants) == allowed, name


def test_scale_sizes_and_validity() -> None:
    name = "south-woodham-preschool" if "south-woodham-preschool" in shipped() else shipped()[0]
    prof = profiles.load(name)
    history = list(demo.scale(prof, setting="Big", events=20_000, seed=2, end=END))
    assert 18_000 <= len(history) <= 22_000
    start = history[0].on
    assert problems(history, prof, start, END) == []
    assert max(e.on for e in history) <= END
    years = {e.on.year for e in history}
    assert len(years) >= 2


def test_scale_is_a_lazy_iterator() -> None:
    prof = profiles.load(shipped()[0])
    stream = demo.scale(prof, setting="Big", events=500, seed=1, end=END)
    assert iter(stream) is stream
    assert len(list(stream)) <= 500


def test_demo_size_makes_a_ledger_of_about_that_many_facts(
    workdir: Path, new_db: NewDb, capsys: pytest.CaptureFixture[str]
) -> None:
    """`ledger demo --size N` (issue 14, item 6): the bench's generator, streamed into a real
    ledger on either store, which then verifies and judges like any other; a size out of range
    is refused with the range, and nothing is made."""
    from tests.test_cli import run

    db = new_db("sized.db")
    made = run(capsys, "--db", db, "demo", "--size", "1500", "--seed", "3")
    assert made.status == 0, made.text
    recorded = int(re.search(r"history of ([0-9,]+) facts", made.out)[1].replace(",", ""))  # type: ignore[index]
    assert 1400 <= recorded <= 1500, made.out
    exported = run(capsys, "--db", db, "export")
    assert len(exported.out.splitlines()) >= recorded + 1  # SettingRegistered first, checkpoints
    assert run(capsys, "--db", db, "verify").status == 0
    found = run(capsys, "--db", db, "findings", "--json")
    assert found.status == 0 and json.loads(found.out), "a scaled history has problems too"

    other = new_db("refused.db")
    for size in ("5", "20000000"):
        refused = run(capsys, "--db", other, "demo", "--size", size)
        assert refused.status == 2 and "from 100 to 10,000,000" in refused.err, refused.text
    assert not holds_ledger(other)
