"""Progress on long work (issue 15): ``import``, ``verify``, ``replay``, ``export`` and
``site build`` over a large history draw a transient bar on a terminal (standard error), and
draw nothing at all when standard error is not one: the output is then byte for byte what it
is with a terminal, and nothing is added to standard error.

The large history is one ledger of 6,000 generated facts (``ledger.demo.scale``) per store,
built once for the module. A terminal is either injected (``ledger.cli.bars.terminal``
returning a ``rich`` console that draws into a buffer, as on a terminal) or real: a
pseudo-terminal as the standard error of a ``ledger`` process.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import os
import pty
import re
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import NamedTuple

import msgspec
import pytest
from rich.console import Console

from ledger.cli import bars as cli_progress
from ledger.cli import main
from ledger.demo import scale
from ledger.profile import load as load_profile
from tests.conftest import STORES, fresh_db, is_postgres, postgres_base, schema_of
from tests.test_cli import NOW, SW, Result, files, run

FACTS = 6_000  # above the threshold (5,000 facts): a bar is drawn on a terminal


class Big(NamedTuple):
    """The module's large ledger: its ``--db``, the folder its commands run in (its key is
    there on PostgreSQL), the facts' file, an export of it, and its public key."""

    store: str
    db: str
    empty: str  # a new ledger of the same profile, to check the facts' file against
    folder: Path
    facts: Path
    trail: Path
    key: str


def _quiet(*argv: str) -> int:
    """Run a command, its output discarded (building the module's ledger)."""
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        return main(list(argv))


@pytest.fixture(scope="module", params=STORES)
def big(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Big]:
    store: str = request.param
    if store == "postgres":
        postgres_base()
    folder = tmp_path_factory.mktemp(f"big-{store}")
    facts = folder / "facts.jsonl"
    encode = msgspec.json.Encoder().encode
    events = scale(load_profile(SW), setting="x", events=FACTS, seed=1, end=dt.date(2027, 6, 29))
    facts.write_bytes(b"".join(encode(event) + b"\n" for event in events))
    with (
        pytest.MonkeyPatch.context() as patch,
        fresh_db(store, folder, "big.db") as db,
        fresh_db(store, folder, "empty.db") as empty,
    ):
        patch.setenv("LEDGER_NOW", NOW)
        patch.chdir(folder)
        assert _quiet("--db", empty, "init", "--profile", SW, "--setting", "Empty") == 0
        assert _quiet("--db", db, "init", "--profile", SW, "--setting", "Big") == 0
        assert _quiet("--db", db, "import", str(facts)) == 0
        trail = folder / "audit.jsonl"
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            assert main(["--db", db, "export"]) == 0
        trail.write_text(out.getvalue())
        key = _public_key(db, folder)
        yield Big(store, db, empty, folder, facts, trail, key)


def _public_key(db: str, folder: Path) -> str:
    path = Path(db + ".pub") if not is_postgres(db) else folder / f"ledger-{schema_of(db)}.pub"
    return path.read_text().strip()


@pytest.fixture(autouse=True)
def _pinned_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LEDGER_NOW", NOW)
    monkeypatch.delenv("LEDGER_DB", raising=False)
    monkeypatch.delenv("LEDGER_KEY", raising=False)
    monkeypatch.delenv("FORCE_COLOR", raising=False)


