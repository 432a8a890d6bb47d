"""The leaf hashes of a ledger's facts after a position, worked out in a process of its own.

``ledger verify`` on a large ledger starts this (``python -m ledger.leafhashing``) so that the
facts after a point are read and hashed on the other core while it checks the rest. The request
comes on standard input (JSON: the ledger's place and the position, and the position the
person index is to be checked to, if it is); the leaf hashes go to standard output,
concatenated, with exit status 0 (and, if asked, the faults of the person index against the
facts it read: ``peoplecheck.with_faults``). Exit status 3 says they would not help
(a gap in the positions, or a row that cannot be hashed): the verifying process then reads those
facts itself, and names what is wrong.
"""

from __future__ import annotations

import sys
from pathlib import Path

import msgspec

from ledger import integrity, peoplecheck
from ledger.store import Config, Ledger

NOT_USEFUL = 3


class Request(msgspec.Struct, frozen=True):
    db: str
    key_path: str
    after: int
    people: int | None = None  # check the person index too, up to this position


def main() -> int:
    request = msgspec.json.decode(sys.stdin.buffer.read(), type=Request)
    ledger = Ledger(Config(db=request.db, key_path=Path(request.key_path)))
    checker = None
    try:
        rows = ledger.rows(request.after)
        if request.people is not None and request.people > request.after:
            people_of = ledger.people_of()
            listed = ledger.storage.people_after(request.after)
            checker = peoplecheck.Checker(listed, request.people, people_of)
            rows = checker.tap(rows)
        leaves = integrity.hash_rows(rows, request.after)
    finally:
        ledger.close()
    if leaves is None:
        return NOT_USEFUL
    sys.stdout.buffer.write(leaves)
    if request.people is not None:
        found = [] if checker is None else checker.found if checker.complete else None
        sys.stdout.buffer.write(peoplecheck.trailer(found))
    sys.stdout.buffer.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
