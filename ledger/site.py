"""The transparency site (DESIGN.md section 8): ``ledger site build``, the adapter.

The site is the hand-written pages in the repository's ``site/`` folder plus pages generated
from the projections at build time. The generated pages are a projection
(``projections.pages``: pure functions from the site's numbers to Markdown, CSV and SVG); this
module only gathers their inputs from the ledger (the numbers, the head checkpoint read and
checked here, the setting's policy text), writes the files and runs MkDocs. The generated pages
exist only in the build: ``site/`` is copied to a temporary folder, the generated files are
written there, and MkDocs (Material theme, the repository's ``mkdocs.yml``) builds the output
folder from it. Nothing but plain configuration drives the theme: no hooks, no plugins of ours.

The numbers come from ``Ledger.site_data``: saved with the position and day they are for
(``projections.sitedata``), or worked out from the registers when they do not answer.

Two editions: ``committee`` shows references, never a name; ``public`` shows counts only, no
references. Names never reach this module: the registers hold none, and nothing here reads an
event's ``name``.

A small JSON summary of each build is kept in the output folder (``build-summary.json``) so that
the next build into the same folder can say what changed.
"""

from __future__ import annotations

import datetime as dt
import html
import logging
import shutil
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import msgspec

from ledger.checkpoint import Checkpoint, Verifier
from ledger.cosignature import CosignatureVerifier, kept_line
from ledger.profile import Profile, coverage
from projections import charts, pages, report
from projections.pages import (
    AUDIENCES,
    CHECKPOINT_FILE,
    OPEN_FILE,
    OPEN_PER_RULE,
    OPEN_PER_RULE_PRINTED,
    POLICY_SUFFIX,
    PUBLIC_KEY_FILE,
    Audience,
    oldest_per_rule,
    open_findings_csv,
)
from projections.sitedata import SiteData

if TYPE_CHECKING:
    from ledger.store import Ledger

__all__ = [  # what callers import from here (the pages' names are also projections.pages')
    "AUDIENCES",
    "CHECKPOINT_FILE",
    "OPEN_FILE",
    "OPEN_PER_RULE",
    "OPEN_PER_RULE_PRINTED",
    "POLICY_SUFFIX",
    "PUBLIC_KEY_FILE",
    "SUMMARY_FILE",
    "Audience",
    "BuildReport",
    "SiteInputs",
    "build",
    "build_from",
    "head_report",
    "inputs_of",
    "oldest_per_rule",
    "open_findings_csv",
    "render",
    "site_files",
]

# The repository holds mkdocs.yml and site/ beside the ledger package (an editable install, as
# `make` does, imports the package from the repository itself).
REPOSITORY: Final = Path(__file__).resolve().parent.parent
CONFIG_FILE: Final = REPOSITORY / "mkdocs.yml"
SOURCES: Final = REPOSITORY / "site"
SUMMARY_FILE: Final = "build-summary.json"
POLICY_MAX_BYTES: Final = 2_000_000


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
    # The latest checkpoint witnesses cosigned (``ledger witness``): its size and, for each
    # witness, its published key and the note it cosigned (none: no witness yet).
    cosigned: tuple[tuple[int, str, str], ...] = ()


# --- entry points -------------------------------------------------------------------------------


def build(
    ledger: Ledger,
    out: Path,
    *,
    audience: str = "committee",
    day: dt.date,
    verifier_key: str,
    progress: Callable[[int, int], None] | None = None,
) -> BuildReport:
    """Build the site of ``ledger`` as of ``day`` into ``out`` (replacing an earlier build);
    ``progress`` is told each of the ``STEPS`` steps done (the numbers, the pages, MkDocs)."""
    started = time.perf_counter()
    if audience not in AUDIENCES:
        raise ValueError(f"unknown audience {audience!r} (expected committee or public)")
    _step(progress, 0)
    inputs = inputs_of(ledger, day, verifier_key)
    _step(progress, 1)
    projected = time.perf_counter() - started
    result = build_from(inputs, out, audience=audience, progress=progress)
    return msgspec.structs.replace(result, seconds={"projections": projected, **result.seconds})


