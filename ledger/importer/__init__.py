"""Reading facts from files: JSON Lines (the contract) and a spreadsheet's register (CSV, or an
Excel workbook): a consent register, or a children register.

Every line is decoded and validated by msgspec into its event struct. A bad line gives a
``BadInput`` naming the line, the field and what was expected. Messages never repeat a value
from the input (it might be a name): only references that have already matched their pattern,
field names and the expected form.

The package's rooms: ``errors`` (``BadInput``, ``BadCell``), ``jsonlines`` (the fact-line
reader), ``headings`` (the tables: headings accepted, Yes/No, date forms, methods), ``cells``
(reading one cell), ``columns`` (a register's header understood), ``xlsx`` (a workbook's rows),
``register`` (a register's rows into facts) and ``helptext`` (``ledger import --help``). The
names below are the package's public interface; callers import them from ``ledger.importer``.
"""

from __future__ import annotations

from ledger.importer.cells import parse_answer, parse_date
from ledger.importer.errors import BadCell, BadInput, where
from ledger.importer.headings import (
    CHILDREN_ROLES,
    CONSENT_ROLES,
    DATE_FORMS,
    EXAMPLE_HEADING,
    HEADINGS,
    METHODS,
    NO,
    ROLE_TEXT,
    YES,
    YES_NO_FORMS,
)
from ledger.importer.helptext import register_help
from ledger.importer.jsonlines import (
    EXPECT,
    decode_object,
    explain,
    file_lines,
    json_lines,
    read_jsonl,
    stream_file,
    stream_path,
)
from ledger.importer.register import Register, is_register, read_register

__all__ = [
    "CHILDREN_ROLES",
    "CONSENT_ROLES",
    "DATE_FORMS",
    "EXAMPLE_HEADING",
    "EXPECT",
    "HEADINGS",
    "METHODS",
    "NO",
    "ROLE_TEXT",
    "YES",
    "YES_NO_FORMS",
    "BadCell",
    "BadInput",
    "Register",
    "decode_object",
    "explain",
    "file_lines",
    "is_register",
    "json_lines",
    "parse_answer",
    "parse_date",
    "read_jsonl",
    "read_register",
    "register_help",
    "stream_file",
    "stream_path",
    "where",
]
