"""The verifiers tested by a hostile prover: what the honest ledger never makes must be refused.

Two real ledgers (A and B, each with its own signing key, made with the project's fixtures) in
each store give the genuine artefacts: an exported trail, a consent receipt, a consistency proof
and a kept checkpoint. The prover then forges: artefacts signed by the other ledger's key (or by
A's own key, as a setting that wants to look better could), with a field given twice, a field
the ledger never writes, a number spelled another way, trailing data, truncated, lines
reordered or duplicated, spliced from the two ledgers, cut back before a kept checkpoint, a name
redacted to ``[forgotten]`` without a forget. Every verifier must refuse each (exit 1, "NOT
VERIFIED", never "Verified"), must refuse to give any verdict without a key the reader supplies
(exit 2), and must accept the genuine artefact with the right key.
"""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import json
import re
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, NamedTuple

import hypothesis.strategies as st
import msgspec
import pytest
from hypothesis import given, settings

from ledger import integrity
from ledger.checkpoint import Checkpoint
from ledger.integrity import Signer
from tests.conftest import STORES
from tests.test_audit_trail import Place, cli, export, ledger_folder
from tests.test_privacy_and_refusals import pinned_now, run

_encode = msgspec.json.encode


class Artefacts(NamedTuple):
    """One ledger's genuine files, and its key."""

    folder: Path
    signer: Signer
    vkey: str
    trail: bytes
    receipt: bytes
    proof: bytes
    notes: list[str]  # every checkpoint's signed note, in order


class Pair(NamedTuple):
    a: Artefacts
    b: Artefacts
    work: Path  # where forged files are written


def _artefacts(place: Place) -> Artefacts:
    signer = Signer.load(place.config().key_path)
    ledger = place.open()
    notes = [integrity.decode_record(c.state).note for c in ledger.checkpoints()]
    ledger.close()
    trail = export(place).encode()
    receipt = b""
    for n in range(1, 11):
        status, out = cli(place, "receipt", f"C-{n:04d}")
        if status == 0:
            receipt = out.encode()
            break
    assert receipt, "no child with consent in the test ledger"
    old = place.folder / "old-note.txt"
    old.write_text(notes[1])
    status, proof = cli(place, "consistency", str(old))
    assert status == 0, proof
    return Artefacts(
        place.folder, signer, signer.verifier_key(), trail, receipt, proof.encode(), notes
    )


@pytest.fixture(scope="module", params=STORES)
def pair(request: pytest.FixtureRequest) -> Iterator[Pair]:
    with (
        ledger_folder(61, writes=3, store=request.param) as a,
        ledger_folder(62, writes=3, store=request.param) as b,
        pinned_now(),
    ):
        yield Pair(_artefacts(a), _artefacts(b), Path(tempfile.mkdtemp()))


@pytest.fixture(scope="module", autouse=True)
def no_trusted_keys_file() -> Iterator[None]:
    """No trusted-keys file of the machine's user is read: each test says which keys it trusts."""
    with pytest.MonkeyPatch.context() as patch, tempfile.TemporaryDirectory() as config:
        patch.setenv("XDG_CONFIG_HOME", config)
        yield


def check(kind: str, data: bytes, work: Path, *keys: str) -> tuple[int, str]:
    """Run the verifier of ``kind`` on ``data`` with ``keys`` (``--key`` for one)."""
    path = work / f"forged-{kind}"
    path.write_bytes(data)
    argv = {
        "receipt": ["receipt", "--check", str(path)],
        "proof": ["consistency", "--check", str(path)],
        "trail": ["replay", str(path)],
    }[kind]
    if len(keys) == 1:
        argv += ["--key", keys[0]]
    elif keys:
        trusted = work / "trusted-keys"
        trusted.write_text("# keys I trust\n\n" + "\n".join(keys) + "\n")
        argv += ["--trusted", str(trusted)]
    with pinned_now():
        return run(*argv)


def refused(kind: str, data: bytes, work: Path, *keys: str) -> str:
    status, out = check(kind, data, work, *keys)
    assert status == 1, f"{kind}: status {status}, expected 1 (not verified):\n{out[-1500:]}"
    assert "NOT VERIFIED" in out and "Verified:" not in out and "Traceback" not in out, out
    return out


