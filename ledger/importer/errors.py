"""What is wrong with an input file: ``BadInput`` names the line and the field, ``BadCell``
also the register's column as the spreadsheet spells it.

Messages never repeat a value from the input (it might be a name): only references that have
already matched their pattern, field names, headings and the expected form.
"""

from __future__ import annotations


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
        parts.append(f"column `{heading_shown(column)}`" + (f" (field `{field}`)" if field else ""))
    elif field is not None:
        parts.append(f"field `{field}`")
    return ", ".join(parts) + (": " if parts else "")


def heading_shown(heading: str) -> str:
    """A heading as a message shows it: spaces collapsed, unprintable characters as ``?``,
    cut at 60 characters."""
    text = " ".join(heading.split())
    text = "".join(ch if ch.isprintable() else "?" for ch in text)
    return text if len(text) <= 60 else text[:57] + "..."
