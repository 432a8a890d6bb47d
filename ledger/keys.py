"""Per-person keys: names are sealed with a key per person, and forgetting destroys the key.

The key store is a small SQLite file beside the ledger (``PATH.keys``), never inside it, so the
ledger (and every copy or export of its stored bytes) holds only ciphertext. ``destroy`` deletes
a person's key with SQLite's ``secure_delete`` on (the freed bytes are overwritten), in a
rollback-journal database (no write-ahead log keeps an old copy), then vacuums the file.

Sealing is AES-256-GCM with a fresh 96-bit nonce; the associated data binds the ciphertext to
the ledger stream, the fact's position and the field, so it cannot be moved to another fact.

Free text about several people is sealed under all their keys at once: its sealing subject is
the people's references, sorted and joined by ``+`` (``C-0001+G-0001``), and its key is derived
with HKDF-SHA256 from each of their keys in that order (``joint``). Forgetting any one of them
destroys one of the inputs, so the text can no longer be opened: no one key opens it alone.

The key store also remembers the ledger position up to which it has applied the ledger's
``SubjectForgotten`` facts (``applied``): a store restored from a backup taken before a forget
has an older position, and opening the ledger completes the forget (``Ledger.complete_forgets``).
"""

from __future__ import annotations

import os
import sqlite3
import threading
import uuid
from collections.abc import Container
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

SETTING_KEY = "setting"  # free text that names no one in particular is sealed under this key
NONCE = 12
JOINT = "+"  # between the references of a joint sealing subject (``joint_subject``)
_JOINT_INFO = b"policy-ledger joint seal v1:"


def joint_subject(people: set[str] | list[str]) -> str:
    """The sealing subject of text about these people: one reference, or several joined."""
    if not people:
        raise ValueError("a joint subject needs at least one person")
    return JOINT.join(sorted(set(people)))


def people_of(subject: str) -> list[str]:
    """The people whose keys a sealing subject needs (one, or each of a joint subject)."""
    return subject.split(JOINT)


def joint_key(subject: str, keys: list[bytes]) -> bytes:
    """The key of a joint subject from its people's keys, in the subject's order (HKDF-SHA256):
    what a reader needs to open one joint seal, and nothing that opens any other person's."""
    return HKDF(
        algorithm=hashes.SHA256(),
        length=32,
        salt=None,
        info=_JOINT_INFO + subject.encode(),
    ).derive(b"".join(keys))


def aad(stream: uuid.UUID, position: int, field: str) -> bytes:
    return f"{stream}:{position}:{field}".encode()


def seal(key: bytes, plaintext: str, associated: bytes) -> bytes:
    nonce = os.urandom(NONCE)
    return nonce + AESGCM(key).encrypt(nonce, plaintext.encode(), associated)


def unseal(key: bytes, blob: bytes, associated: bytes) -> str | None:
    """The plaintext, or None if the blob does not open with this key (changed, or not ours)."""
    if len(blob) < NONCE + 16 or len(key) != 32:
        return None
    try:
        return AESGCM(key).decrypt(blob[:NONCE], blob[NONCE:], associated).decode()
    except (InvalidTag, UnicodeDecodeError):
        return None


