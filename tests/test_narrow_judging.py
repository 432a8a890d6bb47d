"""Judging only what one fact can change (issue 14, item 1): recording a fact tells what it
opened or resolved from the rules whose sections of the registers it writes, with the posts
it can bear on, not from every rule over the whole ledger. These tests hold the two tables that
decide it (what each fact writes, what each rule reads) to the code, and the answer to the
answer judging everything gives, fact by fact, over each profile's generated history.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import msgspec
import pytest

from ledger import caches, follow, store
from ledger import events as ev
from ledger import warnings as alerts
from ledger.decisions import Refused, decide
from ledger.demo import generate
from ledger.follow import follow_postgres, follow_sqlite
from ledger.integrity import Signer
from ledger.profile import Profile, load, shipped
from ledger.service import recording
from ledger.storage.base import SavedRow
from ledger.store import open_ledger
from ledger.tracked import EPISODES_VIEW, view_id
from projections import findings, sitedata, status
from projections import registers as reg
from projections.findings import Episode, all_episodes
from projections.rules import JUDGES
from tests import test_caches as caching
from tests.conftest import NewDb, config_for, fixed_clock
from tests.test_cli import export, facts_of, has, run
from tests.test_cli import findings as cli_findings
from tests.test_cli import ledger as cli_ledger

SECTIONS = {f.name for f in msgspec.structs.fields(reg.Registers)}


def _history(profile_name: str) -> list[ev.Event]:
    profile = load(profile_name)
    first = ev.SettingRegistered(on=dt.date(2023, 9, 1), name="Demo", profile=profile_name)
    return [
        first,
        *generate(
            profile, setting="Demo", start=dt.date(2023, 9, 1), end=dt.date(2026, 7, 31), seed=3
        ),
    ]


def _named(path: Path) -> set[str]:
    """Every section of the registers a module's source names (``r.posts``, ``registers.acks``)."""
    text = path.read_text()
    return {m for m in re.findall(r"\b(?:r|registers)\.([a-z_]+)\b", text) if m in SECTIONS}


def test_each_judge_reads_no_section_its_table_leaves_out() -> None:
    """Every section a rule's module names (and ``projections.status``'s, for the modules that
    ask it) is in the table of what its judges read: a rule changed to read another section
    fails here until the table says so."""
    status_reads = _named(Path(status.__file__))
    assert status_reads  # the scan finds what it looks for
    for judge in JUDGES:
        module = __import__(judge.__module__, fromlist=["_"])
        source = Path(module.__file__ or "")
        named = _named(source)
        if re.search(r"^from projections import .*\bstatus\b", source.read_text(), re.M):
            named |= status_reads
        assert named <= alerts.READS[judge], (judge.__name__, named - alerts.READS[judge])


class _Tracing:
    """Registers that note each section read or written through them."""

    def __init__(self, registers: reg.Registers) -> None:
        object.__setattr__(self, "_registers", registers)
        object.__setattr__(self, "touched", set())

    def __getattr__(self, name: str) -> Any:
        if name in SECTIONS:
            self.touched.add(name)
        return getattr(self._registers, name)

    def __setattr__(self, name: str, value: Any) -> None:
        self.touched.add(name)
        setattr(self._registers, name, value)


@pytest.mark.parametrize("profile_name", shipped())
def test_each_fact_writes_no_section_its_table_leaves_out(profile_name: str) -> None:
    """Folding a generated history through the handlers, every section a fact's handler reads
    or writes is one ``registers.writes`` names for it (and every kind of fact is seen)."""
    registers = reg.Registers()
    seen: set[type[ev.Event]] = set()
    for position, event in enumerate(_history(profile_name), start=1):
        tracing = _Tracing(registers)
        reg._HANDLERS[type(event)](tracing, event, position)  # type: ignore[arg-type]
        registers.position = position
        assert tracing.touched - {"position"} <= reg.writes(event), (event, tracing.touched)
        seen.add(type(event))
    assert len(seen) >= 20, seen  # the history holds most kinds of fact


def _key(e: Episode) -> tuple[str, str, dt.date, str, dt.date | None, str | None]:
    return (e.rule, e.subject, e.since, e.detail, e.end, e.resolution)