KINDS = ("receipt", "proof", "trail")


def genuine(art: Artefacts, kind: str) -> bytes:
    return {"receipt": art.receipt, "proof": art.proof, "trail": art.trail}[kind]


# --- the genuine artefacts, and no verdict without a key --------------------------------------


@pytest.mark.parametrize("kind", KINDS)
def test_the_genuine_artefact_is_accepted_with_its_key(pair: Pair, kind: str) -> None:
    for art in (pair.a, pair.b):
        status, out = check(kind, genuine(art, kind), pair.work, art.vkey)
        assert status == 0, out
        assert "Verified" in out and f"Checked against the key supplied, {art.vkey}" in out
        # A trusted-keys file holding both keys (and a comment) picks the right one.
        status, out = check(kind, genuine(art, kind), pair.work, pair.a.vkey, pair.b.vkey)
        assert status == 0, out


@pytest.mark.parametrize("kind", KINDS)
def test_no_key_no_verdict(pair: Pair, kind: str) -> None:
    status, out = check(kind, genuine(pair.a, kind), pair.work)
    assert status == 2, out
    assert "Verified" not in out and "Traceback" not in out
    assert "--key" in out and "PATH.pub" in out and "Integrity page" in out
    assert "trusted-keys" in out


def test_a_trusted_keys_file_that_is_not_keys_is_a_usage_error(pair: Pair) -> None:
    bad = pair.work / "bad-trusted"
    bad.write_text(f"# mine\n{pair.a.vkey}\nnot a key\n")
    path = pair.work / "receipt.json"
    path.write_bytes(pair.a.receipt)
    status, out = run("receipt", "--check", str(path), "--trusted", str(bad))
    assert status == 2 and "line 3" in out and "not a public key" in out, out
    status, out = run("receipt", "--check", str(path), "--key", "policy-ledger+00+AA==")
    assert status == 2 and "--key" in out and "Verified" not in out, out


def test_the_default_trusted_keys_file_is_read(
    pair: Pair, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    config = tmp_path / "xdg"
    (config / "policy-ledger").mkdir(parents=True)
    (config / "policy-ledger" / "trusted-keys").write_text(f"# A\n{pair.a.vkey}\n")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(config))
    path = pair.work / "receipt.json"
    path.write_bytes(pair.a.receipt)
    status, out = run("receipt", "--check", str(path))
    assert status == 0, out
    path.write_bytes(pair.b.receipt)
    status, out = run("receipt", "--check", str(path))
    assert status == 1 and "not by the key supplied" in out, out


# --- another ledger's key -----------------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
def test_an_artefact_signed_by_another_ledger_is_refused(pair: Pair, kind: str) -> None:
    refused(kind, genuine(pair.b, kind), pair.work, pair.a.vkey)
    refused(kind, genuine(pair.a, kind), pair.work, pair.b.vkey)


def _resign_receipt(receipt: dict[str, Any], signer: Signer) -> bytes:
    """A receipt signed afresh by ``signer`` (the prover holds that key)."""
    body = {k: v for k, v in receipt.items() if k != "signature"}
    body["publicKey"] = signer.verifier_key()
    text = _encode(body).decode() + "\n"
    return _encode({**body, "signature": signer.sign_text(text)}) + b"\n"


def test_a_receipt_re_signed_by_another_key_is_refused(pair: Pair) -> None:
    receipt = json.loads(pair.a.receipt)
    forged = _resign_receipt(receipt, pair.b.signer)
    out = refused("receipt", forged, pair.work, pair.a.vkey)
    assert "not by the key supplied" in out
    # Even naming A's key in it, B's signature does not check against A's key.
    forged_named = json.loads(forged)
    forged_named["publicKey"] = pair.a.vkey
    refused("receipt", _encode(forged_named) + b"\n", pair.work, pair.a.vkey)


# --- strict input -------------------------------------------------------------------------------


