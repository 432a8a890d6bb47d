"""Witness cosignatures: C2SP ``tlog-cosignature`` (``cosignature/v1``, Ed25519).

A witness that has checked that a checkpoint extends every checkpoint it cosigned before adds
one signature line to the checkpoint's signed note (c2sp.org/tlog-cosignature)::

    — <witness name> base64(key ID (4) || timestamp (8, big-endian) || Ed25519 signature (64))

The key ID is ``SHA-256(name || 0x0A || 0x04 || 32-byte public key)[:4]`` (signature type
0x04), and the signature is over the message::

    cosignature/v1\\n
    time <timestamp, decimal, no leading zeros>\\n
    <the whole note text of the checkpoint, final newline included>

The timestamp is POSIX seconds, at most 2**63 - 1. A witness's verifier key is written as
``<name>+<key ID hex>+<base64(0x04 || public key)>`` (a signed-note vkey of type 0x04, the form
transparency-dev/formats' ``NewVerifierForCosignatureV1`` reads). Verifiers of the setting's own
signature (:class:`ledger.checkpoint.Verifier`) ignore the witness's line, as signed-note says.

Everything that reads a cosignature treats it as hostile: :meth:`CosignatureVerifier.open`
returns ``None`` on anything malformed, and never raises.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

from ledger.checkpoint import (
    MAX_NOTE_BYTES,
    MAX_SIGNATURES,
    Checkpoint,
    Signer,
    b64decode_strict,
    has_control_chars,
    parse_signature_line,
    validate_key_name,
)

__all__ = [
    "ALG_COSIGNATURE_V1",
    "CosignatureVerifier",
    "Cosigned",
    "Cosigner",
    "cosignature_key_id",
    "is_signature_line",
    "kept_line",
    "parse_witness_key",
    "signature_lines",
]

ALG_COSIGNATURE_V1: Final = 0x04
"""Signature type identifier of an Ed25519 ``cosignature/v1`` key (c2sp.org/signed-note)."""

MAX_TIMESTAMP: Final = (1 << 63) - 1
FUTURE_SLACK: Final = dt.timedelta(minutes=10)
"""A cosignature dated further than this after the verifier's clock is refused."""
_BLOB: Final = 4 + 8 + 64
_EM_DASH: Final = "\u2014"


def cosignature_key_id(name: str, public_key: bytes) -> bytes:
    """``SHA-256(name || 0x0A || 0x04 || public_key)[:4]``."""
    if len(public_key) != 32:
        raise ValueError("an Ed25519 public key is 32 bytes")
    digest = hashlib.sha256(
        name.encode("utf-8") + b"\n" + bytes([ALG_COSIGNATURE_V1]) + bytes(public_key)
    ).digest()
    return digest[:4]


def signed_message(text: str, timestamp: int) -> bytes:
    """What a ``cosignature/v1`` signs: the header line, the time line, then the note text."""
    return f"cosignature/v1\ntime {timestamp}\n{text}".encode()


def parse_witness_key(vkey: str) -> tuple[str, bytes]:
    """``<name>+<8 hex digits>+<base64(0x04 || 32-byte key)>`` → (name, public key), or
    :class:`ValueError` saying what is wrong."""
    parts = vkey.strip().split("+", 2)
    if len(parts) != 3:
        raise ValueError("a witness key has the form <name>+<8 hex digits>+<base64 key>")
    name, hex_id, material = parts
    try:
        validate_key_name(name)
    except ValueError as exc:
        raise ValueError(f"the witness key's name is not valid: {exc}") from None
    raw = b64decode_strict(material)
    if raw is None:
        raise ValueError("the witness key's material is not valid base64")
    if not raw or raw[0] != ALG_COSIGNATURE_V1:
        alg = f"0x{raw[0]:02x}" if raw else "none"
        hint = " (that is a setting's key, not a witness's)" if raw and raw[0] == 0x01 else ""
        raise ValueError(
            f"the key's type is {alg}{hint}; a witness key is of type 0x04 (cosignature/v1)"
        )
    public = raw[1:]
    if len(public) != 32:
        raise ValueError(f"an Ed25519 witness key is 32 bytes, not {len(public)}")
    if len(hex_id) != 8 or not all(c in "0123456789abcdefABCDEF" for c in hex_id):
        raise ValueError(f"the witness key's ID must be 8 hexadecimal digits, not {hex_id!r}")
    if bytes.fromhex(hex_id) != cosignature_key_id(name, public):
        raise ValueError("the witness key's ID does not match its name and key")
    return name, public


