"""Reading the ledger (``ledger.service``): the findings as of a day (and as the ledger knew
them at a time), and ``check post``, the question asked before anything is posted.
"""

from __future__ import annotations

import datetime as dt
import shlex
import typing
from dataclasses import dataclass

from ledger import events as ev
from ledger import integrity
from ledger.decisions import Refused, decide
from ledger.importer import BadInput, decode_object
from ledger.profile import Profile
from ledger.service.errors import FactRefused, Refusal
from ledger.store import Clock, Ledger, today
from projections import findings as fnd
from projections import registers as reg
from projections import status, wording
from projections.rules.posting import post_problems

PURPOSES: tuple[str, ...] = typing.get_args(ev.Purpose)  # what a post may be for


def registers_known_at(ledger: Ledger, known_at: dt.datetime | None) -> reg.Registers:
    """The registers at the head (saved, if the saved ones are behind); or, ``known_at`` a
    time, as the ledger knew them then: up to its last checkpoint signed by that time."""
    if known_at is None:
        registers = ledger.registers()
        ledger.save_if_behind(registers)
        return registers
    size = 0
    for stored in ledger.checkpoints():
        record = integrity.decode_record(stored.state)
        if record.signed_at <= known_at:
            size = record.size
    return ledger.registers(upto=size)


def nothing_yet(registers: reg.Registers) -> None:
    """Refuse to judge registers that hold nothing (a time before the ledger existed)."""
    if registers.position == 0:
        raise Refusal("the ledger held nothing at that time (it did not exist yet)")


@dataclass(frozen=True)
class Findings:
    """The findings as of ``day`` (as the ledger knew them at ``known_at``, if given) of the
    facts up to ``position`` in ``setting``, judged by ``profile``; ``hidden`` counts the
    resolved ones left out."""

    found: list[fnd.Finding]
    setting: str
    position: int
    profile: Profile
    day: dt.date
    known_at: dt.datetime | None
    hidden: int


def findings(
    ledger: Ledger,
    clock: Clock,
    *,
    as_of: dt.date | None = None,
    known_at: dt.datetime | None = None,
    open_only: bool = False,
    keep_registers: bool = True,
) -> Findings:
    """The findings as of ``as_of`` (default today): open and resolved, or only the open ones.

    At the head, the episodes ``ledger follow`` keeps (bound to the head) are read, so that
    the findings as of any day are the episodes cut at that day, without the history read
    again; with no follower they are judged here (and not saved: a reading command changes
    nothing). As the ledger knew them at an earlier
    time (``known_at``), the registers then are folded and judged afresh. Registers read at
    the head are saved if the saved ones are behind, unless ``keep_registers`` is False (a
    federation's view writes nothing to its members)."""
    profile = ledger.profile
    if known_at is None:
        judged = ledger.saved_judged()
        if judged is None:  # no follower has kept them at this head: judged here, not saved
            registers = registers_known_at(ledger, None) if keep_registers else ledger.registers()
            nothing_yet(registers)
            judged = ledger.judge(registers)
        episodes, setting, position = judged.episodes, judged.setting, judged.position
    else:
        registers = registers_known_at(ledger, known_at)
        nothing_yet(registers)
        episodes = fnd.all_episodes(registers, profile)
        setting, position = registers.setting, registers.position
    day = as_of or today(clock)
    found = fnd.as_of(episodes, day)
    hidden = 0
    if open_only:
        hidden = sum(1 for f in found if f.status != "open")
        found = [f for f in found if f.status == "open"]
    return Findings(found, setting, position, profile, day, known_at, hidden)


@dataclass(frozen=True)
class PostQuestion:
    """May this be posted? On ``channel`` by ``author``, showing ``depicts``, taken on
    ``device``, going up on ``day`` (None: today), for ``purpose`` (None: not said)."""

    channel: str
    author: str
    depicts: list[str]
    device: str | None
    day: dt.date | None = None
    purpose: str | None = None

    @classmethod
    def of(
        cls,
        channel: str,
        author: str,
        depicts: str,
        device: str | None,
        day: dt.date | None,
        purpose: str | None = None,
    ) -> PostQuestion:
        """The question from a command's text: ``depicts`` a comma-separated list."""
        children = [c.strip() for c in (depicts or "").split(",") if c.strip()]
        return cls(channel, author, children, device, day, purpose)


