"""How each line of the policy is judged: the coverage table of the setting's policy
(``ledger.profile.coverage``), line by line, so a committee sees what the ledger checks, what
it checks only in part, what it leaves to people's judgement, and what it does not check yet."""

from __future__ import annotations

from collections.abc import Sequence

from ledger.profile import COVERAGE_STATUSES, Line
from projections.pages.context import PageContext
from projections.pages.markdown import esc, table

STATUS_WORDS = {
    "judged": "judged",
    "part": "judged in part",
    "judgement": "left to judgement",
    "not-yet": "not checked yet",
    "not-checkable": "nothing to check",
}


def _by(line: Line, shared: str = "") -> str:
    """What judges a line, in words: a rule (linked to how it is judged), a refusal, an event."""
    out = []
    for judge in line.by:
        kind, _, name = judge.partition(":")
        if kind == "rule":
            out.append(f"[{esc(name)}]({shared}rules.md#{esc(name)})")
        elif kind == "refusal":
            out.append(f"refused when recorded: {esc(name)}")
        elif kind == "event":
            out.append(f"recorded as {esc(name)}")
        elif judge == "check-post":
            out.append("the check before posting (`ledger check post`)")
        elif kind == "parameter":
            out.append(f"the figure {esc(name)}")
        elif kind == "channel":
            out.append(f"the channel's setting {esc(name)}")  # member_kinds, moderators
        else:
            out.append(esc(judge))
    return "; ".join(out)


def lines_page(w: PageContext, lines: Sequence[Line]) -> str:
    """The policy line by line: what each states and how the ledger judges it."""
    out = ["# How each line of the policy is judged\n", w.stamp()]
    if not lines:
        out.append(
            "This setting's policy has no line-by-line table (a setting's own profile ships"
            " none): [the policy in force](policy.md) cites the lines each rule comes from.\n"
        )
        return "\n".join(out)
    counts = {status: sum(1 for x in lines if x.status == status) for status in COVERAGE_STATUSES}
    out.append(
        f"Every line of {esc(w.profile.policy)} ({esc(w.profile.source)}) that says anything,"
        " with a few of its words, and how the ledger judges it from what is recorded: "
        + ", ".join(f"{n} {STATUS_WORDS[s]}" for s, n in counts.items() if n)
        + ". A line left to judgement asks for tone, intent or awareness, which no record"
        " shows; a line not checked yet says what would check it.\n"
    )
    rows = []
    for x in lines:
        if x.status == "not-checkable":
            continue
        how = _by(x, w.shared) if x.by else "; ".join(esc(would) for would in x.would)
        rows.append(
            [
                w.cites([f"{w.profile.source}:{x.line}"]),
                f"“{esc(x.quote)}”",
                STATUS_WORDS[x.status],
                how,
                esc(x.note or ""),
            ]
        )
    out.append(table(["Line", "The policy says", "Judged", "By", "Note"], rows))
    out.append(
        f"Headings, introductions and references elsewhere ({counts['not-checkable']} lines)"
        " state nothing to check and are left out above.\n"
    )
    return "\n".join(out)
