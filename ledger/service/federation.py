"""The use cases that span a federation's members (``ledger.service``): the findings of every
member, every member verified, and one follower keeping every member's registers current.

Each takes a ``Federation`` (``ledger.federation``) and answers member by member, in the
file's order. A member whose ledger cannot be opened or read is answered by what is wrong
(its display name, where its ledger is as ``Config.shown`` prints it, never a password); the
others are still answered. Reading the findings and verifying write nothing to any member:
no registers saved, no forget completed (a single ledger's commands do both on opening).
"""

from __future__ import annotations

import datetime as dt
import sqlite3
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from eventsourcing.persistence import PersistenceError

from ledger import integrity
from ledger.federation import Federation, Member
from ledger.mapper import MapperError
from ledger.service import audit, publishing, reading
from ledger.service.errors import Refusal, ServiceError
from ledger.service.trust import load_signer
from ledger.store import Clock, Ledger, LedgerError, open_ledger, today
from projections.findings import OVERDUE_AFTER_DAYS

__all__ = [
    "OVERDUE_AFTER_DAYS",
    "MemberFindings",
    "MemberFollowed",
    "MemberVerified",
    "findings",
    "follow",
    "follow_once",
    "verify",
]


def problem_of(member: Member, exc: BaseException) -> str:
    """What is wrong with a member's ledger, fit to print: the store's own words where they
    name only the ledger's place (``Config.shown``), else the kind of error alone (a driver's
    text could hold a password or a name)."""
    where = member.config().shown
    if isinstance(exc, LedgerError):
        text = str(exc)
        return text if where in text else f"{where}: {text}"
    if isinstance(exc, ServiceError):
        return f"{where}: {exc.message}"
    if isinstance(exc, MapperError):
        return f"{where}: {exc}"
    return f"{where}: the ledger could not be read ({type(exc).__name__})"


# What opening or reading one member may raise: said on its line, the others still answered.
MEMBER_ERRORS = (
    LedgerError,
    ServiceError,
    PersistenceError,
    MapperError,
    sqlite3.Error,
    OSError,
)


def _open(member: Member) -> Ledger:
    """The member's ledger, opened as it is (nothing completed or saved on opening)."""
    return open_ledger(member.config())


# --- findings ---------------------------------------------------------------------------------

# An open finding counts as overdue once open more than OVERDUE_AFTER_DAYS days: as the
# federation's site counts it (projections.findings, one place for both).


@dataclass(frozen=True)
class MemberFindings:
    """One member's findings (``found``), or ``problem``: why its ledger could not be read."""

    member: Member
    found: reading.Findings | None = None
    problem: str | None = None

    @property
    def open(self) -> int:
        return sum(1 for f in self.found.found if f.status == "open") if self.found else 0

    @property
    def resolved(self) -> int:
        """The resolved findings, those ``--open`` left out included."""
        if self.found is None:
            return 0
        return sum(1 for f in self.found.found if f.status == "resolved") + self.found.hidden

    @property
    def overdue(self) -> int:
        """The open findings open more than ``OVERDUE_AFTER_DAYS`` days (as of their day)."""
        if self.found is None:
            return 0
        day = self.found.day
        return sum(
            1
            for f in self.found.found
            if f.status == "open" and (day - f.since).days > OVERDUE_AFTER_DAYS
        )

    @property
    def oldest_open(self) -> dt.date | None:
        """The day the longest-open finding has been open since (None: none open)."""
        days = [f.since for f in self.found.found if f.status == "open"] if self.found else []
        return min(days) if days else None


def member_findings(
    ledger: Ledger,
    clock: Clock,
    *,
    as_of: dt.date | None,
    known_at: dt.datetime | None,
    open_only: bool,
) -> reading.Findings:
    """``reading.findings`` of one member, writing nothing: the episodes a follower saved at
    the head if there are any, else judged here from the registers (not saved)."""
    return reading.findings(
        ledger, clock, as_of=as_of, known_at=known_at, open_only=open_only, keep_registers=False
    )


def findings(
    federation: Federation,
    clock: Clock,
    *,
    as_of: dt.date | None = None,
    known_at: dt.datetime | None = None,
    open_only: bool = False,
) -> Iterator[MemberFindings]:
    """Every member's findings, each judged against its own profile, one member at a time
    (a member that cannot be read: its ``problem``). Writes nothing to any member."""
    for member in federation.members:
        try:
            ledger = _open(member)
        except MEMBER_ERRORS as exc:
            yield MemberFindings(member, problem=problem_of(member, exc))
            continue
        try:
            found = member_findings(
                ledger, clock, as_of=as_of, known_at=known_at, open_only=open_only
            )
        except MEMBER_ERRORS as exc:
            yield MemberFindings(member, problem=problem_of(member, exc))
            continue
        finally:
            ledger.close()
        yield MemberFindings(member, found=found)


