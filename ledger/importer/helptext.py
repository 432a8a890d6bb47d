"""The registers' format in words, for ``ledger import --help``, made from the tables of
``ledger.importer.headings`` so that it always says what the reader accepts.
"""

from __future__ import annotations

import textwrap

from ledger.importer.headings import DATE_FORMS, HEADINGS, NO, ROLE_TEXT, YES


def register_help() -> str:
    """The registers' format, for ``ledger import --help`` (made from the tables of
    ``ledger.importer.headings``, so it always says what the reader accepts)."""

    def listed(role: str) -> str:
        return ", ".join(h.replace(" s ", "'s ").capitalize() for h in HEADINGS[role])

    def item(text: str) -> str:
        return textwrap.fill(
            text, 88, initial_indent="  ", subsequent_indent="      ", break_on_hyphens=False
        )

    def para(text: str) -> str:
        return textwrap.fill(text, 88, break_on_hyphens=False)

    out = [
        para(
            "A consent register (.csv or .tsv: commas, semicolons or tabs; UTF-8, with or"
            " without a BOM, or UTF-16; or a workbook, Excel's .xlsx or LibreOffice's .ods,"
            " with the register on its only sheet): one row per child, parent or carer and"
            " form. Columns"
            " are found by their headings, whatever the capitals and punctuation (`Parent/Carer"
            ' ref` is read as "parent carer ref"). The headings accepted for each column:'
        )
    ]
    for role in ("child", "guardian", "channel", "on", "evidence", "method", "expires"):
        optional = " (optional)" if role == "expires" else ""
        out.append(item(f"{ROLE_TEXT[role]}{optional}: {listed(role)}"))
    out += [
        "Which channels a row consents to, one of:",
        item(
            "- a Yes/No column per channel, headed with the channel as people write it"
            " (`Closed Group` for closed-group; the channels are the ledger's profile's);"
        ),
        item(
            "- a Channel column beside a Yes/No column headed Photo Consent, Consent, Consent"
            " given, Permission or Photos;"
        ),
        item("- a Channel column alone: every row is a consent given."),
        para(
            f"Yes/No answers: Yes is {', '.join(YES)}; No is {', '.join(NO)}, or an empty cell"
            " (any capitals). A No records nothing: it is never a consent."
        ),
        para(
            f"Withdrawal (optional): a column headed {listed('withdrawn')} holding a date, or"
            f" Yes/No beside a column headed {listed('withdrawn_on')} (a Yes needs the date)."
        ),
        para(
            f"Dates, day first: {DATE_FORMS}. A two-digit year (5/9/26) is refused: write the"
            " year in full."
        ),
        para("No names in a consent register: the ledger keeps them from the enrolment."),
        "",
        para(
            "A children register (enrolments, and links to parents or carers): one row per"
            " child and parent or carer; a child with two parents has two rows and is enrolled"
            " once, on its start date."
        ),
        item(f"the child's reference: {listed('child')}"),
        item(f"the child's name: {listed('child_name')}"),
        item(f"the child's start date: {listed('start')}"),
        item(f"the parent's or carer's reference (optional): {listed('guardian')}"),
        item(f"the parent's or carer's name (with the reference): {listed('guardian_name')}"),
        para(
            "A file with a start date column is a children register; one with the columns of"
            " both registers is refused."
        ),
        "",
        para(
            'Any other column is refused by name, unless --ignore "COLUMN" says to leave it'
            " out. A fact the ledger already holds is not recorded again (the output says"
            " where it is); --dry-run says what would be recorded and each finding it would"
            " open, and writes nothing."
        ),
    ]
    return "\n".join(out)
