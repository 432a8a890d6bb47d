"""Signed checkpoints: C2SP ``tlog-checkpoint`` bodies in C2SP ``signed-note`` envelopes.

A checkpoint commits to the ledger's Merkle tree (see :mod:`ledger.merkle`) at one size::

    <origin>\\n
    <tree size, decimal, no leading zeros>\\n
    <root hash, standard base64>\\n
    \\n
    — <key name> <base64(4-byte key ID || 64-byte Ed25519 signature)>\\n

The signature is Ed25519 over the note text (the three body lines, final newline included,
as UTF-8).  The key ID is the first four bytes of
``SHA-256(key name || 0x0A || 0x01 || 32-byte public key)`` (c2sp.org/signed-note).

A verifier key is written as ``<name>+<key ID as 8 hex digits>+<base64(0x01 || public key)>``,
the form used by golang.org/x/mod/sumdb/note and the transparency-dev tools.

This module only produces and accepts checkpoints with exactly the three mandatory lines: a
note carrying extension lines is refused by :meth:`Verifier.open`.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

__all__ = [
    "ALG_ED25519",
    "Checkpoint",
    "Signer",
    "Verifier",
    "key_id",
    "parse_vkey",
    "validate_key_name",
]

ALG_ED25519: Final = 0x01
"""Signature type identifier byte of Ed25519 in c2sp.org/signed-note."""

HASH_SIZE: Final = 32
MAX_TREE_SIZE: Final = (1 << 64) - 1
MAX_NOTE_BYTES: Final = 1 << 20
"""Notes longer than this (UTF-8 bytes) are refused unread."""
MAX_SIGNATURES: Final = 100
"""Notes with more signature lines than this are refused (the spec requires at least 16)."""

_EM_DASH: Final = "\u2014"
_SIG_PREFIX: Final = _EM_DASH + " "
_KEY_NAME_HEADER: Final = "Key-Name: "
_SIZE_RE: Final = re.compile(r"(?:0|[1-9][0-9]*)", re.ASCII)
_HEX8_RE: Final = re.compile(r"[0-9a-fA-F]{8}", re.ASCII)


# --------------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------------


def _b64encode(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def b64decode_strict(text: str) -> bytes | None:
    """Decode canonical standard base64 (with padding); None if ``text`` is anything else.

    Python's decoder ignores non-zero padding bits, so two different strings can decode to the
    same bytes; re-encoding and comparing makes the encoding canonical and hence tamper-evident.
    """
    if not text.isascii():
        return None
    try:
        data = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        return None
    if _b64encode(data) != text:
        return None
    return data


def has_control_chars(text: str, allow_newline: bool) -> bool:
    return any(ord(c) < 0x20 and not (allow_newline and c == "\n") for c in text)


def validate_key_name(name: str) -> str:
    """Return ``name`` if it is a valid signed-note key name, else raise :class:`ValueError`.

    Key names must be non-empty and contain no Unicode space, no ``+`` and no control
    character.
    """
    if not isinstance(name, str):
        raise TypeError("key name must be a str")
    if not name:
        raise ValueError("key name must not be empty")
    for c in name:
        if c.isspace() or c == "+" or ord(c) < 0x20 or ord(c) == 0x7F:
            raise ValueError(f"key name must not contain {c!r}")
    try:
        name.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise ValueError("key name is not valid Unicode") from exc
    return name


def key_id(name: str, public_key: bytes) -> bytes:
    """The 4-byte signed-note key ID of an Ed25519 key:
    ``SHA-256(name || 0x0A || 0x01 || public_key)[:4]``."""
    if len(public_key) != 32:
        raise ValueError("an Ed25519 public key is 32 bytes")
    digest = hashlib.sha256(
        name.encode("utf-8") + b"\n" + bytes([ALG_ED25519]) + bytes(public_key)
    ).digest()
    return digest[:4]


def parse_vkey(vkey: str) -> tuple[str, bytes, bytes]:
    """Parse ``<name>+<8 hex digits>+<base64(0x01 || 32-byte key)>``.

    Surrounding whitespace (such as the newline ending a key file) is ignored.

    Returns ``(name, key_id, public_key)``.  Raises :class:`ValueError` with a message saying
    what is wrong if the string is malformed, the algorithm is not Ed25519, or the key ID does
    not match the name and key.
    """
    if not isinstance(vkey, str):
        raise ValueError("verifier key must be a str")
    # Names and key IDs contain no '+', but the base64 key material may.
    parts = vkey.strip().split("+", 2)
    if len(parts) != 3:
        raise ValueError("verifier key must have the form <name>+<8 hex digits>+<base64 key>")
    name, hex_id, b64_key = parts
    try:
        validate_key_name(name)
    except ValueError as exc:
        raise ValueError(f"verifier key has an invalid name: {exc}") from None
    if not _HEX8_RE.fullmatch(hex_id):
        raise ValueError(f"verifier key ID must be 8 hexadecimal digits, got {hex_id!r}")
    raw = b64decode_strict(b64_key)
    if raw is None:
        raise ValueError("verifier key material is not valid base64")
    if len(raw) == 0 or raw[0] != ALG_ED25519:
        alg = f"0x{raw[0]:02x}" if raw else "none"
        raise ValueError(f"verifier key algorithm is {alg}; only Ed25519 (0x01) is supported")
    public = raw[1:]
    if len(public) != 32:
        raise ValueError(f"Ed25519 verifier key must be 32 bytes, got {len(public)}")
    expected = key_id(name, public)
    if bytes.fromhex(hex_id) != expected:
        raise ValueError(
            f"verifier key ID {hex_id.lower()} does not match its name and key "
            f"(expected {expected.hex()})"
        )
    return name, expected, public


# --------------------------------------------------------------------------------------------
# Checkpoint
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Checkpoint:
    """A tree head: the log's ``origin``, the tree ``size`` and the 32-byte ``root`` hash."""

    origin: str
    size: int
    root: bytes

    def __post_init__(self) -> None:
        if not isinstance(self.origin, str) or not self.origin:
            raise ValueError("origin must be a non-empty str")
        if has_control_chars(self.origin, allow_newline=False):
            raise ValueError("origin must not contain newlines or control characters")
        try:
            self.origin.encode("utf-8")
        except UnicodeEncodeError as exc:
            raise ValueError("origin is not valid Unicode") from exc
        if not isinstance(self.size, int) or isinstance(self.size, bool):
            raise ValueError("size must be an int")
        if not 0 <= self.size <= MAX_TREE_SIZE:
            raise ValueError("size must be in [0, 2**64)")
        if not isinstance(self.root, bytes) or len(self.root) != HASH_SIZE:
            raise ValueError(f"root must be {HASH_SIZE} bytes")

    def body(self) -> str:
        """The note text: origin, size and base64 root, each followed by a newline."""
        return f"{self.origin}\n{self.size}\n{_b64encode(self.root)}\n"

    @classmethod
    def from_body(cls, text: str) -> Checkpoint:
        """Parse a note text produced by :meth:`body`.  Raises :class:`ValueError`."""
        if not text.endswith("\n"):
            raise ValueError("checkpoint text must end with a newline")
        lines = text[:-1].split("\n")
        if len(lines) != 3:
            raise ValueError(f"checkpoint text must have exactly 3 lines, got {len(lines)}")
        origin, size_text, root_text = lines
        if not _SIZE_RE.fullmatch(size_text):
            raise ValueError("tree size must be a decimal number without leading zeros")
        root = b64decode_strict(root_text)
        if root is None:
            raise ValueError("root hash is not canonical base64")
        return cls(origin=origin, size=int(size_text), root=root)


