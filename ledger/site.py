"""The transparency site (DESIGN.md section 8): ``ledger site build``.

The site is the hand-written pages in the repository's ``site/`` folder plus pages generated
from the projections at build time. The generated pages exist only in the build: ``site/`` is
copied to a temporary folder, the pages and charts are written there, and MkDocs (Material
theme, the repository's ``mkdocs.yml``) builds the output folder from it. Nothing but plain
configuration drives the theme: no hooks, no plugins of ours.

The pages are a fixed set, whatever the size of the ledger: no page per post or per event; long
lists are bounded (``projections.report``), the open findings too (each rule's oldest are listed;
the committee edition carries them all in ``open-findings.csv``). The numbers come from
``Ledger.site_data``: saved with the position and day they are for (``projections.sitedata``),
or worked out from the registers when they do not answer.

Two editions: ``committee`` shows references, never a name; ``public`` shows counts only, no
references. Names never reach this module: the registers hold none, and nothing here reads an
event's ``name``.

A small JSON summary of each build is kept in the output folder (``build-summary.json``) so that
the next build into the same folder can say what changed.
"""

from __future__ import annotations

import csv
import datetime as dt
import html
import io
import logging
import re
import shutil
import tempfile
import time
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Final, Literal

import msgspec

from ledger import integrity
from ledger.profile import Profile, Rule
from projections import charts, report
from projections.sitedata import SiteData

if TYPE_CHECKING:
    from ledger.store import Ledger

Audience = Literal["committee", "public"]
AUDIENCES: Final[tuple[str, ...]] = ("committee", "public")

# The repository holds mkdocs.yml and site/ beside the ledger package (an editable install, as
# `make` does, imports the package from the repository itself).
REPOSITORY: Final = Path(__file__).resolve().parent.parent
CONFIG_FILE: Final = REPOSITORY / "mkdocs.yml"
SOURCES: Final = REPOSITORY / "site"
SUMMARY_FILE: Final = "build-summary.json"
POLICY_SUFFIX: Final = ".policy.txt"
POLICY_MAX_BYTES: Final = 2_000_000
# A page lists the oldest open findings of each rule, up to this many, and counts the rest; the
# committee edition also carries every open finding in a spreadsheet file beside the pages.
OPEN_PER_RULE: Final = report.RECENT
OPEN_PER_RULE_PRINTED: Final = 5
OPEN_FILE: Final = "open-findings.csv"
CHECKPOINT_FILE: Final = "checkpoint.txt"  # the head checkpoint, as signed (integrity page)
PUBLIC_KEY_FILE: Final = "public-key.txt"  # the ledger's public key (PATH.pub)


class BuildReport(msgspec.Struct, frozen=True):
    """What ``build`` did: the number of pages, where, and how long each part took."""

    pages: int
    out: str
    audience: str
    seconds: dict[str, float]
    warnings: list[str]  # anything MkDocs warned about (expected: nothing)


class SiteInputs(msgspec.Struct, frozen=True):
    """Everything a site is made from, once the projections are computed."""

    data: SiteData  # the site's numbers (``projections.sitedata``)
    profile: Profile
    day: dt.date
    note: str  # the head checkpoint's signed note
    signed_at: dt.datetime
    sequence: int  # the head checkpoint's number
    verifier_key: str
    policy_text: str | None  # the setting's own policy text, if it supplied one
    policy_file: str  # the name that file has (or would have), without any folder


# --- entry points -------------------------------------------------------------------------------


def build(
    ledger: Ledger,
    out: Path,
    *,
    audience: str = "committee",
    day: dt.date,
    verifier_key: str,
) -> BuildReport:
    """Build the site of ``ledger`` as of ``day`` into ``out`` (replacing an earlier build)."""
    started = time.perf_counter()
    if audience not in AUDIENCES:
        raise ValueError(f"unknown audience {audience!r} (expected committee or public)")
    rows = ledger.recorder.select_events(ledger.checkpoint_stream, desc=True, limit=1)
    if not rows:
        raise ValueError("the ledger has no signed checkpoint yet")
    record = integrity.decode_record(rows[0].state)
    data = ledger.site_data(day)  # saved by `ledger follow` or an earlier build, or worked out
    policy_text, policy_file = _policy_text(ledger)
    inputs = SiteInputs(
        data=data,
        profile=ledger.profile,
        day=day,
        note=record.note,
        signed_at=record.signed_at,
        sequence=rows[0].originator_version,
        verifier_key=verifier_key,
        policy_text=policy_text,
        policy_file=policy_file,
    )
    projected = time.perf_counter() - started
    result = build_from(inputs, out, audience=audience)
    return msgspec.structs.replace(result, seconds={"projections": projected, **result.seconds})


