"""Reading facts from JSON Lines, the contract: one fact a line, decoded and validated by msgspec
into its event struct. A bad line gives a ``BadInput`` naming the line, the field and what was
expected, worked out from the events' own type hints.
"""

from __future__ import annotations

import datetime as dt
import re
import typing
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import msgspec

from ledger import events as ev
from ledger.importer.errors import BadInput

_TYPES = ", ".join(ev.EVENT_TYPES)
_SAFE_FIELD = re.compile(r"^[a-z_]{1,40}$")


def _expectations() -> dict[tuple[str, str], str]:
    """For each (event type, field), the plain description of what it takes."""
    out: dict[tuple[str, str], str] = {}
    for name, cls in ev.EVENT_TYPES.items():
        hints = typing.get_type_hints(cls, include_extras=True)
        for field in msgspec.structs.fields(cls):
            out[(name, field.encode_name)] = _describe(hints[field.name])
    return out


def _describe(hint: Any) -> str:
    origin = typing.get_origin(hint)
    if origin is typing.Annotated:
        base, *meta = typing.get_args(hint)
        for m in meta:
            if isinstance(m, msgspec.Meta) and m.description:
                return m.description
            if isinstance(m, msgspec.Meta) and m.max_length:
                return f"text of at most {m.max_length} characters"
        return _describe(base)
    if origin is typing.Literal:
        return "one of: " + ", ".join(str(a) for a in typing.get_args(hint))
    if origin in (typing.Union, getattr(__import__("types"), "UnionType", None)):
        parts = [_describe(a) for a in typing.get_args(hint) if a is not type(None)]
        return " or ".join(parts)
    if origin is list:
        (item,) = typing.get_args(hint)
        return f"a list (possibly empty), each {_describe(item)}"
    if hint is dt.date:
        return "a date as YYYY-MM-DD"
    if hint is int:
        return "a whole number"
    if hint is str:
        return "text"
    return getattr(hint, "__name__", "a value")


EXPECT = _expectations()
_AT = re.compile(r" - at `\$(?:\.([A-Za-z_]+))?(?:\[(\d+)\])?[^`]*`$")


def explain(type_name: str, error: msgspec.ValidationError) -> tuple[str | None, str]:
    """The field and a message for a msgspec error, without repeating any input value."""
    text = str(error)
    match = _AT.search(text)
    field = match.group(1) if match else None
    head = text[: match.start()] if match else text
    if head.startswith("Object missing required field"):
        missing = head.split("`")[1]
        return missing, f"missing (expected {EXPECT.get((type_name, missing), 'a value')})"
    if head.startswith("Object contains unknown field"):
        unknown = head.split("`")[1]
        shown = f"unknown field `{unknown}`" if _SAFE_FIELD.match(unknown) else "an unknown field"
        known = ", ".join(f.encode_name for f in msgspec.structs.fields(ev.EVENT_TYPES[type_name]))
        return None, f"{shown} for {type_name} (expected only: type, {known})"
    if field is None:
        return None, "expected a JSON object"
    expected = EXPECT.get((type_name, field), "a valid value")
    if field == "on":
        expected = "a date as YYYY-MM-DD"
    if match and match.group(2) is not None:
        return field, f"item {int(match.group(2)) + 1} is not valid (expected {expected})"
    return field, f"not valid (expected {expected})"


def decode_object(obj: object, line: int | None) -> ev.Event:
    """One fact from a decoded JSON object (record-time fields of an export are ignored)."""
    if not isinstance(obj, dict):
        raise BadInput(line, None, "expected a JSON object, one fact per line")
    kind = obj.get("type")
    if kind is None:
        raise BadInput(line, "type", f"missing (expected one of: {_TYPES})")
    if not isinstance(kind, str) or kind not in ev.EVENT_TYPES:
        raise BadInput(line, "type", f"unknown type (expected one of: {_TYPES})")
    fields = {k: v for k, v in obj.items() if k not in ev.RECORD_TIME_FIELDS}
    try:
        return msgspec.convert(fields, ev.EVENT_TYPES[kind])
    except msgspec.ValidationError as error:
        field, message = explain(kind, error)
        raise BadInput(line, field, message) from None


_LINE = re.compile(rb"([^\r\n]*)(?:\r\n|\r|\n|$)")  # the lines bytes.splitlines gives
_typed = msgspec.json.Decoder(ev.AnyEvent)


def _lines(data: bytes) -> Iterator[tuple[int, bytes]]:
    """Each line with its number, found as it is read (a million lines are not held at once)."""
    for number, match in enumerate(_LINE.finditer(data), start=1):
        yield number, match.group(1)


def json_lines(data: bytes) -> Iterator[tuple[int, object, bytes]]:
    """Each non-blank line's number, decoded JSON value and raw bytes."""
    decoder = msgspec.json.Decoder()
    for number, raw in _lines(data):
        if not raw.strip():
            continue
        yield number, _json(decoder, number, raw), raw


def _json(decoder: msgspec.json.Decoder[Any], number: int, raw: bytes) -> object:
    try:
        return decoder.decode(raw)
    except (msgspec.DecodeError, RecursionError):
        raise BadInput(number, None, "not valid JSON (expected one JSON object)") from None
    except UnicodeDecodeError:
        raise BadInput(number, None, "not UTF-8 text (save the file as UTF-8)") from None


def file_lines(path: Path) -> Iterator[tuple[int, bytes]]:
    """The lines of a file with their numbers, read from disk as they are needed; the same
    lines as ``bytes.splitlines`` of the whole file (a lone CR ends a line too)."""
    number = 0
    with path.open("rb") as file:
        for physical in file:
            for piece in physical.rstrip(b"\n").removesuffix(b"\r").split(b"\r"):
                number += 1
                yield number, piece


def read_jsonl(data: bytes | Iterable[tuple[int, bytes]]) -> Iterator[tuple[int, ev.Event]]:
    """Facts from JSON Lines (the bytes, or numbered lines), each with its line number; blank
    lines are skipped.

    A line is decoded straight into its event; one that will not decode so (an export's line,
    with its record-time fields, or a bad one) is read again as JSON and then as a fact, which
    ignores record-time fields and names what is wrong.
    """
    decoder = msgspec.json.Decoder()
    for number, raw in _lines(data) if isinstance(data, bytes) else data:
        try:
            yield number, _typed.decode(raw)
            continue
        except (msgspec.DecodeError, msgspec.ValidationError, RecursionError, UnicodeDecodeError):
            pass
        if raw.strip():
            yield number, decode_object(_json(decoder, number, raw), number)


def stream_file(data: bytes, name: str) -> Iterator[tuple[int, ev.Event]]:
    """The facts of a JSON Lines file as they are read, each with its line."""
    return read_jsonl(data)


def stream_path(path: Path) -> Iterator[tuple[int, ev.Event]]:
    """The facts of a JSON Lines file on disk as they are read from it, each with its line."""
    return read_jsonl(file_lines(path))
