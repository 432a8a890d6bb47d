"""Reading facts from files: JSON Lines (the contract) and a spreadsheet's consent register (CSV).

Every line is decoded and validated by msgspec into its event struct. A bad line gives a
``BadInput`` naming the line, the field and what was expected. Messages never repeat a value
from the input (it might be a name): only references that have already matched their pattern,
field names and the expected form.
"""

from __future__ import annotations

import calendar
import csv
import dataclasses
import datetime as dt
import functools
import io
import re
import textwrap
import typing
from collections.abc import Collection, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

import msgspec

from ledger import events as ev


class BadInput(ValueError):
    """Input that cannot be read: which line, which field, what was expected."""

    def __init__(self, line: int | None, field: str | None, message: str) -> None:
        where = []
        if line is not None:
            where.append(f"line {line}")
        if field is not None:
            where.append(f"field `{field}`")
        super().__init__(", ".join(where) + (": " if where else "") + message)
        self.line = line
        self.field = field
        self.message = message


_TYPES = ", ".join(ev.EVENT_TYPES)
_SAFE_FIELD = re.compile(r"^[a-z_]{1,40}$")


def _expectations() -> dict[tuple[str, str], str]:
    """For each (event type, field), the plain description of what it takes."""
    out: dict[tuple[str, str], str] = {}
    for name, cls in ev.EVENT_TYPES.items():
        hints = typing.get_type_hints(cls, include_extras=True)
        for field in msgspec.structs.fields(cls):
            out[(name, field.encode_name)] = _describe(hints[field.name])
    return out


def _describe(hint: Any) -> str:
    origin = typing.get_origin(hint)
    if origin is typing.Annotated:
        base, *meta = typing.get_args(hint)
        for m in meta:
            if isinstance(m, msgspec.Meta) and m.description:
                return m.description
            if isinstance(m, msgspec.Meta) and m.max_length:
                return f"text of at most {m.max_length} characters"
        return _describe(base)
    if origin is typing.Literal:
        return "one of: " + ", ".join(str(a) for a in typing.get_args(hint))
    if origin in (typing.Union, getattr(__import__("types"), "UnionType", None)):
        parts = [_describe(a) for a in typing.get_args(hint) if a is not type(None)]
        return " or ".join(parts)
    if origin is list:
        (item,) = typing.get_args(hint)
        return f"a list (possibly empty), each {_describe(item)}"
    if hint is dt.date:
        return "a date as YYYY-MM-DD"
    if hint is int:
        return "a whole number"
    if hint is str:
        return "text"
    return getattr(hint, "__name__", "a value")


EXPECT = _expectations()
_AT = re.compile(r" - at `\$(?:\.([A-Za-z_]+))?(?:\[(\d+)\])?[^`]*`$")


def explain(type_name: str, error: msgspec.ValidationError) -> tuple[str | None, str]:
    """The field and a message for a msgspec error, without repeating any input value."""
    text = str(error)
    match = _AT.search(text)
    field = match.group(1) if match else None
    head = text[: match.start()] if match else text
    if head.startswith("Object missing required field"):
        missing = head.split("`")[1]
        return missing, f"missing (expected {EXPECT.get((type_name, missing), 'a value')})"
    if head.startswith("Object contains unknown field"):
        unknown = head.split("`")[1]
        shown = f"unknown field `{unknown}`" if _SAFE_FIELD.match(unknown) else "an unknown field"
        known = ", ".join(f.encode_name for f in msgspec.structs.fields(ev.EVENT_TYPES[type_name]))
        return None, f"{shown} for {type_name} (expected only: type, {known})"
    if field is None:
        return None, "expected a JSON object"
    expected = EXPECT.get((type_name, field), "a valid value")
    if field == "on":
        expected = "a date as YYYY-MM-DD"
    if match and match.group(2) is not None:
        return field, f"item {int(match.group(2)) + 1} is not valid (expected {expected})"
    return field, f"not valid (expected {expected})"


