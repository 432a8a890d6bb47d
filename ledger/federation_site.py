"""A federation's ONE transparency site (issue 16): ``ledger site build --federation FILE``.

The adapter, as ``ledger.site`` is for one setting: given each member's site inputs (gathered
from its own ledger by the service, ``ledger.site.inputs_of``: its numbers as its own build
gets them, saved by its follower when current, else worked out, judged against its own
profile; read one member at a time, as the build comes to it), it writes one site:

- ``index.md``: the federation's overview (``projections.pages.federation``), and
  ``members.csv`` beside it;
- ``<folder>/...``: each member's pages as its own site has them (``site/index.md``'s words
  and ``about.md`` included), in a folder named from its display name, in the menu under that
  name; its ``build-summary.json`` is kept there, so the next build says what changed;
- ``rules.md`` once, at the top, for every member (their pages link to ``../rules.md``).

Then ONE MkDocs build over all of it: the fixed cost of MkDocs (loading the theme, the search
index written once for every page) is paid once, whatever the number of members. The members'
charts are drawn meanwhile, from the moment each member's pages are made (``_Drawing``), and
each page's menu is pruned to its own member's pages (``FEATURES``).
"""

from __future__ import annotations

import concurrent.futures
import datetime as dt
import gc
import html
import multiprocessing
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from ledger import site
from ledger.site import AUDIENCES, CONFIG_FILE, SOURCES, SUMMARY_FILE, Audience, SiteInputs
from projections import charts, pages, report
from projections.pages import federation as fed_pages

__all__ = ["build"]

SHARED_PAGES = ("rules.md",)  # hand-written pages the members share, once at the top
# Material's menu in every page lists every page of the site: 15 a member, so at 50 members a
# page carried 750 menu entries (300 KB of it; the build's time and the site's size grew with
# the square of the members). Pruned, a page's menu holds its own member's pages, and every
# other member's section is one link to that member's overview.
FEATURES = ("navigation.prune",)


