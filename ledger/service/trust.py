"""What a use case trusts: the ledger's signing key, the public keys a user supplies, a
checkpoint published earlier, and the stored envelope of a fact (``ledger.service``).

A copy of a ledger, an export or a proof is checked against a key the user supplied, never
against a key that came with it; the functions here find that key or say where to get one.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterable
from pathlib import Path
from typing import BinaryIO

import msgspec
from eventsourcing.persistence import StoredEvent

from ledger import events as ev
from ledger import integrity
from ledger.checkpoint import Checkpoint
from ledger.mapper import Envelope, EventMapper, event_mapper
from ledger.service.errors import Refusal
from ledger.store import Config, Ledger

Signer = integrity.Signer  # the ledger's signing key, as the service hands it out

TRUSTED_KEYS = "policy-ledger/trusted-keys"  # under $XDG_CONFIG_HOME (default ~/.config)


def mapper_of(ledger: Ledger) -> EventMapper:
    """The ledger's own mapper, typed: the one place the service (and the bench) reach it, so
    that a typed accessor on ``Ledger`` can take its place here alone."""
    return event_mapper(ledger.mapper)


def open_envelope(ledger: Ledger, stored: StoredEvent) -> Envelope:
    """The stored envelope of a fact (its sealed parts, its record time), opened."""
    return mapper_of(ledger).open_envelope(stored)


def recorded_at(ledger: Ledger, row: integrity.Row) -> dt.datetime | None:
    """When the fact of a stored row was recorded; None for bytes that no longer decode (the
    leaf check names them)."""
    position, topic, state = row
    stored = StoredEvent(ledger.stream, position, topic, state)
    try:
        return open_envelope(ledger, stored).recorded_at
    except ValueError:
        return None


def load_signer(config: Config) -> Signer:
    """The ledger's signing key, from beside it (or ``LEDGER_KEY``)."""
    try:
        return integrity.Signer.load(config.key_path)
    except FileNotFoundError:
        raise Refusal(
            f"the signing key is not at {config.key_path} (it is made by `ledger init`;"
            " set LEDGER_KEY to where you keep it)",
        ) from None
    except (OSError, ValueError) as exc:
        raise Refusal(f"{config.key_path}: not a usable signing key ({exc})") from None


def unreadable(name: str, exc: OSError | ValueError) -> Refusal:
    """The refusal of a file that cannot be read; a ``ValueError`` is a name no file can have
    here (a lone surrogate, a NUL)."""
    if isinstance(exc, OSError):
        return Refusal(f"{name}: cannot read the file ({exc.strerror})")
    return Refusal(f"{name}: cannot read the file (no file can have that name)")


def read_bytes(name: str) -> bytes:
    """A file's bytes, or the refusal that it cannot be read."""
    try:
        return Path(name).read_bytes()
    except (OSError, ValueError) as exc:
        raise unreadable(name, exc) from None


def default_trusted() -> Path | None:
    """The user's trusted-keys file: ``$XDG_CONFIG_HOME/policy-ledger/trusted-keys``."""
    base = os.environ.get("XDG_CONFIG_HOME")
    if not base:
        try:
            base = str(Path.home() / ".config")
        except RuntimeError:  # no home folder
            return None
    return Path(base) / TRUSTED_KEYS


def _no_key(hint: str | None) -> Refusal:
    where = default_trusted()
    said = (
        f" The file says it is signed by {hint.strip()}, but a file cannot vouch for its own key."
        if hint
        else ""
    )
    return Refusal(
        "no public key to check against, so no verdict: pass --key with the setting's published"
        " key (the text of the ledger's PATH.pub file, shown on the Integrity page of the"
        " setting's transparency site), or keep it in a trusted-keys file, one key a line"
        f" ({where or '$XDG_CONFIG_HOME/' + TRUSTED_KEYS}, or --trusted FILE).{said}",
    )


def trusted_keys(
    key: str | None, trusted: str | None, hint: str | None
) -> list[integrity.Verifier]:
    """The keys the user supplied: ``key`` (a published key's text), else the trusted-keys
    file (``trusted``, or the default one). No key is a refusal saying where to find one;
    ``hint`` is the key the file being checked claims (named, never trusted)."""
    if key:
        try:
            return [integrity.Verifier.from_vkey(key)]
        except ValueError as exc:
            raise Refusal(f"--key: {exc} (expected the text of the setting's PATH.pub)") from None
    path = Path(trusted) if trusted else default_trusted()
    if path is None or (not trusted and not path.exists()):
        raise _no_key(hint)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise Refusal(f"{path}: cannot read the trusted keys (not UTF-8)") from None
    except (OSError, ValueError) as exc:
        raise unreadable(str(path), exc) from None
    keys: list[integrity.Verifier] = []
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        try:
            keys.append(integrity.Verifier.from_vkey(line))
        except ValueError as exc:
            raise Refusal(
                f"{path}, line {number}: not a public key ({exc}); expected one published key"
                " a line (the text of a PATH.pub), or a comment starting with #",
            ) from None
    if not keys:
        raise _no_key(hint)
    return keys


def claimed(data: bytes, field: str) -> str | None:
    """The key a file says it is signed by: a hint for choosing a trusted key, no more."""
    try:
        value = msgspec.json.decode(data).get(field)
    except (msgspec.DecodeError, RecursionError, UnicodeDecodeError, AttributeError):
        return None
    return value if isinstance(value, str) else None


def claimed_by_trail(data: bytes | BinaryIO) -> str | None:
    """The key an export's first checkpoint line names (a hint, no more): in the bytes, or in
    a seekable binary file, read a line at a time up to it (and left at its start)."""
    lines = data.splitlines() if isinstance(data, bytes) else data
    try:
        for line in lines:
            if b'"type":"Checkpoint"' in line:
                return claimed(line, "vkey")
        return None
    finally:
        if not isinstance(data, bytes):
            data.seek(0)


def read_note(path: Path, verifier: integrity.Verifier) -> tuple[str, Checkpoint]:
    """A checkpoint kept earlier (a file): its text, opened with ``verifier``."""
    try:
        note = path.read_text()
    except UnicodeDecodeError:
        raise Refusal(f"{path}: cannot read the checkpoint (not UTF-8 text)") from None
    except (OSError, ValueError) as exc:
        raise unreadable(str(path), exc) from None
    signed = verifier.open(note)
    if signed is None:
        raise Refusal(f"{path}: not a checkpoint signed by this ledger's key")
    return note, signed


def key_store_check(
    ledger: Ledger, about: Iterable[str] | None = None
) -> list[integrity.KeyProblem]:
    """The key store checked against the ledger (``integrity.check_key_store``): names it
    should open that cannot be read, or someone forgotten who still could be; for everyone,
    or only for the people ``about`` (read through the person index: every fact naming them,
    their forgets included). Raises ``MapperError`` for stored bytes that do not open."""
    rows = (
        ledger.rows_of_types([*ev.NAME_FIELDS, ev.SubjectForgotten])
        if about is None
        else ledger.rows_about(about)
    )
    return integrity.check_key_store(
        rows,
        mapper_of(ledger).open_row,
        ledger.stream,
        ledger.keys,
        str(ledger.config.keys_path),
    )
