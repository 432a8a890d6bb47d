"""Tests for ledger.checkpoint: C2SP signed-note checkpoints with Ed25519."""

from __future__ import annotations

import base64
import hashlib
import os
import re
import stat
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import assume, given
from hypothesis import strategies as st

from ledger.checkpoint import Checkpoint, Signer, Verifier, key_id, parse_vkey
from ledger.merkle import EMPTY_ROOT, leaf_hash, root_of

EM_DASH = "\u2014"

# Known answers from golang.org/x/mod/sumdb/note (note_test.go / example_test.go): the
# reference implementation of signed notes, which c2sp.org/signed-note describes.
GO_SKEY = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"
GO_VKEY = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
GO_TEXT = (
    "If you think cryptography is the answer to your problem,\n"
    "then you don't know what your problem is.\n"
)
GO_NOTE = (
    GO_TEXT
    + "\n"
    + f"{EM_DASH} PeterNeumann "
    + "x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM="
    + "\n"
)
# The example of c2sp.org/signed-note (v1.0.0).
SPEC_VKEY = "example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k"
SPEC_NOTE = (
    "This is an example message.\n\n"
    + f"{EM_DASH} example.com/foo "
    + "Uw2QOkn8srV1yJGh2VYRlL1Tnagv1YEq6TfXppzi2ONncAlTgK7Ztg1ERYNZXsYjOBH3mFXmRKuwHjG1Yu72IneyaQM="
    + "\n"
)

ORIGIN = "ledger.example/stepping-stones"
SIGNER = Signer.generate(ORIGIN)
VERIFIER = Verifier.from_vkey(SIGNER.verifier_key())
CHECKPOINT = Checkpoint(ORIGIN, 70, root_of([leaf_hash(bytes([i])) for i in range(70)]))
NOTE = SIGNER.sign(CHECKPOINT)


def _go_signer() -> Signer:
    raw = base64.b64decode(GO_SKEY.split("+", 4)[4])
    assert raw[0] == 0x01
    return Signer("PeterNeumann", Ed25519PrivateKey.from_private_bytes(raw[1:]))


# --------------------------------------------------------------------------------------------
# Format
# --------------------------------------------------------------------------------------------


def test_note_layout() -> None:
    body, sep, signatures = NOTE.partition("\n\n")
    assert sep
    assert body + "\n" == CHECKPOINT.body()
    origin, size, root = body.split("\n")
    assert origin == ORIGIN
    assert size == "70"
    assert base64.b64decode(root, validate=True) == CHECKPOINT.root
    lines = signatures.split("\n")
    assert lines[-1] == ""
    (line,) = lines[:-1]
    dash, name, blob = line.split(" ")
    assert dash == EM_DASH
    assert name == ORIGIN
    raw = base64.b64decode(blob, validate=True)
    assert len(raw) == 4 + 64
    assert raw[:4] == SIGNER.key_id


def test_body_format() -> None:
    cp = Checkpoint("example.com/log", 0, EMPTY_ROOT)
    assert cp.body() == "example.com/log\n0\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n"
    assert Checkpoint.from_body(cp.body()) == cp


def test_vkey_matches_c2sp_key_id_definition() -> None:
    vkey = SIGNER.verifier_key()
    m = re.fullmatch(r"([^+\s]+)\+([0-9a-f]{8})\+([A-Za-z0-9+/=]+)", vkey)
    assert m is not None
    name, hex_id, material = m.groups()
    raw = base64.b64decode(material, validate=True)
    assert name == ORIGIN
    assert raw[0] == 0x01 and len(raw) == 33
    public = raw[1:]
    assert public == SIGNER.public_key
    # c2sp.org/signed-note: key ID = SHA-256(key name || 0x0A || 0x01 || public key)[:4]
    expected = hashlib.sha256(name.encode() + b"\x0a" + b"\x01" + public).digest()[:4]
    assert hex_id == expected.hex()
    assert key_id(name, public) == expected
    assert parse_vkey(vkey) == (name, expected, public)


def test_go_known_answer() -> None:
    signer = _go_signer()
    assert signer.verifier_key() == GO_VKEY
    assert signer.key_id.hex() == "c74f20a3"
    assert signer.sign_text(GO_TEXT) == GO_NOTE  # Ed25519 is deterministic
    verifier = Verifier.from_vkey(GO_VKEY)
    assert verifier.open_text(GO_NOTE) == GO_TEXT
    assert verifier.open(GO_NOTE) is None  # a valid note, but not a checkpoint


