"""Tests for ledger.merkle: RFC 9162 vectors, known answers and property tests."""

from __future__ import annotations

import base64
import hashlib
import json
import struct
from pathlib import Path
from typing import Any

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from ledger.merkle import (
    EMPTY_ROOT,
    Frontier,
    consistency_proof,
    frontiers_at,
    inclusion_proof,
    leaf_hash,
    leaf_input,
    node_hash,
    root_of,
    verify_consistency,
    verify_inclusion,
)

VECTORS = Path(__file__).parent / "vectors" / "rfc9162"

# The tests that check every (index, size) pair of a random tree cost O(n^3) hashes per
# example; run a fifth of the profile's examples for them (the default profile: 20).
HEAVY = settings(max_examples=max(10, settings().max_examples // 5), deadline=None)


def _b64(text: str) -> bytes:
    return base64.b64decode(text)


def _load(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def _vector_files(kind: str) -> list[Path]:
    return sorted((VECTORS / kind).rglob("*.json"))


def _vector_id(path: Path) -> str:
    return path.relative_to(VECTORS).as_posix()


INCLUSION_FILES = _vector_files("inclusion")
CONSISTENCY_FILES = _vector_files("consistency")


def test_vector_copy_is_present() -> None:
    # 98 inclusion and 98 consistency cases at the recorded commit; guard against an empty
    # glob silently turning the parametrised tests into no tests.
    assert len(INCLUSION_FILES) == 98
    assert len(CONSISTENCY_FILES) == 98
    assert (VECTORS / "LICENSE").is_file()
    assert (VECTORS / "README.md").is_file()


# --------------------------------------------------------------------------------------------
# (a) RFC 9162 vectors (transparency-dev/merkle testdata)
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", INCLUSION_FILES, ids=_vector_id)
def test_inclusion_vector(path: Path) -> None:
    v = _load(path)
    ok = verify_inclusion(
        _b64(v["leafHash"]),
        v["leafIdx"],
        v["treeSize"],
        [_b64(h) for h in v["proof"] or []],
        _b64(v["root"]),
    )
    assert ok is (not v["wantErr"]), v["desc"]


@pytest.mark.parametrize("path", CONSISTENCY_FILES, ids=_vector_id)
def test_consistency_vector(path: Path) -> None:
    v = _load(path)
    ok = verify_consistency(
        v["size1"],
        v["size2"],
        _b64(v["root1"]),
        _b64(v["root2"]),
        [_b64(h) for h in v["proof"] or []],
    )
    assert ok is (not v["wantErr"]), v["desc"]


# The leaves and roots the vectors were generated from (RFC 6962 test data, as in
# transparency-dev/merkle proof/verify_test.go): leaf i is leaf_hash(DATA[i]).
DATA = [
    bytes.fromhex(h)
    for h in (
        "",
        "00",
        "10",
        "2021",
        "3031",
        "40414243",
        "5051525354555657",
        "606162636465666768696a6b6c6d6e6f",
    )
]
ROOTS = [
    bytes.fromhex(h)
    for h in (
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
        "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
        "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
        "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
        "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
    )
]
LEAVES = [leaf_hash(d) for d in DATA]


def test_known_roots() -> None:
    assert EMPTY_ROOT.hex() == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    assert root_of([]) == EMPTY_ROOT
    frontier = Frontier()
    assert frontier.root() == EMPTY_ROOT
    for size in range(1, 9):
        assert root_of(LEAVES[:size]) == ROOTS[size - 1]
        frontier.append(LEAVES[size - 1])
        assert frontier.root() == ROOTS[size - 1]


@pytest.mark.parametrize(
    "path",
    [p for p in INCLUSION_FILES if p.name == "happy-path.json"],
    ids=_vector_id,
)
def test_inclusion_proof_generation_matches_vector(path: Path) -> None:
    v = _load(path)
    index, size = v["leafIdx"], v["treeSize"]
    assert LEAVES[index] == _b64(v["leafHash"])
    assert root_of(LEAVES[:size]) == _b64(v["root"])
    assert inclusion_proof(LEAVES, index, size) == [_b64(h) for h in v["proof"] or []]


@pytest.mark.parametrize(
    "path",
    [p for p in CONSISTENCY_FILES if p.name == "happy-path.json"],
    ids=_vector_id,
)
def test_consistency_proof_generation_matches_vector(path: Path) -> None:
    v = _load(path)
    size1, size2 = v["size1"], v["size2"]
    assert root_of(LEAVES[:size1]) == _b64(v["root1"])
    assert root_of(LEAVES[:size2]) == _b64(v["root2"])
    assert consistency_proof(LEAVES, size1, size2) == [_b64(h) for h in v["proof"] or []]


# --------------------------------------------------------------------------------------------
# Hashing primitives and leaf_input
# --------------------------------------------------------------------------------------------


def test_hash_domain_separation() -> None:
    a, b = b"\x11" * 32, b"\x22" * 32
    assert leaf_hash(b"x") == hashlib.sha256(b"\x00x").digest()
    assert node_hash(a, b) == hashlib.sha256(b"\x01" + a + b).digest()
    assert leaf_hash(a + b) != node_hash(a, b)


def test_leaf_input_layout() -> None:
    got = leaf_input(258, "ChildEnrolled", "C-1", b'{"x":1}')
    want = (
        bytes.fromhex("0000000000000102")
        + b"\x00\x0d"
        + b"ChildEnrolled"
        + b"\x00\x03"
        + b"C-1"
        + b"\x00\x00\x00\x07"
        + b'{"x":1}'
    )
    assert got == want
    # Lengths count UTF-8 bytes, not characters.
    assert leaf_input(0, "é", "", b"") == bytes(8) + b"\x00\x02\xc3\xa9" + b"\x00\x00" + bytes(4)


@pytest.mark.parametrize(
    ("position", "type_", "subject", "stored"),
    [
        (-1, "t", "s", b""),
        (1 << 64, "t", "s", b""),
        (0, "x" * 65536, "s", b""),
        (0, "t", "é" * 32768, b""),
        (0, "\ud800", "s", b""),
    ],
)
def test_leaf_input_rejects_out_of_range(
    position: int, type_: str, subject: str, stored: bytes
) -> None:
    with pytest.raises(ValueError):
        leaf_input(position, type_, subject, stored)


def _parse_leaf_input(data: bytes) -> tuple[int, str, str, bytes]:
    """An independent decoder, as an inspector would write it from the docstring."""
    (position,) = struct.unpack_from(">Q", data, 0)
    offset = 8
    (n,) = struct.unpack_from(">H", data, offset)
    type_ = data[offset + 2 : offset + 2 + n].decode("utf-8")
    offset += 2 + n
    (n,) = struct.unpack_from(">H", data, offset)
    subject = data[offset + 2 : offset + 2 + n].decode("utf-8")
    offset += 2 + n
    (n,) = struct.unpack_from(">I", data, offset)
    stored = data[offset + 4 : offset + 4 + n]
    assert offset + 4 + n == len(data), "trailing bytes"
    return position, type_, subject, stored


_leaf_fields = st.tuples(
    st.integers(0, (1 << 64) - 1),
    st.text(max_size=30),
    st.text(max_size=30),
    st.binary(max_size=60),
)


@given(_leaf_fields, _leaf_fields)
def test_leaf_input_is_unambiguous(
    a: tuple[int, str, str, bytes], b: tuple[int, str, str, bytes]
) -> None:
    ea, eb = leaf_input(*a), leaf_input(*b)
    assert _parse_leaf_input(ea) == a
    assert (ea == eb) == (a == b)


# --------------------------------------------------------------------------------------------
# Frontier
# --------------------------------------------------------------------------------------------

leaf_lists = st.lists(st.binary(max_size=8), max_size=70).map(
    lambda data: [leaf_hash(d) for d in data]
)


@given(leaf_lists)
def test_frontier_matches_root_of_at_every_prefix(leaves: list[bytes]) -> None:
    frontier = Frontier()
    assert frontier.size == 0
    assert frontier.root() == EMPTY_ROOT == root_of([])
    for i, leaf in enumerate(leaves, start=1):
        frontier.append(leaf)
        assert frontier.size == i
        assert len(frontier.hashes) == i.bit_count()
        assert frontier.root() == root_of(leaves[:i])
        encoded = frontier.to_bytes()
        assert len(encoded) == 8 + 32 * i.bit_count()
        again = Frontier.from_bytes(encoded)
        assert again == frontier
        assert again.size == i
        assert again.root() == frontier.root()
        assert again.to_bytes() == encoded


@given(leaf_lists, leaf_lists)
def test_frontier_copy_is_independent_and_restored_frontier_keeps_growing(
    first: list[bytes], second: list[bytes]
) -> None:
    frontier = Frontier()
    for leaf in first:
        frontier.append(leaf)
    snapshot = frontier.copy()
    restored = Frontier.from_bytes(frontier.to_bytes())
    for leaf in second:
        frontier.append(leaf)
        restored.append(leaf)
    assert snapshot.size == len(first)
    assert snapshot.root() == root_of(first)
    assert restored == frontier
    assert restored.root() == root_of(first + second)


def test_frontier_from_bytes_rejects_malformed() -> None:
    f = Frontier()
    for i in range(5):
        f.append(leaf_hash(bytes([i])))
    good = f.to_bytes()  # size 5: two hashes
    for bad in (
        b"",
        good[:7],
        good[:-1],
        good + b"\x00",
        good + bytes(32),
        good[:-32],
        (6).to_bytes(8, "big") + good[8:] + bytes(32),  # size 6 needs 2 hashes, has 3
        (0).to_bytes(8, "big") + bytes(32),
    ):
        with pytest.raises(ValueError):
            Frontier.from_bytes(bad)
    assert Frontier.from_bytes(bytes(8)) == Frontier()


@given(st.binary(max_size=120))
def test_frontier_from_bytes_accepts_only_canonical_encodings(data: bytes) -> None:
    try:
        f = Frontier.from_bytes(data)
    except ValueError:
        return
    assert f.to_bytes() == data


def test_frontier_append_rejects_bad_hash() -> None:
    f = Frontier()
    with pytest.raises(ValueError):
        f.append(b"short")
    assert f.size == 0


# --------------------------------------------------------------------------------------------
# Honest proofs verify
# --------------------------------------------------------------------------------------------


def _check_all_inclusion(leaves: list[bytes]) -> None:
    roots = [root_of(leaves[:s]) for s in range(len(leaves) + 1)]
    for size in range(1, len(leaves) + 1):
        for index in range(size):
            proof = inclusion_proof(leaves, index, size)
            assert verify_inclusion(leaves[index], index, size, proof, roots[size])
    for size in range(len(leaves) + 1):
        with pytest.raises(ValueError):
            inclusion_proof(leaves, size, size)


def _check_all_consistency(leaves: list[bytes]) -> None:
    roots = [root_of(leaves[:s]) for s in range(len(leaves) + 1)]
    for size2 in range(0, len(leaves) + 1):
        for size1 in range(1, size2 + 1):
            proof = consistency_proof(leaves, size1, size2)
            assert verify_consistency(size1, size2, roots[size1], roots[size2], proof)
        # Per the vectors, a consistency check from the empty tree never verifies (not even
        # 0 -> 0), and no such proof is produced.
        assert not verify_consistency(0, size2, EMPTY_ROOT, roots[size2], [])
        with pytest.raises(ValueError):
            consistency_proof(leaves, 0, size2)


FIXED_70 = [leaf_hash(i.to_bytes(2, "big")) for i in range(70)]


def test_every_inclusion_proof_of_a_70_leaf_tree_verifies() -> None:
    _check_all_inclusion(FIXED_70)


def test_every_consistency_proof_of_a_70_leaf_tree_verifies() -> None:
    _check_all_consistency(FIXED_70)


@HEAVY
@given(leaf_lists)
def test_inclusion_proofs_verify_for_every_pair(leaves: list[bytes]) -> None:
    _check_all_inclusion(leaves)


@HEAVY
@given(leaf_lists)
def test_consistency_proofs_verify_for_every_pair(leaves: list[bytes]) -> None:
    _check_all_consistency(leaves)


# --------------------------------------------------------------------------------------------
# Mutated proofs fail
# --------------------------------------------------------------------------------------------
#
# The proof does not bind the tree size: the verifier only learns from the size which way to
# combine each hash.  So a proof for size s also "verifies" for size s' against the *same*
# root whenever the two sizes give the path the same shape (e.g. leaf 0 of 5 and of 6).  That
# is inherent in RFC 9162 (the size is authenticated together with the root, by the signed
# checkpoint), and the vectors only try size*2 and size/2.  The tests therefore expect a
# changed tree size to be rejected exactly when the shape changes, with the shape computed
# here independently from the PATH / SUBPROOF recursions of RFC 9162 2.1.3.1 and 2.1.4.1.


def _split(n: int) -> int:
    k = 1
    while k * 2 < n:
        k *= 2
    return k


def _path_shape(index: int, size: int) -> tuple[str, ...] | None:
    """Sides ('L'/'R') of the siblings along PATH(index, D[size]), bottom-up."""
    if not 0 <= index < size:
        return None
    sides: list[str] = []
    while size > 1:
        k = _split(size)
        if index < k:
            sides.append("R")
            size = k
        else:
            sides.append("L")
            index, size = index - k, size - k
    return tuple(reversed(sides))


def _proof_shape(size1: int, size2: int) -> tuple[tuple[str, ...], bool] | None:
    """Sides along SUBPROOF(size1, D[size2], true), bottom-up, and the final flag b."""
    if not 0 < size1 <= size2:
        return None
    sides: list[str] = []
    m, n, b = size1, size2, True
    while m != n:
        k = _split(n)
        if m <= k:
            sides.append("R")
            n = k
        else:
            sides.append("L")
            m, n, b = m - k, n - k, False
    return tuple(reversed(sides)), b


def test_size_is_not_bound_by_the_proof() -> None:
    """Documents the RFC 9162 behaviour described above, on the smallest examples."""
    proof = inclusion_proof(FIXED_70, 0, 5)
    root5 = root_of(FIXED_70[:5])
    assert verify_inclusion(FIXED_70[0], 0, 6, proof, root5)
    assert _path_shape(0, 5) == _path_shape(0, 6)
    cproof = consistency_proof(FIXED_70, 1, 5)
    assert verify_consistency(1, 6, FIXED_70[0], root5, cproof)
    # But never against the real root of the other size.
    assert not verify_inclusion(FIXED_70[0], 0, 6, proof, root_of(FIXED_70[:6]))


def _distinct_leaves(salt: bytes, n: int) -> list[bytes]:
    # Distinct leaves make every proof hash distinct, so that swapping two is a real change.
    return [leaf_hash(salt + i.to_bytes(2, "big")) for i in range(n)]


INCLUSION_MUTATIONS = [
    "flip-bit",
    "drop",
    "add",
    "swap",
    "index-1",
    "index+1",
    "size-1",
    "size+1",
    "wrong-root",
    "wrong-leaf",
]


@given(
    salt=st.binary(max_size=4),
    size=st.integers(1, 70),
    data=st.data(),
    mutation=st.sampled_from(INCLUSION_MUTATIONS),
)
def test_mutated_inclusion_proof_fails(
    salt: bytes, size: int, data: st.DataObject, mutation: str
) -> None:
    leaves = _distinct_leaves(salt, size + 1)
    index = data.draw(st.integers(0, size - 1), label="index")
    proof = inclusion_proof(leaves, index, size)
    root = root_of(leaves[:size])
    leaf = leaves[index]
    assert verify_inclusion(leaf, index, size, proof, root)

    new_index, new_size, new_proof, new_root, new_leaf = index, size, list(proof), root, leaf
    if mutation == "flip-bit":
        assume(proof)
        j = data.draw(st.integers(0, len(proof) - 1), label="hash")
        bit = data.draw(st.integers(0, 255), label="bit")
        flipped = bytearray(proof[j])
        flipped[bit // 8] ^= 1 << (bit % 8)
        new_proof[j] = bytes(flipped)
    elif mutation == "drop":
        assume(proof)
        del new_proof[data.draw(st.integers(0, len(proof) - 1), label="hash")]
    elif mutation == "add":
        extra = data.draw(st.sampled_from([root, leaf, EMPTY_ROOT, *proof]), label="extra")
        new_proof.insert(data.draw(st.integers(0, len(proof)), label="at"), extra)
    elif mutation == "swap":
        assume(len(proof) >= 2)
        j = data.draw(st.integers(0, len(proof) - 2), label="first")
        k = data.draw(st.integers(j + 1, len(proof) - 1), label="second")
        new_proof[j], new_proof[k] = new_proof[k], new_proof[j]
    elif mutation == "index-1":
        new_index -= 1
    elif mutation == "index+1":
        new_index += 1
    elif mutation == "size-1":
        new_size -= 1
    elif mutation == "size+1":
        new_size += 1
    elif mutation == "wrong-root":
        new_root = data.draw(
            st.sampled_from([root_of(leaves[: size + 1]), EMPTY_ROOT, leaf, bytes(32)]),
            label="root",
        )
        assume(new_root != root)  # for size 1 the leaf is the root
    elif mutation == "wrong-leaf":
        new_leaf = leaves[data.draw(st.integers(0, size).filter(lambda i: i != index))]

    ok = verify_inclusion(new_leaf, new_index, new_size, new_proof, new_root)
    if mutation.startswith("size"):
        assert ok == (_path_shape(index, new_size) == _path_shape(index, size))
    else:
        assert not ok


CONSISTENCY_MUTATIONS = [
    "flip-bit",
    "drop",
    "add",
    "swap",
    "size1-1",
    "size1+1",
    "size2-1",
    "size2+1",
    "wrong-root1",
    "wrong-root2",
    "swap-roots",
]


@given(
    salt=st.binary(max_size=4),
    size2=st.integers(1, 70),
    data=st.data(),
    mutation=st.sampled_from(CONSISTENCY_MUTATIONS),
)
def test_mutated_consistency_proof_fails(
    salt: bytes, size2: int, data: st.DataObject, mutation: str
) -> None:
    leaves = _distinct_leaves(salt, size2 + 1)
    size1 = data.draw(st.integers(1, size2), label="size1")
    proof = consistency_proof(leaves, size1, size2)
    root1, root2 = root_of(leaves[:size1]), root_of(leaves[:size2])
    assert verify_consistency(size1, size2, root1, root2, proof)

    s1, s2, p, r1, r2 = size1, size2, list(proof), root1, root2
    if mutation == "flip-bit":
        assume(proof)
        j = data.draw(st.integers(0, len(proof) - 1), label="hash")
        bit = data.draw(st.integers(0, 255), label="bit")
        flipped = bytearray(proof[j])
        flipped[bit // 8] ^= 1 << (bit % 8)
        p[j] = bytes(flipped)
    elif mutation == "drop":
        assume(proof)
        del p[data.draw(st.integers(0, len(proof) - 1), label="hash")]
    elif mutation == "add":
        extra = data.draw(st.sampled_from([root1, root2, EMPTY_ROOT, *proof]), label="extra")
        p.insert(data.draw(st.integers(0, len(proof)), label="at"), extra)
    elif mutation == "swap":
        assume(len(proof) >= 2)
        j = data.draw(st.integers(0, len(proof) - 2), label="first")
        k = data.draw(st.integers(j + 1, len(proof) - 1), label="second")
        p[j], p[k] = p[k], p[j]
    elif mutation == "size1-1":
        s1 -= 1
    elif mutation == "size1+1":
        s1 += 1
    elif mutation == "size2-1":
        s2 -= 1
    elif mutation == "size2+1":
        s2 += 1
    elif mutation == "wrong-root1":
        r1 = data.draw(
            st.sampled_from([root_of(leaves[: size1 + 1]), EMPTY_ROOT, bytes(32)]), label="r1"
        )
        assume(r1 != root1)
    elif mutation == "wrong-root2":
        r2 = data.draw(
            st.sampled_from([root_of(leaves[: size2 + 1]), EMPTY_ROOT, bytes(32)]), label="r2"
        )
    elif mutation == "swap-roots":
        assume(root1 != root2)
        r1, r2 = root2, root1

    ok = verify_consistency(s1, s2, r1, r2, p)
    if mutation.startswith("size2"):
        assert ok == (_proof_shape(size1, s2) == _proof_shape(size1, size2))
    else:
        assert not ok


# --------------------------------------------------------------------------------------------
# Hostile input never raises
# --------------------------------------------------------------------------------------------

_anything = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-5, 1 << 65),
    st.binary(max_size=40),
    st.text(max_size=5),
    st.lists(st.binary(min_size=31, max_size=33), max_size=8),
    st.lists(st.integers(), max_size=3),
)


@given(_anything, _anything, _anything, _anything, _anything)
def test_verify_inclusion_never_raises(a: Any, b: Any, c: Any, d: Any, e: Any) -> None:
    assert verify_inclusion(a, b, c, d, e) in (True, False)


@given(_anything, _anything, _anything, _anything, _anything)
def test_verify_consistency_never_raises(a: Any, b: Any, c: Any, d: Any, e: Any) -> None:
    assert verify_consistency(a, b, c, d, e) in (True, False)


@pytest.mark.parametrize(
    ("index", "size"), [(0, 0), (1, 1), (-1, 1), (True, 2), (0, 1 << 64), (1 << 64, 1)]
)
def test_verify_inclusion_rejects_bad_index_or_size(index: int, size: int) -> None:
    leaf = LEAVES[0]
    assert not verify_inclusion(leaf, index, size, [], leaf)


def test_verify_rejects_wrong_hash_lengths() -> None:
    proof = inclusion_proof(LEAVES, 2, 8)
    root = ROOTS[7]
    assert verify_inclusion(LEAVES[2], 2, 8, proof, root)
    assert not verify_inclusion(LEAVES[2][:31], 2, 8, proof, root)
    assert not verify_inclusion(LEAVES[2], 2, 8, proof, root + b"\x00")
    assert not verify_inclusion(LEAVES[2], 2, 8, [*proof[:2], proof[2] + b"\x00"], root)
    assert not verify_inclusion(LEAVES[2], 2, 8, [bytearray(h) for h in proof], root)  # type: ignore[misc]
    assert verify_inclusion(LEAVES[2], 2, 8, tuple(proof), root)
    cproof = consistency_proof(LEAVES, 3, 8)
    assert verify_consistency(3, 8, ROOTS[2], root, cproof)
    assert not verify_consistency(3, 8, ROOTS[2][:31], root, cproof)
    assert not verify_consistency(3, 8, ROOTS[2], root[:31], cproof)
    assert not verify_consistency(3, 8, ROOTS[2], root, [cproof[0][:31], *cproof[1:]])


@given(
    count=st.integers(min_value=0, max_value=300),
    data=st.data(),
)
def test_frontiers_at_equal_appending_leaf_by_leaf(count: int, data: st.DataObject) -> None:
    """Hashing a whole level at a time (what ``verify`` does) gives the frontier that appending
    the leaves one by one gives, at every size asked for."""
    leaves = [hashlib.sha256(i.to_bytes(4, "big")).digest() for i in range(count)]
    sizes = data.draw(st.lists(st.integers(min_value=0, max_value=count), max_size=6))
    got = frontiers_at(b"".join(leaves), sizes)
    for size, frontier in zip(sizes, got, strict=True):
        expected = Frontier()
        for leaf in leaves[:size]:
            expected.append(leaf)
        assert frontier.size == size
        assert frontier.to_bytes() == expected.to_bytes()
        assert frontier.root() == expected.root()


def test_frontiers_at_refuses_partial_hashes_and_sizes_beyond_the_leaves() -> None:
    with pytest.raises(ValueError):
        frontiers_at(b"\x00" * 33, [1])
    with pytest.raises(ValueError):
        frontiers_at(b"\x00" * 64, [3])


@given(start=st.integers(min_value=0, max_value=70), count=st.integers(min_value=0, max_value=70))
def test_extend_equals_appending_each(start: int, count: int) -> None:
    leaves = [hashlib.sha256(i.to_bytes(4, "big")).digest() for i in range(start + count)]
    one_by_one, extended = Frontier(), Frontier()
    for leaf in leaves:
        one_by_one.append(leaf)
    for leaf in leaves[:start]:
        extended.append(leaf)
    extended.extend(b"".join(leaves[start:]))
    assert extended.to_bytes() == one_by_one.to_bytes()
    with pytest.raises(ValueError):
        extended.extend(b"\x00" * 31)
