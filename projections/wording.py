"""Counts in words a manager reads: "1 day", "2 days", "1 child", "3 children"."""

from __future__ import annotations

_PLURALS = {"child": "children"}


def count(n: int, word: str) -> str:
    """``n`` and the word, plural unless ``n`` is one ("1 fact", "2 facts", "0 children")."""
    return f"{n:,} {word if n == 1 else _PLURALS.get(word, word + 's')}"