# --------------------------------------------------------------------------------------------
# Signer
# --------------------------------------------------------------------------------------------


class Signer:
    """An Ed25519 checkpoint signer with a signed-note key name."""

    __slots__ = ("_key", "_key_id", "_name", "_public")

    def __init__(self, name: str, private_key: Ed25519PrivateKey) -> None:
        self._name = validate_key_name(name)
        if not isinstance(private_key, Ed25519PrivateKey):
            raise TypeError("private_key must be an Ed25519PrivateKey")
        self._key = private_key
        self._public = private_key.public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw
        )
        self._key_id = key_id(name, self._public)

    @classmethod
    def generate(cls, name: str) -> Signer:
        """A signer with a fresh random key."""
        return cls(name, Ed25519PrivateKey.generate())

    @classmethod
    def load(cls, path: Path, name: str | None = None) -> Signer:
        """Load a key written by :meth:`save`.

        The key name is read from the ``Key-Name:`` line that :meth:`save` writes before the
        PEM block; ``name`` is only needed for a bare PKCS#8 PEM file without that line (if
        both are present they must agree).  Raises :class:`ValueError` if the file is not an
        unencrypted Ed25519 PKCS#8 PEM key or the name is missing or inconsistent.
        """
        data = Path(path).read_bytes()
        stored_name: str | None = None
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ValueError(f"{path}: key file is not UTF-8 text") from exc
        for line in text.split("\n"):
            if line.startswith("-----BEGIN"):
                break
            if line.startswith(_KEY_NAME_HEADER):
                stored_name = line[len(_KEY_NAME_HEADER) :].rstrip("\r")
        if stored_name is not None and name is not None and stored_name != name:
            raise ValueError(f"{path}: key file is for {stored_name!r}, not {name!r}")
        chosen = stored_name if stored_name is not None else name
        if chosen is None:
            raise ValueError(f"{path}: key file has no {_KEY_NAME_HEADER.strip()} line")
        try:
            key = serialization.load_pem_private_key(data, password=None)
        except (ValueError, TypeError, UnsupportedAlgorithm) as exc:
            raise ValueError(f"{path}: not an unencrypted PKCS#8 PEM private key") from exc
        if not isinstance(key, Ed25519PrivateKey):
            raise ValueError(f"{path}: not an Ed25519 private key")
        return cls(chosen, key)

    def save(self, path: Path) -> None:
        """Write the private key as unencrypted PKCS#8 PEM, preceded by a ``Key-Name:`` line.

        The file is created with mode 0o600; :class:`FileExistsError` is raised (and nothing
        is written) if ``path`` already exists, even as a dangling symlink.
        """
        pem = self._key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        content = f"{_KEY_NAME_HEADER}{self._name}\n".encode() + pem
        target = Path(path)
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            os.fchmod(fd, 0o600)  # in case the umask removed owner bits
            with os.fdopen(fd, "wb", closefd=False) as handle:
                handle.write(content)
                handle.flush()
                os.fsync(handle.fileno())
        except BaseException:
            os.close(fd)
            target.unlink(missing_ok=True)
            raise
        os.close(fd)

    @property
    def name(self) -> str:
        """The signed-note key name."""
        return self._name

    @property
    def key_id(self) -> bytes:
        """The 4-byte key ID."""
        return self._key_id

    @property
    def public_key(self) -> bytes:
        """The raw 32-byte Ed25519 public key."""
        return self._public

    def verifier_key(self) -> str:
        """``<name>+<key ID hex>+<base64(0x01 || public key)>``."""
        material = _b64encode(bytes([ALG_ED25519]) + self._public)
        return f"{self._name}+{self._key_id.hex()}+{material}"

    def verifier(self) -> Verifier:
        """The matching :class:`Verifier`."""
        return Verifier(self._name, self._public)

    def sign(self, checkpoint: Checkpoint) -> str:
        """Return the whole signed note for ``checkpoint``."""
        return self.sign_text(checkpoint.body())

    def sign_text(self, text: str) -> str:
        """Return a signed note for an arbitrary note ``text``.

        ``text`` must be non-empty, end in a newline and contain no control character other
        than newline (c2sp.org/signed-note).  Raises :class:`ValueError` otherwise.
        """
        if not isinstance(text, str) or not text.endswith("\n"):
            raise ValueError("note text must be a str ending in a newline")
        if has_control_chars(text, allow_newline=True):
            raise ValueError("note text must not contain control characters other than newline")
        message = text.encode("utf-8")
        signature = self._key.sign(message)
        blob = _b64encode(self._key_id + signature)
        return f"{text}\n{_SIG_PREFIX}{self._name} {blob}\n"

    def __repr__(self) -> str:
        return f"Signer({self.verifier_key()!r})"


