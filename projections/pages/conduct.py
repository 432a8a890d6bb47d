"""The friendship exceptions page and the concerns and disciplinary cases page (counts only,
in both editions, for outcomes)."""

from __future__ import annotations

from projections import report
from projections.pages.context import (
    PageContext,
)
from projections.pages.markdown import (
    esc,
    month_,
    plural,
    ref,
    table,
)


def friendships_page(w: PageContext, f: report.FriendshipsReport) -> str:
    """Friendship exceptions in force and staff-parent connections, in figures."""
    out = ["# Friendship exceptions\n", w.stamp()]
    rule = w.rule("connection-without-exception")
    if rule is None:
        out.append(
            "This setting's policy sets no rule on social-media connections between staff"
            " and parents.\n"
        )
    else:
        words = report.EXCEPTION_WORDS.get(f.mode, f.mode)
        out.append(
            f"{esc(rule.says)} Exceptions: {esc(words)}"
            f" ({w.rule_link('connection-without-exception')},"
            f" {w.cites(rule.cite)}).\n"
        )
        out.append(w.quotes(rule.cite))
    out.append("## In figures\n")
    out.append(
        table(
            ["Friendship exceptions and connections", "Number"],
            [
                ["Exceptions in force", f.active_total],
                ["Exceptions granted in all", f.granted_total],
                ["Exceptions ended", f.ended_total],
                ["Staff–parent connections reported", f.connections],
                ["Connections without an exception (findings)", f.connections_flagged],
                ["Of them, still open", f.open],
            ],
            "lr",
        )
    )
    if w.committee and f.active:
        out.append("## Exceptions in force\n")
        out.append(
            table(
                ["Member of staff / parent", "Granted", "Known each other since"],
                [[ref(row.pair), row.granted, row.since] for row in f.active],
            )
        )
        if f.active_total > len(f.active):
            out.append(f"And {f.active_total - len(f.active):,} more.\n")
    return "\n".join(out)


def concerns_page(w: PageContext, c: report.ConcernsReport) -> str:
    """Concerns and disciplinary cases in figures (outcomes as counts only, in both editions)."""
    out = ["# Concerns and disciplinary cases\n", w.stamp()]
    out.append(
        "Concerns are raised with the manager or the designated person and taken up; a breach"
        " of the policy can lead to a disciplinary referral. Outcomes are shown as counts"
        " only, in both editions.\n"
    )
    out.append("## Concerns\n")
    out.append(
        table(
            ["Concerns", "Number"],
            [
                ["Raised", c.concerns],
                [f"Taken up within {plural(c.response_days, 'day')}", c.addressed_in_time],
                ["Taken up late", c.addressed_late],
                ["Not yet taken up, past the limit", c.not_addressed],
                ["Not yet taken up, still within the limit", c.awaiting],
                ["Referred to the manager", c.referred_to_manager],
            ],
            "lr",
        )
    )
    categories = [(k, v) for k, v in c.by_category.items() if v]
    if categories:
        out.append(
            table(
                ["Kind of concern", "Raised"],
                [[esc(k.replace("-", " ")), v] for k, v in categories],
                "lr",
            )
        )
    out.append("## Disciplinary cases\n")
    out.append(
        table(
            ["Cases", "Number"],
            [
                ["Referred", c.cases],
                [f"Decided within {plural(c.decision_days, 'day')}", c.decided_in_time],
                ["Decided late", c.decided_late],
                ["Undecided, past the limit", c.undecided_overdue],
                ["Undecided, still within the limit", c.awaiting_decision],
            ],
            "lr",
        )
    )
    outcomes = [(k, v) for k, v in c.outcomes.items() if v]
    if outcomes:
        out.append(
            table(
                ["Outcome", "Cases"],
                [[esc(k.replace("-", " ")), v] for k, v in outcomes],
                "lr",
            )
        )
    out.append("## Month by month\n")
    recent = [row for row in reversed(c.months)][:12]
    if recent:
        out.append(
            table(
                ["Month", "Concerns raised", "Cases referred"],
                [[month_(m), raised, referred] for m, raised, referred in recent],
                "lrr",
            )
        )
    else:
        out.append("Nothing recorded yet.\n")
    return "\n".join(out)
