"""The federation file (ledger.federation): what it accepts, and each refusal names the line
and the field as the file spells them."""

from __future__ import annotations

from pathlib import Path

import pytest

from ledger.checkpoint import Signer
from ledger.federation import FederationError, decode, load

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
