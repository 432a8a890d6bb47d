"""Following a ledger: the registers kept current as facts arrive, on either store.

An adapter: the library's projection runner and a store's tracking recorder (its cache view,
``ledger.storage``) around the pure fold of ``projections.registers``.

``RegistersProjection`` is the one projection code path: the library calls its
``process_event(fact, tracking)`` for every notification after the tracked one, and it advances
the registers and, every so often and whenever it has caught up, saves them with the tracking
position in ONE transaction of its view (a library tracking recorder). The registers are saved
where every command reads them (the ledger's registers store, by position), so after a follower
has caught up a command reads no old facts at all.

- PostgreSQL: the library's ``ProjectionRunner`` subscribes to the ledger (LISTEN/NOTIFY) and
  calls ``process_event`` in its thread.
- SQLite: its recorder cannot subscribe, so ``follow_sqlite`` reads ``select_notifications``
  from the last tracked position and calls the same ``process_event``.

Given a clock (``today``), a follower also keeps the site's numbers current
(``projections.sitedata``): each time it has caught up with new facts it saves them, so that a
site build then reads them and not the registers. It updates the numbers saved before from
what the facts since changed (``sitedata.updated``: the sections of the registers they wrote
and the posts they changed, kept as it applies them), so a catch-up with one new fact reads
no other post; when the day has turned (numbers of another day: once a day), or the saved
numbers are not those of the position it kept the changes from, it works them out from every
register.

Everything a follower saves is bound to the ledger's head it was computed for (``ledger.caches``)
and saved only at a position a signed checkpoint ends at. It starts from the ledger's registers
as commands read them (saved ones only if bound to this history), and a fact it is given after a
gap (a tracking position moved ahead of its registers, by a wrong backup say) is preceded by the
facts it missed, read from the ledger: no tracking position, saved row or gap can make its
registers differ from the facts.
"""

from __future__ import annotations

import copy
import datetime as dt
import gc
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import msgspec
from eventsourcing.persistence import Tracking
from eventsourcing.projection import Projection, ProjectionRunner

from ledger import caches, store
from ledger import events as ev
from ledger import warnings as alerts
from ledger.mapper import CheckpointRow, Recorded
from ledger.profile import Profile
from ledger.storage.postgres import PostgresCacheView
from ledger.storage.sqlite import SQLiteCacheView
from ledger.store import Config, Ledger
from ledger.tracked import REGISTERS_TOPIC, registers_id, registers_rows, superseded_by
from projections import findings as fnd
from projections import registers as reg
from projections import sitedata

SAVE_EVERY = store.SAVE_EVERY  # facts between saves while catching up
# Seconds a follower spends keeping what each new fact changed in the findings' episodes (to
# update those judged before them) before it gives up and judges every rule once caught up:
# a post costs milliseconds; a fact about membership, a judge of every member.
NARROW_BUDGET = 0.3
APP_NAME = Ledger.name


class SQLiteRegistersView(SQLiteCacheView):
    """A SQLite follower's tracking recorder: it saves the registers with its position, and
    one that has never run starts after the newest saved registers (saved by commands too)."""

    marker_topic = REGISTERS_TOPIC


class PostgresRegistersView(PostgresCacheView):
    """A PostgreSQL follower's tracking recorder (as ``SQLiteRegistersView``)."""

    marker_topic = REGISTERS_TOPIC
    app_name = APP_NAME


RegistersView = SQLiteRegistersView | PostgresRegistersView
View = TypeVar("View", bound=RegistersView)  # a follower's, on one store


def save_followed(
    view: RegistersView,
    ledger: Ledger,
    registers: reg.Registers,
    head: caches.Head,
    tracking: Tracking,
) -> None:
    """Save the registers (bound to ``head``) and the tracking position together: the rows
    the ledger's own save writes (``registers_rows``), in the view's transaction."""
    stream = ledger.stream
    superseded = (
        superseded_by(registers.position) if ledger.is_folded_from_start(registers) else None
    )
    view.save(registers_rows(stream, registers, head), superseded, registers_id(stream), tracking)
    ledger.registers_saved(registers)