def _duplicate_first_field(data: bytes, value: bytes) -> bytes:
    """``{"k":v,...}`` -> ``{"k":VALUE,"k":v,...}``: a forged value first, the genuine one last
    (msgspec, like most decoders, keeps the last)."""
    key = data[1 : data.index(b":") + 1]
    return b"{" + key + value + b"," + data[1:]


NUMBER_SPELLINGS = [b".0", b"e0", b"E+0"]
# What the refusal of each attack must say (one of these): what is wrong, and where.
_SPELLED = ("from character", "not one JSON object", "not valid JSON", "decimal point")
SAYS_WHY = {
    "duplicate": ("is given twice",),
    "unknown": ("a field the ledger never writes", "unknown field"),
    "number": _SPELLED,
    "leading-zero": _SPELLED,
    "minus-zero": _SPELLED,
    "trailing": ("something follows it", "not valid JSON", "is blank", "from character"),
    "space": _SPELLED,
    "escape": _SPELLED,
}


def _structural(body: bytes) -> tuple[set[int], set[int]]:
    """The offsets of ``body`` (JSON) outside every string, and those of plain characters in a
    string (not part of an escape)."""
    out: set[int] = set()
    plain: set[int] = set()
    inside = escaped = False
    for i, c in enumerate(body):
        if inside:
            if escaped:
                escaped = False
            elif c == 0x5C:  # backslash
                escaped = True
            elif c == 0x22:
                inside = False
            else:
                plain.add(i)
        elif c == 0x22:
            inside = True
        else:
            out.add(i)
    return out, plain


@st.composite
def strict_attack(draw: st.DrawFn, data: bytes) -> tuple[str, bytes]:
    """One change to an artefact that keeps its meaning for a lax reader, but is not how the
    ledger writes it."""
    body = data.removesuffix(b"\n")
    how = draw(
        st.sampled_from(
            [
                "duplicate",
                "unknown",
                "number",
                "leading-zero",
                "minus-zero",
                "trailing",
                "space",
                "escape",
            ]
        )
    )
    if how == "duplicate":
        return how, _duplicate_first_field(body, b'"forged"') + b"\n"
    if how == "unknown":
        extra = draw(st.sampled_from([b'"note":"x"', b'"x":1', b'"signature2":null']))
        return how, b"{" + extra + b"," + body[1:] + b"\n"
    outside, plain = _structural(body)
    numbers = [
        m.span(1)
        for m in re.finditer(rb"(-?[0-9]+)(?=[,}\]])", body)
        if m.start(1) in outside and body[m.start(1) - 1 : m.start(1)] in (b":", b"[", b",")
    ]
    if how in ("number", "leading-zero", "minus-zero") and numbers:
        start, end = draw(st.sampled_from(numbers))
        if how == "number":
            spelling = draw(st.sampled_from(NUMBER_SPELLINGS))
            return how, body[:end] + spelling + body[end:] + b"\n"
        if how == "leading-zero":
            return how, body[:start] + b"0" + body[start:] + b"\n"
        zero = [(s, e) for s, e in numbers if body[s:e] == b"0"]
        if zero:
            start, _ = draw(st.sampled_from(zero))
            return how, body[:start] + b"-" + body[start:] + b"\n"
    if how == "trailing":
        tail = draw(st.sampled_from([b"{}", b" x", b"\n{}", b"[]", b"\n\n1"]))
        return how, body + b"\n" + tail
    if how == "space":
        at = draw(st.sampled_from([i for i in sorted(outside) if body[i] in b",:"]))
        return how, body[: at + 1] + b" " + body[at + 1 :] + b"\n"
    # A character of a string written as a \u escape: the same string for a lax reader.
    letters = [i for i in sorted(plain) if body[i : i + 1].isalpha()]
    at = draw(st.sampled_from(letters))
    return "escape", body[:at] + b"\\u%04x" % body[at] + body[at + 1 :] + b"\n"


@pytest.mark.parametrize("kind", ["receipt", "proof"])
@settings(max_examples=max(20, settings.get_profile("default").max_examples))
@given(data=st.data())
def test_receipts_and_proofs_are_read_strictly(pair: Pair, kind: str, data: st.DataObject) -> None:
    how, forged = data.draw(strict_attack(genuine(pair.a, kind)), label="attack")
    if forged == genuine(pair.a, kind):
        return
    out = refused(kind, forged, pair.work, pair.a.vkey)
    assert any(words in out for words in SAYS_WHY[how]), f"{how}: {out}"


