"""Adversarial review of ``merkle.streamed_consistency`` and the witness's use of it: the
inputs its honest caller never makes (chunks of one leaf, empty chunks, sizes at the edges, a
leaf stream that is short, long, or has one leaf changed in the middle)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path
from unittest import mock

import pytest

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
from ledger.service import witnessing
from ledger.storage.witnessed import WitnessStore
from tests.conftest import fixed_clock
from tests.test_witness import _history, _record, _target

LEAVES = [leaf_hash(i.to_bytes(2, "big")) for i in range(40)]


def test_chunks_of_one_leaf_and_empty_chunks_between_give_the_all_leaves_proof() -> None:
    for size2 in range(0, 41):
        for size1 in range(0, size2 + 1):
            ones = [leaf for leaf in LEAVES[:size2] for leaf in (b"", leaf)] + [b""]
            streamed = streamed_consistency(iter(ones), size1, size2)
            assert streamed is not None, (size1, size2)
            root1, root2, proof = streamed
            assert root1 == root_of(LEAVES[:size1]), (size1, size2)
            assert root2 == root_of(LEAVES[:size2]), (size1, size2)
            expected = consistency_proof(LEAVES, size1, size2) if size1 else []
            assert proof == expected, (size1, size2)


def test_the_edge_sizes() -> None:
    assert streamed_consistency(iter([]), 0, 0) == (EMPTY_ROOT, EMPTY_ROOT, [])
    assert streamed_consistency(iter([b""]), 0, 0) == (EMPTY_ROOT, EMPTY_ROOT, [])
    assert streamed_consistency(iter([]), 0, 1) is None
    assert streamed_consistency(iter([b"", b""]), 1, 1) is None
    # Equal sizes: no proof, the two roots one root, and it verifies.
    one = streamed_consistency(iter([LEAVES[0]]), 1, 1)
    assert one == (LEAVES[0], LEAVES[0], [])
    assert verify_consistency(1, 1, LEAVES[0], LEAVES[0], [])
    same = streamed_consistency(iter([b"".join(LEAVES[:7])]), 7, 7)
    assert same is not None and same[0] == same[1] == root_of(LEAVES[:7]) and same[2] == []
    for size1, size2 in ((2, 1), (1, 0), (-1, 3), (0, -1)):
        with pytest.raises(ValueError):
            streamed_consistency(iter([b"".join(LEAVES)]), size1, size2)
    with pytest.raises(ValueError):
        consistency_ranges(0, 3)
    with pytest.raises(ValueError):
        streamed_consistency(iter([b"\x00" * (HASH_SIZE - 1)]), 0, 0)  # looked at, refused


def test_a_wrong_leaf_anywhere_gives_another_root_and_no_proof_of_the_honest_roots() -> None:
    size2 = 37
    honest = streamed_consistency(iter([b"".join(LEAVES[:size2])]), 13, size2)
    assert honest is not None
    for wrong in range(size2):
        leaves = list(LEAVES[:size2])
        leaves[wrong] = leaf_hash(b"another fact")
        for chunk in (1, 5, size2):
            chunks = [b"".join(leaves[i : i + chunk]) for i in range(0, size2, chunk)]
            got = streamed_consistency(iter(chunks), 13, size2)
            assert got is not None
            assert got[1] != honest[1], (wrong, chunk)  # the new root
            assert (got[0] != honest[0]) == (wrong < 13), (wrong, chunk)
            # The proof made from the wrong leaves never proves the honest roots.
            assert not verify_consistency(13, size2, honest[0], honest[1], got[2]), wrong


def test_more_leaves_than_the_new_size_are_not_looked_at() -> None:
    """A leaf stream longer than the checkpoint (a write after it was read): the leaves after
    ``size2`` are neither hashed nor checked, so the proof is the proof of the first ones."""
    extra = [b"".join(LEAVES[:10]), b"\x00" * 3]  # after 10: not even whole hashes
    got = streamed_consistency(iter(extra), 4, 10)
    assert got == (root_of(LEAVES[:4]), root_of(LEAVES[:10]), consistency_proof(LEAVES, 4, 10))


@pytest.mark.parametrize("change", ["short", "wrong-middle", "dropped-middle", "doubled"])
def test_the_witness_refuses_a_leaf_stream_other_than_its_checkpoints(
    store: str, tmp_path: Path, change: str
) -> None:
    """The leaf hashes read back short (a checkpoint row missing), with one leaf in the middle
    changed, one left out, or a checkpoint's given twice: refused as a FORK, nothing cosigned
    (the cosigned sizes stay as they were)."""
    signer = Signer.generate("policy-ledger")
    key = tmp_path / "witness.key"
    witnessing.init_witness("witness.example.gov.uk", key)
    cosigner = Cosigner.load(key)
    honest = witnessing.checkpoint_leaves

    def altered(ledger: ledger_store.Ledger) -> Iterator[bytes]:
        rows = list(honest(ledger))
        assert len(rows) >= 3
        if change == "short":
            rows = rows[:-1]
        elif change == "wrong-middle":
            middle = rows[1]
            rows[1] = hashlib.sha256(b"another").digest() + middle[HASH_SIZE:]
        elif change == "dropped-middle":
            rows[1] = rows[1][HASH_SIZE:]
        else:
            rows.insert(1, rows[1])
        yield from rows

    with _history(store, tmp_path, ("a.db",), signer) as (place,):
        witnesses = WitnessStore(tmp_path / "witness.db")
        _record(place, 1)
        assert witnessing.witness_one(cosigner, witnesses, _target(place, signer), fixed_clock).ok
        _record(place, 2, 3)
        with mock.patch.object(witnessing, "checkpoint_leaves", altered):
            outcome = witnessing.witness_one(
                cosigner, witnesses, _target(place, signer), fixed_clock
            )
        assert outcome.status == "refused", outcome.message
        assert outcome.message.startswith("FORK"), outcome.message
        assert [row.size for row in witnesses.all()] == [2]
        # and the honest stream is cosigned (the test can tell the two apart)
        assert witnessing.witness_one(cosigner, witnesses, _target(place, signer), fixed_clock).ok
        assert [row.size for row in witnesses.all()] == [2, 4]
        witnesses.close()
