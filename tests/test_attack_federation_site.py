"""Adversarial review of a federation site's charts drawn in worker processes while MkDocs
builds (``ledger.federation_site``): a chart that raises, a worker that dies, MkDocs that
fails. The user must get a clear refusal (exit 2, no traceback), never a site that looks
complete with empty charts, and no worker left running."""

from __future__ import annotations

import concurrent.futures
import contextlib
import multiprocessing
import os
import shutil
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from ledger import federation, federation_site, site
from ledger.service import publishing
from ledger.service.errors import Refusal
from ledger.store import system_clock
from projections import charts, pages
from tests import test_federation_site
from tests.conftest import NOW
from tests.test_federation_site import Fed, every_file
from tests.test_privacy_and_refusals import pinned_now, run

federated = test_federation_site.fed  # its module's three members' sites, as ``federated``

# Chart name to "raises" or "dies", set before the workers are forked (a worker is given
# ``_failing_draw`` by its name, so it must be this module's, not a test's own function).
_FAIL: dict[str, str] = {}


def _failing_draw(chart: charts.Chart) -> dict[str, str]:
    how = _FAIL.get(chart.name)
    if how == "dies":
        os._exit(9)  # as the kernel's OOM killer would
    if how == "raises":
        raise RuntimeError("no room to draw")
    return pages.chart_files(chart)


def _one_chart_name(federated: Fed) -> str:
    drawn = sorted(p.name for p in (federated.sites["committee"]).rglob("charts/*.svg"))
    assert drawn
    return drawn[0].rsplit("-", 2)[0]  # <name>-<variant>-<scheme>.svg


def _no_site(out: Path) -> None:
    """Nothing there that looks like a built site: no page, no empty chart."""
    assert not (out / "index.html").exists()
    left = every_file(out) if out.exists() else {}
    assert not [k for k in left if k.endswith(".html")], sorted(left)[:5]
    assert not [k for k in left if k.endswith(".svg") and not left[k]], sorted(left)[:5]


# (a chart drawn in this process cannot die alone: "dies" only with workers)
@pytest.mark.parametrize(("failure", "workers"), [("raises", 1), ("raises", 2), ("dies", 2)])
def test_a_chart_that_cannot_be_drawn_is_refused_and_leaves_no_site(
    federated: Fed, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, workers: int, failure: str
) -> None:
    monkeypatch.setitem(_FAIL, _one_chart_name(federated), failure)
    monkeypatch.setattr(federation_site, "_draw", _failing_draw)
    monkeypatch.setattr(federation_site, "_workers", lambda members: workers)
    loaded = federation.load(federated.file)
    out = tmp_path / "site"
    with (
        pinned_now(),
        contextlib.chdir(federated.folder),
        pytest.raises(Refusal, match="chart") as refused,
    ):
        publishing.federation_site_build(loaded, out, audience="committee", clock=system_clock)
    assert "Traceback" not in str(refused.value)
    assert "no room to draw" in str(refused.value) if failure == "raises" else True
    _no_site(out)
    assert multiprocessing.active_children() == []


