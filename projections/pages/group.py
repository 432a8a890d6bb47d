"""The closed group's page: members and eligibility, administrators, leavers due for removal
and the members over time."""

from __future__ import annotations

from projections import charts, report
from projections.pages.context import (
    PageContext,
)
from projections.pages.markdown import (
    day_,
    details,
    esc,
    figures,
    month_,
    plural,
    ref,
    table,
)


def group_page(w: PageContext, g: report.GroupReport) -> str:
    """The closed group: members and eligibility, administrators, leavers due, members over time."""
    out = ["# The closed group\n", w.stamp()]
    if g.channel is None:
        out.append(
            "This setting's policy has no closed group for parents, so there is nothing to"
            " show here.\n"
        )
        return "\n".join(out)
    out.append(f"The group is the channel {ref(g.channel)}. {esc(g.says)}\n")
    out.append(
        figures(
            [
                (f"{g.members:,}", "members"),
                (f"{len(g.admins):,}", f"administrators (needs {g.min_admins})"),
                (f"{g.leavers:,}", "leavers' parents still in"),
                (f"{len(g.ineligible) + g.ineligible_more:,}", "not eligible"),
            ]
        )
    )
    out.append("## Members and eligibility\n")
    out.append(
        table(
            ["Members", "Number"],
            [
                ["Parents and carers of a child enrolled now", g.guardians_enrolled],
                [
                    "Staff, volunteers, students and committee at the setting now",
                    g.people_current,
                ],
                ["Parents and carers whose children have all left", g.leavers],
                [
                    "Not eligible (see " + w.rule_link("ineligible-member") + ")",
                    len(g.ineligible) + g.ineligible_more,
                ],
                ["**All members**", g.members],
            ],
            "lr",
        )
    )
    if w.committee and g.ineligible:
        more = f" and {g.ineligible_more:,} more" if g.ineligible_more else ""
        out.append(f"**Not eligible**: {', '.join(ref(x) for x in g.ineligible)}{more}.\n")
    out.append("## Administrators\n")
    if len(g.admins) < g.min_admins:
        out.append(
            f'!!! warning "Fewer administrators than the policy needs"\n\n'
            f"    The group has {len(g.admins)} and the policy needs {g.min_admins}"
            f" ({w.rule_link('too-few-admins')}).\n"
        )
    if w.committee:
        names = ", ".join(ref(a) for a in g.admins) if g.admins else "none"
        out.append(f"Current administrators: {names}.\n")
    else:
        out.append(
            f"The group has {plural(len(g.admins), 'administrator')}; the policy needs"
            f" {g.min_admins}.\n"
        )
    out.append("## Leavers due for removal\n")
    out.append(
        "Parents and carers whose children have all left come out of the group after the"
        " first summer holiday that follows the last child's last day, within"
        f" {plural(g.grace_days, 'day')} of its start"
        f" ({w.rule_link('leaver-not-removed')}).\n"
    )
    total = g.leavers
    overdue = sum(1 for leaver in g.leavers_due if leaver.overdue)
    if total == 0:
        out.append("No leaver's parent is still in the group.\n")
    elif w.committee:
        out.append(
            table(
                ["Parent or carer", "Last child's last day", "Remove by", "Status"],
                [
                    [
                        ref(leaver.guardian),
                        leaver.last_day,
                        leaver.deadline,
                        "**overdue**" if leaver.overdue else "due",
                    ]
                    for leaver in g.leavers_due
                ],
            )
        )
        if g.leavers_due_more:
            out.append(f"And {g.leavers_due_more:,} more with later deadlines.\n")
    else:
        first = g.leavers_due[0].deadline if g.leavers_due else None
        out.append(
            f"{plural(total, 'leaver')} still in the group, {overdue:,} past the deadline;"
            f" the earliest deadline is {day_(first)}.\n"
        )
    out.append("## Members over time\n")
    if g.months:
        labels = [m.month for m in g.months]
        alt = (
            f"Line chart of the group's members at the end of each month from"
            f" {month_(labels[0])} to {month_(labels[-1])}: {g.months[-1].members:,} now."
        )
        chart = charts.monthly(
            "group-members",
            labels,
            [("members", [m.members for m in g.months])],
            alt=alt,
            ylabel="members",
        )
        out.append(w.chart(chart))
        out.append(
            details(
                "The numbers behind the chart",
                table(
                    ["Month (at its end)", "Members", "Administrators"],
                    [[month_(m.month), m.members, m.admins] for m in reversed(g.months)],
                    "lrr",
                ),
            )
        )
    else:
        out.append("Nothing recorded yet.\n")
    return "\n".join(out)
