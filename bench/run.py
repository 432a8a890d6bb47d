"""``make bench`` / ``make bench-quick``: measure the ledger against baselines run here and now.

Every measurement runs in a fresh process (``bench.steps``) and its peak RSS is that process's
own (``wait4``). Each is compared with a baseline measured in the same run on the same machine.
The table goes to standard output and everything to ``bench/results/bench-<size>.json``.
Benchmarks report: the exit status is 0 whether or not a target is met (non-zero only if the
benchmark itself could not run). A step that hangs is stopped and reported as such.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import hashlib
import json
import os
import platform
import shutil
import sqlite3
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
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
            reason = None
            while True:
                pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
                if pid:
                    break
                time.sleep(0.05 if time.perf_counter() - started < 2 else 0.5)
                elapsed = time.perf_counter() - started
                if elapsed > self.timeout:
                    reason = f"still running after {self.timeout:,.0f} s (the step timeout)"
                elif watch is not None and elapsed > 2:
                    reason = watch()
                if reason:
                    proc.kill()
                    _, status, usage = os.wait4(proc.pid, 0)
                    break
        wall = time.perf_counter() - started
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


# --- the benchmark ----------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n")[0])
    parser.add_argument("--size", type=int, default=1_000_000, help="events (default 1,000,000)")
    parser.add_argument("--quick", action="store_true", help="100,000 events (make bench-quick)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--pg",
        default=os.environ.get("BENCH_PG", DEFAULT_PG),
        help="PostgreSQL server URL for the PostgreSQL runs, or 'none' to skip them",
    )
    parser.add_argument("--work", default=os.environ.get("BENCH_WORK", str(BENCH / "work")))
    parser.add_argument("--results", default=str(BENCH / "results"))
    parser.add_argument("--repeat", type=int, default=3, help="runs of each latency measure")
    parser.add_argument("--timeout", type=float, help="seconds before a step is called hung")
    parser.add_argument(
        "--lean",
        action="store_true",
        help="one site build per size, and no PostgreSQL variants (--quick implies it)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the ledgers built (work dir)")
    parser.add_argument(
        "--cprofile", action="store_true", help="write a cProfile of every step to WORK/profiles"
    )
    args = parser.parse_args(argv)
    size = 100_000 if args.quick else args.size
    args.lean = args.lean or args.quick
    work = Path(args.work).resolve()
    work.mkdir(parents=True, exist_ok=True)
    shutil.rmtree(work / "logs", ignore_errors=True)
    python = sys.executable
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LEDGER_", "POSTGRES_"))}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    env["LEDGER_NOW"] = NOW
    env["PYTHONHASHSEED"] = "0"
    timeout = args.timeout or max(600.0, size / 1000)
    bench = Bench(work, python, env, work / "profiles" if args.cprofile else None, timeout)
    started = time.perf_counter()
    when = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")

    info = machine(python)
    say(f"Ledger benchmark: {size:,} events ({'quick' if args.quick else 'full'}), {when}")
    say(
        f"Machine: {info['cpu']}, {info['cores']} cores ({info['usable_cores']} usable),"
        f" {info['ram_gib']} GiB RAM, Linux {info['kernel']}"
    )
    say(
        f"Python {info['python']} ({python}), SQLite {info['sqlite']}, eventsourcing"
        f" {info['eventsourcing']}, msgspec {info['msgspec']}, psycopg {info['psycopg']},"
        f" commit {info['commit']}"
    )
    say(f"Work folder: {work}")
    load = info["load_at_start"][0]
    say(f"Load average at the start: {load:.2f} (1 min)")
    if load > 0.5:
        say(
            f"  Warning: something else is using the CPU (load {load:.2f} on"
            f" {info['usable_cores']} cores): the figures below will be slower and noisier."
        )
    rep = Report()
    try:
        run_all(bench, rep, size, args)
    except StepFailed as exc:
        say(f"\nThe benchmark could not run: {exc}")
        return 2
    total = time.perf_counter() - started
    info["load_at_end"] = os.getloadavg()
    print_report(rep, size)
    say(
        f"\nTotal time: {total:,.0f} s. Load average at the start {info['load_at_start'][0]:.2f},"
        f" at the end {info['load_at_end'][0]:.2f} (1 min), on {info['usable_cores']} cores."
    )
    results = Path(args.results)
    results.mkdir(parents=True, exist_ok=True)
    out = results / f"bench-{size}.json"
    payload = {
        "size": size,
        "mode": "quick" if args.quick else "full",
        "started": when,
        "seconds": round(total, 1),
        "machine": info,
        "profile": PROFILE,
        "history_end": END,
        "clock": NOW,
        "measures": [
            {**asdict(m), "ratio": m.ratio, "met": m.met, "target": m.target_text()}
            for m in rep.measures
        ],
        "memory": [
            {
                "step": name,
                "ours_rss": ours,
                "baseline_rss": base,
                "baseline": base_name,
                "under_1_gib": None if ours is None else ours < GIB,
            }
            for name, ours, base, base_name in rep.memory
        ],
        "notes": rep.notes,
        "steps": rep.steps,
    }
    out.write_text(json.dumps(payload, indent=2) + "\n")
    say(f"Results: {out}")
    if not args.keep:
        cleanup(work, size, args.pg)
    return 0


def run_all(bench: Bench, rep: Report, size: int, args: argparse.Namespace) -> None:
    say("\nFacts (the demo generator, `ledger.demo.scale`; cached per size):")
    big, gen = facts_file(bench, size, args.seed)
    small, _ = facts_file(bench, SMALL, args.seed)
    n = lines_in(big)
    say(f"  {big.name}: {n:,} facts" + (f" (generated in {gen:,.1f} s)" if gen else " (reused)"))
    if n < size:
        rep.notes.append(f"the generator gave {n:,} facts for {size:,} asked")

    db = bench.work / f"ledger-{n}.db"
    say("\nSQLite: import")
    imported = sqlite_import(bench, rep, n, big, db, split=not args.lean)
    if imported:
        try:
            read_side(bench, rep, str(db), "SQLite", bench.env, targets=True)
        except StepFailed as exc:
            rep.failed("SQLite rebuild and verify", exc)
        say("\nSQLite: `check post` and the site build, at 1,000 and at the full size")
        try:
            latency(bench, rep, str(db), small, n, args.repeat, 1 if args.lean else 2)
        except StepFailed as exc:
            rep.failed("check post and site build", exc)
    if args.pg.lower() != "none":
        postgres_runs(bench, rep, n, big, args)


def import_step(
    bench: Bench,
    db: str,
    files: list[Path],
    label: str,
    env: dict[str, str],
    watch: Watch | None = None,
) -> tuple[float, int, list[Run]]:
    """``ledger init`` (untimed), then ``ledger import FILE`` for each file, one process each."""
    bench.cli(["--db", db, "init", "--profile", PROFILE, "--setting", SETTING], "init", env)
    runs = [bench.cli(["--db", db, "import", str(f)], "import", env, watch) for f in files]
    seconds = sum(r.seconds for r in runs)
    rss = max(r.rss for r in runs)
    say(f"  {label}: {seconds:,.2f} s in {len(runs)} command(s), peak RSS {fmt_rss(rss)}")
    return seconds, rss, runs


def sqlite_import(bench: Bench, rep: Report, n: int, big: Path, db: Path, *, split: bool) -> bool:
    work = bench.work
    remove_sqlite_ledger(db)
    try:
        seconds, rss, runs = import_step(
            bench, str(db), [big], "ours, one file (one transaction)", bench.env
        )
    except StepFailed as exc:
        rep.failed("SQLite import", exc)
        return False
    rep.record("import_one_file", runs)
    one_rate = n / seconds
    raw = bench.step("raw_sqlite_insert", {"source": str(db), "target": str(work / "raw.db")})
    progress("raw sqlite3 executemany of the same rows", raw, n)
    rep.record("raw_sqlite_insert", raw)
    lib = bench.step("library_default", {"db": str(work / "library.db"), "files": [str(big)]})
    progress("eventsourcing default path, one save", lib, n)
    rep.record("library_default", lib)
    raw_rate = raw.result["events"] / raw.seconds
    rep.add(
        Measure(
            "import, 1 file: vs raw sqlite3",
            one_rate,
            "events/s",
            raw_rate,
            "raw sqlite3 executemany of the same rows, one transaction",
            target=0.5,
            ours_rss=rss,
            baseline_rss=raw.rss,
        )
    )
    rep.add(
        Measure(
            "import, 1 file: vs eventsourcing",
            one_rate,
            "events/s",
            lib.result["events"] / lib.seconds,
            "eventsourcing Application + Aggregate (@event), dataclass events, JSON"
            " transcoder, one save",
            target=3,
            ours_rss=rss,
            baseline_rss=lib.rss,
        )
    )
    rep.mem("import, one file", rss, raw.rss, "raw sqlite3")
    rep.mem("eventsourcing default path, one save (a baseline)", None, lib.rss, "library")
    if not split:
        for path in (work / "raw.db", work / "library.db"):
            remove_sqlite_ledger(path)
        return True

    per = -(-n // PARTS)
    parts = split_facts(big, per)
    split_db = work / f"ledger-{n}-split.db"
    remove_sqlite_ledger(split_db)
    try:
        seconds, split_rss, runs = import_step(
            bench,
            str(split_db),
            parts,
            f"ours, {len(parts)} files of {per:,} (one command each)",
            bench.env,
        )
    except StepFailed as exc:
        rep.failed(f"SQLite import in {len(parts)} files", exc)
        return True
    rep.record("import_split", runs)
    split_rate = n / seconds
    lib_split = bench.step(
        "library_default", {"db": str(work / "library.db"), "files": [str(p) for p in parts]}
    )
    progress(f"eventsourcing default path, {len(parts)} saves", lib_split, n)
    rep.record("library_default_split", lib_split)
    rep.add(
        Measure(
            f"import, {len(parts)} files: vs raw sqlite3",
            split_rate,
            "events/s",
            raw_rate,
            "raw sqlite3 executemany of the same rows, one transaction",
            target=0.5,
            ours_rss=split_rss,
            baseline_rss=raw.rss,
            note="the sum of the commands' own times",
        )
    )
    rep.add(
        Measure(
            f"import, {len(parts)} files: vs eventsourcing",
            split_rate,
            "events/s",
            lib_split.result["events"] / lib_split.seconds,
            f"eventsourcing Application + Aggregate, one save per file ({len(parts)})",
            target=3,
            ours_rss=split_rss,
            baseline_rss=lib_split.rss,
        )
    )
    rep.mem(f"import, {len(parts)} files (the largest command)", split_rss)
    for path in (work / "raw.db", work / "library.db", split_db):
        remove_sqlite_ledger(path)
    return True


def read_side(
    bench: Bench, rep: Report, db: str, where: str, env: dict[str, str], *, targets: bool
) -> None:
    say(f"\n{where}: rebuild and verify")
    prefix = "" if where == "SQLite" else f"{where}: "
    ours = bench.step("rebuild", {"db": db}, env)
    progress("rebuild (registers + findings)", ours, ours.result["events"])
    raw = bench.step("raw_decode", {"db": db}, env)
    progress("raw SELECT + msgspec decode", raw, raw.result["events"])
    rep.record(f"{prefix}rebuild", ours)
    rep.record(f"{prefix}raw_decode", raw)
    rep.add(
        Measure(
            f"{prefix}rebuild: vs raw select+decode",
            ours.result["events"] / ours.seconds,
            "events/s",
            raw.result["events"] / raw.seconds,
            "raw SELECT state + msgspec.msgpack decode per row (into the ledger's Envelope)",
            target=0.5 if targets else None,
            ours_rss=ours.rss,
            baseline_rss=raw.rss,
            detail={
                "fold_seconds": ours.result["fold_seconds"],
                "findings_seconds": ours.result["findings_seconds"],
                "episodes": ours.result["episodes"],
                "untyped_decode_seconds": raw.result["untyped_seconds"],
            },
        )
    )
    rep.mem(f"{prefix}rebuild", ours.rss, raw.rss, "raw select+decode")

    verify = bench.cli(["--db", db, "verify"], "verify", env)
    events = rows_in(db)
    progress("verify (`ledger verify`)", verify, events)
    hashed = bench.step("raw_hash", {"db": db}, env)
    progress("raw SELECT + SHA-256 per row", hashed, hashed.result["events"])
    rep.record(f"{prefix}verify", verify)
    rep.record(f"{prefix}raw_hash", hashed)
    rep.add(
        Measure(
            f"{prefix}verify: vs raw select+sha256",
            events / verify.seconds,
            "events/s",
            hashed.result["events"] / hashed.seconds,
            "raw SELECT state + one SHA-256 per row",
            target=0.5 if targets else None,
            ours_rss=verify.rss,
            baseline_rss=hashed.rss,
        )
    )
    rep.mem(f"{prefix}verify", verify.rss, hashed.rss, "raw select+sha256")


def rows_in(db: str) -> int:
    """The facts a verify reads (every position, the first included)."""
    if db.startswith("postgres"):
        from bench.steps import pg_connect, schema_of

        schema = schema_of(db)
        with contextlib.closing(pg_connect(db)) as conn:
            stream = conn.execute(
                f'SELECT originator_id FROM "{schema}".ledger_events ORDER BY notification_id'
                " LIMIT 1"
            ).fetchone()[0]
            row = conn.execute(
                f'SELECT count(*) FROM "{schema}".ledger_events WHERE originator_id = %s',
                (stream,),
            ).fetchone()
        return int(row[0])
    with contextlib.closing(sqlite3.connect(db)) as conn2:
        stream = conn2.execute(
            "SELECT originator_id FROM stored_events ORDER BY rowid LIMIT 1"
        ).fetchone()[0]
        row = conn2.execute(
            "SELECT count(*) FROM stored_events WHERE originator_id = ?", (stream,)
        ).fetchone()
    return int(row[0])


def latency(
    bench: Bench, rep: Report, db: str, small: Path, n: int, repeat: int, site_runs: int
) -> None:
    small_db = bench.work / f"ledger-{SMALL}.db"
    remove_sqlite_ledger(small_db)
    import_step(bench, str(small_db), [small], f"the {SMALL:,}-event ledger", bench.env)
    results: dict[str, dict[str, Any]] = {}
    for label, path in ((f"{SMALL:,}", str(small_db)), (f"{n:,}", db)):
        question = bench.step("post_args", {"db": path}).result["argv"]
        runs = []
        for _ in range(repeat):
            run = bench.ledger_command(["--db", path, "check", "post", *question], "check-post")
            if run.status not in (0, 1):
                raise StepFailed(f"check post exited {run.status}; see {run.log}:\n{tail(run.log)}")
            runs.append(run)
        inproc = bench.step("check_post_inproc", {"db": path, "argv": question, "repeat": repeat})
        seconds, rss = statistics.median(r.seconds for r in runs), max(r.rss for r in runs)
        say(
            f"  check post at {label}: {seconds * 1000:,.0f} ms end to end (median of {repeat}),"
            f" peak RSS {fmt_rss(rss)}; in-process: open"
            f" {inproc.result['open_seconds'] * 1000:,.0f} ms, registers"
            f" {inproc.result['registers_seconds'] * 1000:,.0f} ms, decision"
            f" {inproc.result['decision_seconds'] * 1000:,.2f} ms"
            f" ({inproc.result['answer']}: {' '.join(question)})"
        )
        rep.record(f"check_post_{label}", runs)
        rep.record(f"check_post_inproc_{label}", inproc)
        site = site_build(bench, path, label, site_runs)
        results[label] = {"post": (seconds, rss), "inproc": inproc.result, "site": site}

    lo, hi = results[f"{SMALL:,}"], results[f"{n:,}"]
    rep.add(
        Measure(
            f"check post at {n:,} vs at {SMALL:,}",
            hi["post"][0],
            "s",
            lo["post"][0],
            f"the same at {SMALL:,} events",
            higher_is_better=False,
            target=1.5,
            ours_rss=hi["post"][1],
            baseline_rss=lo["post"][1],
            note="end to end: `ledger check post` in a new process, median",
        )
    )
    for part, words in (
        ("registers", "registers loaded"),
        ("decision", "the decision itself"),
    ):
        rep.add(
            Measure(
                f"  {words} (in-process)",
                hi["inproc"][f"{part}_seconds"],
                "s",
                lo["inproc"][f"{part}_seconds"],
                f"the same at {SMALL:,} events",
                higher_is_better=False,
                note="best of the runs, in one process",
            )
        )
    rep.mem(f"check post at {n:,}", hi["post"][1], lo["post"][1], f"at {SMALL:,}")
    s_hi, s_lo = hi["site"], lo["site"]
    measured = s_hi.reason == "" and s_lo.reason == ""
    rep.add(
        Measure(
            f"site build at {n:,} vs at {SMALL:,}",
            s_hi.current if measured else None,
            "s",
            s_lo.current if measured else None,
            f"the same at {SMALL:,} events",
            higher_is_better=False,
            target=1.5,
            ours_rss=s_hi.current_rss,
            baseline_rss=s_lo.current_rss,
            note=(s_hi.reason or s_lo.reason)
            if not measured
            else "end to end, median; the site's numbers current (as `ledger follow` keeps them)",
        )
    )
    for name, ours, theirs, ours_rss, theirs_rss, note in (
        (
            "  first build after new facts (works the numbers out)",
            s_hi.first,
            s_lo.first,
            s_hi.first_rss,
            s_lo.first_rss,
            "end to end, one run: the registers read and every rule judged",
        ),
        (
            "  `ledger follow --once` before those (saves the numbers)",
            s_hi.follow,
            s_lo.follow,
            None,
            None,
            "end to end, one run: the registers read, every rule judged, the numbers saved",
        ),
    ):
        rep.add(
            Measure(
                name,
                ours if measured else None,
                "s",
                theirs if measured else None,
                f"the same at {SMALL:,} events",
                higher_is_better=False,
                ours_rss=ours_rss,
                baseline_rss=theirs_rss,
                note=note,
            )
        )
    rep.mem(f"site build at {n:,}", s_hi.current_rss, s_lo.current_rss, f"at {SMALL:,}")
    rep.mem(
        f"site build at {n:,}, the first after new facts",
        s_hi.first_rss,
        s_lo.first_rss,
        f"at {SMALL:,}",
    )
    if not measured:
        rep.notes.append(f"site build not measured: {s_hi.reason or s_lo.reason}")


@dataclass
class SiteBuilds:
    first: float | None = None  # the first build after the import: the numbers worked out
    first_rss: int | None = None
    current: float | None = None  # builds after `ledger follow --once`: the numbers saved (median)
    current_rss: int | None = None
    follow: float | None = None  # `ledger follow --once` in between (saves the numbers)
    reason: str = ""  # why the builds could not be measured ("" if they were)


def site_build(bench: Bench, db: str, label: str, runs_wanted: int) -> SiteBuilds:
    """``ledger site build`` end to end: the first build after the import (it works the site's
    numbers out from the registers; a build writes nothing to the ledger), then ``ledger follow
    --once`` (untimed: it saves the numbers, as a server's follower does), then ``runs_wanted``
    builds that read them. Not measured (with the reason) while it cannot run."""
    out = bench.work / "site"
    runs = []
    follow: Run | None = None
    for run_number in range(1 + runs_wanted):
        if run_number == 1:
            follow = bench.ledger_command(["--db", db, "follow", "--once"], "follow")
            if follow.status != 0:
                reason = f"`ledger follow --once` exited {follow.status}: " + " / ".join(
                    line.strip() for line in tail(follow.log, 3).splitlines()
                )
                say(f"  site build at {label}: not measured ({reason})")
                return SiteBuilds(reason=reason)
            say(f"  ledger follow --once at {label}: {follow.seconds:,.2f} s (not timed below)")
        shutil.rmtree(out, ignore_errors=True)
        run = bench.ledger_command(["--db", db, "site", "build", "--out", str(out)], "site-build")
        if run.status != 0:
            reason = f"`ledger site build` exited {run.status}: " + " / ".join(
                line.strip() for line in tail(run.log, 3).splitlines()
            )
            say(f"  site build at {label}: not measured ({reason})")
            return SiteBuilds(reason=reason)
        runs.append(run)
    shutil.rmtree(out, ignore_errors=True)
    assert follow is not None
    first, later = runs[0], runs[1:]
    seconds, rss = statistics.median(r.seconds for r in later), max(r.rss for r in later)
    say(
        f"  site build at {label}: first after the import {first.seconds:,.2f} s (peak RSS"
        f" {fmt_rss(first.rss)}); after the follower, {seconds:,.2f} s end to end (median of"
        f" {len(later)}), peak RSS {fmt_rss(rss)}"
    )
    return SiteBuilds(first.seconds, first.rss, seconds, rss, follow.seconds)


# --- PostgreSQL ---------------------------------------------------------------------------------


def pg_hang_watch(base: str, schema: str) -> Watch:
    """A write stuck mid-message: the server backend is running a statement on ``schema`` but
    has been waiting for the rest of it from the client (``ClientRead``) for seconds."""
    from bench.steps import pg_connect

    def watch() -> str | None:
        try:
            with contextlib.closing(pg_connect(base)) as conn:
                row = conn.execute(
                    "SELECT count(*) FROM pg_stat_activity WHERE state = 'active' AND"
                    " wait_event = 'ClientRead' AND now() - query_start > %s * interval '1 s'"
                    " AND position(%s in query) > 0",
                    (HANG_AFTER, schema),
                ).fetchone()
        except Exception:  # the watch is best effort: no answer is no verdict
            return None
        if row and row[0]:
            return (
                f"the server waited over {HANG_AFTER:g} s for the rest of a statement the client"
                " had sent in part (psycopg pipeline mode: see bench/README.md)"
            )
        return None

    return watch


def pg_drop(base: str, schemas: Sequence[str]) -> None:
    from bench.steps import pg_connect

    with contextlib.closing(pg_connect(base)) as conn:
        for schema in schemas:
            conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


def postgres_runs(bench: Bench, rep: Report, n: int, big: Path, args: argparse.Namespace) -> None:
    from bench.steps import pg_connect

    base = args.pg.split("?")[0]
    say(f"\nPostgreSQL ({base.split('@')[-1]}): import")
    try:
        with contextlib.closing(pg_connect(base)) as conn:
            version = conn.execute("SHOW server_version").fetchone()[0]
    except Exception as exc:  # any failure to connect: report it and go on
        say(f"  not measured: cannot connect ({type(exc).__name__})")
        rep.notes.append(f"PostgreSQL not measured: cannot connect to {base.split('@')[-1]}")
        return
    rep.notes.append(f"PostgreSQL server {version}, on this machine")
    tag = f"bench_{n}"
    names = {k: f"{tag}_{k}" for k in ("ours", "fn", "parts", "raw", "lib")}
    pg_drop(base, list(names.values()))

    def ledger_env(key: str, **extra: str) -> dict[str, str]:
        path = bench.work / f"pg-{n}-{key}"
        remove_sqlite_ledger(path)  # the key files beside it: .key, .keys, .pub
        return {**bench.env, "LEDGER_KEY": str(path) + ".key", **extra}

    done: list[tuple[str, dict[str, str]]] = []  # ledgers imported, for the read side
    rates: dict[str, tuple[float | None, int | None, str]] = {}

    def ours(key: str, files: list[Path], label: str, **extra: str) -> None:
        url = f"{base}?schema={names[key]}"
        env = ledger_env(key, **extra)
        try:
            seconds, rss, runs = import_step(
                bench, url, files, label, env, pg_hang_watch(base, names[key])
            )
        except StepFailed as exc:
            first = str(exc).splitlines()[0]
            say(f"  {label}: not measured ({first})")
            rates[key] = (None, None, ("hung: " if isinstance(exc, Hung) else "") + first)
            return
        rep.record(f"pg_import_{key}", runs)
        rates[key] = (n / seconds, rss, "")
        done.append((url, env))

    if args.lean:
        say("  ours, one file: not tried in quick mode (see the full run)")
    else:
        ours("ours", [big], "ours, one file (one transaction)")
    parts = split_facts(big, PG_PART)
    ours("parts", parts, f"ours, {len(parts)} files of {PG_PART:,} (one command each)")
    if not done:
        rep.notes.append("PostgreSQL: no import finished, so no baseline, rebuild or verify")
        add_pg_import_rows(rep, rates, None, None, None, len(parts))
        return
    source, env = done[0]
    raw = bench.step("raw_pg_insert", {"source": source, "target_schema": names["raw"]}, env)
    say(
        f"  raw psycopg executemany of the same rows: {raw.seconds:,.2f} s,"
        f" {raw.result['events'] / raw.seconds:,.0f} events/s; COPY:"
        f" {raw.result['copy_seconds']:,.2f} s,"
        f" {raw.result['events'] / raw.result['copy_seconds']:,.0f} events/s;"
        f" peak RSS {fmt_rss(raw.rss)}"
    )
    rep.record("pg_raw_insert", raw)
    lib_url = f"{base}?schema={names['lib']}"
    libs: dict[str, Run | str] = {}
    lib_runs = [("parts", parts)] if args.lean else [("one", [big]), ("parts", parts)]
    for key, files in lib_runs:
        what = "one save" if key == "one" else f"{len(files)} saves of {PG_PART:,}"
        lib = pg_library(bench, lib_url, files, env, base, names["lib"], what)
        if isinstance(lib, str) and key == "parts" and lib.startswith("hung"):
            # The same hang as ours (the library's rows are larger): smaller saves, said so.
            smaller = split_facts(big, PG_PART // 4)
            what = f"{len(smaller)} saves of {PG_PART // 4:,} (saves of {PG_PART:,} hung)"
            lib = pg_library(bench, lib_url, smaller, env, base, names["lib"], what)
        if isinstance(lib, Run):
            progress(f"eventsourcing default path, {what}", lib, n)
            rep.record(f"pg_library_default_{key}", lib)
            lib.result["what"] = what
        libs[key] = lib
    add_pg_import_rows(rep, rates, raw, libs.get("one"), libs.get("parts"), len(parts))
    pg_drop(base, [names["raw"], names["lib"]])
    try:
        read_side(bench, rep, source, "PostgreSQL", env, targets=False)
    except StepFailed as exc:
        rep.failed("PostgreSQL rebuild and verify", exc)


def pg_library(
    bench: Bench,
    url: str,
    files: list[Path],
    env: dict[str, str],
    base: str,
    schema: str,
    what: str,
) -> Run | str:
    """The library's default path on PostgreSQL, or why it was not measured."""
    try:
        return bench.step(
            "library_default",
            {"db": url, "files": [str(f) for f in files]},
            env,
            pg_hang_watch(base, schema),
        )
    except StepFailed as exc:
        first = str(exc).splitlines()[0]
        say(f"  eventsourcing default path, {what}: not measured ({first})")
        return ("hung: " if isinstance(exc, Hung) else "") + first


def add_pg_import_rows(
    rep: Report,
    rates: dict[str, tuple[float | None, int | None, str]],
    raw: Run | None,
    lib_one: Run | str | None,
    lib_parts: Run | str | None,
    parts: int,
) -> None:
    raw_rate = raw.result["events"] / raw.seconds if raw else None
    copy_rate = raw.result["events"] / raw.result["copy_seconds"] if raw else None

    def lib_rate(lib: Run | str | None) -> tuple[float | None, int | None, str]:
        if isinstance(lib, Run):
            return lib.result["events"] / lib.seconds, lib.rss, ""
        return None, None, lib or "not run"

    labels = {
        "ours": "1 file",
        "fn": "1 file, db functions",
        "parts": f"{parts} files of {PG_PART:,}",
    }
    for key, label in labels.items():
        if key not in rates:
            continue
        rate, rss, why = rates[key]
        baselines = [
            ("raw psycopg executemany", raw_rate, raw.rss if raw else None, "", "executemany"),
            ("raw psycopg COPY", copy_rate, raw.rss if raw else None, "", "COPY"),
        ]
        lib = lib_parts if key == "parts" else lib_one
        if lib is not None:
            l_rate, l_rss, l_why = lib_rate(lib)
            l_name = "eventsourcing default path, " + (
                lib.result.get("what", "") if isinstance(lib, Run) else "saves as ours"
            )
            baselines.append((l_name, l_rate, l_rss, l_why, "eventsourcing"))
        for name, b_rate, b_rss, b_why, short in baselines:
            note = why or (f"baseline {b_why}" if b_why else "")
            rep.add(
                Measure(
                    f"PostgreSQL: import, {label}: vs {short}",
                    rate,
                    "events/s",
                    b_rate,
                    name,
                    ours_rss=rss,
                    baseline_rss=b_rss,
                    note=note,
                )
            )
        rep.mem(f"PostgreSQL: import, {label}", rss)


def cleanup(work: Path, size: int, pg: str) -> None:
    """The ledgers built are large: removed unless --keep (the facts files are kept)."""
    for path in work.glob("*.db*"):
        path.unlink(missing_ok=True)
    for path in work.glob("pg-*"):
        path.unlink(missing_ok=True)
    shutil.rmtree(work / "site", ignore_errors=True)
    if pg.lower() == "none":
        return
    with contextlib.suppress(Exception):  # nothing to clean if the server is gone
        pg_drop(pg.split("?")[0], [f"bench_{size}_{k}" for k in ("ours", "fn", "parts")])


def print_report(rep: Report, size: int) -> None:
    say(f"\nResults at {size:,} events (the targets are set for 1,000,000 events)\n")
    rows = []
    for m in rep.measures:
        rows.append(
            [
                m.name,
                fmt_value(m.ours, m.unit) if m.ours is not None else "not measured",
                fmt_value(m.baseline, m.unit) if m.baseline is not None else "not measured",
                "-" if m.ratio is None else f"{m.ratio:.2f}",
                m.target_text(),
                met_text(m.met),
            ]
        )
    say(table(rows, ["measure", "ours", "baseline", "ratio", "target", "met?"]))
    reasons = [(m.name, m.note) for m in rep.measures if m.ratio is None and m.note]
    if reasons:
        say("\nNot measured:")
        seen = set()
        for name, note in reasons:
            if note not in seen:
                seen.add(note)
                say(f"  {name.strip()}: {note}")
    say("\nBaselines:")
    seen_names = set()
    for m in rep.measures:
        if m.baseline_name and m.baseline_name not in seen_names:
            seen_names.add(m.baseline_name)
            say(f"  {m.baseline_name}")
    say("\nPeak memory (RSS of each step's own process)\n")
    mrows = []
    for name, ours, base, base_name in rep.memory:
        mrows.append(
            [
                name,
                fmt_rss(ours),
                "< 1 GiB" if ours is not None else "-",
                met_text(None if ours is None else ours < GIB),
                f"{fmt_rss(base)}" + (f" ({base_name})" if base_name and base is not None else ""),
            ]
        )
    say(table(mrows, ["step", "ours", "target", "met?", "baseline"]))
    for note in rep.notes:
        say(f"Note: {note}")
