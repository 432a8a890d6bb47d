"""A federation's ONE site at 1, 10 and 50 members (issue 16): ``python -m bench.federation``.

Each member is a demo ledger of about 2,000 facts (``ledger demo --size 2000``, a seed of its
own, so the members differ), made once and kept in ``WORK/federation/`` (SQLite files, and
PostgreSQL schemas ``bench_fed_<n>`` unless ``--pg none``, dropped afterwards). Then ``ledger
site build --federation FILE --audience committee`` end to end in a fresh process, as a user
runs it (start-up and imports included): wall time and the process's peak RSS (``wait4``), for
the first 1, 10 and 50 members; and ``ledger site build --db`` of the first member alone, the
one setting's own build.

The target (issue 16): 50 members' site in under 10 times one member's. The ratios are of the
50- and 10-member builds to the 1-member build (and to the single setting's own build). At
2,000 facts a member's numbers take about 20 ms to work out, so no follower runs first.

Also a step of ``python -m bench`` (``bench.run``), on SQLite only.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from bench.harness import (
    BENCH,
    DEFAULT_PG,
    PROFILE,
    Bench,
    Measure,
    Report,
    StepFailed,
    child_env,
    fmt_rss,
    fmt_value,
    met_text,
    say,
    table,
    tail,
)

MEMBERS: tuple[int, ...] = (1, 10, 50)
FACTS = 2_000
TARGET = 10.0  # 50 members' site in under 10 times one member's build time


def _ledger_place(folder: Path, number: int, pg: str | None) -> tuple[str, Path]:
    """Member ``number``'s ledger (a file, or a PostgreSQL schema) and its key file."""
    if pg is None:
        db = folder / f"member-{number:03d}.db"
        return str(db), Path(f"{db}.key")
    base = pg.split("?")[0]
    return f"{base}?schema=bench_fed_{number:03d}", folder / f"pg-member-{number:03d}.key"


def make_members(bench: Bench, folder: Path, count: int, pg: str | None) -> list[tuple[str, Path]]:
    """``count`` demo ledgers of about FACTS facts each (made once; kept between runs for
    SQLite, where a member's file and key are both there)."""
    folder.mkdir(parents=True, exist_ok=True)
    out: list[tuple[str, Path]] = []
    started = time.perf_counter()
    made = 0
    for number in range(1, count + 1):
        db, key = _ledger_place(folder, number, pg)
        if pg is None and Path(db).is_file() and key.is_file():
            out.append((db, key))
            continue
        if pg is not None:  # its schema was dropped (``measure``): a key left beside is stale
            for stale in (key, Path(f"{key}s"), key.with_suffix(".pub")):
                stale.unlink(missing_ok=True)
        env = {**bench.env, "LEDGER_KEY": str(key)}
        argv = ["--db", db, "demo", "--profile", PROFILE, "--size", str(FACTS)]
        argv += ["--seed", str(number), "--setting", f"Bench Member {number}"]
        run = bench.ledger_command(argv, "fed-demo", env)
        if run.status != 0:
            raise StepFailed(
                f"`ledger demo` for member {number} exited {run.status}:\n" + tail(run.log)
            )
        made += 1
        out.append((db, key))
    if made:
        say(f"  made {made} member ledger(s) in {time.perf_counter() - started:,.1f} s")
    return out


def federation_file(path: Path, members: Sequence[tuple[str, Path]]) -> Path:
    lines = [f"name = {json.dumps(f'Bench Federation of {len(members)}')}", ""]
    for number, (db, key) in enumerate(members, start=1):
        lines += [
            "[[members]]",
            f"name = {json.dumps(f'Member School {number}')}",
            f"ledger = {json.dumps(db)}",
            f"key_file = {json.dumps(str(key))}",
            "",
        ]
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def measure(bench: Bench, rep: Report, *, pg: str | None, sizes: Sequence[int] = MEMBERS) -> None:
    """The federation's site at each of ``sizes`` members on SQLite (and PostgreSQL)."""
    stores: list[tuple[str, str | None]] = [("SQLite", None)]
    if pg is not None:
        stores.append(("PostgreSQL", pg))
    for label, server in stores:
        say(
            f"\n{label}: the federation's ONE site (`site build --federation`),"
            f" {FACTS:,} facts a member"
        )
        folder = bench.work / "federation" / ("pg" if server else "sqlite")
        if server is not None:
            _drop(server, max(sizes))  # left by an interrupted run: `ledger demo` makes them
        try:
            _measure_store(bench, rep, label, folder, server, sizes)
        except StepFailed as exc:
            rep.failed(f"{label} federation site", exc)
        finally:
            if server is not None:
                _drop(server, max(sizes))


