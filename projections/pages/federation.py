"""A federation's site (issue 16): the overview that comes first, across its members.

A federation of settings (or a local authority) builds ONE site: this overview, then each
member's own pages as a setting's site has them (``projections.pages.site_files``), in a folder
of its own (``member_folders``). The overview shows, per member, the same numbers its own pages
show (``projections.sitedata.SiteData``, judged against the member's own profile): its open,
overdue and resolved findings, the oldest open finding's age, and its trend month by month, the
member's own trend chart shown side by side with the others'. The members most overdue come
first.

Pure, as every page is: the members' display names and numbers in, Markdown and CSV out. The
members are named by their display names (settings, never people); no reference is shown, so
the overview is the same in both editions but for the line that says which edition it is.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import unicodedata
from collections.abc import Iterable, Sequence
from typing import Final

import msgspec

from projections import report
from projections.findings import OVERDUE_AFTER_DAYS
from projections.pages.context import Audience
from projections.pages.markdown import day_, esc, figures, month_, plural, table
from projections.sitedata import SiteData

__all__ = [
    "MEMBERS_FILE",
    "OVERDUE_AFTER_DAYS",
    "RESERVED",
    "MemberFigures",
    "federation_page",
    "member_figures",
    "member_folders",
    "members_csv",
    "most_overdue_first",
]

MEMBERS_FILE: Final = "members.csv"  # the overview's figures as a spreadsheet, beside it
# Folder names the site itself uses at its top: a member's folder is never one of them.
RESERVED: Final = frozenset(
    {"assets", "charts", "search", "stylesheets", "javascripts", "overrides", "index", "rules"}
)
# The member's own trend chart (``projections.pages.overview.trend_section``), shown again here.
TREND_CHART: Final = "findings-trend"


class MemberFigures(msgspec.Struct, frozen=True, kw_only=True):
    """One member's line on the overview: the numbers its own pages show."""

    name: str  # the display name the federation file gives
    folder: str  # where its pages are in the site (``member_folders``)
    setting: str | None  # the name its ledger was given at ``init``
    facts: int  # the facts its ledger held (its head checkpoint's size)
    open: int
    overdue: int  # open findings open more than OVERDUE_AFTER_DAYS days
    resolved: int
    oldest_days: int | None  # how long its oldest open finding has been open
    profile: str  # the title of the profile its findings are judged against
    trend: list[report.MonthTrend]
    trend_chart: bool  # whether its own pages drew the trend chart (it had findings to show)


def member_figures(
    name: str, folder: str, data: SiteData, *, facts: int, trend_chart: bool
) -> MemberFigures:
    """A member's figures from its own site's numbers (as its own site build gets them)."""
    o = data.overview
    overdue = sum(1 for f in data.found.open if f.age_days > OVERDUE_AFTER_DAYS)
    return MemberFigures(
        name=name,
        folder=folder,
        setting=data.setting,
        facts=facts,
        open=o.open,
        overdue=overdue,
        resolved=o.resolved,
        oldest_days=o.oldest_open.age_days if o.oldest_open is not None else None,
        profile=o.profile,
        trend=o.trend,
        trend_chart=trend_chart,
    )


def most_overdue_first(members: Iterable[MemberFigures]) -> list[MemberFigures]:
    """The members in the overview's order: the most overdue findings first, then the oldest
    open finding, then the most open, then by name (so the order is always the same)."""
    return sorted(
        members,
        key=lambda m: (-m.overdue, -(m.oldest_days or -1), -m.open, m.name.casefold(), m.name),
    )


def member_folders(names: Sequence[str]) -> list[str]:
    """A folder for each member, from its display name: lower-case letters, digits and
    hyphens (accents dropped), unique in the site ("-2", "-3" after a name already taken) and
    never one of the site's own folders (``RESERVED``)."""
    taken: set[str] = set(RESERVED)
    out: list[str] = []
    for name in names:
        plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
        base = re.sub(r"[^a-z0-9]+", "-", plain.lower()).strip("-")[:60].strip("-") or "member"
        slug, n = base, 1
        while slug in taken:
            n += 1
            slug = f"{base}-{n}"
        taken.add(slug)
        out.append(slug)
    return out


def _edition(audience: Audience) -> str:
    if audience == "committee":
        return "Committee edition: each member's pages show references, names never."
    return "Public edition: counts only, no references and no names."


