"""The transparency site (``ledger site build``): privacy, numbers, size and what changed.

- Property: whatever names a ledger holds, no part of any of them appears in any file of either
  edition (search index and sitemap included), and the public edition holds no reference at all.
- The site's numbers (``projections.report``) on a small history worked out by hand.
- The number of pages does not grow with the ledger, nor do the lists of open findings; a second
  build says what changed; a build from the saved numbers makes the same files.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import io
import json
import re
import tempfile
from pathlib import Path

import hypothesis.strategies as st
import msgspec
import pytest
from hypothesis import given, settings

from ledger import events as ev
from ledger.cli import main
from ledger.demo import generate, scale
from ledger.follow import follow_sqlite
from ledger.integrity import Signer
from ledger.profile import load as load_profile
from ledger.site import (
    OPEN_FILE,
    OPEN_PER_RULE,
    OPEN_PER_RULE_PRINTED,
    SUMMARY_FILE,
    BuildReport,
    build,
    open_findings_csv,
)
from ledger.store import Config, open_ledger
from projections import registers as reg
from projections import report, sitedata
from projections.findings import Episode, all_episodes
from tests.test_privacy_and_refusals import make_ledger, pinned_now

PROFILES = [
    "south-woodham-preschool",
    "stepping-stones-preschool",
    "west-wycombe-preschool",
    "stepping-stones-nursery",
    "sandbank-valley-federation",
]
REFERENCE = re.compile(rb"\b[CGSPKD]-\d+")
# Names shaped like real ones; the q and the z keep them apart from any word the site prints.
names = st.from_regex(r"\A[A-Z][a-z]{2,6}q[a-z]{1,5} [A-Z][a-z]{2,6}z[a-z]{1,5}\Z")


def build_site(db: Path, out: Path, audience: str, day: dt.date) -> BuildReport:
    config = Config(db=str(db), key_path=Path(str(db) + ".key"))
    ledger = open_ledger(config)
    try:
        return build(
            ledger,
            out,
            audience=audience,
            day=day,
            verifier_key=Signer.load(config.key_path).verifier_key(),
        )
    finally:
        ledger.close()


def every_file(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def renamed(facts: list[ev.Event], chosen: list[str]) -> list[ev.Event]:
    out: list[ev.Event] = []
    for i, fact in enumerate(facts):
        if type(fact) in ev.NAME_FIELDS:
            fact = msgspec.structs.replace(fact, name=chosen[i % len(chosen)])  # type: ignore[call-arg]
        out.append(fact)
    return out


# --- privacy: no name anywhere, no reference in the public edition ------------------------------


@settings(max_examples=max(3, settings.default.max_examples // 8))
@given(
    profile=st.sampled_from(PROFILES),
    seed=st.integers(0, 10_000),
    chosen=st.lists(names, min_size=3, max_size=8, unique=True),
)
def test_no_name_in_any_file_and_no_reference_in_the_public_edition(
    profile: str, seed: int, chosen: list[str]
) -> None:
    facts = generate(
        load_profile(profile),
        setting="Test",
        start=dt.date(2025, 9, 1),
        end=dt.date(2026, 3, 31),
        seed=seed,
        children=8,
    )
    facts = renamed(facts, chosen)
    assert any(getattr(f, "name", None) in chosen for f in facts)
    with tempfile.TemporaryDirectory() as tmp:
        db = make_ledger(Path(tmp), profile, facts)
        files: dict[str, dict[str, bytes]] = {}
        for audience in ("committee", "public"):
            out = Path(tmp) / audience
            built = build_site(db, out, audience, dt.date(2026, 3, 31))
            assert built.warnings == []
            files[audience] = every_file(out)
            assert any(name.startswith("search/") for name in files[audience])
            assert "sitemap.xml" in files[audience]
        parts = {part for name in chosen for part in [name, *name.split(" ")]}
        for audience, contents in files.items():
            for path, data in contents.items():
                lowered = data.lower()
                for part in parts:
                    assert part.encode() not in data, f"{part!r} in {audience}/{path}"
                    assert part.lower().encode() not in lowered, f"{part!r} in {audience}/{path}"
        for path, data in files["public"].items():
            found = REFERENCE.search(data)
            assert found is None, f"a reference {found.group()!r} in public/{path}"
        # The committee edition does show references (the check above is not vacuous).
        assert REFERENCE.search(files["committee"]["findings.html"])


# --- the numbers, on a small history worked out by hand -----------------------------------------

PROFILE = "south-woodham-preschool"
DAY = dt.date(2025, 12, 15)
Worked = tuple[reg.Registers, list[Episode]]


def d(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def history() -> list[ev.Event]:
    """Three children, two staff, four posts, two concerns and a case (see the tests)."""
    start = d("2025-09-01")
    facts: list[ev.Event] = [
        ev.PolicyAdopted(on=start, version="2025.1"),
        ev.PersonJoined(on=start, person="S-1", name="Staff One", kind="staff"),
        ev.RoleAssigned(on=start, person="S-1", role="manager"),
        ev.RoleAssigned(on=start, person="S-1", role="group-admin"),
        ev.PersonJoined(on=start, person="S-2", name="Staff Two", kind="staff"),
        ev.RoleAssigned(on=start, person="S-2", role="group-admin"),
        ev.DeviceRegistered(on=start, device="T-1"),
    ]
    for n in (1, 2, 3):
        facts.append(ev.ChildEnrolled(on=d("2025-09-02"), child=f"C-{n}", name=f"Child {n}"))
        facts.append(
            ev.GuardianLinked(
                on=d("2025-09-02"), guardian=f"G-{n}", name=f"Parent {n}", child=f"C-{n}"
            )
        )

    def grant(on: str, child: str, channel: str, expires: str | None = None) -> ev.Event:
        return ev.ConsentGranted(
            on=d(on),
            child=f"C-{child}",
            guardian=f"G-{child}",
            channel=channel,
            evidence="F-1",
            method="paper",
            expires=d(expires) if expires else None,
        )

    facts += [
        grant("2025-09-03", "1", "closed-group"),
        grant("2025-09-03", "2", "closed-group"),
        grant("2025-09-03", "1", "public-page", expires="2025-12-10"),
        *(ev.MemberAdmitted(on=d("2025-09-05"), member=m) for m in ("S-1", "S-2", "G-1", "G-2")),
        ev.MemberAdmitted(on=d("2025-09-05"), member="G-3"),
        # P-1: in order. P-2: C-2's consent was withdrawn the day before (consent-missing).
        ev.PostPublished(
            on=d("2025-09-10"),
            post="P-1",
            channel="closed-group",
            author="S-1",
            depicts=["C-1"],
            device="T-1",
        ),
        ev.ConsentWithdrawn(
            on=d("2025-10-01"), child="C-2", guardian="G-2", channel="closed-group"
        ),
        ev.PostPublished(
            on=d("2025-10-02"),
            post="P-2",
            channel="closed-group",
            author="G-1",
            depicts=["C-2"],
            device="T-1",
        ),
        # P-3: removed as negative; the poster was contacted but nobody referred it (overdue).
        ev.PostPublished(
            on=d("2025-10-05"), post="P-3", channel="closed-group", author="G-3", depicts=[]
        ),
        ev.PostRemoved(on=d("2025-10-06"), post="P-3", by="S-1", reason="negative-discussion"),
        ev.PosterContacted(on=d("2025-10-08"), post="P-3", by="S-1"),
        # P-4: S-2 may not post on the public page; removed two days later.
        ev.PostPublished(
            on=d("2025-11-03"),
            post="P-4",
            channel="public-page",
            author="S-2",
            depicts=["C-1"],
            device="T-1",
        ),
        ev.PostRemoved(on=d("2025-11-05"), post="P-4", by="S-1", reason="breach"),
        ev.ConcernRaised(on=d("2025-11-10"), concern="K-1", category="other"),
        ev.ConcernAddressed(on=d("2025-11-11"), concern="K-1", action="Spoke to the parent."),
        ev.ConcernRaised(on=d("2025-11-20"), concern="K-2", category="child-image"),
        ev.DisciplinaryReferred(on=d("2025-11-20"), case="D-1", person="S-2"),
        ev.DisciplinaryDecided(on=d("2025-11-25"), case="D-1", outcome="advice"),
        ev.ChildLeft(on=d("2025-11-28"), child="C-3"),
        grant("2025-12-01", "2", "public-page", expires="2026-01-10"),
    ]
    return facts


@pytest.fixture(scope="module")
def worked() -> Worked:
    first = ev.SettingRegistered(on=d("2025-09-01"), name="Test Setting", profile=PROFILE)
    stream = enumerate([first, *history()], start=1)
    registers = reg.rebuild(stream)
    return registers, all_episodes(registers, load_profile(PROFILE))


def test_overview_counts_findings_by_rule_age_and_month(worked: Worked) -> None:
    r, episodes = worked
    o = report.overview(r, load_profile(PROFILE), episodes, DAY)
    assert (o.open, o.resolved, o.enrolled, o.staff) == (3, 1, 2, 2)
    by_rule = {c.rule: c for c in o.by_rule}
    # P-2 open 74 days, P-3 62 days (31-90); K-2 23 days (8-30).
    assert by_rule["consent-missing"].by_age == [0, 0, 1, 0]
    assert by_rule["removal-follow-up-overdue"].by_age == [0, 0, 1, 0]
    assert by_rule["concern-unaddressed"].by_age == [0, 1, 0, 0]
    assert (by_rule["unauthorised-poster"].open, by_rule["unauthorised-poster"].resolved) == (0, 1)
    assert [(m.month, m.opened, m.resolved, m.open_at_end) for m in o.trend] == [
        ("2025-09", 0, 0, 0),
        ("2025-10", 2, 0, 2),
        ("2025-11", 2, 1, 3),
        ("2025-12", 0, 0, 3),
    ]
    assert o.oldest_open is not None and o.oldest_open.subject == "P-2"
    found = report.findings_report(r, load_profile(PROFILE), episodes, DAY)
    assert [f.subject for f in found.open] == ["P-2", "P-3", "K-2"]
    assert found.resolved_total == 1
    assert [(m.month, m.count) for m in found.resolved_by_month if m.count] == [("2025-11", 1)]
    assert found.recent_resolved[0].resolution == "PostRemoved"
    # As of an earlier day, later facts do not count.
    earlier = report.overview(r, load_profile(PROFILE), episodes, d("2025-10-03"))
    assert (earlier.open, earlier.resolved, earlier.enrolled) == (1, 0, 3)


def test_consent_coverage_now_and_month_by_month(worked: Worked) -> None:
    r, episodes = worked
    coverage = {c.channel: c for c in report.coverage(r, load_profile(PROFILE), episodes, DAY)}
    group, page = coverage["closed-group"], coverage["public-page"]
    assert (group.enrolled, group.active, group.without) == (2, 1, ["C-2"])
    assert [(p.month, p.enrolled, p.active) for p in group.series] == [
        ("2025-09", 3, 2),
        ("2025-10", 3, 1),
        ("2025-11", 2, 1),
        ("2025-12", 2, 1),
    ]
    assert (group.granted_in_period, group.withdrawn_in_period) == (0, 1)
    # C-1's consent for the page ended on 10 December; C-2's ends within 30 days.
    assert (page.active, page.without, page.expiring) == (1, ["C-1"], ["C-2"])
    assert coverage["personal-account"].child_images == "never"


def test_posts_removals_group_concerns(worked: Worked) -> None:
    r, episodes = worked
    profile = load_profile(PROFILE)
    posts = report.posts_report(r, profile, episodes, DAY)
    channels = {c.channel: c for c in posts.channels}
    assert (posts.total, posts.in_period) == (4, 3)
    assert (channels["closed-group"].total, channels["closed-group"].depicting) == (3, 2)
    assert (channels["closed-group"].flagged, channels["closed-group"].live_flagged) == (2, 2)
    assert (channels["public-page"].flagged, channels["public-page"].live_flagged) == (1, 0)
    checks = {c.rule: (c.checked, c.failed, c.open) for c in posts.checks}
    assert checks["consent-missing"] == (3, 1, 1)
    assert checks["unauthorised-poster"] == (4, 1, 0)
    assert checks["non-setting-device"] == (3, 0, 0)
    assert checks["withdrawn-consent-post-live"] == (None, 0, 0)
    assert checks["removal-follow-up-overdue"] == (1, 1, 1)

    removals = report.removals_report(r, profile, episodes, DAY)
    assert removals.total == 2
    assert removals.by_reason["negative-discussion"] == 1
    assert removals.by_reason["breach"] == 1
    assert (removals.follow_up_needed, removals.follow_up_overdue) == (1, 1)
    assert [row.post for row in removals.recent] == ["P-4", "P-3"]
    assert [(row.post, row.follow_up) for row in removals.recent_follow_ups] == [("P-3", "overdue")]
    assert removals.recent[1].contacted == d("2025-10-08")
    assert removals.recent[1].referred is None

    group = report.group_report(r, profile, episodes, DAY)
    assert (group.members, group.guardians_enrolled, group.people_current) == (5, 2, 2)
    assert group.admins == ["S-1", "S-2"]
    assert group.ineligible == []
    # C-3 left on 28 November: G-3 is due out by 22 July plus 14 days.
    assert [(x.guardian, x.deadline, x.overdue) for x in group.leavers_due] == [
        ("G-3", d("2026-08-05"), False)
    ]

    concerns = report.concerns_report(r, profile, episodes, DAY)
    assert (concerns.concerns, concerns.addressed_in_time, concerns.not_addressed) == (2, 1, 1)
    assert (concerns.cases, concerns.decided_in_time) == (1, 1)
    assert concerns.outcomes["advice"] == 1
    assert sum(concerns.outcomes.values()) == 1


def test_period_figures_and_policy(worked: Worked) -> None:
    r, episodes = worked
    profile = load_profile(PROFILE)
    period = report.period_report(r, profile, episodes, DAY)
    assert period.start == d("2025-09-16")
    figures = {f.label: f.value for f in period.figures}
    assert figures["Findings that began"] == 4
    assert figures["Findings resolved"] == 1
    assert figures["Open findings at the end"] == 3
    assert figures["Children who left"] == 1
    assert figures["Posts"] == 3
    assert figures["Posts with a finding"] == 3
    assert figures["Posts removed"] == 2
    assert figures["Consent forms received"] == 1
    assert figures["Consents withdrawn"] == 1
    assert figures["Concerns taken up in time"] == 1
    policy = report.policy_report(r, profile, episodes, DAY)
    assert [(e.kind, e.detail) for e in policy.history] == [("adopted", "2025.1")]
    assert policy.next_review_due is None  # this profile sets no review interval
    rules = {x.name: x for x in policy.rules}
    assert rules["withdrawn-consent-post-live"].parameters[0].value == "2 days of a withdrawal"
    assert rules["consent-missing"].cite == ["south-woodham-preschool.txt:124"]


def test_changes_between_two_summaries(worked: Worked) -> None:
    r, episodes = worked
    profile = load_profile(PROFILE)
    then = report.summary(
        r, profile, episodes, d("2025-10-31"), audience="committee", size=40, root="aa"
    )
    now = report.summary(r, profile, episodes, DAY, audience="committee", size=45, root="bb")
    assert report.changes(None, now) is None
    change = report.changes(then, now)
    assert change is not None
    assert change.new_facts == 5
    assert change.opened == ["concern-unaddressed K-2"]
    assert change.closed == []
    assert [(x.label, x.before, x.now) for x in change.by_rule] == [("concern-unaddressed", 0, 1)]
    figures = {x.label: (x.before, x.now) for x in change.figures}
    assert figures["Open findings"] == (2, 3)
    assert figures["Children enrolled"] == (3, 2)
    # A public summary keeps counts only, so no finding is compared by reference.
    public = report.summary(r, profile, episodes, DAY, audience="public", size=45, root="bb")
    assert public.open == []
    change = report.changes(then, public)
    assert change is not None and change.opened == [] and not change.compared_findings
    assert report.decode_summary(report.encode_summary(now)) == now
    assert report.decode_summary(b"not json") is None


# --- building: pages, what changed, the policy text, the output folder ------------------------


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_ledger(tmp_path_factory.mktemp("small"), PROFILE, history())


def test_a_second_build_says_what_changed(small: Path, tmp_path: Path) -> None:
    out = tmp_path / "site"
    first = build_site(small, out, "committee", d("2025-10-31"))
    assert first.warnings == []
    index = (out / "index.html").read_text()
    assert "first build of the site in this folder" in index
    summary = json.loads((out / SUMMARY_FILE).read_text())
    assert summary["open"] == ["consent-missing P-2", "removal-follow-up-overdue P-3"]
    build_site(small, out, "committee", DAY)
    index = (out / "index.html").read_text()
    assert "Since the previous build (as of 31 October 2025)" in index
    assert "New open findings" in index and "K-2" in index
    assert json.loads((out / SUMMARY_FILE).read_text())["day"] == "2025-12-15"
    # The public edition says what changed in counts only.
    public = tmp_path / "public"
    build_site(small, public, "public", d("2025-10-31"))
    build_site(small, public, "public", DAY)
    text = (public / "index.html").read_text()
    assert "Since the previous build" in text
    assert not REFERENCE.search(text.encode())


def test_pages_link_findings_to_rules_and_policy_lines(small: Path, tmp_path: Path) -> None:
    out = tmp_path / "site"
    build_site(small, out, "committee", DAY)
    findings = (out / "findings.html").read_text()
    assert 'href="rules.html#consent-missing"' in findings
    assert "line 124" in findings  # the profile's cite for consent-missing
    text = (out / "policy-text.html").read_text()
    assert "How to add it" in text and "ledger.db.policy.txt" in text
    # A setting that supplies its policy text gets it as a page, and citations link to lines.
    policy = small.parent / (small.name + ".policy.txt")
    policy.write_text("".join(f"Paragraph {n} of our own policy.\n" for n in range(1, 151)))
    try:
        build_site(small, out, "committee", DAY)
    finally:
        policy.unlink()
    findings = (out / "findings.html").read_text()
    assert 'href="policy-text.html#line-124"' in findings
    assert "Paragraph 124 of our own policy." in findings
    text = (out / "policy-text.html").read_text()
    assert 'id="line-124"' in text and "Paragraph 150 of our own policy." in text


def test_charts_have_alt_text_and_both_schemes(small: Path, tmp_path: Path) -> None:
    out = tmp_path / "site"
    build_site(small, out, "committee", DAY)
    charts = 0
    for page in out.glob("*.html"):
        html = page.read_text()
        for img in re.findall(r"<img [^>]*>", html):
            if "chart" not in img:
                continue
            charts += 1
            alt = re.search(r'alt="([^"]*)"', img)
            assert alt is not None and len(alt.group(1)) > 40, img
            assert re.search(r'src="charts/[a-z-]+-(wide|narrow)-(light|dark)\.svg#only-', img)
        if "<img" in html and "chart" in html:
            assert "The numbers behind the chart" in html
    assert charts >= 4 * 4
    light = (out / "charts" / "consent-coverage-wide-light.svg").read_text()
    dark = (out / "charts" / "consent-coverage-wide-dark.svg").read_text()
    assert light != dark and "<svg" in dark


def test_offline_nothing_from_the_internet(small: Path, tmp_path: Path) -> None:
    out = tmp_path / "site"
    build_site(small, out, "public", DAY)
    for page in out.glob("*.html"):
        html = page.read_text()
        assert not re.search(r'<(script|link|img)[^>]+(src|href)="(https?:)?//', html), page
        assert "fonts.googleapis" not in html
    assert (out / "search" / "search_index.js").is_file()  # search from file://


def test_refuses_a_folder_that_is_not_a_site(small: Path, tmp_path: Path) -> None:
    out = tmp_path / "mine"
    out.mkdir()
    (out / "thesis.docx").write_text("keep me")
    with pytest.raises(ValueError, match="already holds other files"):
        build_site(small, out, "committee", DAY)
    assert (out / "thesis.docx").read_text() == "keep me"
    output = io.StringIO()
    with pinned_now(), contextlib.redirect_stdout(output), contextlib.redirect_stderr(output):
        status = main(
            ["--db", str(small), "site", "build", "--out", str(out), "--audience", "committee"]
        )
    assert status == 2 and "already holds other files" in output.getvalue()


def test_the_command_asks_which_edition(small: Path, tmp_path: Path) -> None:
    """Without ``--audience`` nothing is built: the user chooses the committee or public edition
    (a default would publish references where counts were meant, or the reverse)."""
    out = tmp_path / "site"
    output = io.StringIO()
    with pinned_now(), contextlib.redirect_stdout(output), contextlib.redirect_stderr(output):
        status = main(["--db", str(small), "site", "build", "--out", str(out)])
    text = output.getvalue()
    assert status == 2, text
    assert "--audience" in text and "committee" in text and "public" in text, text
    assert "choose" in text, text
    assert not out.exists()


def test_the_command_builds_the_site(small: Path, tmp_path: Path) -> None:
    out = tmp_path / "site"
    output = io.StringIO()
    with pinned_now(), contextlib.redirect_stdout(output):
        status = main(
            ["--db", str(small), "site", "build", "--out", str(out), "--audience", "public"]
        )
    assert status == 0, output.getvalue()
    assert "Built the public site: 15 pages" in output.getvalue()
    assert (out / "index.html").is_file()


def test_page_count_does_not_grow_with_the_ledger(tmp_path: Path) -> None:
    profile = load_profile(PROFILE)
    built: dict[int, list[str]] = {}
    for events in (400, 4000):
        facts = list(scale(profile, setting="X", events=events, end=d("2026-11-20")))
        assert len(facts) == events
        folder = tmp_path / str(events)
        folder.mkdir()
        db = make_ledger(folder, PROFILE, facts)
        result = build_site(db, folder / "site", "committee", d("2026-11-20"))
        pages = sorted(
            str(p.relative_to(folder / "site")) for p in (folder / "site").rglob("*.html")
        )
        assert result.pages == len(pages)
        built[events] = pages
    assert built[400] == built[4000]


def test_a_ledger_with_almost_nothing_in_it(tmp_path: Path) -> None:
    facts: list[ev.Event] = [ev.PolicyAdopted(on=d("2026-01-05"), version="1")]
    db = make_ledger(tmp_path, "west-wycombe-preschool", facts)
    for audience, day in (("committee", d("2026-02-01")), ("public", d("2025-12-31"))):
        out = tmp_path / audience
        result = build_site(db, out, audience, day)
        assert result.pages == 15 and result.warnings == []
        assert "There are no open findings." in (out / "findings.html").read_text()
        assert "no closed group" in (out / "group.html").read_text()


# --- the site's numbers, saved; long lists bounded -------------------------------------------


def test_a_build_from_the_saved_numbers_is_the_same_site(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A build works the site's numbers out from the registers, and writes nothing to the
    ledger; once a follower has saved them, a build at the same head and day reads them back
    (nothing is worked out again) and makes the same files."""
    db = make_ledger(tmp_path, PROFILE, history())
    before = db.read_bytes()
    first = {a: build_site(db, tmp_path / f"{a}-1", a, DAY) for a in ("committee", "public")}
    assert all(not r.warnings for r in first.values())
    assert db.read_bytes() == before
    ledger = open_ledger(Config(db=str(db), key_path=Path(str(db) + ".key")))
    follow_sqlite(ledger, once=True, today=lambda: DAY)
    ledger.close()

    def not_again(*args: object) -> None:
        raise AssertionError("the saved numbers should have answered")

    monkeypatch.setattr(sitedata, "compute", not_again)
    for audience in ("committee", "public"):
        build_site(db, tmp_path / f"{audience}-2", audience, DAY)
        assert every_file(tmp_path / f"{audience}-1") == every_file(tmp_path / f"{audience}-2")


