"""The site's pages as a projection (``projections.pages``): pure functions from the site's
numbers to the files of the site, tested without a ledger, a store or MkDocs.

- No name of a person reaches any file, and the public edition carries no reference.
- No line is lost: every line of the setting's policy text is on its page, with its number,
  and every open finding is in the committee's spreadsheet file (and counted in the public
  edition).
- The pages and the files beside them agree: every chart and download a page links to is among
  the files, and every chart among the files is shown.
"""

from __future__ import annotations

import csv
import datetime as dt
import html
import io
import re
from collections.abc import Sequence

import msgspec
import pytest

from ledger import events as ev
from ledger.demo import generate
from ledger.profile import Line
from ledger.profile import load as load_profile
from projections import pages, report, sitedata
from projections import registers as reg

DAY = dt.date(2026, 3, 31)
START = dt.date(2025, 9, 1)
REFERENCE = re.compile(r"\b[CGSPKD]-\d+")
# Names shaped like real ones; the q and the z keep them apart from any word the pages print.
NAMES = ["Amelqia Brozwn", "Oliqver Smizth", "Isqla Jonezs", "Harqry Wilzliams"]
NOTE = "policy-ledger/test\n12\nAQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA=\n\n— key sig\n"
EDITIONS: tuple[pages.Audience, ...] = ("committee", "public")
KEY = "policy-ledger+0a1b2c3d+AXkM5yxsNAfX61fFsQOl2K79bUuQ40qoXFTanTZa8IUy"


def history(profile: str, seed: int) -> list[ev.Event]:
    """An invented history, with every name replaced by one of ``NAMES``."""
    facts = generate(
        load_profile(profile), setting="Test", start=START, end=DAY, seed=seed, children=8
    )
    out: list[ev.Event] = [ev.SettingRegistered(on=START, name="Test Setting", profile=profile)]
    for i, fact in enumerate(facts):
        if type(fact) in ev.NAME_FIELDS:
            fact = msgspec.structs.replace(fact, name=NAMES[i % len(NAMES)])
        out.append(fact)
    assert any(getattr(f, "name", None) in NAMES for f in out)
    return out


def site_data(profile: str, seed: int = 1) -> sitedata.SiteData:
    registers = reg.rebuild(enumerate(history(profile, seed), start=1))
    return sitedata.compute(registers, load_profile(profile), DAY)


def made(
    data: sitedata.SiteData,
    profile: str,
    audience: pages.Audience,
    *,
    policy_text: str | None = None,
    previous: report.BuildSummary | None = None,
    lines: Sequence[Line] = (),
) -> pages.SiteFiles:
    head = report.integrity_report(
        NOTE,
        dt.datetime(2026, 3, 31, 12, 0, tzinfo=dt.UTC),
        3,
        KEY,
        size=data.position,
        root=bytes(range(1, 33)),
        origin="policy-ledger/test",
        verified=True,
    )
    return pages.site_files(
        data,
        profile=load_profile(profile),
        day=DAY,
        audience=audience,
        head=head,
        previous=previous,
        policy_text=policy_text,
        policy_file="test.db" + pages.POLICY_SUFFIX,
        lines=lines,
    )


@pytest.fixture(scope="module")
def data() -> sitedata.SiteData:
    return site_data("south-woodham-preschool")


@pytest.mark.parametrize(
    "profile", ["south-woodham-preschool", "stepping-stones-nursery", "west-wycombe-preschool"]
)
def test_no_name_in_any_file_and_no_reference_in_the_public_edition(profile: str) -> None:
    numbers = site_data(profile, seed=7)
    parts = {part.lower() for name in NAMES for part in [name, *name.split(" ")]}
    files = {audience: made(numbers, profile, audience).files() for audience in EDITIONS}
    for audience, contents in files.items():
        for path, text in contents.items():
            for part in parts:
                assert part not in text.lower(), f"{part!r} in {audience}/{path}"
    for path, text in files["public"].items():
        found = REFERENCE.search(text)
        assert found is None, f"a reference {found.group()!r} in public/{path}"
    # The committee edition does show references (the check above is not vacuous).
    assert REFERENCE.search(files["committee"]["findings.md"] + files["committee"]["consent.md"])


