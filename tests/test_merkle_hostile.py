"""The Merkle verifiers against a hostile prover: inputs the honest prover never makes.

Each test here was written for a mutant of ``ledger/merkle.py`` that the RFC 9162 vectors and
the honest round trips did not kill (``make mutation``): a boundary, a type confusion or a short
hash that a weakened check would let through.
"""

from __future__ import annotations

import hashlib

import pytest

from ledger.merkle import (
    Frontier,
    frontiers_at,
    inclusion_proof,
    leaf_hash,
    leaf_input,
    node_hash,
    root_of,
    verify_consistency,
    verify_inclusion,
)

MAX_U64 = 2**64 - 1
LEAVES = [leaf_hash(bytes([i])) for i in range(8)]


class Treacherous(bytes):
    """A hash that passes every type and length check, and raises when compared."""

    def __eq__(self, other: object) -> bool:
        raise RuntimeError("a hostile hash")

    __hash__ = bytes.__hash__


def test_consistency_refuses_sizes_that_are_not_unsigned_64_bit() -> None:
    root = root_of(LEAVES[:3])
    assert verify_consistency(3, 3, root, root, [])  # the honest case
    assert not verify_consistency(1, True, root, root, [])  # True == 1, but it is no size
    assert not verify_consistency(True, 1, root, root, [])
    assert not verify_consistency(-1, 3, root, root, [])
    assert not verify_consistency(3, MAX_U64 + 1, root, root, [])


def test_consistency_of_equal_sizes_needs_real_hashes_and_a_real_proof() -> None:
    root = root_of(LEAVES[:3])
    assert not verify_consistency(3, 3, root, bytearray(root), [])  # equal, but not bytes
    assert not verify_consistency(3, 3, bytearray(root), root, [])
    assert not verify_consistency(3, 3, root, root, "not a proof")
    assert not verify_consistency(3, 3, root, root, [b"short"])


def test_consistency_refuses_a_short_old_root_that_the_algorithm_would_carry() -> None:
    # From size 2 to 4 the old root is never rehashed: a prover could pass any bytes as root1.
    short = b"\x00" * 31
    sibling = node_hash(LEAVES[2], LEAVES[3])
    assert not verify_consistency(2, 4, short, node_hash(short, sibling), [sibling])
    honest = root_of(LEAVES[:2])
    assert verify_consistency(2, 4, honest, node_hash(honest, sibling), [sibling])


def test_verifiers_return_false_when_a_hash_raises() -> None:
    size = 5
    leaves = LEAVES[:size]
    root = root_of(leaves)
    proof = inclusion_proof(leaves, 2, size)
    assert verify_inclusion(leaves[2], 2, size, proof, root)
    assert not verify_inclusion(leaves[2], 2, size, proof, Treacherous(root))
    old = root_of(LEAVES[:3])
    from ledger.merkle import consistency_proof

    cproof = consistency_proof(leaves, 3, size)
    assert verify_consistency(3, size, old, root, cproof)
    assert not verify_consistency(3, size, Treacherous(old), root, cproof)


def test_inclusion_refuses_a_short_leaf_hash() -> None:
    short = b"\x01" * 20
    sibling = LEAVES[1]
    assert not verify_inclusion(short, 0, 2, [sibling], node_hash(short, sibling))
    assert verify_inclusion(LEAVES[0], 0, 2, [sibling], node_hash(LEAVES[0], sibling))


def test_leaf_input_bounds() -> None:
    top = leaf_input(MAX_U64, "T", "S", b"")
    assert top[:8] == b"\xff" * 8
    with pytest.raises(ValueError):
        leaf_input(MAX_U64 + 1, "T", "S", b"")
    with pytest.raises(TypeError):
        leaf_input(True, "T", "S", b"")  # type: ignore[arg-type]
    assert len(leaf_input(1, "x" * 65535, "S", b"")) == 8 + 2 + 65535 + 2 + 1 + 4
    with pytest.raises(ValueError):
        leaf_input(1, "x" * 65536, "S", b"")


def test_proof_makers_refuse_what_is_not_a_leaf_hash() -> None:
    with pytest.raises(TypeError):
        inclusion_proof(LEAVES, True, 4)  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        inclusion_proof([bytearray(32), bytearray(32)], 0, 2)  # type: ignore[list-item]
    with pytest.raises(TypeError):
        frontiers_at(b"".join(LEAVES), [True])  # type: ignore[list-item]


def test_frontier_equality_needs_size_and_hashes() -> None:
    a, b = Frontier(), Frontier()
    a.append(LEAVES[0])
    b.append(LEAVES[1])
    assert a != b  # same size, other hashes
    c = Frontier.from_bytes((2).to_bytes(8, "big") + hashlib.sha256(b"x").digest())
    d = Frontier.from_bytes((2).to_bytes(8, "big") + hashlib.sha256(b"x").digest())
    assert c == d
    e = Frontier.from_bytes((1).to_bytes(8, "big") + hashlib.sha256(b"x").digest())
    assert c != e  # same hashes, other size


def test_extend_counts_whole_hashes_and_keeps_within_the_tree() -> None:
    one, many = Frontier(), Frontier()
    for h in LEAVES:
        one.append(h)
    many.extend(b"".join(LEAVES))
    assert many == one and many.size == len(LEAVES)
    assert isinstance(many.size, int)
    with pytest.raises(ValueError):
        many.extend(b"\x00" * 33)


def test_the_largest_unsigned_64_bit_size_is_a_size() -> None:
    root = root_of(LEAVES[:1])
    assert verify_consistency(MAX_U64, MAX_U64, root, root, [])
    assert not verify_consistency(MAX_U64 + 1, MAX_U64 + 1, root, root, [])