def test_a_receipt_with_a_forged_value_first_is_refused_naming_why(pair: Pair) -> None:
    """The issue's attack: the child's reference given twice, a forged one first."""
    receipt = pair.a.receipt
    child = json.loads(receipt)["piiPrincipalId"]
    forged = receipt.replace(
        b'"piiPrincipalId":"' + child.encode() + b'"',
        b'"piiPrincipalId":"C-9999","piiPrincipalId":"' + child.encode() + b'"',
    )
    assert forged != receipt
    out = refused("receipt", forged, pair.work, pair.a.vkey)
    assert "given twice" in out


@settings(max_examples=max(20, settings.get_profile("default").max_examples))
@given(data=st.data())
def test_a_trail_line_spelled_another_way_is_refused(pair: Pair, data: st.DataObject) -> None:
    lines = pair.a.trail.split(b"\n")[:-1]
    index = data.draw(st.integers(0, len(lines) - 1), label="line")
    how, line = data.draw(strict_attack(lines[index] + b"\n"), label="attack")
    if how == "trailing":
        line = lines[index] + b" {}\n"
    lines = [*lines[:index], line.removesuffix(b"\n"), *lines[index + 1 :]]
    forged = b"\n".join(lines) + b"\n"
    if forged == pair.a.trail:
        return
    out = refused("trail", forged, pair.work, pair.a.vkey)
    assert f"line {index + 1}:" in out and f"line {index + 1}: line" not in out, out
    if how in ("duplicate", "unknown") and not _is_checkpoint(lines[index]):
        assert any(words in out for words in SAYS_WHY[how]), f"{how}: {out}"


@pytest.mark.parametrize(
    "change",
    [
        lambda t: t.replace(b"\n", b"\r\n"),
        lambda t: t.replace(b"\n", b"\n\n", 1),
        lambda t: t.removesuffix(b"\n"),
        lambda t: t.replace(b"\n", b" \n", 1),
        lambda t: b"\n" + t,
    ],
    ids=["crlf", "blank-line", "no-final-newline", "trailing-space", "leading-blank"],
)
def test_whitespace_and_line_ends_in_a_trail_are_refused(
    pair: Pair, change: Callable[[bytes], bytes]
) -> None:
    refused("trail", change(pair.a.trail), pair.work, pair.a.vkey)


# --- truncated, reordered, duplicated, spliced ---------------------------------------------------


@settings(max_examples=max(20, settings.get_profile("default").max_examples))
@given(data=st.data())
def test_a_truncated_artefact_is_refused(pair: Pair, data: st.DataObject) -> None:
    kind = data.draw(st.sampled_from(KINDS), label="kind")
    original = genuine(pair.a, kind)
    at = data.draw(st.integers(1, len(original) - 2), label="cut at")
    cut = original[:at]
    # A trail cut just after one of its checkpoint lines is a genuine shorter trail: the kept
    # checkpoint catches that (below). Any other cut is refused on its own.
    if kind == "trail" and cut.endswith(b"\n") and _is_checkpoint(cut.rsplit(b"\n", 2)[-2]):
        return
    refused(kind, cut, pair.work, pair.a.vkey)


def _lines(trail: bytes) -> list[bytes]:
    return trail.split(b"\n")[:-1]


def _join(lines: list[bytes]) -> bytes:
    return b"".join(line + b"\n" for line in lines)


def _is_checkpoint(line: bytes) -> bool:
    return b'"type":"Checkpoint"' in line


