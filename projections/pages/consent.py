"""The consent page: coverage on the day judged, and month by month, for each channel."""

from __future__ import annotations

from projections import charts, report
from projections.pages.context import (
    PageContext,
)
from projections.pages.markdown import (
    day_,
    details,
    esc,
    month_,
    percent,
    plural,
    ref,
    table,
)


def consent_page(w: PageContext, coverage: list[report.ChannelCoverage]) -> str:
    """Consent coverage per channel, on the day and over time; who lacks it (committee only)."""
    out = ["# Consent coverage\n", w.stamp()]
    out.append(
        "Consent is given per child and per channel by a parent or carer, and can be"
        " withdrawn at any time; the latest form decides, and a consent with an end date"
        " lapses after it. This page shows how many of the children enrolled each day had"
        " consent in force for each channel.\n"
    )
    with_consent = [c for c in coverage if c.child_images == "consent"]
    never = [c for c in coverage if c.child_images == "never"]
    if not with_consent:
        out.append("No channel of this setting allows images of children.\n")
    else:
        out.append(f"## On {day_(w.day)}\n")
        out.append(
            table(
                ["Channel", "Children enrolled", "With consent", "Share", "Without"],
                [
                    [
                        ref(c.channel),
                        c.enrolled,
                        c.active,
                        percent(c.active, c.enrolled),
                        c.enrolled - c.active,
                    ]
                    for c in with_consent
                ],
                "lrrrr",
            )
        )
        out.append("## Over time\n")
        out.append(coverage_chart(w, with_consent))
        for c in with_consent:
            out.append(f"## {esc(c.channel)}\n")
            out.append(f"{esc(c.says)}\n")
            missing = c.enrolled - c.active
            if w.committee and c.without:
                more = f" and {c.without_more:,} more" if c.without_more else ""
                out.append(
                    f"**Enrolled children without consent for this channel** (do not post"
                    f" images of them here): {', '.join(ref(x) for x in c.without)}{more}.\n"
                )
            elif missing:
                out.append(
                    f"{plural(missing, 'enrolled child has', 'enrolled children have')} no"
                    " consent in force for this channel.\n"
                )
            else:
                out.append("Every enrolled child has consent in force for this channel.\n")
            expiring = len(c.expiring) + c.expiring_more
            if expiring:
                if w.committee:
                    more = f" and {c.expiring_more:,} more" if c.expiring_more else ""
                    out.append(
                        "**Consent ending within 30 days**:"
                        f" {', '.join(ref(x) for x in c.expiring)}{more}.\n"
                    )
                else:
                    out.append(
                        f"{plural(expiring, 'consent ends', 'consents end')} within 30 days.\n"
                    )
            out.append(
                f"In the last {report.PERIOD_MONTHS} months: "
                f"{plural(c.granted_in_period, 'consent form')} received,"
                f" {plural(c.withdrawn_in_period, 'withdrawal')}.\n"
            )
    if never:
        out.append("## Channels that never show children\n")
        for c in never:
            out.append(f"- {ref(c.channel)}: {esc(c.says)}")
        out.append("")
    return "\n".join(out)


def coverage_chart(w: PageContext, channels: list[report.ChannelCoverage]) -> str:
    """The share of enrolled children with consent month by month: a chart and its numbers."""
    if not channels or not channels[0].series:
        return "Nothing recorded yet.\n"
    labels = [p.month for p in channels[0].series]
    alt = (
        "Line chart of the share of enrolled children with consent in force, month by"
        f" month from {month_(labels[0])} to {month_(labels[-1])}: "
        + "; ".join(
            f"{c.channel} {percent(c.series[-1].active, c.series[-1].enrolled)} now"
            for c in channels
        )
        + "."
    )
    chart = charts.monthly(
        "consent-coverage",
        labels,
        [
            (
                c.channel,
                [100 * p.active / p.enrolled if p.enrolled else 0.0 for p in c.series],
            )
            for c in channels
        ],
        alt=alt,
        ylabel="children with consent",
        percent=True,
    )
    headers = ["Month (at its end)", "Enrolled"] + [f"With consent: {c.channel}" for c in channels]
    rows = [
        [month_(labels[i]), channels[0].series[i].enrolled]
        + [
            f"{c.series[i].active:,} ({percent(c.series[i].active, c.series[i].enrolled)})"
            for c in channels
        ]
        for i in range(len(labels) - 1, -1, -1)
    ]
    return (
        w.chart(chart)
        + "\n"
        + details(
            "The numbers behind the chart", table(headers, rows, "l" + "r" * (len(headers) - 1))
        )
    )
