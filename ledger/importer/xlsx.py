"""Reading an Excel workbook as a register (openpyxl, pure Python): the rows of its only sheet
with something on it, each cell as the text a CSV export would give.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterator

from ledger.importer.errors import BadInput


def cell_text(value: object) -> str:
    """A workbook cell as the text a CSV export would give (dates as YYYY-MM-DD); also for
    .ods (``ods``)."""
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def xlsx_rows(data: bytes) -> Iterator[tuple[int, list[str]]]:
    """The rows of a workbook's sheet, numbered as the spreadsheet numbers them. The register
    must be the only sheet with anything in it (nothing on another sheet is passed over)."""
    import openpyxl

    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        sheets = [
            sheet
            for sheet in book.worksheets
            if any(v is not None for row in sheet.iter_rows(values_only=True) for v in row)
        ]
        if len(sheets) > 1:
            raise BadInput(
                None,
                None,
                f"the workbook has {len(sheets)} sheets with something on them: keep the"
                " register on a sheet of its own, in a workbook of its own",
            )
        if not sheets:
            raise BadInput(1, None, "the workbook is empty (expected a header row)")
        rows = [
            (number, [cell_text(v) for v in row])
            for number, row in enumerate(sheets[0].iter_rows(values_only=True), start=1)
        ]
        book.close()
    except BadInput:
        raise
    except Exception as exc:  # a damaged file: zipfile's, XML's and openpyxl's errors vary
        raise BadInput(
            None,
            None,
            f"not an Excel workbook that can be read ({type(exc).__name__}); save it again as"
            " .xlsx, or as CSV UTF-8",
        ) from None
    yield from rows
