"""Properties of the posting refinements (issue 18, DESIGN.md section 5): posters by kind and
purpose, ``own-children``, ``purpose-not-allowed`` and the setting's devices for its own people.

For random small histories (children enrolled and leaving, guardians linked, people of every
kind joining and leaving, roles, a tablet, group members, posts on every shape of channel with
and without a purpose, some removed):

- the findings of the posting rules equal the independent reference evaluation
  (``tests/reference.py``, written from ``site/rules.md``);
- ``check post`` (``post_problems``) names exactly the rules the recorded post is found to
  break, over the whole registers and over only the entries ``check post`` reads.
"""

from __future__ import annotations

import datetime as dt

import hypothesis.strategies as st
from hypothesis import given

from ledger import events as ev
from ledger.decisions import Refused, decide
from ledger.profile import Profile, decode
from projections import registers as reg
from projections.findings import evaluate
from projections.rules.posting import post_problems
from tests.reference import reference_findings

START = dt.date(2025, 9, 1)
AS_OF = dt.date(2025, 11, 30)
TODAY = dt.date(2026, 1, 1)
POST_RULES = (
    "consent-missing",
    "child-image-forbidden",
    "unauthorised-poster",
    "non-setting-device",
    "purpose-not-allowed",
)
PURPOSES: list[ev.Purpose | None] = [None, "promotion", "news", "activity", "discussion", "other"]
KINDS: list[ev.PersonKind] = ["staff", "volunteer", "student", "committee", "visitor"]

# Every shape of posting channel at once.
PROFILE_TEXT = """
name = "posting-test"
title = "Posting Test Setting"
policy = "A test policy"
source = "posting-test.txt"

[channels.closed-group]
posters = ["any-member"]
child_images = "consent"
group = true
says = "The group."

[channels.public-page]
posters = ["manager", "chair"]
child_images = "consent"
purposes = ["promotion", "news"]
says = "For promotion and news."

[channels.facebook-page]
posters = ["manager", "any-person"]
child_images = "never"
poster_purposes = ["promotion"]
purposes = ["promotion", "activity"]
says = "Anyone at the setting, for promotion."

[channels.parents-page]
posters = ["guardians", "social-media-officer"]
child_images = "own-children"
says = "Parents, their own children."

[channels.personal-account]
posters = ["any-person", "guardians"]
child_images = "own-children"
poster_purposes = ["promotion", "news"]
says = "Anyone, for promotion or news; a parent's own child."
""" + "".join(
    f'\n[rules.{rule}]\nsays = "test"\ncite = ["posting-test.txt:1"]\n{extra}'
    for rule, extra in [
        ("consent-missing", ""),
        ("child-image-forbidden", ""),
        ("unauthorised-poster", ""),
        ("non-setting-device", "require_setting_device = true\n"),
        ("purpose-not-allowed", ""),
    ]
)
PROFILE = decode(PROFILE_TEXT, "posting-test.toml")
CHANNELS = sorted(PROFILE.channels)

day_numbers = st.integers(min_value=0, max_value=60)


def day(n: int) -> dt.date:
    return START + dt.timedelta(days=n)


@st.composite
def histories(draw: st.DrawFn) -> list[ev.Event]:
    """A random history, in record order (not always in day order)."""
    events: list[ev.Event] = [ev.DeviceRegistered(on=START, device="T-01")]
    children = [f"C-000{i}" for i in range(1, 4)]
    for child in children:
        events.append(ev.ChildEnrolled(on=day(draw(day_numbers)), child=child, name="Test Child"))
    for child in children:
        if draw(st.booleans()):
            events.append(ev.ChildLeft(on=day(draw(st.integers(30, 60))), child=child))
    guardians = [f"G-000{i}" for i in range(1, 4)]
    for guardian in guardians:
        for child in draw(st.lists(st.sampled_from(children), min_size=1, max_size=2, unique=True)):
            link = ev.GuardianLinked(
                on=day(draw(day_numbers)), guardian=guardian, name="Test Parent", child=child
            )
            events.append(link)
    persons = [f"S-000{i}" for i in range(1, 5)]
    for person in persons:
        kind = draw(st.sampled_from(KINDS))
        joined = day(draw(st.integers(0, 20)))
        events.append(ev.PersonJoined(on=joined, person=person, name="Test Staff", kind=kind))
        for role in draw(
            st.lists(st.sampled_from(["manager", "chair", "social-media-officer"]), max_size=2)
        ):
            events.append(ev.RoleAssigned(on=joined, person=person, role=role))
        if draw(st.booleans()):
            events.append(ev.PersonLeft(on=day(draw(st.integers(25, 60))), person=person))
    if draw(st.booleans()):
        events.append(ev.DeviceRetired(on=day(draw(st.integers(10, 60))), device="T-01"))
    for member in draw(st.lists(st.sampled_from(guardians + persons), max_size=4, unique=True)):
        events.append(ev.MemberAdmitted(on=day(draw(day_numbers)), member=member))
    for child in draw(st.lists(st.sampled_from(children), max_size=2, unique=True)):
        events.append(
            ev.ConsentGranted(
                on=day(draw(day_numbers)),
                child=child,
                guardian=next(g for g in guardians if g),  # any guardian: refused if unlinked
                channel=draw(st.sampled_from(["closed-group", "public-page"])),
                evidence="F-1",
                method="paper",
            )
        )
    for n in range(draw(st.integers(1, 8))):
        post = f"P-000{n + 1}"
        on = draw(st.integers(0, 60))
        events.append(
            ev.PostPublished(
                on=day(on),
                post=post,
                channel=draw(st.sampled_from(CHANNELS)),
                author=draw(st.sampled_from(guardians + persons)),
                depicts=draw(st.lists(st.sampled_from(children), max_size=2, unique=True)),
                device=draw(st.sampled_from([None, "T-01", "own-phone"])),
                purpose=draw(st.sampled_from(PURPOSES)),
            )
        )
        if draw(st.booleans()):
            remover = draw(st.sampled_from(persons))
            removed = day(on + draw(st.integers(0, 10)))
            events.append(ev.PostRemoved(on=removed, post=post, by=remover, reason="other"))
    return events