class Terminal:
    """An injected terminal: what the bars drew on it."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.buffer = io.StringIO()
        self.opened = 0

        def terminal() -> Console:
            self.opened += 1
            return Console(file=self.buffer, force_terminal=True, width=100)

        monkeypatch.setattr(cli_progress, "terminal", terminal)

    @property
    def drawn(self) -> str:
        return self.buffer.getvalue()


def _erased(drawn: str) -> bool:
    """Whether the bar was taken off the screen at the end (transient): the last thing drawn
    clears its line and shows the cursor again."""
    if "\x1b[?25h" not in drawn:
        return False
    after = drawn.rsplit("\x1b[?25h", 1)[1]  # only moves and clears: no text left on screen
    return re.fullmatch(r"(?:\r|\x1b\[[0-9]*[A-Z])*\x1b\[2K", after) is not None


# The commands over the large ledger, each with what its bar says. ``{trail}``, ``{key}`` and
# ``{out}`` are filled in from the module's ledger.
COMMANDS: dict[str, tuple[list[str], str]] = {
    "export": (["export"], "Exporting"),
    "verify": (["verify"], "Verifying"),
    "replay": (["replay", "{trail}", "--key", "{key}"], "Replaying"),
    "dry-run": (["import", "--dry-run", "{facts}"], "Checking"),
    "site": (["site", "build", "--out", "{out}", "--audience", "public"], "Building the site"),
}


def _argv(big: Big, name: str) -> list[str]:
    filled = {"trail": str(big.trail), "key": big.key, "facts": str(big.facts)}
    filled["out"] = str(big.folder / "site")
    db = big.empty if name == "dry-run" else big.db
    return ["--db", db, *(a.format(**filled) for a in COMMANDS[name][0])]


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_a_bar_on_a_terminal_and_the_same_output_without_one(
    big: Big, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], name: str
) -> None:
    monkeypatch.chdir(big.folder)
    argv = _argv(big, name)
    plain = run(capsys, *argv)  # standard error is not a terminal here (captured)
    assert plain.err == ""  # nothing extra: no bar, no message
    terminal = Terminal(monkeypatch)
    shown = run(capsys, *argv)
    assert (shown.status, shown.out, shown.err) == (plain.status, plain.out, plain.err)
    drawn = terminal.drawn
    assert COMMANDS[name][1] in drawn, drawn
    if name in ("export", "verify", "dry-run"):  # counted in facts
        assert re.search(r"[0-9],[0-9]{3} of 6,00[0-9] facts", drawn), drawn
    else:  # counted in steps of two kinds: as a percentage
        assert "100%" in drawn, drawn
    assert _erased(drawn), drawn[-200:]
    assert COMMANDS[name][1] not in shown.out


def test_an_import_draws_a_bar_and_says_the_same_as_without_one(
    big: Big, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(big.folder)
    results: list[Result] = []
    terminal: Terminal | None = None
    for name in ("plain.db", "shown.db"):
        if name == "shown.db":
            terminal = Terminal(monkeypatch)
        with fresh_db(big.store, big.folder, name) as db:
            assert run(capsys, "--db", db, "init", "--profile", SW, "--setting", "B").status == 0
            results.append(run(capsys, "--db", db, "import", str(big.facts)))
    plain, shown = results
    assert plain.status == 0, plain.text
    assert plain.err == ""
    assert plain.out.startswith("Imported 6,000 facts (positions 2–6001).")
    assert (shown.status, shown.out, shown.err) == (plain.status, plain.out, plain.err)
    assert terminal is not None
    assert "Importing" in terminal.drawn
    assert "6,000 of 6,000 facts" in terminal.drawn
    assert _erased(terminal.drawn)


def test_a_refused_import_takes_its_bar_down_before_the_refusal(
    big: Big, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The refusal (the last line, after 5,000 facts were decided and the bar drawn) is said
    on standard error as without a terminal, the bar erased, and nothing written."""
    monkeypatch.chdir(big.folder)
    bad = big.folder / "bad.jsonl"
    last = b'{"type":"ConcernRaised","on":"2027-06-29","concern":"K-9","category":"other",'
    bad.write_bytes(big.facts.read_bytes() + last + b'"about":"C-99999"}\n')
    with fresh_db(big.store, big.folder, "refused.db") as db:
        assert run(capsys, "--db", db, "init", "--profile", SW, "--setting", "B").status == 0
        exported = run(capsys, "--db", db, "export").out
        plain = run(capsys, "--db", db, "import", str(bad))
        # (A refused import leaves the keys it made in the key store, and on PostgreSQL its
        # sequence advanced by the rows rolled back, with or without a bar: compared from here.)
        before = files(db)
        terminal = Terminal(monkeypatch)
        shown = run(capsys, "--db", db, "import", str(bad))
        if big.store == "sqlite":
            assert files(db) == before
        assert run(capsys, "--db", db, "export").out == exported
    assert plain.status == 2, plain.text
    assert "line 6001" in plain.err, plain.err
    assert (shown.status, shown.out, shown.err) == (plain.status, plain.out, plain.err)
    assert "5,000 of 6,001 facts" in terminal.drawn, terminal.drawn
    assert _erased(terminal.drawn)


def test_small_work_draws_nothing_even_on_a_terminal(
    big: Big, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """At most 5,000 facts: no bar (a small command stays as it was)."""
    monkeypatch.chdir(big.folder)
    small = big.folder / "small.jsonl"
    small.write_bytes(b"".join(big.facts.read_bytes().splitlines(keepends=True)[:4_900]))
    terminal = Terminal(monkeypatch)
    with fresh_db(big.store, big.folder, "small.db") as db:
        assert run(capsys, "--db", db, "init", "--profile", SW, "--setting", "B").status == 0
        for argv in (["import", "--dry-run", str(small)], ["import", str(small)], ["export"]):
            result = run(capsys, "--db", db, *argv)
            assert result.status == 0, result.text
        trail = big.folder / "small-audit.jsonl"
        trail.write_text(result.out)
        assert run(capsys, "--db", db, "verify").status == 0
        key = _public_key(db, big.folder)
        assert run(capsys, "--db", db, "replay", str(trail), "--key", key).status == 0
    assert terminal.drawn == ""


# --- a real terminal ---------------------------------------------------------------------------


def _on_a_pty(argv: list[str], cwd: Path) -> tuple[int, bytes, bytes]:
    """Run ``ledger`` with a pseudo-terminal as its standard error (standard output a pipe):
    its status, standard output, and what it drew on the terminal."""
    leader, follower = pty.openpty()
    env = {**os.environ, "LEDGER_NOW": NOW, "COLUMNS": "100", "LINES": "30"}
    env.pop("FORCE_COLOR", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "ledger.cli", *argv],
        cwd=cwd,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=follower,
    )
    os.close(follower)
    assert process.stdout is not None
    stdout = process.stdout
    out: list[bytes] = []
    reader = threading.Thread(target=lambda: out.append(stdout.read()))  # a full pipe blocks
    reader.start()
    drawn = bytearray()
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the process closed the terminal's other side
            break
        if not chunk:
            break
        drawn += chunk
    reader.join(timeout=120)
    status = process.wait(timeout=120)
    os.close(leader)
    return status, out[0], bytes(drawn)


