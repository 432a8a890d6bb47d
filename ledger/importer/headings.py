"""The tables of a spreadsheet's registers: the headings accepted for each column, what each
column is called in messages, the words that make a heading a consent or a channel, the
Yes/No answers, the date forms and the consent methods.

``ledger import --help`` is made from these tables (``ledger.importer.helptext``), so it always
says what the reader accepts.
"""

from __future__ import annotations

import re
import typing

from ledger import events as ev

YES = ("yes", "y", "true", "1", "x", "✓", "✔", "granted", "given")
NO = ("no", "n", "false", "0", "refused", "declined")
YES_NO_FORMS = f"Yes ({', '.join(YES)}) or No ({', '.join(NO)}, or an empty cell); any capitals"
DATE_FORMS = "YYYY-MM-DD, DD/MM/YYYY, D/M/YYYY, DD-MM-YYYY or DD.MM.YYYY"
METHODS = typing.get_args(typing.get_type_hints(ev.ConsentGranted)["method"])
METHOD_WORDS = {
    "paper": "paper",
    "paper form": "paper",
    "form": "paper",
    "written": "paper",
    "signed form": "paper",
    "email": "email",
    "e mail": "email",
    "app": "app",
    "online": "app",
}

# Each column of a consent register and the headings accepted for it (compared as lower-case
# words: `Parent/Carer ref` is "parent carer ref", `Form No.` is "form no").
HEADINGS: dict[str, tuple[str, ...]] = {
    "child": (
        "child",
        "child ref",
        "child reference",
        "child id",
        "child no",
        "child number",
        "child code",
        "pupil",
        "pupil ref",
    ),
    "guardian": (
        "guardian",
        "guardian ref",
        "guardian reference",
        "guardian id",
        "parent",
        "parent ref",
        "parent reference",
        "parent id",
        "parent carer",
        "parent carer ref",
        "parent carer reference",
        "parent guardian",
        "parent guardian ref",
        "carer",
        "carer ref",
        "signed by",
        "given by",
    ),
    "channel": ("channel", "channel name", "platform", "where"),
    "on": (
        "on",
        "date",
        "signed",
        "date signed",
        "signed on",
        "date given",
        "date of consent",
        "consent date",
        "form date",
        "date received",
    ),
    "evidence": (
        "evidence",
        "form",
        "form ref",
        "form reference",
        "form no",
        "form number",
        "form id",
        "consent form",
        "consent form ref",
        "consent form no",
    ),
    "method": ("method", "how", "how given", "consent method", "method of consent"),
    "expires": ("expires", "expiry", "expiry date", "expires on", "valid until"),
    "withdrawn": ("withdrawn", "consent withdrawn", "withdrawal"),
    "withdrawn_on": (
        "date withdrawn",
        "withdrawn on",
        "withdrawal date",
        "date of withdrawal",
    ),
    # A children register's own columns.
    "start": (
        "start date",
        "started",
        "date started",
        "start",
        "enrolled",
        "date enrolled",
        "enrolment date",
        "enrollment date",
        "date of enrolment",
        "joined",
        "date joined",
        "first day",
    ),
    "child_name": (
        "child name",
        "child s name",
        "childs name",
        "name of child",
        "child full name",
        "full name of child",
    ),
    "guardian_name": (
        "parent name",
        "parent carer name",
        "parent s name",
        "parents name",
        "guardian name",
        "guardian s name",
        "parent guardian name",
        "carer name",
        "name of parent",
        "name of parent carer",
    ),
}
CONSENT_ROLES = frozenset(
    ["channel", "consent", "on", "evidence", "method", "expires", "withdrawn", "withdrawn_on"]
)
CHILDREN_ROLES = frozenset(["start", "child_name", "guardian_name"])
ROLE_OF = {heading: role for role, headings in HEADINGS.items() for heading in headings}
# A heading to suggest for each column.
EXAMPLE_HEADING = {
    "child": "Child ref",
    "guardian": "Parent/Carer ref",
    "channel": "Channel",
    "on": "Date signed",
    "evidence": "Form No.",
    "method": "Method",
    "start": "Start date",
    "child_name": "Child name",
    "guardian_name": "Parent/Carer name",
}
# What each column is, in messages.
ROLE_TEXT = {
    "child": "the child's reference (C-0001)",
    "guardian": "the parent's or carer's reference (G-0001)",
    "channel": "the channel",
    "on": "the date the form was signed",
    "evidence": "the form's reference (F-17)",
    "method": f"how consent was given ({', '.join(METHODS)})",
    "expires": "the date the consent expires",
    "withdrawn": "whether (Yes/No) or when (a date) consent was withdrawn",
    "withdrawn_on": "the date consent was withdrawn",
    "consent": "the Yes/No answer",
    "start": "the child's start date",
    "child_name": "the child's name",
    "guardian_name": "the parent's or carer's name",
}


def _wordset(words: str) -> frozenset[str]:
    return frozenset(words.split())


# Words of a generic Yes/No consent heading (`Photo Consent`, `Consent given`, `Permission`).
CONSENT_WORDS = _wordset(
    "consent consents consented permission permissions agreed agree given granted "
    "photo photos photograph photographs photography image images picture pictures "
    "video videos to for of the use on"
)
CONSENT_KEYS = _wordset(
    "consent consents consented permission permissions agreed agree photo photos "
    "photograph photographs photography image images"
)
# Words that make a heading look like a channel (one of another profile's, or a social network).
CHANNEL_WORDS = _wordset(
    "page group website web site facebook instagram twitter tiktok youtube whatsapp "
    "blog newsletter social media online account closed public private app"
)
NAME_WORDS = _wordset("name names surname surnames forename forenames firstname")


def heading_words(heading: str) -> str:
    """A heading (or a cell) as lower-case words, as the tables spell them: `Parent/Carer ref`
    is "parent carer ref"."""
    return " ".join(re.sub(r"[^0-9a-z]+", " ", heading.lower()).split())