@pytest.mark.parametrize("profile_name", shipped())
def test_what_a_fact_opened_or_resolved_is_what_judging_everything_says(
    profile_name: str,
) -> None:
    """At every fact of a generated history (a planted breach of every rule the profile turns
    on, and its remedy): the findings the fact opened or resolved, from the rules it can change
    over the posts it can bear on, are exactly those found by judging every rule over all the
    registers before and after it."""
    profile = load(profile_name)
    registers = reg.Registers()
    before = all_episodes(registers, profile)
    told = 0
    for position, event in enumerate(_history(profile_name), start=1):
        narrow_before = alerts.episodes(registers, profile, event)
        reg.apply(registers, event, position)
        narrow_after = alerts.episodes(registers, profile, event)
        after = all_episodes(registers, profile)
        for check in (alerts.opened, alerts.resolved):
            full = check(before, after, event.on)
            narrow = check(narrow_before, narrow_after, event.on)
            assert sorted(map(repr, full)) == sorted(map(repr, narrow)), (position, event)
            told += len(full)
        # and the episodes the narrow judging leaves out are the same before and after
        changed = {_key(e) for e in before} ^ {_key(e) for e in after}
        judged = {_key(e) for e in narrow_before} | {_key(e) for e in narrow_after}
        assert changed <= judged, (position, event, changed - judged)
        before = after
    assert told >= 5  # the history opens and resolves findings


# --- the follower: the episodes judged at one head, updated by each new fact -------------------

PROFILE = "south-woodham-preschool"


def _follow_once(config: store.Config, ledger: store.Ledger, day: dt.date) -> None:
    if config.is_postgres:
        follow_postgres(config, once=True, poll=0.2, today=lambda: day)
    else:
        follow_sqlite(ledger, once=True, today=lambda: day)


def _ledger(db: str, folder: Path) -> tuple[store.Config, store.Ledger, Signer, list[ev.Event]]:
    config = store.Config(db=db, key_path=folder / "ledger.key")
    if config.is_postgres:
        store.create_postgres_schema(config)
    ledger = store.Ledger(config, create=True)
    signer = Signer.generate("policy-ledger")
    ledger.create("Test", PROFILE, signer, fixed_clock)
    facts = generate(
        load(PROFILE), setting="x", start=dt.date(2024, 9, 1), end=dt.date(2026, 7, 31),
        seed=5, children=14,
    )  # fmt: skip
    return config, ledger, signer, facts


def _as_rebuilt(ledger: store.Ledger, day: dt.date) -> None:
    """The saved episodes and site numbers are those of every rule judged over a rebuild."""
    rebuilt = reg.rebuild(ledger.facts())
    profile = ledger.profile
    saved = ledger.saved_judged()
    assert saved is not None and saved.position == rebuilt.position
    assert saved.episodes == all_episodes(rebuilt, profile)
    assert ledger.saved_site_data(day) == sitedata.compute(rebuilt, profile, day)