def federation_page(
    federation: str, members: Sequence[MemberFigures], *, day: dt.date, audience: Audience
) -> str:
    """The federation's overview: its totals, a line per member (most overdue first, each
    linked to its own pages) and each member's trend, side by side."""
    ordered = most_overdue_first(members)
    out = [
        "---\nhide:\n  - toc\n---\n",
        f"# {esc(federation)}\n",
        f"*{len(members)} {'member' if len(members) == 1 else 'members'}, as of {day_(day)}."
        f" {_edition(audience)}*\n",
    ]
    total_open = sum(m.open for m in members)
    total_overdue = sum(m.overdue for m in members)
    out.append(
        figures(
            [
                (f"{len(members):,}", "members"),
                (f"{total_open:,}", "open findings"),
                (f"{total_overdue:,}", f"open more than {OVERDUE_AFTER_DAYS} days"),
                (f"{sum(m.resolved for m in members):,}", "resolved findings"),
                (f"{sum(1 for m in members if m.open):,}", "members with open findings"),
            ]
        )
    )
    out.append(
        "Each member's findings are judged against its own policy, as its own pages show them"
        " (each member is a section of this site, in the menu under its name). A finding is"
        f" counted as **overdue** here once it has been open more than {OVERDUE_AFTER_DAYS}"
        f" days. The figures below are also in [{MEMBERS_FILE}]({MEMBERS_FILE}), a spreadsheet"
        " file.\n"
    )
    out.append("## Members, the most overdue first\n")
    rows = [
        [
            f"[{esc(m.name)}]({m.folder}/index.md)",
            m.open,
            m.overdue,
            m.resolved,
            plural(m.oldest_days, "day") if m.oldest_days is not None else "—",
            f"{m.facts:,}",
            esc(m.profile),
        ]
        for m in ordered
    ]
    out.append(
        table(
            [
                "Member",
                "Open",
                f"Open over {OVERDUE_AFTER_DAYS} days",
                "Resolved",
                "Oldest open",
                "Facts",
                "Judged against",
            ],
            rows,
            "lrrrrrl",
        )
    )
    out.append("## Trends side by side\n")
    out.append(
        "Each member's findings month by month, as on its own overview: bars for the findings"
        " that began and were resolved in each month, a line for those open at its end.\n"
    )
    out.append('<div class="trends" markdown>\n')
    for m in ordered:
        out.append(_trend(m))
    out.append("</div>\n")
    return "\n".join(out)


def _trend(m: MemberFigures) -> str:
    head = f'<div class="trend" markdown>\n\n**[{esc(m.name)}]({m.folder}/index.md)**\n'
    if m.trend_chart and m.trend:
        now = m.trend[-1]
        alt = esc(
            f"{m.name}: findings month by month, {now.open_at_end} open at the end of"
            f" {month_(now.month)}"
        )
        body = "".join(
            f"![{alt}]({m.folder}/charts/{TREND_CHART}-narrow-{scheme}.svg#only-{scheme})"
            "{ .chart .chart--trend }\n"
            for scheme in ("light", "dark")
        )
        last = m.trend[-3:]
        body += "\n" + table(
            ["Month", "Began", "Resolved", "Open at the end"],
            [[month_(x.month), x.opened, x.resolved, x.open_at_end] for x in reversed(last)],
            "lrrr",
        )
    elif m.trend:
        body = "No finding began, was open or was resolved in these months.\n"
    else:
        body = "Nothing recorded yet.\n"
    return head + "\n" + body + "\n</div>\n"


def members_csv(members: Sequence[MemberFigures]) -> str:
    """The overview's figures, a row per member (most overdue first), for a spreadsheet."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(
        [
            "Member",
            "Folder",
            "Open",
            f"Open over {OVERDUE_AFTER_DAYS} days",
            "Resolved",
            "Oldest open (days)",
            "Facts",
            "Judged against",
        ]
    )
    for m in most_overdue_first(members):
        writer.writerow(
            [
                _cell(m.name),
                m.folder,
                m.open,
                m.overdue,
                m.resolved,
                "" if m.oldest_days is None else m.oldest_days,
                m.facts,
                _cell(m.profile),
            ]
        )
    return buffer.getvalue()


def _cell(text: str) -> str:
    """A text cell a spreadsheet never reads as a formula."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