@settings(max_examples=max(20, settings.get_profile("default").max_examples))
@given(data=st.data())
def test_a_reordered_or_duplicated_trail_is_refused(pair: Pair, data: st.DataObject) -> None:
    lines = _lines(pair.a.trail)
    how = data.draw(st.sampled_from(["swap", "duplicate", "drop", "move"]), label="how")
    i = data.draw(st.integers(0, len(lines) - 1), label="i")
    j = data.draw(st.integers(0, len(lines) - 1), label="j")
    if how == "swap":
        if lines[i] == lines[j]:
            return
        lines[i], lines[j] = lines[j], lines[i]
    elif how == "duplicate":
        lines.insert(j, lines[i])
    elif how == "drop":
        if i == len(lines) - 1 or (_is_checkpoint(lines[i]) and i == len(lines) - 1):
            return  # dropping the last checkpoint leaves unsigned facts: refused below anyway
        del lines[i]
    else:
        line = lines.pop(i)
        lines.insert(j, line)
        if i == j:
            return
    refused("trail", _join(lines), pair.work, pair.a.vkey)


def _renumbered(lines: list[bytes]) -> list[bytes]:
    """Every checkpoint line's (unsigned) sequence renumbered 1, 2, 3, ... in order."""
    out = []
    n = 0
    for line in lines:
        if _is_checkpoint(line):
            n += 1
            obj = json.loads(line)
            obj["sequence"] = n
            line = _encode(obj)
        out.append(line)
    return out


def test_a_duplicated_and_renumbered_checkpoint_line_is_refused(pair: Pair) -> None:
    lines = _lines(pair.a.trail)
    first = next(i for i, line in enumerate(lines) if _is_checkpoint(line))
    forged = _renumbered([*lines[: first + 1], lines[first], *lines[first + 1 :]])
    out = refused("trail", _join(forged), pair.work, pair.a.vkey)
    assert f"line {first + 2}" in out and "no facts before it" in out


def test_a_trail_spliced_from_two_ledgers_is_refused(pair: Pair) -> None:
    a, b = _lines(pair.a.trail), _lines(pair.b.trail)
    cut_a = next(i for i, line in enumerate(a) if _is_checkpoint(line)) + 1
    cut_b = next(i for i, line in enumerate(b) if _is_checkpoint(line)) + 1
    spliced = _renumbered([*a[:cut_a], *b[cut_b:]])
    refused("trail", _join(spliced), pair.work, pair.a.vkey)
    refused("trail", _join(spliced), pair.work, pair.a.vkey, pair.b.vkey)


def test_a_receipt_spliced_from_two_ledgers_is_refused_even_signed_by_the_setting(
    pair: Pair,
) -> None:
    """The setting holds its own key: it can sign anything. A fact of another ledger (or one
    it never recorded) still fails its inclusion proof."""
    mine, theirs = json.loads(pair.a.receipt), json.loads(pair.b.receipt)
    forged = dict(mine)
    facts = list(mine["ledger"]["facts"])
    other = dict(theirs["ledger"]["facts"][1])
    other["child"] = mine["piiPrincipalId"]
    other["position"] = facts[1]["position"]
    facts[1] = other
    forged["ledger"] = {**mine["ledger"], "facts": facts}
    out = refused("receipt", _resign_receipt(forged, pair.a.signer), pair.work, pair.a.vkey)
    assert "fact 2" in out


def test_a_receipt_with_a_reordered_or_missing_proof_is_refused(pair: Pair) -> None:
    mine = json.loads(pair.a.receipt)
    proofs = mine["ledger"]["proofs"]
    for changed in (proofs[::-1], proofs[:-1], [*proofs, proofs[0]]):
        if changed == proofs:
            continue
        forged = {**mine, "ledger": {**mine["ledger"], "proofs": changed}}
        refused("receipt", _resign_receipt(forged, pair.a.signer), pair.work, pair.a.vkey)


def test_a_proof_spliced_from_two_ledgers_is_refused(pair: Pair) -> None:
    mine, theirs = json.loads(pair.a.proof), json.loads(pair.b.proof)
    forged = _encode({**mine, "new": theirs["new"]}) + b"\n"
    refused("proof", forged, pair.work, pair.a.vkey)
    refused("proof", forged, pair.work, pair.a.vkey, pair.b.vkey)
    # The setting signing a tree head of another history at the same origin.
    new = pair.a.signer.verifier().open(mine["new"])
    assert new is not None
    fork = Checkpoint(new.origin, new.size, bytes(32))
    forked = _encode({**mine, "new": pair.a.signer.sign(fork)}) + b"\n"
    out = refused("proof", forked, pair.work, pair.a.vkey)
    assert "does not extend" in out


