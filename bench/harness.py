"""The bench's harness (``bench.run``): running one step in a fresh process and reading its peak
memory, the measures and the report, the machine, and the facts files."""

from __future__ import annotations

import hashlib
import json
import os
import platform
import shutil
import subprocess
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
PROFILE = "south-woodham-preschool"
SETTING = "Bench Pre-School"
END = "2026-07-31"  # the generated history ends here ...
NOW = "2026-08-31T12:00:00+00:00"  # ... and the ledger's clock is pinned here (LEDGER_NOW)
SMALL = 1_000  # the size `check post` and the site build are compared against
PARTS = 10  # the SQLite import is also measured as this many files, one command each
PG_PART = 20_000  # facts per file for the PostgreSQL import in parts (see README: the hang)
HANG_AFTER = 5.0  # seconds a PostgreSQL backend may wait mid-message before we call it hung
GIB = 1024**3
DEFAULT_PG = "postgresql://ledger:ledger@127.0.0.1:5432/ledger"

Watch = Callable[[], str | None]


# --- running one step -------------------------------------------------------------------------


@dataclass
class Run:
    """One child process: its own timing (``seconds``), wall time, peak RSS and result."""

    seconds: float
    wall: float
    rss: int  # bytes
    status: int
    result: dict[str, Any]
    log: str


class StepFailed(Exception):
    pass


class Hung(StepFailed):
    pass


class Bench:
    def __init__(
        self,
        work: Path,
        python: str,
        env: dict[str, str],
        profile_dir: Path | None,
        timeout: float,
    ) -> None:
        self.work = work
        self.python = python
        self.env = env
        self.profile_dir = profile_dir
        self.timeout = timeout
        self.counter = 0

    def process(
        self,
        argv: Sequence[str],
        name: str,
        env: dict[str, str] | None = None,
        watch: Watch | None = None,
    ) -> Run:
        """Run a command; its wall time and peak RSS come from the kernel (``wait4``).

        ``watch`` is asked every second whether the command is stuck (a reason, or None); a
        stuck command, or one still running after ``timeout`` seconds, is killed: ``Hung``.
        """
        self.counter += 1
        log = self.work / "logs" / f"{self.counter:03d}-{name}.log"
        log.parent.mkdir(parents=True, exist_ok=True)
        started = time.perf_counter()
        with log.open("wb") as out:
            proc = subprocess.Popen(
                list(argv), stdout=out, stderr=subprocess.STDOUT, env=env or self.env, cwd=ROOT
            )
            # The command's end is taken the moment the kernel reports it (a thread blocked in
            # ``wait4``), not at the next look: looking every half second made a long
            # command's time a multiple of half a second, up to half a second too long.
            ended: list[tuple[float, int, Any]] = []
            done = threading.Event()

            def wait() -> None:
                _, status, usage = os.wait4(proc.pid, 0)
                ended.append((time.perf_counter(), status, usage))
                done.set()

            threading.Thread(target=wait, daemon=True).start()
            reason = None
            while not done.wait(0.5):
                elapsed = time.perf_counter() - started
                if elapsed > self.timeout:
                    reason = f"still running after {self.timeout:,.0f} s (the step timeout)"
                elif watch is not None and elapsed > 2:
                    reason = watch()
                if reason:
                    proc.kill()
                    done.wait()
                    break
        finished, status, usage = ended[0]
        wall = finished - started
        proc.returncode = os.waitstatus_to_exitcode(status)
        if reason:
            raise Hung(f"{name} hung and was stopped after {wall:,.0f} s: {reason}")
        return Run(wall, wall, usage.ru_maxrss * 1024, proc.returncode, {}, str(log))

    def step(
        self,
        name: str,
        args: dict[str, Any],
        env: dict[str, str] | None = None,
        watch: Watch | None = None,
    ) -> Run:
        """A ``bench.steps`` measurement in a fresh process."""
        result_file = self.work / "result.json"
        result_file.unlink(missing_ok=True)
        argv = [self.python, "-m", "bench.steps", name, str(result_file), json.dumps(args)]
        if self.profile_dir is not None:
            self.profile_dir.mkdir(parents=True, exist_ok=True)
            argv.append(str(self.profile_dir / f"{self.counter + 1:03d}-{name}.pstats"))
        run = self.process(argv, name, env, watch)
        if run.status != 0 or not result_file.exists():
            raise StepFailed(
                f"step {name} failed (status {run.status}); see {run.log}:\n" + tail(run.log)
            )
        run.result = json.loads(result_file.read_text())
        run.seconds = float(run.result["seconds"])
        return run

    def cli(
        self,
        argv: Sequence[str],
        name: str,
        env: dict[str, str] | None = None,
        watch: Watch | None = None,
    ) -> Run:
        """``ledger ARGV`` timed in-process (``ledger.cli.main``), in a fresh process."""
        run = self.step("cli", {"argv": list(argv)}, env, watch)
        run.status = int(run.result["status"])
        if run.status != 0:
            raise StepFailed(
                f"`ledger {' '.join(argv[2:4])}` exited {run.status}; see {run.log}:\n"
                + tail(run.log)
            )
        return run

    def ledger_command(
        self, argv: Sequence[str], name: str, env: dict[str, str] | None = None
    ) -> Run:
        """``ledger ARGV`` end to end, as a user runs it (startup and imports included)."""
        script = Path(self.python).parent / "ledger"
        head = [str(script)] if script.exists() else [self.python, "-m", "ledger.cli"]
        return self.process([*head, *argv], name, env)


