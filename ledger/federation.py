"""A federation file: one name, and the settings (members) whose ledgers one view spans.

A federation of nursery schools under one governing body, or a local authority overseeing many
settings, writes one TOML file::

    name = "Sandbank and Valley Nursery Schools Federation"

    [[members]]
    name = "Sandbank Nursery School"
    ledger = "sandbank.db"                       # a SQLite file, relative to this file
    public_key = "sandbank+1a2b3c4d+AQ..."       # optional: the text of its published PATH.pub

    [[members]]
    name = "Valley Nursery School"
    ledger = "postgresql://ledger@db.example/ledger?schema=valley"
    key_file = "keys/valley.key"                 # optional: where its key file is kept

Each member's keys stay its own: ``public_key`` is the key the member publishes (what ``verify``
checks against when it is given), ``key_file`` where the member keeps its key file if not beside
its ledger (``PATH.key`` for a SQLite file, ``ledger-SCHEMA.key`` beside this file for
PostgreSQL); as with ``LEDGER_KEY``, its key store (``.keys``) and own profile
(``.profile.toml``) are found beside its key file. A file the program cannot use is refused
with the line and the field as written.
"""

from __future__ import annotations

import os
import re
import tomllib
import unicodedata
from collections.abc import Mapping
from pathlib import Path
from typing import Final

import msgspec

from ledger.checkpoint import parse_vkey
from ledger.storage.config import Config, LedgerError, schema_of, server_of

__all__ = ["ENV", "Federation", "FederationError", "Member", "decode", "load"]

ENV: Final = "LEDGER_FEDERATION"
"""The environment variable naming the federation file, as ``--federation FILE`` does."""

_TOP: Final = ("name", "members")
_MEMBER: Final = ("name", "ledger", "public_key", "key_file")
_SCHEMA: Final = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


class FederationError(LedgerError):
    """A federation file the program cannot use (exit status 2): the message names the file,
    the line and the field as the file spells them, and what was expected."""


class Member(msgspec.Struct, frozen=True, kw_only=True):
    """One setting of the federation: its display name and where its ledger lives."""

    name: str
    ledger: str  # a SQLite path (made absolute, from the file's folder) or a PostgreSQL URL
    public_key: str | None = None  # the text of the member's published PATH.pub
    key_file: Path | None = None  # where the member keeps its key file, if not the default
    line: int = 0  # the line of its [[members]] heading, to name in messages

    @property
    def is_postgres(self) -> bool:
        return self.ledger.startswith(("postgres://", "postgresql://"))

    def config(self) -> Config:
        """Where the member's ledger and its key file are (``Config``), for the commands.
        ``LEDGER_KEY`` is not read: each member has its own key."""
        if self.key_file is not None:
            return Config(db=self.ledger, key_path=self.key_file)
        return Config(db=self.ledger, key_path=Path(self.ledger + ".key"))


class Federation(msgspec.Struct, frozen=True, kw_only=True):
    """A federation's name, its members in the file's order, and the file it was read from."""

    name: str
    members: tuple[Member, ...]
    path: Path

    def member(self, name: str) -> Member:
        for member in self.members:
            if member.name == name:
                return member
        raise KeyError(name)


def load(path: str | os.PathLike[str]) -> Federation:
    """Read and check the federation file at ``path``; raise ``FederationError`` if it cannot
    be used."""
    file = Path(path)
    try:
        data = file.read_bytes()
    except OSError as exc:
        raise FederationError(
            f"{file}: cannot read the federation file ({exc.strerror or exc})"
        ) from None
    return decode(data, file)