def _policy_text(ledger: Ledger) -> tuple[str | None, str]:
    """The setting's policy text, from ``<db>.policy.txt`` beside the ledger, if there is one."""
    if ledger.config.is_postgres:
        return None, "ledger" + POLICY_SUFFIX
    path = Path(ledger.config.db + POLICY_SUFFIX)
    if not path.is_file():
        return None, path.name
    data = path.read_bytes()[:POLICY_MAX_BYTES]
    return data.decode("utf-8", errors="replace").removeprefix("\ufeff"), path.name


def build_from(inputs: SiteInputs, out: Path, *, audience: str = "committee") -> BuildReport:
    """Build the site from computed projections: numbers, charts, pages, then MkDocs."""
    if audience not in AUDIENCES:
        raise ValueError(f"unknown audience {audience!r} (expected committee or public)")
    if not CONFIG_FILE.is_file() or not SOURCES.is_dir():
        raise ValueError(
            f"the site's sources are not beside the package ({CONFIG_FILE} and {SOURCES}):"
            " install the ledger from its repository with `pip install -e .` (as `make` does)"
        )
    out = out.expanduser().resolve()
    _check_out(out)
    seconds: dict[str, float] = {}
    clock = time.perf_counter()
    previous = _read_summary(out)
    edition: Audience = "committee" if audience == "committee" else "public"
    pages, chart_list, summary = render(inputs, edition, previous)
    seconds["render"] = time.perf_counter() - clock  # the numbers, the charts, the Markdown
    clock = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="ledger-site-") as tmp:
        docs = Path(tmp) / "docs"
        shutil.copytree(
            SOURCES, docs, ignore=shutil.ignore_patterns("overrides", ".*", "__pycache__")
        )
        handwritten = (docs / "index.md").read_text(encoding="utf-8")
        pages["index.md"] = handwritten.rstrip() + "\n\n" + pages["index.md"]
        for name, text in pages.items():
            (docs / name).write_text(text, encoding="utf-8")
        folder = docs / "charts"
        folder.mkdir(exist_ok=True)
        for chart in chart_list:
            for variant, svg in chart.svgs.items():
                (folder / f"{chart.name}-{variant}.svg").write_text(svg, encoding="utf-8")
        seconds["write"] = time.perf_counter() - clock
        clock = time.perf_counter()
        count = sum(1 for _ in docs.rglob("*.md"))
        warnings = _mkdocs(docs, out, site_name=_site_name(inputs.data.setting, audience))
        # The theme's 404 page links to the server's root: no use from a USB stick.
        (out / "404.html").unlink(missing_ok=True)
        seconds["mkdocs"] = time.perf_counter() - clock
    (out / SUMMARY_FILE).write_bytes(report.encode_summary(summary))
    return BuildReport(
        pages=count, out=str(out), audience=audience, seconds=seconds, warnings=warnings
    )


def _site_name(setting: str | None, audience: str) -> str:
    setting = setting or "The setting"
    edition = "committee edition" if audience == "committee" else "public edition"
    # The theme puts the name into its HTML as it is (no autoescaping): escape it here.
    return html.escape(f"{setting}: policy ledger ({edition})")


def _check_out(out: Path) -> None:
    """Refuse to replace a folder that is not an earlier build of the site."""
    if out.exists() and not out.is_dir():
        raise ValueError(f"{out.name} is a file, not a folder")
    if not out.is_dir() or not any(out.iterdir()):
        return
    if (out / SUMMARY_FILE).is_file() or (
        (out / "index.html").is_file() and (out / "search").is_dir()
    ):
        return
    raise ValueError(
        f"{out.name} already holds other files; choose a new or empty folder (a folder holding"
        " an earlier build of the site is replaced)"
    )


def _read_summary(out: Path) -> report.BuildSummary | None:
    try:
        return report.decode_summary((out / SUMMARY_FILE).read_bytes())
    except OSError:
        return None


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def _mkdocs(docs: Path, out: Path, *, site_name: str) -> list[str]:
    """Build with MkDocs's own API and the repository's mkdocs.yml; return its warnings."""
    from mkdocs.commands.build import build as mkdocs_build
    from mkdocs.config import load_config
    from mkdocs.exceptions import MkDocsException

    logger = logging.getLogger("mkdocs")
    collect = _Collect()
    logger.addHandler(collect)
    try:
        config = load_config(
            config_file=str(CONFIG_FILE),
            docs_dir=str(docs),
            site_dir=str(out),
            site_name=site_name,
        )
        config.plugins.on_startup(command="build", dirty=False)
        try:
            mkdocs_build(config)
        finally:
            config.plugins.on_shutdown()
    except MkDocsException as exc:
        raise ValueError(f"MkDocs could not build the site: {exc}") from None
    finally:
        logger.removeHandler(collect)
    return collect.messages