class KeyStore:
    """Subject reference -> 256-bit key, in a SQLite file of its own."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._cache: dict[str, bytes | None] = {}
        self._loaded = False
        self._conn: sqlite3.Connection | None = None
        self._lock = threading.RLock()  # a follower decodes facts in the library's thread

    def _db(self) -> sqlite3.Connection:
        if self._conn is None:
            conn = sqlite3.connect(
                self.path, isolation_level=None, timeout=30, check_same_thread=False
            )
            conn.execute("PRAGMA journal_mode=DELETE")
            conn.execute("PRAGMA secure_delete=ON")
            conn.execute(
                "CREATE TABLE IF NOT EXISTS keys (subject TEXT PRIMARY KEY, key BLOB NOT NULL)"
            )
            self._conn = conn
            if os.name == "posix":
                os.chmod(self.path, 0o600)
        return self._conn

    def get(self, subject: str) -> bytes | None:
        """The key of a sealing subject: a person's own, or a joint subject's derived key (None
        if any of its people has no key: one of them was forgotten)."""
        if JOINT in subject:
            parts = [self.get(person) for person in people_of(subject)]
            if any(part is None for part in parts):
                return None
            return joint_key(subject, [part for part in parts if part is not None])
        with self._lock:
            if not self._loaded:
                self._load_all()
            if subject not in self._cache:
                row = (
                    self._db()
                    .execute("SELECT key FROM keys WHERE subject=?", (subject,))
                    .fetchone()
                )
                self._cache[subject] = row[0] if row else None
            return self._cache[subject]

    def _load_all(self) -> None:
        """Read every key once (a million-fact import would otherwise ask for each in turn);
        a subject not found here is still looked up, in case another writer has just made it."""
        self._cache.update(self._db().execute("SELECT subject, key FROM keys").fetchall())
        self._loaded = True

    def ensure(self, subjects: set[str], *, forgotten: Container[str] = frozenset()) -> None:
        """Create keys for the subjects that have none (committed before any fact uses them);
        a joint subject's people get theirs, except the forgotten (never given a key again)."""
        subjects = {
            person
            for subject in subjects
            for person in people_of(subject)
            if person not in forgotten
        }
        with self._lock:
            if not self._loaded:
                self._load_all()
            missing = [s for s in sorted(subjects) if self._cache.get(s) is None]
        if not missing:
            return
        with self._lock:
            self._create(missing)

    def _create(self, missing: list[str]) -> None:
        db = self._db()
        db.execute("BEGIN IMMEDIATE")
        try:
            for subject in missing:
                db.execute(
                    "INSERT OR IGNORE INTO keys VALUES (?, ?)", (subject, AESGCM.generate_key(256))
                )
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        for start in range(0, len(missing), 500):  # read back: another writer's key may have won
            some = missing[start : start + 500]
            rows = db.execute(
                f"SELECT subject, key FROM keys WHERE subject IN ({','.join('?' * len(some))})",
                some,
            ).fetchall()
            for subject in some:
                self._cache.pop(subject, None)
            self._cache.update(rows)

    def destroy(self, subject: str) -> bool:
        """Delete a subject's key beyond recovery from this file. True if there was one."""
        with self._lock:
            db = self._db()
            deleted = db.execute("DELETE FROM keys WHERE subject=?", (subject,)).rowcount
            db.execute("VACUUM")
            self._cache[subject] = None
            return bool(deleted)

    def forget(self, person: str) -> bool:
        """Delete beyond recovery every key that opens something of this person's: their own,
        and a pair's key of an older ledger (``S-0001/G-0001``, from before joint subjects).
        True if there was one."""
        with self._lock:
            db = self._db()
            deleted = db.execute(
                "DELETE FROM keys WHERE subject=? OR subject LIKE ? OR subject LIKE ?",
                (person, person + "/%", "%/" + person),
            ).rowcount
            if deleted:
                db.execute("VACUUM")
            self._cache.clear()
            self._loaded = False
            return bool(deleted)

    def has_key(self, person: str) -> bool:
        """Whether any key of this person's is in the store (their own, or an older pair's)."""
        with self._lock:
            row = (
                self._db()
                .execute(
                    "SELECT 1 FROM keys WHERE subject=? OR subject LIKE ? OR subject LIKE ?"
                    " LIMIT 1",
                    (person, person + "/%", "%/" + person),
                )
                .fetchone()
            )
            return row is not None

    def all_keys(self) -> dict[str, bytes]:
        """Every key in the store, by subject (for naming a key that was swapped)."""
        with self._lock:
            return dict(self._db().execute("SELECT subject, key FROM keys").fetchall())

    def applied(self) -> int:
        """The ledger position up to which this store has applied the forget facts."""
        with self._lock:
            db = self._db()
            if not db.execute(
                "SELECT 1 FROM sqlite_master WHERE type='table' AND name='applied'"
            ).fetchone():
                return 0  # a key store older than this: every forget is read once
            row = db.execute("SELECT MAX(position) FROM applied").fetchone()
            return int(row[0]) if row and row[0] is not None else 0

    def set_applied(self, position: int) -> None:
        with self._lock:
            db = self._db()
            db.execute("CREATE TABLE IF NOT EXISTS applied (position INTEGER NOT NULL)")
            db.execute("BEGIN IMMEDIATE")
            try:
                db.execute("DELETE FROM applied")
                db.execute("INSERT INTO applied VALUES (?)", (position,))
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None