class RegistersProjection(Projection[View]):
    """Advances the registers by each recorded fact; checkpoint rows only move the tracking."""

    name = "registers"

    def __init__(self, view: View, ledger: Ledger) -> None:
        super().__init__(view)
        self.ledger = ledger  # where its registers start from, and gaps are filled from
        self.stream: uuid.UUID | None = None
        self.registers = reg.Registers()
        self._unsaved: Tracking | None = None
        self._saved_at = 0  # the registers' position when last saved (or loaded)
        self._count = 0
        self._lock = threading.Lock()
        # What each fact applied since ``_changes_from`` changed in the episodes (the rules it
        # can change, before and after it: ``warnings.episodes``), to update the episodes
        # judged there rather than judge every rule again; None once too costly to keep.
        self._changes: list[tuple[list[fnd.Episode], list[fnd.Episode]]] | None = None
        self._changes_from = 0
        self._spent = 0.0  # seconds spent on them
        self._judged: fnd.Judged | None = None  # the episodes at the registers' position
        # What the facts applied since ``_site_from`` changed, to update the site's numbers
        # saved there (``sitedata.updated``): the sections written, and each post changed as it
        # was before (None: not published); None when not kept (numbers worked out afresh).
        self._site_from: int | None = None
        self._written: set[str] = set()
        self._posts_before: dict[str, reg.Post | None] = {}

    def process_event(self, domain_event: Any, tracking: Tracking) -> None:
        with self._lock:
            if isinstance(domain_event, Recorded):
                if self.stream is None:
                    self._start(domain_event.stream)
                position = domain_event.position
                if position > self.registers.position + 1:  # facts it was not given: read them
                    for at, event in self.ledger.facts(self.registers.position, position - 1):
                        self._apply(event, at)
                if position > self.registers.position:
                    self._apply(domain_event.event, position)
            elif not isinstance(domain_event, CheckpointRow):
                raise TypeError(f"not a fact of the ledger: {type(domain_event).__name__}")
            self._unsaved = tracking
            self._count += 1
            if self._count >= SAVE_EVERY:
                self._save()

    def flush(self) -> None:
        """Save what has been applied (called when caught up, and from time to time)."""
        with self._lock:
            self._save()

    def site_data(
        self,
        stream: uuid.UUID,
        profile: Profile,
        day: dt.date,
        before: sitedata.SiteData | None = None,
    ) -> sitedata.SiteData:
        """The site's numbers from the registers as they stand (no fact applied meanwhile):
        updated from ``before`` (the numbers saved, if any) when they are those of this day
        and profile at the position it has kept what the facts since changed (the facts it
        applied since it loaded saved registers, or since the numbers it last worked out);
        else worked out from every register (so on the first day's catch-up after the day
        has turned: once a day)."""
        with self._lock:
            if self.stream is None:  # no new fact since it started: the ledger's registers
                self._start(stream)
            judged = self._judged
            held = judged is not None and judged.position == self.registers.position
            episodes = judged.episodes if judged and held else None
            since = self._site_from
            with reg.settled():
                if (
                    before is not None
                    and since is not None
                    and sitedata.is_for(before, since, day, profile)
                ):
                    if episodes is None:
                        episodes = fnd.all_episodes(self.registers, profile)
                    data = sitedata.updated(
                        before, self.registers, profile, episodes, self._written,
                        self._posts_before,
                    )  # fmt: skip
                else:
                    data = sitedata.compute(self.registers, profile, day, episodes)
            self._site_from = self.registers.position  # (what changes next, from here)
            self._written, self._posts_before = set(), {}
            return data

    def judged(self, stream: uuid.UUID) -> fnd.Judged:
        """Every episode of the registers as they stand (no fact applied meanwhile): those
        judged at the position it started from (saved), updated by the facts since, when it
        kept what each changed; else every rule judged again."""
        with self._lock:
            if self.stream is None:
                self._start(stream)
            with reg.settled():  # (the registers' objects set aside from the collector)
                judged = self._updated() or self.ledger.judge(self.registers)
            self.judged_are(judged)
            return judged

    def judged_are(self, judged: fnd.Judged) -> None:
        """Note the episodes at the registers' position (judged, or found saved): the site's
        numbers use them, and the changes of the facts after them are kept from there."""
        if judged.position == self.registers.position:
            self._judged = judged
            self._changes, self._changes_from, self._spent = [], judged.position, 0.0

    def _updated(self) -> fnd.Judged | None:
        """The episodes at the registers' position from the saved ones and the changes kept
        since them; None if there are no such (then every rule is judged)."""
        if self._changes is None:
            return None
        base = self.ledger.saved_judged(self._changes_from)
        if base is None:
            return None
        try:
            episodes = fnd.updated(base.episodes, self._changes)
        except ValueError:
            return None  # (not the episodes of these registers: judged afresh)
        return msgspec.structs.replace(
            base, position=self.registers.position, setting=self.registers.setting,
            episodes=episodes,
        )  # fmt: skip

    def _apply(self, event: ev.Event, position: int) -> None:
        """Apply one fact, keeping what it changed in the episodes while that costs less than
        judging every rule again would (``NARROW_BUDGET``), and what it changed in the
        registers for the site's numbers."""
        if self._site_from is not None:
            written = reg.writes(event)
            self._written |= written
            if "posts" in written:  # (a fact about a post: published, removed, followed up)
                ref = event.post if hasattr(event, "post") else getattr(event, "ref", "")
                if ref not in self._posts_before:
                    post = self.registers.posts.get(ref)
                    self._posts_before[ref] = copy.copy(post) if post is not None else None
        if self._changes is None or self._spent > NARROW_BUDGET:
            self._changes = None
            reg.apply(self.registers, event, position)
            return
        started = time.perf_counter()
        profile = self.ledger.profile
        before = alerts.episodes(self.registers, profile, event)
        reg.apply(self.registers, event, position)
        self._changes.append((before, alerts.episodes(self.registers, profile, event)))
        self._spent += time.perf_counter() - started

    def _start(self, stream: uuid.UUID) -> None:
        """The registers as commands read them: from saved ones bound to this history (none
        else), and the facts since (what each changed in the episodes kept, from there)."""
        self.stream = stream
        # The registers' millions of objects are made with the collector paused and set aside
        # before it resumes (``gc.freeze``): else its next collection scans each of them (50 ms
        # at 200,000 facts). Acyclic, they are still freed when dropped. (Only until the first
        # judging: ``registers.settled`` puts back every object set aside as it ends.)
        with reg.paused_gc():
            saved = self.ledger.saved_registers()
            if saved is None:
                self.registers = self.ledger.registers()  # every fact folded
            else:
                self.registers = saved
                self._changes, self._changes_from, self._spent = [], saved.position, 0.0
                self._site_from, self._written, self._posts_before = saved.position, set(), {}
                for position, event in self.ledger.facts(saved.position):
                    self._apply(event, position)
            gc.freeze()
        if self.ledger.saved_position() != self.registers.position:
            self.ledger.save_registers(self.registers)  # as a command saves them: bound
        self._saved_at = self.ledger.saved_position()

    def _save(self) -> None:
        moved = self.registers.position != self._saved_at
        head = None
        if self._unsaved is not None and self.stream is not None and moved:
            # Bound to the ledger's head there; mid-write (no checkpoint ends there): later.
            head = self.ledger.head_for(self.registers.position)
        if self._unsaved is not None and self.stream is not None and head is not None:
            save_followed(self.view, self.ledger, self.registers, head, self._unsaved)
            self._saved_at = self.registers.position
        elif self._unsaved is not None:  # nothing new applied (facts already held, checkpoints)
            self.view.insert_tracking(self._unsaved)
        self._unsaved = None
        self._count = 0


