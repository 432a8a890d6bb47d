"""A register's header understood: which column gives what (found by its heading, whatever the
capitals and punctuation), whether it is a consent or a children register, and what is
missing, doubled or not understood.
"""

from __future__ import annotations

import functools
from collections.abc import Collection, Sequence

from ledger.importer.errors import BadCell, BadInput, heading_shown
from ledger.importer.headings import (
    CHANNEL_WORDS,
    CHILDREN_ROLES,
    CONSENT_KEYS,
    CONSENT_ROLES,
    CONSENT_WORDS,
    EXAMPLE_HEADING,
    NAME_WORDS,
    ROLE_OF,
    ROLE_TEXT,
    heading_words,
)


class Columns:
    """The header of a consent register, understood."""

    def __init__(
        self, header: list[str], line: int, channels: Sequence[str], ignore: Collection[str]
    ) -> None:
        self.header = header
        self.line = line
        self.channels = list(channels)
        self.role: dict[str, int] = {}
        self.per_channel: list[tuple[int, str]] = []  # (column index, channel)
        self.names: list[int] = []  # name columns that do not say whose name
        self.skip: set[int] = set()
        wanted = {" ".join(name.split()).casefold(): name for name in ignore}
        seen: set[str] = set()
        for index, heading in enumerate(header):
            spelled = " ".join(heading.split())
            if spelled.casefold() in wanted:
                seen.add(spelled.casefold())
                self.skip.add(index)
                continue
            if not spelled:
                self.skip.add(index)  # a column with no heading must stay empty (checked per row)
                continue
            self._place(index, heading)
        unknown = [name for key, name in wanted.items() if key not in seen]
        if unknown:
            listed = ", ".join(f"`{heading_shown(h)}`" for h in header if h.strip())
            raise BadCell(
                None,
                None,
                f"--ignore {unknown[0]!r}: the file has no column headed so"
                f" (its columns: {listed})",
            )
        self.unnamed = {i for i in self.skip if not header[i].strip()}
        self.kind = "consent"
        self._check()

    def _place(self, index: int, heading: str) -> None:
        words = heading_words(heading)
        role = ROLE_OF.get(words)
        if role is None and set(words.split()) & NAME_WORDS:
            self.names.append(index)  # whose name? an error in either register (see _check)
            return
        if role is None:
            rest = [w for w in words.split() if w not in CONSENT_WORDS]
            said_consent = bool(set(words.split()) & CONSENT_KEYS)
            channel = "-".join(rest)
            if channel in self.channels:
                self.per_channel.append((index, channel))
                return
            if not rest and said_consent:
                role = "consent"
            elif set(rest) & CHANNEL_WORDS or channel in _shipped_channels():
                raise BadCell(
                    self.line,
                    heading,
                    "looks like a channel, but it is not one of this ledger's channels"
                    f" (expected one of: {', '.join(self.channels)}); head the column with one"
                    " of them, or import with --ignore",
                )
            else:
                raise BadCell(
                    self.line,
                    heading,
                    "this column is not understood (a consent register's columns are listed"
                    f" by `ledger import --help`); to leave it out, import with --ignore"
                    f" {heading.strip()!r}",
                )
        if role in self.role:
            other = self.header[self.role[role]]
            raise BadCell(
                self.line,
                heading,
                f"this and `{heading_shown(other)}` both give {ROLE_TEXT[role]}: keep one, or"
                " import with --ignore naming the other",
            )
        self.role[role] = index

    def _check(self) -> None:
        consent = sorted(
            [self.role[r] for r in CONSENT_ROLES if r in self.role]
            + [i for i, _ in self.per_channel]
        )
        children = sorted(self.role[r] for r in CHILDREN_ROLES if r in self.role)
        if "start" in self.role and consent:
            raise BadCell(
                self.line,
                None,
                "the file has the columns of a children register"
                f" ({', '.join(f'`{self.header[i].strip()}`' for i in children)}) and of a"
                f" consent register ({', '.join(f'`{self.header[i].strip()}`' for i in consent)})"
                ": import them as two files (a children register has a start date column; a"
                " consent register has a channel or Yes/No column, a date signed, a form and a"
                " method)",
            )
        self.kind = "children" if "start" in self.role or (children and not consent) else "consent"
        if self.kind == "children":
            self._check_children()
            return
        for index in [*self.names, *children]:
            heading = self.header[index].strip()
            raise BadCell(
                self.line,
                heading,
                "the ledger does not need names in a consent register (it keeps each child's"
                " and parent's name from their enrolment, and the register refers to them by"
                f" reference); leave the column out, or import with --ignore {heading!r}",
            )
        if self.per_channel and ("channel" in self.role or "consent" in self.role):
            one = self.header[self.role.get("channel", self.role.get("consent", 0))]
            raise BadCell(
                self.line,
                None,
                f"the register has a column per channel (`{self.header[self.per_channel[0][0]]}`)"
                f" and a `{heading_shown(one)}` column: use one or the other",
            )
        if "consent" in self.role and "channel" not in self.role:
            raise BadCell(
                self.line,
                self.header[self.role["consent"]],
                "a Yes/No consent column needs a `Channel` column beside it saying which channel"
                " it is for; or head a Yes/No column with each channel"
                f" ({', '.join(self.channels)})",
            )
        needed = ["child", "guardian", "on", "evidence", "method"]
        if not self.per_channel:
            needed.insert(2, "channel")
        missing = [r for r in needed if r not in self.role]
        if missing:
            said = []
            for role in missing:
                text = f"{ROLE_TEXT[role]} (e.g. `{EXAMPLE_HEADING[role]}`"
                if role == "channel":
                    text += f", or a Yes/No column per channel: {', '.join(self.channels)}"
                said.append(text + ")")
            raise BadInput(
                self.line,
                None,
                "the header has no column for "
                + "; ".join(said)
                + " (the columns and the headings accepted for each are listed by"
                " `ledger import --help`)",
            )

    def _check_children(self) -> None:
        for index in self.names:
            heading = self.header[index].strip()
            raise BadCell(
                self.line,
                heading,
                "whose name? head the column `Child name` or `Parent/Carer name`, or import with"
                f" --ignore {heading!r}",
            )
        needed = ["child", "child_name", "start"]
        if "guardian" in self.role or "guardian_name" in self.role:
            needed += ["guardian", "guardian_name"]
        missing = [r for r in needed if r not in self.role]
        if missing:
            raise BadInput(
                self.line,
                None,
                "a children register has no column for "
                + "; ".join(f"{ROLE_TEXT[r]} (e.g. `{EXAMPLE_HEADING[r]}`)" for r in missing)
                + " (the columns are listed by `ledger import --help`)",
            )

    def cell(self, row: list[str], role: str) -> tuple[str, str] | None:
        """The heading as spelled and the cell's text, if the register has the column."""
        index = self.role.get(role)
        if index is None:
            return None
        return self.header[index].strip(), row[index].strip() if index < len(row) else ""


@functools.cache
def _shipped_channels() -> frozenset[str]:
    from ledger import profile as profiles

    names: set[str] = set()
    for name in profiles.shipped():
        try:
            names.update(profiles.load(name).channels)
        except profiles.ProfileError:  # pragma: no cover - the shipped profiles load
            continue
    return frozenset(names)
