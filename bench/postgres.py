"""The bench's PostgreSQL runs (``bench.run``): the import (whole and in parts, watched for a
hang), the raw and library baselines, the rebuild and verify, then every command end to end
(``bench.commands``) as on SQLite."""

from __future__ import annotations

import argparse
import contextlib
from collections.abc import Sequence
from pathlib import Path

from bench.commands import Ledger, commands
from bench.harness import (
    HANG_AFTER,
    PG_PART,
    SMALL,
    Bench,
    Hung,
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
)
from bench.measures import (
    import_step,
    read_side,
)

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


def postgres_runs(
    bench: Bench, rep: Report, n: int, big: Path, small: Path, args: argparse.Namespace
) -> None:
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
    names = {k: f"{tag}_{k}" for k in ("ours", "fn", "parts", "raw", "lib", "small")}
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
    pg_commands(bench, rep, n, small, source, env, base, names["small"], ledger_env("small"))


def pg_commands(
    bench: Bench,
    rep: Report,
    n: int,
    small: Path,
    source: str,
    env: dict[str, str],
    base: str,
    small_schema: str,
    small_env: dict[str, str],
) -> None:
    """Every command end to end on PostgreSQL, as on SQLite: a ledger of the small size in
    its own schema against the full one, each followed first (``follow --once``) so that
    ``findings`` reads the episodes a server's follower keeps."""
    small_url = f"{base}?schema={small_schema}"
    try:
        import_step(bench, small_url, [small], f"the {SMALL:,}-event ledger", small_env)
        for url, e in ((small_url, small_env), (source, env)):
            run = bench.ledger_command(["--db", url, "follow", "--once"], "follow", e)
            if run.status != 0:
                raise StepFailed(f"follow --once exited {run.status}; see {run.log}")
    except StepFailed as exc:
        rep.failed("PostgreSQL: every command", exc)
        pg_drop(base, [small_schema])
        return

    def pub(e: dict[str, str]) -> Path:
        return Path(e["LEDGER_KEY"]).with_suffix(".pub")

    commands(
        bench,
        rep,
        Ledger(small_url, pub(small_env), small_env),
        Ledger(source, pub(env), env),
        SMALL,
        n,
        store="PostgreSQL",
    )
    pg_drop(base, [small_schema])


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
