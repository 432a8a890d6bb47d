"""Caches bound to the history they were computed from (issue 12, item 6).

Everything the ledger keeps beside its facts (the saved registers and their position mark, the
entries ``check post`` reads one by one, the site's numbers) is a cache: worked out from the
facts up to a position, and saved so that a later command need not work it out again. A cache
from another history of the same ledger (a wrong backup, a copy from another machine, rows
written by hand) would change answers while the facts stay intact. So every cache is saved
*bound*: its bytes begin with a header naming the head it was computed for (the tree size, the
sequence of the signed checkpoint at that size and the tree's root there) and a digest over
that head and the cache's own bytes.

A cache is used only when its header says it is for the position it is stored at, the ledger's
own checkpoint of that sequence has that size and root (one row read), and the digest matches
its bytes. Otherwise it is ignored and the answer is worked out from the facts; ``verify``
names it. What a binding shows: that the cache was made for a head of *this* history and has
not been changed since. What it cannot show: that whoever made it folded the facts honestly (a
cache is not signed; anyone able to write to the ledger can write one that looks bound).
"""

from __future__ import annotations

import hashlib
import struct
from collections.abc import Callable
from typing import Literal

import msgspec

from ledger.checkpoint import Checkpoint

# No MessagePack value begins with 0xc1 (the one byte it never uses), nor does an empty state:
# so no cache saved before caches were bound can be taken for a bound one.
MAGIC = b"\xc1LCB1"
_DOMAIN = b"policy-ledger cache v1\x00"

Fault = Literal["unbound", "altered", "moved", "foreign"]


class Head(msgspec.Struct, frozen=True, array_like=True):
    """A head of the ledger's history: its size, the signed checkpoint at it, and the root."""

    size: int
    sequence: int
    root: bytes


# The header after MAGIC: size, sequence, root (what the cache is bound to), then the digest of
# those 48 bytes and the content. Fixed widths: every byte of it is the one encoding of what it
# says, and reading it is one unpack.
_BOUND = struct.Struct(">QQ32s")
_HEADER = struct.Struct(">QQ32s32s")
HEADER_SIZE = len(MAGIC) + _HEADER.size


def _digest(bound: bytes | memoryview, content: bytes | memoryview) -> bytes:
    hasher = hashlib.sha256(_DOMAIN)
    hasher.update(bound)
    hasher.update(content)
    return hasher.digest()


def bind(head: Head, content: bytes) -> bytes:
    """The stored bytes of a cache computed for ``head``: its header, then ``content``."""
    bound = _BOUND.pack(head.size, head.sequence, head.root)  # raises unless they fit
    if len(head.root) != 32:
        raise ValueError("a root is 32 bytes")
    return MAGIC + bound + _digest(bound, content) + content


def unbind(state: bytes, position: int, head_at: Callable[[int], Head | None]) -> bytes | Fault:
    """The content of a stored cache if it is bound to this ledger's history at ``position``
    (where it is stored), else what is wrong with it.

    ``head_at(sequence)`` gives the ledger's own head at its checkpoint of that sequence (None
    if the ledger has no such checkpoint, or it does not decode): one row read. Never raises
    on hostile bytes.
    """
    opened = _open(state, position, head_at)
    return opened if isinstance(opened, str) else state[opened:]


class Checker:
    """What is wrong with each of many stored caches (``unbind``'s checks), for ``verify``: a
    head is compared once for all the rows bound to it, and no content is copied (the
    registers are tens of megabytes; the entries, hundreds of thousands of rows)."""

    def __init__(self, head_at: Callable[[int], Head | None]) -> None:
        self._head_at = head_at
        self._bound: dict[bytes, tuple[int, bool]] = {}  # a header's bound part: size, ours

    def fault(self, state: bytes, position: int) -> Fault | None:
        if not state.startswith(MAGIC):
            return "unbound"
        if len(state) < HEADER_SIZE:
            return "altered"
        start = len(MAGIC)
        bound = state[start : start + _BOUND.size]
        known = self._bound.get(bound)
        if known is None:
            size, sequence, root = _BOUND.unpack(bound)
            ours = self._head_at(sequence) == Head(size, sequence, root)
            known = self._bound[bound] = (size, ours)
        if known[0] != position:
            return "moved"
        if not known[1]:
            return "foreign"
        if (
            _digest(bound, memoryview(state)[HEADER_SIZE:])
            != state[start + _BOUND.size : HEADER_SIZE]
        ):
            return "altered"
        return None


def _open(state: bytes, position: int, head_at: Callable[[int], Head | None]) -> int | Fault:
    """Where the content of a bound cache starts, or what is wrong with it."""
    if not state.startswith(MAGIC):
        return "unbound"
    if len(state) < HEADER_SIZE:
        return "altered"
    size, sequence, root, digest = _HEADER.unpack_from(state, len(MAGIC))
    if size != position:
        return "moved"
    if head_at(sequence) != Head(size, sequence, root):
        return "foreign"
    view = memoryview(state)
    if _digest(view[len(MAGIC) : len(MAGIC) + _BOUND.size], view[HEADER_SIZE:]) != digest:
        return "altered"
    return HEADER_SIZE