def test_open_findings_are_listed_oldest_first_up_to_a_limit_per_rule(tmp_path: Path) -> None:
    """However many findings are open, a page lists the oldest of each rule and counts the
    rest; every one of them is in the committee's spreadsheet file (never in the public's)."""
    concerns = 25  # raised and never addressed: each an open concern-unaddressed finding
    facts: list[ev.Event] = [
        ev.ConcernRaised(
            on=d("2025-10-01") + dt.timedelta(days=i), concern=f"K-{i}", category="other"
        )
        for i in range(1, concerns + 1)
    ]
    db = make_ledger(tmp_path, PROFILE, facts)
    out = tmp_path / "committee"
    build_site(db, out, "committee", DAY)
    page = (out / "findings.html").read_text()
    listed = {f"K-{i}" for i in range(1, concerns + 1) if f"<code>K-{i}</code>" in page}
    assert listed == {f"K-{i}" for i in range(1, OPEN_PER_RULE + 1)}  # the oldest
    assert f"{concerns - OPEN_PER_RULE:,} more open findings are not listed here" in page
    assert f'href="{OPEN_FILE}"' in page
    rows = list(csv.reader(io.StringIO((out / OPEN_FILE).read_text())))
    assert rows[0][:2] == ["rule", "subject"]
    assert sorted(row[1] for row in rows[1:]) == sorted(f"K-{i}" for i in range(1, concerns + 1))
    assert all(row[0] == "concern-unaddressed" for row in rows[1:])
    printed = (out / "report.html").read_text()
    assert f"{concerns - OPEN_PER_RULE_PRINTED:,} more open findings are not listed" in printed
    public = tmp_path / "public"
    build_site(db, public, "public", DAY)
    assert not (public / OPEN_FILE).exists()
    assert f"{concerns:,}" in (public / "findings.html").read_text()


