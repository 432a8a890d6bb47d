"""Each rule in plain words, beside its code: one table for every place a rule is shown (the
warnings at the moment of recording, the site's pages), so that a rule reads the same
everywhere ("a post shows a child without consent", then ``consent-missing``)."""

from __future__ import annotations

from typing import Final

TITLES: Final[dict[str, str]] = {
    "consent-missing": "a post shows a child without consent",
    "child-image-forbidden": "a child's image where the policy never allows one",
    "unauthorised-poster": "a post by someone not allowed to post there",
    "non-setting-device": "a photo or contact not on a setting device",
    "withdrawn-consent-post-live": "a post left up after consent was withdrawn",
    "removal-follow-up-overdue": "a removed post not followed up in time",
    "ineligible-member": "a closed-group member who should not be in it",
    "leaver-not-removed": "a leaver's parent or carer still in the closed group",
    "too-few-admins": "too few closed-group administrators",
    "connection-without-exception": "a staff–parent online connection without an exception",
    "concern-unaddressed": "a concern not addressed in time",
    "referral-undecided": "a disciplinary referral not decided in time",
    "policy-review-overdue": "the policy not reviewed in time",
    "contact-without-permission": "a child contacted without a parent's permission",
    "unofficial-contact": "a parent or child contacted outside the setting's own channels",
    "purpose-not-allowed": "a post for a purpose the channel does not allow",
    "flagged-post-not-removed": "a post flagged in a concern and not taken down in time",
}


def title(rule: str) -> str:
    """The rule's plain title, first letter capitalised, for a label ("A post shows a child
    without consent"); the code itself for a rule the table does not know."""
    words = TITLES.get(rule)
    return rule if words is None else words[0].upper() + words[1:]
