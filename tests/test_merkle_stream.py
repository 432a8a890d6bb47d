"""The consistency proof made as the leaf hashes stream by (``merkle.streamed_consistency``), and
the witness and ``ledger consistency`` that use it (issue 14: no O(n) list of every leaf).

The streamed proof must be the very proof of the all-leaves method (``consistency_proof`` over
the list), with the same roots, for any sizes and any way the leaves come in chunks; it must
verify (the verifier, ``verify_consistency``, is unchanged); and it must hold one chunk and a
few hashes, not the leaves.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import tracemalloc
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ledger import store as ledger_store
from ledger.cosignature import Cosigner
from ledger.integrity import Signer
from ledger.merkle import (
    EMPTY_ROOT,
    HASH_SIZE,
    consistency_proof,
    consistency_ranges,
    leaf_hash,
    root_of,
    streamed_consistency,
    verify_consistency,
)
from ledger.service import audit, witnessing
from ledger.storage.witnessed import WitnessStore
from tests.conftest import fixed_clock, raw
from tests.test_witness import _history, _record, _target


def _chunks(leaves: list[bytes], cuts: list[int]) -> list[bytes]:
    """The leaves concatenated and cut at ``cuts`` (empty chunks included, as a reader may
    give them)."""
    data = b"".join(leaves)
    points = [0, *sorted(min(c, len(leaves)) for c in cuts), len(leaves)]
    return [data[a * HASH_SIZE : b * HASH_SIZE] for a, b in itertools.pairwise(points)]


@st.composite
def trees(draw: st.DrawFn) -> tuple[list[bytes], int, int, list[int]]:
    """Leaves (a few beyond ``size2``, which are never looked at), two sizes, and cuts."""
    size2 = draw(st.integers(0, 300))
    size1 = draw(st.integers(0, size2))
    extra = draw(st.integers(0, 4))
    leaves = [leaf_hash(i.to_bytes(4, "big")) for i in range(size2 + extra)]
    cuts = draw(st.lists(st.integers(0, size2 + extra), max_size=8))
    return leaves, size1, size2, cuts


@given(trees())
def test_the_streamed_proof_is_the_all_leaves_proof_and_verifies(
    tree: tuple[list[bytes], int, int, list[int]],
) -> None:
    leaves, size1, size2, cuts = tree
    streamed = streamed_consistency(iter(_chunks(leaves, cuts)), size1, size2)
    assert streamed is not None
    root1, root2, proof = streamed
    assert root1 == root_of(leaves[:size1])
    assert root2 == root_of(leaves[:size2])
    if size1 == 0:
        assert proof == [] and root1 == EMPTY_ROOT
        return
    assert proof == consistency_proof(leaves, size1, size2)
    assert verify_consistency(size1, size2, root1, root2, proof)
    if size1 < size2:  # and it proves nothing about another tree
        assert not verify_consistency(size1, size2, root1, leaf_hash(b"other"), proof)


@given(trees())
def test_fewer_leaves_than_the_new_size_give_no_proof(
    tree: tuple[list[bytes], int, int, list[int]],
) -> None:
    leaves, size1, size2, cuts = tree
    if size2 == 0:
        return
    short = leaves[: size2 - 1]
    assert streamed_consistency(iter(_chunks(short, cuts)), min(size1, size2 - 1), size2) is None


def test_the_ranges_are_disjoint_and_in_the_proofs_order() -> None:
    leaves = [leaf_hash(i.to_bytes(2, "big")) for i in range(70)]
    for size2 in range(1, 71):
        for size1 in range(1, size2 + 1):
            ranges = consistency_ranges(size1, size2)
            assert [root_of(leaves[lo:hi]) for lo, hi in ranges] == consistency_proof(
                leaves, size1, size2
            )
            spans = sorted(ranges)
            assert all(a[1] <= b[0] for a, b in itertools.pairwise(spans))


def test_a_chunk_of_part_of_a_hash_is_refused() -> None:
    with pytest.raises(ValueError, match="whole"):
        streamed_consistency([b"\x00" * (HASH_SIZE + 1)], 1, 1)
    with pytest.raises(ValueError):
        streamed_consistency([], 2, 1)


def test_the_streamed_proof_holds_a_chunk_not_the_leaves() -> None:
    """100,000 leaves in chunks of 1,024: the streamed proof's peak is a few chunks; the
    all-leaves method holds every leaf (over 6 MiB), which is what the witness did."""
    count, chunk = 100_000, 1024

    def chunks() -> Iterator[bytes]:
        for start in range(0, count, chunk):
            yield os.urandom(min(chunk, count - start) * HASH_SIZE)

    tracemalloc.start()
    try:
        streamed = streamed_consistency(chunks(), 60_001, count)
        _, streamed_peak = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        leaves = [leaf for c in chunks() for leaf in (c[i : i + 32] for i in range(0, len(c), 32))]
        consistency_proof(leaves, 60_001, count)
        _, listed_peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert streamed is not None
    assert streamed_peak < 512 * 1024, streamed_peak
    assert listed_peak > 6 * 1024 * 1024, listed_peak


# --- the witness and `ledger consistency` use it -------------------------------------------------


@pytest.fixture
def cosigner(tmp_path: Path) -> Cosigner:
    key = tmp_path / "witness.key"
    witnessing.init_witness("witness.example.gov.uk", key)
    return Cosigner.load(key)


def test_the_witness_cosigns_growth_without_the_list_of_every_leaf(
    store: str, tmp_path: Path, cosigner: Cosigner, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_list(*_: object) -> object:
        raise AssertionError("the witness read every leaf into a list")

    monkeypatch.setattr(audit, "all_leaves", no_list)
    monkeypatch.setattr(witnessing, "all_leaves", no_list, raising=False)  # as it was imported
    # Two checkpoint rows a query: the writes below cross the reads' boundaries.
    monkeypatch.setattr(ledger_store, "CHECKPOINTS_READ", 2)
    signer = Signer.generate("policy-ledger")
    with (
        _history(store, tmp_path, ("a.db",), signer) as (place,),
        contextlib.closing(WitnessStore(tmp_path / "witness.db")) as witnesses,
    ):
        sizes = []
        for numbers in [(1,), (2, 3), (4,), (5, 6, 7, 8)]:  # several writes: several chunks
            _record(place, *numbers)
            outcome = witnessing.witness_one(
                cosigner, witnesses, _target(place, signer), fixed_clock
            )
            assert outcome.status == "cosigned", outcome.message
            sizes.append(witnesses.all()[-1].size)
        assert sizes == [2, 4, 5, 9]


def test_a_damaged_checkpoint_row_is_refused_not_a_traceback(
    store: str, tmp_path: Path, cosigner: Cosigner
) -> None:
    """A checkpoint row (not the latest) that does not decode: the witness cannot make the
    proof from it, refuses (nothing cosigned) and says why; it used to raise."""
    signer = Signer.generate("policy-ledger")
    with (
        _history(store, tmp_path, ("a.db",), signer) as (place,),
        contextlib.closing(WitnessStore(tmp_path / "witness.db")) as witnesses,
    ):
        _record(place, 1)
        assert witnessing.witness_one(cosigner, witnesses, _target(place, signer), fixed_clock).ok
        _record(place, 2, 3)
        with raw(place.db) as conn:
            conn.execute(
                "UPDATE {events} SET state = ? WHERE topic LIKE '%heckpoint%'"
                " AND originator_version = 1",
                (b"\xc1 not a checkpoint",),
            )
        outcome = witnessing.witness_one(cosigner, witnesses, _target(place, signer), fixed_clock)
        assert outcome.status == "refused"
        assert outcome.message.startswith("FORK"), outcome.message
        assert [row.size for row in witnesses.all()] == [2]
