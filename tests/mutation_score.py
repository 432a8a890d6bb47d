"""The mutation score of `make mutation`, with mutants that change only a message set apart.

Run after ``mutmut run``: it reads ``mutmut results --all true`` and, for every surviving mutant,
``mutmut show``. A mutant whose changed lines differ from the original only in string literals
(or a string replaced by ``None``) changes what a message says, not what is decided: it is
counted apart, as the issue asks for the score of non-message mutants. Every other survivor is
listed: each is a missing test.

    python -m tests.mutation_score [MUTMUT]
"""

from __future__ import annotations

import io
import subprocess
import sys
import tokenize
from collections import Counter


def _shape(line: str) -> list[str] | None:
    """The line's tokens with every string literal and ``None`` made one token."""
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(line.strip() + "\n").readline))
    except (tokenize.TokenError, IndentationError, SyntaxError):
        return None
    out: list[str] = []
    for token in tokens:
        if token.type in (tokenize.NEWLINE, tokenize.NL, tokenize.ENDMARKER, tokenize.COMMENT):
            continue
        if token.type == tokenize.STRING or (
            token.type == tokenize.NAME and token.string == "None"
        ):
            out.append("<S>")
        else:
            out.append(token.string)
    return out


def is_message_mutant(diff: str) -> bool:
    removed = [
        line[1:]
        for line in diff.splitlines()
        if line.startswith("-") and not line.startswith("---")
    ]
    added = [
        line[1:]
        for line in diff.splitlines()
        if line.startswith("+") and not line.startswith("+++")
    ]
    if not removed or len(removed) != len(added):
        return False
    for old, new in zip(removed, added, strict=True):
        a, b = _shape(old), _shape(new)
        if a is None or b is None or a != b:
            return False
    return True


def main() -> int:
    mutmut = sys.argv[1] if len(sys.argv) > 1 else "mutmut"
    lines = subprocess.run(
        [mutmut, "results", "--all", "true"], capture_output=True, text=True, check=True
    ).stdout.splitlines()
    status: dict[str, str] = {}
    for line in lines:
        name, _, state = line.strip().rpartition(": ")
        if name:
            status[name] = state.strip()
    counts = Counter(status.values())
    messages: list[str] = []
    missing: list[str] = []
    for name, state in sorted(status.items()):
        if state not in ("survived", "no tests"):
            continue
        diff = subprocess.run(
            [mutmut, "show", name], capture_output=True, text=True, check=False
        ).stdout
        (messages if is_message_mutant(diff) else missing).append(name)
    killed = counts["killed"] + counts["timeout"] + counts["segfault"]
    total = len(status) - counts["skipped"] - counts["not checked"]
    decisive = total - len(messages)
    print(f"mutants: {total} ({dict(counts)})")
    print(f"killed (timeouts count as killed): {killed} of {total} = {killed / max(total, 1):.1%}")
    print(
        f"non-message mutants killed: {killed} of {decisive} = {killed / max(decisive, 1):.1%}"
        f" ({len(messages)} surviving mutants change only a message)"
    )
    if missing:
        print("\nsurviving mutants that change behaviour (each is a missing test):")
        for name in missing:
            print(f"  {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