# --- rendering ----------------------------------------------------------------------------------


def render(
    inputs: SiteInputs, audience: Audience, previous: report.BuildSummary | None
) -> tuple[dict[str, str], list[charts.Chart], report.BuildSummary]:
    """The generated pages (name to Markdown), their charts, and this build's summary."""
    data = inputs.data
    w = _Writer(inputs, audience)
    head = report.integrity_report(
        inputs.note, inputs.signed_at, inputs.sequence, inputs.verifier_key
    )
    summary = msgspec.structs.replace(
        data.summary,
        audience=audience,
        size=head.size,
        root=head.root,
        open=data.summary.open if audience == "committee" else [],
    )
    changes = report.changes(previous, summary)
    overview, found, coverage, posts = data.overview, data.found, data.coverage, data.posts
    removals, group, friendships, concerns = (
        data.removals,
        data.group,
        data.friendships,
        data.concerns,
    )
    policy, period = data.policy, data.period
    pages = {
        "index.md": w.overview(overview, coverage, changes, head),
        "report.md": w.printable(period, overview, found, coverage, group, policy, changes, head),
        "findings.md": w.findings(found, overview),
        "consent.md": w.consent(coverage),
        "posts.md": w.posts(posts),
        "removals.md": w.removals(removals),
        "group.md": w.group(group),
        "friendships.md": w.friendships(friendships),
        "concerns.md": w.concerns(concerns),
        "policy.md": w.policy(policy),
        "policy-text.md": w.policy_text(),
        "integrity.md": w.integrity(head),
    }
    if audience == "committee":  # a download beside the pages: MkDocs copies it as it is
        pages[OPEN_FILE] = open_findings_csv(found.open)
    # The integrity page's downloads: what a committee or an inspector keeps to check against.
    pages[CHECKPOINT_FILE] = inputs.note
    pages[PUBLIC_KEY_FILE] = inputs.verifier_key + "\n"
    return pages, w.charts, summary


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


# --- Markdown helpers -------------------------------------------------------------------------

_MONTHS: Final = [
    "Jan",
    "Feb",
    "Mar",
    "Apr",
    "May",
    "Jun",
    "Jul",
    "Aug",
    "Sep",
    "Oct",
    "Nov",
    "Dec",
]
_ESCAPE: Final = re.compile(r"([\\`*_\[\]{}>|#!])")
_NUMBERED: Final = re.compile(r"^(\d+)([.)])")
_BULLET: Final = re.compile(r"^([-+])")


def esc(text: str) -> str:
    """Text shown as it is, on one line: HTML characters as entities, Markdown ones escaped
    (a leading "-", "+" or "1." would otherwise start a list)."""
    flat = " ".join(str(text).split()).replace("&", "&amp;").replace("<", "&lt;")
    flat = _NUMBERED.sub(r"\1\\\2", _ESCAPE.sub(r"\\\1", flat))
    return _BULLET.sub(r"\\\1", flat)


def day_(d: dt.date | None) -> str:
    return "—" if d is None else f"{d.day} {_MONTHS[d.month - 1]} {d.year}"


def month_(label: str) -> str:
    year, month = label.split("-")
    return f"{_MONTHS[int(month) - 1]} {year}"


def ref(text: str) -> str:
    return f"`{text}`"


def plural(n: int, one: str, many: str | None = None) -> str:
    return f"{n:,} {one if n == 1 else (many or one + 's')}"


def percent(part: int, whole: int) -> str:
    return "—" if whole == 0 else f"{round(100 * part / whole)}%"


def table(headers: Sequence[str], rows: Iterable[Sequence[object]], numeric: str = "") -> str:
    """A Markdown table; ``numeric`` marks right-aligned columns with "r" (e.g. "lrr")."""
    align = [":--" if (numeric[i : i + 1] or "l") == "l" else "--:" for i in range(len(headers))]
    lines = ["| " + " | ".join(headers) + " |", "| " + " | ".join(align) + " |"]
    for row in rows:
        lines.append("| " + " | ".join(_cell(c) for c in row) + " |")
    return "\n".join(lines) + "\n"


def _cell(value: object) -> str:
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    if isinstance(value, dt.date):
        return day_(value)
    text = str(value)
    return text if text else " "