def test_spec_example_note() -> None:
    verifier = Verifier.from_vkey(SPEC_VKEY)
    assert verifier.key_id.hex() == "530d903a"
    assert verifier.open_text(SPEC_NOTE) == "This is an example message.\n"
    assert verifier.open_text(SPEC_NOTE.replace("example message", "example massage")) is None


# --------------------------------------------------------------------------------------------
# Round trip
# --------------------------------------------------------------------------------------------

origins = st.text(alphabet=st.characters(min_codepoint=0x20, exclude_categories=["Cs"]), min_size=1)


@given(origin=origins, size=st.integers(0, (1 << 64) - 1), root=st.binary(min_size=32, max_size=32))
def test_sign_open_round_trip(origin: str, size: int, root: bytes) -> None:
    checkpoint = Checkpoint(origin, size, root)
    note = SIGNER.sign(checkpoint)
    assert VERIFIER.open(note) == checkpoint
    assert VERIFIER.open_text(note) == checkpoint.body()


def test_open_round_trip_fixed() -> None:
    assert VERIFIER.open(NOTE) == CHECKPOINT
    assert SIGNER.verifier().open(NOTE) == CHECKPOINT


# --------------------------------------------------------------------------------------------
# Tampering
# --------------------------------------------------------------------------------------------

# Characters an attacker would try: structure, look-alikes, base64 alphabet, Unicode.
EDIT_CHARS = ["\n", " ", "\t", "\r", "+", "/", "=", "A", "a", "0", "1", "-", EM_DASH, "é", "\x00"]


def _edits(note: str) -> list[str]:
    out = set()
    for i in range(len(note) + 1):
        for c in EDIT_CHARS:
            out.add(note[:i] + c + note[i:])  # insertion
            if i < len(note):
                out.add(note[:i] + c + note[i + 1 :])  # substitution
        if i < len(note):
            out.add(note[:i] + note[i + 1 :])  # deletion
    out.discard(note)
    return sorted(out)


def test_every_single_character_edit_is_rejected() -> None:
    edits = _edits(NOTE)
    assert len(edits) > 4000
    accepted = [e for e in edits if VERIFIER.open(e) is not None]
    assert accepted == []


@given(
    position=st.integers(0, len(NOTE)),
    kind=st.sampled_from(["insert", "replace", "delete"]),
    char=st.characters(),
)
def test_any_single_character_edit_is_rejected(position: int, kind: str, char: str) -> None:
    if kind == "insert":
        edited = NOTE[:position] + char + NOTE[position:]
    elif kind == "replace":
        edited = NOTE[:position] + char + NOTE[position + 1 :]
    else:
        edited = NOTE[:position] + NOTE[position + 1 :]
    assume(edited != NOTE)
    assert VERIFIER.open(edited) is None


def test_signature_with_altered_padding_bits_is_rejected() -> None:
    # 68 signature bytes leave 2 unused bits in the last base64 character; a lenient decoder
    # would accept the altered string as the same signature.
    line = NOTE.rstrip("\n").rsplit("\n", 1)[1]
    blob = line.rsplit(" ", 1)[1]
    assert blob.endswith("=") and not blob.endswith("==")
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
    last = alphabet.index(blob[-2])
    for low_bits in (1, 2, 3):
        twin = blob[:-2] + alphabet[(last & ~3) | low_bits] + "="
        if twin == blob:
            continue
        assert base64.b64decode(twin) == base64.b64decode(blob)
        assert VERIFIER.open(NOTE.replace(blob, twin)) is None


def test_wrong_key_is_rejected() -> None:
    other_same_name = Signer.generate(ORIGIN)
    other_name = Signer.generate("ledger.example/other")
    for signer in (other_same_name, other_name):
        assert VERIFIER.open(signer.sign(CHECKPOINT)) is None
        assert Verifier.from_vkey(signer.verifier_key()).open(NOTE) is None