class SiteDataKeeper:
    """Refreshes the saved site numbers when the followed registers or the day have moved."""

    def __init__(self, ledger: Ledger, today: Callable[[], dt.date] | None) -> None:
        self._ledger = ledger
        self._today = today
        self._done: tuple[int, dt.date] | None = None
        self._judged: int | None = None  # the position the episodes were last kept at

    def caught_up(self, projection: RegistersProjection[Any]) -> None:
        self._judge(projection)
        if self._today is None:
            return
        day = self._today()
        # Done for this day, and no fact applied since (or none at all: those saved still hold).
        unmoved = projection.stream is None or self._done == (projection.registers.position, day)
        if self._done is not None and self._done[1] == day and unmoved:
            return
        saved = self._ledger.saved_site_data(day)  # by an earlier run, this day?
        if saved is not None:
            self._done = (saved.position, day)
            return
        data = projection.site_data(
            self._ledger.stream, self._ledger.profile, day, self._saved_before()
        )
        self._ledger.save_site_data(data)
        self._done = (data.position, day)

    def _saved_before(self) -> sitedata.SiteData | None:
        """The numbers saved last, at whatever position and day (to update them from)."""
        view = self._ledger.saved_view(sitedata.NAME)
        saved = sitedata.from_bytes(view[1]) if view is not None else None
        if saved is None or view is None or view[0] != saved.position:
            return None  # (none, or not the numbers of the position they are saved at)
        return saved

    def _judge(self, projection: RegistersProjection[Any]) -> None:
        """Keep every episode judged at the head, so that ``findings`` reads them (saved only
        when they are not saved already, and only for the head: the view is bound to it)."""
        moved = projection.stream is not None and projection.registers.position != self._judged
        if self._judged is not None and not moved:
            return  # saved (or found saved) at these registers' position already
        saved = self._ledger.saved_judged()
        if saved is not None:
            projection.judged_are(saved)
            self._judged = saved.position
            return
        judged = projection.judged(self._ledger.stream)
        if judged.position == self._ledger.head():  # else mid-write: the next catch-up
            self._ledger.save_judged(judged)
            self._judged = judged.position