def recorded(events: list[ev.Event]) -> tuple[reg.Registers, list[ev.Event]]:
    """The registers of the facts the ledger would take (each checked by ``decide``; a refused
    one is left out, as the ledger would leave it), and those facts."""
    registers = reg.rebuild(
        [(1, ev.SettingRegistered(on=dt.date(2020, 1, 1), name="Test", profile="posting-test"))]
    )
    kept: list[ev.Event] = []
    for event in events:
        try:
            decide(registers, PROFILE, event, today=TODAY)
        except Refused:
            continue
        kept.append(event)
        reg.apply(registers, event, len(kept) + 1)
    return registers, kept


def _rows(found: list[tuple[str, str, dt.date, dt.date | None]]) -> list[tuple[str, ...]]:
    return sorted(
        (rule, subject, since.isoformat(), "" if end is None else end.isoformat())
        for rule, subject, since, end in found
    )


@given(histories())
def test_posting_findings_equal_the_reference(events: list[ev.Event]) -> None:
    registers, kept = recorded(events)
    ours = [
        (f.rule, f.subject, f.since, f.resolved_on)
        for f in evaluate(registers, PROFILE, AS_OF)
        if f.rule in POST_RULES
    ]
    theirs = [
        (f.rule, f.subject, f.since, f.resolved_on)
        for f in reference_findings(kept, PROFILE, AS_OF)
        if f.rule in POST_RULES
    ]
    assert _rows(ours) == _rows(theirs)


@given(histories())
def test_check_post_names_the_rules_the_recorded_post_breaks(events: list[ev.Event]) -> None:
    registers, kept = recorded(events)
    found: dict[str, set[str]] = {}
    for f in evaluate(registers, PROFILE, AS_OF):
        if f.rule in POST_RULES:
            found.setdefault(f.subject, set()).add(f.rule)
    for post in (e for e in kept if isinstance(e, ev.PostPublished)):
        # Only the entries `check post` reads (and a guardian author's own children).
        partial = reg.Registers()
        wanted = reg.post_entries(post.channel, post.author, post.depicts, post.device)
        links = registers.guardians.get(post.author, [])
        wanted += [("children", link.child) for link in links]
        for section, name in wanted:
            value = getattr(registers, section).get(name)
            if value is not None:
                getattr(partial, section)[name] = value
        for source in (registers, partial):
            answer = post_problems(
                source,
                PROFILE,
                channel=post.channel,
                author=post.author,
                depicts=post.depicts,
                device=post.device,
                day=post.on,
                purpose=post.purpose,
            )
            assert {rule for rule, _ in answer} == found.get(post.post, set()), post


def test_the_profile_has_every_shape() -> None:
    """The histories above meet each refinement (a guard against a profile that tests less)."""
    assert isinstance(PROFILE, Profile)
    shapes = {(tuple(c.posters), c.child_images) for c in PROFILE.channels.values()}
    assert ("any-person", "guardians") in {p for p, _ in shapes}
    assert "own-children" in {images for _, images in shapes}
    assert any(c.purposes for c in PROFILE.channels.values())
    assert any(c.poster_purposes for c in PROFILE.channels.values())
    assert PROFILE.require_setting_device and PROFILE.is_on("purpose-not-allowed")