# --- verify -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class MemberVerified:
    """One member verified: ``checked`` (None if it could not be: ``problem`` says why),
    against the key ``key`` named as ``against`` says (the file's ``public_key`` or the key
    file beside its ledger)."""

    member: Member
    checked: audit.Verification | None = None
    key: str | None = None
    against: str | None = None
    problem: str | None = None

    @property
    def ok(self) -> bool:
        """Intact: the facts match the signed tree, the key store the ledger, and nothing but
        the ledger wrote its caches."""
        checked = self.checked
        if checked is None or not checked.verdict.ok or not checked.key_store_ok:
            return False
        return checked.published is None and not (checked.caches and checked.caches.tampered)

    @property
    def failed(self) -> bool:
        """Checked and found wrong (not merely unread)."""
        return self.checked is not None and not self.ok


def member_key(member: Member) -> tuple[integrity.Verifier, str]:
    """The key a member is checked against, and how to name it: the ``public_key`` the
    federation file gives (the key the member publishes), else the key file beside its
    ledger (or where ``key_file`` says it is)."""
    if member.public_key is not None:
        return (
            integrity.Verifier.from_vkey(member.public_key),
            "its public_key in the federation file",
        )
    config = member.config()
    if not config.key_path.exists():
        raise Refusal(
            f"no key to check it against: no public_key in the federation file, and no key"
            f" file at {config.key_path} (give the member's published key as its public_key,"
            " or where its key file is as its key_file)"
        )
    verifier = load_signer(config).verifier()
    return verifier, f"the key file {config.key_path}"


def verify(federation: Federation) -> Iterator[MemberVerified]:
    """Every member verified (``audit.verify``: the facts and checkpoints against its key, the
    key store, the caches), one at a time; a member that cannot be read or has no key: its
    ``problem``. Nothing is written (an interrupted forget is not completed: its key store
    then does not match, and says so)."""
    for member in federation.members:
        try:
            ledger = _open(member)
        except MEMBER_ERRORS as exc:
            yield MemberVerified(member, problem=problem_of(member, exc))
            continue
        try:
            verifier, against = member_key(member)
            checked = audit.verify(ledger, verifier, None)
        except MEMBER_ERRORS as exc:
            yield MemberVerified(member, problem=problem_of(member, exc))
            continue
        finally:
            ledger.close()
        yield MemberVerified(member, checked, verifier.verifier_key(), against)


# --- follow -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class MemberFollowed:
    """One member followed: the position its registers are current to (and the site's numbers
    as of ``day``), or ``problem``: why it could not be (or stopped being) followed."""

    member: Member
    position: int | None = None
    day: dt.date | None = None
    problem: str | None = None


def _follow_one(member: Member, clock: Clock, until: Callable[[], bool] | None) -> MemberFollowed:
    """Follow one member (``publishing.follow``): catch up and return (``until`` None), or keep
    following until ``until()`` says to stop. Its registers and site numbers are saved in its
    own ledger, bound to its own head."""
    try:
        ledger = _open(member)
        try:
            publishing.follow(ledger, clock, once=until is None, until=until)
        finally:
            if not ledger.config.is_postgres:  # (on PostgreSQL the follower closed it)
                ledger.close()
        again = _open(member)
        try:
            position = again.saved_position()
        finally:
            again.close()
    except Exception as exc:  # one member's follower failing stops no other's
        return MemberFollowed(member, problem=problem_of(member, exc))
    return MemberFollowed(member, position, today(clock))


def follow_once(federation: Federation, clock: Clock) -> Iterator[MemberFollowed]:
    """``follow --once`` for every member, one after another, in one process: each caught up
    to its head, its registers, episodes and site numbers saved in its own ledger."""
    for member in federation.members:
        yield _follow_one(member, clock, None)


def follow(
    federation: Federation,
    clock: Clock,
    *,
    stop: threading.Event,
    told: Callable[[MemberFollowed], None],
) -> list[MemberFollowed]:
    """Keep every member's registers and site numbers current as facts arrive, in one process
    (a thread per member, each with its own ledger and follower: no state is shared between
    members), until ``stop`` is set (or interrupted). ``told`` is told of each member whose
    following ended (its ledger missing, or an error), as it ends; the others go on. Returns
    how each member ended."""
    ended: list[MemberFollowed] = []
    lock = threading.Lock()

    def run(member: Member) -> None:
        result = _follow_one(member, clock, stop.is_set)
        with lock:
            ended.append(result)
        if result.problem is not None:
            told(result)

    threads = [
        threading.Thread(target=run, args=(member,), name=f"follow-{number}", daemon=True)
        for number, member in enumerate(federation.members, start=1)
    ]
    for thread in threads:
        thread.start()
    try:
        while any(thread.is_alive() for thread in threads):
            for thread in threads:
                thread.join(timeout=0.5)
    except KeyboardInterrupt:
        pass
    finally:
        stop.set()
        for thread in threads:
            thread.join()
    order = {member.name: number for number, member in enumerate(federation.members)}
    return sorted(ended, key=lambda r: order[r.member.name])
