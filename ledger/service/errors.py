"""The errors a use case raises (``ledger.service``): each says, in words a user can act on,
why the use case stopped; its text is what a front end shows (references only, never a name).

A ``Refusal`` means nothing was done: the input cannot be, or the ledger cannot take it (the
command line exits 2). A ``Failure`` is a "no" about the ledger itself: it, or its key store, is
not what it should be (the command line exits 1).
"""

from __future__ import annotations


class ServiceError(Exception):
    """A use case that stopped; ``message`` says why."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class Refusal(ServiceError):
    """Refused, or bad input: nothing was written."""


class Failure(ServiceError):
    """A "no" about the ledger: it, or its key store, does not hold what it should."""


class FactRefused(Refusal):
    """A fact that cannot be recorded (or read): where it came from and why.

    ``line`` is the line of the file it was read from (None for a command's options, whose
    names are the fact's fields), ``column`` the spreadsheet's heading, if any; ``field`` the
    fact's field and ``message`` what was expected.
    """

    def __init__(
        self, line: int | None, field: str | None, message: str, column: str | None = None
    ) -> None:
        super().__init__(refusal_text(line, field, message, column))
        self.line = line
        self.field = field
        self.column = column
        self.reason = message


def refusal_text(line: int | None, field: str | None, message: str, column: str | None) -> str:
    """``refused: line 3, field `on`: ...``; for a command's options ``refused: --on: ...``."""
    from ledger.importer import where

    if line is None and column is None:
        # A command's options are the fact's fields; `type` is the command itself.
        at = f"--{field.replace('_', '-')}" if field and field != "type" else ""
        return f"refused: {at}: {message}" if at else f"refused: {message}"
    return f"refused: {where(line, column, field)}{message}"


class NotVerified(ServiceError):
    """A file checked offline (an export, a proof, a receipt) that does not verify: what is
    wrong with it (the command line says NOT VERIFIED and exits 1)."""