def inputs_of(ledger: Ledger, day: dt.date, verifier_key: str) -> SiteInputs:
    """What the site of ``ledger`` as of ``day`` is made from: its numbers (saved by `ledger
    follow` or an earlier build, or worked out), its head checkpoint and its policy text."""
    latest = ledger.latest_checkpoint()
    if latest is None:
        raise ValueError("the ledger has no signed checkpoint yet")
    record = latest.record
    data = ledger.site_data(day)
    policy_text, policy_file = _policy_text(ledger)
    return SiteInputs(
        data=data,
        profile=ledger.profile,
        day=day,
        note=record.note,
        signed_at=record.signed_at,
        sequence=latest.sequence,
        verifier_key=verifier_key,
        policy_text=policy_text,
        policy_file=policy_file,
        cosigned=_latest_cosigned(ledger),
    )


STEPS = 4  # the site's numbers, the pages rendered, written, and built by MkDocs


def _step(progress: Callable[[int, int], None] | None, done: int) -> None:
    if progress is not None:
        progress(done, STEPS)


def _policy_text(ledger: Ledger) -> tuple[str | None, str]:
    """The setting's policy text, from ``<db>.policy.txt`` beside the ledger, if there is one."""
    if ledger.config.is_postgres:
        return None, "ledger" + POLICY_SUFFIX
    path = Path(ledger.config.db + POLICY_SUFFIX)
    if not path.is_file():
        return None, path.name
    data = path.read_bytes()[:POLICY_MAX_BYTES]
    return data.decode("utf-8", errors="replace").removeprefix("\ufeff"), path.name


def build_from(
    inputs: SiteInputs,
    out: Path,
    *,
    audience: str = "committee",
    progress: Callable[[int, int], None] | None = None,
) -> BuildReport:
    """Build the site from computed projections: numbers, charts, pages, then MkDocs."""
    if audience not in AUDIENCES:
        raise ValueError(f"unknown audience {audience!r} (expected committee or public)")
    if not CONFIG_FILE.is_file() or not SOURCES.is_dir():
        raise ValueError(
            f"the site's sources are not beside the package ({CONFIG_FILE} and {SOURCES}):"
            " install the ledger from its repository with `pip install -e .` (as `make` does)"
        )
    out = out.expanduser().resolve()
    check_out(out)
    seconds: dict[str, float] = {}
    clock = time.perf_counter()
    previous = _read_summary(out)
    edition: Audience = "committee" if audience == "committee" else "public"
    made = site_files(inputs, edition, previous)
    files = made.files()
    seconds["render"] = time.perf_counter() - clock  # the numbers, the charts, the Markdown
    _step(progress, 2)
    clock = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="ledger-site-") as tmp:
        docs = Path(tmp) / "docs"
        shutil.copytree(
            SOURCES, docs, ignore=shutil.ignore_patterns("overrides", ".*", "__pycache__")
        )
        handwritten = (docs / "index.md").read_text(encoding="utf-8")
        files["index.md"] = handwritten.rstrip() + "\n\n" + files["index.md"]
        (docs / "charts").mkdir(exist_ok=True)
        for name, text in files.items():
            (docs / name).write_text(text, encoding="utf-8")
        seconds["write"] = time.perf_counter() - clock
        _step(progress, 3)
        clock = time.perf_counter()
        count = sum(1 for _ in docs.rglob("*.md"))
        warnings = run_mkdocs(docs, out, site_name=_site_name(inputs.data.setting, audience))
        # The theme's 404 page links to the server's root: no use from a USB stick.
        (out / "404.html").unlink(missing_ok=True)
        seconds["mkdocs"] = time.perf_counter() - clock
        _step(progress, 4)
    (out / SUMMARY_FILE).write_bytes(report.encode_summary(made.summary))
    return BuildReport(
        pages=count, out=str(out), audience=audience, seconds=seconds, warnings=warnings
    )


def _site_name(setting: str | None, audience: str) -> str:
    setting = setting or "The setting"
    edition = "committee edition" if audience == "committee" else "public edition"
    # The theme puts the name into its HTML as it is (no autoescaping): escape it here.
    return html.escape(f"{setting}: policy ledger ({edition})")


def check_out(out: Path) -> None:
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


