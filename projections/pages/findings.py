"""The findings page: the open findings (counted, or listed oldest first up to a limit per
rule), what the policy says for them, and the resolved ones; and every open finding as a
spreadsheet file (committee edition)."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from projections import report
from projections.pages.context import (
    OPEN_FILE,
    OPEN_PER_RULE,
    PageContext,
)
from projections.pages.markdown import (
    dated,
    day_,
    esc,
    month_,
    plural,
    ref,
    resolution_words,
    table,
)


def open_findings_section(
    w: PageContext,
    rows: Sequence[report.FindingRow],
    *,
    quote: bool = True,
    per_rule: int = OPEN_PER_RULE,
) -> str:
    """The open findings: counts by rule (public), or the oldest of each rule (committee).

    A page stays readable, and quick to build, however many findings are open: each rule
    lists its ``per_rule`` oldest and the rest are counted, with where to find them all.
    """
    if not rows:
        return "There are no open findings.\n"
    if not w.committee:
        counts: dict[str, int] = {}
        oldest: dict[str, int] = {}
        for f in rows:
            counts[f.rule] = counts.get(f.rule, 0) + 1
            oldest[f.rule] = max(oldest.get(f.rule, 0), f.age_days)
        body = table(
            ["Rule", "Open", "Oldest (days open)", "Policy"],
            [
                [w.rule_link(rule), n, oldest[rule], w.rule_cites(rule)]
                for rule, n in counts.items()
            ],
            "lrrl",
        )
        return body + ("\n" + policy_says(w, rows) if quote else "")
    headers = ["Rule", "Subject", "Since", "What happened"]
    if quote:
        headers.append("Policy")
    shown, left_out = oldest_per_rule(rows, per_rule)
    body = table(
        headers,
        [
            [
                w.rule_link(f.rule),
                ref(f.subject),
                f"{day_(f.since)} ({plural(f.age_days, 'day')})",
                dated(f.detail),
                w.rule_cites(f.rule),
            ][: len(headers)]
            for f in shown
        ],
    )
    if left_out:
        body += (
            f"\n{plural(left_out, 'more open finding is', 'more open findings are')} not"
            f" listed here: each rule lists its {per_rule} oldest (the counts by rule are on"
            f" the [overview](index.md)). Every open finding is in [{OPEN_FILE}]({OPEN_FILE}),"
            " a spreadsheet file, and `ledger findings` lists them.\n"
        )
    return body + ("\n" + policy_says(w, rows) if quote else "")


def policy_says(w: PageContext, rows: Sequence[report.FindingRow]) -> str:
    """What the policy says for the rules of these findings (in its own words too, when the
    setting supplied its text)."""
    parts = ["### What the policy says\n"]
    for rule in dict.fromkeys(f.rule for f in rows):
        setting = w.rule(rule)
        if setting is None:
            continue
        parts.append(f"**{w.rule_link(rule)}**: {esc(setting.says)}\n")
        parts.append(w.quotes(setting.cite))
    return "\n".join(parts)


def findings_page(w: PageContext, found: report.FindingsReport, o: report.Overview) -> str:
    """Every open finding (bounded per rule) and the resolved ones month by month."""
    out = ["# Findings\n", w.stamp()]
    out.append(
        "A finding is something the facts show did not follow the setting's policy. Each"
        " rule links to how it is judged; *Policy* gives the lines of the setting's own"
        f" policy it comes from. {w.source_note()}\n"
    )
    out.append(f"## Open findings ({o.open:,})\n")
    out.append(open_findings_section(w, found.open))
    out.append(f"## Resolved findings ({found.resolved_total:,})\n")
    if found.acknowledged_total:
        out.append(
            f"{plural(found.acknowledged_total, 'finding was', 'findings were')} resolved by"
            " the committee's acknowledgement (something that could not be undone, and what"
            " was done about it).\n"
        )
    months_with = [m for m in found.resolved_by_month if m.count]
    if months_with:
        out.append("### Month by month\n")
        out.append(
            table(
                ["Month", "Resolved", "Under which rules"],
                [
                    [
                        month_(m.month),
                        m.count,
                        ", ".join(f"{w.rule_link(rule)} ({n})" for rule, n in m.by_rule.items()),
                    ]
                    for m in months_with
                ],
                "lrl",
            )
        )
        if found.resolved_earlier:
            out.append(
                f"Before {month_(found.resolved_by_month[-1].month)}:"
                f" {plural(found.resolved_earlier, 'finding')} resolved.\n"
            )
    elif found.resolved_total == 0:
        out.append("No finding has been resolved yet.\n")
    if w.committee and found.recent_resolved:
        out.append(f"### The {len(found.recent_resolved)} most recently resolved\n")
        out.append(
            table(
                ["Rule", "Subject", "Since", "Resolved", "How", "What happened"],
                [
                    [
                        w.rule_link(f.rule),
                        ref(f.subject),
                        f.since,
                        f.resolved_on,
                        resolution_words(f.resolution),
                        dated(f.detail),
                    ]
                    for f in found.recent_resolved
                ],
            )
        )
    return "\n".join(out)


def open_findings_csv(rows: Sequence[report.FindingRow]) -> str:
    """Every open finding, oldest first, as a spreadsheet file: references, never names.

    A cell a spreadsheet would take for a formula (one starting with = + - @) is prefixed with
    an apostrophe, so that opening the file never runs anything.
    """
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["rule", "subject", "since", "days open", "what happened"])
    for f in rows:
        cells = [f.rule, f.subject, f.since.isoformat(), str(f.age_days), f.detail]
        writer.writerow(["'" + c if c[:1] in ("=", "+", "-", "@") else c for c in cells])
    return out.getvalue()


def oldest_per_rule(
    rows: Sequence[report.FindingRow], limit: int
) -> tuple[list[report.FindingRow], int]:
    """The first ``limit`` rows of each rule (in the order given), and how many were left out."""
    taken: dict[str, int] = {}
    shown: list[report.FindingRow] = []
    for f in rows:
        if taken.get(f.rule, 0) < limit:
            taken[f.rule] = taken.get(f.rule, 0) + 1
            shown.append(f)
    return shown, len(rows) - len(shown)
