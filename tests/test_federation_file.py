"""The federation file (ledger.federation): what it accepts, and each refusal names the line
and the field as the file spells them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ledger.checkpoint import Signer
from ledger.federation import FederationError, decode, load
from ledger.storage.config import Config, LedgerError, server_of
from tests.test_privacy_and_refusals import run

GOOD = """\
name = "Sandbank and Valley Nursery Schools Federation"

[[members]]
name = "Sandbank Nursery School"
ledger = "sandbank.db"

[[members]]
name = "Valley Nursery School"
ledger = "postgresql://ledger@db.example/ledger?schema=valley"
"""


def test_reads_members_in_order_with_ledgers_found_from_the_files_folder(tmp_path: Path) -> None:
    (tmp_path / "fed.toml").write_text(GOOD)
    federation = load(tmp_path / "fed.toml")
    assert federation.name == "Sandbank and Valley Nursery Schools Federation"
    assert [m.name for m in federation.members] == [
        "Sandbank Nursery School",
        "Valley Nursery School",
    ]
    sandbank, valley = federation.members
    assert sandbank.ledger == str((tmp_path / "sandbank.db").resolve())
    assert sandbank.config().key_path == Path(sandbank.ledger + ".key")
    assert sandbank.line == 3 and valley.line == 7
    assert valley.is_postgres and not sandbank.is_postgres
    assert valley.config().db == "postgresql://ledger@db.example/ledger?schema=valley"
    assert valley.config().key_path == tmp_path.resolve() / "ledger-valley.key"
    assert federation.member("Valley Nursery School") is valley
    with pytest.raises(KeyError):
        federation.member("Nowhere")


def test_key_file_and_public_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    vkey = Signer.generate("sandbank").verifier_key()
    text = GOOD.replace(
        'ledger = "sandbank.db"\n',
        f'ledger = "sandbank.db"\npublic_key = "{vkey}"\nkey_file = "keys/s.key"\n',
    )
    monkeypatch.setenv("LEDGER_KEY", str(tmp_path / "someone-elses.key"))
    sandbank = decode(text, tmp_path / "fed.toml").members[0]
    assert sandbank.public_key == vkey
    assert sandbank.config().key_path == (tmp_path / "keys" / "s.key").resolve()


@pytest.mark.parametrize(
    ("change", "said"),
    [
        (
            ('ledger = "sandbank.db"\n', 'ledgr = "sandbank.db"\n'),
            "line 5: `ledgr` of member 1: unknown field",
        ),
        (
            ('ledger = "sandbank.db"\n', ""),
            "line 3: member 1 has no `ledger` (each [[members]] needs a `name` and a `ledger`)",
        ),
        (
            ('name = "Valley Nursery School"', 'name = "Sandbank Nursery School"'),
            "line 8: `name` of member 2: the same name as member 1",
        ),
        (
            ("schema=valley", "schema=Valley Room"),
            "line 9: `ledger` of member 2: expected ?schema=NAME",
        ),
        (("?schema=valley", ""), "line 9: `ledger` of member 2: expected the member's own schema"),
        (
            ('ledger = "sandbank.db"', "ledger = 7"),
            "line 5: `ledger` of member 1: expected a SQLite",
        ),
        (
            ('ledger = "sandbank.db"', 'ledger = "https://x.example/a.db"'),
            "line 5: `ledger` of member 1",
        ),
        (('name = "Sandbank and', 'nme = "Sandbank and'), "line 1: unknown field `nme`"),
        (
            ('name = "Sandbank and Valley Nursery Schools Federation"\n', ""),
            "`name`: expected the federation's name",
        ),
        (
            ('ledger = "sandbank.db"\n', 'ledger = "sandbank.db"\npublic_key = "nonsense"\n'),
            "line 6: `public_key` of member 1",
        ),
        (("[[members]]", "[members]"), "not valid TOML"),
    ],
)
def test_refusals_name_the_line_and_the_field(
    change: tuple[str, str], said: str, tmp_path: Path
) -> None:
    text = GOOD.replace(change[0], change[1], 1)
    assert text != GOOD
    with pytest.raises(FederationError) as caught:
        decode(text, tmp_path / "fed.toml")
    assert said in str(caught.value)
    assert str(caught.value).startswith("fed.toml")


def test_same_ledger_twice_and_no_members(tmp_path: Path) -> None:
    twice = GOOD + '\n[[members]]\nname = "Third"\nledger = "./sandbank.db"\n'
    with pytest.raises(
        FederationError, match=r"line 13: `ledger` of member 3: the same ledger as member 1"
    ):
        decode(twice, tmp_path / "fed.toml")
    with pytest.raises(FederationError, match="expected at least one"):
        decode('name = "F"\n', tmp_path / "fed.toml")
    with pytest.raises(FederationError, match="not UTF-8"):
        decode(b'name = "\xff"\n', tmp_path / "fed.toml")
    with pytest.raises(FederationError, match="cannot read the federation file"):
        load(tmp_path / "missing.toml")


# --- files an honest governing body never writes (tests/MUTATION.md: the federation file) -------


def _refused(text: str, tmp_path: Path) -> str:
    with pytest.raises(FederationError) as caught:
        decode(text, tmp_path / "fed.toml")
    return str(caught.value)


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ('name = 7\n[[members]]\nname = "A"\nledger = "a.db"\n', "fed.toml, line 1: `name`:"),
        ('name = "  "\n[[members]]\nname = "A"\nledger = "a.db"\n', "fed.toml, line 1: `name`:"),
        ('[[members]]\nname = "A"\nledger = "a.db"\n', "fed.toml: `name`: expected"),
        ('name = "F"\nmembers = "A"\n', "fed.toml, line 2: `members`: expected at least one"),
        ('name = "F"\nmembers = []\n', "fed.toml, line 2: `members`: expected at least one"),
        ('name = "F"\nmembers = [1]\n', "fed.toml: `members`: expected [[members]] tables"),
        (
            'name = "F"\n\n[[members]]\nledger = "a.db"\n',
            "fed.toml, line 3: member 1 has no `name`",
        ),
        ('name = "F"\n[[members]]\nname = 7\nledger = "a.db"\n', "line 3: `name` of member 1:"),
        ('name = "F"\n[[members]]\nname = " "\nledger = "a.db"\n', "line 3: `name` of member 1:"),
        (
            'name = "F"\n[[members]]\nname = "A\\u001fB"\nledger = "a.db"\n',
            "line 3: `name` of member 1: expected one line of plain text (no control characters)",
        ),
        ('name = "F"\n[[members]]\nname = "A"\nledger = "  "\n', "line 4: `ledger` of member 1:"),
        (
            'name = "F"\n[[members]]\nname = "A"\nledger = "a.db"\npublic_key = 7\n',
            "line 5: `public_key` of member 1: expected the text",
        ),
        (
            'name = "F"\n[[members]]\nname = "A"\nledger = "a.db"\nkey_file = 7\n',
            "line 5: `key_file` of member 1: expected the path",
        ),
        (
            'name = "F"\n[[members]]\nname = "A"\nledger = "a.db"\nkey_file = " "\n',
            "line 5: `key_file` of member 1: expected the path",
        ),
        (
            'name = "F"\n[[members]]\nname = "A"\nledger = "postgres://h/d?schema=Bad"\n',
            "line 4: `ledger` of member 1: expected ?schema=NAME",
        ),
        (
            'name = "F"\n[[members]]\nname = "A"\nledger = "postgres://h/d?schema=a-b"\n',
            "line 4: `ledger` of member 1: expected ?schema=NAME",
        ),
        (
            'name = "F"\n[[members]]\nname = "A"\nledger = "postgres://h/d"\n',
            "line 4: `ledger` of member 1: expected the member's own schema",
        ),
        (
            'name = "F"\n[[members]]\nname = "A"\nledger = "sqlite://a.db"\n',
            "line 4: `ledger` of member 1: expected a SQLite file's path",
        ),
        # A key quoted, a heading with spaces, a key found only under its own member.
        ('"name" = 7\n[[members]]\nname = "A"\nledger = "a.db"\n', "fed.toml, line 1: `name`:"),
        (
            'name = "F"\n[[ members ]]\nname = "A"\nledger = "a.db"\n[[members]]\n"name" = 7\n'
            'ledger = "b.db"\n',
            "fed.toml, line 6: `name` of member 2:",
        ),
        (
            'name = "F"\n[[members]]\nname = "A"\nledger = "a.db"\n[[members]]\nledger = "b.db"\n',
            "fed.toml, line 5: member 2 has no `name`",
        ),
        # An unknown table names its heading's line (it said "line None" before).
        (
            'name = "F"\n[[members]]\nname = "A"\nledger = "a.db"\n[other]\nledger = 1\n',
            "fed.toml, line 5: unknown field `other`",
        ),
        ('name = "F"\nother.x = 1\n', "fed.toml: unknown field `other`"),
        (
            'name = "F"\n[[members]]\nname = "A"\n[[members]]\nname = "B"\nledger = 7\n',
            "fed.toml, line 2: member 1 has no `ledger`",
        ),
        (
            "x = 1\nname = 'F'\n",
            "fed.toml, line 1: unknown field `x` (expected `name` or `members`)",
        ),
        (
            'name = "F"\n[[members]]\nname = "A"\nledger = "a.db"\nx = 1\n',
            "line 5: `x` of member 1: unknown field (expected `name`, `ledger`, `public_key` or"
            " `key_file`)",
        ),
    ],
)
def test_each_refusal_names_its_line_and_field_exactly(
    text: str, said: str, tmp_path: Path
) -> None:
    message = _refused(text, tmp_path)
    expected = said if said.startswith("fed.toml") else "fed.toml, " + said
    assert message.startswith(expected), message


def test_a_field_of_a_later_member_is_not_taken_for_an_earlier_ones(tmp_path: Path) -> None:
    # Member 1 has no `ledger` line: its message names its heading, not member 2's `ledger`.
    text = 'name = "F"\n[[members]]\nname = "A"\nledger = 7\n[[members]]\nname = "B"\n'
    assert _refused(text, tmp_path).startswith("fed.toml, line 4: `ledger` of member 1")
    text = (
        'name = "F"\n[[members]]\nname = "A"\nledger = "a.db"\n[[members]]\nname = "B"\n'
        'ledger = "b.db"\n[[members]]\nname = "A"\nledger = "c.db"\n'
    )
    assert _refused(text, tmp_path).startswith(
        "fed.toml, line 9: `name` of member 3: the same name as member 1"
    )
    text = (
        'name = "F"\n[[members]]\nname = "A"\nledger = "a.db"\n[[members]]\nname = "B"\n'
        'ledger = "b.db"\n[[members]]\nname = "C"\nledger = "b.db"\n'
    )
    assert _refused(text, tmp_path).startswith(
        "fed.toml, line 10: `ledger` of member 3: the same ledger as member 2"
    )
    # An inline array of tables has no heading: the message names no line it does not know.
    text = 'name = "F"\nmembers = [{name = "A", ledger = 7}]\n'
    assert _refused(text, tmp_path).startswith("fed.toml: `ledger` of member 1:")


def test_what_is_read_is_stripped_and_resolved(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    vkey = Signer.generate("a").verifier_key()
    text = (
        'name = "  F  "\n[[members]]\nname = " A B "\nledger = "sub/../a.db"\n'
        f'public_key = "  {vkey}\\n"\n'
        '[[members]]\nname = "P"\nledger = "postgres://h/d?schema=p_1"\n'
        '[[members]]\nname = "Q"\nledger = "postgresql://h/d?schema=q"\nkey_file = "k/q.key"\n'
    )
    monkeypatch.chdir(tmp_path)
    federation = decode(text, Path("fed.toml"))  # a bare file name: found from the cwd
    assert federation.name == "F" and federation.path == Path("fed.toml")
    a, p, q = federation.members
    assert (a.name, a.ledger, a.public_key, a.key_file, a.line) == (
        "A B",
        str(tmp_path.resolve() / "a.db"),
        vkey,
        None,
        2,
    )
    assert a.config().key_path == Path(str(tmp_path.resolve() / "a.db") + ".key")
    assert p.is_postgres and p.ledger == "postgres://h/d?schema=p_1"
    assert p.key_file == tmp_path.resolve() / "ledger-p_1.key"
    assert p.config().key_path == p.key_file and p.config().db == p.ledger
    assert p.public_key is None
    assert q.is_postgres and q.key_file == (tmp_path / "k" / "q.key").resolve()
    assert q.config().key_path == q.key_file
    assert (p.line, q.line) == (6, 9)


def test_a_schema_name_of_63_characters_is_accepted_and_64_refused(tmp_path: Path) -> None:
    def text(schema: str) -> str:
        return f'name = "F"\n[[members]]\nname = "A"\nledger = "postgres://h/d?schema={schema}"\n'

    assert decode(text("_" + "a" * 62), tmp_path / "f.toml").members[0].ledger.endswith("a" * 62)
    assert "expected ?schema=NAME" in _refused(text("a" * 64), tmp_path)
    assert "expected ?schema=NAME" in _refused(text("1a"), tmp_path)


def test_a_field_is_looked_for_only_under_its_own_heading(tmp_path: Path) -> None:
    # A sub-table ends the member's own lines: a key under it is not the member's field, and the
    # message names the member's heading (line 2), not the sub-table's key.
    for text in (
        'name = "F"\n[[members]]\nname = "A"\nledger = "a.db"\n[members.sub]\nsub = 1\n',
        'name = "F"\n[[members]]\n[members.sub]\nsub = 1\n',
    ):
        assert _refused(text, tmp_path).startswith("fed.toml, line 2: `sub` of member 1:")
    # The line before a member's heading is not its own.
    text = (
        'name = "F"\n[[members]]\nname = "A"\nledger = "a.db"\n[[members]]\nname = "A"\n'
        'ledger = "b.db"\n'
    )
    assert _refused(text, tmp_path).startswith("fed.toml, line 6: `name` of member 2:")


def test_a_top_level_key_is_found_up_to_the_last_line(tmp_path: Path) -> None:
    assert _refused('members = "A"\nname = 7\n', tmp_path).startswith("fed.toml, line 2: `name`:")
    assert _refused('name = "F"\nmembers = 1', tmp_path).startswith("fed.toml, line 2: `members`:")


def test_members_of_an_inline_array_have_no_heading_line(tmp_path: Path) -> None:
    text = 'name = "F"\nmembers = [{name = "A", ledger = "a.db"}, {name = "B", ledger = "b.db"}]\n'
    federation = decode(text, tmp_path / "fed.toml")
    assert [(m.name, m.line) for m in federation.members] == [("A", 0), ("B", 0)]
    with pytest.raises(KeyError) as caught:
        federation.member("C")
    assert caught.value.args == ("C",)


@pytest.mark.parametrize("bad", ["\x1b[31mRed", "A\u202eB", "Del\x7f", "C1\x85"])
def test_names_with_control_characters_are_refused(bad: str, tmp_path: Path) -> None:
    member = GOOD.replace('name = "Valley Nursery School"', f"name = {json.dumps(bad)}")
    with pytest.raises(FederationError, match=r"line 8: `name` of member 2: expected one line"):
        decode(member, tmp_path / "fed.toml")
    top = GOOD.replace(
        'name = "Sandbank and Valley Nursery Schools Federation"', f"name = {json.dumps(bad)}"
    )
    with pytest.raises(FederationError, match=r"line 1: `name`: expected one line of plain"):
        decode(top, tmp_path / "fed.toml")


def test_one_ledger_written_two_ways_is_refused(tmp_path: Path) -> None:
    """A ledger named twice under other spellings would be shown, followed and witnessed as
    two settings: a hard link to another member's file, another spelling of its PostgreSQL
    server (host case, the default port, another user) are the same ledger."""
    first = tmp_path / "sandbank.db"
    first.write_bytes(b"")
    (tmp_path / "linked.db").hardlink_to(first)
    linked = GOOD + '\n[[members]]\nname = "Third"\nledger = "linked.db"\n'
    with pytest.raises(FederationError) as caught:
        decode(linked, tmp_path / "fed.toml")
    said = str(caught.value)
    assert "line 13: `ledger` of member 3: the same ledger as member 1 (written another way" in said
    pg = (
        'name = "F"\n[[members]]\nname = "A"\n'
        'ledger = "postgresql://ledger:pw@db.example/ledger?schema=valley"\n'
        '[[members]]\nname = "B"\n'
        'ledger = "postgresql://reader@DB.Example:5432/ledger?schema=valley"\n'
    )
    with pytest.raises(FederationError, match=r"line 7: `ledger` of member 2: the same ledger as"):
        decode(pg, tmp_path / "fed.toml")
    # The server given as parameters is the same server.
    same = pg.replace(
        "postgresql://reader@DB.Example:5432/ledger?schema=valley",
        "postgresql:///ledger?host=db.example&port=5432&schema=valley",
    )
    with pytest.raises(FederationError, match=r"member 2: the same ledger as member 1"):
        decode(same, tmp_path / "fed.toml")
    # Another schema, another database, port or server (a parameter too): other ledgers.
    for other in (
        "postgresql://reader@DB.Example:5432/ledger?schema=sandbank",
        "postgresql://reader@DB.Example:5433/ledger?schema=valley",
        "postgresql://reader@DB.Example/other?schema=valley",
        "postgresql:///ledger?host=/run/postgresql&schema=valley",
        "postgresql://reader@DB.Example/ledger?dbname=other&schema=valley",
    ):
        text = pg.replace("postgresql://reader@DB.Example:5432/ledger?schema=valley", other)
        assert [m.name for m in decode(text, tmp_path / "fed.toml").members] == ["A", "B"]


@pytest.mark.parametrize(
    ("first", "second"),
    [
        # what the ledger connects to when no host is written: this machine
        ("postgresql:///ledger?schema=s", "postgresql://localhost/ledger?schema=s"),
        # the server and database as libpq reads parameters, which is how the ledger connects
        ("postgresql://a.example/ledger?schema=s", "postgresql:///ledger?host=a.example&schema=s"),
        ("postgresql://h/other?schema=s", "postgresql://h/ledger?dbname=other&schema=s"),
    ],
)
def test_the_same_postgresql_ledger_is_the_same_place_however_written(
    tmp_path: Path, first: str, second: str
) -> None:
    """The federation file's check that no ledger is listed twice reads an address as the
    ledger connects to it (``storage.config.server_of``, used by both): two ways of writing
    one server, database and schema are one ledger, refused."""
    for url in (first, second):
        env = Config(db=url, key_path=tmp_path / "k").env()
        assert (env["POSTGRES_HOST"], env["POSTGRES_DBNAME"]) == server_of(first)[::2]
    text = (
        f'name = "F"\n[[members]]\nname = "A"\nledger = "{first}"\n'
        f'[[members]]\nname = "B"\nledger = "{second}"\n'
    )
    with pytest.raises(FederationError, match="member 2: the same ledger as member 1"):
        decode(text, tmp_path / "fed.toml")


@pytest.mark.parametrize(
    "url", ["postgresql://h:abc/ledger?schema=s", "postgresql://h/ledger?port=5x&schema=s"]
)
def test_a_postgresql_port_that_is_not_a_number_is_the_users_to_fix(url: str) -> None:
    with pytest.raises(LedgerError, match="is not a number; check the URL"):
        server_of(url)
    status, said = run("--db", url, "findings")
    assert status == 2 and "is not a number" in said and "Traceback" not in said
