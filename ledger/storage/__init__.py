"""Storage: the one place the ledger speaks SQL (``sql`` holds every statement, per store).

It stores and returns facts as plain rows and caches as opaque rows (bytes bound to a head, see
``ledger.caches``): it knows nothing of what a fact means or what a register is. The library
(``eventsourcing``) owns the tables and their format; ``Storage`` adds the reads and writes the
library does not offer (plain rows in chunks, a checkpoint's first bytes, saving and pruning
caches), on either store, with the differences between them in ``sql.Dialect``.

- ``config``: where a ledger lives (``Config``) and the environment the library is built from.
- ``base``: ``Storage``, the reads and writes, written once over a ``Runner`` per store.
- ``sql``: every statement, SQLite's and PostgreSQL's side by side (``Dialect``).
- ``sqlite`` and ``postgres``: each store's runner, its insert of facts, and the follower's
  cache view (a tracking recorder that saves cache rows with its position).
- ``schema``: whether a place holds a ledger; a PostgreSQL ledger's schema made and dropped.

The key store (``ledger.keys``, a SQLite file of its own beside the ledger) keeps its own few
statements: it is storage of another kind (keys, destroyed on ``forget``), not the ledger's.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from eventsourcing.persistence import AggregateRecorder

    from ledger.storage.base import Storage


def open_storage(events: AggregateRecorder, saved: AggregateRecorder) -> Storage:
    """The storage over the library's recorders of a ledger's facts and caches, whichever
    store they are on (PostgreSQL's driver is imported only for a PostgreSQL ledger)."""
    from ledger.storage.sqlite import sqlite_storage

    found: Storage | None = sqlite_storage(events, saved)
    if found is None:
        from ledger.storage.postgres import postgres_storage

        found = postgres_storage(events, saved)
    if found is None:
        raise TypeError(f"no storage for {type(events).__name__}")
    return found
