"""The transparency site's pages, as a projection (DESIGN.md section 8).

Pure functions from the site's numbers (``projections.sitedata.SiteData``, made of the
``projections.report`` structures), the profile, the day, the head checkpoint as plain values
(``report.IntegrityReport``) and the setting's policy text, to the files generated for the site:
Markdown pages, the open findings as CSV, the checkpoint and the public key, and the charts as
SVG, as a mapping from path to text. Nothing here reads storage or runs MkDocs: ``ledger.site``
gathers the inputs from the ledger, writes these files beside the hand-written pages in
``site/`` and runs MkDocs over them.

The pages are a fixed set, whatever the size of the ledger: no page per post or per event; long
lists are bounded (``projections.report``), the open findings too (each rule's oldest are listed;
the committee edition carries them all in ``open-findings.csv``).

Two editions: ``committee`` shows references, never a name; ``public`` shows counts only, no
references. Names never reach these modules: the registers hold none, and nothing here reads an
event's ``name``.

One module per page or group of pages: ``overview`` (the home page and the printable report),
``findings``, ``consent``, ``posts`` (and removals), ``group``, ``conduct`` (friendships,
concerns and cases), ``policy`` (and the policy text) and ``integrity``; ``markdown`` and
``context`` hold what they share.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import msgspec

from ledger.profile import Line, Profile
from projections import charts, report
from projections.pages.conduct import concerns_page, friendships_page
from projections.pages.consent import consent_page
from projections.pages.context import (
    AUDIENCES,
    CHECKPOINT_FILE,
    OPEN_FILE,
    OPEN_PER_RULE,
    OPEN_PER_RULE_PRINTED,
    POLICY_SUFFIX,
    PUBLIC_KEY_FILE,
    Audience,
    PageContext,
)
from projections.pages.findings import findings_page, oldest_per_rule, open_findings_csv
from projections.pages.group import group_page
from projections.pages.integrity import integrity_page
from projections.pages.lines import lines_page
from projections.pages.overview import overview_page, printable_page
from projections.pages.policy import policy_page, policy_text_page
from projections.pages.posts import posts_page, removals_page
from projections.sitedata import SiteData

__all__ = [
    "AUDIENCES",
    "CHECKPOINT_FILE",
    "OPEN_FILE",
    "OPEN_PER_RULE",
    "OPEN_PER_RULE_PRINTED",
    "POLICY_SUFFIX",
    "PUBLIC_KEY_FILE",
    "Audience",
    "SiteFiles",
    "chart_files",
    "chart_files_named",
    "oldest_per_rule",
    "open_findings_csv",
    "site_files",
]


class SiteFiles(msgspec.Struct, frozen=True):
    """The files generated for one edition of the site, and the summary the build keeps."""

    pages: dict[str, str]  # file name to text: the Markdown pages and the downloads beside them
    charts: list[charts.Chart]  # the charts the pages show (``charts/<name>-<variant>.svg``)
    summary: report.BuildSummary  # what this build showed, for the next build to compare with

    def files(self) -> dict[str, str]:
        """Every generated file, by its path in the site's sources: the pages, then the charts
        (drawn here: most of the time it takes)."""
        out = dict(self.pages)
        for chart in self.charts:
            out.update(chart_files(chart))
        return out


def chart_files_named(chart: charts.Chart) -> list[str]:
    """The paths of a chart's files in the site's sources (as ``chart_files`` draws them)."""
    return [f"charts/{chart.name}-{variant}.svg" for variant in charts.VARIANT_NAMES]


def chart_files(chart: charts.Chart) -> dict[str, str]:
    """A chart drawn, as its files by their paths in the site's sources."""
    return {
        f"charts/{chart.name}-{variant}.svg": svg for variant, svg in charts.svgs(chart).items()
    }


def site_files(
    data: SiteData,
    *,
    profile: Profile,
    day: dt.date,
    audience: Audience,
    head: report.IntegrityReport,
    previous: report.BuildSummary | None,
    policy_text: str | None,
    policy_file: str,
    lines: Sequence[Line] = (),
    shared: str = "",
) -> SiteFiles:
    """The generated files of one edition as of ``day``, and this build's summary.

    ``head`` is the head checkpoint (its note, size, root, and whether its signature checks
    against the verifier key); ``previous`` is the summary the previous build into the same
    folder kept, if any: the pages say what changed since. ``policy_text`` is the setting's
    own policy text, if it supplied one, and ``policy_file`` the name that file has or would
    have (without any folder). ``lines`` is the policy's coverage table, line by line
    (``ledger.profile.coverage``; none for a setting's own profile). ``shared`` is where the
    pages every edition shares (``rules.md``) are from these: "../" for a member's pages in a
    federation's site (``projections.pages.federation``).
    """
    w = PageContext(
        setting=data.setting,
        profile=profile,
        day=day,
        audience=audience,
        policy_text=policy_text,
        policy_file=policy_file,
        shared=shared,
    )
    summary = msgspec.structs.replace(
        data.summary,
        audience=audience,
        size=head.size,
        root=head.root,
        open=data.summary.open if audience == "committee" else [],
    )
    changes = report.changes(previous, summary)
    overview, found, coverage = data.overview, data.found, data.coverage
    pages = {
        "index.md": overview_page(w, overview, coverage, changes, head),
        "report.md": printable_page(
            w, data.period, overview, found, coverage, data.group, data.policy, changes, head
        ),
        "findings.md": findings_page(w, found, overview),
        "consent.md": consent_page(w, coverage),
        "posts.md": posts_page(w, data.posts),
        "removals.md": removals_page(w, data.removals),
        "group.md": group_page(w, data.group),
        "friendships.md": friendships_page(w, data.friendships),
        "concerns.md": concerns_page(w, data.concerns),
        "policy.md": policy_page(w, data.policy),
        "policy-text.md": policy_text_page(w),
        "policy-lines.md": lines_page(w, lines),
        "integrity.md": integrity_page(w, head),
    }
    if audience == "committee":  # a download beside the pages: MkDocs copies it as it is
        pages[OPEN_FILE] = open_findings_csv(found.open)
    # The integrity page's downloads: what a committee or an inspector keeps to check against.
    pages[CHECKPOINT_FILE] = head.note
    pages[PUBLIC_KEY_FILE] = head.verifier_key + "\n"
    return SiteFiles(pages=pages, charts=w.charts, summary=summary)
