"""Contact with children (Stepping Stones Pre School, line 20: only the setting's equipment is
used to communicate with children, and only by a form of communication that parents have
permitted)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from ledger.profile import Profile
from projections import status
from projections.episodes import ACKNOWLEDGED, Episode, first_open_ack
from projections.registers import Contact, Registers, key


def _merged(r: Registers, rule: str, bad: Callable[[Contact], str | None]) -> list[Episode]:
    """Contacts that break a rule, one finding per child until acknowledged."""
    out: list[Episode] = []
    open_until: dict[str, dt.date | None] = {}
    for contact in r.contacts:
        detail = bad(contact)
        if detail is None:
            continue
        if contact.child in open_until:
            end = open_until[contact.child]
            if end is None or contact.on <= end:
                continue
        ack = first_open_ack(r.acks, rule, contact.child, contact.on)
        open_until[contact.child] = ack
        out.append(
            Episode(rule, contact.child, contact.on, detail, ack, ACKNOWLEDGED if ack else None)
        )
    return out


def contact_without_permission(r: Registers, profile: Profile) -> list[Episode]:
    def bad(c: Contact) -> str | None:
        permitted = r.permissions.get(key(c.child, c.method), [])
        if permitted and permitted[0] <= c.on:
            return None
        return (
            f"{c.child} was contacted by {c.method} on {c.on.isoformat()}"
            " without a guardian's permission for that method"
        )

    return _merged(r, "contact-without-permission", bad)


def contact_device(r: Registers, profile: Profile) -> list[Episode]:
    if not profile.contacts_need_setting_device:
        return []

    def bad(c: Contact) -> str | None:
        if status.in_service(r, c.device, c.on):
            return None
        return f"{c.child} was contacted on {c.on.isoformat()} without a setting device"

    return _merged(r, "non-setting-device", bad)


# --- unofficial-contact -------------------------------------------------------------------------
# Stepping Stones Nursery 38 ("via the official nursery communication channels"), West Wycombe
# 14 ("the pre-school email ... or the pre-school telephone number"), Sandbank and Valley 4.2
# ("via the school email"), Stepping Stones Pre School 23 (no personal messages to a child): a
# contact by a method that is not one of the setting's own is a finding about the pair, until
# the committee acknowledges it; further such contacts by the same pair while it is open belong
# to it (as contact-without-permission merges a child's contacts).

UNOFFICIAL = "unofficial-contact"


def _unofficial_detail(by: str, whom: str, method: str, on: dt.date, official: str) -> str:
    return (
        f"{by} contacted {whom} by {method} on {on.isoformat()}, which is not one of the"
        f" setting's own ways of contact ({official})"
    )


def unofficial_contact(r: Registers, profile: Profile) -> list[Episode]:
    """A contact with a parent or a child by a method that is not one of the profile's
    ``official_contact_methods``: one finding per PERSON/GUARDIAN or PERSON/CHILD pair until
    acknowledged."""
    if not profile.is_on(UNOFFICIAL):
        return []
    official = frozenset(profile.official_contact_methods)
    shown = ", ".join(profile.official_contact_methods) or "none named"
    judged = profile.contacts_judged
    # (on, position, by, whom, method), the parents' and children's contacts in one order.
    contacts: list[tuple[dt.date, int, str, str, str]] = []
    if "parents" in judged:
        contacts += [(c.on, c.pos, c.by, c.guardian, c.method) for c in r.parent_contacts]
    if "children" in judged:
        contacts += [(c.on, c.pos, c.by, c.child, c.method) for c in r.contacts]
    contacts.sort()
    out: list[Episode] = []
    open_until: dict[str, dt.date | None] = {}
    for on, _, by, whom, method in contacts:
        if method in official:
            continue
        subject = f"{by}/{whom}"
        if subject in open_until:
            end = open_until[subject]
            if end is None or on <= end:
                continue
        ack = first_open_ack(r.acks, UNOFFICIAL, subject, on)
        open_until[subject] = ack
        detail = _unofficial_detail(by, whom, method, on, shown)
        out.append(Episode(UNOFFICIAL, subject, on, detail, ack, ACKNOWLEDGED if ack else None))
    return out