def test_the_command_says_so_and_exits_2_when_a_worker_dies(
    federated: Fed, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(_FAIL, _one_chart_name(federated), "dies")
    monkeypatch.setattr(federation_site, "_draw", _failing_draw)
    monkeypatch.setattr(federation_site, "_workers", lambda members: 2)
    monkeypatch.chdir(federated.folder)
    monkeypatch.setenv("LEDGER_NOW", NOW.isoformat())
    out = tmp_path / "site"
    status, said = run(
        "site",
        "build",
        "--federation",
        str(federated.file),
        "--out",
        str(out),
        "--audience",
        "committee",
    )
    assert status == 2, said
    assert "Traceback" not in said and "chart" in said, said
    _no_site(out)


def test_mkdocs_failing_stops_the_workers_and_is_refused(
    federated: Fed, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def fails(*_: object, **__: object) -> list[str]:
        raise ValueError("MkDocs could not build the site: a test's failure")

    monkeypatch.setattr(site, "run_mkdocs", fails)
    monkeypatch.setattr(federation_site, "_workers", lambda members: 2)
    loaded = federation.load(federated.file)
    with (
        pinned_now(),
        contextlib.chdir(federated.folder),
        pytest.raises(Refusal, match="MkDocs could not build"),
    ):
        publishing.federation_site_build(
            loaded, tmp_path / "site", audience="committee", clock=system_clock
        )
    assert multiprocessing.active_children() == []


def test_a_member_that_cannot_be_read_after_others_charts_began_stops_the_workers(
    federated: Fed, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Members are read one at a time, their charts drawn meanwhile: the fourth member's
    ledger missing, with the first three's charts already being drawn in workers, is refused
    (its name and where it was looked for), no worker is left running, and the earlier site
    is left byte for byte."""
    monkeypatch.setattr(federation_site, "_workers", lambda members: 2)
    drawn: list[str] = []
    monkeypatch.setattr(
        federation_site._Drawing,
        "add",
        _counted(federation_site._Drawing.add, drawn),
    )
    missing = tmp_path / "nowhere.db"
    file = federated.folder / "fourth-missing.toml"
    file.write_text(
        federated.file.read_text()
        + f'\n[[members]]\nname = "Willow Nursery"\nledger = "{missing}"\n'
    )
    out = tmp_path / "earlier"
    shutil.copytree(federated.sites["public"], out)
    before = every_file(out)
    with (
        pinned_now(),
        contextlib.chdir(federated.folder),
        pytest.raises(Refusal, match="Willow Nursery") as refused,
    ):
        publishing.federation_site_build(
            federation.load(file), out, audience="public", clock=system_clock
        )
    assert "nowhere.db" in str(refused.value)
    assert len(drawn) >= 3 * 4  # three members' charts were given to the workers first
    assert multiprocessing.active_children() == []
    assert every_file(out) == before
    assert not missing.exists()


def _counted(add: Callable[..., None], seen: list[str]) -> Callable[..., None]:
    def counted(self: object, chart: charts.Chart) -> None:
        seen.append(chart.name)
        add(self, chart)

    return counted


def test_a_worker_collects_each_charts_figures_and_yields_to_the_build() -> None:
    """A worker runs with the collector off (``_worker_starts``): each chart's figures, all
    of them cycles, are collected after it is drawn, so none is left however many it draws;
    and it runs at a lower priority than the build that forked it."""
    context = multiprocessing.get_context("fork")
    with concurrent.futures.ProcessPoolExecutor(
        1, mp_context=context, initializer=federation_site._worker_starts
    ) as worker:
        chart = charts.monthly(
            "m", ["2026-01", "2026-02"], [("a", [1, 2]), ("b", [2, 1])], alt="a", ylabel="y"
        )
        for _ in range(3):
            drawn = worker.submit(federation_site._draw_apart, chart).result()
            assert sorted(drawn) == sorted(pages.chart_files_named(chart))
        left, enabled, niceness = worker.submit(_figures_left).result()
    assert (left, enabled) == (0, False)
    assert niceness > os.nice(0)


def _figures_left() -> tuple[int, bool, int]:
    import gc

    from matplotlib.figure import Figure

    return (
        sum(1 for o in gc.get_objects() if isinstance(o, Figure)),
        gc.isenabled(),
        os.nice(0),
    )


def test_a_chart_given_after_a_worker_died_stops_the_build_at_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Members' charts are given to the workers as each member is read: once a worker has
    died, the next chart given to it says so (the build stops there, nothing yet written)
    instead of the build going on to MkDocs for a site it cannot finish."""
    monkeypatch.setitem(_FAIL, "dies", "dies")
    monkeypatch.setattr(federation_site, "_draw", _failing_draw)
    monkeypatch.setattr(federation_site, "_workers", lambda members: 2)

    def chart(name: str) -> charts.Chart:
        return charts.monthly(name, ["2026-01"], [("a", [1.0])], alt="a", ylabel="y")

    with federation_site._Drawing(members=3) as drawing:
        drawing.add(chart("dies"))  # its worker dies, and with it the pool
        with pytest.raises(ValueError, match="a chart could not be drawn") as refused:
            for _ in range(200):  # until the pool knows its worker is gone
                time.sleep(0.05)
                drawing.add(chart("fine"))
        assert "nothing was written" in str(refused.value)
    assert multiprocessing.active_children() == []