def test_a_follower_updates_the_episodes_with_each_new_fact(
    ledger_db: str, workdir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """After a follower judged every rule once, each fact recorded after it (the last thirty of
    a history: posts, removals, consents, members, concerns, ...) is followed by updating the
    saved episodes with what that fact changed, without judging every rule again; the episodes
    and the site's numbers it saves are those a rebuild judges."""
    config, ledger, signer, facts = _ledger(ledger_db, workdir)
    day = dt.date(2026, 7, 31)
    tail = facts[-30:]
    ledger.record(facts[:-30], signer, fixed_clock)
    _follow_once(config, ledger, day)
    _as_rebuilt(ledger, day)
    monkeypatch.setattr(follow, "NARROW_BUDGET", 600.0)  # (however slow the machine)
    monkeypatch.setattr(store.Ledger, "judge", lambda *_: pytest.fail("every rule judged"))
    for fact in tail:
        ledger.record([fact], signer, fixed_clock)
        _follow_once(config, ledger, day)
        _as_rebuilt(ledger, day)
    assert len({type(f) for f in tail}) >= 5, {type(f).__name__ for f in tail}
    ledger.close()


@pytest.mark.parametrize("wrong", ["rules", "position", "altered", "missing"])
def test_episodes_saved_for_other_rules_a_position_or_altered_are_judged_afresh(
    ledger_db: str, workdir: Path, wrong: str
) -> None:
    """The follower updates only episodes saved at the position its registers started from, by
    these rules and this profile, and bound to the history there; episodes from which what a
    fact changed cannot be taken out are not used either. Otherwise it judges every rule: what
    it saves is what a rebuild judges."""
    config, ledger, signer, facts = _ledger(ledger_db, workdir)
    day = dt.date(2026, 7, 31)
    ledger.record(facts[:-2], signer, fixed_clock)
    _follow_once(config, ledger, day)
    saved = ledger.saved_judged()
    assert saved is not None
    # The episodes the next fact can change, as they are before it.
    changes = alerts.episodes(ledger.registers(), ledger.profile, facts[-2])
    ledger.record(facts[-2:-1], signer, fixed_clock)  # not followed yet
    if wrong == "rules":
        ledger.save_judged(msgspec.structs.replace(saved, rules="other rules"))
    elif wrong == "position":  # registers saved since, by a command: not where they were judged
        ledger.save_registers(ledger.registers())
    elif wrong == "missing":  # none of the episodes the next fact can change
        assert changes  # (the next fact is about something with findings)
        gone = {findings.order(e) for e in changes}
        kept = [e for e in saved.episodes if findings.order(e) not in gone]
        ledger.save_judged(msgspec.structs.replace(saved, episodes=kept))
    else:  # the bytes changed after they were bound
        altered = findings.judged_to_bytes(msgspec.structs.replace(saved, episodes=[]))
        head = ledger.head_for(saved.position)
        assert head is not None
        bound = bytearray(caches.bind(head, findings.judged_to_bytes(saved)))
        bound[caches.HEADER_SIZE :] = altered
        ledger.storage.replace_saved(
            SavedRow(view_id(ledger.stream, EPISODES_VIEW), saved.position, EPISODES_VIEW,
                     bytes(bound))
        )  # fmt: skip
    judged: list[int] = []
    real = store.Ledger.judge

    def counted(self: store.Ledger, registers: reg.Registers) -> findings.Judged:
        judged.append(registers.position)
        return real(self, registers)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(store.Ledger, "judge", counted)
        ledger.record(facts[-1:], signer, fixed_clock)
        _follow_once(config, ledger, day)
    _as_rebuilt(ledger, day)
    assert judged, "every rule judged afresh"
    ledger.close()


# --- recording a post: decided on the entries it reads, not on all the registers ---------------


def _outcome(
    registers: reg.Registers, profile: Profile, event: ev.Event, today: dt.date
) -> str | list[str]:
    """What recording ``event`` on these registers does: the refusal, or the lines told."""
    try:
        decide(registers, profile, event, today)
    except Refused as refusal:
        return str(refusal)
    before = alerts.episodes(registers, profile, event)
    reg.apply(registers, event, registers.position + 1)
    after = alerts.episodes(registers, profile, event)
    return alerts.lines(alerts.told(event, before, after, registers, profile), today)


def test_a_post_is_decided_and_told_from_its_entries_as_from_all_the_registers(
    ledger_db: str, workdir: Path
) -> None:
    """Posts by guardians (on their own children's channel too), staff and people the ledger
    does not know, on every channel, showing their own children, others', unknown ones or one
    twice, with and without a device, under a new reference and one already used: each is
    refused, or tells what it opened, from the few entries recording it reads (saved, and
    facts since: a guardian linked to another child after they were saved) exactly as from all
    the registers."""
    _, ledger, signer, facts = _ledger(ledger_db, workdir)
    ledger.record(facts, signer, fixed_clock)
    ledger.save_registers(ledger.registers())
    full = ledger.registers()
    guardians = sorted(full.guardians)[:2]
    staff = sorted(p for p in full.persons if p.startswith("S-"))[:2]
    on = max(f.on for f in facts)
    own = full.guardians[guardians[0]][0].child
    other = next(c for c in sorted(full.children) if guardians[0] not in full.children[c].guardians)
    since = [  # after the registers were saved: a new child, linked to the first guardian
        ev.ChildEnrolled(on=on, child="C-0900", name="A. Example"),
        ev.GuardianLinked(on=on, guardian=guardians[0], child="C-0900", name="B. Example"),
    ]
    ledger.record(since, signer, fixed_clock)
    assert ledger.saved_position() == full.position  # (not saved again)
    profile = ledger.profile
    used = sorted(full.posts)[0]
    told = refused = 0
    for author in [*guardians, *staff, "S-0999", "G-0999"]:
        for channel in profile.channels:
            for depicts in ([], [own], ["C-0900"], [other], [own, other], ["C-0999"], [own, own]):
                for device in (None, "T-01"):
                    for post in ("P-0999", used):
                        event = ev.PostPublished(
                            on=on, post=post, channel=channel, author=author,
                            depicts=depicts, device=device,
                        )  # fmt: skip
                        partial = recording.registers_to_record(ledger, event)
                        assert ledger.is_partial(partial)
                        group = reg.post_entry(post)
                        assert {reg.post_entry(p) for p in partial.posts} <= {group}
                        assert len(partial.children) <= 4
                        said = _outcome(partial, profile, event, on)
                        assert said == _outcome(ledger.registers(), profile, event, on), event
                        refused += isinstance(said, str)
                        told += isinstance(said, list) and bool(said)
    assert refused >= 100 and told >= 20, (refused, told)
    ledger.close()


def test_post_publish_on_saved_registers_records_refuses_and_leaves_them_whole(
    workdir: Path,
    new_db: NewDb,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """`ledger post publish` once the follower saved the registers (so it reads only the
    post's entries): a post without consent is recorded and warned about; one under a used
    reference is refused (exit 2, the field named, nothing written); the registers that later
    commands read, the findings and verify are those of the facts."""
    monkeypatch.setenv("LEDGER_NOW", "2026-04-01T12:00Z")
    db = cli_ledger(capsys, new_db)
    assert run(capsys, "--db", db, "follow", "--once").status == 0
    args = ["post", "publish", "--channel", "closed-group", "--author", "G-0001", "--depicts",
            "C-0002", "--device", "T-01", "--on", "2026-03-02"]  # fmt: skip
    with pytest.MonkeyPatch.context() as patch:  # all the registers are not read
        patch.setattr(store.Ledger, "registers", lambda *_, **__: pytest.fail("all read"))
        result = run(capsys, "--db", db, *args, "--post", "P-0002")
        assert result.status == 0, result.text
        assert "Warning: this opens a finding: consent-missing" in result.out
        again = run(capsys, "--db", db, *args, "--post", "P-0001")
    assert again.status == 2, again.text
    assert (
        again.err
        == "ledger: refused: --post: P-0001 is already published (expected a new reference)\n"
    )
    assert [f["post"] for f in facts_of(export(capsys, db)) if "post" in f] == ["P-0001", "P-0002"]
    store_ = open_ledger(config_for(db, workdir))
    assert reg.to_bytes(store_.registers()) == reg.to_bytes(reg.rebuild(store_.facts()))
    store_.close()
    assert has(cli_findings(capsys, db), "consent-missing", "P-0002")
    assert run(capsys, "--db", db, "verify").status == 0


@pytest.mark.parametrize("fault", ["altered", "moved", "foreign", "unbound"])
def test_a_post_entry_saying_a_used_reference_is_free_is_not_believed(
    workdir: Path,
    new_db: NewDb,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    fault: str,
) -> None:
    """The saved entry of post P-0001 replaced by one saying no such post was published:
    changed after it was bound, moved to another position, bound to a head of another history,
    or with no binding. Recording P-0001 again is still refused (its entries are not used: the
    registers are read), verify names the row, and the entry asked for is saved anew."""
    monkeypatch.setenv("LEDGER_NOW", "2026-04-01T12:00Z")
    db = cli_ledger(capsys, new_db)
    assert run(capsys, "--db", db, "follow", "--once").status == 0
    rows = caching.saved_rows(db)
    with caching.opened(db) as ledger:
        ident = caching._stored_id(db, store.entry_id(ledger.stream, reg.post_entry("P-0001")))
        head = ledger.head_for(ledger.head())
        assert head is not None
    (place,) = [i for i, row in enumerate(rows) if row[0] == ident]
    _, version, topic, state = rows[place]
    never = reg.entry_bytes(reg.Registers(), reg.post_entry("P-0001"))  # (no post in it)
    forged = {
        "altered": bytes(state)[: caches.HEADER_SIZE] + never,
        "moved": bytes(state),
        "foreign": caches.bind(caches.Head(head.size, head.sequence, b"\x07" * 32), never),
        "unbound": never,
    }[fault]
    rows[place] = (ident, version - 1 if fault == "moved" else version, topic, forged)
    caching.put_saved(db, rows)
    assert run(capsys, "--db", db, "verify").status == (0 if fault == "unbound" else 1)
    again = run(
        capsys, "--db", db, "post", "publish", "--post", "P-0001", "--channel", "closed-group",
        "--author", "G-0001",
    )  # fmt: skip
    assert again.status == 2, again.text
    assert "P-0001 is already published" in again.err
    with caching.opened(db) as ledger:
        entry = ledger.registers_for([reg.post_entry("P-0001")]).posts.get("P-0001")
        assert entry is not None and entry.author == "G-0001"