# --------------------------------------------------------------------------------------------
# Verifier
# --------------------------------------------------------------------------------------------


class Verifier:
    """Opens checkpoints signed by one Ed25519 key."""

    __slots__ = ("_key", "_key_id", "_name", "_public")

    def __init__(self, name: str, public_key: bytes) -> None:
        self._name = validate_key_name(name)
        if not isinstance(public_key, bytes) or len(public_key) != 32:
            raise ValueError("an Ed25519 public key is 32 bytes")
        self._public = public_key
        self._key_id = key_id(name, public_key)
        self._key = Ed25519PublicKey.from_public_bytes(public_key)

    @classmethod
    def from_vkey(cls, vkey: str) -> Verifier:
        """Build from a verifier key string; :class:`ValueError` if it is malformed."""
        name, _, public = parse_vkey(vkey)
        return cls(name, public)

    @property
    def name(self) -> str:
        return self._name

    @property
    def key_id(self) -> bytes:
        return self._key_id

    def verifier_key(self) -> str:
        material = _b64encode(bytes([ALG_ED25519]) + self._public)
        return f"{self._name}+{self._key_id.hex()}+{material}"

    def open(self, note: str) -> Checkpoint | None:
        """Verify ``note`` and return its checkpoint, or ``None``; never raises.

        ``None`` is returned when the note is not well-formed signed-note text, when it has no
        valid signature by this key, when any signature line claiming this key fails to
        verify, or when the text is not exactly a three-line checkpoint.  Signatures by other
        keys are ignored, as the signed-note specification requires.
        """
        text = self.open_text(note)
        if text is None:
            return None
        try:
            return Checkpoint.from_body(text)
        except Exception:  # hostile input must never raise
            return None

    def open_text(self, note: str) -> str | None:
        """Verify a signed note of any content and return its text, or ``None``; never raises.

        The rules are those of :meth:`open` without the checkpoint-specific parsing.
        """
        try:
            return self._open_text(note)
        except Exception:  # hostile input must never raise
            return None

    def _open_text(self, note: str) -> str | None:
        if not isinstance(note, str) or len(note) > MAX_NOTE_BYTES:
            return None
        try:
            encoded = note.encode("utf-8")
        except UnicodeEncodeError:
            return None
        if len(encoded) > MAX_NOTE_BYTES or has_control_chars(note, allow_newline=True):
            return None
        if not note.endswith("\n"):
            return None
        # The text is separated from the signatures by the last blank line.
        split = note.rfind("\n\n")
        if split < 0:
            return None
        text = note[: split + 1]
        signature_lines = note[split + 2 :].split("\n")
        if signature_lines[-1] != "":  # the block must end in a newline
            return None
        signature_lines.pop()
        if not signature_lines or len(signature_lines) > MAX_SIGNATURES:
            return None
        message = text.encode("utf-8")
        verified = False
        for line in signature_lines:
            parsed = parse_signature_line(line)
            if parsed is None:
                return None
            name, blob = parsed
            if name != self._name or blob[:4] != self._key_id:
                continue  # someone else's signature: ignore it
            try:
                self._key.verify(blob[4:], message)
            except InvalidSignature:
                return None  # a bad signature from our key: reject the whole note
            verified = True
        return text if verified else None

    def __repr__(self) -> str:
        return f"Verifier({self.verifier_key()!r})"


def parse_signature_line(line: str) -> tuple[str, bytes] | None:
    """``— <name> <base64>`` → (name, decoded blob), or None if malformed."""
    if not line.startswith(_SIG_PREFIX):
        return None
    rest = line[len(_SIG_PREFIX) :]
    name, sep, b64 = rest.rpartition(" ")
    if not sep:
        return None
    try:
        validate_key_name(name)
    except ValueError:
        return None
    blob = b64decode_strict(b64)
    if blob is None or len(blob) < 5:
        return None
    return name, blob
