"""Markdown for the site's pages: escaping, dates, tables, figures and folded blocks.

Text shown as it is goes through ``esc``: the projections' data carry references, rule names
and details the rules wrote, never names, and nothing is trusted to be free of Markdown or HTML.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from collections.abc import Iterable, Sequence
from typing import Final

# --- Markdown helpers -------------------------------------------------------------------------

_MONTHS: Final = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]
_ESCAPE: Final = re.compile(r"([\\`*_\[\]{}>|#!])")
_NUMBERED: Final = re.compile(r"^(\d+)([.)])")
_BULLET: Final = re.compile(r"^([-+])")


def esc(text: str) -> str:
    """Text shown as it is, on one line: HTML characters as entities, Markdown ones escaped
    (a leading "-", "+" or "1." would otherwise start a list)."""
    flat = " ".join(str(text).split()).replace("&", "&amp;").replace("<", "&lt;")
    flat = _NUMBERED.sub(r"\1\\\2", _ESCAPE.sub(r"\\\1", flat))
    return _BULLET.sub(r"\\\1", flat)


def day_(d: dt.date | None) -> str:
    return "—" if d is None else f"{d.day} {_MONTHS[d.month - 1]} {d.year}"


_ISO_DAY: Final = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")


def dated(text: str) -> str:
    """Text a rule wrote (a finding's detail), shown as it is (``esc``) but with its ISO days in
    words ("referred on 14 February 2026"); the spreadsheet download keeps the text as written."""

    def words(found: re.Match[str]) -> str:
        try:
            return day_(dt.date(int(found[1]), int(found[2]), int(found[3])))
        except ValueError:
            return found[0]

    return esc(_ISO_DAY.sub(words, text))


def moment_(t: dt.datetime) -> str:
    """A time in words, in UTC: "31 March 2026 at 12:00 UTC" (a time without a zone is taken
    as UTC, as the ledger records them)."""
    utc = t.astimezone(dt.UTC) if t.tzinfo else t
    return f"{day_(utc.date())} at {utc:%H:%M} UTC"


def month_(label: str) -> str:
    year, month = label.split("-")
    return f"{_MONTHS[int(month) - 1]} {year}"


def ref(text: str) -> str:
    return f"`{text}`"


def plural(n: int, one: str, many: str | None = None) -> str:
    return f"{n:,} {one if n == 1 else (many or one + 's')}"


def percent(part: int, whole: int) -> str:
    return "—" if whole == 0 else f"{round(100 * part / whole)}%"


def table(headers: Sequence[str], rows: Iterable[Sequence[object]], numeric: str = "") -> str:
    """A Markdown table; ``numeric`` marks right-aligned columns with "r" (e.g. "lrr")."""
    align = [":--" if (numeric[i : i + 1] or "l") == "l" else "--:" for i in range(len(headers))]
    lines = ["| " + " | ".join(headers) + " |", "| " + " | ".join(align) + " |"]
    for row in rows:
        lines.append("| " + " | ".join(cell(c) for c in row) + " |")
    return "\n".join(lines) + "\n"


def cell(value: object) -> str:
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    if isinstance(value, dt.date):
        return day_(value)
    text = str(value)
    return text if text else " "


def details(title: str, body: str, *, kind: str = "info") -> str:
    """A block the reader opens (Material's collapsible admonition)."""
    inner = "\n".join(("    " + line) if line else "" for line in body.rstrip().split("\n"))
    return f'??? {kind} "{title}"\n\n{inner}\n'


def bullets(rows: Sequence[Sequence[str]]) -> str:
    """Label and value pairs as a list."""
    return "\n".join(f"- **{label}:** {value}" for label, value in rows) + "\n"


def figures(items: Sequence[tuple[str, str]]) -> str:
    """Key figures as small cards (plain HTML, text only)."""
    cards = "".join(
        f'<div class="figure"><strong>{html.escape(value)}</strong>'
        f"<span>{html.escape(label)}</span></div>"
        for value, label in items
    )
    return f'<div class="figures">{cards}</div>\n'


RESOLUTION_WORDS: Final[dict[str, str]] = {
    "PostRemoved": "post removed",
    "FindingAcknowledged": "acknowledged by the committee",
    "ConcernAddressed": "concern taken up",
    "DisciplinaryDecided": "decision made",
    "MemberRemoved": "removed from the group",
    "PolicyReviewed": "policy reviewed",
    "PolicyAdopted": "new policy adopted",
    "PosterContacted": "poster contacted (after the referral)",
    "ReferredToManager": "referred to the manager (after the contact)",
    "FriendshipExceptionGranted": "exception granted",
    "ChildLeft": "the children left",
    "eligible": "became eligible",
}


def resolution_words(kind: str | None) -> str:
    if kind is None:
        return ""
    if kind in RESOLUTION_WORDS:
        return RESOLUTION_WORDS[kind]
    return re.sub(r"(?<!^)([A-Z])", r" \1", kind).lower()


def parse_cite(cite: str) -> tuple[str, int, int]:
    file, _, lines = cite.rpartition(":")
    first, _, last = lines.partition("-")
    return file, int(first), int(last or first)