def decode_object(obj: object, line: int | None) -> ev.Event:
    """One fact from a decoded JSON object (record-time fields of an export are ignored)."""
    if not isinstance(obj, dict):
        raise BadInput(line, None, "expected a JSON object, one fact per line")
    kind = obj.get("type")
    if kind is None:
        raise BadInput(line, "type", f"missing (expected one of: {_TYPES})")
    if not isinstance(kind, str) or kind not in ev.EVENT_TYPES:
        raise BadInput(line, "type", f"unknown type (expected one of: {_TYPES})")
    fields = {k: v for k, v in obj.items() if k not in ev.RECORD_TIME_FIELDS}
    try:
        return msgspec.convert(fields, ev.EVENT_TYPES[kind])
    except msgspec.ValidationError as error:
        field, message = explain(kind, error)
        raise BadInput(line, field, message) from None


_LINE = re.compile(rb"([^\r\n]*)(?:\r\n|\r|\n|$)")  # the lines bytes.splitlines gives
_typed = msgspec.json.Decoder(ev.AnyEvent)


def _lines(data: bytes) -> Iterator[tuple[int, bytes]]:
    """Each line with its number, found as it is read (a million lines are not held at once)."""
    for number, match in enumerate(_LINE.finditer(data), start=1):
        yield number, match.group(1)


def json_lines(data: bytes) -> Iterator[tuple[int, object, bytes]]:
    """Each non-blank line's number, decoded JSON value and raw bytes."""
    decoder = msgspec.json.Decoder()
    for number, raw in _lines(data):
        if not raw.strip():
            continue
        yield number, _json(decoder, number, raw), raw


def _json(decoder: msgspec.json.Decoder[Any], number: int, raw: bytes) -> object:
    try:
        return decoder.decode(raw)
    except (msgspec.DecodeError, RecursionError):
        raise BadInput(number, None, "not valid JSON (expected one JSON object)") from None
    except UnicodeDecodeError:
        raise BadInput(number, None, "not UTF-8 text (save the file as UTF-8)") from None


def file_lines(path: Path) -> Iterator[tuple[int, bytes]]:
    """The lines of a file with their numbers, read from disk as they are needed; the same
    lines as ``bytes.splitlines`` of the whole file (a lone CR ends a line too)."""
    number = 0
    with path.open("rb") as file:
        for physical in file:
            for piece in physical.rstrip(b"\n").removesuffix(b"\r").split(b"\r"):
                number += 1
                yield number, piece


def read_jsonl(data: bytes | Iterable[tuple[int, bytes]]) -> Iterator[tuple[int, ev.Event]]:
    """Facts from JSON Lines (the bytes, or numbered lines), each with its line number; blank
    lines are skipped.

    A line is decoded straight into its event; one that will not decode so (an export's line,
    with its record-time fields, or a bad one) is read again as JSON and then as a fact, which
    ignores record-time fields and names what is wrong.
    """
    decoder = msgspec.json.Decoder()
    for number, raw in _lines(data) if isinstance(data, bytes) else data:
        try:
            yield number, _typed.decode(raw)
            continue
        except (msgspec.DecodeError, msgspec.ValidationError, RecursionError, UnicodeDecodeError):
            pass
        if raw.strip():
            yield number, decode_object(_json(decoder, number, raw), number)


# --- a register as a spreadsheet has it (CSV) --------------------------------------------------
#
# A consent register: one row per child and parent or carer (and form). Its columns are found by
# their headings, written as people write them (`Child ref`, `Parent/Carer`, `Form No.`, `Date
# signed`, ...). Which channels a row consents to comes from a Yes/No column beside a `Channel`
# column, or from a Yes/No column per channel (`Closed Group`, `Public Page`); a register with a
# `Channel` column and no Yes/No column is one consent per row, as before. A "No" (or a blank) is
# never a consent: nothing is recorded for it. A column the importer does not understand is an
# error naming it, unless the user says to ignore it. Messages name the line and the column as
# the spreadsheet spells it; they repeat a cell's value only for structured columns (dates, Yes/
# No answers, channels, methods), and only when it is short and cannot be a person's name.


class BadCell(BadInput):
    """A register's bad cell or heading: the line, the column as spelled, what was expected."""

    def __init__(
        self, line: int | None, column: str | None, message: str, field: str | None = None
    ) -> None:
        super().__init__(line, field, message)
        self.column = column
        self.args = (where(line, column, field) + message,)


