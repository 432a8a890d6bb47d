"""Consent receipts: what a parent keeps to prove their consent (or its withdrawal) is on record.

A receipt is shaped after the Kantara Initiative's Consent Receipt where its fields fit (who the
controller is, whose data, which services and purposes, when), and carries the ledger's own
evidence: the grant and withdrawal facts for the child exactly as the audit trail exports them,
an RFC 9162 inclusion proof for each against a signed checkpoint, and the public key. Checking a
receipt needs only the receipt (and, to be sure of the key, the setting's published key).
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import msgspec

from ledger import events as ev
from ledger.checkpoint import Signer, Verifier
from ledger.merkle import inclusion_proof, verify_inclusion
from ledger.trail import TrailError, head_checkpoint, rebuild_fact


def _body(receipt: dict[str, Any]) -> str:
    """The signed text of a receipt: everything but the signature, as compact JSON."""
    rest = {k: v for k, v in receipt.items() if k != "signature"}
    return msgspec.json.encode(rest).decode() + "\n"


def make(
    *,
    child: str,
    setting_line: dict[str, Any],
    lines: list[dict[str, Any]],
    leaves: list[bytes],
    note: str,
    signer: Signer,
    now: dt.datetime,
) -> dict[str, Any]:
    """A receipt for the consent facts in ``lines`` (exported lines), proven against ``note``.

    The setting's own first fact comes too (it names the controller), and the whole receipt is
    signed with the ledger's key, so that no word of it can be changed unnoticed.
    """
    vkey = signer.verifier_key()
    setting = str(setting_line["name"])
    lines = [setting_line, *lines]
    size = head_checkpoint(note).size
    proofs = [
        {
            "position": line["position"],
            "proof": [h.hex() for h in inclusion_proof(leaves, line["position"] - 1, size)],
        }
        for line in lines
    ]
    services: dict[str, list[dict[str, Any]]] = {}
    for line in lines[1:]:
        if line["type"] == "ConsentGranted":
            services.setdefault(line["channel"], []).append(
                {
                    "purpose": f"Images of the child on the setting's {line['channel']}",
                    "purposeCategory": ["images of a child"],
                    "consentType": "EXPLICIT",
                    "piiCategory": ["photographs", "video"],
                    "primaryPurpose": True,
                    "termination": line.get("expires") or "until withdrawn",
                    "thirdPartyDisclosure": False,
                }
            )
    receipt: dict[str, Any] = {
        "version": "KI-CR-v1.1.0",
        "jurisdiction": "UK",
        "consentTimestamp": int(now.timestamp()),
        "collectionMethod": ", ".join(
            sorted({str(x.get("method")) for x in lines if "method" in x})
        )
        or "not recorded",
        "consentReceiptID": str(uuid.uuid4()),
        "publicKey": vkey,
        "language": "en-GB",
        "piiPrincipalId": child,
        "piiControllers": [{"piiController": setting}],
        "policyUrl": None,
        "services": [
            {"service": name, "purposes": purposes} for name, purposes in services.items()
        ],
        "sensitive": True,
        "spiCat": ["images of a child"],
        "ledger": {"facts": lines, "proofs": proofs, "checkpoint": note},
    }
    receipt["signature"] = signer.sign_text(_body(receipt))
    return receipt


class ReceiptError(ValueError):
    pass


def check(data: bytes, vkey: str | None = None) -> list[str]:
    """Check a receipt offline; return what it proves, or raise ``ReceiptError``."""
    try:
        receipt = msgspec.json.decode(data)
        ledger_part = receipt["ledger"]
        note = ledger_part["checkpoint"]
        facts = ledger_part["facts"]
        proofs = {
            p["position"]: [bytes.fromhex(h) for h in p["proof"]] for p in ledger_part["proofs"]
        }
        key = vkey or receipt["publicKey"]
        child = receipt["piiPrincipalId"]
    except (msgspec.DecodeError, KeyError, TypeError, ValueError, RecursionError):
        raise ReceiptError("this is not a consent receipt of the ledger") from None
    try:
        verifier = Verifier.from_vkey(key)
    except ValueError as exc:
        raise ReceiptError(f"the public key is malformed ({exc})") from None
    signed = verifier.open(note) if isinstance(note, str) else None
    if signed is None:
        raise ReceiptError("the checkpoint is not signed by that key")
    signature = receipt.get("signature")
    if not isinstance(signature, str) or verifier.open_text(signature) != _body(receipt):
        raise ReceiptError("the receipt has been changed since the ledger signed it")
    stream = uuid.UUID(signed.origin.rsplit("/", 1)[-1]) if "/" in signed.origin else None
    proven: list[str] = []
    if not facts or not isinstance(facts[0], dict) or facts[0].get("type") != "SettingRegistered":
        raise ReceiptError("the receipt does not name the setting")
    for number, obj in enumerate(facts, start=1):
        try:
            fact, leaf = rebuild_fact(obj, number, stream)
        except TrailError as exc:
            raise ReceiptError(f"fact {number}: {exc}") from None
        proof = proofs.get(fact.position)
        if proof is None or not verify_inclusion(
            leaf, fact.position - 1, signed.size, proof, signed.root
        ):
            raise ReceiptError(f"fact {number} is not in the signed ledger")
        if number == 1:
            continue  # the setting
        if not isinstance(fact.event, ev.ConsentGranted | ev.ConsentWithdrawn):
            raise ReceiptError(f"fact {number} is not a consent fact")
        if fact.event.child != child:
            raise ReceiptError(f"fact {number} is about another child")
        kind = "granted" if isinstance(fact.event, ev.ConsentGranted) else "withdrawn"
        proven.append(
            f"consent {kind} for {child} on {fact.event.channel} on {fact.event.on.isoformat()}"
            f" (position {fact.position})"
        )
    if not proven:
        raise ReceiptError("the receipt holds no consent facts")
    return proven
