"""The demo ledger's committee site in a real browser (Debian's Chromium), opened from file://.

No console errors; no request outside the site's folder; search finds a known finding; the
palette toggle switches to the dark scheme and back; screenshots at laptop and phone size (in
``build/screenshots/``); and axe finds nothing serious or critical on two pages in either scheme.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
REPOSITORY = Path(__file__).resolve().parent.parent
SCREENSHOTS = REPOSITORY / "build" / "screenshots"
NOW = "2026-11-21T09:00:00"  # the demo's "today"
PALETTE_TOGGLE = "form[data-md-component='palette'] label:not([hidden])"


@contextlib.contextmanager
def pinned_now() -> Iterator[None]:
    old = os.environ.get("LEDGER_NOW")
    os.environ["LEDGER_NOW"] = NOW
    try:
        yield
    finally:
        if old is None:
            del os.environ["LEDGER_NOW"]
        else:
            os.environ["LEDGER_NOW"] = old


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if not CHROMIUM.exists():
        if os.environ.get("CI") == "true":
            pytest.fail("CI must install Chromium (.ci/run does) for the browser tests")
        pytest.skip("Chromium is not installed: apt-get install chromium (CI installs it)")
    from ledger.cli import main

    folder = tmp_path_factory.mktemp("browser")
    db, out = folder / "demo.db", folder / "committee-site"
    output = io.StringIO()
    with pinned_now(), contextlib.redirect_stdout(output), contextlib.redirect_stderr(output):
        assert main(["--db", str(db), "demo"]) == 0, output.getvalue()
        status = main(
            ["--db", str(db), "site", "build", "--out", str(out), "--audience", "committee"]
        )
    assert status == 0, output.getvalue()
    return out


@pytest.fixture(scope="module")
def public_site(site: Path) -> Path:
    """The public edition of the same demo ledger, built beside the committee one."""
    from ledger.cli import main

    db, out = site.parent / "demo.db", site.parent / "public-site"
    output = io.StringIO()
    with pinned_now(), contextlib.redirect_stdout(output), contextlib.redirect_stderr(output):
        status = main(["--db", str(db), "site", "build", "--out", str(out), "--audience", "public"])
    assert status == 0, output.getvalue()
    return out


def every_page(folder: Path) -> list[str]:
    """Every HTML page of a built site, generated and hand-written (Material's 404 page aside:
    it is shown only by a web server, never opened from the stick)."""
    return sorted(p.name for p in folder.glob("*.html") if p.name != "404.html")


# Measured in the page: what of a table's text is cut off. A table may be wider than its box
# only when the box scrolls sideways and shows the cue (its shadow, class ``scrolls``) with the
# first column kept in view (sticky). The page itself never scrolls sideways, and the header's
# title is not cut.
CLIPPED = """() => {
  const problems = [];
  const doc = document.documentElement;
  if (doc.scrollWidth > doc.clientWidth + 1) {
    problems.push(`the page scrolls sideways: ${doc.scrollWidth} > ${doc.clientWidth}`);
  }
  const title = document.querySelector(".md-header__title .md-ellipsis");
  if (title && title.offsetParent !== null && title.scrollWidth > title.clientWidth + 1) {
    problems.push(`the header title is cut: ${title.textContent.trim()}`);
  }
  document.querySelectorAll("article table").forEach((table, i) => {
    const box = table.closest(".md-typeset__scrollwrap") || table.parentElement;
    if (table.offsetParent === null) return;  // hidden (a closed details block)
    const name = `table ${i + 1} (${(table.querySelector("th") || {}).textContent})`;
    if (table.scrollWidth <= box.clientWidth + 1) {
      const cells = table.querySelectorAll("th, td");
      for (const cell of cells) {
        if (cell.scrollWidth > cell.clientWidth + 1) {
          problems.push(`${name}: a cell's text is cut: ${cell.textContent.slice(0, 40)}`);
          break;
        }
      }
      return;
    }
    const style = getComputedStyle(box);
    if (!["auto", "scroll"].includes(style.overflowX)) {
      problems.push(`${name} is cut off: ${table.scrollWidth} > ${box.clientWidth}`);
      return;
    }
    if (!box.classList.contains("scrolls")) {
      problems.push(`${name} scrolls without a visible cue`);
    }
    const first = table.querySelector("tbody tr td:first-child");
    if (first && getComputedStyle(first).position !== "sticky") {
      problems.push(`${name} scrolls, and its key column scrolls away with it`);
    }
  });
  return problems;
}"""


@pytest.mark.parametrize("edition", ["committee", "public"])
def test_every_page_on_every_screen(
    site: Path, public_site: Path, browser: object, edition: str
) -> None:
    """Every page of both editions, at laptop (1280x800) and phone (390x844) size: no table's
    text cut off, the page never scrolls sideways, no console error (from file://), and axe
    finds nothing (any impact) in either colour scheme."""
    from axe_playwright_python.sync_playwright import Axe

    folder = site if edition == "committee" else public_site
    names = every_page(folder)
    assert {"index.html", "findings.html", "rules.html", "about.html"} <= set(names)
    problems: list[str] = []
    screens = [
        ({"width": 1280, "height": 800}, False, "light"),
        ({"width": 390, "height": 844}, True, "dark"),
    ]
    errors: list[str] = []  # the console errors of the page being checked
    for viewport, phone, scheme in screens:
        context = browser.new_context(  # type: ignore[attr-defined]
            viewport=viewport, is_mobile=phone, has_touch=phone, color_scheme=scheme
        )
        page = context.new_page()
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        for name in names:
            errors.clear()
            page.goto((folder / name).as_uri())
            page.wait_for_load_state("load")
            page.wait_for_timeout(150)  # Material's scripts wrap the tables after load
            where = f"{edition} {name} at {viewport['width']} px"
            problems += [f"{where}: {problem}" for problem in page.evaluate(CLIPPED)]
            # The page's own errors, before axe runs: axe itself reads the stylesheets with
            # XMLHttpRequest, which Chromium refuses from file:// (its errors, not the site's).
            problems += [f"{where}: console error {error}" for error in errors]
            # No preload: axe would read the stylesheets with XMLHttpRequest, which Chromium
            # refuses from file:// (errors of axe's, in the console of the next page).
            checked = Axe().run(page, options={"resultTypes": ["violations"], "preload": False})
            for violation in checked.response["violations"]:
                targets = [node["target"] for node in violation["nodes"]][:3]
                problems.append(f"{where}: axe {violation['id']} ({violation['impact']}) {targets}")
        context.close()
    assert problems == [], "\n".join(problems)


@pytest.fixture(scope="module")
def browser(site: Path) -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield chromium
        chromium.close()


def under(url: str, folder: Path) -> bool:
    """Whether a request URL is a file inside the site's folder (query and fragment ignored)."""
    parsed = urlparse(url)
    if parsed.scheme != "file":
        return False
    path = Path(unquote(parsed.path)).resolve()
    return path == folder.resolve() or folder.resolve() in path.parents


def test_offline_search_dark_mode_and_screenshots(site: Path, browser: object) -> None:
    known = json.loads((site / "build-summary.json").read_text())["open"]
    assert known, "the demo has open findings to search for"
    rule, subject = known[0].split(" ", 1)
    context = browser.new_context(  # type: ignore[attr-defined]
        viewport={"width": 1280, "height": 900}, color_scheme="light"
    )
    page = context.new_page()
    requests: list[str] = []
    errors: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))

    page.goto((site / "index.html").as_uri())
    page.wait_for_load_state("load")
    assert page.title().startswith("Sunflowers")
    scheme = "document.body.getAttribute('data-md-color-scheme')"
    assert page.evaluate(scheme) == "default"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "overview-light.png"), full_page=True)

    # Search, from file://, for a finding the demo is known to have open.
    page.fill("input.md-search__input", subject)
    results = page.locator(".md-search-result__item")
    results.first.wait_for(timeout=15_000)
    texts = results.all_inner_texts()
    assert any(subject in text for text in texts), texts
    page.fill("input.md-search__input", rule)
    results.first.wait_for(timeout=15_000)
    assert any(rule in text for text in results.all_inner_texts())
    page.keyboard.press("Escape")

    # The palette toggle switches the scheme, and back.
    page.click(PALETTE_TOGGLE)
    page.wait_for_function(f"{scheme} === 'slate'")
    page.screenshot(path=str(SCREENSHOTS / "overview-dark.png"), full_page=True)
    page.click(PALETTE_TOGGLE)
    page.wait_for_function(f"{scheme} === 'default'")

    for name in ("findings.html", "consent.html", "report.html"):
        page.goto((site / name).as_uri())
        page.wait_for_load_state("load")
    page.screenshot(path=str(SCREENSHOTS / "report-light.png"), full_page=True)

    phone = browser.new_context(  # type: ignore[attr-defined]
        viewport={"width": 390, "height": 844},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        color_scheme="light",
    )
    small = phone.new_page()
    small.on("request", lambda request: requests.append(request.url))
    small.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    small.on("pageerror", lambda exc: errors.append(str(exc)))
    small.goto((site / "index.html").as_uri())
    small.wait_for_load_state("load")
    small.screenshot(path=str(SCREENSHOTS / "overview-phone.png"), full_page=True)
    phone.close()
    context.close()

    assert errors == [], errors
    outside = [url for url in requests if not under(url, site)]
    assert outside == [], f"requests outside the site's folder: {outside}"
    assert len(requests) > 10  # the pages, styles, scripts, charts and search index
    for shot in ("overview-light", "overview-dark", "overview-phone", "report-light"):
        assert (SCREENSHOTS / f"{shot}.png").stat().st_size > 10_000


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_no_serious_accessibility_problems(site: Path, browser: object, scheme: str) -> None:
    from axe_playwright_python.sync_playwright import Axe

    context = browser.new_context(  # type: ignore[attr-defined]
        viewport={"width": 1280, "height": 900}, color_scheme=scheme
    )
    page = context.new_page()
    problems: list[str] = []
    for name in ("index.html", "findings.html"):
        page.goto((site / name).as_uri())
        page.wait_for_load_state("load")
        expected = "slate" if scheme == "dark" else "default"
        assert page.evaluate("document.body.getAttribute('data-md-color-scheme')") == expected
        for violation in Axe().run(page).response["violations"]:
            if violation["impact"] in ("serious", "critical"):
                targets = [node["target"] for node in violation["nodes"]][:3]
                problems.append(f"{name}: {violation['id']} ({violation['impact']}) {targets}")
    context.close()
    assert problems == [], problems