def build(
    name: str,
    members: Sequence[str],
    inputs: Iterable[SiteInputs],
    out: Path,
    *,
    audience: str,
    day: dt.date,
    progress: Callable[[int, int], None] | None = None,
) -> site.BuildReport:
    """Build the federation ``name``'s site, its ``members`` each under their own (display)
    name, into ``out`` (replacing an earlier build of a site there). ``inputs`` are the
    members' site inputs in their order, taken one at a time as each member's pages are made
    (so its charts are being drawn while the next member's ledger is read); whatever it
    raises stops the build, nothing written. ``progress`` is told each member's pages done,
    then MkDocs's build."""
    if audience not in AUDIENCES:
        raise ValueError(f"unknown audience {audience!r} (expected committee or public)")
    if not members:
        raise ValueError("the federation has no member")
    if not CONFIG_FILE.is_file() or not SOURCES.is_dir():
        raise ValueError(
            f"the site's sources are not beside the package ({CONFIG_FILE} and {SOURCES}):"
            " install the ledger from its repository with `pip install -e .` (as `make` does)"
        )
    out = out.expanduser().resolve()
    site.check_out(out)
    edition: Audience = "committee" if audience == "committee" else "public"
    folders = fed_pages.member_folders(list(members))
    total = len(members) + 1
    seconds: dict[str, float] = {"render": 0.0}
    summaries: dict[str, bytes] = {}
    figures: list[fed_pages.MemberFigures] = []
    with (
        tempfile.TemporaryDirectory(prefix="ledger-site-") as tmp,
        _Drawing(members=len(members)) as drawing,
    ):
        docs = Path(tmp) / "docs"
        shutil.copytree(
            SOURCES, docs, ignore=shutil.ignore_patterns("overrides", ".*", "__pycache__")
        )
        handwritten = (docs / "index.md").read_text(encoding="utf-8")
        about = (docs / "about.md").read_text(encoding="utf-8")
        (docs / "about.md").unlink()
        clock = time.perf_counter()
        drawn: list[str] = []  # the folder of each chart given to ``drawing``, in its order
        read = iter(inputs)
        for number, (member, folder) in enumerate(zip(members, folders, strict=True)):
            own = next(read, None)
            if own is None:
                raise ValueError(f"no site inputs for member {number + 1} of {len(members)}")
            previous = _read_summary(out / folder / SUMMARY_FILE)
            made = site.site_files(own, edition, previous, shared="../")
            files = dict(made.pages)
            files["index.md"] = _shared_links(handwritten).rstrip() + "\n\n" + files["index.md"]
            files["about.md"] = about
            where = docs / folder
            (where / "charts").mkdir(parents=True)
            for path, text in files.items():
                (where / path).write_text(text, encoding="utf-8")
            for chart in made.charts:
                for path in pages.chart_files_named(chart):
                    (where / path).touch()  # MkDocs checks each image is there: drawn below
                drawing.add(chart)
                drawn.append(folder)
            summaries[folder] = report.encode_summary(made.summary)
            figures.append(
                fed_pages.member_figures(
                    member,
                    folder,
                    own.data,
                    facts=site.head_report(own).size,
                    trend_chart=any(c.name == fed_pages.TREND_CHART for c in made.charts),
                )
            )
            if progress is not None:
                progress(number + 1, total)
        if next(read, None) is not None:
            raise ValueError(f"more site inputs than members ({len(members)})")
        (docs / "index.md").write_text(
            fed_pages.federation_page(name, figures, day=day, audience=edition),
            encoding="utf-8",
        )
        (docs / fed_pages.MEMBERS_FILE).write_text(fed_pages.members_csv(figures), encoding="utf-8")
        count = sum(1 for _ in docs.rglob("*.md"))
        seconds["render"] = time.perf_counter() - clock
        clock = time.perf_counter()
        # MkDocs builds the pages while the charts are drawn (in worker processes when it
        # pays): each chart's files are written over MkDocs's copy of its placeholder.
        warnings = site.run_mkdocs(
            docs,
            out,
            site_name=html.escape(f"{name}: policy ledger ({_edition(audience)})"),
            nav=_nav(members, folders),
            features=FEATURES,
        )
        seconds["mkdocs"] = time.perf_counter() - clock
        try:
            for folder, made_files in zip(drawn, drawing.results(), strict=True):
                for path, text in made_files.items():
                    (out / folder / path).write_text(text, encoding="utf-8")
        except Exception as exc:  # a chart that raised, a worker that died, a full disk
            # MkDocs's pages are there, some charts still its empty copies: a site that
            # would look complete. None is left.
            _discard(out)
            raise ValueError(
                f"a chart could not be drawn ({type(exc).__name__}: {exc}); the site was"
                f" not built, and {out.name} was left empty"
            ) from None
        seconds["charts"] = time.perf_counter() - clock  # MkDocs's build, then the charts
        (out / "404.html").unlink(missing_ok=True)
    for folder, summary in summaries.items():
        (out / folder / SUMMARY_FILE).write_bytes(summary)
    if progress is not None:
        progress(total, total)
    return site.BuildReport(
        pages=count, out=str(out), audience=audience, seconds=seconds, warnings=warnings
    )


# Most of a site's rendering time is drawing its charts (matplotlib, about 30 ms a chart and
# size). With several members and more than one core they are drawn in worker processes
# (forked from this one, so nothing is imported again), from the moment each member's pages
# are made: while the next member's ledger is read, and while MkDocs builds the pages in this
# process. A worker places a chart where one with the same texts and size was laid out before
# (``projections.charts``) if it drew that one itself: of the bench's 50 members' 498
# drawings, 106 are laid out by one process and, simulated, 144 to 152 by two workers.
# (Giving each kind of chart to a worker of its own, so that none is laid out twice, takes a
# pool a worker, each forked while the others' threads run: measured no quicker, and what
# CPython's own pool will not do.)
# Below PARALLEL_FROM members the charts are drawn in this process, after MkDocs's build, as a
# setting's own site draws them. (A worker drawing one member's charts while MkDocs builds
# would save about half a second; not done, so a one-member federation builds as one setting
# does: bench/README.md, "The federation's site".)
PARALLEL_FROM = 3


def _draw(chart: charts.Chart) -> dict[str, str]:
    return pages.chart_files(chart)