@dataclass(frozen=True)
class PostAnswer:
    """The answer: no ``problems`` (rule, detail) means yes, it may be posted. ``purposes``:
    what the channel is kept for, or what its posters may post for (empty: any)."""

    channel: str
    day: dt.date
    problems: list[tuple[str, str]]
    purposes: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.problems


def post_registers(ledger: Ledger, question: PostQuestion) -> reg.Registers:
    """Only the registers' entries this question is about: its time does not grow with the
    ledger. A guardian author's own children too (whether one is enrolled decides whether
    ``guardians`` may post), read once their links are known."""
    wanted = reg.post_entries(question.channel, question.author, question.depicts, question.device)
    registers = ledger.registers_for(wanted)
    links = registers.guardians.get(question.author, [])
    extra = [("children", link.child) for link in links if link.child not in registers.children]
    return ledger.registers_for([*wanted, *extra]) if extra else registers


def judge_post(
    registers: reg.Registers, profile: Profile, question: PostQuestion, clock: Clock
) -> PostAnswer:
    """Judge the post as if recorded now (an unused post reference): refused if it could not
    be a fact of this ledger; else what the policy says against it, if anything."""
    day = question.day or today(clock)
    if question.purpose is not None and question.purpose not in PURPOSES:
        meant = wording.did_you_mean(question.purpose, PURPOSES)
        raise FactRefused(
            None,
            "purpose",
            f"{question.purpose!r} is not a purpose (expected one of: {', '.join(PURPOSES)})"
            + (f"; did you mean `{meant}`?" if meant else ""),
        )
    unused = next(f"P-{n}" for n in range(999_999_999, 0, -1) if f"P-{n}" not in registers.posts)
    obj: dict[str, object] = {
        "type": "PostPublished",
        "on": day.isoformat(),
        "post": unused,
        "channel": question.channel,
        "author": question.author,
        "depicts": question.depicts,
    }
    if question.device:
        obj["device"] = question.device
    if question.purpose is not None:
        obj["purpose"] = question.purpose
    try:
        event = decode_object(obj, None)
        assert isinstance(event, ev.PostPublished)
        decide(registers, profile, event, today(clock))
    except BadInput as bad:
        raise FactRefused(None, bad.field, bad.message) from None
    except Refused as refusal:
        raise FactRefused(None, refusal.field, refusal.message) from None
    problems = post_problems(
        registers,
        profile,
        channel=event.channel,
        author=event.author,
        depicts=event.depicts,
        device=event.device,
        day=day,
        purpose=event.purpose,
    )
    chan = profile.channels[event.channel]
    purposes = tuple(chan.purposes or chan.poster_purposes)
    return PostAnswer(event.channel, day, problems, purposes)


def publish_command(question: PostQuestion, answer: PostAnswer) -> str:
    """The command that records the post a Yes allowed, as it was asked about."""
    q = shlex.quote
    parts = ["ledger post publish --post REF", f"--channel {q(question.channel)}"]
    parts.append(f"--author {q(question.author)}")
    if question.depicts:
        parts.append(f"--depicts {q(','.join(question.depicts))}")
    if question.device:
        parts.append(f"--device {q(question.device)}")
    if question.purpose is not None:
        parts.append(f"--purpose {q(question.purpose)}")
    parts.append(f"--on {answer.day.isoformat()}")
    return " ".join(parts)


def check_post(ledger: Ledger, question: PostQuestion, clock: Clock) -> PostAnswer:
    """``check post``: may this be posted?"""
    profile = ledger.profile
    return judge_post(post_registers(ledger, question), profile, question, clock)


def a_post_to_check(ledger: Ledger, day: dt.date) -> str | None:
    """A realistic `check post` for the demo: a current manager and a consented child (the
    command's options, or None if the ledger has none)."""
    r = ledger.registers()
    profile = ledger.profile
    for channel, chan in profile.channels.items():
        if chan.child_images != "consent":
            continue
        author = next(
            (
                p
                for p in r.persons
                if any(
                    status.holds_role(r, p, role, day)
                    for role in chan.posters
                    if role != "any-member"
                )
            ),
            None,
        )
        child = next(
            (
                c
                for c in r.children
                if status.enrolled(r, c, day) and status.consent_active(r, c, channel, day)
            ),
            None,
        )
        device = next((d for d in r.devices if status.in_service(r, d, day)), None)
        if author and child:
            extra = f" --device {device}" if device else ""
            return f"--channel {channel} --author {author} --depicts {child}{extra}"
    return None