def test_unknown_signatures_are_ignored_but_bad_known_ones_are_not() -> None:
    other = Signer.generate("witness.example/w1")
    other_line = other.sign(CHECKPOINT).split("\n\n", 1)[1]
    cosigned = NOTE + other_line
    assert VERIFIER.open(cosigned) == CHECKPOINT
    assert Verifier.from_vkey(other.verifier_key()).open(cosigned) == CHECKPOINT
    # Only the other signature: no signature from our key.
    assert VERIFIER.open(CHECKPOINT.body() + "\n" + other_line) is None
    # A second line claiming our key but carrying a signature over something else.
    forged_line = SIGNER.sign(Checkpoint(ORIGIN, 71, CHECKPOINT.root)).split("\n\n", 1)[1]
    assert VERIFIER.open(NOTE + forged_line) is None


@pytest.mark.parametrize(
    "text",
    [
        f"{ORIGIN}\n70\n{base64.b64encode(bytes(32)).decode()}\nextension line\n",
        f"{ORIGIN}\n070\n{base64.b64encode(bytes(32)).decode()}\n",
        f"{ORIGIN}\n+70\n{base64.b64encode(bytes(32)).decode()}\n",
        f"{ORIGIN}\n7_0\n{base64.b64encode(bytes(32)).decode()}\n",
        f"{ORIGIN}\n\u0667\n{base64.b64encode(bytes(32)).decode()}\n",  # Arabic-Indic 7
        f"{ORIGIN}\n{1 << 64}\n{base64.b64encode(bytes(32)).decode()}\n",
        f"{ORIGIN}\n70\n{base64.b64encode(bytes(31)).decode()}\n",
        f"{ORIGIN}\n70\n{base64.b64encode(bytes(32)).decode().rstrip('=')}\n",
        f"{ORIGIN}\n70\n",
        f"\n70\n{base64.b64encode(bytes(32)).decode()}\n",
    ],
)
def test_signed_but_malformed_checkpoints_are_rejected(text: str) -> None:
    note = SIGNER.sign_text(text)
    assert VERIFIER.open_text(note) == text
    assert VERIFIER.open(note) is None


@pytest.mark.parametrize(
    "note",
    [
        "",
        "\n",
        CHECKPOINT.body(),
        CHECKPOINT.body() + "\n",
        NOTE.rstrip("\n"),
        NOTE + "\n",
        NOTE.replace("\n", "\r\n"),
        NOTE.replace(EM_DASH, "-"),
        NOTE.replace(EM_DASH + " ", EM_DASH + "  "),
        NOTE + NOTE.split("\n\n", 1)[1] * 200,  # too many signatures
        NOTE.replace(ORIGIN, ORIGIN + "\ud800"),
    ],
)
def test_malformed_notes_are_rejected(note: str) -> None:
    assert VERIFIER.open(note) is None


@given(st.text(max_size=300))
def test_open_never_raises(note: str) -> None:
    assert VERIFIER.open(note) is None


def test_open_rejects_non_str() -> None:
    assert VERIFIER.open(NOTE.encode()) is None  # type: ignore[arg-type]
    assert VERIFIER.open(None) is None  # type: ignore[arg-type]


# --------------------------------------------------------------------------------------------
# Checkpoint and key validation
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("origin", "size", "root"),
    [
        ("", 0, EMPTY_ROOT),
        ("a\nb", 0, EMPTY_ROOT),
        ("a\tb", 0, EMPTY_ROOT),
        ("log", -1, EMPTY_ROOT),
        ("log", 1 << 64, EMPTY_ROOT),
        ("log", True, EMPTY_ROOT),
        ("log", 0, EMPTY_ROOT[:31]),
        ("log", 0, "00" * 32),
    ],
)
def test_checkpoint_validation(origin: str, size: int, root: bytes) -> None:
    with pytest.raises(ValueError):
        Checkpoint(origin, size, root)


@pytest.mark.parametrize("name", ["", "a b", "a+b", "a\nb", "a\u00a0b", "a\u2003b"])
def test_bad_key_names_are_refused(name: str) -> None:
    with pytest.raises(ValueError):
        Signer.generate(name)


