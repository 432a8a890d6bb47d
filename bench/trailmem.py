"""Peak memory of export, replay and verify at two sizes, on both stores: ``python -m
bench.trailmem`` (issue 14's Done-when: at 200,000 facts no more than at 2,000 plus 100 MiB).

For each size (default 2,000 and 200,000) a demo ledger (``ledger demo --size N``, the bench's
generator) on SQLite, in ``WORK/trailmem/``, and on PostgreSQL unless ``--pg none``, in a schema
``bench_trailmem_<store>_<n>`` dropped afterwards. Then ``ledger export``, ``ledger replay`` of
that export and ``ledger verify``, each end to end in a fresh process as a user runs it
(start-up and imports included): wall time and peak RSS (``wait4``). About two minutes at the
default sizes; the ledgers and exports are removed at the end.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import sys
from collections.abc import Sequence
from pathlib import Path

from bench.commands import GROWTH_ALLOWED, MIB
from bench.harness import (
    BENCH,
    DEFAULT_PG,
    Bench,
    Measure,
    Run,
    child_env,
    fmt_rss,
    fmt_value,
    met_text,
    say,
    table,
)
from bench.postgres import pg_drop

COMMANDS = ("export", "replay", "verify")


def _schema(size: int) -> str:
    return f"bench_trailmem_{size}"


def _measure(
    bench: Bench, db: str, env: dict[str, str], pub: Path, size: int, label: str
) -> dict[str, Run]:
    """The demo of ``size`` facts made at ``db``, then each command once on it."""
    made = bench.ledger_command(["--db", db, "demo", "--size", str(size)], "demo", env)
    if made.status != 0:
        raise SystemExit(f"{label}: `ledger demo --size {size}` exited {made.status}: {made.log}")
    out: dict[str, Run] = {}
    out["export"] = bench.ledger_command(["--db", db, "export"], "export", env)
    key = pub.read_text(encoding="utf-8").strip()
    out["replay"] = bench.ledger_command(["replay", out["export"].log, "--key", key], "replay", env)
    out["verify"] = bench.ledger_command(["--db", db, "verify"], "verify", env)
    for name, run in out.items():
        if run.status != 0:
            raise SystemExit(f"{label}: `ledger {name}` exited {run.status}: see {run.log}")
        say(f"  {label} {name}: {run.seconds:,.2f} s, peak RSS {fmt_rss(run.rss)}")
    Path(out["export"].log).unlink(missing_ok=True)  # the export (tens of megabytes)
    return out


def measure(bench: Bench, work: Path, sizes: list[int], pg: str | None) -> list[Measure]:
    small, big = min(sizes), max(sizes)
    stores = ["SQLite"] + (["PostgreSQL"] if pg else [])
    found: dict[tuple[str, int], dict[str, Run]] = {}
    try:
        for store in stores:
            for size in sizes:
                label = f"{store} at {size:,}"
                if store == "SQLite":
                    db = str(work / f"demo-{size}.db")
                    env, pub = bench.env, Path(db + ".pub")
                else:
                    assert pg is not None
                    pg_drop(pg, [_schema(size)])
                    db = f"{pg}?schema={_schema(size)}"
                    key = work / f"pg-{size}.key"
                    env, pub = {**bench.env, "LEDGER_KEY": str(key)}, key.with_suffix(".pub")
                found[store, size] = _measure(bench, db, env, pub, size, label)
    finally:
        if pg:
            with contextlib.suppress(Exception):
                pg_drop(pg, [_schema(size) for size in sizes])
    measures = []
    for store in stores:
        for name in COMMANDS:
            a, b = found[store, big][name], found[store, small][name]
            measures.append(
                Measure(
                    f"{store}: {name}: peak memory at {big:,} vs at {small:,} + 100 MiB",
                    a.rss / MIB,
                    "MiB",
                    (b.rss + GROWTH_ALLOWED) / MIB,
                    f"peak at {small:,} plus 100 MiB",
                    higher_is_better=False,
                    target=1.0,
                    ours_rss=a.rss,
                    baseline_rss=b.rss,
                    note=f"at {small:,}: {fmt_rss(b.rss)}; growth {fmt_rss(a.rss - b.rss)}",
                )
            )
    return measures


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.trailmem", description=__doc__.split("\n")[0]
    )
    parser.add_argument(
        "--pg",
        default=os.environ.get("BENCH_PG", DEFAULT_PG),
        help="PostgreSQL server URL, or 'none' to measure SQLite only",
    )
    parser.add_argument("--work", default=os.environ.get("BENCH_WORK", str(BENCH / "work")))
    parser.add_argument("--sizes", default="2000,200000", help="the sizes (default 2000,200000)")
    parser.add_argument("--timeout", type=float, default=900.0)
    args = parser.parse_args(argv)
    sizes = sorted({int(x) for x in args.sizes.split(",")})
    if len(sizes) < 2:
        parser.error("--sizes: two sizes at least, such as 2000,200000")
    work = Path(args.work).resolve() / "trailmem"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    env = child_env()
    bench = Bench(work, sys.executable, env, None, args.timeout)
    say(f"Load average at the start: {os.getloadavg()[0]:.2f} (1 min), {os.cpu_count()} cores")
    pg = None if args.pg.lower() == "none" else args.pg.split("?")[0]
    try:
        measures = measure(bench, work, sizes, pg)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    rows = [
        [
            m.name,
            fmt_value(m.ours, m.unit),
            fmt_value(m.baseline, m.unit),
            "-" if m.ratio is None else f"{m.ratio:.2f}",
            m.target_text(),
            met_text(m.met),
            m.note,
        ]
        for m in measures
    ]
    say("")
    say(table(rows, ["measure", "ours", "baseline", "ratio", "target", "met?", "note"]))
    return 0 if all(m.met for m in measures) else 1


if __name__ == "__main__":
    sys.exit(main())
