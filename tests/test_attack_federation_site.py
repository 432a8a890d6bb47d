"""Adversarial review of a federation site's charts drawn in worker processes while MkDocs
builds (``ledger.federation_site``): a chart that raises, a worker that dies, MkDocs that
fails. The user must get a clear refusal (exit 2, no traceback), never a site that looks
complete with empty charts, and no worker left running."""

from __future__ import annotations

import contextlib
import multiprocessing
import os
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