def signature_lines(note: str) -> list[str]:
    """The signature lines of a signed note (after its last blank line), each without its
    newline; [] for text that is not a signed note."""
    split = note.rfind("\n\n")
    if split < 0 or not note.endswith("\n"):
        return []
    return note[split + 2 : -1].split("\n")


def is_signature_line(line: str) -> bool:
    """Whether ``line`` (no newline) is a well-formed signed-note signature line."""
    return parse_signature_line(line) is not None


def add_line(note: str, line: str) -> str:
    """The note with one more signature line (``line`` without its newline), unless it has
    it already."""
    if line in signature_lines(note):
        return note
    return note + line + "\n"


class Cosigner:
    """A witness's Ed25519 key and name: it cosigns checkpoints (``cosignature/v1``)."""

    __slots__ = ("_key", "_key_id", "_name", "_public")

    def __init__(self, name: str, private_key: Ed25519PrivateKey) -> None:
        self._name = validate_key_name(name)
        self._key = private_key
        self._public = private_key.public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw
        )
        self._key_id = cosignature_key_id(name, self._public)

    @classmethod
    def generate(cls, name: str) -> Cosigner:
        return cls(name, Ed25519PrivateKey.generate())

    @classmethod
    def load(cls, path: Path) -> Cosigner:
        """The key a :meth:`save` wrote (the same file form as a setting's key: a
        ``Key-Name:`` line, then PKCS#8 PEM). :class:`ValueError` if it is not one."""
        signer = Signer.load(path)
        key = serialization.load_pem_private_key(Path(path).read_bytes(), password=None)
        assert isinstance(key, Ed25519PrivateKey)  # Signer.load checked it
        return cls(signer.name, key)

    def save(self, path: Path) -> None:
        """Write the private key (mode 0600, never over an existing file)."""
        Signer(self._name, self._key).save(path)

    @property
    def name(self) -> str:
        return self._name

    def verifier_key(self) -> str:
        """``<name>+<key ID hex>+<base64(0x04 || public key)>``: the key to publish."""
        return self.verifier().verifier_key()

    def verifier(self) -> CosignatureVerifier:
        return CosignatureVerifier(self._name, self._public)

    def signature_line(self, text: str, timestamp: int) -> str:
        """The cosignature line (no newline) over a note ``text`` at ``timestamp``."""
        if not 0 <= timestamp <= MAX_TIMESTAMP:
            raise ValueError("a cosignature's timestamp is in [0, 2**63)")
        signature = self._key.sign(signed_message(text, timestamp))
        blob = self._key_id + timestamp.to_bytes(8, "big") + signature
        return f"{_EM_DASH} {self._name} {base64.b64encode(blob).decode()}"

    def cosign(self, note: str, timestamp: int) -> str:
        """The signed note ``note`` with this witness's cosignature line added."""
        split = note.rfind("\n\n")
        if split < 0:
            raise ValueError("not a signed note")
        return add_line(note, self.signature_line(note[: split + 1], timestamp))


@dataclass(frozen=True)
class Cosigned:
    """A checkpoint a witness cosigned, and when (POSIX seconds)."""

    checkpoint: Checkpoint
    timestamp: int

    @property
    def at(self) -> dt.datetime:
        return dt.datetime.fromtimestamp(self.timestamp, dt.UTC)


