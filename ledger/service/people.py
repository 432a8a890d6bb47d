"""The people in the ledger under UK GDPR (``ledger.service``): forgetting someone (their key is
destroyed, so their name can no longer be read), everything held about someone (article 15),
and who is due to be forgotten under the profile's retention periods.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ledger import integrity, privacy
from ledger.decisions import Refused
from ledger.importer import BadInput, decode_object
from ledger.mapper import MapperError
from ledger.profile import Retention
from ledger.service.errors import Failure, Refusal
from ledger.service.trust import key_store_check
from ledger.store import Clock, Ledger, today


@dataclass(frozen=True)
class Forgot:
    """``ref`` forgotten; ``already``: the fact was recorded before, and only its key (left by
    a forget that was interrupted) is destroyed now."""

    ref: str
    already: bool


def forget(ledger: Ledger, ref: str, signer: integrity.Signer, clock: Clock) -> Forgot:
    """Forget a person: record ``SubjectForgotten`` and destroy their key, so their name (and
    any sealed note about them) can no longer be read; the facts and the tree are unchanged."""
    try:
        event = decode_object(
            {"type": "SubjectForgotten", "on": today(clock).isoformat(), "subject": ref}, None
        )
    except BadInput:
        raise Refusal(
            "refused: SUBJECT: expected a person's reference: a child C-0001, a parent or carer"
            " G-0001, or a member of staff, volunteer, student or committee member S-0001",
        ) from None
    registers = ledger.registers()
    if ref in registers.forgotten and ledger.keys.has_key(ref):
        ledger.keys.forget(ref)  # finish a forgetting that was interrupted
        return Forgot(ref, already=True)
    try:
        ledger.record([event], signer, clock, forgetting=True)
    except Refused as refusal:
        raise Refusal(f"refused: {refusal.message}") from None
    ledger.keys.forget(ref)
    return Forgot(ref, already=False)


@dataclass(frozen=True)
class Subject:
    """Everything the ledger holds about one person (``privacy.Held``), in ``setting``."""

    held: privacy.Held
    setting: str

    def lines(self) -> list[str]:
        """Each fact held, as a line a person reads (``privacy.describe``)."""
        return [privacy.describe(line) for line in self.held.facts]


def subject(ledger: Ledger, ref: str) -> Subject:
    """A subject access request: every fact naming ``ref``, names opened. A ``Failure`` if a
    name it should show cannot be read (never "[forgotten]" for someone who was not)."""
    if not re.fullmatch(r"[CGS]-[0-9]{1,9}", ref):
        raise Refusal(
            "refused: expected the reference of a child (C-0001), a parent (G-0001) or a"
            " member of staff (S-0001)",
        )
    try:  # through the person index: the facts that name them, not every fact
        about = ledger.read_about(ref)
    except MapperError as exc:
        raise Failure(str(exc)) from None
    if not privacy.introduced(ref, about):
        raise Refusal(f"refused: {ref} is not a person of this ledger")
    held = privacy.subject_access(ref, about)
    if not held.forgotten and ledger.keys.get(ref) is None:
        # Never "[forgotten]" for someone who was not: the key store is not the ledger's.
        raise Failure(
            f"{ref} was never forgotten, but the key store has no key for them, so their"
            f" name cannot be read: restore the key store ({ledger.config.keys_path}) from a"
            " backup (`ledger verify` checks every key)",
        )
    # Nor for anyone else these facts name (a parent's name on a child's facts, say).
    named = {person for fact in held.facts for person in privacy.references(fact)}
    wrong = [p for p in key_store_check(ledger, about=named) if p.person in named]
    if wrong:
        raise Failure("; ".join(p.problem for p in wrong))
    return Subject(held, ledger.setting_name())


@dataclass(frozen=True)
class RetentionDue:
    """Who is due to be forgotten (``due``), under the profile's ``retention`` periods."""

    due: list[privacy.Due]
    retention: Retention


def retention(ledger: Ledger, clock: Clock) -> RetentionDue:
    """Who is due to be forgotten today under the profile's retention periods."""
    due = privacy.retention_due(ledger.registers(), ledger.profile, today(clock))
    return RetentionDue(due, ledger.profile.retention)
