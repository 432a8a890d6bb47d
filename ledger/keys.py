"""Per-person keys: names are sealed with a key per person, and forgetting destroys the key.

The key store is a small SQLite file beside the ledger (``PATH.keys``), never inside it, so the
ledger (and every copy or export of its stored bytes) holds only ciphertext. ``destroy`` deletes
a person's key with SQLite's ``secure_delete`` on (the freed bytes are overwritten), in a
rollback-journal database (no write-ahead log keeps an old copy), then vacuums the file.

Sealing is AES-256-GCM with a fresh 96-bit nonce; the associated data binds the ciphertext to
the ledger stream, the fact's position and the field, so it cannot be moved to another fact.
"""

from __future__ import annotations

import os
import sqlite3
import threading
import uuid
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

SETTING_KEY = "setting"  # free text that names no one in particular is sealed under this key
NONCE = 12


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

    def ensure(self, subjects: set[str]) -> None:
        """Create keys for the subjects that have none (committed before any fact uses them)."""
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

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None