def where(line: int | None, column: str | None, field: str | None) -> str:
    """``line 3, column `Date signed` (field `on`): `` (each part only if known)."""
    parts = []
    if line is not None:
        parts.append(f"line {line}")
    if column is not None:
        parts.append(
            f"column `{_heading_shown(column)}`" + (f" (field `{field}`)" if field else "")
        )
    elif field is not None:
        parts.append(f"field `{field}`")
    return ", ".join(parts) + (": " if parts else "")


def _heading_shown(heading: str) -> str:
    text = " ".join(heading.split())
    text = "".join(ch if ch.isprintable() else "?" for ch in text)
    return text if len(text) <= 60 else text[:57] + "..."


YES = ("yes", "y", "true", "1", "x", "✓", "✔", "granted", "given")
NO = ("no", "n", "false", "0", "refused", "declined")
YES_NO_FORMS = f"Yes ({', '.join(YES)}) or No ({', '.join(NO)}, or an empty cell); any capitals"
DATE_FORMS = "YYYY-MM-DD, DD/MM/YYYY, D/M/YYYY, DD-MM-YYYY or DD.MM.YYYY"
METHODS = typing.get_args(typing.get_type_hints(ev.ConsentGranted)["method"])
_METHOD_WORDS = {
    "paper": "paper",
    "paper form": "paper",
    "form": "paper",
    "written": "paper",
    "signed form": "paper",
    "email": "email",
    "e mail": "email",
    "app": "app",
    "online": "app",
}

# Each column of a consent register and the headings accepted for it (compared as lower-case
# words: `Parent/Carer ref` is "parent carer ref", `Form No.` is "form no").
HEADINGS: dict[str, tuple[str, ...]] = {
    "child": (
        "child",
        "child ref",
        "child reference",
        "child id",
        "child no",
        "child number",
        "child code",
        "pupil",
        "pupil ref",
    ),
    "guardian": (
        "guardian",
        "guardian ref",
        "guardian reference",
        "guardian id",
        "parent",
        "parent ref",
        "parent reference",
        "parent id",
        "parent carer",
        "parent carer ref",
        "parent carer reference",
        "parent guardian",
        "parent guardian ref",
        "carer",
        "carer ref",
        "signed by",
        "given by",
    ),
    "channel": ("channel", "channel name", "platform", "where"),
    "on": (
        "on",
        "date",
        "signed",
        "date signed",
        "signed on",
        "date given",
        "date of consent",
        "consent date",
        "form date",
        "date received",
    ),
    "evidence": (
        "evidence",
        "form",
        "form ref",
        "form reference",
        "form no",
        "form number",
        "form id",
        "consent form",
        "consent form ref",
        "consent form no",
    ),
    "method": ("method", "how", "how given", "consent method", "method of consent"),
    "expires": ("expires", "expiry", "expiry date", "expires on", "valid until"),
    "withdrawn": ("withdrawn", "consent withdrawn", "withdrawal"),
    "withdrawn_on": (
        "date withdrawn",
        "withdrawn on",
        "withdrawal date",
        "date of withdrawal",
    ),
    # A children register's own columns.
    "start": (
        "start date",
        "started",
        "date started",
        "start",
        "enrolled",
        "date enrolled",
        "enrolment date",
        "enrollment date",
        "date of enrolment",
        "joined",
        "date joined",
        "first day",
    ),
    "child_name": (
        "child name",
        "child s name",
        "childs name",
        "name of child",
        "child full name",
        "full name of child",
    ),
    "guardian_name": (
        "parent name",
        "parent carer name",
        "parent s name",
        "parents name",
        "guardian name",
        "guardian s name",
        "parent guardian name",
        "carer name",
        "name of parent",
        "name of parent carer",
    ),
}
CONSENT_ROLES = frozenset(
    ["channel", "consent", "on", "evidence", "method", "expires", "withdrawn", "withdrawn_on"]
)
CHILDREN_ROLES = frozenset(["start", "child_name", "guardian_name"])
_ROLE_OF = {heading: role for role, headings in HEADINGS.items() for heading in headings}
# A heading to suggest for each column.
EXAMPLE_HEADING = {
    "child": "Child ref",
    "guardian": "Parent/Carer ref",
    "channel": "Channel",
    "on": "Date signed",
    "evidence": "Form No.",
    "method": "Method",
    "start": "Start date",
    "child_name": "Child name",
    "guardian_name": "Parent/Carer name",
}
# What each column is, in messages.
ROLE_TEXT = {
    "child": "the child's reference (C-0001)",
    "guardian": "the parent's or carer's reference (G-0001)",
    "channel": "the channel",
    "on": "the date the form was signed",
    "evidence": "the form's reference (F-17)",
    "method": f"how consent was given ({', '.join(METHODS)})",
    "expires": "the date the consent expires",
    "withdrawn": "whether (Yes/No) or when (a date) consent was withdrawn",
    "withdrawn_on": "the date consent was withdrawn",
    "consent": "the Yes/No answer",
    "start": "the child's start date",
    "child_name": "the child's name",
    "guardian_name": "the parent's or carer's name",
}


