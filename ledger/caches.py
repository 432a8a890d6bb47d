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
from collections.abc import Callable
from typing import Literal

import msgspec

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


class _Header(msgspec.Struct, frozen=True, array_like=True):
    size: int
    sequence: int
    root: bytes
    digest: bytes


_encoder = msgspec.msgpack.Encoder()
_decoder = msgspec.msgpack.Decoder(_Header)


def _digest(head: Head, content: bytes | memoryview) -> bytes:
    hasher = hashlib.sha256(_DOMAIN)
    hasher.update(_encoder.encode(head))
    hasher.update(content)
    return hasher.digest()


def bind(head: Head, content: bytes) -> bytes:
    """The stored bytes of a cache computed for ``head``: its header, then ``content``."""
    header = _encoder.encode(_Header(head.size, head.sequence, head.root, _digest(head, content)))
    return MAGIC + len(header).to_bytes(2, "big") + header + content


def unbind(state: bytes, position: int, head_at: Callable[[int], Head | None]) -> bytes | Fault:
    """The content of a stored cache if it is bound to this ledger's history at ``position``
    (where it is stored), else what is wrong with it.

    ``head_at(sequence)`` gives the ledger's own head at its checkpoint of that sequence (None
    if the ledger has no such checkpoint, or it does not decode): one row read. Never raises
    on hostile bytes.
    """
    if not state.startswith(MAGIC):
        return "unbound"
    start = len(MAGIC) + 2
    length = int.from_bytes(state[len(MAGIC) : start], "big")
    try:
        header = _decoder.decode(state[start : start + length])
    except (msgspec.DecodeError, msgspec.ValidationError):
        return "altered"
    if header.size != position:
        return "moved"
    claimed = Head(header.size, header.sequence, header.root)
    if head_at(header.sequence) != claimed:
        return "foreign"
    content = memoryview(state)[start + length :]
    if _digest(claimed, content) != header.digest:
        return "altered"
    return bytes(content)


WHY: dict[Fault, str] = {
    "unbound": "carry no binding to a head of the ledger (saved by an older version)",
    "altered": "were changed after they were saved",
    "moved": "are not at the position they were computed for",
    "foreign": "were computed from another history of the ledger",
}


def is_tampering(fault: Fault) -> bool:
    """Whether the fault means something other than the ledger wrote its caches (an unbound
    cache is only an old one: an older version of the ledger wrote it)."""
    return fault != "unbound"


_WHAT = {  # one, many, and when they are saved anew
    "registers": ("the saved registers", "the saved registers", "the next write saves them anew"),
    "mark": (
        "the saved registers' position mark",
        "the saved registers' position marks",
        "the next write saves them anew",
    ),
    "entry": (
        "a saved register entry",
        "saved register entries",
        "each is saved anew when next asked for, or with the registers",
    ),
    "site": (
        "the site's saved numbers",
        "the site's saved numbers",
        "`ledger follow` saves them anew",
    ),
    "other": ("another saved row", "other saved rows", "they are never read"),
}


def describe(faults: list[tuple[str, int, Fault]]) -> list[str]:
    """``verify``'s lines for the saved rows not bound to the history (``Ledger.cache_faults``):
    one line per kind of row and fault, naming the positions (the first few)."""
    groups: dict[tuple[str, Fault], list[int]] = {}
    for what, position, fault in faults:
        groups.setdefault((what, fault), []).append(position)
    lines = []
    for (what, fault), positions in sorted(groups.items()):
        one, many, anew = _WHAT.get(what, _WHAT["other"])
        shown = sorted(set(positions))
        at = ", ".join(f"{p:,}" for p in shown[:3]) + (", …" if len(shown) > 3 else "")
        where = f"position{'s' if len(shown) > 1 else ''} {at}"
        if len(positions) == 1:
            subject = f"{one} at {where}"
        else:
            subject = f"{len(positions):,} of {many} (at {where})"
        lines.append(f"{subject} {WHY[fault]}: ignored ({anew})")
    return lines
