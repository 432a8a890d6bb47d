"""The policy in force (channels and rules in plain words, with the lines they cite) and the
setting's own policy text, line by line, when it supplied it."""

from __future__ import annotations

import html

from ledger.profile import Channel
from projections import report
from projections.pages.context import (
    POLICY_SUFFIX,
    PageContext,
)
from projections.pages.markdown import (
    bullets,
    dated,
    day_,
    esc,
    table,
)


def policy_page(w: PageContext, p: report.PolicyReport) -> str:
    """The policy in force in plain words: review history, channels, rules, retention."""
    out = ["# The policy in force\n", w.stamp()]
    out.append(
        f"**{esc(p.title)}**: {esc(p.policy)}. The ledger applies it through the profile"
        f" `{esc(p.profile)}`: the channels and rules below, in plain words, each with the"
        f" lines of the policy it comes from. {w.source_note()}\n"
    )
    out.append("## Review history\n")
    if p.history:
        out.append(
            table(
                ["Date", "What", "Version or outcome"],
                [[e.on, e.kind, dated(e.detail)] for e in reversed(p.history)],
            )
        )
    else:
        out.append("No adoption or review of the policy has been recorded.\n")
    if p.next_review_due is not None:
        state = "**overdue**" if p.review_overdue else "due"
        out.append(f"The next review is {state} by {day_(p.next_review_due)}.\n")
    out.append("## Channels\n")
    for c in p.channels:
        out.append(f"### {esc(c.name)}\n")
        out.append(f"{esc(c.says)}\n")
        images = report.images_in_words(c.child_images)
        rows = [
            ["Who may post", esc(report.posters_in_words(c.posters))],
            ["Images of children", images],
        ]
        if c.group:
            rows.append(["The closed group", "yes: the group rules apply"])
            rows += _membership(w.profile.channels.get(c.name))
        rows.append(["Policy", w.cites(c.cite)])
        out.append(bullets(rows))
        out.append(w.quotes(c.cite, folded=True))
    out.append("## Rules\n")
    out.append(
        "Each rule's figures say whether the policy states them (with its line and words) or"
        ' the ledger reads them (a default, or a reading of words such as "promptly"): what'
        " the policy does not state, the committee may set in its own profile.\n"
    )
    for rule in p.rules:
        out.append(f"### {esc(rule.name)}\n")
        out.append(f"{esc(rule.says)}\n")
        rows = [
            [esc(x.label), esc(x.value) + (f" ({esc(x.basis)})" if x.basis else "")]
            for x in rule.parameters
        ]
        rows.append(["How it is judged", w.rule_link(rule.name)])
        rows.append(["Policy", w.cites(rule.cite)])
        out.append(bullets(rows))
        out.append(w.quotes(rule.cite, folded=True))
    out.append("## Keeping personal data\n")
    out.append(f"{esc(p.retention)}\n")
    out.append(
        table(["Records", "Kept for"], [[esc(k), f"{v} years"] for k, v in p.retention_years])
    )
    return "\n".join(out)


def policy_text_page(w: PageContext) -> str:
    """The setting's own policy text line by line, or how to supply it."""
    out = ["# The policy text\n"]
    name = esc(w.policy_file)
    if w.policy_lines is None:
        out.append(
            "The setting has not supplied the text of its policy for this site. The other"
            " pages cite it by line number"
            f" ({esc(w.profile.source)}).\n"
        )
        out.append("## How to add it\n")
        out.append(
            "1. Save the policy as plain text (UTF-8), one paragraph a line, numbered as"
            " the profile cites it.\n"
            f"2. Put it beside the ledger, named `{name}` (the ledger's file name followed"
            f" by `{POLICY_SUFFIX}`).\n"
            "3. Build the site again: this page then shows the policy line by line, and"
            " every citation links to its line.\n\n"
            "The file is published as it is, in both editions: take out any names first.\n"
        )
        return "\n".join(out)
    out.append(
        f"The setting's own policy, as supplied beside the ledger ({name}). The other pages"
        " link to its lines.\n"
    )
    assert w.policy_lines is not None
    for n, text in w.policy_lines.items():
        if not text:
            continue
        out.append(
            f'<p class="policy-line" id="line-{n}"><a href="#line-{n}">{n}</a>'
            f"<span>{html.escape(text)}</span></p>"
        )
    out.append("")
    return "\n".join(out)


def _membership(channel: Channel | None) -> list[list[str]]:
    """Who may belong to the group and who moderates it, as the profile says."""
    if channel is None:
        return []
    kinds = channel.member_kinds
    if kinds is None:
        who = "parents and carers of children attending, and anyone working at the setting"
    else:
        plural = {"staff": "staff", "committee": "committee members"}
        others = [plural.get(kind, kind + "s") for kind in kinds]
        who = "parents and carers of children attending" + "".join(f", {o}" for o in others)
    if channel.invited_members:
        who += ", and anyone admitted on an invitation"
    rows = [["Who may belong", esc(who)]]
    if channel.moderators:
        rows.append(["Removals followed up by", esc(", ".join(channel.moderators))])
    return rows
