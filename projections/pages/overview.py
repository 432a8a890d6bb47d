"""The overview (the site's home page) and the printable report: key figures, the open
findings by rule and age, the trend month by month and what changed since the last build."""

from __future__ import annotations

from collections.abc import Sequence

from projections import charts, report
from projections.pages.context import (
    OPEN_PER_RULE_PRINTED,
    PageContext,
)
from projections.pages.findings import open_findings_section
from projections.pages.markdown import (
    cell,
    day_,
    details,
    esc,
    figures,
    month_,
    percent,
    plural,
    ref,
    table,
)
from projections.rules.titles import title


def overview_page(
    w: PageContext,
    o: report.Overview,
    coverage: list[report.ChannelCoverage],
    changes: report.Changes | None,
    head: report.IntegrityReport,
) -> str:
    """The home page: key figures, what changed, the open findings by rule and age, the trend."""
    out = [w.stamp()]
    cards = [
        (f"{o.open:,}", "open findings"),
        (f"{o.resolved:,}", "resolved findings"),
        (f"{o.enrolled:,}", "children enrolled"),
        (f"{o.staff:,}", "staff and volunteers"),
    ]
    for c in coverage:
        if c.child_images == "consent":
            cards.append((percent(c.active, c.enrolled), f"with consent for {c.channel}"))
    cards.append((f"{head.size:,}", "facts in the ledger"))
    out.append(figures(cards))
    policy = f"{esc(o.profile)}, {esc(o.policy)}"
    out.append(
        f"The findings judge the facts against **{policy}** (see"
        " [Policy in force](policy.md)). The full list is on [Findings](findings.md); a"
        " one-page summary to print for meetings is the [Printable report](report.md).\n"
    )
    out.append("## What changed since the last build\n")
    out.append(changes_section(w, changes))
    out.append("## Open findings by rule and age\n")
    shown = [c for c in o.by_rule if c.open or c.resolved]
    if o.open == 0:
        out.append("There are no open findings.\n")
    else:
        with_open = [c for c in o.by_rule if c.open]
        buckets = [label for label, _low, _high in report.AGE_BUCKETS]
        oldest = o.oldest_open
        alt = (
            f"Bar chart of the {plural(o.open, 'open finding')} by rule and by how long they"
            f" have been open: "
            + "; ".join(f"{title(c.rule)} ({c.rule}) {c.open}" for c in with_open)
            + (f". The oldest has been open {plural(oldest.age_days, 'day')}." if oldest else "")
        )
        out.append(
            w.chart(
                charts.stacked_bars(
                    "findings-by-rule-and-age",
                    [c.rule for c in with_open],
                    [
                        (bucket, [c.by_age[i] for c in with_open])
                        for i, bucket in enumerate(buckets)
                    ],
                    alt=alt,
                    xlabel="open findings",
                )
            )
        )
    rows = [[w.rule_link(c.rule), c.open, *c.by_age, c.resolved] for c in (shown or o.by_rule)]
    out.append(
        table(
            [
                "Rule",
                "Open",
                *(label.capitalize() for label, _l, _h in report.AGE_BUCKETS),
                "Resolved",
            ],
            rows,
            "lrrrrrr",
        )
    )
    if shown and len(shown) < len(o.by_rule):
        quiet = [c.rule for c in o.by_rule if not (c.open or c.resolved)]
        out.append("No finding yet under: " + ", ".join(w.rule_link(r) for r in quiet) + ".\n")
    out.append("## Trend over months\n")
    out.append(trend_section(w, o.trend))
    return "\n".join(out)


def trend_section(w: PageContext, trend: list[report.MonthTrend]) -> str:
    """Findings begun, resolved and open month by month: a chart and its numbers."""
    if not trend:
        return "Nothing recorded yet.\n"
    if not any(m.opened or m.resolved or m.open_at_end for m in trend):
        return (
            f"No finding began, was open or was resolved from {month_(trend[0].month)} to"
            f" {month_(trend[-1].month)}.\n"
        )
    now = trend[-1]
    peak = max(trend, key=lambda m: m.open_at_end)
    alt = (
        f"Line chart of findings month by month from {month_(trend[0].month)} to"
        f" {month_(now.month)}: bars for the findings that began and were resolved in each"
        f" month, and a line for those open at its end ({now.open_at_end} now, at most"
        f" {peak.open_at_end} in {month_(peak.month)})."
    )
    chart = charts.monthly(
        "findings-trend",
        [m.month for m in trend],
        [
            ("began", [m.opened for m in trend]),
            ("resolved", [m.resolved for m in trend]),
        ],
        alt=alt,
        ylabel="findings",
        kind="grouped",
        line=("open at the month's end", [m.open_at_end for m in trend]),
    )
    rows = [[month_(m.month), m.opened, m.resolved, m.open_at_end] for m in reversed(trend)]
    return (
        w.chart(chart)
        + "\n"
        + details(
            "The numbers behind the chart",
            table(["Month", "Began", "Resolved", "Open at the end"], rows, "lrrr"),
        )
    )


