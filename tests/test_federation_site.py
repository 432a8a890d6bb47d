"""A federation's ONE site (issue 16): ``ledger site build --federation FILE``.

Three members with distinct display names, profiles and histories (real SQLite files, or
real PostgreSQL schemas), names of people put into every name field:

- each member's pages are under its own folder, in the menu under its name, and link to the
  one shared ``rules.html``; MkDocs warns of nothing (no broken link);
- the overview lists every member with the counts its own ``ledger findings`` gives, the
  most overdue first;
- the one search index covers the overview and every member's pages;
- no part of any person's name in any file of either edition, and no reference at all in the
  public edition (the committee edition does show references: the check is not vacuous);
- a federation file the program cannot use, or a member whose ledger is missing: exit 2, the
  line and field (or the member's name and where its ledger was looked for), nothing written.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import io
import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import msgspec
import pytest

from ledger import federation
from ledger.service import publishing
from ledger.site import BuildReport
from ledger.store import system_clock
from projections import report
from projections.pages.federation import (
    OVERDUE_AFTER_DAYS,
    RESERVED,
    MemberFigures,
    federation_page,
    member_folders,
    most_overdue_first,
)
from projections.pages.federation import members_csv as members_csv_text
from tests.conftest import NOW, STORES, config_for, fresh_db, is_postgres, untouched
from tests.test_privacy_and_refusals import named_history, pinned_now, record_ledger, run

# Names shaped like real ones; the q and z keep them apart from any word the site prints.
CHOSEN = ["Amaqra Bellzini", "Corqet Duzzell", "Evqana Fiozra", "Golqin Hazzeby"]
PARTS = sorted({part for name in CHOSEN for part in [name, *name.split(" ")]})
REFERENCE = re.compile(rb"\b[CGSPKD]-\d+")
# Display names: distinct, one of them full of what HTML and Markdown would read as markup.
MEMBERS = [
    ("Sandbank Nursery School", "sandbank-valley-federation", 11),
    ("Valley Nursery School", "stepping-stones-nursery", 22),
    ("Oak <b>& [Elm]* Pre-School", "south-woodham-preschool", 33),
]
FOLDERS = ["sandbank-nursery-school", "valley-nursery-school", "oak-b-elm-pre-school"]
MEMBER_PAGES = [
    "index.html",
    "report.html",
    "findings.html",
    "consent.html",
    "posts.html",
    "removals.html",
    "group.html",
    "friendships.html",
    "concerns.html",
    "policy.html",
    "policy-text.html",
    "policy-lines.html",
    "integrity.html",
    "about.html",
]


class Fed(msgspec.Struct):
    folder: Path
    file: Path
    dbs: list[str]
    sites: dict[str, Path]  # audience to the built site
    reports: dict[str, BuildReport]


def toml_text(text: str) -> str:
    return json.dumps(text)  # a TOML basic string is a JSON string


@pytest.fixture(scope="module", params=STORES)
def fed(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Fed]:
    folder = tmp_path_factory.mktemp("federation")
    with contextlib.ExitStack() as stack:
        stack.enter_context(pinned_now())
        stack.enter_context(contextlib.chdir(folder))  # a PostgreSQL ledger's key is here
        dbs: list[str] = []
        lines = ['name = "Sandbank, Valley and Oak"', ""]
        for number, (name, profile, seed) in enumerate(MEMBERS):
            db = stack.enter_context(fresh_db(request.param, folder, f"member{number}.db"))
            facts = named_history(profile, seed, CHOSEN)
            assert any(getattr(f, "name", None) in CHOSEN for f in facts)
            record_ledger(config_for(db, folder), profile, facts)
            dbs.append(db)
            where = db if is_postgres(db) else Path(db).name  # a file: relative to fed.toml
            lines += ["[[members]]", f"name = {toml_text(name)}", f"ledger = {toml_text(where)}"]
        file = folder / "fed.toml"
        file.write_text("\n".join(lines) + "\n")
        loaded = federation.load(file)
        sites: dict[str, Path] = {}
        reports: dict[str, BuildReport] = {}
        for audience in ("committee", "public"):
            sites[audience] = folder / f"site-{audience}"
            reports[audience] = publishing.federation_site_build(
                loaded, sites[audience], audience=audience, clock=system_clock
            )
        yield Fed(folder, file, dbs, sites, reports)


def every_file(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def members_csv(site: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO((site / "members.csv").read_text())))


def test_each_members_pages_are_under_its_name_in_one_site(fed: Fed) -> None:
    for audience, site in fed.sites.items():
        assert fed.reports[audience].warnings == []  # every link resolves, nothing missing
        for folder in FOLDERS:
            for page in MEMBER_PAGES:
                assert (site / folder / page).is_file(), f"{audience}: {folder}/{page}"
            # Its own numbers, charts and checkpoint; the rules page is the one shared page.
            assert (site / folder / "charts").is_dir()
            # Each chart drawn (over the empty file MkDocs was given to copy), every one its
            # page shows.
            drawn = {p.name: p.read_text() for p in (site / folder / "charts").iterdir()}
            assert len(drawn) >= 8, drawn.keys()
            for chart, svg in drawn.items():
                assert svg.startswith("<?xml") and svg.rstrip().endswith("</svg>"), chart
            shown = re.findall(r'src="charts/([^"#]+)', (site / folder / "index.html").read_text())
            assert shown and set(shown) <= set(drawn)
            assert (site / folder / "checkpoint.txt").is_file()
            assert not (site / folder / "rules.html").exists()
            findings = (site / folder / "findings.html").read_text()
            assert 'href="../rules.html#' in findings
        assert (site / "rules.html").is_file()
        assert not (site / "about.html").exists()  # each member's own, in its folder
        # One menu: the overview first, then each member under its display name.
        index = (site / "index.html").read_text()
        nav = index[index.index('class="md-nav md-nav--primary"') :]
        for (name, _profile, _seed), folder in zip(MEMBERS, FOLDERS, strict=True):
            shown = name.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            assert shown in nav, name
            # Pruned: another member's section is one link, to its overview, not its pages.
            assert f'href="{folder}/index.html"' in nav
            assert f'href="{folder}/findings.html"' not in nav
        assert nav.index("Federation overview") < nav.index("Sandbank Nursery School")
        # A member's page's menu lists its own pages, and no other member's: a page's size
        # does not grow with the number of members' pages.
        own = (site / FOLDERS[0] / "index.html").read_text()
        own_nav = own[own.index('class="md-nav md-nav--primary"') :]
        assert 'href="findings.html"' in own_nav
        for folder in FOLDERS[1:]:
            assert f'href="../{folder}/index.html"' in own_nav
            assert f'href="../{folder}/findings.html"' not in own_nav
        # The name full of markup is shown as text, never read as HTML or Markdown.
        assert "<b>" not in index and "Oak &lt;b&gt;&amp; [Elm]* Pre-School" in index
        # The committee edition's open findings of each member, beside its pages.
        assert (site / FOLDERS[0] / "open-findings.csv").is_file() == (audience == "committee")


def test_the_overview_counts_are_each_members_own_findings(fed: Fed) -> None:
    with pinned_now(), contextlib.chdir(fed.folder):
        own: dict[str, tuple[int, int]] = {}
        for (name, _profile, _seed), db in zip(MEMBERS, fed.dbs, strict=True):
            status, out = run("--db", db, "findings", "--json")
            assert status == 0, out
            found = json.loads(out)
            own[name] = (
                sum(1 for f in found if f["status"] == "open"),
                sum(1 for f in found if f["status"] == "resolved"),
            )
    # Distinct members: distinct numbers (else a mix-up of members could pass unnoticed).
    assert len(set(own.values())) == len(MEMBERS), own
    for audience, site in fed.sites.items():
        rows = members_csv(site)
        assert sorted(r["Member"] for r in rows) == sorted(own)
        for row in rows:
            assert (int(row["Open"]), int(row["Resolved"])) == own[row["Member"]], audience
            overdue = int(row[f"Open over {OVERDUE_AFTER_DAYS} days"])
            assert 0 <= overdue <= int(row["Open"])
        # The most overdue first.
        keys = [int(r[f"Open over {OVERDUE_AFTER_DAYS} days"]) for r in rows]
        assert keys == sorted(keys, reverse=True)
        # The page shows the same numbers, a row per member linked to its pages.
        index = (site / "index.html").read_text()
        index = index[index.index("<article") :]
        for row in rows:
            at = index.index(f'href="{row["Folder"]}/index.html"')
            cells = re.findall(r"<td[^>]*>([^<]*)</td>", index[at : at + 800])
            assert cells[:3] == [
                row["Open"],
                row[f"Open over {OVERDUE_AFTER_DAYS} days"],
                row["Resolved"],
            ]
        # Each member's own overview says the same.
        for row in rows:
            page = (site / row["Folder"] / "index.html").read_text()
            assert f"<strong>{int(row['Open']):,}</strong><span>open findings</span>" in page


def test_one_search_index_spans_every_member(fed: Fed) -> None:
    for site in fed.sites.values():
        index = json.loads((site / "search" / "search_index.json").read_text())
        places = {doc["location"].split("#")[0] for doc in index["docs"]}
        assert "index.html" in places and "rules.html" in places
        for folder in FOLDERS:
            for page in ("index.html", "findings.html", "integrity.html"):
                assert f"{folder}/{page}" in places
        # Nothing but the one index.
        assert sorted(p.name for p in site.rglob("search_index.json")) == ["search_index.json"]


def test_no_name_anywhere_and_no_reference_in_the_public_edition(fed: Fed) -> None:
    files = {audience: every_file(site) for audience, site in fed.sites.items()}
    for audience, contents in files.items():
        assert any(path.startswith("search/") for path in contents)
        assert "sitemap.xml" in contents
        for path, data in contents.items():
            lowered = data.lower()
            for part in PARTS:
                assert part.encode() not in data, f"{part!r} in {audience}/{path}"
                assert part.lower().encode() not in lowered, f"{part!r} in {audience}/{path}"
    for path, data in files["public"].items():
        found = REFERENCE.search(data)
        assert found is None, f"a reference {found.group()!r} in public/{path}"
    for folder in FOLDERS:  # the committee's pages do show references: the check above bites
        assert REFERENCE.search(files["committee"][f"{folder}/findings.html"])


def test_the_command_builds_it_and_ledger_federation_is_read_without_db(
    fed: Fed, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(fed.folder)
    monkeypatch.setenv("LEDGER_NOW", NOW.isoformat())
    # One member (the command's path, quickly), from the folder its key is found from.
    one = fed.folder / "one.toml"
    one.write_text(
        'name = "One of them"\n[[members]]\nname = "Valley Nursery School"\n'
        f"ledger = {toml_text(str(fed.dbs[1]) if is_postgres(fed.dbs[1]) else fed.dbs[1])}\n"
    )
    out = tmp_path / "site"
    status, said = run(
        "site", "build", "--federation", str(one), "--out", str(out), "--audience", "public"
    )
    assert status == 0, said
    assert "1 member," in said
    assert (out / "valley-nursery-school" / "findings.html").is_file()
    assert "One of them" in (out / "index.html").read_text()
    # LEDGER_FEDERATION, when --db is not given.
    monkeypatch.setenv("LEDGER_FEDERATION", str(one))
    again = tmp_path / "again"
    status, said = run("site", "build", "--out", str(again), "--audience", "public")
    assert status == 0, said
    assert (again / "valley-nursery-school" / "index.html").is_file()
    # With --db, the one setting's own site, as before.
    own = tmp_path / "own"
    status, said = run(
        "--db", fed.dbs[1], "site", "build", "--out", str(own), "--audience", "public"
    )
    assert status == 0, said
    assert (own / "findings.html").is_file() and not (own / "members.csv").exists()


def test_members_drawn_in_workers_build_the_same_site_as_one_after_another(
    fed: Fed, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """From three members on (with two cores) the members' pages are drawn in worker
    processes: the site is byte for byte the one drawn in this process, member by member."""
    from ledger import federation_site

    loaded = federation.load(fed.file)
    assert len(loaded.members) >= federation_site.PARALLEL_FROM
    monkeypatch.setattr(federation_site, "_workers", lambda members: 2)
    with pinned_now(), contextlib.chdir(fed.folder):
        publishing.federation_site_build(
            loaded, tmp_path / "workers", audience="committee", clock=system_clock
        )
        monkeypatch.setattr(federation_site, "_workers", lambda members: 1)
        publishing.federation_site_build(
            loaded, tmp_path / "alone", audience="committee", clock=system_clock
        )
    workers, alone = every_file(tmp_path / "workers"), every_file(tmp_path / "alone")
    assert [k for k in workers if workers[k] != alone.get(k)] == []
    assert workers == alone
    assert workers == every_file(fed.sites["committee"])  # and the fixture's own build


def test_a_federation_file_that_is_not_there_is_refused(tmp_path: Path) -> None:
    out = tmp_path / "site"
    message = refused_and_nothing_written(
        [
            "site",
            "build",
            "--federation",
            str(tmp_path / "none.toml"),
            "--out",
            str(out),
            "--audience",
            "public",
        ],
        out,
    )
    assert "none.toml" in message and "cannot read the federation file" in message


def refused_and_nothing_written(
    argv: list[str], out: Path, before: dict[str, bytes] | None = None
) -> str:
    status, said = run(*argv)
    assert status == 2, said
    assert "Traceback" not in said
    if before is None:
        assert not out.exists()
    else:
        assert every_file(out) == before
    return said


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ('name = "F"\ncolour = "blue"\n', ["line 2", "`colour`"]),
        ('name = "F"\n[[members]]\nname = "A"\n', ["line 2", "`ledger`"]),
        ('name = "F"\n[[members]]\nname = "A"\nledger = 3\n', ["line 4", "`ledger`"]),
        (
            'name = "F"\n[[members]]\nname = "A"\nledger = "a.db"\nwhere = "x"\n',
            ["line 5", "`where`"],
        ),
        ("name = \n", ["not valid TOML"]),
    ],
)
def test_a_bad_federation_file_is_refused_naming_the_line_and_field(
    tmp_path: Path, text: str, said: list[str]
) -> None:
    file = tmp_path / "fed.toml"
    file.write_text(text)
    out = tmp_path / "site"
    message = refused_and_nothing_written(
        ["site", "build", "--federation", str(file), "--out", str(out), "--audience", "committee"],
        out,
    )
    for words in said:
        assert words in message


def test_a_member_whose_ledger_is_missing_stops_the_build_and_writes_nothing(
    fed: Fed, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(fed.folder)
    missing = str(tmp_path / "nowhere.db")
    text = fed.file.read_text() + (
        f'\n[[members]]\nname = "Willow Nursery"\nledger = {toml_text(missing)}\n'
    )
    file = fed.folder / "with-a-missing-member.toml"
    file.write_text(text)
    # Over an earlier build: it stays as it was, byte for byte.
    out = tmp_path / "earlier"
    shutil.copytree(fed.sites["public"], out)
    before = every_file(out)
    message = refused_and_nothing_written(
        ["site", "build", "--federation", str(file), "--out", str(out), "--audience", "public"],
        out,
        before,
    )
    assert "Willow Nursery" in message and "nowhere.db" in message and "line" in message
    assert untouched(missing)  # not created either
    # A file that is not a ledger, and a member whose key is nowhere: the same, each named.
    garbage = tmp_path / "garbage.db"
    garbage.write_bytes(b"SQLite format 3\x00" + b"\xff" * 200)
    for name, ledger, said in [
        ("Rowan Nursery", str(garbage), "not a ledger"),
        ("Alder Nursery", fed.dbs[0], "signing key"),
    ]:
        extra = f'\n[[members]]\nname = "{name}"\nledger = {toml_text(ledger)}\n'
        if name == "Alder Nursery":  # the same ledger as member 1 is refused: its own copy
            extra += f'key_file = "{tmp_path / "no.key"}"\n'
            text = _without_first_member(fed.file.read_text())
        else:
            text = fed.file.read_text()
        file.write_text(text + extra)
        message = refused_and_nothing_written(
            ["site", "build", "--federation", str(file), "--out", str(out), "--audience", "public"],
            out,
            before,
        )
        assert name in message and said in message, message
    assert garbage.read_bytes() == b"SQLite format 3\x00" + b"\xff" * 200
    # A PostgreSQL member whose schema has no ledger: the same.
    if is_postgres(fed.dbs[0]):
        empty = fed.dbs[0].replace("schema=", "schema=nothing_here_")
        file.write_text(
            fed.file.read_text()
            + f'\n[[members]]\nname = "Hazel Nursery"\nledger = {toml_text(empty)}\n'
        )
        message = refused_and_nothing_written(
            ["site", "build", "--federation", str(file), "--out", str(out), "--audience", "public"],
            out,
            before,
        )
        assert "Hazel Nursery" in message and "no ledger" in message
        assert untouched(empty)


def _without_first_member(text: str) -> str:
    """The federation file's text without its first [[members]] table."""
    head, _, rest = text.partition("[[members]]")
    _, _, others = rest.partition("[[members]]")
    return head + "[[members]]" + others


