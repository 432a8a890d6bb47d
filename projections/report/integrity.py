"""The head checkpoint as the integrity page shows it.

The checkpoint is read and its signature checked by the write side (``ledger.site``, with
``ledger.checkpoint``); what reaches this module is plain values, so the site's numbers and
pages need nothing of the write side but the event catalogue and the profile.
"""

from __future__ import annotations

import base64
import datetime as dt

import msgspec


class IntegrityReport(msgspec.Struct, frozen=True):
    size: int  # facts covered by the last signed checkpoint
    root: str  # the tree's root, hex
    root_b64: str  # as the note carries it
    origin: str
    note: str  # the signed checkpoint note, as signed (C2SP)
    signed_at: dt.datetime
    checkpoints: int  # signed checkpoints so far (the last one's sequence number)
    verifier_key: str
    verified: bool  # the note's signature checks against the verifier key
    witness: Witnessed | None = None  # the latest checkpoint a witness cosigned, if any


class Witnessed(msgspec.Struct, frozen=True):
    """The latest checkpoint witnesses cosigned (``ledger witness``): the note with their
    cosignatures, its size, when the last of them cosigned, and the witnesses' public keys
    (each cosignature checked by the write side against its key)."""

    note: str
    size: int
    cosigned_at: dt.datetime
    keys: tuple[str, ...]


def integrity_report(
    note: str,
    signed_at: dt.datetime,
    sequence: int,
    verifier_key: str,
    *,
    size: int,
    root: bytes,
    origin: str,
    verified: bool,
    witness: Witnessed | None = None,
) -> IntegrityReport:
    """The head checkpoint as published: its signed note, and the size, root and origin the
    note's body carries (read by the caller), and whether its signature checks against the key.
    """
    return IntegrityReport(
        size=size,
        root=root.hex(),
        root_b64=base64.b64encode(root).decode("ascii"),
        origin=origin,
        note=note,
        signed_at=signed_at,
        checkpoints=sequence,
        verifier_key=verifier_key,
        verified=verified,
        witness=witness,
    )
