"""Reading a register as a spreadsheet has it (CSV, tab-separated, or an Excel workbook) into
the facts it records.

A consent register: one row per child and parent or carer (and form). Its columns are found by
their headings, written as people write them (`Child ref`, `Parent/Carer`, `Form No.`, `Date
signed`, ...). Which channels a row consents to comes from a Yes/No column beside a `Channel`
column, or from a Yes/No column per channel (`Closed Group`, `Public Page`); a register with a
`Channel` column and no Yes/No column is one consent per row, as before. A "No" (or a blank) is
never a consent: nothing is recorded for it. A column the importer does not understand is an
error naming it, unless the user says to ignore it. Messages name the line and the column as
the spreadsheet spells it; they repeat a cell's value only for structured columns (dates, Yes/
No answers, channels, methods), and only when it is short and cannot be a person's name.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
from collections.abc import Collection, Iterable, Iterator, Sequence
from typing import Any

from ledger import events as ev
from ledger.importer.cells import is_answer, parse_answer, parse_channel, parse_date, parse_method
from ledger.importer.columns import Columns
from ledger.importer.errors import BadCell, BadInput
from ledger.importer.headings import DATE_FORMS
from ledger.importer.jsonlines import decode_object
from ledger.importer.ods import ods_rows
from ledger.importer.xlsx import xlsx_rows


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


def read_register(
    data: bytes, channels: Sequence[str], ignore: Collection[str] = (), *, name: str = ".csv"
) -> Register:
    """A register (CSV; an Excel workbook if ``name`` ends in .xlsx, an OpenDocument
    spreadsheet if in .ods), read whole: its facts,
    or ``BadInput`` for the first bad cell.

    ``channels`` are the ledger's profile's channels; ``ignore`` the headings to leave out.
    """
    if name.lower().endswith(".xlsx"):
        return _read_rows(xlsx_rows(data), channels, ignore)
    if name.lower().endswith(".ods"):
        return _read_rows(ods_rows(data), channels, ignore)
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
    columns = Columns(header, header_line, channels, ignore)
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


class _Children:
    """A children register's rows: each child enrolled once, each parent linked to each of
    their children once, however many rows say so (and the rows must agree)."""

    def __init__(self) -> None:
        self.enrolled: dict[str, tuple[int, dt.date, str]] = {}  # child: line, start, name
        self.named: dict[str, tuple[int, str]] = {}  # guardian: line, name
        self.linked: set[tuple[str, str]] = set()

    def row(self, register: Register, columns: Columns, row: list[str], line: int) -> None:
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


def _consent_row(register: Register, columns: Columns, row: list[str], line: int) -> None:
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
            given.append((parse_channel(value, line, heading, channels), heading))
        elif value:
            parse_channel(value, line, heading, channels)  # a No still names a real channel
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
    method_value = parse_method(method[1], line, method[0])
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


def _withdrawal(columns: Columns, row: list[str], line: int) -> tuple[str, dt.date] | None:
    """The column and date of a withdrawal the row records, if it records one."""
    flag = columns.cell(row, "withdrawn")
    dated = columns.cell(row, "withdrawn_on")
    said: bool | None = None
    when: tuple[str, dt.date] | None = None
    if flag is not None and flag[1]:
        if is_answer(flag[1]):
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
    """A spreadsheet's register (CSV, tab-separated, an Excel workbook or an OpenDocument
    spreadsheet), not JSON Lines."""
    return name.lower().endswith((".csv", ".tsv", ".xlsx", ".ods"))