def details(title: str, body: str, *, kind: str = "info") -> str:
    """A block the reader opens (Material's collapsible admonition)."""
    inner = "\n".join(("    " + line) if line else "" for line in body.rstrip().split("\n"))
    return f'??? {kind} "{title}"\n\n{inner}\n'


def bullets(rows: Sequence[Sequence[str]]) -> str:
    """Label and value pairs as a list."""
    return "\n".join(f"- **{label}:** {value}" for label, value in rows) + "\n"


def figures(items: Sequence[tuple[str, str]]) -> str:
    """Key figures as small cards (plain HTML, text only)."""
    cards = "".join(
        f'<div class="figure"><strong>{html.escape(value)}</strong>'
        f"<span>{html.escape(label)}</span></div>"
        for value, label in items
    )
    return f'<div class="figures">{cards}</div>\n'


RESOLUTION_WORDS: Final[dict[str, str]] = {
    "PostRemoved": "post removed",
    "FindingAcknowledged": "acknowledged by the committee",
    "ConcernAddressed": "concern taken up",
    "DisciplinaryDecided": "decision made",
    "MemberRemoved": "removed from the group",
    "PolicyReviewed": "policy reviewed",
    "PolicyAdopted": "new policy adopted",
    "PosterContacted": "poster contacted (after the referral)",
    "ReferredToManager": "referred to the manager (after the contact)",
    "FriendshipExceptionGranted": "exception granted",
    "ChildLeft": "the children left",
    "eligible": "became eligible",
}


def resolution_words(kind: str | None) -> str:
    if kind is None:
        return ""
    if kind in RESOLUTION_WORDS:
        return RESOLUTION_WORDS[kind]
    return re.sub(r"(?<!^)([A-Z])", r" \1", kind).lower()


def _parse_cite(cite: str) -> tuple[str, int, int]:
    file, _, lines = cite.rpartition(":")
    first, _, last = lines.partition("-")
    return file, int(first), int(last or first)


# --- the writer ---------------------------------------------------------------------------------


