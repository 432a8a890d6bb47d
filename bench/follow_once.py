"""The bench's measure of ``follow --once`` with one new fact, alone (issue 14): a few minutes,
where ``python -m bench --size 200000 --lean`` takes four or more.

The procedure is ``bench.commands``': on a ledger made by the bench's generator (``ledger demo
--size N``) and followed once (as the bench's latency section leaves its ledgers), ``post
publish`` records one fact and ``follow --once`` catches up with it, each a fresh process timed
by ``bench.harness`` (wall time, ``wait4``); three times, the median reported, and the ratio of
each size to the first::

    python -m bench.follow_once --sizes 1000,2000,200000 [--pg postgresql://...]

With ``--pg`` each size is measured on PostgreSQL too (a schema ``follow_once_N``, dropped
after).
"""

from __future__ import annotations

import argparse
import statistics
import sys
from collections.abc import Sequence
from pathlib import Path

from bench.harness import BENCH, Bench, child_env
from bench.postgres import pg_drop

RUNS = 3


def _drop(pg: str, schema: str) -> None:
    pg_drop(pg.split("?")[0], [schema])


def measure(bench: Bench, db: str, size: int, env: dict[str, str]) -> list[float]:
    """``follow --once`` after one new fact, ``RUNS`` times, on a new demo ledger of ``size``."""
    for argv, name in ((["demo", "--size", str(size)], "demo"), (["follow", "--once"], "follow")):
        done = bench.ledger_command(["--db", db, *argv], name, env)
        if done.status != 0:
            raise SystemExit(f"`ledger {name}` exited {done.status}: see {done.log}")
    seconds = []
    for run in range(RUNS):
        publish = [
            *("--db", db, "post", "publish", "--post", f"P-99999999{run}"),
            *("--channel", "closed-group", "--author", "S-0001"),
        ]
        for argv, name in ((publish, "post-publish"), (["--db", db, "follow", "--once"], "follow")):
            done = bench.ledger_command(argv, name, env)
            if done.status != 0:
                raise SystemExit(f"`ledger {name}` exited {done.status}: see {done.log}")
        seconds.append(done.seconds)
    return seconds


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.follow_once", description=__doc__)
    parser.add_argument("--sizes", default="1000,2000,200000", help="facts, comma-separated")
    parser.add_argument("--pg", help="a PostgreSQL server URL: each size there too")
    parser.add_argument("--work", default=str(BENCH / "work" / "follow-once"))
    args = parser.parse_args(argv)
    work = Path(args.work).resolve()
    work.mkdir(parents=True, exist_ok=True)
    env = child_env()
    bench = Bench(work, sys.executable, env, None, 1800.0)
    sizes = [int(size) for size in args.sizes.split(",")]
    for store in ["SQLite", *(["PostgreSQL"] if args.pg else [])]:
        first: float | None = None
        for size in sizes:
            run_env = dict(env)
            if store == "SQLite":
                db = str(work / f"follow-once-{size}.db")
                for path in work.glob(f"follow-once-{size}.db*"):
                    path.unlink()
            else:
                schema = f"follow_once_{size}"
                _drop(args.pg, schema)
                db = f"{args.pg.split('?')[0]}?schema={schema}"
                run_env["LEDGER_KEY"] = str(work / f"{schema}.key")
                Path(run_env["LEDGER_KEY"]).unlink(missing_ok=True)
            try:
                seconds = measure(bench, db, size, run_env)
            finally:
                if store == "PostgreSQL":
                    _drop(args.pg, schema)
            median = statistics.median(seconds)
            first = first or median
            runs = ", ".join(f"{s:.2f}" for s in seconds)
            print(
                f"{store}: follow --once (one new fact) at {size:,}: {median:.2f} s"
                f" (median of {runs}), {median / first:.2f}x the first size",
                flush=True,
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
