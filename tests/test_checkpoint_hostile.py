"""Signed notes against a hostile prover: what the honest signer never writes.

Written for the mutants of ``ledger/checkpoint.py`` that the C2SP examples and the round trips
left alive (``make mutation``): a signature line that a lax decoder would accept, a key name
with a control character, a note that is not text.
"""

from __future__ import annotations

import base64

import pytest

from ledger.checkpoint import (
    MAX_SIGNATURES,
    Signer,
    Verifier,
    validate_key_name,
)

DASH = "\u2014 "


@pytest.fixture(scope="module")
def signer() -> Signer:
    return Signer.generate("example.org/ledger")


def _split(note: str) -> tuple[str, str]:
    text, _, sigs = note.rpartition("\n\n")
    return text + "\n", sigs


def test_a_signature_in_lax_base64_is_refused(signer: Signer) -> None:
    note = signer.sign_text("hello\n")
    assert signer.verifier().open_text(note) == "hello\n"
    text, sigs = _split(note)
    name, _, b64 = sigs.rstrip("\n")[len(DASH) :].rpartition(" ")
    for lax in (b64[:8] + "*" + b64[8:], b64[:8] + "\t" + b64[8:], b64.rstrip("=")):
        forged = f"{text}\n{DASH}{name} {lax}\n"
        assert signer.verifier().open_text(forged) is None, lax


def test_a_foreign_signature_is_ignored_but_a_malformed_line_rejects_the_note(
    signer: Signer,
) -> None:
    note = signer.sign_text("hello\n")
    verifier = signer.verifier()
    five = base64.b64encode(b"\x01\x02\x03\x04\x05").decode()
    four = base64.b64encode(b"\x01\x02\x03\x04").decode()
    assert verifier.open_text(note + f"{DASH}other.example {five}\n") == "hello\n"
    assert verifier.open_text(note + f"{DASH}other.example {four}\n") is None
    assert verifier.open_text(note + f"{DASH}other.example not-base64!\n") is None


def test_up_to_the_maximum_number_of_signatures(signer: Signer) -> None:
    note = signer.sign_text("hello\n")
    other = base64.b64encode(b"\x09" * 68).decode()
    extra = MAX_SIGNATURES - 1
    full = note + "".join(f"{DASH}witness{i} {other}\n" for i in range(extra))
    assert signer.verifier().open_text(full) == "hello\n"
    assert signer.verifier().open_text(full + f"{DASH}one.more {other}\n") is None


def test_the_text_ends_at_the_last_blank_line(signer: Signer) -> None:
    text = "first paragraph\n\nsecond paragraph\n"
    assert signer.verifier().open_text(signer.sign_text(text)) == text


def test_a_note_that_is_not_text_is_refused_without_raising(signer: Signer) -> None:
    note = signer.sign_text("hello\n")
    verifier = signer.verifier()
    assert verifier.open_text(note.encode()) is None  # type: ignore[arg-type]
    assert verifier.open(note.encode()) is None  # type: ignore[arg-type]
    assert verifier.open_text(note.replace("hello", "hel\x01lo")) is None


def test_key_names_refuse_control_characters() -> None:
    assert validate_key_name("example.org/a_b-c") == "example.org/a_b-c"
    for bad in ("a\x01b", "a\x1fb", "a\x7fb", "a b", "a+b", ""):
        with pytest.raises(ValueError):
            validate_key_name(bad)
    assert validate_key_name("a!b") == "a!b"  # 0x21 is allowed


def test_only_text_ending_in_a_newline_is_signed(signer: Signer) -> None:
    with pytest.raises(ValueError):
        signer.sign_text("no newline")


def test_a_verifier_needs_a_whole_ed25519_key() -> None:
    for bad in (b"\x00" * 31, b"\x00" * 33, bytearray(32)):
        with pytest.raises(ValueError):
            Verifier("example.org/x", bad)  # type: ignore[arg-type]