@pytest.mark.parametrize(
    ("vkey", "message"),
    [
        ("", "form"),
        ("name+c74f20a3", "form"),
        ("a+b+c+d", "8 hexadecimal"),
        ("+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW", "name"),
        ("PeterNeumann+c74f20a+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW", "8 hexadecimal"),
        ("PeterNeumann+c74f20ag+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW", "8 hexadecimal"),
        ("PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10T", "base64"),
        ("PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW==", "base64"),
        ("PeterNeumann+c74f20a3+AhpcmQcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW", "algorithm"),
        (f"PeterNeumann+c74f20a3+{base64.b64encode(bytes(32)).decode()}", "algorithm"),
        (f"PeterNeumann+c74f20a3+{base64.b64encode(bytes([1] * 32)).decode()}", "32 bytes"),
        ("PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW", "does not match"),
        ("PeterNeumanm+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW", "does not match"),
    ],
)
def test_malformed_vkey_is_refused_with_a_clear_message(vkey: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        Verifier.from_vkey(vkey)


def test_vkey_with_plus_in_base64() -> None:
    # transparency-dev/formats note tests: the base64 key material contains a '+'.
    plus_key = "TEST+7997405c+AQcC+FTVKf0jlTdHDY3rbevmnKxxPjigCXlVtGe6RIr6"
    assert Verifier.from_vkey(plus_key).name == "TEST"
    assert Verifier.from_vkey(plus_key + "\n").verifier_key() == plus_key


def test_vkey_manglings_are_refused() -> None:
    # As in the Go note tests: every proper substring and every one-character increment.
    for i in range(len(GO_VKEY) + 1):
        for j in range(i + 1, len(GO_VKEY) + 1):
            if (i, j) != (0, len(GO_VKEY)):
                with pytest.raises(ValueError):
                    Verifier.from_vkey(GO_VKEY[i:j])
    for i, c in enumerate(GO_VKEY):
        with pytest.raises(ValueError):
            Verifier.from_vkey(GO_VKEY[:i] + chr(ord(c) + 1) + GO_VKEY[i + 1 :])


# --------------------------------------------------------------------------------------------
# Key files
# --------------------------------------------------------------------------------------------


def test_key_file_round_trip_and_mode(tmp_path: Path) -> None:
    path = tmp_path / "checkpoint.key"
    old_umask = os.umask(0)  # the mode must not depend on the umask
    try:
        SIGNER.save(path)
    finally:
        os.umask(old_umask)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    text = path.read_text()
    assert "-----BEGIN PRIVATE KEY-----" in text  # PKCS#8, unencrypted
    loaded = Signer.load(path)
    assert loaded.name == SIGNER.name
    assert loaded.verifier_key() == SIGNER.verifier_key()
    assert VERIFIER.open(loaded.sign(CHECKPOINT)) == CHECKPOINT
    # The file is also an ordinary PEM key for other tools.
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    assert isinstance(key, Ed25519PrivateKey)


def test_key_file_is_never_overwritten(tmp_path: Path) -> None:
    path = tmp_path / "checkpoint.key"
    path.write_text("precious")
    with pytest.raises(FileExistsError):
        SIGNER.save(path)
    assert path.read_text() == "precious"
    link = tmp_path / "dangling.key"
    link.symlink_to(tmp_path / "nowhere")
    with pytest.raises(FileExistsError):
        SIGNER.save(link)
    assert not (tmp_path / "nowhere").exists()
    fresh = tmp_path / "fresh.key"
    SIGNER.save(fresh)
    with pytest.raises(FileExistsError):
        Signer.generate(ORIGIN).save(fresh)
    assert Signer.load(fresh).verifier_key() == SIGNER.verifier_key()


def test_key_file_name_handling(tmp_path: Path) -> None:
    bare = tmp_path / "bare.pem"
    bare.write_bytes(
        Ed25519PrivateKey.generate().private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    with pytest.raises(ValueError, match="Key-Name"):
        Signer.load(bare)
    assert Signer.load(bare, name="log.example/x").name == "log.example/x"
    named = tmp_path / "named.key"
    SIGNER.save(named)
    assert Signer.load(named, name=ORIGIN).name == ORIGIN
    with pytest.raises(ValueError, match="not"):
        Signer.load(named, name="someone.else/log")
    junk = tmp_path / "junk.key"
    junk.write_text(f"Key-Name: {ORIGIN}\nnot a key\n")
    with pytest.raises(ValueError):
        Signer.load(junk)
