"""Where the time of an import and of a rebuild goes: each stage timed on its own, over all the
facts, without a profiler (whose cost per call would distort the shares).

    python -m bench.stages import DB FACTS.jsonl   # DB: a ledger just made by `ledger init`
    python -m bench.stages rebuild DB              # DB: a SQLite ledger holding the facts

The import stages are those ``Ledger.record`` goes through for each fact; their sum, against the
baseline's insert alone, is what the import target leaves for them (``bench/README.md``). Deciding
and folding the facts is the service layer's own dry run (``ledger import --dry-run``). The
rebuild stages split the facts into posts and the rest, to show what folding them on two cores
would leave on the slower one. Nothing is written to the ledger but the keys an import needs.
"""

from __future__ import annotations

import contextlib
import sqlite3
import sys
import time
from pathlib import Path

from ledger import importer, integrity
from ledger.mapper import Recorded, sealing_subjects
from ledger.service.importing import dry_run_counts
from ledger.service.trust import mapper_of
from ledger.store import Config, Ledger, open_ledger, system_clock
from projections import registers as reg
from projections.findings import all_episodes

POST_TOPICS = ("PostPublished:", "PostRemoved:", "PosterContacted:", "ReferredToManager:P-")


class Clock:
    """Seconds since the last call."""

    def __init__(self) -> None:
        self._last = time.perf_counter()

    def __call__(self) -> float:
        now = time.perf_counter()
        seconds, self._last = now - self._last, now
        return seconds


def import_stages(ledger: Ledger, facts: Path) -> dict[str, float]:
    """Seconds per stage of recording the facts of a file (not recorded)."""
    now = system_clock()  # as `ledger import` takes it (LEDGER_NOW pins it, as the bench does)
    mapper = mapper_of(ledger)
    out: dict[str, float] = {}
    with reg.paused_gc():
        start = ledger.registers().position
        clock = Clock()
        lines = list(importer.read_jsonl(importer.file_lines(facts)))
        events = [event for _, event in lines]
        out["read and decode each line into its event"] = clock()
        dry_run_counts(ledger, lines, None, lambda: now)  # the registers read again: a few facts
        out["decide it and fold it in"] = clock()
        needed: set[str] = set()
        for event in events:
            needed |= sealing_subjects(event)
        ledger.keys.ensure(needed)
        out["find or make the keys it needs"] = clock()
        rows = [
            mapper.to_stored_event(Recorded(ledger.stream, start + i, now, event))
            for i, event in enumerate(events, start=1)
        ]
        out["seal its personal fields and encode the row"] = clock()
        hasher, tree = integrity.LeafHasher(), integrity.Frontier()
        for first in range(0, len(rows), 5000):
            chunk = rows[first : first + 5000]
            tree.extend(hasher.leaves((r.originator_version, r.topic, r.state) for r in chunk))
        out["hash its Merkle leaf and extend the tree"] = clock()
    out["facts"] = len(events)
    return out


def rebuild_stages(ledger: Ledger, db: str) -> dict[str, float]:
    """Seconds per stage of a rebuild, for the posts and for the rest of the facts (a SQLite
    ledger: the split is made by the query)."""
    open_row = mapper_of(ledger).open_row
    posts = " OR ".join(
        f"(topic >= '{t}' AND topic < '{t[:-1]}{chr(ord(t[-1]) + 1)}')" for t in POST_TOPICS
    )
    out: dict[str, float] = {}
    with reg.paused_gc(), contextlib.closing(sqlite3.connect(db)) as conn:
        for part, where in (("posts", posts), ("the rest", f"NOT ({posts})")):
            clock = Clock()
            rows = conn.execute(
                "SELECT originator_version, topic, state FROM stored_events"
                f" WHERE originator_id = ? AND ({where}) ORDER BY originator_version",
                (ledger.stream.hex,),
            ).fetchall()
            out[f"{part}: select ({len(rows):,} rows)"] = clock()
            events = [open_row(*row).event for row in rows]
            out[f"{part}: decode each row into its event"] = clock()
            part_registers = reg.Registers()
            for (position, _, _), event in zip(rows, events, strict=True):
                reg.apply(part_registers, event, position)
            out[f"{part}: fold"] = clock()
            del rows, events
        registers = reg.rebuild(ledger.facts())
        clock = Clock()
        all_episodes(registers, ledger.profile)
        out["judge every rule (over the whole registers)"] = clock()
    return out


def main(argv: list[str]) -> int:
    if len(argv) == 3 and argv[0] == "import":
        ledger = open_ledger(Config.from_db(argv[1]))
        stages = import_stages(ledger, Path(argv[2]))
        count = stages.pop("facts")
        print(f"import stages, {count:,.0f} facts (µs a fact):")
        for name, seconds in stages.items():
            print(f"  {name:<48} {seconds / count * 1e6:6.1f}")
        print(f"  {'all of them':<48} {sum(stages.values()) / count * 1e6:6.1f}")
        return 0
    if len(argv) == 2 and argv[0] == "rebuild" and "://" not in argv[1]:
        ledger = open_ledger(Config.from_db(argv[1]))
        print(f"rebuild stages, {ledger.head():,} facts (seconds):")
        for name, seconds in rebuild_stages(ledger, argv[1]).items():
            print(f"  {name:<48} {seconds:6.2f}")
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