class CosignatureVerifier:
    """Checks one witness's cosignature on a signed checkpoint."""

    __slots__ = ("_key", "_key_id", "_name", "_public")

    def __init__(self, name: str, public_key: bytes) -> None:
        self._name = validate_key_name(name)
        self._public = public_key
        self._key_id = cosignature_key_id(name, public_key)
        self._key = Ed25519PublicKey.from_public_bytes(public_key)

    @classmethod
    def from_vkey(cls, vkey: str) -> CosignatureVerifier:
        """From a witness key's text; :class:`ValueError` saying what is wrong."""
        name, public = parse_witness_key(vkey)
        return cls(name, public)

    @property
    def name(self) -> str:
        return self._name

    def verifier_key(self) -> str:
        """``<name>+<key ID hex>+<base64(0x04 || public key)>``, as ``parse_witness_key``
        reads it."""
        material = base64.b64encode(bytes([ALG_COSIGNATURE_V1]) + self._public).decode()
        return f"{self._name}+{self._key_id.hex()}+{material}"

    def open(self, note: str, now: dt.datetime | None = None) -> Cosigned | None:
        """The checkpoint and the time of this witness's valid cosignature on ``note``, or
        ``None``: no line of this witness, a line of it that does not verify (another
        checkpoint, a changed timestamp, another key of the same name), a timestamp past
        2**63 - 1 or (given ``now``) more than ten minutes ahead of it, or text that is not a
        three-line checkpoint. Never raises."""
        try:
            return self._open(note, now)
        except Exception:  # hostile input must never raise
            return None

    def _open(self, note: str, now: dt.datetime | None) -> Cosigned | None:
        if not isinstance(note, str) or len(note.encode("utf-8")) > MAX_NOTE_BYTES:
            return None
        if has_control_chars(note, allow_newline=True) or not note.endswith("\n"):
            return None
        split = note.rfind("\n\n")
        if split < 0:
            return None
        text = note[: split + 1]
        lines = signature_lines(note)
        if not lines or len(lines) > MAX_SIGNATURES:
            return None
        found: int | None = None
        for line in lines:
            parsed = parse_signature_line(line)
            if parsed is None:
                return None
            name, blob = parsed
            if name != self._name or blob[:4] != self._key_id:
                continue  # someone else's signature
            if len(blob) != _BLOB:
                return None
            timestamp = int.from_bytes(blob[4:12], "big")
            if timestamp > MAX_TIMESTAMP:
                return None
            try:
                self._key.verify(blob[12:], signed_message(text, timestamp))
            except InvalidSignature:
                return None  # a bad line of this witness: the whole note is refused
            if (
                now is not None
                and dt.datetime.fromtimestamp(timestamp, dt.UTC) > now + FUTURE_SLACK
            ):
                return None
            found = timestamp if found is None else max(found, timestamp)
        if found is None:
            return None
        return Cosigned(Checkpoint.from_body(text), found)

    def __repr__(self) -> str:
        return f"CosignatureVerifier({self.verifier_key()!r})"


def kept_line(
    plain: str | None, size: int | None, root: str, key: str, cosigned: str
) -> str | None:
    """The witness's one signature line of a delivered row, if the row checks: the note of one
    of the ledger's checkpoints (``plain``, the note at ``size``) with exactly one line added,
    which the witness's key (``key``) verifies over that checkpoint (its size and ``root``).
    None for anything else (a row something else wrote): ``verify`` names it, exports,
    receipts and proofs leave it out."""
    if plain is None or size is None or not cosigned.startswith(plain):
        return None
    added = cosigned[len(plain) :]
    if added.count("\n") != 1 or not added.endswith("\n"):
        return None
    try:
        opened = CosignatureVerifier.from_vkey(key).open(cosigned)
    except ValueError:
        return None
    if opened is None or opened.checkpoint.size != size or opened.checkpoint.root.hex() != root:
        return None
    return added[:-1]