def _wordset(words: str) -> frozenset[str]:
    return frozenset(words.split())


# Words of a generic Yes/No consent heading (`Photo Consent`, `Consent given`, `Permission`).
_CONSENT_WORDS = _wordset(
    "consent consents consented permission permissions agreed agree given granted "
    "photo photos photograph photographs photography image images picture pictures "
    "video videos to for of the use on"
)
_CONSENT_KEYS = _wordset(
    "consent consents consented permission permissions agreed agree photo photos "
    "photograph photographs photography image images"
)
# Words that make a heading look like a channel (one of another profile's, or a social network).
_CHANNEL_WORDS = _wordset(
    "page group website web site facebook instagram twitter tiktok youtube whatsapp "
    "blog newsletter social media online account closed public private app"
)
_NAME_WORDS = _wordset("name names surname surnames forename forenames firstname")


def _words(heading: str) -> str:
    return " ".join(re.sub(r"[^0-9a-z]+", " ", heading.lower()).split())


def _shown(value: str) -> str:
    """A structured cell's value, to repeat in a message; or "the cell" if it could be a name
    (any capitalised word: a first name alone is one), is long, or holds characters that are
    not plain. Dates, numbers and lower-case words are repeated."""
    if (
        len(value) <= 24
        and re.fullmatch(r"[\w./:✓✔ -]+", value)
        and not re.search(r"[A-Z][a-z]", value)
    ):
        return f"`{value}`"
    return "the cell"


_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_DMY_DATE = re.compile(r"^(\d{1,2})([/.-])(\d{1,2})\2(\d+)$")
_TIME = re.compile(r"[ T]+\d{1,2}:\d{2}(?::\d{2})?$")  # Excel's "03/09/2025 00:00"


def parse_date(value: str, line: int, column: str, field: str) -> dt.date:
    """A date in one of the forms people write (day first); a clear error otherwise."""
    text = _TIME.sub("", value.strip())
    iso = _ISO_DATE.match(text)
    dmy = _DMY_DATE.match(text)
    if iso:
        year, month, day = (int(g) for g in iso.groups())
    elif dmy:
        day, month = int(dmy.group(1)), int(dmy.group(3))
        digits = dmy.group(4)
        if len(digits) == 2:
            raise BadCell(
                line,
                column,
                f"{_shown(value)} has a two-digit year: write the year in full"
                f" ({day:02}/{month:02}/20{digits}, or {DATE_FORMS})",
                field,
            )
        if len(digits) != 4:
            raise BadCell(
                line, column, f"{_shown(value)} is not a date (expected {DATE_FORMS})", field
            )
        year = int(digits)
    else:
        raise BadCell(line, column, f"{_shown(value)} is not a date (expected {DATE_FORMS})", field)
    try:
        return dt.date(year, month, day)
    except ValueError:
        if not 1 <= month <= 12:
            why = f"there is no month {month}; the day comes first ({DATE_FORMS})"
        elif year < dt.MINYEAR:
            why = f"there is no year {year} ({DATE_FORMS})"
        else:
            days = calendar.monthrange(year, month)[1]
            why = f"{calendar.month_name[month]} {year} has {days} days"
        raise BadCell(
            line, column, f"{_shown(value)} is not a day of the calendar: {why}", field
        ) from None


def parse_answer(value: str, line: int, column: str) -> bool:
    """A Yes/No cell: True for a Yes form, False for a No form or an empty cell."""
    text = value.strip().lower()
    if text in YES:
        return True
    if not text or text in NO:
        return False
    raise BadCell(line, column, f"{_shown(value)} is not a Yes/No answer (expected {YES_NO_FORMS})")


def _is_answer(value: str) -> bool:
    text = value.strip().lower()
    return text in YES or text in NO


