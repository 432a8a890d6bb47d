"""A federation's commands (``--federation FILE``, ``LEDGER_FEDERATION``): findings, verify and
follow across three members, each a real ledger in the test's store (SQLite files, or schemas
of one PostgreSQL server), with distinct names, profiles and facts.

As the adversary: a finding of one member must never appear under another (each member's
findings equal what ``--db`` that member answers); reading writes nothing to any member; one
follower for three members saves each one's registers in its own ledger, bound to its own head;
a tampered member fails verify, named, and the others still pass; a missing member is named
and the others still answered; a command that does not span a federation is refused, never run
against some default ledger.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import re
import shlex
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from ledger import store as ledger_store
from ledger.checkpoint import Signer
from ledger.cli import build_parser
from ledger.cli.common import Stop
from ledger.cli.federation import route
from ledger.federation import decode, load
from ledger.service import federation as fed
from projections import registers as reg
from tests.conftest import (
    NewDb,
    is_postgres,
    key_path_for,
    postgres_base,
    raw,
    stored_state,
    with_schema,
)
from tests.test_cli import (
    BASE_COMMON,
    BASE_SW,
    CHILD_1,
    NOW,
    NURSERY,
    SW,
    UNCONSENTED_POST,
    Result,
    assert_private,
    jsonl,
    run,
)

TODAY = dt.datetime.fromisoformat(NOW).date()
FEDERATION = "Fake Sandbank and Valley Federation (test)"


@dataclass(frozen=True)
class Setting:
    """A member as the tests make it: its display name, profile, facts and ledger."""

    name: str
    profile: str
    facts: list[dict[str, Any]]
    db: str = ""


SETTINGS = (
    Setting("Fake Sandbank Nursery School", SW, [*BASE_SW, *UNCONSENTED_POST]),
    Setting("Fake Valley Nursery School", NURSERY, BASE_COMMON),
    Setting("Fake Hill Pre-School", "sandbank-valley-federation", BASE_COMMON[:-1]),
)


@pytest.fixture(autouse=True)
def _pinned(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LEDGER_NOW", NOW)
    for variable in ("LEDGER_DB", "LEDGER_KEY", "LEDGER_FEDERATION"):
        monkeypatch.delenv(variable, raising=False)


def make_member(capsys: pytest.CaptureFixture[str], db: str, setting: Setting) -> Setting:
    """A ledger at ``db`` (``init``, then its facts imported), in the current folder."""
    made = run(capsys, "--db", db, "init", "--profile", setting.profile, "--setting", setting.name)
    assert made.status == 0, made.text
    path = Path.cwd() / f"{uuid.uuid4().hex}.jsonl"
    path.write_text(jsonl(setting.facts), encoding="utf-8")
    imported = run(capsys, "--db", db, "import", str(path))
    assert imported.status == 0, imported.text
    return Setting(setting.name, setting.profile, setting.facts, db)


def federation_file(members: list[Setting], extra: dict[str, str] | None = None) -> Path:
    """The federation file in the current folder (where the PostgreSQL members' keys are)."""
    lines = [f'name = "{FEDERATION}"', ""]
    for member in members:
        lines += ["[[members]]", f'name = "{member.name}"', f'ledger = "{member.db}"']
        if extra and member.name in extra:
            lines.append(extra[member.name])
        lines.append("")
    path = Path.cwd() / "federation.toml"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


@pytest.fixture
def members(workdir: Path, new_db: NewDb, capsys: pytest.CaptureFixture[str]) -> list[Setting]:
    return [
        make_member(capsys, new_db(f"member{n}.db"), setting)
        for n, setting in enumerate(SETTINGS, start=1)
    ]


def state_of(members: list[Setting]) -> list[dict[str, Any]]:
    return [stored_state(m.db, Path.cwd()) for m in members]


def fed_run(capsys: pytest.CaptureFixture[str], path: Path, *argv: str) -> Result:
    result = run(capsys, "--federation", str(path), *argv)
    assert_private(result.text)
    return result


def missing_db(store_db: str, folder: Path) -> str:
    """Where no ledger is: a file never made, or a schema never made on the same server."""
    if is_postgres(store_db):
        return with_schema(postgres_base(), f"t_missing_{uuid.uuid4().hex[:12]}")
    return str(folder / "closed-down.db")


# --- findings ---------------------------------------------------------------------------------


def test_findings_across_three_members_each_under_its_own_name(
    members: list[Setting], capsys: pytest.CaptureFixture[str]
) -> None:
    path = federation_file(members)
    before = state_of(members)
    answer = fed_run(capsys, path, "findings", "--json")
    assert answer.status == 0, answer.text
    text = fed_run(capsys, path, "findings", "--as-of", "2026-06-30")
    assert text.status == 0, text.text
    only_open = fed_run(capsys, path, "findings", "--json", "--open")
    assert only_open.status == 0, only_open.text
    then = fed_run(capsys, path, "findings", "--json", "--known-at", "2027-06-30T23:59")
    assert then.status == 0, then.text
    assert state_of(members) == before, "reading a federation wrote to a member"
    assert json.loads(then.out)["findings"] == json.loads(answer.out)["findings"]

    got = json.loads(answer.out)
    assert got["federation"] == FEDERATION
    assert [m["setting"] for m in got["members"]] == [m.name for m in members]
    profiles = {m["setting"]: m["profile"] for m in got["members"]}
    assert profiles == {m.name: m.profile for m in members}  # each judged by its own profile
    assert {f["setting"] for f in got["findings"]} <= {m.name for m in members}
    for member, summary in zip(members, got["members"], strict=True):
        own = run(capsys, "--db", member.db, "findings", "--json")  # (may save: after the check)
        assert own.status == 0, own.text
        expected = json.loads(own.out)
        assert expected, f"{member.name} has findings to tell apart"
        under = [
            {k: v for k, v in f.items() if k != "setting"}
            for f in got["findings"]
            if f["setting"] == member.name
        ]
        assert under == expected, member.name
        assert summary["open"] == sum(1 for f in expected if f["status"] == "open")
        assert summary["resolved"] == sum(1 for f in expected if f["status"] == "resolved")
        today = dt.date.fromisoformat(summary["as_of"])
        assert summary["overdue"] == sum(
            1
            for f in expected
            if f["status"] == "open" and (today - dt.date.fromisoformat(f["since"])).days > 30
        )
        assert "problem" not in summary
    # Distinct members, distinct findings: no finding of one is listed under another.
    subjects = [{(f["rule"], f["subject"]) for f in got["findings"] if f["setting"] == m.name}
                for m in members]  # fmt: skip
    assert subjects[0] - subjects[1] and subjects[0] - subjects[2]

    opened = json.loads(only_open.out)
    assert all(f["status"] == "open" for f in opened["findings"])
    for full, part in zip(got["members"], opened["members"], strict=True):
        assert (part["open"], part["resolved"]) == (full["open"], full["resolved"])

    # The text: a line per member, then each member's findings under its name.
    sections = re.split(r"^=+ (.+?) =+$", text.out, flags=re.MULTILINE)
    assert f"Findings for {FEDERATION} as of 2026-06-30" in sections[0]
    for member in members:
        assert re.search(rf"^  {re.escape(member.name)} +\d+ open", sections[0], re.MULTILINE)
    named = dict(zip(sections[1::2], sections[2::2], strict=True))
    assert list(named) == [m.name for m in members]
    for member in members:
        own = run(capsys, "--db", member.db, "findings", "--as-of", "2026-06-30")
        body = own.out.split("\n", 1)[1]  # its own heading names its setting; the rest is equal
        assert named[member.name].strip().split("\n", 1)[1].strip() == body.strip(), member.name


def test_findings_read_a_followers_saved_episodes_and_still_write_nothing(
    members: list[Setting], capsys: pytest.CaptureFixture[str]
) -> None:
    path = federation_file(members)
    assert fed_run(capsys, path, "follow", "--once").status == 0
    before = state_of(members)
    answer = fed_run(capsys, path, "findings", "--json")
    assert answer.status == 0, answer.text
    assert state_of(members) == before
    for member in load(path).members:
        ledger = ledger_store.open_ledger(member.config())
        try:
            assert ledger.saved_judged() is not None  # what was read: not judged again
        finally:
            ledger.close()


def test_a_missing_member_is_named_and_the_others_still_answered(
    members: list[Setting], capsys: pytest.CaptureFixture[str], workdir: Path
) -> None:
    gone = Setting("Fake Closed Pre-School", SW, [], missing_db(members[0].db, workdir))
    path = federation_file([members[0], gone, members[2]])
    where = load(path).members[1].config().shown
    for argv in (("findings",), ("findings", "--json"), ("verify",), ("follow", "--once")):
        result = fed_run(capsys, path, *argv)
        assert result.status == 2, (argv, result.text)
        assert f"{gone.name}: " in result.text and where in result.text, result.text
        assert ":ledger@" not in result.text  # the server's password is never shown
        for member in (members[0], members[2]):
            assert member.name in result.out, (argv, result.out)
    answer = json.loads(fed_run(capsys, path, "findings", "--json").out)
    (closed,) = [m for m in answer["members"] if m["setting"] == gone.name]
    assert "no ledger" in closed["problem"]
    assert {f["setting"] for f in answer["findings"]} == {members[0].name, members[2].name}
    assert not is_postgres(gone.db) or "t_missing_" in where
    if not is_postgres(gone.db):
        assert not Path(gone.db).exists()  # nothing made where the member's ledger should be


# --- verify -----------------------------------------------------------------------------------


def _tamper(db: str) -> int:
    """Change one byte of a stored fact (the first child's enrolment); its position."""
    position = 1 + next(i for i, f in enumerate(BASE_COMMON, start=1) if f.get("name") == CHILD_1)
    with raw(db) as connection:
        ((state,),) = connection.execute(
            "select state from {events} where originator_version = ? and topic like ?",
            (position, "ChildEnrolled:%"),
        )
        changed = bytearray(state)
        changed[len(changed) // 2] ^= 0x01
        connection.execute(
            "update {events} set state = ? where originator_version = ? and topic like ?",
            (bytes(changed), position, "ChildEnrolled:%"),
        )
    return position


def _lines(result: Result) -> dict[str, str]:
    """verify's member lines, by member name."""
    found = {}
    for line in result.out.splitlines():
        name, sep, rest = line.partition(": ")
        if sep and not name.startswith(("Verifying", "ledger")):
            found[name] = rest
    return found


def test_verify_every_member_and_name_the_tampered_one(
    members: list[Setting], capsys: pytest.CaptureFixture[str]
) -> None:
    path = federation_file(members)
    result = fed_run(capsys, path, "verify")
    assert result.status == 0, result.text
    lines = _lines(result)
    assert list(lines) == [m.name for m in members]
    for member in members:
        assert lines[member.name].startswith("Intact: "), lines
        key = key_path_for(member.db, Path.cwd())
        assert f"checked against the key file {key}" in lines[member.name]

    position = _tamper(members[1].db)
    result = fed_run(capsys, path, "verify")
    assert result.status == 1, result.text
    lines = _lines(result)
    assert lines[members[1].name].startswith(f"TAMPERED at position {position}:"), lines
    assert lines[members[0].name].startswith("Intact: ")
    assert lines[members[2].name].startswith("Intact: ")
    assert "2 intact, 1 failed." in result.out


def test_verify_checks_against_the_public_key_the_file_gives(
    members: list[Setting], capsys: pytest.CaptureFixture[str]
) -> None:
    def published(member: Setting) -> str:
        pub = key_path_for(member.db, Path.cwd()).with_suffix(".pub")
        return pub.read_text(encoding="utf-8").strip()

    own = {m.name: f'public_key = "{published(m)}"' for m in members[:2]}
    path = federation_file(members, own)
    result = fed_run(capsys, path, "verify")
    assert result.status == 0, result.text
    lines = _lines(result)
    for member in members[:2]:
        assert "checked against its public_key in the federation file" in lines[member.name]
        assert published(member) in lines[member.name]
    assert "the key file" in lines[members[2].name]

    # A member whose ledger is not signed by the key it publishes fails (the others pass).
    swapped = {members[0].name: f'public_key = "{published(members[2])}"'}
    path = federation_file(members, swapped)
    result = fed_run(capsys, path, "verify")
    assert result.status == 1, result.text
    lines = _lines(result)
    assert not lines[members[0].name].startswith("Intact"), lines
    assert lines[members[1].name].startswith("Intact: ")


def test_a_member_with_no_key_to_check_against_is_named_and_the_others_verified(
    members: list[Setting], capsys: pytest.CaptureFixture[str]
) -> None:
    path = federation_file(members)
    key = key_path_for(members[2].db, Path.cwd())
    key.rename(key.with_name("elsewhere.key"))  # its key store goes with it (PATH.keys)
    key.with_suffix(".keys").rename(key.with_name("elsewhere.keys"))
    result = fed_run(capsys, path, "verify")
    assert result.status == 2, result.text
    lines = _lines(result)
    assert lines[members[2].name].startswith("NOT VERIFIED: "), lines
    assert f"no key to check it against: no public_key in the federation file, and no key" \
        f" file at {key}" in lines[members[2].name]  # fmt: skip
    assert lines[members[0].name].startswith("Intact: ")
    assert lines[members[1].name].startswith("Intact: ")
    # Told where it is, the member is verified again.
    path = federation_file(members, {members[2].name: 'key_file = "elsewhere.key"'})
    assert fed_run(capsys, path, "verify").status == 0


def test_verify_refuses_options_that_are_one_ledgers(
    members: list[Setting], capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = federation_file(members)
    note = tmp_path / "checkpoint.txt"
    note.write_text("x", encoding="utf-8")
    for argv, said in (
        (("--key", "policy-ledger+00000000+AA"), "--key with --federation"),
        (("--trusted", str(note)), "--trusted with --federation"),
        (("--published", str(note)), "--published with --federation"),
    ):
        result = fed_run(capsys, path, "verify", *argv)
        assert result.status == 2, result.text
        assert said in result.err, result.err


# --- follow -----------------------------------------------------------------------------------


def _saved(db: str, folder: Path) -> tuple[int, int, bytes, bytes]:
    ledger = ledger_store.open_ledger(ledger_store.Config(db=db, key_path=key_path_for(db, folder)))
    try:
        registers = ledger.registers()
        rebuilt = reg.rebuild(ledger.facts())
        return (
            ledger.saved_position(),
            ledger.head(),
            reg.to_bytes(registers),
            reg.to_bytes(rebuilt),
        )
    finally:
        ledger.close()


def test_one_follower_brings_each_member_to_its_own_head(
    members: list[Setting], capsys: pytest.CaptureFixture[str], workdir: Path
) -> None:
    path = federation_file(members)
    heads = {}
    for member in members:
        saved, head, _, _ = _saved(member.db, workdir)
        assert saved < head, "the test needs members whose saved state is behind"
        heads[member.name] = head
    assert len(set(heads.values())) == 3, "members of distinct sizes tell their states apart"
    read_before = json.loads(fed_run(capsys, path, "findings", "--json").out)

    result = fed_run(capsys, path, "follow", "--once")
    assert result.status == 0, result.text
    for member in members:
        assert (
            f"{member.name}: the registers are current to position {heads[member.name]:,}"
            in result.out
        ), result.out
        saved, head, registers, rebuilt = _saved(member.db, workdir)
        assert saved == head == heads[member.name]
        assert registers == rebuilt, f"{member.name}'s saved registers are not its own facts'"
    for member in load(path).members:
        ledger = ledger_store.open_ledger(member.config())
        try:
            judged = ledger.saved_judged()
            assert judged is not None and judged.position == heads[member.name]
            assert ledger.saved_site_data(TODAY) is not None
        finally:
            ledger.close()
    assert json.loads(fed_run(capsys, path, "findings", "--json").out) == read_before


def test_a_running_follower_keeps_every_member_current(
    members: list[Setting], capsys: pytest.CaptureFixture[str], workdir: Path
) -> None:
    """``follow`` (not --once): one process, every member followed; a fact recorded in one
    member is followed there, in its own ledger, while the follower runs."""
    federation = load(federation_file(members))
    stop = threading.Event()
    told: list[fed.MemberFollowed] = []
    ended: list[list[fed.MemberFollowed]] = []
    follower = threading.Thread(
        target=lambda: ended.append(
            fed.follow(federation, ledger_store.system_clock, stop=stop, told=told.append)
        )
    )
    follower.start()
    try:
        late = members[1]
        added = run(capsys, "--db", late.db, "device", "register", "--device", "T-09")
        assert added.status == 0, added.text
        deadline = time.monotonic() + 60
        while True:
            states = [_saved(m.db, workdir) for m in members]
            if all(s[0] == s[1] for s in states):
                break
            assert time.monotonic() < deadline, f"not followed: {states}"
            time.sleep(0.2)
    finally:
        stop.set()
        follower.join(timeout=60)
    assert not follower.is_alive()
    assert told == []
    (results,) = ended
    assert [r.member.name for r in results] == [m.name for m in members]
    assert all(r.problem is None for r in results)
    for member in members:
        _, _, registers, rebuilt = _saved(member.db, workdir)
        assert registers == rebuilt


def test_one_members_follower_failing_stops_no_other(
    members: list[Setting],
    capsys: pytest.CaptureFixture[str],
    workdir: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """An error no one foresaw in one member's follower (here: its follow raising) is said on
    that member's line, by its kind alone (its text could hold anything), with no traceback;
    the other members are followed to their heads, and the exit status is 2."""
    from ledger.service import publishing

    real = publishing.follow
    broken = load(federation_file(members)).members[1].ledger

    def follow(ledger: ledger_store.Ledger, *args: Any, **kw: Any) -> None:
        if ledger.config.db == broken:
            ledger.close()
            raise RuntimeError("secret text C-0001 Zebedee")
        real(ledger, *args, **kw)

    monkeypatch.setattr(publishing, "follow", follow)
    result = fed_run(capsys, federation_file(members), "follow", "--once")
    assert result.status == 2, result.text
    assert f"{members[1].name}: NOT FOLLOWED: " in result.out
    assert "(RuntimeError)" in result.out and "secret" not in result.text
    for member in (members[0], members[2]):
        saved, head, _, _ = _saved(member.db, workdir)
        assert saved == head, member.name


# --- refusals ---------------------------------------------------------------------------------


def test_a_bad_federation_file_is_refused_naming_the_line_and_field(
    members: list[Setting], capsys: pytest.CaptureFixture[str]
) -> None:
    path = federation_file(members)
    path.write_text(
        path.read_text(encoding="utf-8").replace("ledger = ", "ledgr = ", 1), encoding="utf-8"
    )
    before = state_of(members)
    for argv in (("findings",), ("verify",), ("follow", "--once")):
        result = fed_run(capsys, path, *argv)
        assert result.status == 2, result.text
        assert "federation.toml, line 5: `ledgr` of member 1: unknown field" in result.err
    assert state_of(members) == before
    result = fed_run(capsys, path.with_name("nowhere.toml"), "findings")
    assert result.status == 2 and "cannot read the federation file" in result.err


def test_db_and_federation_together_are_refused(
    members: list[Setting], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    path = federation_file(members)
    result = run(capsys, "--db", members[0].db, "--federation", str(path), "findings")
    assert result.status == 2 and "--db and --federation together" in result.err
    # Both set in the environment: which one is meant is asked, not guessed.
    monkeypatch.setenv("LEDGER_DB", members[0].db)
    monkeypatch.setenv("LEDGER_FEDERATION", str(path))
    result = run(capsys, "findings")
    assert result.status == 2 and "both LEDGER_DB and LEDGER_FEDERATION" in result.err
    # An option says which: --federation over LEDGER_DB, --db over LEDGER_FEDERATION.
    result = run(capsys, "--federation", str(path), "findings", "--json")
    assert result.status == 0 and json.loads(result.out)["federation"] == FEDERATION
    result = run(capsys, "--db", members[0].db, "findings", "--json")
    assert result.status == 0 and isinstance(json.loads(result.out), list)


GRANT = (
    "consent",
    "grant",
    "--child",
    "C-0002",
    "--guardian",
    "G-0002",
    "--channel",
    "closed-group",
    "--evidence",
    "F-20",
    "--method",
    "paper",
)


@pytest.mark.parametrize(
    "argv",
    [
        GRANT,
        ("import", "facts.jsonl"),
        ("forget", "C-0001"),
        ("export",),
        ("subject", "C-0001"),
        ("checkpoint",),
        ("init", "--profile", SW, "--setting", "x"),
    ],
    ids=lambda a: " ".join(a[:2]),
)
def test_a_command_that_does_not_span_a_federation_is_refused(
    members: list[Setting],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    argv: tuple[str, ...],
) -> None:
    path = federation_file(members)
    (Path.cwd() / "facts.jsonl").write_text(jsonl(BASE_COMMON[:1]), encoding="utf-8")
    before = state_of(members)
    default = Path.cwd() / "ledger.db"
    result = fed_run(capsys, path, *argv)
    assert result.status == 2, result.text
    assert "does not span a federation (--federation is given)" in result.err, result.err
    monkeypatch.setenv("LEDGER_FEDERATION", str(path))
    result = run(capsys, *argv)  # LEDGER_FEDERATION set and no --db: no default ledger used
    assert result.status == 2, result.text
    assert "does not span a federation (LEDGER_FEDERATION is given)" in result.err
    assert state_of(members) == before and not default.exists()


def test_ledger_federation_in_the_environment_spans_and_db_still_records(
    members: list[Setting], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LEDGER_FEDERATION", str(federation_file(members)))
    result = run(capsys, "verify")
    assert result.status == 0 and all(m.name in result.out for m in members)
    recorded = run(capsys, "--db", members[0].db, *GRANT)
    assert recorded.status == 0, recorded.text
    # A command that opens no ledger is not refused for LEDGER_FEDERATION alone.
    result = run(capsys, "replay", "missing.jsonl", "--key", "x")
    assert "does not span" not in result.text


def test_a_command_that_takes_federation_itself_is_given_the_global_one() -> None:
    """A command with its own ``--federation`` (``site build``: it reads the file itself) gets
    ``ledger --federation F CMD`` as its own, and is run as it is (it chooses between that,
    --db and LEDGER_FEDERATION); --db with either is refused."""

    def own(args: argparse.Namespace) -> int:
        return 0

    def args(**given: object) -> argparse.Namespace:
        base: dict[str, object] = {
            "command": "site",
            "what": "build",
            "db": None,
            "federation_file": None,
            "federation": None,
            "run": own,
        }
        return argparse.Namespace(**{**base, **given})

    given = args(federation_file="f.toml")
    assert route(given) is own and given.federation == "f.toml"
    given = args(federation="g.toml")
    assert route(given) is own and given.federation == "g.toml"
    given = args()
    assert route(given) is own and given.federation is None
    for wrong in (
        args(db="x.db", federation="f.toml"),
        args(db="x.db", federation_file="f.toml"),
        args(federation="f.toml", federation_file="g.toml"),
    ):
        with pytest.raises(Stop) as stopped:
            route(wrong)
        assert stopped.value.status == 2


def test_the_readmes_federation_file_is_one(tmp_path: Path) -> None:
    """The README's example file reads as a federation with the fields it shows (its
    ``public_key`` is a placeholder: a real key in its place), and every command the section
    shows parses."""
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    start = readme.index("\n### For a federation or local authority\n")
    section = readme[start : readme.index("\n### ", start + 1)]
    toml = section.split("```toml\n", 1)[1].split("```", 1)[0]
    key = Signer.generate("sandbank").verifier_key()
    text = re.sub(r'public_key = "[^"]*"', f'public_key = "{key}"', toml)
    federation = decode(text, tmp_path / "federation.toml")
    assert federation.name == "Sandbank and Valley Nursery Schools Federation"
    sandbank, valley = federation.members
    assert (sandbank.name, sandbank.public_key) == ("Sandbank Nursery School", key)
    assert sandbank.ledger == str(tmp_path.resolve() / "sandbank.db")
    assert valley.is_postgres and valley.key_file == (tmp_path / "keys/valley.key").resolve()
    commands = section.split("```sh\n", 1)[1].split("```", 1)[0]
    parser = build_parser()
    for line in commands.splitlines():
        argv = shlex.split(line.split("#", 1)[0])
        assert argv[0] == "ledger", line
        parsed = parser.parse_args(argv[1:])
        assert parsed.federation_file == "federation.toml", line


def test_help_names_the_federation_option(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        run(capsys, "--help")
    out = capsys.readouterr().out
    assert "--federation FILE" in out and "LEDGER_FEDERATION" in out
