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
import json
import os
import shutil
import sys
import time
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path

from bench import federation
from bench.harness import (
    BENCH,
    DEFAULT_PG,
    END,
    GIB,
    NOW,
    PROFILE,
    SMALL,
    Bench,
    Report,
    StepFailed,
    child_env,
    facts_file,
    fmt_rss,
    fmt_value,
    lines_in,
    machine,
    met_text,
    say,
    table,
)
from bench.measures import (
    latency,
    read_side,
    sqlite_import,
)
from bench.postgres import (
    pg_drop,
    postgres_runs,
)

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
    env = child_env()
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
        postgres_runs(bench, rep, n, big, small, args)
    # The federation's ONE site at 1, 10 and 50 members (issue 16): SQLite here (PostgreSQL
    # too with `python -m bench.federation`).
    federation.measure(bench, rep, pg=None)


def cleanup(work: Path, size: int, pg: str) -> None:
    """The ledgers built are large: removed unless --keep (the facts files are kept)."""
    for path in work.glob("*.db*"):
        path.unlink(missing_ok=True)
    for path in work.glob("pg-*"):
        path.unlink(missing_ok=True)
    shutil.rmtree(work / "site", ignore_errors=True)
    shutil.rmtree(work / "federation", ignore_errors=True)
    if pg.lower() == "none":
        return
    with contextlib.suppress(Exception):  # nothing to clean if the server is gone
        pg_drop(pg.split("?")[0], [f"bench_{size}_{k}" for k in ("ours", "fn", "parts", "small")])


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
