"""The leaf hashes of a ledger's facts after a position, worked out in a process of its own.

``ledger verify`` on a large ledger starts this (``python -m ledger.leafhashing``) so that the
facts after a point are read and hashed on the other core while it checks the rest. The request
comes on standard input (JSON: the ledger's place and the position); the leaf hashes
go to standard output, concatenated, with exit status 0. Exit status 3 says they would not help
(a gap in the positions, or a row that cannot be hashed): the verifying process then reads those
facts itself, and names what is wrong.
"""

from __future__ import annotations

import sys
from pathlib import Path

import msgspec

from ledger import integrity
from ledger.store import Config, Ledger

NOT_USEFUL = 3


class Request(msgspec.Struct, frozen=True):
    db: str
    key_path: str
    after: int


def main() -> int:
    request = msgspec.json.decode(sys.stdin.buffer.read(), type=Request)
    ledger = Ledger(Config(db=request.db, key_path=Path(request.key_path)))
    try:
        leaves = integrity.hash_rows(ledger.rows(request.after), request.after)
    finally:
        ledger.close()
    if leaves is None:
        return NOT_USEFUL
    sys.stdout.buffer.write(leaves)
    sys.stdout.buffer.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