class _Writer:
    """Writes each page for one audience; collects the charts it draws."""

    def __init__(self, inputs: SiteInputs, audience: Audience) -> None:
        self.inputs = inputs
        self.profile = inputs.profile
        self.day = inputs.day
        self.committee = audience == "committee"
        self.charts: list[charts.Chart] = []
        self.policy_lines: dict[int, str] | None = None
        if inputs.policy_text is not None:
            self.policy_lines = {
                n: line.strip() for n, line in enumerate(inputs.policy_text.splitlines(), 1)
            }

    # -- shared pieces ---------------------------------------------------------------------------

    def edition(self) -> str:
        if self.committee:
            return (
                "Committee edition: references such as a child's or a post's are shown, names"
                " never."
            )
        return "Public edition: counts only, no references and no names."

    def stamp(self) -> str:
        setting = esc(self.inputs.data.setting or "the setting")
        return f"*{setting}, as of {day_(self.day)}. {self.edition()}*\n"

    def rule_link(self, rule: str) -> str:
        return f"[{rule}](rules.md#{rule})"

    def cites(self, cites: Sequence[str]) -> str:
        """The policy lines, linked to the policy text when the setting supplied it."""
        parts: list[str] = []
        for cite in cites:
            _file, first, last = _parse_cite(cite)
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
        setting = self.rule(rule)
        return self.cites(setting.cite) if setting is not None else "—"

    def rule(self, name: str) -> Rule | None:
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
            _file, first, last = _parse_cite(cite)
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
        self.charts.append(chart)
        alt = esc(chart.alt)
        return "".join(
            f"![{alt}](charts/{chart.name}-{size}-{scheme}.svg#only-{scheme})"
            f"{{ .chart .chart--{size} }}\n"
            for size in charts.VARIANTS
            for scheme in ("light", "dark")
        )

    # -- overview ---------------------------------------------------------------------------------

    def overview(
        self,
        o: report.Overview,
        coverage: list[report.ChannelCoverage],
        changes: report.Changes | None,
        head: report.IntegrityReport,
    ) -> str:
        out = [self.stamp()]
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
        out.append(self.changes(changes))
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
                + "; ".join(f"{c.rule} {c.open}" for c in with_open)
                + (
                    f". The oldest has been open {plural(oldest.age_days, 'day')}."
                    if oldest
                    else ""
                )
            )
            out.append(
                self.chart(
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
        rows = [
            [self.rule_link(c.rule), c.open, *c.by_age, c.resolved] for c in (shown or o.by_rule)
        ]
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
            out.append(
                "No finding yet under: " + ", ".join(self.rule_link(r) for r in quiet) + ".\n"
            )
        out.append("## Trend over months\n")
        out.append(self.trend(o.trend))
        return "\n".join(out)

    def trend(self, trend: list[report.MonthTrend]) -> str:
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
            self.chart(chart)
            + "\n"
            + details(
                "The numbers behind the chart",
                table(["Month", "Began", "Resolved", "Open at the end"], rows, "lrrr"),
            )
        )

    def changes(self, c: report.Changes | None) -> str:
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
        if c.compared_findings and self.committee:
            if c.opened:
                out.append("**New open findings** (or findings open again):\n")
                out.append(self._keys(c.opened))
            if c.closed:
                out.append("**No longer open** (resolved, or judged as of an earlier day):\n")
                out.append(self._keys(c.closed))
        if c.by_rule:
            out.append(
                table(
                    ["Rule", "Open then", "Open now"],
                    [[self.rule_link(x.label), x.before, x.now] for x in c.by_rule],
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

    def _keys(self, keys: Sequence[str]) -> str:
        shown = keys[: report.LIST_LIMIT]
        lines = []
        for key in shown:
            rule, _, subject = key.partition(" ")
            lines.append(f"- {self.rule_link(rule)}: {ref(subject)}")
        if len(keys) > len(shown):
            lines.append(f"- and {len(keys) - len(shown):,} more")
        return "\n".join(lines) + "\n"

    # -- the printable report ------------------------------------------------------------------

    def printable(
        self,
        period: report.PeriodReport,
        o: report.Overview,
        found: report.FindingsReport,
        coverage: list[report.ChannelCoverage],
        group: report.GroupReport,
        policy: report.PolicyReport,
        changes: report.Changes | None,
        head: report.IntegrityReport,
    ) -> str:
        title = "Committee report" if self.committee else "Summary report"
        out = ["---\nhide:\n  - toc\n---\n", f"# {title}\n", self.stamp()]
        out.append(
            '<p class="print-hide"><em>To print it, use your browser\'s Print command: the menus'
            " and search are left out of the printout.</em></p>\n"
        )
        out.append(f"## The period: {day_(period.start)} to {day_(period.end)}\n")
        out.append(figures([(_cell(f.value), f.label) for f in period.figures]))
        out.append(f"## Where things stand on {day_(self.day)}\n")
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
            rows.append(
                ["Leavers' parents still in the group", f"{group.leavers} ({overdue} overdue)"]
            )
        rows.append(["Policy last adopted or reviewed", day_(policy.last_review)])
        if policy.next_review_due is not None:
            rows.append(["Next review due", day_(policy.next_review_due)])
        out.append(table(["Figure", f"On {day_(self.day)}"], rows, "lr"))
        out.append("## Open findings\n")
        out.append(self.open_findings(found.open, quote=False, per_rule=OPEN_PER_RULE_PRINTED))
        out.append("## Since the last build\n")
        out.append(self.changes(changes))
        out.append("## The ledger at this build\n")
        out.append(
            f"The ledger held {plural(head.size, 'fact')} (checkpoint {head.checkpoints:,},"
            f" signed {day_(head.signed_at.date())}; see [Integrity](integrity.md) for how to"
            " check it). The root of its signed tree:\n"
        )
        out.append(f"```text\n{head.root}\n```\n")
        return "\n".join(out)

    # -- findings ---------------------------------------------------------------------------------

    def open_findings(
        self,
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
        if not self.committee:
            counts: dict[str, int] = {}
            oldest: dict[str, int] = {}
            for f in rows:
                counts[f.rule] = counts.get(f.rule, 0) + 1
                oldest[f.rule] = max(oldest.get(f.rule, 0), f.age_days)
            body = table(
                ["Rule", "Open", "Oldest (days open)", "Policy"],
                [
                    [self.rule_link(rule), n, oldest[rule], self.rule_cites(rule)]
                    for rule, n in counts.items()
                ],
                "lrrl",
            )
            return body + ("\n" + self.policy_says(rows) if quote else "")
        headers = ["Rule", "Subject", "Since", "What happened"]
        if quote:
            headers.append("Policy")
        shown, left_out = oldest_per_rule(rows, per_rule)
        body = table(
            headers,
            [
                [
                    self.rule_link(f.rule),
                    ref(f.subject),
                    f"{day_(f.since)} ({plural(f.age_days, 'day')})",
                    esc(f.detail),
                    self.rule_cites(f.rule),
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
        return body + ("\n" + self.policy_says(rows) if quote else "")

    def policy_says(self, rows: Sequence[report.FindingRow]) -> str:
        """What the policy says for the rules of these findings (in its own words too, when the
        setting supplied its text)."""
        parts = ["### What the policy says\n"]
        for rule in dict.fromkeys(f.rule for f in rows):
            setting = self.rule(rule)
            if setting is None:
                continue
            parts.append(f"**{self.rule_link(rule)}**: {esc(setting.says)}\n")
            parts.append(self.quotes(setting.cite))
        return "\n".join(parts)

    def findings(self, found: report.FindingsReport, o: report.Overview) -> str:
        out = ["# Findings\n", self.stamp()]
        out.append(
            "A finding is something the facts show did not follow the setting's policy. Each"
            " rule links to how it is judged; *Policy* gives the lines of the setting's own"
            f" policy it comes from. {self.source_note()}\n"
        )
        out.append(f"## Open findings ({o.open:,})\n")
        out.append(self.open_findings(found.open))
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
                            ", ".join(
                                f"{self.rule_link(rule)} ({n})" for rule, n in m.by_rule.items()
                            ),
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
        if self.committee and found.recent_resolved:
            out.append(f"### The {len(found.recent_resolved)} most recently resolved\n")
            out.append(
                table(
                    ["Rule", "Subject", "Since", "Resolved", "How", "What happened"],
                    [
                        [
                            self.rule_link(f.rule),
                            ref(f.subject),
                            f.since,
                            f.resolved_on,
                            resolution_words(f.resolution),
                            esc(f.detail),
                        ]
                        for f in found.recent_resolved
                    ],
                )
            )
        return "\n".join(out)

    # -- consent --------------------------------------------------------------------------------

    def consent(self, coverage: list[report.ChannelCoverage]) -> str:
        out = ["# Consent coverage\n", self.stamp()]
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
            out.append(f"## On {day_(self.day)}\n")
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
            out.append(self.coverage_chart(with_consent))
            for c in with_consent:
                out.append(f"## {esc(c.channel)}\n")
                out.append(f"{esc(c.says)}\n")
                missing = c.enrolled - c.active
                if self.committee and c.without:
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
                    if self.committee:
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

    def coverage_chart(self, channels: list[report.ChannelCoverage]) -> str:
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
        headers = ["Month (at its end)", "Enrolled"] + [
            f"With consent: {c.channel}" for c in channels
        ]
        rows = [
            [month_(labels[i]), channels[0].series[i].enrolled]
            + [
                f"{c.series[i].active:,} ({percent(c.series[i].active, c.series[i].enrolled)})"
                for c in channels
            ]
            for i in range(len(labels) - 1, -1, -1)
        ]
        return (
            self.chart(chart)
            + "\n"
            + details(
                "The numbers behind the chart", table(headers, rows, "l" + "r" * (len(headers) - 1))
            )
        )

    # -- posts ------------------------------------------------------------------------------------

    def posts(self, p: report.PostsReport) -> str:
        out = ["# Posts and their checks\n", self.stamp()]
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
                        "with consent" if c.child_images == "consent" else "never",
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
                        self.rule_link(c.rule),
                        "after posting" if c.checked is None else c.checked,
                        c.failed,
                        c.open,
                        self.rule_cites(c.rule),
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
            out.append(self.chart(chart))
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
        if self.committee and p.recent_flagged:
            out.append(f"## The {len(p.recent_flagged)} most recent findings about posts\n")
            out.append(
                table(
                    ["Rule", "Post", "Since", "Status", "What happened"],
                    [
                        [
                            self.rule_link(f.rule),
                            ref(f.subject),
                            f.since,
                            f.status if f.status == "open" else f"resolved {day_(f.resolved_on)}",
                            esc(f.detail),
                        ]
                        for f in p.recent_flagged
                    ],
                )
            )
        return "\n".join(out)

    # -- removals --------------------------------------------------------------------------------

    def removals(self, rm: report.RemovalsReport) -> str:
        out = ["# Removals and their follow-ups\n", self.stamp()]
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
        if self.profile.is_on("removal-follow-up-overdue"):
            out.append("## Follow-up of negative or inappropriate posts\n")
            out.append(
                "When a negative or inappropriate post is taken down, the person who posted it is"
                " told why and the matter is passed to the manager, both within"
                f" {plural(rm.follow_up_days, 'day')} (see"
                f" {self.rule_link('removal-follow-up-overdue')},"
                f" {self.rule_cites('removal-follow-up-overdue')}).\n"
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
        if self.profile.is_on("withdrawn-consent-post-live"):
            out.append("## Taking posts down after consent is withdrawn\n")
            out.append(
                f"Posts not taken down in time after a parent withdrew consent"
                f" ({self.rule_link('withdrawn-consent-post-live')}): {rm.takedowns_late:,} in"
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
        if self.committee:
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

    # -- the closed group ------------------------------------------------------------------------

    def group(self, g: report.GroupReport) -> str:
        out = ["# The closed group\n", self.stamp()]
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
                        "Not eligible (see " + self.rule_link("ineligible-member") + ")",
                        len(g.ineligible) + g.ineligible_more,
                    ],
                    ["**All members**", g.members],
                ],
                "lr",
            )
        )
        if self.committee and g.ineligible:
            more = f" and {g.ineligible_more:,} more" if g.ineligible_more else ""
            out.append(f"**Not eligible**: {', '.join(ref(x) for x in g.ineligible)}{more}.\n")
        out.append("## Administrators\n")
        if len(g.admins) < g.min_admins:
            out.append(
                f'!!! warning "Fewer administrators than the policy needs"\n\n'
                f"    The group has {len(g.admins)} and the policy needs {g.min_admins}"
                f" ({self.rule_link('too-few-admins')}).\n"
            )
        if self.committee:
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
            f" ({self.rule_link('leaver-not-removed')}).\n"
        )
        total = g.leavers
        overdue = sum(1 for leaver in g.leavers_due if leaver.overdue)
        if total == 0:
            out.append("No leaver's parent is still in the group.\n")
        elif self.committee:
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
            out.append(self.chart(chart))
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

    # -- friendships ------------------------------------------------------------------------------

    def friendships(self, f: report.FriendshipsReport) -> str:
        out = ["# Friendship exceptions\n", self.stamp()]
        rule = self.rule("connection-without-exception")
        if rule is None:
            out.append(
                "This setting's policy sets no rule on social-media connections between staff"
                " and parents.\n"
            )
        else:
            words = report.EXCEPTION_WORDS.get(f.mode, f.mode)
            out.append(
                f"{esc(rule.says)} Exceptions: {esc(words)}"
                f" ({self.rule_link('connection-without-exception')},"
                f" {self.cites(rule.cite)}).\n"
            )
            out.append(self.quotes(rule.cite))
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
        if self.committee and f.active:
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

    # -- concerns and cases ---------------------------------------------------------------------

    def concerns(self, c: report.ConcernsReport) -> str:
        out = ["# Concerns and disciplinary cases\n", self.stamp()]
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

    # -- the policy -------------------------------------------------------------------------------

    def policy(self, p: report.PolicyReport) -> str:
        out = ["# The policy in force\n", self.stamp()]
        out.append(
            f"**{esc(p.title)}**: {esc(p.policy)}. The ledger applies it through the profile"
            f" `{esc(p.profile)}`: the channels and rules below, in plain words, each with the"
            f" lines of the policy it comes from. {self.source_note()}\n"
        )
        out.append("## Review history\n")
        if p.history:
            out.append(
                table(
                    ["Date", "What", "Version or outcome"],
                    [[e.on, e.kind, esc(e.detail)] for e in reversed(p.history)],
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
            images = "with consent" if c.child_images == "consent" else "never"
            rows = [
                ["Who may post", esc(report.posters_in_words(c.posters))],
                ["Images of children", images],
            ]
            if c.group:
                rows.append(["The closed group", "yes: the group rules apply"])
            rows.append(["Policy", self.cites(c.cite)])
            out.append(bullets(rows))
            out.append(self.quotes(c.cite, folded=True))
        out.append("## Rules\n")
        for rule in p.rules:
            out.append(f"### {esc(rule.name)}\n")
            out.append(f"{esc(rule.says)}\n")
            rows = [[esc(x.label), esc(x.value)] for x in rule.parameters]
            rows.append(["How it is judged", self.rule_link(rule.name)])
            rows.append(["Policy", self.cites(rule.cite)])
            out.append(bullets(rows))
            out.append(self.quotes(rule.cite, folded=True))
        out.append("## Keeping personal data\n")
        out.append(f"{esc(p.retention)}\n")
        out.append(
            table(["Records", "Kept for"], [[esc(k), f"{v} years"] for k, v in p.retention_years])
        )
        return "\n".join(out)

    def policy_text(self) -> str:
        out = ["# The policy text\n"]
        name = esc(self.inputs.policy_file)
        if self.policy_lines is None:
            out.append(
                "The setting has not supplied the text of its policy for this site. The other"
                " pages cite it by line number"
                f" ({esc(self.profile.source)}).\n"
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
        assert self.policy_lines is not None
        for n, text in self.policy_lines.items():
            if not text:
                continue
            out.append(
                f'<p class="policy-line" id="line-{n}"><a href="#line-{n}">{n}</a>'
                f"<span>{html.escape(text)}</span></p>"
            )
        out.append("")
        return "\n".join(out)

    # -- integrity --------------------------------------------------------------------------------

    def integrity(self, h: report.IntegrityReport) -> str:
        out = ["# Integrity\n", self.stamp()]
        out.append(
            "Every fact the ledger records is a leaf of an append-only Merkle tree (the form"
            " Certificate Transparency uses, RFC 9162), and after every write the ledger signs a"
            " *checkpoint*: the number of facts and the tree's root. Changing, removing,"
            " inserting or reordering any fact changes the root, so a checkpoint published here"
            " lets anyone check later that the ledger only grew.\n"
        )
        out.append("## The ledger at this build\n")
        signature = (
            "checks against the public key below"
            if h.verified
            else "**does not check against the key below**"
        )
        out.append(
            bullets(
                [
                    ("Facts in the tree (tree size)", f"{h.size:,}"),
                    ("Checkpoint number", f"{h.checkpoints:,}"),
                    ("Signed at", h.signed_at.isoformat(timespec="seconds")),
                    ("Signature", signature),
                ]
            )
        )
        out.append("The root of the tree, in hex (as `ledger verify --key KEY` prints it):\n")
        out.append(f"```text\n{h.root}\n```\n")
        out.append(
            "The last signed checkpoint, exactly as the ledger signed it (download it as"
            f" [{CHECKPOINT_FILE}]({CHECKPOINT_FILE}) and keep it):\n"
        )
        out.append("```text\n" + h.note.rstrip("\n") + "\n```\n")
        out.append("## The public verifier key\n")
        out.append(
            f"Download it as [{PUBLIC_KEY_FILE}]({PUBLIC_KEY_FILE}) (the same text as the ledger's"
            " `PATH.pub`). Every check below is given this key: a file that carries its own key"
            " proves nothing, since whoever could change the file could change the key.\n"
        )
        out.append("```text\n" + h.verifier_key + "\n```\n")
        out.append(
            "The key can only check signatures, not make them. Keep a copy of this page (or of the"
            " key and the checkpoint) outside the setting: it is what later checks compare with.\n"
        )
        out.append("## How an inspector checks the ledger\n")
        out.append(
            "**On the ledger itself.** Run\n\n"
            "```sh\nledger --db LEDGER verify --key " + h.verifier_key + "\n```\n\n"
            "It recomputes the tree from every stored fact and checks every signed checkpoint"
            " with the key. It prints `Intact:` with the number of facts and the root, or names"
            " the first position that does not match. While nothing has been recorded since this"
            f" build, the number is {h.size:,} and the root is the one above; once more facts are"
            f" recorded the number grows, and checkpoint {h.checkpoints:,} above must still be"
            " among the checkpoints that verify.\n"
        )
        out.append(
            "**With an export, on any computer.** Ask the setting for its audit trail and replay"
            " it independently:\n\n"
            "```sh\nledger --db LEDGER export > audit-trail.jsonl\n"
            "ledger replay audit-trail.jsonl --json --key " + h.verifier_key + "\n"
            f"ledger replay audit-trail.jsonl --key {h.verifier_key} --published"
            f" {CHECKPOINT_FILE}\n```\n\n"
            "The export carries every fact with its leaf hash and every signed checkpoint. The"
            " replay recomputes the tree without the setting's database, checks the checkpoints,"
            " and reports the head (tree size and root). The checkpoint above appears in the"
            f" export as the `Checkpoint` line with sequence {h.checkpoints:,}, with the same"
            " note; `ledger export --as-of DATE` cuts the trail at a past day. With"
            f" `--published {CHECKPOINT_FILE}` (the file kept from this page) the replay also"
            " refuses a trail cut back to before this checkpoint, or one from another history.\n"
        )
        out.append(
            "**A parent's receipt, a consistency proof.** `ledger receipt --check receipt.json"
            f" --key {h.verifier_key}` and `ledger consistency --check proof.json --key"
            f" {h.verifier_key}`. Instead of `--key`, the key can be kept in a trusted-keys"
            " file, one key a line (`~/.config/policy-ledger/trusted-keys`, or `--trusted FILE`)."
            " Without a key no check says `Verified`.\n"
        )
        return "\n".join(out)