def run_mkdocs(
    docs: Path,
    out: Path,
    *,
    site_name: str,
    nav: list[object] | None = None,
    features: Sequence[str] = (),
) -> list[str]:
    """Build with MkDocs's own API and the repository's mkdocs.yml (``nav`` in place of its
    menu, and the theme's ``features`` added to its own, for a federation's site); return its
    warnings."""
    from mkdocs.commands.build import build as mkdocs_build
    from mkdocs.config import load_config
    from mkdocs.exceptions import MkDocsException

    logger = logging.getLogger("mkdocs")
    collect = _Collect()
    logger.addHandler(collect)
    try:
        options: dict[str, Any] = {} if nav is None else {"nav": nav}
        config = load_config(
            config_file=str(CONFIG_FILE),
            docs_dir=str(docs),
            site_dir=str(out),
            site_name=site_name,
            **options,
        )
        if features:
            own = list(config.theme["features"])
            config.theme["features"] = own + [f for f in features if f not in own]
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


def _latest_cosigned(ledger: Ledger) -> tuple[tuple[int, str, str], ...]:
    """The cosigned notes of the largest checkpoint witnesses delivered: (size, witness's
    key, note), one for each witness's cosignature of it."""
    rows = ledger.storage.cosignatures()
    if not rows:
        return ()
    notes = ledger.checkpoint_notes()
    kept = [
        (size, key, note)
        for size, root, key, note in rows
        if size is not None and kept_line(notes.get(size), size, root, key, note) is not None
    ]
    if not kept:
        return ()
    largest = max(size for size, _, _ in kept)
    return tuple(row for row in kept if row[0] == largest)


def _witnessed(inputs: SiteInputs) -> report.Witnessed | None:
    """The latest cosigned checkpoint as the integrity page shows it: the setting's note with
    every cosignature that checks against its witness's key (none that checks: nothing)."""
    note = ""
    keys: list[str] = []
    times: list[int] = []
    size = 0
    for size, key, cosigned in inputs.cosigned:
        try:
            opened = CosignatureVerifier.from_vkey(key).open(cosigned)
        except ValueError:
            continue
        if opened is None or opened.checkpoint.size != size:
            continue
        lines = cosigned.splitlines()
        note = cosigned if not note else note + lines[-1] + "\n"
        keys.append(key)
        times.append(opened.timestamp)
    if not keys:
        return None
    at = dt.datetime.fromtimestamp(max(times), dt.UTC)
    return report.Witnessed(note=note, size=size, cosigned_at=at, keys=tuple(keys))


# --- rendering ----------------------------------------------------------------------------------


def head_report(inputs: SiteInputs) -> report.IntegrityReport:
    """The head checkpoint as the pages show it: read from its signed note, with whether the
    signature checks against the verifier key (the pages get plain values, not the checkpoint)."""
    lines = inputs.note.split("\n")
    body = "\n".join(lines[:3]) + "\n"
    try:
        verified = Verifier.from_vkey(inputs.verifier_key).open(inputs.note) is not None
    except ValueError:
        verified = False
    checkpoint = Checkpoint.from_body(body)
    return report.integrity_report(
        inputs.note,
        inputs.signed_at,
        inputs.sequence,
        inputs.verifier_key,
        size=checkpoint.size,
        root=checkpoint.root,
        origin=checkpoint.origin,
        verified=verified,
        witness=_witnessed(inputs),
    )


def site_files(
    inputs: SiteInputs,
    audience: Audience,
    previous: report.BuildSummary | None,
    *,
    shared: str = "",
) -> pages.SiteFiles:
    """The generated files of one edition (``projections.pages.site_files`` on the inputs;
    ``shared``: where ``rules.md`` is from them, "../" for a member of a federation's site)."""
    return pages.site_files(
        inputs.data,
        profile=inputs.profile,
        day=inputs.day,
        audience=audience,
        head=head_report(inputs),
        previous=previous,
        policy_text=inputs.policy_text,
        policy_file=inputs.policy_file,
        lines=coverage(inputs.profile),
        shared=shared,
    )


def render(
    inputs: SiteInputs, audience: Audience, previous: report.BuildSummary | None
) -> tuple[dict[str, str], list[charts.Chart], report.BuildSummary]:
    """The generated pages (name to Markdown), their charts, and this build's summary."""
    made = site_files(inputs, audience, previous)
    return made.pages, made.charts, made.summary
