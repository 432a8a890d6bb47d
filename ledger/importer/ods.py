"""Reading an OpenDocument spreadsheet (.ods: LibreOffice Calc, and Google Sheets' "download
as .ods") as a register: the rows of its only sheet with something on it, each cell as the text
a CSV export would give, by the same rules as an Excel workbook (``xlsx``).

python-calamine reads it: a well-kept reader of .ods (and .xlsx) with typed cells (dates,
TRUE/FALSE, numbers), shipped as a wheel, so nothing to compile; openpyxl, which reads the
.xlsx files, does not read .ods.
"""

from __future__ import annotations

import io
from collections.abc import Iterator, Sequence

from ledger.importer.errors import BadInput
from ledger.importer.xlsx import cell_text


def _filled(rows: Sequence[Sequence[object]]) -> bool:
    return any(value not in ("", None) for row in rows for value in row)


def ods_rows(data: bytes) -> Iterator[tuple[int, list[str]]]:
    """The rows of the spreadsheet's sheet, numbered as the spreadsheet numbers them. The
    register must be the only sheet with anything in it (nothing on another is passed over)."""
    from python_calamine import CalamineWorkbook

    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
        sheets = [
            rows
            for index in range(len(book.sheet_names))
            if _filled(rows := book.get_sheet_by_index(index).to_python(skip_empty_area=False))
        ]
        book.close()
    except Exception as exc:  # a damaged file: zip, XML and calamine errors vary
        raise BadInput(
            None,
            None,
            f"not an OpenDocument spreadsheet that can be read ({type(exc).__name__}); save it"
            " again as .ods, or as CSV UTF-8",
        ) from None
    if len(sheets) > 1:
        raise BadInput(
            None,
            None,
            f"the spreadsheet has {len(sheets)} sheets with something on them: keep the"
            " register on a sheet of its own, in a spreadsheet of its own",
        )
    if not sheets:
        raise BadInput(1, None, "the spreadsheet is empty (expected a header row)")
    for number, row in enumerate(sheets[0], start=1):
        yield number, [cell_text(value) for value in row]
