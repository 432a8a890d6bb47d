"""What a new ledger says to do next, and the command a Yes gives (issue 15, items 4 and 8).

``init`` ends with the next steps for its own profile: each is a command that runs as printed
on the new ledger (the registers' import aside: it needs the setting's files). ``check post``
after a Yes prints the command that records that post.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

from ledger.profile import shipped
from tests.conftest import NewDb
from tests.test_cli import NOW, run


@pytest.fixture(autouse=True)
def _pinned_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LEDGER_NOW", NOW)
    monkeypatch.delenv("LEDGER_DB", raising=False)
    monkeypatch.delenv("LEDGER_KEY", raising=False)


@pytest.mark.parametrize("profile", shipped())
def test_the_next_steps_after_init_run_as_printed(
    workdir: Path, new_db: NewDb, capsys: pytest.CaptureFixture[str], profile: str
) -> None:
    db = new_db(f"{profile}.db")
    made = run(capsys, "--db", db, "init", "--profile", profile, "--setting", "A Setting")
    assert made.status == 0, made.text
    lines = made.out.splitlines()
    steps = [
        line.strip()
        for line in lines[lines.index(next(x for x in lines if x.startswith("Next steps"))) + 1 :]
    ]
    assert steps and all(s.startswith("ledger --db ") for s in steps), steps
    asked = 0
    for step in steps:
        argv = shlex.split(step.split("   (", 1)[0])[1:]
        assert argv[1] == db or "://" in db  # the ledger it was made as
        argv[1] = db
        if argv[2] == "import":  # the setting's own registers: here, one child enrolled
            argv = [*argv[:2], "child", "enrol", "--child", "C-0001", "--name", "B. Example"]
        done = run(capsys, *argv)
        if argv[2:4] == ["check", "post"]:
            asked += 1
            # Known people and channel: a real answer, yes; or no for want of consent only
            # (the steps record none), never for a purpose the channel does not allow.
            assert done.status in (0, 1), f"{step}\n{done.text}"
            assert done.out.startswith(("Yes:", "No:")), done.text
            if done.status == 1:
                rules = re.findall(r"^  ([a-z-]+):", done.out, flags=re.MULTILINE)
                assert "--depicts" in argv and rules == ["consent-missing"], done.text
        else:
            assert done.status == 0, f"{step}\n{done.text}"
    assert asked == 1


def test_a_yes_gives_the_command_that_records_the_post(
    workdir: Path, new_db: NewDb, capsys: pytest.CaptureFixture[str]
) -> None:
    from tests.test_cli import ledger

    db = ledger(capsys, new_db)
    asked = run(
        capsys, "--db", db, "check", "post", "--channel", "closed-group", "--author", "G-0001",
        "--depicts", "C-0001", "--device", "T-01", "--on", "2025-10-02",
    )  # fmt: skip
    assert asked.status == 0, asked.text
    command = asked.out.splitlines()[-1].strip()
    assert command == (
        "ledger post publish --post REF --channel closed-group --author G-0001 --depicts C-0001"
        " --device T-01 --on 2025-10-02"
    )
    argv = shlex.split(command.replace("REF", "P-0042"))[1:]
    recorded = run(capsys, "--db", db, *argv)
    assert recorded.status == 0, recorded.text
    assert recorded.out.startswith("Recorded PostPublished for P-0042")
