"""The person index checked against the facts (``Ledger.people_faults``, for ``verify``).

The index lists, for each fact, the people it names (``privacy.people_in``). ``verify`` reads
every fact and every row of the index once, side by side, in position order, and names each
position where they differ. Decoding each fact into its type to ask whom it names cost more
than everything else ``verify`` does (2.5 s at 200,000 facts); here the people a fact names are
read from its stored bytes as plain MessagePack (``named``): the same people, for every fact
(a test holds them equal to ``people_in`` of the decoded fact, for every type of fact), at a
third of the cost.
"""

from __future__ import annotations

import re
import struct
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import msgspec

_REF = re.compile(r"[CGS]-[0-9]{1,9}").fullmatch
_decode: Callable[[bytes], Any] = msgspec.msgpack.Decoder().decode
LIMIT = 20  # faults named before ``verify`` stops looking

Row = tuple[int, str, bytes]  # position, topic, the stored bytes


def _person(value: str) -> bool:
    """``privacy._is_person``: a whole reference to a child, a parent or carer, or a member."""
    return 3 <= len(value) <= 11 and value[1] == "-" and _REF(value) is not None


def named(position: int, topic: str, state: bytes) -> set[str]:
    """The people a stored fact names, as ``privacy.people_in`` of its event: each part of its
    subject (in its topic, which its leaf covers), and each of its fields' values, or item of
    a list, that is a person's reference.

    The stored envelope (``mapper.Envelope``: record time, the event, its sealed parts) is read
    as plain MessagePack: the event is a map of its fields (its type under ``type``, a name, a
    fact type, never a reference). Only strings and lists of strings are looked at, as
    ``people_in`` does: a date, a number, a nested value is never a reference. Raises
    ``ValueError`` (msgspec's ``DecodeError``) for bytes that are not an envelope."""
    _, _, subject = topic.partition(":")
    found = {part for part in subject.split("/") if _person(part)}
    envelope = _decode(state)
    if type(envelope) is not list or len(envelope) != 3 or type(envelope[1]) is not dict:
        raise msgspec.DecodeError("not a stored envelope")
    ref = _REF
    for value in envelope[1].values():  # ``_person`` written out: it is called a million times
        kind = value.__class__
        if kind is str:
            if 2 < len(value) < 12 and value[1] == "-" and ref(value) is not None:
                found.add(value)
        elif kind is list:
            found.update(
                item
                for item in value
                if item.__class__ is str
                and 2 < len(item) < 12
                and item[1] == "-"
                and ref(item) is not None
            )
    return found


class Checker:
    """The facts, pushed one at a time in position order (``push``), against the index rows
    ``listed`` (its (position, reference) rows in order): ``found`` holds each position it lists
    that is no fact's, and each fact whose people it lists wrongly, the first ``LIMIT`` (with
    those ``found`` had before), then a line saying there may be more. Facts after ``upto``
    (the position the index says it is complete to) are not looked at.

    Push-driven, so that ``verify`` checks the index against the very rows it reads to hash,
    while it reads them (``Ledger.verify``), in each of its two processes."""

    __slots__ = ("_listed", "_pending", "_people_of", "complete", "done", "found", "upto")

    def __init__(
        self,
        listed: Iterator[tuple[int, str]],
        upto: int,
        people_of: Callable[[int, str, bytes], set[str]] = named,
        found: list[str] | None = None,
    ) -> None:
        self._listed = listed
        self._pending: tuple[int, str] | None = None
        self._people_of = people_of
        self.upto = upto
        self.found: list[str] = [] if found is None else found
        # ``done``: nothing more to look at; ``complete``: and ``found`` is the answer (every
        # fact up to ``upto`` seen, or enough said), not a check cut short by a fact that could
        # not be read (then the facts are not intact: ``verify`` says so, and no more).
        self.done = self.complete = len(self.found) > LIMIT or upto <= 0
        if not self.done:
            self._pending = next(listed, None)

    def push(self, position: int, topic: str, state: bytes) -> None:
        if self.done:
            return
        if position > self.upto:
            self.done = True
            return
        found, listed, pending = self.found, self._listed, self._pending
        indexed: set[str] = set()
        while pending is not None and pending[0] < position:
            found.append(f"the person index lists position {pending[0]:,}, no fact's")
            pending = next(listed, None)
        while pending is not None and pending[0] == position:
            indexed.add(pending[1])
            pending = next(listed, None)
        self._pending = pending
        try:
            people = self._people_of(position, topic, state)
        except Exception:  # stored bytes that do not decode: the check of the facts names them
            self.done = True
            return
        if indexed != people:
            found.append(
                f"the person index is wrong at position {position:,}: it lists"
                f" {', '.join(sorted(indexed)) or 'nobody'} where the fact names"
                f" {', '.join(sorted(people)) or 'nobody'}"
            )
        if len(found) >= LIMIT:
            found.append(MORE)
            self.done = self.complete = True
        elif position == self.upto:
            self.done = self.complete = True

    def tap(self, rows: Iterable[Row]) -> Iterator[Row]:
        """The rows as they are, each pushed as it passes."""
        push = self.push
        for row in rows:
            push(*row)
            yield row


MORE = "(and perhaps more: the first twenty are shown)"


def faults(
    rows: Iterable[Row],
    listed: Iterator[tuple[int, str]],
    upto: int,
    people_of: Callable[[int, str, bytes], set[str]] = named,
    found: list[str] | None = None,
) -> list[str]:
    """``Checker``'s faults, the rows given at once (a fact that cannot be read raises, as
    reading it as its type would)."""
    checker = Checker(listed, upto, people_of, found)
    for row in rows:
        checker.push(*row)
        if checker.done:
            break
    if checker.done and not checker.complete:
        people_of(*row)  # the fact that could not be read: its error
    return checker.found


def joined(first: list[str], then: list[str]) -> list[str]:
    """The faults of the facts up to a position, and of those after it (each from a checker
    of its own, the second's counted from none), as one checker of them all would give."""
    if first and first[-1] == MORE:
        return first
    more = then[-1:] == [MORE]
    together = first + (then[:-1] if more else then)
    if len(together) >= LIMIT:
        return [*together[:LIMIT], MORE]
    return together


# The second process's answer (``ledger.leafhashing``) when it checks the index too: its leaf
# hashes, then its faults (JSON: a list of lines, or null if it could not check), then the
# length of that JSON (8 bytes, big-endian).
_LENGTH = struct.Struct(">Q")
_faults_json = msgspec.json.Decoder(list[str] | None)


def with_faults(leaves: bytes, found: list[str] | None) -> bytes:
    return leaves + trailer(found)


def trailer(found: list[str] | None) -> bytes:
    """What follows the leaf hashes (``with_faults``), written after them."""
    text = msgspec.json.encode(found)
    return text + _LENGTH.pack(len(text))


def split(data: bytes | bytearray) -> tuple[bytes | bytearray | None, list[str] | None]:
    """``with_faults`` undone: the leaf hashes and the faults; (None, None) if it is not that.
    A ``bytearray`` is cut in place (the leaf hashes of a million facts are 32 MB: not
    copied), and given back as the leaf hashes."""
    if len(data) < _LENGTH.size:
        return None, None
    (length,) = _LENGTH.unpack(data[-_LENGTH.size :])
    end = len(data) - _LENGTH.size
    if length > end:
        return None, None
    try:
        found = _faults_json.decode(data[end - length : end])
    except (msgspec.DecodeError, msgspec.ValidationError):
        return None, None
    if isinstance(data, bytearray):
        del data[end - length :]
        return data, found
    return data[: end - length], found
