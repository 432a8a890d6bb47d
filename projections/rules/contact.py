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