def test_no_line_of_the_policy_text_is_lost(data: sitedata.SiteData) -> None:
    lines = [f"Line {n}: *staff* <b>never</b> & 1. post_x [link](x) | pipe" for n in range(1, 141)]
    lines[4] = ""  # an empty line is numbered, not shown
    text = "\n".join(lines) + "\n"
    for audience in EDITIONS:
        files = made(data, "south-woodham-preschool", audience, policy_text=text).pages
        page = files["policy-text.md"]
        shown = re.findall(r'<p class="policy-line" id="line-(\d+)">', page)
        assert shown == [str(n) for n, line in enumerate(lines, 1) if line]
        for line in lines:
            if line:
                assert f"<span>{html.escape(line)}</span>" in page
        # Every line a rule cites links to its place on that page.
        policy = files["policy.md"]
        profile = load_profile("south-woodham-preschool")
        for rule in profile.rules.values():
            for cite in rule.cite:
                first = cite.rpartition(":")[2].partition("-")[0]
                assert f"(policy-text.md#line-{first})" in policy
    without = made(data, "south-woodham-preschool", "committee").pages
    assert "has not supplied the text of its policy" in without["policy-text.md"]
    assert "policy-text.md#line-" not in without["policy.md"]


def test_every_open_finding_is_in_the_spreadsheet_and_counted_in_public(
    data: sitedata.SiteData,
) -> None:
    assert data.found.open, "the history has open findings"
    committee = made(data, "south-woodham-preschool", "committee").pages
    rows = list(csv.reader(io.StringIO(committee[pages.OPEN_FILE])))
    assert rows[0] == ["rule", "subject", "since", "days open", "what happened"]
    assert [(r[0], r[1], r[2]) for r in rows[1:]] == [
        (f.rule, f.subject, f.since.isoformat()) for f in data.found.open
    ]
    assert f"## Open findings ({len(data.found.open):,})" in committee["findings.md"]
    public = made(data, "south-woodham-preschool", "public").pages
    assert pages.OPEN_FILE not in public
    assert f"## Open findings ({len(data.found.open):,})" in public["findings.md"]
    counted = sum(
        int(n)
        # A rule's row: its plain title, then its code linked to the rules page.
        for n in re.findall(
            r"^\| [^|\n]* \(\[[a-z-]+\]\([^)]*\)\) \| (\d+) \|", public["findings.md"], re.M
        )
    )
    assert counted == len(data.found.open)


def test_pages_and_files_agree(data: sitedata.SiteData) -> None:
    previous = made(data, "south-woodham-preschool", "committee").summary
    for audience in EDITIONS:
        site = made(data, "south-woodham-preschool", audience, previous=previous)
        files = site.files()
        linked = {
            path
            for name, text in site.pages.items()
            if name.endswith(".md")
            for path in re.findall(
                r"\]\(((?:charts/)?[\w.-]+\.(?:svg|csv|txt))(?:#[\w-]+)?\)", text
            )
        }
        assert linked <= set(files), linked - set(files)
        charts = {path for path in files if path.startswith("charts/")}
        assert charts and charts <= linked, charts - linked
        assert files[pages.CHECKPOINT_FILE] == NOTE
        assert files[pages.PUBLIC_KEY_FILE] == KEY + "\n"
        assert site.summary.audience == audience
        assert (site.summary.open == []) == (audience == "public")
        assert "Since the previous build" in site.pages["index.md"]
    # Pure: the same inputs make the same files.
    assert made(data, "south-woodham-preschool", "public").files() == (
        made(data, "south-woodham-preschool", "public").files()
    )


def test_the_posts_page_counts_the_new_post_rules_where_the_profile_turns_them_on() -> None:
    """The posts page's table of checks has a row for every post rule the profile turns on:
    West Wycombe's page, kept for promotion, counts the posts whose purpose was checked (every
    post there); South Woodham's flagged posts are counted as takedowns are (no "checked")."""
    west = {c.rule: c for c in site_data("west-wycombe-preschool").posts.checks}
    page_posts = next(
        c.total
        for c in site_data("west-wycombe-preschool").posts.channels
        if c.channel == "facebook-page"
    )
    assert page_posts > 0 and west["purpose-not-allowed"].checked == page_posts
    assert "flagged-post-not-removed" not in west  # not a rule West Wycombe turns on
    south = {c.rule: c for c in site_data("south-woodham-preschool").posts.checks}
    assert south["flagged-post-not-removed"].checked is None
    assert "purpose-not-allowed" not in south
