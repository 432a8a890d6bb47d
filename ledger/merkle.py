"""RFC 9162 (Certificate Transparency v2) Merkle tree hashing and proofs.

Everything here follows RFC 9162 section 2.1 with SHA-256:

* ``leaf_hash(d) = SHA-256(0x00 || d)``
* ``node_hash(l, r) = SHA-256(0x01 || l || r)``
* the root of the empty tree is ``SHA-256("")`` (``EMPTY_ROOT``).

The module is pure standard library and has no state beyond :class:`Frontier`, the compact
right edge of an append-only tree that the ledger keeps so that appending an event and
computing the new root are both O(log n).

Verification functions (:func:`verify_inclusion`, :func:`verify_consistency`) treat every
argument as hostile: they return ``False`` on any malformed input and never raise.  The proof
*generation* functions expect well-formed input from the caller and raise :class:`ValueError`
otherwise.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from typing import Final

__all__ = [
    "EMPTY_ROOT",
    "HASH_SIZE",
    "Frontier",
    "consistency_proof",
    "consistency_ranges",
    "frontiers_at",
    "inclusion_proof",
    "leaf_hash",
    "leaf_input",
    "node_hash",
    "root_of",
    "streamed_consistency",
    "verify_consistency",
    "verify_inclusion",
]

HASH_SIZE: Final = 32
"""Length in bytes of every hash in the tree (SHA-256)."""

EMPTY_ROOT: Final = hashlib.sha256(b"").digest()
"""Root hash of the tree with no leaves: SHA-256 of the empty string (RFC 9162 2.1.1)."""

_LEAF_PREFIX: Final = b"\x00"
_NODE_PREFIX: Final = b"\x01"
_MAX_U64: Final = (1 << 64) - 1
_MAX_U16: Final = (1 << 16) - 1
_MAX_U32: Final = (1 << 32) - 1


# --------------------------------------------------------------------------------------------
# Hashing primitives
# --------------------------------------------------------------------------------------------


def leaf_hash(data: bytes) -> bytes:
    """Return the RFC 9162 leaf hash ``SHA-256(0x00 || data)``."""
    return hashlib.sha256(_LEAF_PREFIX + bytes(data)).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """Return the RFC 9162 interior node hash ``SHA-256(0x01 || left || right)``."""
    return hashlib.sha256(_NODE_PREFIX + bytes(left) + bytes(right)).digest()


def leaf_input(position: int, type: str, subject: str, stored: bytes) -> bytes:
    """Return the canonical bytes that are hashed (with :func:`leaf_hash`) into a ledger leaf.

    The encoding is, in order, with every integer unsigned and big-endian:

    ==========  ==========================================================================
    8 bytes     ``position`` of the event in the ledger (1-based: the leaf index + 1)
    2 bytes     length *L1* in bytes of the UTF-8 encoding of ``type``
    L1 bytes    ``type`` encoded as UTF-8 (strict: lone surrogates are rejected)
    2 bytes     length *L2* in bytes of the UTF-8 encoding of ``subject``
    L2 bytes    ``subject`` encoded as UTF-8
    4 bytes     length *L3* of ``stored``
    L3 bytes    ``stored``, the event exactly as persisted
    ==========  ==========================================================================

    There is no padding, separator or trailer.  The leaf hash is then
    ``SHA-256(0x00 || leaf_input(...))``.  In Python::

        struct.pack(">Q", position)
        + struct.pack(">H", len(t)) + t          # t = type.encode("utf-8")
        + struct.pack(">H", len(s)) + s          # s = subject.encode("utf-8")
        + struct.pack(">I", len(stored)) + stored

    Raises :class:`ValueError` if ``position`` is not in ``[0, 2**64)``, if ``type`` or
    ``subject`` encode to more than 65535 bytes (or cannot be encoded), or if ``stored`` is
    longer than ``2**32 - 1`` bytes.
    """
    if not isinstance(position, int) or isinstance(position, bool):
        raise TypeError("position must be an int")
    if not 0 <= position <= _MAX_U64:
        raise ValueError(f"position {position} is outside the unsigned 64-bit range")
    type_bytes = _encode_short_string("type", type)
    subject_bytes = _encode_short_string("subject", subject)
    stored_bytes = bytes(stored)
    if len(stored_bytes) > _MAX_U32:
        raise ValueError(f"stored is {len(stored_bytes)} bytes; the maximum is {_MAX_U32}")
    return b"".join(
        (
            position.to_bytes(8, "big"),
            len(type_bytes).to_bytes(2, "big"),
            type_bytes,
            len(subject_bytes).to_bytes(2, "big"),
            subject_bytes,
            len(stored_bytes).to_bytes(4, "big"),
            stored_bytes,
        )
    )


def _encode_short_string(what: str, value: str) -> bytes:
    if not isinstance(value, str):
        raise TypeError(f"{what} must be a str")
    encoded = value.encode("utf-8")  # UnicodeEncodeError is a ValueError
    if len(encoded) > _MAX_U16:
        raise ValueError(f"{what} is {len(encoded)} bytes in UTF-8; the maximum is {_MAX_U16}")
    return encoded


# --------------------------------------------------------------------------------------------
# Frontier: the compact right edge of an append-only tree
# --------------------------------------------------------------------------------------------


class Frontier:
    """The right edge of a growing Merkle tree (a "compact range" from leaf 0 to ``size``).

    It holds one hash per set bit of ``size``: the roots of the perfect subtrees that the first
    ``size`` leaves decompose into, largest (leftmost) first.  That is all that is needed to
    compute the root of the tree and to keep appending; it is O(log n) in space.
    """

    __slots__ = ("_hashes", "_size")

    def __init__(self) -> None:
        self._size = 0
        self._hashes: list[bytes] = []

    @property
    def size(self) -> int:
        """Number of leaves appended so far."""
        return self._size

    @property
    def hashes(self) -> tuple[bytes, ...]:
        """The perfect-subtree roots, leftmost (largest) first; one per set bit of ``size``."""
        return tuple(self._hashes)

    def append(self, leaf_hash: bytes) -> None:
        """Append a leaf, given its *leaf hash* (not its data).  Amortised O(1), worst O(log n)."""
        if not isinstance(leaf_hash, bytes | bytearray | memoryview):
            raise TypeError("leaf_hash must be bytes")
        h = bytes(leaf_hash)
        if len(h) != HASH_SIZE:
            raise ValueError(f"leaf_hash must be {HASH_SIZE} bytes, got {len(h)}")
        if self._size == _MAX_U64:
            raise OverflowError("tree is full")
        # Each trailing 1-bit of the old size is a perfect subtree of the same height as the
        # one being carried: merge them, as in binary addition.
        n = self._size
        while n & 1:
            h = node_hash(self._hashes.pop(), h)
            n >>= 1
        self._hashes.append(h)
        self._size += 1

    def extend(self, leaf_hashes: bytes) -> None:
        """Append many leaves, given their hashes concatenated: the same as :meth:`append` of
        each in turn, in fewer Python calls (an import appends a million)."""
        if len(leaf_hashes) % HASH_SIZE:
            raise ValueError(f"leaf hashes must be whole {HASH_SIZE}-byte hashes")
        count = len(leaf_hashes) // HASH_SIZE
        if self._size + count > _MAX_U64:
            raise OverflowError("tree is full")
        sha256, hashes, size = hashlib.sha256, self._hashes, self._size
        for start in range(0, len(leaf_hashes), HASH_SIZE):
            h = leaf_hashes[start : start + HASH_SIZE]
            n = size
            while n & 1:
                h = sha256(_NODE_PREFIX + hashes.pop() + h).digest()
                n >>= 1
            hashes.append(h)
            size += 1
        self._size = size

    def root(self) -> bytes:
        """Return the Merkle tree hash of the leaves so far (``EMPTY_ROOT`` when empty)."""
        if not self._hashes:
            return EMPTY_ROOT
        it = reversed(self._hashes)
        r = next(it)
        for h in it:
            r = node_hash(h, r)
        return r

    def copy(self) -> Frontier:
        """Return an independent copy."""
        other = Frontier()
        other._size = self._size
        other._hashes = list(self._hashes)
        return other

    def to_bytes(self) -> bytes:
        """Serialise as the 8-byte big-endian size followed by the concatenated hashes."""
        return self._size.to_bytes(8, "big") + b"".join(self._hashes)

    @classmethod
    def from_bytes(cls, data: bytes) -> Frontier:
        """Inverse of :meth:`to_bytes`.  Raises :class:`ValueError` on malformed input."""
        if not isinstance(data, bytes | bytearray | memoryview):
            raise ValueError("frontier encoding must be bytes")
        raw = bytes(data)
        if len(raw) < 8:
            raise ValueError("frontier encoding is shorter than its 8-byte size header")
        size = int.from_bytes(raw[:8], "big")
        body = raw[8:]
        expected = size.bit_count()
        if len(body) != expected * HASH_SIZE:
            raise ValueError(
                f"frontier of size {size} needs {expected} hashes "
                f"({expected * HASH_SIZE} bytes), got {len(body)} bytes"
            )
        frontier = cls()
        frontier._size = size
        frontier._hashes = [body[i : i + HASH_SIZE] for i in range(0, len(body), HASH_SIZE)]
        return frontier

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Frontier):
            return NotImplemented
        return self._size == other._size and self._hashes == other._hashes

    __hash__ = None  # type: ignore[assignment]  # mutable

    def __repr__(self) -> str:
        return f"Frontier(size={self._size}, root={self.root().hex()})"


def frontiers_at(leaves: bytes, sizes: Sequence[int]) -> list[Frontier]:
    """The frontier of the tree over ``leaves`` (leaf hashes, concatenated) at each of ``sizes``.

    The same as appending the leaves one by one to a :class:`Frontier` and copying it at each
    size, but hashed a whole level at a time: a million leaves then cost a million node hashes
    and little else, where :meth:`Frontier.append` adds several Python calls to every node.
    At height ``h``, the frontier of size ``s`` holds (when bit ``h`` of ``s`` is set) the node
    ``(s >> h) - 1``: the perfect subtree just left of ``s``'s lower bits.

    Raises :class:`ValueError` unless ``leaves`` is whole hashes and every size is between 0
    and their number.
    """
    if len(leaves) % HASH_SIZE:
        raise ValueError(f"leaves must be whole {HASH_SIZE}-byte hashes, got {len(leaves)} bytes")
    count = len(leaves) // HASH_SIZE
    for size in sizes:
        _check_int("size", size)
        if not 0 <= size <= count:
            raise ValueError(f"size {size} is outside 0..{count}")
    top = max(sizes, default=0)
    picked: list[list[bytes]] = [[] for _ in sizes]
    level = bytes(leaves[: top * HASH_SIZE])
    for height in range(top.bit_length()):
        if height:
            level = _parents(level)
        for hashes, size in zip(picked, sizes, strict=True):
            if size >> height & 1:
                start = ((size >> height) - 1) * HASH_SIZE
                hashes.append(level[start : start + HASH_SIZE])
    frontiers = []
    for size, hashes in zip(sizes, picked, strict=True):
        frontier = Frontier()
        frontier._size = size
        frontier._hashes = hashes[::-1]  # picked from the lowest height up; kept largest first
        frontiers.append(frontier)
    return frontiers


def _parents(level: bytes) -> bytes:
    """The level above: the node hash of each pair of adjacent hashes (an odd last one waits)."""
    sha256 = hashlib.sha256
    pair = 2 * HASH_SIZE
    return b"".join(
        [
            sha256(_NODE_PREFIX + level[i : i + pair]).digest()
            for i in range(0, len(level) // pair * pair, pair)
        ]
    )


# --------------------------------------------------------------------------------------------
# Whole-tree hashing and proof generation (RFC 9162 2.1.1, 2.1.3.1, 2.1.4.1)
# --------------------------------------------------------------------------------------------


def _split(n: int) -> int:
    """The largest power of two strictly smaller than ``n`` (``n >= 2``)."""
    return 1 << ((n - 1).bit_length() - 1)


def _checked_leaves(leaf_hashes: Sequence[bytes], size: int) -> Sequence[bytes]:
    if size > len(leaf_hashes):
        raise ValueError(f"size {size} exceeds the {len(leaf_hashes)} leaves given")
    for i in range(size):
        h = leaf_hashes[i]
        if not isinstance(h, bytes) or len(h) != HASH_SIZE:
            raise ValueError(f"leaf hash {i} is not {HASH_SIZE} bytes")
    return leaf_hashes


def _mth(leaves: Sequence[bytes], lo: int, hi: int) -> bytes:
    """MTH(D[lo:hi]) by the recursive definition of RFC 9162 2.1.1."""
    n = hi - lo
    if n == 0:
        return EMPTY_ROOT
    if n == 1:
        return leaves[lo]
    k = _split(n)
    return node_hash(_mth(leaves, lo, lo + k), _mth(leaves, lo + k, hi))


def root_of(leaf_hashes: Sequence[bytes]) -> bytes:
    """Return MTH (RFC 9162 2.1.1) of a list of *leaf hashes*; ``EMPTY_ROOT`` if it is empty."""
    leaves = _checked_leaves(leaf_hashes, len(leaf_hashes))
    return _mth(leaves, 0, len(leaves))


def _check_int(name: str, value: int) -> None:
    if not isinstance(value, int) or isinstance(value, bool):
        raise TypeError(f"{name} must be an int")


def inclusion_proof(leaf_hashes: Sequence[bytes], index: int, size: int) -> list[bytes]:
    """Return PATH(index, D[0:size]) (RFC 9162 2.1.3.1), the audit path for leaf ``index``.

    Only the first ``size`` entries of ``leaf_hashes`` are used.  Hashes are ordered from the
    leaf's sibling up to the child of the root.  Raises :class:`ValueError` unless
    ``0 <= index < size <= len(leaf_hashes)``.
    """
    _check_int("index", index)
    _check_int("size", size)
    if not 0 <= index < size:
        raise ValueError(f"need 0 <= index < size, got index={index} size={size}")
    leaves = _checked_leaves(leaf_hashes, size)
    path: list[bytes] = []
    lo, hi, m = 0, size, index
    # Descend from the root, recording siblings; the result is built top-down, so reverse.
    while hi - lo > 1:
        k = _split(hi - lo)
        if m < k:
            path.append(_mth(leaves, lo + k, hi))
            hi = lo + k
        else:
            path.append(_mth(leaves, lo, lo + k))
            lo, m = lo + k, m - k
    path.reverse()
    return path


def consistency_proof(leaf_hashes: Sequence[bytes], size1: int, size2: int) -> list[bytes]:
    """Return PROOF(size1, D[0:size2]) (RFC 9162 2.1.4.1).

    Raises :class:`ValueError` unless ``0 < size1 <= size2 <= len(leaf_hashes)``: a proof from
    the empty tree is meaningless and :func:`verify_consistency` rejects ``size1 == 0``.  For
    ``size1 == size2`` the proof is empty.
    """
    ranges = consistency_ranges(size1, size2)  # (the sizes checked there)
    leaves = _checked_leaves(leaf_hashes, size2)
    return [_mth(leaves, lo, hi) for lo, hi in ranges]


def consistency_ranges(size1: int, size2: int) -> list[tuple[int, int]]:
    """The leaf ranges ``[lo, hi)`` whose subtree hashes make up PROOF(size1, D[0:size2]), in
    the proof's order (:func:`consistency_proof` hashes each, ``MTH(D[lo:hi])``). The ranges
    are disjoint, so one pass over the leaves in order hashes them all
    (:func:`streamed_consistency`). Raises :class:`ValueError` as :func:`consistency_proof`."""
    _check_int("size1", size1)
    _check_int("size2", size2)
    if not 0 < size1 <= size2:
        raise ValueError(f"need 0 < size1 <= size2, got size1={size1} size2={size2}")
    ranges: list[tuple[int, int]] = []
    # SUBPROOF(m, D[lo:hi], b), unrolled; the recursion appends after the recursive call,
    # so we collect top-down and reverse at the end.
    lo, hi, m, b = 0, size2, size1, True
    while m != hi - lo:
        k = _split(hi - lo)
        if m <= k:
            ranges.append((lo + k, hi))
            hi = lo + k
        else:
            ranges.append((lo, lo + k))
            lo, m, b = lo + k, m - k, False
    if not b:
        ranges.append((lo, hi))
    ranges.reverse()
    return ranges


def streamed_consistency(
    chunks: Iterable[bytes], size1: int, size2: int
) -> tuple[bytes, bytes, list[bytes]] | None:
    """The roots of the first ``size1`` and ``size2`` leaves, and PROOF(size1, D[0:size2])
    (RFC 9162 2.1.4.1; no proof when ``size1`` is 0), from the leaf hashes given as they are
    read: ``chunks`` of concatenated leaf hashes, in order from the first leaf (any number a
    chunk; those after ``size2`` are not looked at). None if they hold fewer than ``size2``.

    The same roots as :func:`root_of` and the same proof as :func:`consistency_proof` of all
    the leaves, without holding them: memory is one chunk and O(log n) hashes (a
    :class:`Frontier` of the tree, and one of the proof's subtree being hashed). Raises
    :class:`ValueError` for a chunk that is not whole hashes, or sizes as
    :func:`consistency_proof` (``size1`` 0 aside).
    """
    _check_int("size1", size1)
    _check_int("size2", size2)
    if not 0 <= size1 <= size2:
        raise ValueError(f"need 0 <= size1 <= size2, got size1={size1} size2={size2}")
    ranges = consistency_ranges(size1, size2) if size1 else []
    by_start = sorted(range(len(ranges)), key=lambda i: ranges[i][0])
    hashes: list[bytes | None] = [None] * len(ranges)
    tree = Frontier()
    root1 = EMPTY_ROOT  # the old tree's, once its last leaf is read
    part = Frontier()  # the subtree of the proof being hashed
    pending = iter(by_start)
    current = next(pending, None)
    for chunk in chunks:
        if len(chunk) % HASH_SIZE:
            raise ValueError(f"leaf hashes must be whole {HASH_SIZE}-byte hashes")
        start = tree.size
        take = min(len(chunk) // HASH_SIZE, size2 - start)
        if start < size1 <= start + take:  # the old tree ends in this chunk
            tree.extend(bytes(chunk[: (size1 - start) * HASH_SIZE]))
            root1 = tree.root()
            tree.extend(bytes(chunk[(size1 - start) * HASH_SIZE : take * HASH_SIZE]))
        else:
            tree.extend(bytes(chunk[: take * HASH_SIZE]))
        while current is not None:  # the proof's subtrees this chunk reaches into
            lo, hi = ranges[current]
            if lo >= start + take:
                break
            first, last = max(lo, start), min(hi, start + take)
            part.extend(bytes(chunk[(first - start) * HASH_SIZE : (last - start) * HASH_SIZE]))
            if last < hi:
                break  # the subtree goes on into the next chunk
            hashes[current] = part.root()
            part = Frontier()
            current = next(pending, None)
        if tree.size == size2:
            break
    if tree.size < size2:
        return None
    proof = [h for h in hashes if h is not None]
    assert len(proof) == len(ranges)
    return root1, tree.root(), proof


# --------------------------------------------------------------------------------------------
# Verification (RFC 9162 2.1.3.2, 2.1.4.2).  Never raise.
# --------------------------------------------------------------------------------------------


def _is_u64(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= _MAX_U64


def _is_hash(value: object) -> bool:
    return isinstance(value, bytes) and len(value) == HASH_SIZE


def _as_proof(proof: object) -> list[bytes] | None:
    """The proof as a list of 32-byte hashes, or None if it is not one."""
    if isinstance(proof, str | bytes | bytearray | memoryview):
        return None
    try:
        items: list[object] = list(proof)  # type: ignore[call-overload]
    except Exception:
        return None
    hashes: list[bytes] = []
    for item in items:
        if not (isinstance(item, bytes) and len(item) == HASH_SIZE):
            return None
        hashes.append(item)
    return hashes


def verify_inclusion(
    leaf_hash: bytes, index: int, size: int, proof: Sequence[bytes], root: bytes
) -> bool:
    """Check an inclusion proof with the algorithm of RFC 9162 2.1.3.2.

    ``leaf_hash`` is the leaf's hash (not its data), ``index`` its 0-based position, ``size``
    the tree size and ``root`` the tree's root hash.  Returns ``False`` (never raises) if the
    proof does not verify or if anything is malformed: ``index >= size``, a proof of the wrong
    length, a hash that is not 32 bytes, a non-integer size...

    The proof does not bind ``size`` on its own: a proof for leaf 0 of a 5-leaf tree also
    verifies against the same root with ``size=6``, because both sizes give the path the same
    shape.  This is inherent in RFC 9162; take ``size`` and ``root`` together from one
    authenticated source (a signed checkpoint).
    """
    try:
        if not (_is_u64(index) and _is_u64(size) and index < size):
            return False
        path = _as_proof(proof)
        if path is None or not (_is_hash(leaf_hash) and _is_hash(root)):
            return False
        fn, sn = index, size - 1
        r = leaf_hash
        for p in path:
            if sn == 0:
                return False
            if fn & 1 or fn == sn:
                r = node_hash(p, r)
                while fn != 0 and not fn & 1:
                    fn >>= 1
                    sn >>= 1
            else:
                r = node_hash(r, p)
            fn >>= 1
            sn >>= 1
        return sn == 0 and r == root
    except Exception:  # pragma: no cover - defensive: hostile input must never raise
        return False


def verify_consistency(
    size1: int, size2: int, root1: bytes, root2: bytes, proof: Sequence[bytes]
) -> bool:
    """Check a consistency proof with the algorithm of RFC 9162 2.1.4.2.

    RFC 9162 only defines the check for ``0 < size1 < size2``.  The edge cases follow the
    transparency-dev test vectors shipped in ``tests/vectors/rfc9162``:

    * ``size1 > size2``: rejected.
    * ``size1 == 0`` (including ``size2 == 0``): always rejected -- a consistency check from
      the empty tree proves nothing, and no proof from it is ever produced.
    * ``0 < size1 == size2``: accepted iff the proof is empty and ``root1 == root2`` (the roots
      are compared as opaque byte strings, as the vectors require).
    * ``0 < size1 < size2``: the RFC algorithm; roots and proof hashes must be 32 bytes.

    Returns ``False`` (never raises) on any malformed input.  A caller holding a checkpoint of
    size 0 needs no proof at all: any tree extends the empty one, so it should only check that
    the old root is ``EMPTY_ROOT``.  As with :func:`verify_inclusion`, ``size2`` is only bound
    to ``root2`` by whatever authenticated them together.
    """
    try:
        if not (_is_u64(size1) and _is_u64(size2)):
            return False
        path = _as_proof(proof)
        if path is None or not (isinstance(root1, bytes) and isinstance(root2, bytes)):
            return False
        if size1 > size2 or size1 == 0:
            return False
        if size1 == size2:
            return not path and root1 == root2
        if not (_is_hash(root1) and _is_hash(root2)):
            return False
        # 1. An empty path fails.
        if not path:
            return False
        # 2. If size1 is an exact power of 2, prepend root1.
        if size1 & (size1 - 1) == 0:
            path.insert(0, root1)
        # 3.
        fn, sn = size1 - 1, size2 - 1
        # 4. Skip the levels where the first tree's last leaf is a right child.
        while fn & 1:
            fn >>= 1
            sn >>= 1
        # 5.
        fr = sr = path[0]
        # 6.
        for c in path[1:]:
            if sn == 0:
                return False
            if fn & 1 or fn == sn:
                fr = node_hash(c, fr)
                sr = node_hash(c, sr)
                while fn != 0 and not fn & 1:
                    fn >>= 1
                    sn >>= 1
            else:
                sr = node_hash(sr, c)
            fn >>= 1
            sn >>= 1
        # 7.
        return fr == root1 and sr == root2 and sn == 0
    except Exception:  # pragma: no cover - defensive: hostile input must never raise
        return False
