"""What the ledger publishes (``ledger.service``): the static transparency site, and the
follower that keeps the registers and the site's numbers current as facts arrive.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from ledger.service.errors import Refusal
from ledger.service.progress import Progress
from ledger.store import Clock, Ledger, today

if TYPE_CHECKING:  # the site's builder (MkDocs) is loaded only to build one
    from ledger.site import BuildReport


def site_build(
    ledger: Ledger,
    out: Path,
    *,
    audience: str,
    verifier_key: str,
    clock: Clock,
    as_of: dt.date | None = None,
    progress: Progress | None = None,
) -> BuildReport:
    """Build the static site (``audience``: committee or public) as of ``as_of`` (default
    today) into ``out``; it shows ``verifier_key``, the key to check its checkpoint with.
    ``progress`` is told each step done (``ledger.site.STEPS``: the numbers, the pages,
    MkDocs)."""
    from ledger.site import build

    day = as_of or today(clock)
    try:
        return build(
            ledger, out, audience=audience, day=day, verifier_key=verifier_key, progress=progress
        )
    except (OSError, ValueError) as exc:
        raise Refusal(f"site build: {exc}") from None


def facts_held(ledger: Ledger) -> int:
    """How many facts the ledger holds (its head's position)."""
    return ledger.head()


def follow(
    ledger: Ledger, clock: Clock, *, once: bool, until: Callable[[], bool] | None = None
) -> None:
    """Keep the registers and the site's numbers current as facts arrive, until interrupted
    (``once``: catch up, then stop; ``until``: stop once caught up when it says so). On
    PostgreSQL the follower opens the ledger itself (``ledger`` is closed first)."""
    from ledger.follow import follow_postgres, follow_sqlite

    config = ledger.config
    stop = until if until is not None else (lambda: False)
    try:
        if config.is_postgres:
            ledger.close()
            follow_postgres(config, once=once, until=stop, today=lambda: today(clock))
        else:
            follow_sqlite(ledger, once=once, until=stop, today=lambda: today(clock))
    except KeyboardInterrupt:
        pass