def _worker_starts() -> None:
    """A worker yields to this process (the build's pages, then MkDocs's: the longest single
    task, so it goes first; the workers take the rest of the machine, then all of it), and
    collects its garbage itself: what it was forked with is never walked again, and each
    chart's figures (cycles, all of them) are collected after it is drawn. Drawing takes
    about a tenth less time, and a worker's memory stays flat."""
    os.nice(10)
    gc.freeze()
    gc.disable()


def _draw_apart(chart: charts.Chart) -> dict[str, str]:
    """``_draw``, in a worker: then its garbage collected (``_worker_starts``)."""
    try:
        return _draw(chart)
    finally:
        gc.collect(1)


def _workers(members: int) -> int:
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return min(cores or 1, members) if members >= PARALLEL_FROM else 1


class _Drawing:
    """The charts' files, in the order the charts were added: drawn by worker processes from
    the moment each is added, when it pays, else here when they are asked for."""

    def __init__(self, *, members: int) -> None:
        self._charts: list[charts.Chart] = []  # drawn here
        self._drawn: list[concurrent.futures.Future[dict[str, str]]] = []  # by the workers
        self._workers: concurrent.futures.ProcessPoolExecutor | None = None
        workers = _workers(members)
        if workers > 1 and "fork" in multiprocessing.get_all_start_methods():
            # One pool: its workers are all forked at its first chart, before it starts the
            # thread that feeds them (a process is not forked while this one has threads).
            self._workers = concurrent.futures.ProcessPoolExecutor(
                workers,
                mp_context=multiprocessing.get_context("fork"),
                initializer=_worker_starts,
            )

    def __enter__(self) -> _Drawing:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._workers is not None:
            self._workers.shutdown(cancel_futures=True)

    def add(self, chart: charts.Chart) -> None:
        if self._workers is None:
            self._charts.append(chart)
            return
        try:
            self._drawn.append(self._workers.submit(_draw_apart, chart))
        except concurrent.futures.BrokenExecutor as exc:  # a worker died: no use going on
            raise ValueError(
                f"a chart could not be drawn ({type(exc).__name__}: {exc}); the site was"
                " not built, and nothing was written"
            ) from None

    def results(self) -> Iterator[dict[str, str]]:
        if self._workers is None:
            yield from map(_draw, self._charts)
            return
        for drawn in self._drawn:
            yield drawn.result()


def _discard(out: Path) -> None:
    """Empty ``out`` (a site MkDocs built there, its charts not all drawn); the folder stays."""
    for child in out.iterdir():
        if child.is_dir() and not child.is_symlink():
            shutil.rmtree(child)
        else:
            child.unlink()


def _edition(audience: str) -> str:
    return "committee edition" if audience == "committee" else "public edition"


def _shared_links(text: str) -> str:
    """The hand-written overview's words, its links to the shared pages made relative."""
    for page in SHARED_PAGES:
        text = text.replace(f"]({page}", f"](../{page}")
    return text


def _read_summary(path: Path) -> report.BuildSummary | None:
    try:
        return report.decode_summary(path.read_bytes())
    except OSError:
        return None


def _nav(members: Sequence[str], folders: Sequence[str]) -> list[object]:
    """The menu: the federation's overview, each member's pages under its name (the menu of a
    setting's own site, mkdocs.yml's, in its folder), then the pages they share."""
    from mkdocs.utils.yaml import yaml_load

    with CONFIG_FILE.open(encoding="utf-8") as f:
        own = yaml_load(f)["nav"]
    out: list[object] = [{"Federation overview": "index.md"}]
    for member, folder in zip(members, folders, strict=True):
        # The theme writes a menu title into its HTML as it is: escaped here.
        out.append({html.escape(member): _under(own, folder)})
    out.append({"How each rule is judged": SHARED_PAGES[0]})
    return out


def _under(items: list[Any], folder: str) -> list[object]:
    """A menu's items with every page in ``folder``; the shared pages left out."""
    out: list[object] = []
    for item in items:
        ((title, value),) = item.items()
        if isinstance(value, list):
            out.append({title: _under(value, folder)})
        elif value not in SHARED_PAGES:
            out.append({title: f"{folder}/{value}"})
    return out
