"""The README's daily-use steps run as written, in order, on a new ledger (issue 15, item 4).

The steps are read from the README itself (the first ``sh`` block under "## Daily use"), with
the two registers saved from the README's own examples (the ``csv`` blocks of "Registers from a
spreadsheet"), so a change to the README that breaks a step fails here. Each line is run as
``ledger`` would run it (``ledger.cli.main``), in a new folder, on each store: the ``--db`` of
the README is swapped for the test's database only on PostgreSQL.
"""

from __future__ import annotations

import json
import shlex
from pathlib import Path

import pytest

from tests.conftest import NewDb
from tests.test_cli import NOW, assert_private, run

README = Path(__file__).resolve().parent.parent / "README.md"


def _section(title: str) -> str:
    text = README.read_text()
    start = text.index(f"\n{title}\n")
    end = text.find("\n## ", start + 1)
    return text[start : end if end != -1 else len(text)]


def _blocks(section: str, lang: str) -> list[str]:
    parts = section.split(f"```{lang}\n")[1:]
    return [part.split("```", 1)[0] for part in parts]


def daily_steps() -> list[str]:
    """The daily-use commands, continuation lines joined and comments dropped."""
    (block, *_) = _blocks(_section("## Daily use"), "sh")
    steps, pending = [], ""
    for line in block.splitlines():
        if line.rstrip().endswith("\\"):
            pending += line.rstrip()[:-1] + " "
            continue
        command = (pending + line).strip()
        pending = ""
        if command and not command.startswith("#"):
            steps.append(command)
    return steps


@pytest.fixture(autouse=True)
def _pinned_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LEDGER_NOW", NOW)
    monkeypatch.delenv("LEDGER_DB", raising=False)
    monkeypatch.delenv("LEDGER_KEY", raising=False)


def test_the_daily_steps_are_found() -> None:
    steps = daily_steps()
    assert steps[0].startswith("ledger --db sunflowers.db init ")
    assert any(" check post " in s for s in steps) and any(" verify" in s for s in steps)
    assert all(s.startswith("ledger --db sunflowers.db ") for s in steps), steps


def test_the_readme_daily_steps_run_as_written(
    workdir: Path, new_db: NewDb, capsys: pytest.CaptureFixture[str]
) -> None:
    consent, children = _blocks(_section("### Registers from a spreadsheet"), "csv")
    (workdir / "consent-register.csv").write_text(consent)
    (workdir / "children-register.csv").write_text(children)
    db = new_db("sunflowers.db")
    for step in daily_steps():
        argv = shlex.split(step.split("  #", 1)[0])[1:]
        out_file = None
        if ">" in argv:
            out_file = workdir / argv[argv.index(">") + 1]
            argv = argv[: argv.index(">")]
        argv[argv.index("--db") + 1] = db
        result = run(capsys, *argv)
        assert result.status == 0, f"{step}\n{result.text}"
        assert "refused" not in result.text.lower(), f"{step}\n{result.text}"
        assert_private(result.out)
        if out_file is not None:
            out_file.write_text(result.out)
        if " check post " in step:
            assert result.out.startswith("Yes"), f"{step}\n{result.text}"
        if "--json" in argv:
            json.loads(result.out)
        if argv[-1] == "verify":
            assert result.out.startswith("Intact"), result.out
    trail = (workdir / "audit-trail.jsonl").read_text().splitlines()
    types = [json.loads(line)["type"] for line in trail]
    assert types.count("ConsentGranted") == 4  # C-0001 (1), C-0002 (2), C-0003 (1)
    assert types.count("ConsentWithdrawn") == 2  # C-0002, both channels
    assert types.count("PostPublished") == 1


def test_the_readme_profile_examples_are_a_profile_the_ledger_loads() -> None:
    """The README's TOML examples under "### Policy profiles", put together under a profile's
    header, load as a setting's own profile: every key they show is one the ledger reads, with
    the values they show (a key renamed in the code fails here)."""
    from ledger.profile import decode

    section = _section("### Policy profiles")
    blocks = _blocks(section, "toml")
    assert len(blocks) >= 2, "the channels example and the group-and-rule example"
    header = 'name = "readme"\ntitle = "README"\npolicy = "Our policy"\nsource = "our-policy.txt"\n'
    profile = decode(header + "\n".join(blocks), "README.md")
    group = profile.channels["closed-group"]
    assert (
        group.group
        and group.member_kinds == ["staff"]
        and group.moderators
        == [
            "group-admin",
            "manager",
        ]
    )
    assert profile.channels["personal-account"].poster_purposes == ["promotion"]
    assert profile.channels["facebook-page"].purposes == ["promotion"]
    assert profile.official_contact_methods == ("in-person", "setting-email", "setting-phone")
    assert profile.contacts_judged == ("parents",)
    stated = {p.name: p.stated for p in profile.parameters()}
    assert stated == {"official_contact_methods": True, "contacts_judged": False}