# The first bytes of a checkpoint row hold its sequence, size and signed note (its leaf hashes,
# 32 bytes per fact of the write, come after): enough to know the head it signs.
CHECKPOINT_PREFIX = 4096


def head_of_checkpoint(prefix: bytes, sequence: int) -> Head | None:
    """The head a checkpoint row signs (``integrity.CheckpointRecord``: an array of sequence,
    size, note, ...), from the row's first bytes alone; None if they do not hold one that
    names ``sequence``. The root is the one in the signed note (``verify`` checks it is the
    tree's). Never raises on hostile bytes."""
    try:
        position = _array_start(prefix)
        number, position = _uint(prefix, position)
        size, position = _uint(prefix, position)
        note, position = _str(prefix, position)
        text = note[: note.rindex("\n\n") + 1]
        signed = Checkpoint.from_body(text)
    except (IndexError, ValueError, UnicodeDecodeError):
        return None
    if number != sequence or signed.size != size:
        return None
    return Head(size, sequence, signed.root)


def _array_start(data: bytes) -> int:
    first = data[0]
    if 0x90 <= first <= 0x9F:
        return 1
    if first == 0xDC:
        return 3
    if first == 0xDD:
        return 5
    raise ValueError("not an array")


def _uint(data: bytes, at: int) -> tuple[int, int]:
    first = data[at]
    if first < 0x80:
        return first, at + 1
    width = {0xCC: 1, 0xCD: 2, 0xCE: 4, 0xCF: 8}.get(first)
    if width is None or at + 1 + width > len(data):
        raise ValueError("not an unsigned integer")
    return int.from_bytes(data[at + 1 : at + 1 + width], "big"), at + 1 + width


def _str(data: bytes, at: int) -> tuple[str, int]:
    first = data[at]
    if 0xA0 <= first <= 0xBF:
        length, start = first & 0x1F, at + 1
    else:
        width = {0xD9: 1, 0xDA: 2, 0xDB: 4}.get(first)
        if width is None:
            raise ValueError("not a string")
        length = int.from_bytes(data[at + 1 : at + 1 + width], "big")
        start = at + 1 + width
    if start + length > len(data):
        raise ValueError("the string runs past the bytes read")
    return data[start : start + length].decode(), start + length


WHY: dict[Fault, tuple[str, str]] = {  # said of one row, and of several (or a plural noun)
    "unbound": (
        "carries no binding to a head of the ledger (saved by an older version)",
        "carry no binding to a head of the ledger (saved by an older version)",
    ),
    "altered": ("was changed after it was saved", "were changed after they were saved"),
    "moved": (
        "is not at the position it was computed for",
        "are not at the position they were computed for",
    ),
    "foreign": (
        "was computed from another history of the ledger",
        "were computed from another history of the ledger",
    ),
}


def is_tampering(fault: Fault) -> bool:
    """Whether the fault means something other than the ledger wrote its caches (an unbound
    cache is only an old one: an older version of the ledger wrote it)."""
    return fault != "unbound"


_WHAT: dict[str, tuple[str, str | None, str]] = {
    # what one row is, what several are (None: the noun is plural, positions are listed), and
    # when they are saved anew
    "registers": ("the saved registers", None, "the next write saves the registers anew"),
    "mark": (
        "the saved registers' position mark",
        "saved registers' position marks",
        "the next write saves the registers anew",
    ),
    "entry": (
        "a saved register entry",
        "saved register entries",
        "each is saved anew when next asked for, or with the registers",
    ),
    "site": ("the site's saved numbers", None, "`ledger follow` saves them anew"),
    "episodes": (
        "the saved findings' episodes",
        None,
        "`ledger follow` saves them anew",
    ),
    "other": ("another saved row", "other saved rows", "never read"),
}


def describe(faults: list[tuple[str, int, Fault]]) -> list[str]:
    """``verify``'s lines for the saved rows not bound to the history (``Ledger.cache_faults``):
    one line per kind of row and fault, naming the positions (the first few); those that mean
    tampering (``is_tampering``) begin "CACHE TAMPERED: ", the others "Note: "."""
    groups: dict[tuple[str, Fault], list[int]] = {}
    for what, position, fault in faults:
        groups.setdefault((what, fault), []).append(position)
    lines = []
    for (what, fault), positions in sorted(groups.items()):
        one, many, anew = _WHAT.get(what, _WHAT["other"])
        shown = sorted(set(positions))
        at = ", ".join(f"{p:,}" for p in shown[:3]) + (", …" if len(shown) > 3 else "")
        where = f"position{'s' if len(shown) > 1 else ''} {at}"
        singular, plural = WHY[fault]
        if many is None:
            line = f"{one} at {where} {plural}"
        elif len(positions) == 1:
            line = f"{one} at {where} {singular}"
        else:
            line = f"{len(positions):,} {many} (at {where}) {plural}"
        label = "CACHE TAMPERED" if is_tampering(fault) else "Note"
        lines.append(f"{label}: {line}: ignored ({anew}).")
    return lines