# --- rollback: a kept checkpoint -----------------------------------------------------------------


def test_a_trail_cut_back_before_a_kept_checkpoint_is_refused(pair: Pair) -> None:
    kept = pair.work / "kept.txt"
    kept.write_text(pair.a.notes[-1])
    trail = pair.work / "cut.jsonl"
    lines = _lines(pair.a.trail)
    ends = [i for i, line in enumerate(lines) if _is_checkpoint(line)]
    trail.write_bytes(_join(lines[: ends[-2] + 1]))
    with pinned_now():
        # On its own the cut trail is a genuine, shorter trail.
        status, out = run("replay", str(trail), "--key", pair.a.vkey)
        assert status == 0, out
        status, out = run("replay", str(trail), "--key", pair.a.vkey, "--published", str(kept))
        assert status == 1 and "cut back" in out, out
        trail.write_bytes(pair.a.trail)
        status, out = run("replay", str(trail), "--key", pair.a.vkey, "--published", str(kept))
        assert status == 0 and "extends the published checkpoint" in out, out
        # An earlier kept checkpoint is extended too.
        kept.write_text(pair.a.notes[1])
        status, out = run(
            "replay", str(trail), "--key", pair.a.vkey, "--published", str(kept), "--json"
        )
        assert status == 0, out
        assert (
            json.loads(out)["published"]
            == Checkpoint.from_body(pair.a.notes[1].split("\n\n", 1)[0] + "\n").size
        )


def test_a_trail_forked_from_a_kept_checkpoint_is_refused(pair: Pair) -> None:
    """The setting signs, with its own key, a head of the same size and origin but another root."""
    head = pair.a.signer.verifier().open(pair.a.notes[1])
    assert head is not None
    kept = pair.work / "forked.txt"
    kept.write_text(pair.a.signer.sign(Checkpoint(head.origin, head.size, bytes(32))))
    trail = pair.work / "trail.jsonl"
    trail.write_bytes(pair.a.trail)
    with pinned_now():
        status, out = run("replay", str(trail), "--key", pair.a.vkey, "--published", str(kept))
    assert status == 1 and "forked" in out, out


def test_a_kept_checkpoint_of_another_key_is_refused(pair: Pair) -> None:
    kept = pair.work / "other.txt"
    kept.write_text(pair.b.notes[-1])
    trail = pair.work / "trail.jsonl"
    trail.write_bytes(pair.a.trail)
    with pinned_now():
        status, out = run("replay", str(trail), "--key", pair.a.vkey, "--published", str(kept))
    assert status == 2 and "Verified" not in out, out


# --- [forgotten] without a forget ----------------------------------------------------------------


def test_a_name_redacted_without_a_forget_is_refused(pair: Pair) -> None:
    lines = _lines(pair.a.trail)
    index = next(i for i, line in enumerate(lines) if b'"key":' in line)
    obj = json.loads(lines[index])
    for field, part in obj["sealed"].items():
        obj[field] = "[forgotten]"
        part.pop("key")
    lines[index] = _encode(obj)
    out = refused("trail", _join(lines), pair.work, pair.a.vkey)
    assert f"line {index + 1}" in out and "no forget" in out
    assert "Philippa" not in out


# --- verify --published needs a key the user supplied ---------------------------------------------


