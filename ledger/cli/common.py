"""What every command of ``ledger`` shares: the exit statuses, the way a command stops with a
message, and the types of its date options.
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
import sys
import textwrap
from typing import NoReturn

from projections import wording

EXIT_OK, EXIT_NO, EXIT_REFUSED = 0, 1, 2


class Stop(Exception):
    """End the command with a message and an exit status."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def printable(text: object) -> str:
    """A path or name as typed, safe to print: bytes a file name may hold that are not UTF-8
    (kept by Python as lone surrogates) are shown as backslash escapes, not a crash."""
    return str(text).encode("utf-8", "backslashreplace").decode("utf-8")


class HelpFormatter(argparse.RawDescriptionHelpFormatter):
    """The descriptions and examples as written; the options' help wrapped between words, never
    inside a hyphenated name (``closed-group``, ``south-woodham-preschool``)."""

    def _split_lines(self, text: str, width: int) -> list[str]:
        return textwrap.wrap(" ".join(text.split()), width, break_on_hyphens=False)


_INVALID_CHOICE = re.compile(r"invalid choice: '([^']*)' \(choose from (.*)\)$")


class Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        raise Stop(EXIT_REFUSED, f"{self.prog}: {message}{_meant(message)}{self._choose(message)}")

    def _choose(self, message: str) -> str:
        """ "; choose --audience committee or public" after a missing option that has choices
        (read from the usage line, which shows them as ``--audience {committee,public}``)."""
        if not message.startswith("the following arguments are required"):
            return ""
        usage = self.format_usage()
        hints = [
            f"choose {option} {' or '.join(found[1].split(','))}"
            for option in re.findall(r"--[\w-]+", message)
            if (found := re.search(re.escape(option) + r" \{([^}]*)\}", usage))
        ]
        return "".join(f"; {hint}" for hint in hints)


def _meant(message: str) -> str:
    """ "; did you mean `findings`?" after argparse's refusal of a mistyped command or choice."""
    found = _INVALID_CHOICE.search(message)
    if found is None:
        return ""
    if found[1] == "finding":  # the recording command's old name, too like `findings`
        return (
            "; what was done about a finding is recorded with `ledger committee acknowledge`"
            " (it was `ledger finding acknowledge`), and `ledger findings` lists them"
        )
    meant = wording.did_you_mean(found[1], re.findall(r"'([^']*)'", found[2]))
    return f"; did you mean `{meant}`?" if meant else ""


def parse_date(text: str) -> dt.date:
    """An option's date, as YYYY-MM-DD."""
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError("expected a date as YYYY-MM-DD") from None


def parse_moment(text: str) -> dt.datetime:
    """A date-time (or a date, meaning the end of that day), in UTC unless it says otherwise."""
    try:
        if len(text) == 10:
            moment = dt.datetime.combine(dt.date.fromisoformat(text), dt.time.max)
        else:
            moment = dt.datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            "expected a date-time such as 2026-03-02T17:00 (or a date)"
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)
