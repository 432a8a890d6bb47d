"""What the command line loads to start: a per-fact command (``check post``, ``post publish``,
``findings``) must not pay for the site builder's heavy libraries. matplotlib and MkDocs take
about a third of a second to import, as much again as the rest of the start-up: a change that
pulled them in through the command line's imports (as the federation's overdue limit once did,
by way of the federation's site pages) tripled ``check post``'s time (found by the bench)."""

from __future__ import annotations

import json
import subprocess
import sys

HEAVY = ("matplotlib", "mkdocs", "material", "numpy")


def _loaded_after(statement: str) -> list[str]:
    code = f"import json, sys\n{statement}\nprint(json.dumps(sorted(sys.modules)))"
    out = subprocess.run(
        [sys.executable, "-c", code], check=True, capture_output=True, text=True
    ).stdout
    return [m for m in json.loads(out) if m.split(".")[0] in HEAVY]


def test_the_command_line_starts_without_the_site_builders_libraries() -> None:
    assert _loaded_after("import ledger.cli, ledger.cli.parser") == []


def test_the_check_is_not_vacuous() -> None:
    # The site's charts do load matplotlib: the check above would see it if the CLI did.
    assert "matplotlib" in _loaded_after("import projections.charts")
