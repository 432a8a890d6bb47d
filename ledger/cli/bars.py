"""Progress on a terminal (issue 15, "Progress on long work"): a transient bar on standard
error while ``import``, ``verify``, ``replay``, ``export`` or ``site build`` works through a
large history, erased when the work ends.

Only on a terminal, and only above ``THRESHOLD`` facts: when standard error is not a terminal
(a pipe, a file, CI, a test) nothing at all is drawn and the output is byte for byte what it
was without a bar; a small command stays as it was. The use cases report through the callback
they are given (``ledger.service.progress``); this module alone knows ``rich``, and loads it
only when it has a bar to draw.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from types import TracebackType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rich.console import Console

THRESHOLD = 5_000  # facts: work over more than this many shows a bar (on a terminal)


def terminal() -> Console | None:
    """The terminal to draw on: standard error, if it is one; else None (nothing is drawn).
    Decided here, not by ``rich`` (which draws on a pipe too when FORCE_COLOR is set)."""
    try:
        if not sys.stderr.isatty():
            return None
    except (AttributeError, ValueError):  # no standard error, or a closed one
        return None
    from rich.console import Console

    return Console(file=sys.stderr, force_terminal=True)


class Bar:
    """A progress callback (``done, total``) that draws a transient bar on the terminal once
    the work is larger than ``threshold`` (its units: ``unit``, or None to show how far as a
    percentage: work in steps of different kinds); else it does nothing, or
    calls ``otherwise(done)`` where a command said how far it had come before there were
    bars. Use it as a context manager: the bar is erased when the work ends, or fails."""

    def __init__(
        self,
        what: str,
        *,
        unit: str | None = "facts",
        threshold: int = THRESHOLD,
        otherwise: Callable[[int], None] | None = None,
    ) -> None:
        self._what = what
        self._unit = unit
        self._threshold = threshold
        self._otherwise = otherwise
        self._console: Console | None = None
        self._decided = False
        self._bar: Any = None  # a rich.progress.Progress, once drawn
        self._task: Any = None

    def __call__(self, done: int, total: int) -> None:
        if self._bar is None:
            if not self._decided:
                self._console = terminal()
                self._decided = True
            if self._console is None or total <= self._threshold:
                if self._otherwise is not None and self._console is None:
                    self._otherwise(done)
                return
            self._start(self._console, total)
        self._bar.update(self._task, completed=done, total=total)

    def _start(self, console: Console, total: int) -> None:
        from rich.progress import (
            BarColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )

        self._bar = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            TextColumn(
                "{task.percentage:>3.0f}%"
                if self._unit is None
                else "{task.completed:,} of {task.total:,} " + self._unit
            ),
            TimeElapsedColumn(),
            TimeRemainingColumn(),
            console=console,
            transient=True,
            redirect_stdout=False,
            redirect_stderr=False,
        )
        self._bar.start()
        self._task = self._bar.add_task(self._what, total=total)

    def close(self) -> None:
        """Erase the bar (if one was drawn)."""
        if self._bar is not None:
            self._bar.stop()
            self._bar = None

    def __enter__(self) -> Bar:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()