def decode(data: bytes | str, path: Path) -> Federation:
    """The federation ``data`` says, read as if from ``path`` (relative ledgers and key files
    are found from its folder)."""
    where = path.name
    try:
        text = data.decode("utf-8") if isinstance(data, bytes) else data
    except UnicodeDecodeError:
        raise FederationError(
            f"{where}: not UTF-8 text (save the federation file as UTF-8)"
        ) from None
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise FederationError(f"{where}: not valid TOML ({exc})") from None
    places = _Places(text)
    for key in raw:
        if key not in _TOP:
            raise FederationError(
                f"{where}{_at(places.top(key))}: unknown field `{key}` (expected {_expected(_TOP)})"
            )
    name = raw.get("name")
    if isinstance(name, str) and not _plain(name):
        raise FederationError(
            f"{where}{_at(places.top('name'))}: `name`: expected one line of plain text (no"
            " control characters)"
        )
    if not isinstance(name, str) or not name.strip():
        line = places.top("name")
        raise FederationError(
            f"{where}{_at(line)}: `name`: expected the federation's name, as text"
            f' (for example name = "Sandbank and Valley Nursery Schools Federation")'
        )
    entries = raw.get("members")
    if not isinstance(entries, list) or not entries:
        raise FederationError(
            f"{where}{_at(places.top('members'))}: `members`: expected at least one [[members]]"
            " table, each with a `name` and a `ledger`"
        )
    folder = path.parent.resolve() if path.parent != Path("") else Path.cwd()
    members: list[Member] = []
    seen_names: dict[str, int] = {}
    seen_ledgers: dict[tuple[object, ...], int] = {}
    for number, entry in enumerate(entries, start=1):
        heading = places.member(number)
        if not isinstance(entry, Mapping):
            raise FederationError(
                f"{where}{_at(heading)}: `members`: expected [[members]] tables, each with a"
                " `name` and a `ledger`"
            )
        member = _member(entry, number, heading, places, folder, where)
        if member.name in seen_names:
            raise FederationError(
                f"{where}, line {places.field(number, 'name')}: `name` of member {number}:"
                f" the same name as member {seen_names[member.name]} (each member needs its"
                " own name)"
            )
        place = _place(member.ledger)
        if place in seen_ledgers:
            first = seen_ledgers[place]
            how = "" if members[first - 1].ledger == member.ledger else _ANOTHER_SPELLING
            raise FederationError(
                f"{where}, line {places.field(number, 'ledger')}: `ledger` of member {number}:"
                f" the same ledger as member {first}{how}"
            )
        seen_names[member.name] = number
        seen_ledgers[place] = number
        members.append(member)
    return Federation(name=name.strip(), members=tuple(members), path=path)


def _member(
    entry: Mapping[str, object],
    number: int,
    heading: int | None,
    places: _Places,
    folder: Path,
    where: str,
) -> Member:
    def refuse(field: str, expected: str) -> FederationError:
        line = places.field(number, field) or heading
        return FederationError(f"{where}{_at(line)}: `{field}` of member {number}: {expected}")

    for key in entry:
        if key not in _MEMBER:
            raise refuse(key, f"unknown field (expected {_expected(_MEMBER)})")
    for key in ("name", "ledger"):
        if key not in entry:
            raise FederationError(
                f"{where}{_at(heading)}: member {number} has no `{key}`"
                " (each [[members]] needs a `name` and a `ledger`)"
            )
    name = entry["name"]
    if not isinstance(name, str) or not name.strip():
        raise refuse("name", "expected the setting's name, as text")
    if not _plain(name):
        raise refuse("name", "expected one line of plain text (no control characters)")
    ledger = entry["ledger"]
    if not isinstance(ledger, str) or not ledger.strip():
        raise refuse(
            "ledger",
            "expected a SQLite file's path or a postgresql:// URL with ?schema=NAME, as text",
        )
    if ledger.startswith(("postgres://", "postgresql://")):
        if not _SCHEMA.match(schema_of(ledger)):
            raise refuse(
                "ledger",
                "expected ?schema=NAME with a PostgreSQL schema name (lower-case letters,"
                " digits and _)",
            )
        if "schema=" not in ledger:
            raise refuse(
                "ledger",
                "expected the member's own schema in the URL (?schema=NAME): members on one"
                " server each have their own",
            )
    elif "://" in ledger:
        raise refuse(
            "ledger", "expected a SQLite file's path or a postgresql:// URL with ?schema=NAME"
        )
    else:
        ledger = str((folder / ledger).resolve())
    public_key = entry.get("public_key")
    if public_key is not None:
        if not isinstance(public_key, str):
            raise refuse("public_key", "expected the text of the member's published PATH.pub")
        try:
            parse_vkey(public_key.strip())
        except ValueError as exc:
            raise refuse(
                "public_key", f"{exc} (expected the text of the member's published PATH.pub)"
            ) from None
        public_key = public_key.strip()
    key_file = entry.get("key_file")
    key_path: Path | None = None
    if key_file is not None:
        if not isinstance(key_file, str) or not key_file.strip():
            raise refuse("key_file", "expected the path of the member's key file, as text")
        key_path = (folder / key_file).resolve()
    elif ledger.startswith(("postgres://", "postgresql://")):
        key_path = folder / f"ledger-{schema_of(ledger)}.key"
    return Member(
        name=name.strip(),
        ledger=ledger,
        public_key=public_key,
        key_file=key_path,
        line=heading or 0,
    )