@dataclasses.dataclass
class Register:
    """What a register file says: the facts to record, each with its line and the columns its
    fields came from, and how many rows said No (nothing recorded for them)."""

    kind: str
    facts: list[tuple[int, ev.Event]]
    columns: list[dict[str, str]]
    rows: int = 0
    not_consent: int = 0


def _decode_text(data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):  # Excel's "Unicode text"
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            pass
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise BadInput(None, None, "the file is not UTF-8 text (save it as CSV UTF-8)") from None


def _delimiter(text: str) -> str:
    """Commas, semicolons (Excel in much of Europe) or tabs: sniffed from the start of the file,
    and checked against the header line (the heading row is where a separator must be)."""
    sample = text[:16_384]
    first = next((line for line in sample.splitlines() if line.strip()), "")
    try:
        sniffed = csv.Sniffer().sniff(sample, delimiters=",;\t").delimiter
        if sniffed in first:
            return sniffed
    except csv.Error:
        pass
    counts = {sep: first.count(sep) for sep in (",", ";", "\t")}
    best = max(counts, key=lambda sep: counts[sep])
    return best if counts[best] else ","


class _Columns:
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
            listed = ", ".join(f"`{_heading_shown(h)}`" for h in header if h.strip())
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
        words = _words(heading)
        role = _ROLE_OF.get(words)
        if role is None and set(words.split()) & _NAME_WORDS:
            self.names.append(index)  # whose name? an error in either register (see _check)
            return
        if role is None:
            rest = [w for w in words.split() if w not in _CONSENT_WORDS]
            said_consent = bool(set(words.split()) & _CONSENT_KEYS)
            channel = "-".join(rest)
            if channel in self.channels:
                self.per_channel.append((index, channel))
                return
            if not rest and said_consent:
                role = "consent"
            elif set(rest) & _CHANNEL_WORDS or channel in _shipped_channels():
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
                f"this and `{_heading_shown(other)}` both give {ROLE_TEXT[role]}: keep one, or"
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
                f" and a `{_heading_shown(one)}` column: use one or the other",
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


def _channel(value: str, line: int, column: str, channels: Sequence[str]) -> str:
    name = "-".join(_words(value).split())
    if name in channels:
        return name
    what = "empty" if not value.strip() else f"{_shown(value)} is not a channel of this ledger"
    raise BadCell(line, column, f"{what} (expected one of: {', '.join(channels)})", "channel")


def _method(value: str, line: int, column: str) -> str:
    method = _METHOD_WORDS.get(_words(value))
    if method is None:
        what = "empty" if not value.strip() else f"{_shown(value)} is not a method"
        raise BadCell(line, column, f"{what} (expected one of: {', '.join(METHODS)})", "method")
    return method


def read_register(
    data: bytes, channels: Sequence[str], ignore: Collection[str] = (), *, name: str = ".csv"
) -> Register:
    """A register (CSV, or an Excel workbook if ``name`` ends in .xlsx), read whole: its facts,
    or ``BadInput`` for the first bad cell.

    ``channels`` are the ledger's profile's channels; ``ignore`` the headings to leave out.
    """
    if name.lower().endswith(".xlsx"):
        return _read_rows(_xlsx_rows(data), channels, ignore)
    text = _decode_text(data)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    return _read_rows(((reader.line_num, row) for row in _rows(reader)), channels, ignore)


def _read_rows(
    numbered: Iterable[tuple[int, list[str]]], channels: Sequence[str], ignore: Collection[str]
) -> Register:
    rows = iter(numbered)
    header, header_line = None, 1
    for number, row in rows:
        if any(cell.strip() for cell in row):
            header, header_line = row, number
            break
    if header is None:
        raise BadInput(1, None, "the file is empty (expected a header row)")
    columns = _Columns(header, header_line, channels, ignore)
    register = Register(columns.kind, [], [])
    children = _Children()
    for number, row in rows:
        if not any(cell.strip() for cell in row):
            continue
        extra = row[len(header) :]
        if any(cell.strip() for cell in extra):
            raise BadInput(number, None, f"{len(row)} cells but {len(header)} columns")
        for index in columns.unnamed:
            if index < len(row) and row[index].strip():
                raise BadInput(number, None, f"a value in column {index + 1}, which has no heading")
        register.rows += 1
        if columns.kind == "children":
            children.row(register, columns, row, number)
        else:
            _consent_row(register, columns, row, number)
    return register