def follow_sqlite(
    ledger: Ledger,
    *,
    until: Callable[[], bool] = lambda: False,
    poll: float = 1.0,
    once: bool = False,
    today: Callable[[], dt.date] | None = None,
) -> RegistersProjection[SQLiteRegistersView]:
    """Keep a SQLite ledger's registers current: the same projection, fed by polling; and,
    given ``today``, the site's numbers too."""
    view = ledger.factory.tracking_recorder(SQLiteRegistersView)
    assert isinstance(view, SQLiteRegistersView)
    view.create_table()
    projection = RegistersProjection(view, ledger)
    keeper = SiteDataKeeper(ledger, today)
    while True:
        last = view.max_tracking_id(APP_NAME) or 0
        notifications = ledger.recorder.select_notifications(
            start=last, limit=1000, inclusive_of_start=False
        )
        for notification in notifications:
            projection.process_event(
                ledger.mapper.to_domain_event(notification), Tracking(APP_NAME, notification.id)
            )
        if len(notifications) < 1000:
            projection.flush()  # caught up
            keeper.caught_up(projection)
            if once or until():
                return projection
            time.sleep(poll)


class FollowedLedger(Ledger):
    """The ledger as the library's ``ProjectionRunner`` constructs it: from an environment."""

    name = APP_NAME

    def __init__(self, env: Any = None) -> None:
        env = dict(env or {})
        super().__init__(Config(db=env["LEDGER_DB"], key_path=Path(env["LEDGER_KEY"])))


def follow_postgres(
    config: Config,
    *,
    until: Callable[[], bool] = lambda: False,
    poll: float = 1.0,
    once: bool = False,
    today: Callable[[], dt.date] | None = None,
) -> None:
    """Keep a PostgreSQL ledger's registers current through the library's subscription; and,
    given ``today``, the site's numbers too.

    With ``once``, stop when everything recorded when it started has been followed.
    """
    env = {
        **config.env(),
        "LEDGER_DB": config.db,
        "LEDGER_KEY": str(config.key_path),  # so the follower opens this ledger's key store
        "CREATE_TABLE": "true",
    }
    own = Ledger(config)  # the projection's: its registers start from it, gaps are read in it

    class Projecting(RegistersProjection[PostgresRegistersView]):
        name = RegistersProjection.name  # its tracking table's name: that of every follower

        def __init__(self, view: PostgresRegistersView) -> None:
            super().__init__(view, own)

    try:
        _run_postgres(env, Projecting, today, until, poll, once)
    finally:
        own.close()


def _run_postgres(
    env: dict[str, str],
    projection_class: type[RegistersProjection[PostgresRegistersView]],
    today: Callable[[], dt.date] | None,
    until: Callable[[], bool],
    poll: float,
    once: bool,
) -> None:
    runner: ProjectionRunner[FollowedLedger, PostgresRegistersView] = ProjectionRunner(
        application_class=FollowedLedger,
        projection_class=projection_class,
        view_class=PostgresRegistersView,
        env=env,
    )
    with runner:
        projection = runner.projection
        assert isinstance(projection, RegistersProjection)
        keeper = SiteDataKeeper(runner.app, today)
        target = runner.app.recorder.max_notification_id() or 0
        while True:
            runner.run_forever(timeout=poll)  # re-raises the follower's error, if any
            projection.flush()
            caught_up = (runner.view.max_tracking_id(APP_NAME) or 0) >= target
            if caught_up:
                keeper.caught_up(projection)
            if until() or (once and caught_up):
                return
