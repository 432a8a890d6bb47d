"""The bench's measures on SQLite (``bench.run``): the import, the rebuild and verify, and the
latency of ``check post`` and of a site build at two sizes."""

from __future__ import annotations

import contextlib
import shutil
import sqlite3
import statistics
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.commands import Ledger, commands
from bench.harness import (
    PARTS,
    PROFILE,
    SETTING,
    SMALL,
    Bench,
    Measure,
    Report,
    Run,
    StepFailed,
    Watch,
    fmt_rss,
    progress,
    remove_sqlite_ledger,
    say,
    split_facts,
    tail,
)


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
    lo_ledger = Ledger(str(small_db), Path(f"{small_db}.pub"))
    commands(bench, rep, lo_ledger, Ledger(db, Path(f"{db}.pub")), SMALL, n)  # last: adds a fact


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
        run = bench.ledger_command(
            ["--db", db, "site", "build", "--out", str(out), "--audience", "committee"],
            "site-build",
        )
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
