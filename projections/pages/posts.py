"""The posts page (by channel, the checks, month by month) and the removals page (why, and
how negative or inappropriate posts were followed up)."""

from __future__ import annotations

from projections import charts, report
from projections.pages.context import (
    PageContext,
)
from projections.pages.markdown import (
    dated,
    day_,
    details,
    esc,
    figures,
    month_,
    plural,
    ref,
    table,
)


def posts_page(w: PageContext, p: report.PostsReport) -> str:
    """Posts by channel, the checks they passed or failed, and posts month by month."""
    out = ["# Posts and their checks\n", w.stamp()]
    out.append(
        "Every post about the setting is recorded with its channel, its author and the"
        " children it shows, and checked against the policy: is there consent for each child"
        " on that channel, may the author post there, was it taken on a setting device? Staff"
        " can ask the same question before posting (`ledger check post`).\n"
    )
    out.append(
        figures(
            [
                (f"{p.total:,}", "posts in all"),
                (f"{p.in_period:,}", f"in the last {report.PERIOD_MONTHS} months"),
                (f"{sum(c.flagged for c in p.channels):,}", "posts with a finding"),
                (f"{sum(c.live_flagged for c in p.channels):,}", "with an open finding"),
            ]
        )
    )
    out.append("## By channel\n")
    out.append(
        table(
            [
                "Channel",
                "Who may post",
                "Images of children",
                "Posts",
                "Showing children",
                "With a finding",
            ],
            [
                [
                    ref(c.channel),
                    esc(report.posters_in_words(c.posters)),
                    report.images_in_words(c.child_images),
                    c.total,
                    c.depicting,
                    c.flagged,
                ]
                for c in p.channels
            ],
            "lllrrr",
        )
    )
    out.append("## The checks\n")
    out.append(
        table(
            ["Check", "Posts it applies to", "Posts that failed", "Still open", "Policy"],
            [
                [
                    w.rule_link(c.rule),
                    "after posting" if c.checked is None else c.checked,
                    c.failed,
                    c.open,
                    w.rule_cites(c.rule),
                ]
                for c in p.checks
            ],
            "lrrrl",
        )
    )
    out.append("## Posts month by month\n")
    if p.months:
        channels = [c.channel for c in p.channels if c.total]
        labels = [m.month for m in p.months]
        busiest = max(p.months, key=lambda m: sum(m.by_channel.values()))
        alt = (
            f"Bar chart of posts per month from {month_(labels[0])} to {month_(labels[-1])},"
            " stacked by channel; the busiest month was {month_(busiest.month)} with"
            f" {plural(sum(busiest.by_channel.values()), 'post')}."
        )
        chart = charts.monthly(
            "posts-per-month",
            labels,
            [(c, [m.by_channel.get(c, 0) for m in p.months]) for c in channels],
            alt=alt,
            ylabel="posts",
            kind="stacked",
        )
        rows = [
            [month_(m.month), *(m.by_channel.get(c, 0) for c in channels), m.flagged]
            for m in reversed(p.months)
        ]
        out.append(w.chart(chart))
        out.append(
            details(
                "The numbers behind the chart",
                table(
                    ["Month", *channels, "With a finding"],
                    rows,
                    "l" + "r" * (len(channels) + 1),
                ),
            )
        )
    else:
        out.append("Nothing recorded yet.\n")
    if w.committee and p.recent_flagged:
        out.append(f"## The {len(p.recent_flagged)} most recent findings about posts\n")
        out.append(
            table(
                ["Rule", "Post", "Since", "Status", "What happened"],
                [
                    [
                        w.rule_link(f.rule),
                        ref(f.subject),
                        f.since,
                        f.status if f.status == "open" else f"resolved {day_(f.resolved_on)}",
                        dated(f.detail),
                    ]
                    for f in p.recent_flagged
                ],
            )
        )
    return "\n".join(out)


def removals_page(w: PageContext, rm: report.RemovalsReport) -> str:
    """Why posts were removed, and how removals were followed up and taken down in time."""
    out = ["# Removals and their follow-ups\n", w.stamp()]
    out.append(
        f"{plural(rm.total, 'post has', 'posts have')} been removed in all,"
        f" {rm.in_period:,} in the last {report.PERIOD_MONTHS} months.\n"
    )
    out.append("## Why posts were removed\n")
    reasons = {
        "negative-discussion": "negative discussion",
        "inappropriate": "inappropriate",
        "consent-withdrawn": "consent withdrawn",
        "breach": "breach of the policy",
        "other": "other",
    }
    out.append(
        table(
            ["Reason", "Posts removed"],
            [[reasons.get(k, esc(k)), v] for k, v in rm.by_reason.items()],
            "lr",
        )
    )
    if w.profile.is_on("removal-follow-up-overdue"):
        out.append("## Follow-up of negative or inappropriate posts\n")
        out.append(
            "When a negative or inappropriate post is taken down, the person who posted it is"
            " told why and the matter is passed to the manager, both within"
            f" {plural(rm.follow_up_days, 'day')} (see"
            f" {w.rule_link('removal-follow-up-overdue')},"
            f" {w.rule_cites('removal-follow-up-overdue')}).\n"
        )
        out.append(
            table(
                ["Follow-up", "Removals"],
                [
                    ["Needed", rm.follow_up_needed],
                    ["Done in time", rm.follow_up_in_time],
                    ["Done, but late", rm.follow_up_late],
                    ["Overdue, not yet done", rm.follow_up_overdue],
                    ["Not yet done, still within the limit", rm.follow_up_pending],
                ],
                "lr",
            )
        )
    if w.profile.is_on("withdrawn-consent-post-live"):
        out.append("## Taking posts down after consent is withdrawn\n")
        out.append(
            f"Posts not taken down in time after a parent withdrew consent"
            f" ({w.rule_link('withdrawn-consent-post-live')}): {rm.takedowns_late:,} in"
            f" all, {rm.takedowns_late_open:,} still up.\n"
        )
    out.append("## Removals month by month\n")
    recent_months = [(m, n) for m, n in reversed(rm.months)][:12]
    if recent_months:
        out.append(
            table(["Month", "Posts removed"], [[month_(m), n] for m, n in recent_months], "lr")
        )
    else:
        out.append("Nothing recorded yet.\n")
    if w.committee:
        for title, rows in (
            (
                "Removals that needed a follow-up, most recent first",
                rm.recent_follow_ups,
            ),
            (f"The {len(rm.recent)} most recent removals", rm.recent),
        ):
            if not rows:
                continue
            out.append(f"## {title}\n")
            out.append(
                table(
                    ["Post", "Channel", "Published", "Removed", "Reason", "Follow-up"],
                    [
                        [
                            ref(row.post),
                            ref(row.channel),
                            row.published,
                            row.removed,
                            reasons.get(row.reason, esc(row.reason)),
                            esc(row.follow_up),
                        ]
                        for row in rows
                    ],
                )
            )
    return "\n".join(out)