def _measure_store(
    bench: Bench, rep: Report, label: str, folder: Path, pg: str | None, sizes: Sequence[int]
) -> None:
    members = make_members(bench, folder, max(sizes), pg)
    out = folder / "site"
    env = bench.env
    # The one setting's own build, of the first member: the "one member's build time".
    shutil.rmtree(out, ignore_errors=True)
    db, key = members[0]
    single = bench.ledger_command(
        ["--db", db, "site", "build", "--out", str(out), "--audience", "committee"],
        "fed-single",
        {**env, "LEDGER_KEY": str(key)},
    )
    if single.status != 0:
        raise StepFailed(f"`ledger site build` exited {single.status}:\n" + tail(single.log))
    say(f"  one setting's own site: {single.seconds:,.2f} s, peak RSS {fmt_rss(single.rss)}")
    builds: dict[int, tuple[float, int]] = {}
    for count in sizes:
        file = federation_file(folder / f"federation-{count}.toml", members[:count])
        shutil.rmtree(out, ignore_errors=True)
        run = bench.ledger_command(
            [
                "site",
                "build",
                "--federation",
                str(file),
                "--out",
                str(out),
                "--audience",
                "committee",
            ],
            f"fed-site-{count}",
        )
        if run.status != 0:
            raise StepFailed(
                f"the federation's site at {count} exited {run.status}:\n" + tail(run.log)
            )
        builds[count] = (run.seconds, run.rss)
        say(f"  {count:>3} member(s): {run.seconds:,.2f} s, peak RSS {fmt_rss(run.rss)}")
        rep.mem(f"federation site, {count} member(s), {label}", run.rss)
    shutil.rmtree(out, ignore_errors=True)
    first = min(builds)
    one = builds[first][0]
    for count in sorted(builds):
        if count == first:
            continue
        rep.add(
            Measure(
                f"{label} federation site: {count} members vs {first}",
                builds[count][0],
                "s",
                baseline=one,
                baseline_name=f"the federation's site at {first} member",
                higher_is_better=False,
                target=TARGET if count == max(builds) else None,
                ours_rss=builds[count][1],
                baseline_rss=builds[first][1],
            )
        )
    last = max(builds)
    rep.add(
        Measure(
            f"{label} federation site: {last} members vs one setting's own",
            builds[last][0],
            "s",
            baseline=single.seconds,
            baseline_name="`ledger site build --db` of one member",
            higher_is_better=False,
            ours_rss=builds[last][1],
            baseline_rss=single.rss,
        )
    )
    rep.steps[f"federation {label}"] = {
        "single": {"seconds": single.seconds, "rss": single.rss},
        "members": {str(k): {"seconds": s, "rss": r} for k, (s, r) in builds.items()},
    }


def _drop(pg: str, count: int) -> None:
    from bench.postgres import pg_drop

    with contextlib.suppress(Exception):  # nothing to drop if the server is gone
        pg_drop(pg.split("?")[0], [f"bench_fed_{n:03d}" for n in range(1, count + 1)])


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.federation", description=__doc__.split("\n")[0]
    )
    parser.add_argument(
        "--pg",
        default=os.environ.get("BENCH_PG", DEFAULT_PG),
        help="PostgreSQL server URL, or 'none' to measure SQLite only",
    )
    parser.add_argument("--work", default=os.environ.get("BENCH_WORK", str(BENCH / "work")))
    parser.add_argument(
        "--members", default=",".join(map(str, MEMBERS)), help="the sizes (default 1,10,50)"
    )
    parser.add_argument("--timeout", type=float, default=900.0)
    args = parser.parse_args(argv)
    sizes = sorted({int(x) for x in args.members.split(",")})
    work = Path(args.work).resolve()
    work.mkdir(parents=True, exist_ok=True)
    env = child_env()
    bench = Bench(work, sys.executable, env, None, args.timeout)
    say(f"Load average at the start: {os.getloadavg()[0]:.2f} (1 min), {os.cpu_count()} cores")
    rep = Report()
    pg = None if args.pg.lower() == "none" else args.pg
    measure(bench, rep, pg=pg, sizes=sizes)
    rows = [
        [
            m.name,
            fmt_value(m.ours, m.unit),
            fmt_value(m.baseline, m.unit),
            "-" if m.ratio is None else f"{m.ratio:.2f}",
            m.target_text(),
            met_text(m.met),
        ]
        for m in rep.measures
    ]
    say("")
    say(table(rows, ["measure", "ours", "baseline", "ratio", "target", "met?"]))
    say(f"Load average at the end: {os.getloadavg()[0]:.2f} (1 min)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
