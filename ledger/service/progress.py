"""How a long use case tells how far it has come (``ledger.service``): a callback it is given,
``progress(done, total)``, in the work's own units (facts, lines of a file, or steps), called
now and then as the work goes on. The command line gives one that draws a bar on a terminal
(``ledger.cli.bars``), or none; nothing here, nor below it, ever draws or prints anything.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import TypeVar

Progress = Callable[[int, int], None]

T = TypeVar("T")

EVERY = 1_000  # items between two calls: often enough for a bar, rare enough to cost nothing


def counted(
    items: Iterable[T], progress: Progress | None, total: int, *, start: int = 0
) -> Iterator[T]:
    """The items as they are, telling ``progress`` every ``EVERY`` items (``start`` plus the
    number so far, of ``total``) and once more at the end."""
    if progress is None:
        yield from items
        return
    done = start
    for item in items:
        yield item
        done += 1
        if done % EVERY == 0:
            progress(done, total)
    progress(done, total)


def lines_in(chunks: Iterable[bytes]) -> int:
    """How many lines the bytes hold (a last line without its line end counted too)."""
    count = 0
    last = b"\n"
    for chunk in chunks:
        if chunk:
            count += chunk.count(b"\n")
            last = chunk[-1:]
    return count + (last != b"\n")
