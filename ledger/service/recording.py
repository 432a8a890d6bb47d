"""Recording facts (``ledger.service``): all or none, each decided against everything before it;
and what a recorded fact changed (the findings it opened or resolved, the posts a withdrawal
leaves up), for the recording commands to say at once.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass

from ledger import events as ev
from ledger import integrity, recording
from ledger import warnings as alerts
from ledger.decisions import Refused
from ledger.importer import BadInput, decode_object
from ledger.profile import Profile
from ledger.service.errors import FactRefused, Refusal
from ledger.store import SAVE_EVERY, Clock, Ledger, LedgerError, NothingToRecord, today
from ledger.warnings import mentioned
from projections import registers as reg
from projections import wording
from projections.findings import Episode

# Facts with where each came from: the line of its file (None for a command's options). A
# function gives them afresh each time it is called (a file read again, a line at a time).
Facts = Sequence[tuple[int | None, ev.Event]] | Callable[[], Iterator[tuple[int, ev.Event]]]


def record(
    ledger: Ledger,
    facts: Facts,
    signer: integrity.Signer,
    clock: Clock,
    *,
    progress: Callable[[int], None] | None = None,
    registers: reg.Registers | None = None,
    name: str | None = None,
) -> range:
    """Record ``facts`` all or none, and return their positions; ``registers`` at the head if
    the caller has them already (``Ledger.record``), ``name`` the file they came from.

    Raises ``FactRefused`` naming the line (or the option) and the field of the first fact that
    cannot be recorded, or that cannot be read; ``Refusal`` for an empty file or a ledger that
    cannot take them. Nothing is written then.
    """

    def read() -> Iterator[tuple[int | None, ev.Event]]:
        return facts() if callable(facts) else iter(facts)

    try:
        return ledger.record(
            lambda: (event for _, event in read()),
            signer,
            clock,
            progress=progress,
            registers=registers,
        )
    except Refused as refusal:
        ledger.close()  # its files as they were (no working file left by a reader of names)
        index = refusal.index
        line = next(itertools.islice(read(), index, None))[0]
        raise FactRefused(line, refusal.field, refusal.message) from None
    except BadInput as bad:
        raise FactRefused(bad.line, bad.field, bad.message) from None
    except NothingToRecord:
        raise Refusal(f"{name}: no facts in the file (nothing was recorded)") from None
    except LedgerError as exc:
        raise Refusal(str(exc)) from None


def fact_from_options(
    command: recording.Command,
    options: Mapping[str, str | None],
    on: dt.date | None,
    clock: Clock,
) -> ev.Event:
    """The fact a recording command's options give (``ledger consent grant --child ...``):
    the same JSON object an import line would hold, decoded and checked the same way.
    ``options`` maps each of the event's fields to its option's text (None if not given);
    ``on`` is the day it happened (None for today)."""
    obj: dict[str, object] = {"type": command.event.__name__}
    obj["on"] = (on or today(clock)).isoformat()
    for field in recording.fields(command.event):
        text = options.get(field.name)
        if text is None and recording.is_list(command.event, field):
            text = ""
        if text is None:
            continue
        value: object = text
        if recording.is_list(command.event, field):
            value = [v.strip() for v in text.split(",") if v.strip()]
        elif recording.is_int(command.event, field):
            try:
                value = int(text)
            except ValueError:
                raise Refusal(f"refused: {recording.option(field)}: expected a number") from None
        obj[field.encode_name] = value
    try:
        return decode_object(obj, None)
    except BadInput as bad:
        raise FactRefused(None, bad.field, bad.message + _meant(command, options, bad)) from None


def _meant(command: recording.Command, options: Mapping[str, str | None], bad: BadInput) -> str:
    """ "; did you mean `group-admin`?" for an option whose value is close to one it accepts.
    Only the accepted value is shown, never what was typed (it could be a name)."""
    for field in recording.fields(command.event):
        if field.encode_name == bad.field:
            typed = options.get(field.name) or ""
            meant = wording.did_you_mean(typed, recording.accepted(command.event, field))
            return f"; did you mean `{meant}`?" if meant and meant != typed else ""
    return ""


@dataclass(frozen=True)
class Before:
    """The registers at the head, read once before a fact is recorded, and what the fact's
    findings were then: to tell afterwards what the fact changed."""

    registers: reg.Registers
    profile: Profile
    episodes: list[Episode]


def entries_to_record(event: ev.Event) -> list[reg.EntryKey] | None:
    """The entries of the registers that deciding ``event`` and telling what it changed read,
    where they are known (a post: whether its reference was used, its children and their
    consent on its channel, its author's standing, roles and membership, its device; and the
    children a guardian author is linked to, ``registers_to_record``); None for the other
    kinds of fact, which are decided on all the registers."""
    if isinstance(event, ev.PostPublished):
        found = reg.post_entries(event.channel, event.author, event.depicts, event.device)
        return [reg.post_entry(event.post), *found]
    return None


def registers_to_record(ledger: Ledger, event: ev.Event) -> reg.Registers:
    """The registers at the head to decide ``event`` on and tell what it changed from: only
    the entries it reads (``entries_to_record``), from the saved entries and the facts since
    them, where it says which and those are near the head (``store.SAVE_EVERY`` facts); else
    all of them."""
    wanted = entries_to_record(event)
    if wanted is None or ledger.head() - ledger.saved_position() > SAVE_EVERY:
        return ledger.registers()
    registers = ledger.registers_for(wanted)
    if not ledger.is_partial(registers):
        return registers  # (no saved entries to read: all of them)
    # A guardian's right to post, or to post their own children, reads their children too.
    linked = {("children", link.child) for ref in mentioned(event) for link in
              registers.guardians.get(ref, ())}  # fmt: skip
    if linked - set(wanted):
        registers = ledger.registers_for([*wanted, *sorted(linked)])
    return registers


def before_recording(ledger: Ledger, event: ev.Event) -> Before:
    """What ``event``'s findings are before it is recorded (the registers read once: the write
    then decides on them, and leaves them holding the new fact): of the few entries it reads
    where those are known (``registers_to_record``), else of all the registers."""
    registers = registers_to_record(ledger, event)
    profile = ledger.profile
    return Before(registers, profile, alerts.episodes(registers, profile, event))


def told_after(
    ledger: Ledger, before: Before, event: ev.Event, position: int, clock: Clock
) -> list[str]:
    """What recording ``event`` at ``position`` changed, in lines to show: the findings it
    opened or resolved, what to do and by when (``ledger.warnings``)."""
    registers = before.registers
    if registers.position != position:  # another writer came first: read them again
        registers = ledger.registers(upto=position)
    after = alerts.episodes(registers, before.profile, event)
    told = alerts.told(event, before.episodes, after, registers, before.profile)
    return alerts.lines(told, today(clock))