def changes_section(w: PageContext, c: report.Changes | None) -> str:
    """What changed since the previous build into the same folder (references: committee only)."""
    if c is None:
        return (
            "This is the first build of the site in this folder, so there is nothing to"
            " compare with yet. The next build into the same folder will list what changed.\n"
        )
    out: list[str] = []
    if c.new_facts < 0:
        return (
            f"The previous build here (as of {day_(c.previous_day)}) was of a different or"
            " larger ledger, so it cannot be compared with this one.\n"
        )
    recorded = (
        "no fact was recorded"
        if c.new_facts == 0
        else f"{plural(c.new_facts, 'fact was', 'facts were')} recorded"
    )
    out.append(f"Since the previous build (as of {day_(c.previous_day)}), {recorded}.\n")
    if c.compared_findings and w.committee:
        if c.opened:
            out.append("**New open findings** (or findings open again):\n")
            out.append(_keys(w, c.opened))
        if c.closed:
            out.append("**No longer open** (resolved, or judged as of an earlier day):\n")
            out.append(_keys(w, c.closed))
    if c.by_rule:
        out.append(
            table(
                ["Rule", "Open then", "Open now"],
                [[w.rule_link(x.label), x.before, x.now] for x in c.by_rule],
                "lrr",
            )
        )
    if c.figures:
        out.append(
            table(
                ["Figure", "Then", "Now"],
                [[esc(x.label), x.before, x.now] for x in c.figures],
                "lrr",
            )
        )
    if not (c.by_rule or c.figures or c.opened or c.closed):
        out.append("No open finding and no key figure changed.\n")
    return "\n".join(out)


def _keys(w: PageContext, keys: Sequence[str]) -> str:
    """ "rule subject" keys as a bounded list of links."""
    shown = keys[: report.LIST_LIMIT]
    lines = []
    for key in shown:
        rule, _, subject = key.partition(" ")
        lines.append(f"- {w.rule_link(rule)}: {ref(subject)}")
    if len(keys) > len(shown):
        lines.append(f"- and {len(keys) - len(shown):,} more")
    return "\n".join(lines) + "\n"


def printable_page(
    w: PageContext,
    period: report.PeriodReport,
    o: report.Overview,
    found: report.FindingsReport,
    coverage: list[report.ChannelCoverage],
    group: report.GroupReport,
    policy: report.PolicyReport,
    changes: report.Changes | None,
    head: report.IntegrityReport,
) -> str:
    """One page to print for a meeting: the period's figures, where things stand, the open
    findings, what changed, and the ledger's signed root."""
    title = "Committee report" if w.committee else "Summary report"
    out = ["---\nhide:\n  - toc\n---\n", f"# {title}\n", w.stamp()]
    out.append(
        '<p class="print-hide"><em>To print it, use your browser\'s Print command: the menus'
        " and search are left out of the printout.</em></p>\n"
    )
    out.append(f"## The period: {day_(period.start)} to {day_(period.end)}\n")
    out.append(figures([(cell(f.value), f.label) for f in period.figures]))
    out.append(f"## Where things stand on {day_(w.day)}\n")
    rows: list[list[object]] = [["Open findings", o.open]]
    for c in coverage:
        if c.child_images == "consent":
            rows.append(
                [
                    f"Children with consent for {esc(c.channel)}",
                    f"{c.active:,} of {c.enrolled:,} ({percent(c.active, c.enrolled)})",
                ]
            )
    if group.channel is not None:
        rows.append([f"Members of the group ({esc(group.channel)})", group.members])
        rows.append(
            [
                "Group administrators",
                f"{len(group.admins)} (the policy needs {group.min_admins})",
            ]
        )
        overdue = sum(1 for leaver in group.leavers_due if leaver.overdue)
        rows.append(["Leavers' parents still in the group", f"{group.leavers} ({overdue} overdue)"])
    rows.append(["Policy last adopted or reviewed", day_(policy.last_review)])
    if policy.next_review_due is not None:
        rows.append(["Next review due", day_(policy.next_review_due)])
    out.append(table(["Figure", f"On {day_(w.day)}"], rows, "lr"))
    out.append("## Open findings\n")
    out.append(open_findings_section(w, found.open, quote=False, per_rule=OPEN_PER_RULE_PRINTED))
    out.append("## Since the last build\n")
    out.append(changes_section(w, changes))
    out.append("## The ledger at this build\n")
    out.append(
        f"The ledger held {plural(head.size, 'fact')} (checkpoint {head.checkpoints:,},"
        f" signed {day_(head.signed_at.date())}; see [Integrity](integrity.md) for how to"
        " check it). The root of its signed tree:\n"
    )
    out.append(f"```text\n{head.root}\n```\n")
    return "\n".join(out)
