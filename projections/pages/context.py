"""What every page of one edition shares: the edition, the day, the profile and the setting's
policy text, and the pieces each page is made of (the stamp under a title, links to rules, the
policy's lines cited and quoted, charts). Also the names of the files beside the pages."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Final, Literal

from ledger.profile import Profile, Rule
from projections import charts
from projections.pages.markdown import day_, details, esc, parse_cite
from projections.report import RECENT
from projections.rules.titles import title

Audience = Literal["committee", "public"]
AUDIENCES: Final[tuple[str, ...]] = ("committee", "public")

# A page lists the oldest open findings of each rule, up to this many, and counts the rest; the
# committee edition also carries every open finding in a spreadsheet file beside the pages.
OPEN_PER_RULE: Final = RECENT
OPEN_PER_RULE_PRINTED: Final = 5
OPEN_FILE: Final = "open-findings.csv"
CHECKPOINT_FILE: Final = "checkpoint.txt"  # the head checkpoint, as signed (integrity page)
PUBLIC_KEY_FILE: Final = "public-key.txt"  # the ledger's public key (PATH.pub)
POLICY_SUFFIX: Final = ".policy.txt"  # the setting's policy text: the ledger's file name + this


class PageContext:
    """The edition being written, and the charts its pages draw (collected as they are drawn).

    ``policy_text`` is the setting's own policy, if it supplied one (``policy_file`` is the name
    that file has, or would have, without any folder): the pages then quote and link its lines.
    """

    def __init__(
        self,
        *,
        setting: str | None,
        profile: Profile,
        day: dt.date,
        audience: Audience,
        policy_text: str | None,
        policy_file: str,
        shared: str = "",
    ) -> None:
        self.setting = setting
        # Where the pages every edition shares (``rules.md``) are, from these pages: "" for a
        # setting's own site, "../" for a member's pages in a federation's site.
        self.shared = shared
        self.profile = profile
        self.day = day
        self.committee = audience == "committee"
        self.policy_file = policy_file
        self.charts: list[charts.Chart] = []
        self.policy_lines: dict[int, str] | None = None
        if policy_text is not None:
            self.policy_lines = {
                n: line.strip() for n, line in enumerate(policy_text.splitlines(), 1)
            }

    def edition(self) -> str:
        """What this edition shows, in a sentence (under every page's title)."""
        if self.committee:
            return (
                "Committee edition: references such as a child's or a post's are shown, names"
                " never."
            )
        return "Public edition: counts only, no references and no names."

    def stamp(self) -> str:
        """The line under a page's title: the setting, the day judged and the edition."""
        setting = esc(self.setting or "the setting")
        return f"*{setting}, as of {day_(self.day)}. {self.edition()}*\n"

    def rule_link(self, rule: str) -> str:
        """The rule's plain title, then its code linked to how it is judged (``rules.md``,
        hand-written): "A post shows a child without consent (consent-missing)"."""
        return f"{esc(title(rule))} ([{rule}]({self.shared}rules.md#{rule}))"

    def cites(self, cites: Sequence[str]) -> str:
        """The policy lines, linked to the policy text when the setting supplied it."""
        parts: list[str] = []
        for cite in cites:
            _file, first, last = parse_cite(cite)
            label = str(first) if first == last else f"{first}–{last}"
            if self.policy_lines is not None and first in self.policy_lines:
                parts.append(f"[{label}](policy-text.md#line-{first})")
            else:
                parts.append(label)
        if not parts:
            return "—"
        word = "line" if len(parts) == 1 and "–" not in parts[0] else "lines"
        return f"{word} {', '.join(parts)}"

    def rule_cites(self, rule: str) -> str:
        """The policy lines a rule of the profile cites ("—" for a rule it does not have)."""
        setting = self.rule(rule)
        return self.cites(setting.cite) if setting is not None else "—"

    def rule(self, name: str) -> Rule | None:
        """The profile's setting of a rule, if it has that rule."""
        for rule_name, rule in self.profile.rules.items():
            if rule_name == name:
                return rule
        return None

    def quotes(self, cites: Sequence[str], *, folded: bool = False) -> str:
        """The cited lines of the setting's own policy, quoted, when it supplied the text
        (``folded``: in a block the reader opens)."""
        if self.policy_lines is None:
            return ""
        out: list[str] = []
        for cite in cites:
            _file, first, last = parse_cite(cite)
            for n in range(first, last + 1):
                text = self.policy_lines.get(n, "")
                if text:
                    out.append(f"**Line {n}.** {esc(text)}")
        if not out:
            return ""
        if folded:
            return details("The policy's own words", "\n\n".join(out), kind="quote")
        return "\n>\n".join("> " + line for line in out) + "\n"

    def source_note(self) -> str:
        """Where the line numbers the pages cite come from."""
        source = esc(self.profile.source)
        if self.policy_lines is not None:
            return (
                f"Line numbers are those of the setting's policy text ({source}), shown on"
                " [Policy text](policy-text.md)."
            )
        return (
            f"Line numbers are those of the setting's policy ({source}); the setting has not"
            " supplied its text for this site (see [Policy text](policy-text.md))."
        )

    def chart(self, chart: charts.Chart) -> str:
        """The Markdown that shows a chart (each size and scheme); the chart is kept, to be
        written beside the pages."""
        self.charts.append(chart)
        alt = esc(chart.alt)
        return "".join(
            f"![{alt}](charts/{chart.name}-{size}-{scheme}.svg#only-{scheme})"
            f"{{ .chart .chart--{size} }}\n"
            for size in charts.VARIANTS
            for scheme in ("light", "dark")
        )