# --- the overview's order and the members' folders (pure) --------------------------------------


def figures(name: str, *, overdue: int, oldest: int | None, open_: int) -> MemberFigures:
    return MemberFigures(
        name=name,
        folder=name.lower(),
        setting=None,
        facts=1,
        open=open_,
        overdue=overdue,
        resolved=0,
        oldest_days=oldest,
        profile="p",
        trend=[],
        trend_chart=False,
    )


def test_the_most_overdue_first_then_the_oldest_then_the_most_open() -> None:
    members = [
        figures("Quiet", overdue=0, oldest=None, open_=0),
        figures("Fresh", overdue=0, oldest=3, open_=9),
        figures("Late", overdue=2, oldest=40, open_=2),
        figures("Later", overdue=2, oldest=400, open_=2),
        figures("Latest", overdue=5, oldest=31, open_=5),
        figures("Fresher", overdue=0, oldest=3, open_=1),
    ]
    order = [m.name for m in most_overdue_first(members)]
    assert order == ["Latest", "Later", "Late", "Fresh", "Fresher", "Quiet"]
    assert [m.name for m in most_overdue_first(reversed(members))] == order


def test_member_folders_are_unique_plain_and_never_the_sites_own() -> None:
    names = ["Café Élan", "Cafe Elan", "CAFE-ELAN!", "Search", "", "Ω", "charts", "a" * 90]
    folders = member_folders(names)
    assert folders[:3] == ["cafe-elan", "cafe-elan-2", "cafe-elan-3"]
    assert len(set(folders)) == len(folders)
    assert not set(folders) & RESERVED
    assert folders[3] == "search-2" and folders[6] == "charts-2"
    assert folders[4] == "member" and folders[5] == "member-2"
    for folder in folders:
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", folder) and len(folder) <= 63


