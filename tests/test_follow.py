"""Following a ledger: one projection (``RegistersProjection.process_event``) kept current by
the library's ``ProjectionRunner`` on PostgreSQL and by reading notifications from the tracked
position on SQLite. After it has caught up, commands read no old facts, and its registers equal
a rebuild from scratch. Given a clock, it also keeps the site's numbers current, so that a
site build then reads neither old facts nor the registers.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from ledger import caches, store
from ledger.demo import generate
from ledger.follow import (
    APP_NAME,
    PostgresRegistersView,
    SQLiteRegistersView,
    follow_postgres,
    follow_sqlite,
)
from ledger.integrity import Signer
from ledger.profile import load as load_profile
from projections import registers as reg
from projections import sitedata
from tests.conftest import fixed_clock, fresh_db
from tests.test_incremental import Counting, CountingSaved

PROFILE = "south-woodham-preschool"


def _facts() -> list:  # type: ignore[type-arg]
    return generate(
        load_profile(PROFILE),
        setting="x",
        start=dt.date(2025, 9, 1),
        end=dt.date(2026, 7, 31),
        seed=6,
        children=16,
    )


def _new_ledger(db: str, folder: Path) -> tuple[store.Config, store.Ledger, Signer]:
    """A new ledger (a SQLite file, or in the test's schema), as ``init`` makes one."""
    config = store.Config(db=db, key_path=folder / "l.key")
    if config.is_postgres:
        store.create_postgres_schema(config)
    ledger = store.Ledger(config, create=True)
    signer = Signer.generate("policy-ledger")
    ledger.create("Test", PROFILE, signer, fixed_clock)
    return config, ledger, signer


def test_sqlite_follower_catches_up_and_commands_then_read_nothing_old(tmp_path: Path) -> None:
    _, ledger, signer = _new_ledger(str(tmp_path / "l.db"), tmp_path)
    facts = _facts()
    half = len(facts) // 2
    ledger.record(facts[:half], signer, fixed_clock)
    follow_sqlite(ledger, once=True)
    ledger.record(facts[half:], signer, fixed_clock)
    projection = follow_sqlite(ledger, once=True)  # only the second half is read
    assert projection.registers.position == len(facts) + 1
    counting = Counting(ledger)
    registers = ledger.registers()
    assert counting.read == 0
    assert reg.to_bytes(registers) == reg.to_bytes(reg.rebuild(ledger.facts()))
    ledger.close()


@pytest.fixture
def postgres_url(workdir: Path) -> Iterator[str]:
    """A fresh schema on the test server (skipped without one; a failure in CI), with the test
    in its own folder: the follower opens its key store by the default name, in the current
    folder, not the one ``config.key_path`` names."""
    with fresh_db("postgres") as url:
        yield url


@pytest.mark.postgres
def test_postgres_follower_uses_the_projection_runner(postgres_url: str, tmp_path: Path) -> None:
    config, ledger, signer = _new_ledger(postgres_url, tmp_path)
    facts = _facts()
    stop = threading.Event()
    errors: list[BaseException] = []

    def run() -> None:
        try:
            follow_postgres(config, until=stop.is_set, poll=0.2)
        except BaseException as exc:  # reported below
            errors.append(exc)

    follower = threading.Thread(target=run)
    follower.start()
    try:
        for start in range(0, len(facts), 100):  # facts arrive while it follows
            ledger.record(facts[start : start + 100], signer, fixed_clock)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            counting = Counting(ledger)
            registers = ledger.registers()
            if counting.read == 0 and registers.position == len(facts) + 1:
                break
            time.sleep(0.3)
        else:
            pytest.fail("the follower did not catch up within a minute")
    finally:
        stop.set()
        follower.join(timeout=30)
    assert not errors, errors
    assert reg.to_bytes(registers) == reg.to_bytes(reg.rebuild(ledger.facts()))
    ledger.close()


def _reads_nothing_old_for_the_site(ledger: store.Ledger, day: dt.date, size: int) -> None:
    """A site build's numbers, after the follower caught up: read back, equal to a rebuild."""
    counting, saved = Counting(ledger), CountingSaved(ledger)
    data = ledger.site_data(day)
    assert counting.read <= 1  # the head, to know the position
    head = ledger.head_for(data.position)
    assert head is not None  # the numbers only (bound to the head): no registers
    assert saved.bytes == len(caches.bind(head, sitedata.to_bytes(data)))
    assert data.position == size and data.day == day
    profile = load_profile(PROFILE)
    assert data == sitedata.compute(reg.rebuild(ledger.facts()), profile, day)


def test_sqlite_follower_keeps_the_site_data_current(tmp_path: Path) -> None:
    _, ledger, signer = _new_ledger(str(tmp_path / "l.db"), tmp_path)
    facts = _facts()
    ledger.record(facts, signer, fixed_clock)
    days = iter([dt.date(2026, 7, 31), dt.date(2026, 8, 1)])
    day = next(days)
    follow_sqlite(ledger, once=True, today=lambda: day)
    _reads_nothing_old_for_the_site(ledger, day, len(facts) + 1)
    day = next(days)  # the day turns, with no new fact: the follower works them out again
    follow_sqlite(ledger, once=True, today=lambda: day)
    _reads_nothing_old_for_the_site(ledger, day, len(facts) + 1)
    with pytest.MonkeyPatch.context() as patch:  # run again that day: they are already saved
        patch.setattr(sitedata, "compute", lambda *_: pytest.fail("worked out again"))
        follow_sqlite(ledger, once=True, today=lambda: day)
        # Nor, polling on with nothing new, are the saved numbers read again at every poll.
        asked = []
        saved_site_data = ledger.saved_site_data
        patch.setattr(ledger, "saved_site_data", lambda on: asked.append(on) or saved_site_data(on))
        polls = iter(range(5))
        follow_sqlite(ledger, poll=0, today=lambda: day, until=lambda: next(polls, None) is None)
        assert asked == [day]
    ledger.close()


@pytest.mark.postgres
def test_postgres_follower_keeps_the_site_data_current(postgres_url: str, tmp_path: Path) -> None:
    config, ledger, signer = _new_ledger(postgres_url, tmp_path)
    facts = _facts()
    ledger.record(facts, signer, fixed_clock)
    day = dt.date(2026, 7, 31)
    follow_postgres(config, once=True, poll=0.2, today=lambda: day)
    _reads_nothing_old_for_the_site(ledger, day, len(facts) + 1)
    ledger.close()


def test_a_new_follower_starts_after_the_saved_registers(ledger_db: str, tmp_path: Path) -> None:
    """Registers saved by the commands hold every fact up to their position: a follower that
    has never run starts after it (a million-fact ledger is not read again to be followed),
    and what it then keeps equals a rebuild from scratch."""
    _, ledger, signer = _new_ledger(ledger_db, tmp_path)
    facts = _facts()
    half = len(facts) // 2
    ledger.record(facts[:half], signer, fixed_clock)
    ledger.save_registers(ledger.registers())  # as an import does when it ends
    ledger.record(facts[half:], signer, fixed_clock)
    view_class = PostgresRegistersView if ledger.config.is_postgres else SQLiteRegistersView
    view = ledger.factory.tracking_recorder(view_class)
    view.create_table()
    first_unread = ledger.recorder.select_notifications(
        start=view.max_tracking_id(APP_NAME) or 0, limit=1, inclusive_of_start=False
    )[0]
    # The first notification it reads is the checkpoint of the saved write, then new facts.
    assert ledger.mapper.to_domain_event(first_unread).__class__.__name__ == "CheckpointRow"
    following = ledger.recorder.select_notifications(
        start=first_unread.id, limit=1, inclusive_of_start=False
    )[0]
    assert following.originator_version == half + 2  # the first fact the registers lack
    if ledger.config.is_postgres:
        follow_postgres(ledger.config, once=True, poll=0.2)
    else:
        follow_sqlite(ledger, once=True)
    counting = Counting(ledger)
    registers = ledger.registers()
    assert counting.read == 0
    assert reg.to_bytes(registers) == reg.to_bytes(reg.rebuild(ledger.facts()))
    ledger.close()


def test_follow_once_says_where_the_registers_are_current_to(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """``ledger follow --once`` reports the position it saved the registers at: the head."""
    from ledger.cli import main

    db = str(tmp_path / "l.db")
    config, ledger, signer = _new_ledger(db, tmp_path)
    ledger.record(_facts()[:300], signer, fixed_clock)  # fewer than SAVE_EVERY: none saved
    assert ledger.saved_position() == 0
    head = ledger.head()
    ledger.close()
    monkeypatch.setenv("LEDGER_KEY", str(config.key_path))
    monkeypatch.setenv("LEDGER_NOW", "2026-08-01T12:00:00+00:00")
    assert main(["--db", db, "follow", "--once"]) == 0
    out = capsys.readouterr().out
    assert f"current to position {head:,}," in out, out
    followed = store.open_ledger(config)
    assert followed.saved_position() == head
    followed.close()