def _xlsx_cell(value: object) -> str:
    """A workbook cell as the text a CSV export would give (dates as YYYY-MM-DD)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _xlsx_rows(data: bytes) -> Iterator[tuple[int, list[str]]]:
    """The rows of a workbook's sheet, numbered as the spreadsheet numbers them. The register
    must be the only sheet with anything in it (nothing on another sheet is passed over)."""
    import openpyxl

    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        sheets = [
            sheet
            for sheet in book.worksheets
            if any(v is not None for row in sheet.iter_rows(values_only=True) for v in row)
        ]
        if len(sheets) > 1:
            raise BadInput(
                None,
                None,
                f"the workbook has {len(sheets)} sheets with something on them: keep the"
                " register on a sheet of its own, in a workbook of its own",
            )
        if not sheets:
            raise BadInput(1, None, "the workbook is empty (expected a header row)")
        rows = [
            (number, [_xlsx_cell(v) for v in row])
            for number, row in enumerate(sheets[0].iter_rows(values_only=True), start=1)
        ]
        book.close()
    except BadInput:
        raise
    except Exception as exc:  # a damaged file: zipfile's, XML's and openpyxl's errors vary
        raise BadInput(
            None,
            None,
            f"not an Excel workbook that can be read ({type(exc).__name__}); save it again as"
            " .xlsx, or as CSV UTF-8",
        ) from None
    yield from rows


class _Children:
    """A children register's rows: each child enrolled once, each parent linked to each of
    their children once, however many rows say so (and the rows must agree)."""

    def __init__(self) -> None:
        self.enrolled: dict[str, tuple[int, dt.date, str]] = {}  # child: line, start, name
        self.named: dict[str, tuple[int, str]] = {}  # guardian: line, name
        self.linked: set[tuple[str, str]] = set()

    def row(self, register: Register, columns: _Columns, row: list[str], line: int) -> None:
        child = columns.cell(row, "child") or ("", "")
        name = columns.cell(row, "child_name") or ("", "")
        start_column, start_text = columns.cell(row, "start") or ("", "")
        if not start_text:
            raise BadCell(line, start_column, f"empty (expected {DATE_FORMS})", "on")
        start = parse_date(start_text, line, start_column, "on")
        if not name[1]:
            raise BadCell(line, name[0], "empty (expected the child's name)", "name")
        where_from = {"child": child[0], "name": name[0], "on": start_column}
        seen = self.enrolled.get(child[1])
        if seen is None:
            _add(
                register,
                line,
                {
                    "type": "ChildEnrolled",
                    "on": start.isoformat(),
                    "child": child[1],
                    "name": name[1],
                },
                where_from,
            )
            self.enrolled[child[1]] = (line, start, name[1])
        elif seen[1] != start:
            raise BadCell(
                line, start_column, f"not the start date line {seen[0]} gives this child", "on"
            )
        elif seen[2] != name[1]:
            raise BadCell(line, name[0], f"not the name line {seen[0]} gives this child", "name")
        guardian = columns.cell(row, "guardian")
        guardian_name = columns.cell(row, "guardian_name")
        if guardian is None or guardian_name is None:
            return
        if not guardian[1] and not guardian_name[1]:
            return  # a child with no parent on this row
        if not guardian_name[1]:
            raise BadCell(line, guardian_name[0], "empty (expected the parent's or carer's name)")
        named = self.named.get(guardian[1])
        if named is not None and named[1] != guardian_name[1]:
            raise BadCell(
                line, guardian_name[0], f"not the name line {named[0]} gives this parent or carer"
            )
        self.named.setdefault(guardian[1], (line, guardian_name[1]))
        if (guardian[1], child[1]) in self.linked:
            return
        self.linked.add((guardian[1], child[1]))
        _add(
            register,
            line,
            {
                "type": "GuardianLinked",
                "on": start.isoformat(),
                "guardian": guardian[1],
                "name": guardian_name[1],
                "child": child[1],
            },
            {
                "guardian": guardian[0],
                "name": guardian_name[0],
                "child": child[0],
                "on": start_column,
            },
        )


def _consent_row(register: Register, columns: _Columns, row: list[str], line: int) -> None:
    channels = columns.channels
    given: list[tuple[str, str]] = []  # (channel, the column that says so)
    if columns.per_channel:
        for index, channel in columns.per_channel:
            heading = columns.header[index].strip()
            value = row[index] if index < len(row) else ""
            if parse_answer(value, line, heading):
                given.append((channel, heading))
    else:
        heading, value = columns.cell(row, "channel") or ("", "")
        answer = columns.cell(row, "consent")
        if answer is None or parse_answer(answer[1], line, answer[0]):
            given.append((_channel(value, line, heading, channels), heading))
        elif value:
            _channel(value, line, heading, channels)  # a No still names a real channel
    dates: dict[str, tuple[str, dt.date | None]] = {}
    for field in ("on", "expires"):
        found = columns.cell(row, field)
        if found is not None:
            column, value = found
            dates[field] = (column, parse_date(value, line, column, field) if value else None)
    withdrawn = _withdrawal(columns, row, line)
    if not given:
        register.not_consent += 1
        if withdrawn is not None:
            raise BadCell(
                line,
                withdrawn[0],
                "the row says consent was withdrawn, but it gives no consent (every Yes/No"
                " column says No)",
            )
        return
    child = columns.cell(row, "child") or ("", "")
    guardian = columns.cell(row, "guardian") or ("", "")
    evidence = columns.cell(row, "evidence") or ("", "")
    method = columns.cell(row, "method") or ("", "")
    on_column, on = dates["on"]
    if on is None:
        raise BadCell(line, on_column, f"empty (expected the date signed: {DATE_FORMS})", "on")
    if not evidence[1]:
        raise BadCell(line, evidence[0], "empty (expected the form's reference, e.g. F-17)")
    method_value = _method(method[1], line, method[0])
    for channel, channel_column in given:
        where_from = {
            "child": child[0],
            "guardian": guardian[0],
            "channel": channel_column,
            "on": on_column,
            "evidence": evidence[0],
            "method": method[0],
        }
        fact: dict[str, object] = {
            "type": "ConsentGranted",
            "on": on.isoformat(),
            "child": child[1],
            "guardian": guardian[1],
            "channel": channel,
            "evidence": evidence[1],
            "method": method_value,
        }
        expires = dates.get("expires")
        if expires is not None and expires[1] is not None:
            fact["expires"] = expires[1].isoformat()
            where_from["expires"] = expires[0]
        _add(register, line, fact, where_from)
        if withdrawn is not None:
            _add(
                register,
                line,
                {
                    "type": "ConsentWithdrawn",
                    "on": withdrawn[1].isoformat(),
                    "child": child[1],
                    "guardian": guardian[1],
                    "channel": channel,
                },
                where_from | {"on": withdrawn[0]},
            )


def _withdrawal(columns: _Columns, row: list[str], line: int) -> tuple[str, dt.date] | None:
    """The column and date of a withdrawal the row records, if it records one."""
    flag = columns.cell(row, "withdrawn")
    dated = columns.cell(row, "withdrawn_on")
    said: bool | None = None
    when: tuple[str, dt.date] | None = None
    if flag is not None and flag[1]:
        if _is_answer(flag[1]):
            said = parse_answer(flag[1], line, flag[0])
        else:
            when = (flag[0], parse_date(flag[1], line, flag[0], "on"))
    if dated is not None and dated[1]:
        if when is not None:
            raise BadCell(
                line, dated[0], f"a second withdrawal date (`{flag and flag[0]}` has one)", "on"
            )
        when = (dated[0], parse_date(dated[1], line, dated[0], "on"))
    if said is True and when is None:
        assert flag is not None
        if dated is None:
            raise BadCell(
                line,
                flag[0],
                "says Yes, but the register has no column for the date consent was withdrawn"
                " (add one headed `Date withdrawn`)",
            )
        raise BadCell(line, dated[0], f"empty, but `{flag[0]}` says Yes (expected {DATE_FORMS})")
    if said is False and when is not None:
        assert flag is not None
        raise BadCell(
            line, when[0], f"a withdrawal date, but `{flag[0]}` says No (not withdrawn)", "on"
        )
    return when


def _add(
    register: Register, line: int, fact: dict[str, object], where_from: dict[str, str]
) -> None:
    try:
        event = decode_object(fact, line)
    except BadCell:
        raise
    except BadInput as bad:
        column = where_from.get(bad.field or "")
        raise BadCell(line, column, bad.message, bad.field) from None
    register.facts.append((line, event))
    register.columns.append(where_from)


def _rows(reader: Any) -> Iterator[list[str]]:
    """The rows of a CSV reader; a row it cannot read is bad input on its line."""
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error:
            raise BadInput(
                reader.line_num, None, "the row cannot be read (a cell too large, or a stray quote)"
            ) from None
        yield row


def is_register(name: str) -> bool:
    """A spreadsheet's register (CSV, tab-separated, or an Excel workbook), not JSON Lines."""
    return name.lower().endswith((".csv", ".tsv", ".xlsx"))


