"""Counts in words a manager reads: "1 day", "2 days", "1 child", "3 children"."""

from __future__ import annotations

import difflib
from collections.abc import Iterable

_PLURALS = {"child": "children"}


def count(n: int, word: str) -> str:
    """``n`` and the word, plural unless ``n`` is one ("1 fact", "2 facts", "0 children")."""
    return f"{n:,} {word if n == 1 else _PLURALS.get(word, word + 's')}"


def did_you_mean(value: str, options: Iterable[str]) -> str | None:
    """The one accepted value a mistyped one most likely meant (``socal-media`` ->
    ``social-media-officer``?), or None when none is close enough to say."""
    choices = list(options)
    lowered = {choice.lower(): choice for choice in choices}
    if value.lower() in lowered:
        return lowered[value.lower()]
    close = difflib.get_close_matches(value.lower(), list(lowered), n=1, cutoff=0.6)
    return lowered[close[0]] if close else None