@pytest.mark.parametrize("store", STORES)
def test_verify_published_needs_a_supplied_key_and_says_which_key(store: str) -> None:
    with ledger_folder(63, writes=2, store=store) as place, pinned_now():
        status, out = cli(place, "checkpoint", "--out", "kept.txt")
        assert status == 0, out
        kept = (place.folder / "kept.txt").read_text()
        assert kept.endswith("\n") and "\n\n— " in kept
        status, out = cli(place, "checkpoint")
        assert status == 0 and out == kept
        # An existing file holding something else is not overwritten.
        (place.folder / "other.txt").write_text("mine\n")
        status, out = cli(place, "checkpoint", "--out", "other.txt")
        assert status == 2 and (place.folder / "other.txt").read_text() == "mine\n"
        vkey = Signer.load(place.config().key_path).verifier_key()
        status, out = cli(place, "verify")
        assert status == 0 and vkey in out and "the key in" in out, out
        with _xdg(place.folder):
            status, out = cli(place, "verify", "--published", "kept.txt")
        assert status == 2 and "Intact" not in out and "--key" in out, out
        status, out = cli(place, "verify", "--published", "kept.txt", "--key", vkey)
        assert status == 0 and "extends the published checkpoint" in out, out
        other = Signer.generate("policy-ledger").verifier_key()
        status, out = cli(place, "verify", "--published", "kept.txt", "--key", other)
        assert status != 0 and "Intact" not in out, out
        status, out = cli(place, "verify", "--key", other)
        assert status == 1 and "Intact" not in out, out
        assert f"Checked against the key supplied, {other}." in out


@contextlib.contextmanager
def _xdg(folder: Path) -> Iterator[None]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("XDG_CONFIG_HOME", str(folder / "no-config"))
        yield


# --- a receipt holds no secret -------------------------------------------------------------------


@pytest.mark.parametrize("store", STORES)
def test_a_receipt_holds_no_key_and_opens_nothing_after_forget(store: str) -> None:
    with ledger_folder(64, writes=2, store=store) as place, pinned_now():
        child, receipt = "", b""
        for n in range(1, 11):
            status, out = cli(place, "receipt", f"C-{n:04d}")
            if status == 0:
                child, receipt = f"C-{n:04d}", out.encode()
                break
        assert receipt
        ledger = place.open()
        key = ledger.keys.get(child)
        ledger.close()
        assert key is not None
        assert base64.b64encode(key) not in receipt and key.hex().encode() not in receipt
        parsed = json.loads(receipt)
        for fact in parsed["ledger"]["facts"]:
            for field, part in fact.get("sealed", {}).items():
                assert "key" not in part and fact[field] == "[withheld]"
        assert any("sealed" in fact for fact in parsed["ledger"]["facts"])
        status, out = cli(place, "forget", child)
        assert status == 0, out
        path = place.folder / "receipt.json"
        path.write_bytes(receipt)
        vkey = Signer.load(place.config().key_path).verifier_key()
        status, out = run("receipt", "--check", str(path), "--key", vkey)
        assert status == 0 and f"consent granted for {child}" in out, out
        # The export after the forget replays: its [forgotten] fields have their forget.
        trail = place.folder / "after.jsonl"
        trail.write_text(export(place))
        status, out = run("replay", str(trail), "--key", vkey)
        assert status == 0, out


@pytest.mark.parametrize("store", STORES)
def test_a_receipt_dates_consent_when_given_and_shows_a_withdrawal(store: str) -> None:
    with ledger_folder(65, writes=2, store=store) as place, pinned_now():
        trail = [json.loads(line) for line in export(place).splitlines()]
        grants = [f for f in trail if f["type"] == "ConsentGranted"]
        withdrawn = {(f["child"], f["channel"]) for f in trail if f["type"] == "ConsentWithdrawn"}
        grant = next(g for g in grants if (g["child"], g["channel"]) not in withdrawn)
        child, channel = grant["child"], grant["channel"]
        status, out = cli(
            place,
            "consent",
            "withdraw",
            "--child",
            child,
            "--guardian",
            grant["guardian"],
            "--channel",
            channel,
            "--on",
            "2027-06-01",
        )
        assert status == 0, out
        status, out = cli(place, "receipt", child)
        assert status == 0, out
        receipt = json.loads(out)
        latest = max(g["on"] for g in grants if g["child"] == child)
        day = dt.date.fromisoformat(latest)
        assert receipt["consentTimestamp"] == int(
            dt.datetime.combine(day, dt.time(), dt.UTC).timestamp()
        )
        (service,) = [s for s in receipt["services"] if s["service"] == channel]
        last = service["purposes"][-1]
        assert last["termination"] == "withdrawn on 2027-06-01"
        assert last["withdrawn"] == "2027-06-01"
        path = place.folder / "receipt.json"
        path.write_text(out)
        vkey = Signer.load(place.config().key_path).verifier_key()
        status, text = run("receipt", "--check", str(path), "--key", vkey)
        assert status == 0 and f"consent withdrawn for {child} on {channel} on 2027-06-01" in text