def child_env() -> dict[str, str]:
    """The environment every measured command runs in: this one without the user's own
    ``LEDGER_*`` and ``POSTGRES_*`` settings, the repository on ``PYTHONPATH``, the ledger's
    clock pinned (``LEDGER_NOW``) and hashing fixed (``PYTHONHASHSEED``)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LEDGER_", "POSTGRES_"))}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    env["LEDGER_NOW"] = NOW
    env["PYTHONHASHSEED"] = "0"
    return env


def tail(path: str, lines: int = 15) -> str:
    try:
        text = Path(path).read_text(errors="replace").splitlines()
    except OSError:
        return ""
    return "\n".join("    " + line for line in text[-lines:])


# --- results ----------------------------------------------------------------------------------


@dataclass
class Measure:
    name: str
    ours: float | None  # events/s, or seconds; None: not measured (``note`` says why)
    unit: str  # "events/s" or "s"
    baseline: float | None = None
    baseline_name: str = ""
    higher_is_better: bool = True
    target: float | None = None  # on the ratio ours/baseline
    ours_rss: int | None = None
    baseline_rss: int | None = None
    note: str = ""
    detail: dict[str, Any] = field(default_factory=dict)

    @property
    def ratio(self) -> float | None:
        if self.ours is None or not self.baseline:
            return None
        return self.ours / self.baseline

    @property
    def met(self) -> bool | None:
        if self.target is None:
            return None
        if self.ratio is None:
            return False if self.note.startswith("hung") else None
        return self.ratio >= self.target if self.higher_is_better else self.ratio <= self.target

    def target_text(self) -> str:
        if self.target is None:
            return "-"
        return f"{'>=' if self.higher_is_better else '<='} {self.target:g}"


def fmt_value(value: float | None, unit: str) -> str:
    if value is None:
        return "-"
    if unit == "events/s":
        return f"{value:,.0f}/s"
    if unit == "MiB":
        return f"{value:,.0f} MiB"
    if value < 0.01:
        return f"{value * 1000:,.2f} ms"
    if value < 1:
        return f"{value * 1000:,.0f} ms"
    return f"{value:,.2f} s"


def fmt_rss(rss: int | None) -> str:
    return "-" if rss is None else f"{rss / 2**20:,.0f} MiB"


def met_text(met: bool | None) -> str:
    return {True: "yes", False: "NO", None: "-"}[met]


def table(rows: list[list[str]], headers: list[str]) -> str:
    widths = [max(len(r[i]) for r in [headers, *rows]) for i in range(len(headers))]
    lines = ["  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    for r in rows:
        cells = [r[0].ljust(widths[0])]
        cells += [c.rjust(w) for c, w in zip(r[1:], widths[1:], strict=True)]
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines)


class Report:
    def __init__(self) -> None:
        self.measures: list[Measure] = []
        self.memory: list[tuple[str, int | None, int | None, str]] = []
        self.notes: list[str] = []
        self.steps: dict[str, Any] = {}

    def add(self, m: Measure) -> Measure:
        self.measures.append(m)
        return m

    def mem(
        self, name: str, ours: int | None, baseline: int | None = None, baseline_name: str = ""
    ) -> None:
        self.memory.append((name, ours, baseline, baseline_name))

    def record(self, key: str, run: Run | list[Run] | None) -> None:
        if run is None:
            return
        runs = run if isinstance(run, list) else [run]
        self.steps[key] = [
            {"seconds": r.seconds, "wall": r.wall, "rss": r.rss, "result": r.result} for r in runs
        ]

    def failed(self, section: str, exc: StepFailed) -> None:
        first = str(exc).splitlines()[0]
        say(f"  {section}: not measured ({first})")
        self.notes.append(f"{section}: not measured: {first}")


def say(text: str) -> None:
    print(text, flush=True)


def progress(label: str, run: Run, events: int | None = None) -> None:
    rate = f", {events / run.seconds:,.0f} events/s" if events and run.seconds else ""
    say(f"  {label}: {run.seconds:,.2f} s{rate}, peak RSS {fmt_rss(run.rss)}")


# --- the machine --------------------------------------------------------------------------------


def machine(python: str) -> dict[str, Any]:
    cpu = "unknown"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    ram = 0
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith("MemTotal:"):
                ram = int(line.split()[1]) * 1024
    versions = subprocess.run(
        [
            python,
            "-c",
            "import sys, sqlite3, importlib.metadata as m; print(sys.version.split()[0]);"
            " print(sqlite3.sqlite_version); print(m.version('eventsourcing'));"
            " print(m.version('msgspec')); print(m.version('psycopg'));"
            " import psycopg; print(psycopg.pq.__impl__)",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    commit = subprocess.run(
        ["git", "-C", str(ROOT), "describe", "--always", "--dirty"],
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "usable_cores": len(os.sched_getaffinity(0)),
        "ram_gib": round(ram / GIB, 1),
        "python": versions[0],
        "python_path": python,
        "sqlite": versions[1],
        "eventsourcing": versions[2],
        "msgspec": versions[3],
        "psycopg": f"{versions[4]} ({versions[5]} implementation)",
        "kernel": platform.release(),
        "load_at_start": os.getloadavg(),
        "commit": commit,
    }


# --- the facts ----------------------------------------------------------------------------------


def digest_of_generator() -> str:
    """Facts files are reused while the generator (and what it depends on) is unchanged."""
    h = hashlib.sha256()
    for path in [
        *sorted((ROOT / "ledger" / "demo").glob("*.py")),
        ROOT / "ledger" / "events.py",
        *sorted((ROOT / "ledger" / "profiles").glob("*.toml")),
    ]:
        h.update(path.read_bytes())
    return h.hexdigest()[:10]


def facts_file(bench: Bench, size: int, seed: int) -> tuple[Path, float | None]:
    cache = bench.work / "facts"
    cache.mkdir(parents=True, exist_ok=True)
    out = cache / f"facts-{size}-seed{seed}-{digest_of_generator()}.jsonl"
    if out.exists():
        return out, None
    args = {"profile": PROFILE, "setting": SETTING, "size": size, "seed": seed, "end": END}
    run = bench.step("facts", {**args, "out": str(out)})
    return out, run.seconds


def split_facts(big: Path, per: int) -> list[Path]:
    """The same facts in files of ``per`` lines (cached beside the file)."""
    folder = big.with_name(f"{big.stem}.by{per}")
    done = folder / "done"
    if not done.exists():
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        with big.open("rb") as f:
            chunk: list[bytes] = []
            number = 0
            for line in f:
                chunk.append(line)
                if len(chunk) == per:
                    number += 1
                    (folder / f"part-{number:04d}.jsonl").write_bytes(b"".join(chunk))
                    chunk = []
            if chunk:
                number += 1
                (folder / f"part-{number:04d}.jsonl").write_bytes(b"".join(chunk))
        done.write_text("")
    return sorted(folder.glob("part-*.jsonl"))


def lines_in(path: Path) -> int:
    with path.open("rb") as f:
        return sum(1 for line in f if line.strip())


def remove_sqlite_ledger(db: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal", ".key", ".keys", ".pub", ".profile.toml"):
        Path(str(db) + suffix).unlink(missing_ok=True)