_ANOTHER_SPELLING: Final = (
    " (written another way: one ledger counted twice would be shown, followed and witnessed"
    " as two settings)"
)


def _place(ledger: str) -> tuple[object, ...]:
    """Where a ledger is, however it is written: a SQLite file by its device and inode when it
    is there (a hard link to another member's file is that file), else by its absolute path;
    a PostgreSQL schema by its server, database and schema as the ledger connects to them
    (``storage.config.server_of``: parameters such as ``?host=`` included; a host name in
    lower case), not by the user or password that reach it."""
    if not ledger.startswith(("postgres://", "postgresql://")):
        try:
            found = os.stat(ledger)
        except OSError:
            return ("file", ledger)
        return ("inode", found.st_dev, found.st_ino)
    try:
        host, port, database = server_of(ledger)
    except LedgerError:  # a port that is not a number: refused when it is opened
        return ("postgresql", ledger)
    if not host.startswith("/"):  # a host name, not a socket's folder
        host = host.lower()
    return ("postgresql", host, port, database, schema_of(ledger))


def _plain(text: str) -> bool:
    """One line of text a terminal and a web page show as written: no control or format
    characters (escape sequences, DEL, C1 controls, bidirectional overrides)."""
    return not any(unicodedata.category(c) in ("Cc", "Cf") for c in text)


def _at(line: int | None) -> str:
    return f", line {line}" if line else ""


def _expected(fields: tuple[str, ...]) -> str:
    named = [f"`{f}`" for f in fields]
    return ", ".join(named[:-1]) + " or " + named[-1] if len(named) > 1 else named[0]


class _Places:
    """Where things are in the file's text, to name the line in a message: a top-level key,
    the n-th ``[[members]]`` heading, and a key under it. TOML has been parsed already, so a
    plain reading of the lines is enough (a key is ``name =`` at the start of a line)."""

    def __init__(self, text: str) -> None:
        self.lines = text.splitlines()
        self.headings: list[int] = []
        self.first_table: int | None = None
        for index, line in enumerate(self.lines, start=1):
            stripped = line.strip()
            if stripped.startswith("["):
                if self.first_table is None:
                    self.first_table = index
                if re.match(r"^\[\[\s*members\s*\]\]", stripped):
                    self.headings.append(index)

    def _key(self, key: str, start: int, end: int) -> int | None:
        pattern = re.compile(rf"^\s*(\"{re.escape(key)}\"|'{re.escape(key)}'|{re.escape(key)})\s*=")
        for index in range(start, min(end, len(self.lines)) + 1):
            if pattern.match(self.lines[index - 1]):
                return index
        return None

    def top(self, key: str) -> int | None:
        end = (self.first_table or len(self.lines) + 1) - 1
        found = self._key(key, 1, end)
        if found is None and key == "members" and self.headings:
            return self.headings[0]
        if found is None:  # a table of that name: its heading
            heading = re.compile(rf"^\[\[?\s*{re.escape(key)}\s*[\].]")
            found = next(
                (i for i, line in enumerate(self.lines, 1) if heading.match(line.strip())), None
            )
        return found

    def member(self, number: int) -> int | None:
        return self.headings[number - 1] if number <= len(self.headings) else None

    def field(self, number: int, key: str) -> int | None:
        start = self.member(number)
        if start is None:
            return None
        following = [i for i in range(start + 1, len(self.lines) + 1) if self._is_table(i)]
        end = following[0] - 1 if following else len(self.lines)
        return self._key(key, start + 1, end)

    def _is_table(self, index: int) -> bool:
        return self.lines[index - 1].strip().startswith("[")