def test_the_overview_of_members_with_nothing_yet_and_a_hostile_name() -> None:
    quiet = figures("=HYPERLINK(1) Quiet", overdue=0, oldest=None, open_=0)
    month = report.MonthTrend("2026-05", 0, 0, 0)
    calm = msgspec.structs.replace(
        figures("Calm | Nursery", overdue=0, oldest=None, open_=0), trend=[month]
    )
    page = federation_page("F", [quiet, calm], day=dt.date(2026, 5, 31), audience="public")
    assert "Nothing recorded yet." in page
    assert "No finding began, was open or was resolved" in page
    assert "charts/" not in page  # no chart where the member's own pages drew none
    assert "Calm \\| Nursery" in page  # a table's bar, escaped: the row keeps its cells
    assert "Public edition" in page and "Committee edition" not in page
    rows = list(csv.reader(io.StringIO(members_csv_text([quiet, calm]))))
    assert rows[1][0].startswith("'=") or rows[2][0].startswith("'=")  # never a formula


def test_the_build_refuses_site_inputs_that_do_not_match_its_members(
    fed: Fed, tmp_path: Path
) -> None:
    """``federation_site.build`` takes the members' inputs one at a time, as it comes to each:
    one too few, or one too many, is an error, not a site with a member missing or left out."""
    from ledger import federation_site
    from ledger.site import inputs_of
    from ledger.store import open_ledger

    loaded = federation.load(fed.file)
    names = [member.name for member in loaded.members]
    with pinned_now(), contextlib.chdir(fed.folder):
        ledger = open_ledger(loaded.members[0].config())
        try:
            one = inputs_of(ledger, NOW.date(), "a key")
        finally:
            ledger.close()
    day = NOW.date()
    with pytest.raises(ValueError, match="no site inputs for member 2 of 3"):
        federation_site.build("F", names, [one], tmp_path / "a", audience="public", day=day)
    with pytest.raises(ValueError, match=r"more site inputs than members \(1\)"):
        federation_site.build(
            "F", names[:1], [one, one], tmp_path / "b", audience="public", day=day
        )
    assert not (tmp_path / "a").exists() and not (tmp_path / "b").exists()