def stream_file(data: bytes, name: str) -> Iterator[tuple[int, ev.Event]]:
    """The facts of a JSON Lines file as they are read, each with its line."""
    return read_jsonl(data)


def stream_path(path: Path) -> Iterator[tuple[int, ev.Event]]:
    """The facts of a JSON Lines file on disk as they are read from it, each with its line."""
    return read_jsonl(file_lines(path))


def register_help() -> str:
    """The registers' format, for ``ledger import --help`` (made from the tables above, so it
    always says what the reader accepts)."""

    def listed(role: str) -> str:
        return ", ".join(h.replace(" s ", "'s ").capitalize() for h in HEADINGS[role])

    def item(text: str) -> str:
        return textwrap.fill(
            text, 88, initial_indent="  ", subsequent_indent="      ", break_on_hyphens=False
        )

    def para(text: str) -> str:
        return textwrap.fill(text, 88, break_on_hyphens=False)

    out = [
        para(
            "A consent register (.csv or .tsv: commas, semicolons or tabs; UTF-8, with or"
            " without a BOM, or UTF-16; or an Excel workbook, .xlsx, with the register on its"
            " only sheet): one row per child, parent or carer and form. Columns"
            " are found by their headings, whatever the capitals and punctuation (`Parent/Carer"
            ' ref` is read as "parent carer ref"). The headings accepted for each column:'
        )
    ]
    for role in ("child", "guardian", "channel", "on", "evidence", "method", "expires"):
        optional = " (optional)" if role == "expires" else ""
        out.append(item(f"{ROLE_TEXT[role]}{optional}: {listed(role)}"))
    out += [
        "Which channels a row consents to, one of:",
        item(
            "- a Yes/No column per channel, headed with the channel as people write it"
            " (`Closed Group` for closed-group; the channels are the ledger's profile's);"
        ),
        item(
            "- a Channel column beside a Yes/No column headed Photo Consent, Consent, Consent"
            " given, Permission or Photos;"
        ),
        item("- a Channel column alone: every row is a consent given."),
        para(
            f"Yes/No answers: Yes is {', '.join(YES)}; No is {', '.join(NO)}, or an empty cell"
            " (any capitals). A No records nothing: it is never a consent."
        ),
        para(
            f"Withdrawal (optional): a column headed {listed('withdrawn')} holding a date, or"
            f" Yes/No beside a column headed {listed('withdrawn_on')} (a Yes needs the date)."
        ),
        para(
            f"Dates, day first: {DATE_FORMS}. A two-digit year (5/9/26) is refused: write the"
            " year in full."
        ),
        para("No names in a consent register: the ledger keeps them from the enrolment."),
        "",
        para(
            "A children register (enrolments, and links to parents or carers): one row per"
            " child and parent or carer; a child with two parents has two rows and is enrolled"
            " once, on its start date."
        ),
        item(f"the child's reference: {listed('child')}"),
        item(f"the child's name: {listed('child_name')}"),
        item(f"the child's start date: {listed('start')}"),
        item(f"the parent's or carer's reference (optional): {listed('guardian')}"),
        item(f"the parent's or carer's name (with the reference): {listed('guardian_name')}"),
        para(
            "A file with a start date column is a children register; one with the columns of"
            " both registers is refused."
        ),
        "",
        para(
            'Any other column is refused by name, unless --ignore "COLUMN" says to leave it'
            " out. A fact the ledger already holds is not recorded again (the output says"
            " where it is); --dry-run says what would be recorded and writes nothing."
        ),
    ]
    return "\n".join(out)
