"""Consent receipts: what a parent keeps to prove their consent (or its withdrawal) is on record.

A receipt is shaped after the Kantara Initiative's Consent Receipt where its fields fit (who the
controller is, whose data, which services and purposes, when), and carries the ledger's own
evidence: the grant and withdrawal facts for the child as the audit trail exports them, an RFC
9162 inclusion proof for each against a signed checkpoint, and the public key.

A receipt holds no secret: a sealed field (the consent form's reference, sealed under the
child's key) is shown as ``[withheld]``, with its ciphertext only and never a key of the key
store, so that a receipt kept after ``forget`` opens nothing, whatever copy of the ledger it
meets. The ciphertext is what the leaf covers, so the inclusion proof still checks.

Checking a receipt needs the receipt and the setting's published key (given by the reader: the
``publicKey`` written in the receipt only says which key it claims). The check is strict: the
file must be exactly the one form the ledger writes (no duplicated or unknown field, no other
spelling of a number or a string, nothing after the object), so that what a person reads in it
is what was checked.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from typing import Any

import msgspec

from ledger import events as ev
from ledger.checkpoint import Signer, Verifier
from ledger.merkle import inclusion_proof, verify_inclusion
from ledger.trail import (
    WITHHELD,
    TrailError,
    float_field,
    head_checkpoint,
    pick,
    rebuild_fact,
    spelling_problem,
)

RECEIPT_FIELDS = (
    "version",
    "jurisdiction",
    "consentTimestamp",
    "collectionMethod",
    "consentReceiptID",
    "publicKey",
    "language",
    "piiPrincipalId",
    "piiControllers",
    "policyUrl",
    "services",
    "sensitive",
    "spiCat",
    "ledger",
    "signature",
)
LEDGER_FIELDS = ("facts", "proofs", "checkpoint")
PROOF_FIELDS = ("position", "proof")


def _body(receipt: dict[str, Any]) -> str:
    """The signed text of a receipt: everything but the signature, as compact JSON."""
    rest = {k: v for k, v in receipt.items() if k != "signature"}
    return msgspec.json.encode(rest).decode() + "\n"


def withhold(line: dict[str, Any]) -> dict[str, Any]:
    """An exported fact as a receipt shows it: every sealed field withheld, and no key."""
    sealed = line.get("sealed")
    if not isinstance(sealed, dict):
        return dict(line)
    shown = {k: (WITHHELD if k in sealed else v) for k, v in line.items() if k != "sealed"}
    shown["sealed"] = {
        field: {k: v for k, v in part.items() if k != "key"} for field, part in sealed.items()
    }
    return {k: shown[k] for k in line}  # the export's order of fields


def _midnight(day: str) -> int:
    return int(dt.datetime.combine(dt.date.fromisoformat(day), dt.time(), dt.UTC).timestamp())


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
    signed with the ledger's key, so that no word of it can be changed unnoticed. ``now`` is
    not written in it: the receipt's dates are those of the facts.
    """
    del now  # kept for callers: the receipt says when consent was given, not when it was made
    vkey = signer.verifier_key()
    setting = str(setting_line["name"])
    lines = [withhold(setting_line), *(withhold(line) for line in lines)]
    size = head_checkpoint(note).size
    proofs = [
        {
            "position": line["position"],
            "proof": [h.hex() for h in inclusion_proof(leaves, line["position"] - 1, size)],
        }
        for line in lines
    ]
    # Each channel's grants, each ended by the first withdrawal of that channel after it.
    services: dict[str, list[dict[str, Any]]] = {}
    facts = sorted(lines[1:], key=lambda line: int(line["position"]))
    for index, line in enumerate(facts):
        if line["type"] != "ConsentGranted":
            continue
        withdrawn = next(
            (
                later
                for later in facts[index + 1 :]
                if later["type"] == "ConsentWithdrawn" and later["channel"] == line["channel"]
            ),
            None,
        )
        purpose: dict[str, Any] = {
            "purpose": f"Images of the child on the setting's {line['channel']}",
            "purposeCategory": ["images of a child"],
            "consentType": "EXPLICIT",
            "piiCategory": ["photographs", "video"],
            "primaryPurpose": True,
            "consentGiven": line["on"],
            "termination": (
                f"withdrawn on {withdrawn['on']}"
                if withdrawn is not None
                else line.get("expires") or "until withdrawn"
            ),
            "thirdPartyDisclosure": False,
        }
        if withdrawn is not None:
            purpose["withdrawn"] = withdrawn["on"]
        services.setdefault(line["channel"], []).append(purpose)
    grants = [line["on"] for line in facts if line["type"] == "ConsentGranted"]
    given = max(grants) if grants else facts[0]["on"]
    receipt: dict[str, Any] = {
        "version": "KI-CR-v1.1.0",
        "jurisdiction": "UK",
        "consentTimestamp": _midnight(given),
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


def _strict(data: bytes) -> dict[str, Any]:
    """The receipt's object, if ``data`` is exactly the form the ledger writes; else why not."""
    try:
        receipt = msgspec.json.decode(data)
    except (msgspec.DecodeError, RecursionError):
        raise ReceiptError(
            "this is not a consent receipt of the ledger (not one JSON object, or something"
            " follows it)"
        ) from None
    except UnicodeDecodeError:
        raise ReceiptError("this is not a consent receipt of the ledger (not UTF-8)") from None
    if not isinstance(receipt, dict):
        raise ReceiptError("this is not a consent receipt of the ledger (not a JSON object)")
    unknown = [k for k in receipt if k not in RECEIPT_FIELDS]
    if unknown:
        raise ReceiptError(f"the receipt has a field the ledger never writes: `{unknown[0]}`")
    missing = [k for k in RECEIPT_FIELDS if k not in receipt]
    if missing:
        raise ReceiptError(f"the receipt lacks the field `{missing[0]}`")
    number = float_field(receipt)
    if number is not None:
        raise ReceiptError(
            f"the receipt's `{number}` is a number with a decimal point or an exponent; the"
            " ledger writes whole numbers only"
        )
    written = msgspec.json.encode(receipt)
    given = data.removesuffix(b"\n")
    if written != given:
        raise ReceiptError(
            f"the receipt: {spelling_problem(given, written)}; what a person reads in it might"
            " not be what is checked"
        )
    return receipt


def claimed_key(data: bytes) -> str | None:
    """The key a receipt says it is signed by (a hint for choosing a trusted key, no more)."""
    try:
        key = msgspec.json.decode(data).get("publicKey")
    except (msgspec.DecodeError, RecursionError, UnicodeDecodeError, AttributeError):
        return None
    return key if isinstance(key, str) else None


def check(data: bytes, trusted: Sequence[Verifier]) -> list[str]:
    """Check a receipt offline against a trusted key; return what it proves, or raise
    ``ReceiptError``."""
    receipt = _strict(data)
    try:
        ledger_part = receipt["ledger"]
        if not isinstance(ledger_part, dict) or list(ledger_part) != list(LEDGER_FIELDS):
            raise ReceiptError("the receipt's `ledger` part is not as the ledger writes it")
        note = ledger_part["checkpoint"]
        facts = ledger_part["facts"]
        proofs: dict[int, list[bytes]] = {}
        for entry in ledger_part["proofs"]:
            if not isinstance(entry, dict) or list(entry) != list(PROOF_FIELDS):
                raise ReceiptError("a proof in the receipt is not as the ledger writes it")
            position = entry["position"]
            if type(position) is not int or position < 1 or position in proofs:  # not `true`
                raise ReceiptError(f"the receipt has a bad or repeated proof position {position}")
            proofs[position] = [bytes.fromhex(h) for h in entry["proof"]]
        child = receipt["piiPrincipalId"]
    except ReceiptError:
        raise  # what is wrong, in words: not swallowed by the catch-all below
    except (KeyError, TypeError, ValueError):
        raise ReceiptError("this is not a consent receipt of the ledger") from None
    hint = receipt.get("publicKey")
    chosen = pick(trusted, hint if isinstance(hint, str) else None)
    if isinstance(chosen, str):
        raise ReceiptError(chosen)
    verifier = chosen
    if hint != verifier.verifier_key():
        raise ReceiptError(f"the receipt says it is signed by {hint}, not by the key supplied")
    signed = verifier.open(note) if isinstance(note, str) else None
    if signed is None:
        raise ReceiptError("the checkpoint is not signed by the key supplied")
    signature = receipt.get("signature")
    if not isinstance(signature, str) or verifier.open_text(signature) != _body(receipt):
        raise ReceiptError("the receipt has been changed since the ledger signed it")
    stream = uuid.UUID(signed.origin.rsplit("/", 1)[-1]) if "/" in signed.origin else None
    proven: list[str] = []
    if not isinstance(facts, list) or not facts or not isinstance(facts[0], dict):
        raise ReceiptError("the receipt does not name the setting")
    if facts[0].get("type") != "SettingRegistered":
        raise ReceiptError("the receipt does not name the setting")
    positions = [f.get("position") if isinstance(f, dict) else None for f in facts]
    if list(proofs) != positions:
        raise ReceiptError("the receipt's proofs are not one for each fact, in their order")
    for number, obj in enumerate(facts, start=1):
        if not isinstance(obj, dict):
            raise ReceiptError(f"fact {number} is not a JSON object")
        try:
            fact, leaf = rebuild_fact(obj, number, stream, msgspec.json.encode(obj), withheld=True)
        except TrailError as exc:
            raise ReceiptError(
                f"fact {number}: {str(exc).removeprefix(f'line {number}: ')}"
            ) from None
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
