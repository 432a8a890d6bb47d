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
    from ledger.federation import Federation, Member
    from ledger.site import BuildReport, SiteInputs


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


def federation_site_build(
    federation: Federation,
    out: Path,
    *,
    audience: str,
    clock: Clock,
    as_of: dt.date | None = None,
    progress: Progress | None = None,
) -> BuildReport:
    """Build ONE site for every member of ``federation`` into ``out``: the federation's
    overview, then each member's pages under its name (``ledger.federation_site``). Each
    member's numbers are read from its own ledger as its own site build reads them, judged
    against its own profile; its Integrity page shows the key to check it with (the
    federation file's ``public_key``, else the ``.pub`` beside its key file, else its key
    file's). A member whose ledger cannot be read stops the build before anything is written:
    a site without it could be read as a member with nothing to report."""
    from ledger.federation_site import build

    day = as_of or today(clock)
    if audience not in ("committee", "public"):
        raise Refusal(f"site build: unknown audience {audience!r} (expected committee or public)")
    names = [member.name for member in federation.members]
    # Each member's ledger is read as the build comes to it (its charts are drawn meanwhile).
    inputs = (_member_inputs(member, day) for member in federation.members)
    try:
        return build(
            federation.name, names, inputs, out, audience=audience, day=day, progress=progress
        )
    except (OSError, ValueError) as exc:
        raise Refusal(f"site build: {exc}") from None


def _member_inputs(member: Member, day: dt.date) -> SiteInputs:
    """A member's site inputs from its own ledger (opened, read and closed: nothing written)."""
    import sqlite3

    from eventsourcing.persistence import PersistenceError

    from ledger.site import inputs_of
    from ledger.store import LedgerError, open_ledger

    config = member.config()
    where = f"site build: member {member.name!r} (line {member.line}, {config.shown})"
    try:
        ledger = open_ledger(config)
    except (LedgerError, OSError, sqlite3.Error, PersistenceError) as exc:
        raise Refusal(f"{where}: {exc}") from None
    try:
        key = _verifier_key(member)
        return inputs_of(ledger, day, key)
    except Refusal as exc:
        raise Refusal(f"{where}: {exc}") from None
    except (LedgerError, OSError, ValueError, sqlite3.Error, PersistenceError) as exc:
        raise Refusal(f"{where}: cannot be read ({exc})") from None
    finally:
        ledger.close()


def _verifier_key(member: Member) -> str:
    """The key a member's site shows: the one it publishes (the federation file's
    ``public_key``, else the ``.pub`` beside its key file), else its key file's."""
    from ledger.service.trust import load_signer

    if member.public_key is not None:
        return member.public_key
    config = member.config()
    published = config.key_path.with_suffix(".pub")
    if published.is_file():
        text = published.read_text(encoding="utf-8").strip()
        if text:
            return text
    return load_signer(config).verifier_key()


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
