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


@dataclass
class Timed:
    seconds: float | None
    rss: int | None
    reason: str = ""  # why it was not measured


def _run(bench: Bench, argv: list[str], name: str, accept: tuple[int, ...] = (0,)) -> Timed:
    run: Run = bench.ledger_command(argv, name)
    if run.status not in accept:
        lines = " / ".join(line.strip() for line in tail(run.log, 3).splitlines())
        return Timed(None, None, f"`ledger {name}` exited {run.status}: {lines}")
    return Timed(run.seconds, run.rss)


def commands_at(bench: Bench, db: str, label: str) -> dict[str, Timed]:
    """Every command, once, on the ledger ``db`` (in this order: findings, reading the
    episodes the follower kept; subject; post publish; follow with that one new fact; export;
    replay of that export; verify)."""
    out: dict[str, Timed] = {}
    out["findings"] = _run(bench, ["--db", db, "findings"], "findings")
    out["subject"] = _run(bench, ["--db", db, "subject", "G-0001"], "subject")
    publish = [
        *("--db", db, "post", "publish", "--post", "P-999999999", "--channel", "closed-group"),
        *("--author", "S-0001"),
    ]
    out["post publish"] = _run(bench, publish, "post-publish")
    out["follow --once (one new fact)"] = _run(bench, ["--db", db, "follow", "--once"], "follow")
    run = bench.ledger_command(["--db", db, "export"], "export")
    out["export"] = (
        Timed(run.seconds, run.rss)
        if run.status == 0
        else Timed(None, None, f"`ledger export` exited {run.status}")
    )
    key = Path(f"{db}.pub").read_text().strip()
    out["replay"] = (
        _run(bench, ["replay", run.log, "--key", key], "replay")
        if run.status == 0
        else Timed(None, None, "no export to replay")
    )
    out["verify"] = _run(bench, ["--db", db, "verify"], "verify")
    for name, timed in out.items():
        shown = (
            f"{timed.seconds:,.2f} s, peak RSS {fmt_rss(timed.rss)}"
            if timed.seconds is not None
            else f"not measured ({timed.reason})"
        )
        say(f"  {name} at {label}: {shown}")
    return out


PER_FACT = ("findings", "subject", "post publish", "follow --once (one new fact)")
TRAILS = ("export", "replay", "verify")


def commands(bench: Bench, rep: Report, small_db: str, db: str, small: int, n: int) -> None:
    """Every command at both sizes, and the targets: per-fact ones within 1.5 times the small
    ledger's time; export, replay and verify under 256 MiB."""
    say(f"\nSQLite: every command end to end, at {small:,} and at {n:,}")
    try:
        lo = commands_at(bench, small_db, f"{small:,}")
        hi = commands_at(bench, db, f"{n:,}")
    except StepFailed as exc:
        rep.failed("every command", exc)
        return
    rep.notes.append(
        "findings reads the episodes `ledger follow --once` kept at the head (the site builds"
        " before ran it); with no follower it judges every rule, as the first site build does"
    )
    for name in PER_FACT:
        a, b = hi[name], lo[name]
        measured = a.seconds is not None and b.seconds is not None
        rep.add(
            Measure(
                f"{name} at {n:,} vs at {small:,}",
                a.seconds if measured else None,
                "s",
                b.seconds if measured else None,
                f"the same at {small:,} events",
                higher_is_better=False,
                target=1.5,
                ours_rss=a.rss,
                baseline_rss=b.rss,
                note=(a.reason or b.reason) if not measured else "end to end, one run",
            )
        )
        rep.mem(f"{name} at {n:,}", a.rss, b.rss, f"at {small:,}")
    for name in TRAILS:
        a, b = hi[name], lo[name]
        rep.add(
            Measure(
                f"{name}: peak memory at {n:,} (MiB) vs the 256 MiB target",
                None if a.rss is None else a.rss / MIB,
                "MiB",
                TRAIL_RSS_TARGET / MIB,
                "256 MiB, the target for streaming",
                higher_is_better=False,
                target=1.0,
                ours_rss=a.rss,
                baseline_rss=b.rss,
                note=a.reason or f"end to end; at {small:,}: {fmt_rss(b.rss)}, {_secs(b)}",
            )
        )
        rep.mem(f"{name} at {n:,}", a.rss, b.rss, f"at {small:,}")


def _secs(timed: Timed) -> str:
    return "not measured" if timed.seconds is None else f"{timed.seconds:,.2f} s"