def test_a_spreadsheet_cell_never_starts_a_formula() -> None:
    row = report.FindingRow(
        rule="concern-unaddressed",
        subject="K-1",
        since=DAY,
        age_days=3,
        status="open",
        resolved_on=None,
        resolution=None,
        detail='=HYPERLINK("http://example.org")',
    )
    rows = list(csv.reader(io.StringIO(open_findings_csv([row]))))
    assert rows[1][4] == "'" + row.detail


ISO_MOMENT = re.compile(r"\b\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2})?\S*)?\b")
RULE_LINK = re.compile(r"\[([a-z-]+)\]\(rules\.md#([a-z-]+)\)")


def words_of(page: str) -> str:
    """A page's Markdown without what stays machine-readable: the signed checkpoint note (in
    its code block), code spans (commands, file names) and link targets."""
    page = re.sub(r"```.*?```", "", page, flags=re.DOTALL)
    page = re.sub(r"`[^`\n]*`", "", page)
    return re.sub(r"\]\([^)]*\)", "]", page)


@pytest.mark.parametrize("audience", ["committee", "public"])
def test_dates_in_words_and_rules_by_their_titles(audience: str) -> None:
    """Dates and times on the pages read as words (30 June 2026; 30 June 2026 at 12:00 UTC),
    never raw ISO; every rule code shown beside its plain title, from the one table of titles
    (``projections.rules.titles``) the warnings use too."""
    from projections.rules.titles import TITLES, title
    from tests.test_pages import made, site_data

    data = site_data("south-woodham-preschool")
    files = made(data, "south-woodham-preschool", audience)  # type: ignore[arg-type]
    assert "31 March 2026" in files.pages["index.md"], "the day judged, in words"
    for name, page in files.pages.items():
        if not name.endswith(".md"):
            continue  # a download (the spreadsheet file) stays machine-readable
        text = words_of(page)
        assert ISO_MOMENT.findall(text) == [], (name, ISO_MOMENT.findall(text)[:3])
        for code in RULE_LINK.findall(page):
            assert f"{title(code[0])} (" in page, (name, code[0])
    assert title("consent-missing") == "A post shows a child without consent"
    assert set(TITLES) == set(ev.RULES)
    integrity = files.pages["integrity.md"]
    assert "31 March 2026 at 12:00 UTC" in integrity, integrity


def test_the_rules_page_titles_each_rule_from_the_one_table() -> None:
    """The hand-written rules page heads each rule with the plain title the warnings and the
    generated pages use, then its code (the anchor the pages link to)."""
    from projections.rules.titles import TITLES, title

    text = (Path(__file__).resolve().parent.parent / "site" / "rules.md").read_text()
    headings = re.findall(r"^### (.*) \{ #([a-z-]+) \}$", text, flags=re.MULTILINE)
    assert {code for _heading, code in headings} == set(TITLES)
    for heading, code in headings:
        assert heading == f"{title(code)} ({code})", heading
