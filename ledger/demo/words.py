"""Invented names and the words of an invented history: combined at random, they name
nobody in particular.
"""

from __future__ import annotations

from typing import Final

from ledger.events import CaseOutcome, ConcernCategory, ConsentMethod

FIRST_NAMES: Final = (
    "Aldwyn",
    "Briony",
    "Caelan",
    "Dorrit",
    "Elowen",
    "Fenna",
    "Gideon",
    "Halden",
    "Isolde",
    "Jory",
    "Kestrel",
    "Linnea",
    "Marlo",
    "Nerys",
    "Orrin",
    "Perrin",
    "Quilla",
    "Rowan",
    "Saffi",
    "Tamsin",
    "Ulric",
    "Verity",
    "Wren",
    "Xanthe",
    "Yestin",
    "Zillah",
    "Ambrin",
    "Bastian",
    "Corra",
    "Daveth",
    "Emrys",
    "Fable",
    "Gwenna",
    "Hollis",
    "Ivo",
    "Jessamy",
    "Kit",
    "Lowenna",
    "Merryn",
    "Noor",
    "Oriel",
    "Pip",
    "Ramsay",
    "Sorrel",
    "Tobin",
    "Wynn",
)
SURNAMES: Final = (
    "Ashcombe",
    "Brindlecott",
    "Carrowby",
    "Dunmere",
    "Elderwick",
    "Fenwright",
    "Gorsley",
    "Hallowfield",
    "Ivybridge",
    "Jessop-Lane",
    "Kettleby",
    "Larkwood",
    "Mossford",
    "Nettlebed",
    "Orchardleigh",
    "Pennywhistle",
    "Quarrendon",
    "Rookhurst",
    "Saltmarsh",
    "Thistlecombe",
    "Underhay",
    "Vellacott",
    "Willowmere",
    "Yarrowby",
    "Amberstone",
    "Bramblecote",
    "Coldharbour",
    "Dovecote",
    "Emberly",
    "Foxwell",
    "Greenhithe",
    "Hazelrigg",
    "Kingsmead",
    "Lindenfold",
    "Marlbrook",
    "Northcott",
    "Oakhanger",
    "Penhallow",
    "Ravensworth",
    "Sedgemoor",
)

ADDRESSED: Final = (
    "Looked into the same day; the comment was taken down.",
    "Spoke with the parent privately and explained the policy.",
    "Reminded all staff of the policy at the team meeting.",
    "Reported to the platform and blocked the account.",
    "Passed to the safeguarding lead, who followed it up.",
    "Replied with the official statement agreed with the chair.",
    "Checked with the member of staff; no further action needed.",
)
CATEGORIES: Final[tuple[ConcernCategory, ...]] = (
    "critical-discussion",
    "critical-discussion",
    "inappropriate-comment",
    "friend-request",
    "confidentiality",
    "child-image",
    "defamatory",
    "other",
)
HEATED: Final[tuple[ConcernCategory, ...]] = ("critical-discussion", "defamatory")
SLIPS: Final[tuple[ConcernCategory, ...]] = ("confidentiality", "inappropriate-comment")
OUTCOMES: Final[tuple[CaseOutcome, ...]] = (
    "advice",
    "advice",
    "no-action",
    "written-warning",
    "advice",
    "final-warning",
)
CONSENT_METHODS: Final[tuple[ConsentMethod, ...]] = ("paper", "paper", "paper", "email", "app")
# The shipped profiles' labels for the setting's own ways of contact (DESIGN.md section 3).
CONTACT_METHODS: Final = ("setting-phone", "setting-phone", "setting-email", "setting-app")
