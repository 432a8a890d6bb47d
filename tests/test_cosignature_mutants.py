"""The cosignature verifier and signer (``ledger.cosignature``) against what an honest witness
never makes: the tests mutation testing asked for (tests/MUTATION.md, "Witness cosignatures and
the federation file"). Each names the decision it pins; none needs a ledger.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
from pathlib import Path

import pytest

from ledger.checkpoint import MAX_NOTE_BYTES, MAX_SIGNATURES, Checkpoint, Signer
from ledger.cosignature import (
    MAX_TIMESTAMP,
    CosignatureVerifier,
    Cosigned,
    Cosigner,
    add_line,
    cosignature_key_id,
    is_signature_line,
    parse_witness_key,
    signature_lines,
    signed_message,
)

_T = 1_700_000_000


def _note() -> tuple[Checkpoint, str]:
    checkpoint = Checkpoint("policy-ledger/x", 5, hashlib.sha256(b"5").digest())
    return checkpoint, Signer.generate("policy-ledger").sign(checkpoint)


def _foreign_line(name: str) -> str:
    """A well-formed signature line of someone else (any 4-byte ID, a 72-byte blob)."""
    blob = base64.b64encode(bytes([1, 2, 3, 4]) + bytes(68)).decode()
    return f"\u2014 {name} {blob}"


# --- the witness key's text --------------------------------------------------------------------


def test_a_witness_key_with_surrounding_white_space_and_upper_case_id_is_read() -> None:
    cosigner = Cosigner.generate("witness.example")
    vkey = cosigner.verifier_key()
    name, public = parse_witness_key("  " + vkey + "\n")
    assert name == "witness.example"
    assert CosignatureVerifier(name, public).verifier_key() == vkey
    head, kid, material = vkey.split("+", 2)
    assert parse_witness_key(f"{head}+{kid.upper()}+{material}") == (name, public)
    assert CosignatureVerifier.from_vkey(vkey).verifier_key() == vkey
    assert cosigner.verifier().verifier_key() == vkey
    assert repr(cosigner.verifier()) == f"CosignatureVerifier({vkey!r})"


def test_a_witness_key_whose_base64_holds_a_plus_is_read() -> None:
    # The key's base64 may itself hold "+": only the first two "+" separate the fields.
    for _ in range(200):
        cosigner = Cosigner.generate("witness.example")
        if "+" in cosigner.verifier_key().split("+", 2)[2]:
            break
    else:  # pragma: no cover - about 1 in 10**14
        pytest.fail("no key with a + in its base64 in 200 tries")
    vkey = cosigner.verifier_key()
    assert CosignatureVerifier.from_vkey(vkey).verifier_key() == vkey


@pytest.mark.parametrize(
    ("vkey", "says"),
    [
        ("witness.example", "has the form <name>"),
        ("witness.example+00000000", "has the form <name>"),
        ("+00000000+" + base64.b64encode(b"\x04" + bytes(32)).decode(), "name is not valid"),
        ("a b+00000000+" + base64.b64encode(b"\x04" + bytes(32)).decode(), "name is not valid"),
        ("w+00000000+!!!!", "material is not valid base64"),
        ("w+00000000+", "type is none"),
        ("w+00000000+" + base64.b64encode(b"\x02" + bytes(32)).decode(), r"type is 0x02;"),
        ("w+00000000+" + base64.b64encode(b"\x01" + bytes(32)).decode(), "setting's key"),
        ("w+00000000+" + base64.b64encode(b"\x04" + bytes(31)).decode(), "32 bytes, not 31"),
        ("w+00000000+" + base64.b64encode(b"\x04" + bytes(33)).decode(), "32 bytes, not 33"),
        ("w+0000000+" + base64.b64encode(b"\x04" + bytes(32)).decode(), "8 hexadecimal digits"),
        ("w+000000000+" + base64.b64encode(b"\x04" + bytes(32)).decode(), "8 hexadecimal"),
        ("w+0000000g+" + base64.b64encode(b"\x04" + bytes(32)).decode(), "8 hexadecimal digits"),
        ("w+00000000+" + base64.b64encode(b"\x04" + bytes(32)).decode(), "does not match"),
    ],
)
def test_a_witness_key_that_is_not_one_is_refused_saying_why(vkey: str, says: str) -> None:
    with pytest.raises(ValueError, match=says):
        parse_witness_key(vkey)


def test_a_type_0x02_key_gets_no_setting_key_hint() -> None:
    with pytest.raises(ValueError) as caught:
        parse_witness_key("w+00000000+" + base64.b64encode(b"\x02" + bytes(32)).decode())
    assert "setting's key" not in str(caught.value)
    assert str(caught.value).startswith("the key's type is 0x02;")


def test_the_key_id_is_of_a_32_byte_key_only() -> None:
    with pytest.raises(ValueError, match="32 bytes"):
        cosignature_key_id("w", bytes(31))
    assert cosignature_key_id("w", bytes(32)) == hashlib.sha256(b"w\n\x04" + bytes(32)).digest()[:4]


# --- the signed note's lines ------------------------------------------------------------------


def test_signature_lines_of_text_that_is_not_a_signed_note_are_none() -> None:
    _, note = _note()
    assert len(signature_lines(note)) == 1
    assert signature_lines(note[:-1]) == []  # no final newline
    assert signature_lines("a\nb\n") == []  # no blank line
    assert is_signature_line(signature_lines(note)[0])
    assert not is_signature_line("— w")
    assert not is_signature_line("w AAAA")


def test_a_line_the_note_holds_already_is_not_added_again() -> None:
    _, note = _note()
    line = signature_lines(note)[0]
    assert add_line(note, line) == note
    assert add_line(note, _foreign_line("w")) == note + _foreign_line("w") + "\n"
    cosigner = Cosigner.generate("witness.example")
    once = cosigner.cosign(note, _T)
    assert cosigner.cosign(once, _T) == once  # Ed25519 is deterministic: the same line


def test_the_signed_message_is_the_specs() -> None:
    assert signed_message("o\n1\nr\n", 7) == b"cosignature/v1\ntime 7\no\n1\nr\n"


# --- the signer ------------------------------------------------------------------------------


def test_the_timestamp_bounds_are_0_and_2_63_minus_1_on_both_sides() -> None:
    checkpoint, note = _note()
    cosigner = Cosigner.generate("witness.example")
    for timestamp in (0, MAX_TIMESTAMP):
        opened = cosigner.verifier().open(cosigner.cosign(note, timestamp))
        assert opened == Cosigned(checkpoint, timestamp)
    for timestamp in (-1, MAX_TIMESTAMP + 1):
        with pytest.raises(ValueError, match="timestamp"):
            cosigner.signature_line(checkpoint.body(), timestamp)


def test_cosigning_text_that_is_not_a_signed_note_is_refused() -> None:
    checkpoint, _ = _note()
    with pytest.raises(ValueError, match="not a signed note"):
        Cosigner.generate("w").cosign(checkpoint.body(), _T)


def test_a_saved_witness_key_loads_as_the_same_witness(tmp_path: Path) -> None:
    _, note = _note()
    cosigner = Cosigner.generate("witness.example")
    cosigner.save(tmp_path / "w.key")
    loaded = Cosigner.load(tmp_path / "w.key")
    assert loaded.name == "witness.example"
    assert loaded.verifier_key() == cosigner.verifier_key()
    assert loaded.cosign(note, _T) == cosigner.cosign(note, _T)
    with pytest.raises(FileExistsError):
        cosigner.save(tmp_path / "w.key")


def test_cosigned_at_is_the_timestamp_in_utc() -> None:
    checkpoint, _ = _note()
    assert Cosigned(checkpoint, _T).at == dt.datetime(2023, 11, 14, 22, 13, 20, tzinfo=dt.UTC)


# --- the verifier: notes the honest witness never makes ---------------------------------------


def test_another_witness_line_and_an_impostor_line_are_passed_over() -> None:
    checkpoint, note = _note()
    cosigner = Cosigner.generate("witness.example")
    impostor = Cosigner.generate("witness.example")  # the same name, another key
    other = Cosigner.generate("other.example")
    note = other.cosign(impostor.cosign(note, _T + 5), _T + 6)
    assert cosigner.verifier().open(note) is None  # only others' lines
    opened = cosigner.verifier().open(cosigner.cosign(note, _T))
    assert opened == Cosigned(checkpoint, _T)


def test_two_lines_of_the_witness_give_the_later_timestamp_whatever_their_order() -> None:
    checkpoint, note = _note()
    cosigner = Cosigner.generate("witness.example")
    early = signature_lines(cosigner.cosign(note, _T))[-1]
    late = signature_lines(cosigner.cosign(note, _T + 60))[-1]
    for first, second in ((early, late), (late, early)):
        both = note + first + "\n" + second + "\n"
        assert cosigner.verifier().open(both) == Cosigned(checkpoint, _T + 60)


def test_one_bad_line_of_the_witness_refuses_the_note_even_beside_a_good_one() -> None:
    _, note = _note()
    cosigner = Cosigner.generate("witness.example")
    good = signature_lines(cosigner.cosign(note, _T))[-1]
    head, b64 = good.rsplit(" ", 1)
    blob = bytearray(base64.b64decode(b64))
    blob[-1] ^= 1
    bad = head + " " + base64.b64encode(bytes(blob)).decode()
    for first, second in ((good, bad), (bad, good)):
        assert cosigner.verifier().open(note + first + "\n" + second + "\n") is None
    # A line of the witness's name and key ID one byte too long, beside a good line.
    long = head + " " + base64.b64encode(base64.b64decode(b64) + b"\0").decode()
    assert cosigner.verifier().open(note + good + "\n" + long + "\n") is None
    assert cosigner.verifier().open(note + long + "\n" + good + "\n") is None


def test_a_malformed_line_of_anyone_refuses_the_note() -> None:
    _, note = _note()
    cosigner = Cosigner.generate("witness.example")
    cosigned = cosigner.cosign(note, _T)
    assert cosigner.verifier().open(cosigned) is not None
    assert cosigner.verifier().open(cosigned + "not a signature line\n") is None
    assert (
        cosigner.verifier().open(note + "garbage\n" + signature_lines(cosigned)[-1] + "\n") is None
    )


def test_the_future_slack_is_ten_minutes_to_the_second() -> None:
    checkpoint, note = _note()
    cosigner = Cosigner.generate("witness.example")
    now = dt.datetime.fromtimestamp(_T, dt.UTC)
    edge = _T + 600
    assert cosigner.verifier().open(cosigner.cosign(note, edge), now) == Cosigned(checkpoint, edge)
    assert cosigner.verifier().open(cosigner.cosign(note, edge + 1), now) is None
    # Without a clock there is no bound; one line in the future refuses the note.
    assert cosigner.verifier().open(cosigner.cosign(note, edge + 1)) is not None
    both = cosigner.cosign(cosigner.cosign(note, _T), edge + 1)
    assert cosigner.verifier().open(both, now) is None


def test_a_note_that_is_not_text_or_not_a_note_is_none() -> None:
    _, note = _note()
    cosigner = Cosigner.generate("witness.example")
    cosigned = cosigner.cosign(note, _T)
    verifier = cosigner.verifier()
    assert verifier.open(cosigned.encode()) is None  # type: ignore[arg-type]
    assert verifier.open(cosigned[:-1]) is None  # no final newline
    assert verifier.open(cosigned.replace("\n\n", "\n")) is None  # no blank line
    assert verifier.open(cosigned + "\n") is None  # an empty last line
    # A control character in text the witness did sign (an honest checkpoint has none).
    text = "policy\tledger\n5\n" + base64.b64encode(bytes(32)).decode() + "\n"
    tabbed = cosigner.cosign(text + "\n" + _foreign_line("setting") + "\n", _T)
    assert verifier.open(tabbed) is None
    assert verifier.open(tabbed.replace("\t", "-")) is None  # the signature is over the tab


def test_a_checkpoint_text_that_is_not_three_lines_is_none_even_if_cosigned() -> None:
    cosigner = Cosigner.generate("witness.example")
    text = "o\n1\n" + base64.b64encode(bytes(32)).decode() + "\nextension\n"
    note = text + "\n" + _foreign_line("setting") + "\n"
    assert cosigner.verifier().open(cosigner.cosign(note, _T)) is None


def test_the_note_size_limit_is_in_utf8_bytes_to_the_byte() -> None:
    checkpoint, note = _note()
    cosigner = Cosigner.generate("witness.example")
    cosigned = cosigner.cosign(note, _T)
    base = len(cosigned.encode()) + len(_foreign_line("").encode()) + 1  # one more line, empty name

    def padded(size: int, char: str) -> str:
        width = len(char.encode())
        name = char * ((size - base) // width)
        return cosigned + _foreign_line(name) + "\n"

    exact = padded(MAX_NOTE_BYTES, "a")
    assert len(exact.encode()) == MAX_NOTE_BYTES
    assert cosigner.verifier().open(exact) == Cosigned(checkpoint, _T)
    assert cosigner.verifier().open(padded(MAX_NOTE_BYTES + 1, "a")) is None
    # Two-byte characters: fewer characters than the limit, more bytes.
    wide = padded(MAX_NOTE_BYTES + 2, "\u00e9")
    assert len(wide) <= MAX_NOTE_BYTES < len(wide.encode())
    assert cosigner.verifier().open(wide) is None


def test_at_most_the_limit_of_signature_lines() -> None:
    checkpoint, note = _note()
    cosigner = Cosigner.generate("witness.example")
    cosigned = cosigner.cosign(note, _T)  # two lines: the setting's and the witness's
    fill = "".join(_foreign_line(f"o{i}") + "\n" for i in range(MAX_SIGNATURES - 2))
    assert len(signature_lines(cosigned + fill)) == MAX_SIGNATURES
    assert cosigner.verifier().open(cosigned + fill) == Cosigned(checkpoint, _T)
    assert cosigner.verifier().open(cosigned + fill + _foreign_line("one-more") + "\n") is None


def test_the_signatures_are_those_after_the_last_blank_line() -> None:
    checkpoint, _ = _note()
    cosigner = Cosigner.generate("witness.example")
    body = checkpoint.body()
    line = cosigner.signature_line(body, _T)
    # A cosignature over the checkpoint alone, put after a second blank line: the note's text
    # is then the checkpoint and a stray line, which the witness did not sign.
    smuggled = body + "\n" + _foreign_line("setting") + "\n\n" + line + "\n"
    assert signature_lines(smuggled) == [line]
    assert cosigner.verifier().open(smuggled) is None
    # Cosigning such a note signs all the text before the last blank line.
    cosigned = cosigner.cosign(smuggled, _T)
    text = body + "\n" + _foreign_line("setting") + "\n"
    assert signature_lines(cosigned)[-1] == cosigner.signature_line(text, _T)
    assert signature_lines("\n\n" + line + "\n") == [line]