# --- the site's integrity page: the key and the checkpoint to keep --------------------------------


@pytest.mark.parametrize("store", STORES)
def test_the_site_offers_the_checkpoint_and_key_and_every_command_has_the_key(store: str) -> None:
    with ledger_folder(66, writes=2, store=store) as place, pinned_now():
        vkey = Signer.load(place.config().key_path).verifier_key()
        status, note = cli(place, "checkpoint")
        assert status == 0
        for audience in ("committee", "public"):
            out = place.folder / f"site-{audience}"
            status, text = cli(place, "site", "build", "--out", str(out), "--audience", audience)
            assert status == 0, text
            assert (out / "checkpoint.txt").read_text() == note
            assert (out / "public-key.txt").read_text() == vkey + "\n"
            page = next(p for p in out.rglob("integrity*.html") if p.is_file()).read_text()
            assert 'href="checkpoint.txt"' in page or "checkpoint.txt" in page
            commands = re.findall(r"ledger [^<\n]*(?:replay|--check|verify)[^<\n]*", page)
            assert commands, "the integrity page shows no command"
            for command in commands:
                assert "--key" in command, f"a command without --key: {command}"
        # The kept checkpoint from the site checks a replay.
        trail = place.folder / "trail.jsonl"
        trail.write_text(export(place))
        kept = place.folder / "site-committee" / "checkpoint.txt"
        status, out_text = run("replay", str(trail), "--key", vkey, "--published", str(kept))
        assert status == 0, out_text


def test_a_checkpoint_line_with_another_size_says_both_numbers(pair: Pair) -> None:
    """The size on a checkpoint line is outside the signed note: edited, it is refused with the
    line's number and the true one (the old message compared the signed size with itself)."""
    lines = _lines(pair.a.trail)
    last = json.loads(lines[-1])
    size = last["size"]
    lines[-1] = _encode({**last, "size": size + 1})
    out = refused("trail", _join(lines), pair.work, pair.a.vkey)
    assert f"line {len(lines)}: the checkpoint line says {size + 1} facts; {size} precede it" in out


def test_a_file_signed_by_a_key_outside_several_trusted_ones_is_named(pair: Pair) -> None:
    third = Signer.generate("policy-ledger").verifier_key()
    for kind in KINDS:
        out = refused(kind, genuine(pair.b, kind), pair.work, pair.a.vkey, third)
        assert f"says it is signed by {pair.b.vkey}, which is not one of the 2 trusted keys" in out


def test_a_receipt_made_before_this_change_still_checks(pair: Pair) -> None:
    """Receipts made by the earlier ledger carried the facts as exported, sealing key included
    (what this change stopped): what was once recorded and handed out must still verify. Made
    here as that ledger made them: the exported lines, signed by the setting's own key."""
    receipt = json.loads(pair.a.receipt)
    exported = {
        line["position"]: line for line in map(json.loads, _lines(pair.a.trail)) if "leaf" in line
    }
    facts = [exported[fact["position"]] for fact in receipt["ledger"]["facts"]]
    assert any("key" in part for f in facts for part in f.get("sealed", {}).values())
    old = {**receipt, "ledger": {**receipt["ledger"], "facts": facts}}
    status, out = check("receipt", _resign_receipt(old, pair.a.signer), pair.work, pair.a.vkey)
    assert status == 0 and "Verified" in out, out
    # And with a sealed value that its key does not open, it is refused.
    sealed = next(f for f in facts if "sealed" in f)
    field = next(iter(sealed["sealed"]))
    forged_fact = {**sealed, field: "F-FORGED"}
    forged_facts = [forged_fact if f is sealed else f for f in facts]
    forged = {**receipt, "ledger": {**receipt["ledger"], "facts": forged_facts}}
    out = refused("receipt", _resign_receipt(forged, pair.a.signer), pair.work, pair.a.vkey)
    assert "does not match its sealed value" in out
