"""The commands a manager, a parent's request and an inspector run, end to end at two sizes
(``bench.run``; issue 14, item 7).

Each is ``ledger ...`` in a fresh process, as a user runs it (start-up and imports included):
wall time and the process's peak RSS (``wait4``), at the bench's small ledger (1,000 events)
and at the full size. Per-fact commands should cost the same at any size (target: at most 1.5
times the small ledger's time); whole-trail commands (export, replay, verify) should stream
(target: under 256 MiB at the full size).

The commands run last, on the two ledgers the latency section built and followed (so the
episodes ``findings`` reads are kept): ``post publish`` adds one fact to each, which ``follow
--once`` then catches up with.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from bench.harness import Bench, Measure, Report, Run, StepFailed, fmt_rss, say, tail

MIB = 2**20
TRAIL_RSS_TARGET = 256 * MIB
GROWTH_ALLOWED = 100 * MIB  # a whole-trail command's peak over the small ledger's (issue 14)


@dataclass
class Timed:
    seconds: float | None
    rss: int | None
    reason: str = ""  # why it was not measured


def _run(
    bench: Bench,
    argv: list[str],
    name: str,
    env: dict[str, str] | None,
    accept: tuple[int, ...] = (0,),
) -> Timed:
    run: Run = bench.ledger_command(argv, name, env)
    if run.status not in accept:
        lines = " / ".join(line.strip() for line in tail(run.log, 3).splitlines())
        return Timed(None, None, f"`ledger {name}` exited {run.status}: {lines}")
    return Timed(run.seconds, run.rss)


@dataclass
class Ledger:
    """A ledger the commands run on: where it is, the environment its commands need (the key
    file of a PostgreSQL ledger), and its published key (for replay's --key)."""

    db: str
    pub: Path
    env: dict[str, str] | None = None


def commands_at(bench: Bench, ledger: Ledger, label: str) -> tuple[dict[str, Timed], str | None]:
    """Every command, once, on ``ledger`` (in this order: findings, reading the episodes the
    follower kept; subject; post publish; follow with that one new fact; export; replay of
    that export; verify); and the export file (None if export failed)."""
    db, env = ledger.db, ledger.env
    out: dict[str, Timed] = {}
    out["findings"] = _run(bench, ["--db", db, "findings"], "findings", env)
    out["subject"] = _run(bench, ["--db", db, "subject", "G-0001"], "subject", env)
    publish = [
        *("--db", db, "post", "publish", "--post", "P-999999999", "--channel", "closed-group"),
        *("--author", "S-0001"),
    ]
    out["post publish"] = _run(bench, publish, "post-publish", env)
    out["follow --once (one new fact)"] = _run(
        bench, ["--db", db, "follow", "--once"], "follow", env
    )
    run = bench.ledger_command(["--db", db, "export"], "export", env)
    exported = run.log if run.status == 0 else None
    out["export"] = (
        Timed(run.seconds, run.rss)
        if run.status == 0
        else Timed(None, None, f"`ledger export` exited {run.status}")
    )
    key = ledger.pub.read_text().strip()
    out["replay"] = (
        _run(bench, ["replay", run.log, "--key", key], "replay", env)
        if exported
        else Timed(None, None, "no export to replay")
    )
    out["verify"] = _run(bench, ["--db", db, "verify"], "verify", env)
    for name, timed in out.items():
        shown = (
            f"{timed.seconds:,.2f} s, peak RSS {fmt_rss(timed.rss)}"
            if timed.seconds is not None
            else f"not measured ({timed.reason})"
        )
        say(f"  {name} at {label}: {shown}")
    return out, exported


PER_FACT = ("findings", "subject", "post publish", "follow --once (one new fact)")
TRAILS = ("export", "replay", "verify")


def commands(
    bench: Bench,
    rep: Report,
    small: Ledger,
    big: Ledger,
    small_n: int,
    n: int,
    store: str = "SQLite",
) -> None:
    """Every command at both sizes, and the targets: per-fact ones within 1.5 times the small
    ledger's time; export, replay and verify under 256 MiB, and export and replay at least
    half as fast as their raw baselines (measured here, on the same rows and the same file)."""
    say(f"\n{store}: every command end to end, at {small_n:,} and at {n:,}")
    tag = "" if store == "SQLite" else f"{store}: "
    try:
        lo, _ = commands_at(bench, small, f"{small_n:,}")
        hi, exported = commands_at(bench, big, f"{n:,}")
    except StepFailed as exc:
        rep.failed(f"{tag}every command", exc)
        return
    if not tag:
        rep.notes.append(
            "findings reads the episodes `ledger follow --once` kept at the head (the site"
            " builds before ran it); with no follower it judges every rule, as the first site"
            " build does"
        )
    for name in PER_FACT:
        a, b = hi[name], lo[name]
        measured = a.seconds is not None and b.seconds is not None
        rep.add(
            Measure(
                f"{tag}{name} at {n:,} vs at {small_n:,}",
                a.seconds if measured else None,
                "s",
                b.seconds if measured else None,
                f"the same at {small_n:,} events",
                higher_is_better=False,
                target=1.5,
                ours_rss=a.rss,
                baseline_rss=b.rss,
                note=(a.reason or b.reason) if not measured else "end to end, one run",
            )
        )
        rep.mem(f"{tag}{name} at {n:,}", a.rss, b.rss, f"at {small_n:,}")
    for name in TRAILS:
        a, b = hi[name], lo[name]
        rep.add(
            Measure(
                f"{tag}{name}: peak memory at {n:,} (MiB) vs the 256 MiB target",
                None if a.rss is None else a.rss / MIB,
                "MiB",
                TRAIL_RSS_TARGET / MIB,
                "256 MiB, the target for streaming",
                higher_is_better=False,
                target=1.0,
                ours_rss=a.rss,
                baseline_rss=b.rss,
                note=a.reason or f"end to end; at {small_n:,}: {fmt_rss(b.rss)}, {_secs(b)}",
            )
        )
        rep.mem(f"{tag}{name} at {n:,}", a.rss, b.rss, f"at {small_n:,}")
        rep.add(  # issue 14's Done-when: no more than at the small ledger plus 100 MiB
            Measure(
                f"{tag}{name}: peak memory at {n:,} vs at {small_n:,} + 100 MiB",
                None if a.rss is None else a.rss / MIB,
                "MiB",
                None if b.rss is None else (b.rss + GROWTH_ALLOWED) / MIB,
                f"peak at {small_n:,} plus 100 MiB",
                higher_is_better=False,
                target=1.0,
                ours_rss=a.rss,
                baseline_rss=b.rss,
                note=a.reason or b.reason or f"at {small_n:,}: {fmt_rss(b.rss)}",
            )
        )
    _against_raw(bench, rep, big, hi, exported, n, tag)


def _against_raw(
    bench: Bench,
    rep: Report,
    ledger: Ledger,
    hi: dict[str, Timed],
    exported: str | None,
    n: int,
    tag: str,
) -> None:
    """Export and replay against their raw baselines: a raw select of the rows written out
    (export), and the export file read, decoded and hashed a line at a time (replay)."""
    out = bench.work / "raw-export.jsonl"
    try:
        raw_export = bench.step("raw_export", {"db": ledger.db, "out": str(out)}, ledger.env)
        raw_replay = bench.step("raw_replay", {"file": exported}, ledger.env) if exported else None
    except StepFailed as exc:
        rep.failed(f"{tag}export and replay against raw", exc)
        return
    finally:
        out.unlink(missing_ok=True)
    for name, raw, words in (
        ("export", raw_export, "raw select + write of the rows"),
        ("replay", raw_replay, "raw JSON decode + SHA-256 of each line"),
    ):
        ours = hi[name]
        measured = ours.seconds is not None and raw is not None
        rep.add(
            Measure(
                f"{tag}{name} at {n:,}: vs {words}",
                n / ours.seconds if measured and ours.seconds else None,
                "events/s",
                n / raw.seconds if measured and raw is not None and raw.seconds else None,
                words,
                target=0.5,
                ours_rss=ours.rss,
                baseline_rss=None if raw is None else raw.rss,
                note=ours.reason or "ours end to end (process start included); raw in-process",
            )
        )


def _secs(timed: Timed) -> str:
    return "not measured" if timed.seconds is None else f"{timed.seconds:,.2f} s"