def test_export_on_a_real_terminal_draws_on_stderr_and_writes_the_same_trail(
    big: Big, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(big.folder)
    status, out, drawn = _on_a_pty(["--db", big.db, "export"], big.folder)
    assert status == 0, drawn
    assert out == big.trail.read_bytes()  # the trail alone, as without a terminal
    assert b"Exporting" in drawn, drawn
    assert re.search(rb"of 6,001 facts", drawn), drawn
    # Without a terminal (a pipe, as in CI): nothing on standard error at all.
    piped = subprocess.run(
        [sys.executable, "-m", "ledger.cli", "--db", big.db, "export"],
        cwd=big.folder,
        env={**os.environ, "LEDGER_NOW": NOW, "FORCE_COLOR": "1"},
        capture_output=True,
        check=True,
    )
    assert piped.stderr == b""
    assert piped.stdout == out


# --- who decides that there is a terminal ------------------------------------------------------


def test_no_terminal_means_no_console_even_with_force_color(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """``rich`` would draw on a pipe when FORCE_COLOR is set (CI often sets it); the ledger
    asks the operating system instead."""
    monkeypatch.setenv("FORCE_COLOR", "1")
    assert cli_progress.terminal() is None
    leader, follower = pty.openpty()
    with os.fdopen(follower, "w") as tty:
        monkeypatch.setattr(sys, "stderr", tty)
        console = cli_progress.terminal()
        assert console is not None and console.is_terminal
    os.close(leader)


def test_a_bar_calls_back_as_before_off_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    """Off a terminal a long import still says how far it has come as it did (``otherwise``);
    on one, the bar replaces that."""
    said: list[int] = []
    monkeypatch.setattr(cli_progress, "terminal", lambda: None)
    with cli_progress.Bar("Importing", otherwise=said.append) as bar:
        for done in (5_000, 10_000):
            bar(done, 1_000_000)
    assert said == [5_000, 10_000]
    drawn: Callable[[], Console] = lambda: Console(file=io.StringIO(), force_terminal=True)  # noqa: E731
    monkeypatch.setattr(cli_progress, "terminal", drawn)
    said.clear()
    with cli_progress.Bar("Importing", otherwise=said.append) as bar:
        bar(5_000, 1_000_000)
    assert said == []


def test_the_readme_says_where_progress_is_shown() -> None:
    text = " ".join((Path(__file__).resolve().parent.parent / "README.md").read_text().split())
    said = (
        "On a terminal, `import`, `verify`, `replay`, `export` and `site build` show a progress"
        " bar on standard error"
    )
    assert said in text
    assert "piped, redirected or in CI they print nothing extra" in text


def test_export_writes_the_trail_as_it_reads_it_and_it_is_the_whole_trail(
    big: Big, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``ledger export`` writes the trail a thousand lines at a time as it reads the facts
    (issue 14, item 4: memory bounded by the checkpoints, not the trail), and what it writes
    is exactly the trail the service makes whole, checkpoints in their places; so is an export
    ``--as-of`` a day."""
    from ledger import store as ledger_store
    from ledger.service import audit
    from tests.conftest import config_for

    monkeypatch.chdir(big.folder)
    writes: list[int] = []

    class Counted(io.StringIO):
        def write(self, text: str) -> int:
            writes.append(text.count("\n"))
            return super().write(text)

    out = Counted()
    with contextlib.redirect_stdout(out):
        assert main(["--db", big.db, "export"]) == 0
    assert len(writes) > FACTS // 1000 and max(writes) == 1000, writes
    ledger = ledger_store.open_ledger(config_for(big.db, big.folder))
    try:
        whole = audit.exported(ledger, None, big.key)
        day = dt.date.fromisoformat(NOW[:10])
        as_of = b"".join(audit.export_stream(ledger, day, big.key))
        assert as_of == audit.export(ledger, day, big.key)
    finally:
        ledger.close()
    assert out.getvalue().encode() == whole == big.trail.read_bytes()
