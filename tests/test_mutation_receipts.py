"""Tests that kill the surviving mutants of ``ledger/receipts.py`` (issue 12, item 11).

The test ledger of ``tests.test_mutation_trail``, with a fifth write after the forget: C-0001
is given consent again on the closed group (after its withdrawal) and on the public page
(until a day), by other methods. Its receipt must say exactly that (each channel's grants,
each ended by the first withdrawal after it), and must check against the setting's key. The
prover holds the setting's key, so it can re-sign a receipt after changing it: each change
must then be refused by what it breaks (the ledger part's shape, a proof, the checkpoint, the
facts), not only by the signature.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from typing import Any

import msgspec
import pytest

from ledger import events as ev
from ledger import receipts, trail
from ledger.checkpoint import Signer, Verifier
from ledger.merkle import inclusion_proof
from tests.test_mutation_trail import Genuine, genuine_ledger

D = dt.date
LATER: list[ev.Event] = [
    ev.ConsentGranted(
        on=D(2025, 11, 3),
        child="C-0001",
        guardian="G-0001",
        channel="public-page",
        evidence="F-19",
        method="email",
        expires=D(2026, 7, 31),
    ),
    ev.ConsentGranted(
        on=D(2025, 11, 1),
        child="C-0001",
        guardian="G-0001",
        channel="closed-group",
        evidence="F-20",
        method="app",
    ),
]


@pytest.fixture(scope="module")
def g() -> Iterator[Genuine]:
    with genuine_ledger(LATER) as made:
        yield made


def receipt(g: Genuine) -> dict[str, Any]:
    parsed: dict[str, Any] = json.loads(g.receipt)
    return parsed


def signed(g: Genuine, obj: dict[str, Any], signer: Signer | None = None) -> bytes:
    """``obj`` signed (by the setting, unless ``signer``) and written as the ledger writes a
    receipt: what a setting that wanted to change one could make."""
    body = {k: v for k, v in obj.items() if k != "signature"}
    text = msgspec.json.encode(body).decode() + "\n"
    obj = dict(obj, signature=(signer or g.signer).sign_text(text))
    return msgspec.json.encode(obj) + b"\n"


def refusal(data: bytes, *keys: Verifier) -> str:
    with pytest.raises(receipts.ReceiptError) as caught:
        receipts.check(data, list(keys))
    return str(caught.value)


def trail_lines(g: Genuine) -> list[dict[str, Any]]:
    return [json.loads(line) for line in g.trail.splitlines()]


def leaves(g: Genuine) -> list[bytes]:
    return [bytes.fromhex(o["leaf"]) for o in trail_lines(g) if o["type"] != "Checkpoint"]


def last_note(g: Genuine) -> str:
    note: str = [o for o in trail_lines(g) if o["type"] == "Checkpoint"][-1]["note"]
    return note


def fact_lines(g: Genuine, *positions: int) -> list[dict[str, Any]]:
    by_position = {o["position"]: o for o in trail_lines(g) if o["type"] != "Checkpoint"}
    return [by_position[p] for p in positions]


def made(g: Genuine, *positions: int, child: str = "C-0001") -> dict[str, Any]:
    """A receipt made by ``receipts.make`` for the facts at ``positions``."""
    return receipts.make(
        child=child,
        setting_line=fact_lines(g, 1)[0],
        lines=fact_lines(g, *positions),
        leaves=leaves(g),
        note=last_note(g),
        signer=g.signer,
        now=dt.datetime(2027, 6, 30, tzinfo=dt.UTC),
    )


# The positions of C-0001's consent facts: granted, withdrawn, and the two later grants.
GRANT, WITHDRAWN, PUBLIC, AGAIN = 4, 9, 11, 12


# --- the genuine receipt ------------------------------------------------------------------------


def test_the_genuine_receipt_proves_each_consent_fact(g: Genuine) -> None:
    assert receipts.check(g.receipt, [g.signer.verifier()]) == [
        f"consent granted for C-0001 on closed-group on 2025-09-02 (position {GRANT})",
        f"consent withdrawn for C-0001 on closed-group on 2025-10-02 (position {WITHDRAWN})",
        f"consent granted for C-0001 on public-page on 2025-11-03 (position {PUBLIC})",
        f"consent granted for C-0001 on closed-group on 2025-11-01 (position {AGAIN})",
    ]
    assert receipts.check(g.receipt, [g.other.verifier(), g.signer.verifier()])


def test_the_receipt_says_each_channels_grants_and_how_each_ended(g: Genuine) -> None:
    r = receipt(g)
    assert r["piiPrincipalId"] == "C-0001"
    assert r["piiControllers"] == [{"piiController": "Test Setting"}]
    assert r["publicKey"] == g.signer.verifier_key()
    assert r["policyUrl"] is None
    assert r["collectionMethod"] == "app, email, paper"
    # The day of the latest grant (1 November is recorded after 3 November: not the last).
    assert r["consentTimestamp"] == int(dt.datetime(2025, 11, 3, tzinfo=dt.UTC).timestamp())
    services = {s["service"]: s["purposes"] for s in r["services"]}
    assert list(services) == ["closed-group", "public-page"]
    closed = services["closed-group"]
    assert [(p["consentGiven"], p["termination"]) for p in closed] == [
        ("2025-09-02", "withdrawn on 2025-10-02"),
        ("2025-11-01", "until withdrawn"),
    ]
    assert closed[0]["withdrawn"] == "2025-10-02"
    assert "withdrawn" not in closed[1]
    (public,) = services["public-page"]
    assert (public["consentGiven"], public["termination"]) == ("2025-11-03", "2026-07-31")
    assert public["purpose"] == "Images of the child on the setting's public-page"
    assert public["primaryPurpose"] is True and public["thirdPartyDisclosure"] is False
    assert list(r) == list(receipts.RECEIPT_FIELDS)


def test_the_receipt_shows_the_facts_withheld_with_a_proof_each(g: Genuine) -> None:
    r = receipt(g)
    facts = r["ledger"]["facts"]
    assert [f["position"] for f in facts] == [1, GRANT, WITHDRAWN, PUBLIC, AGAIN]
    assert [p["position"] for p in r["ledger"]["proofs"]] == [1, GRANT, WITHDRAWN, PUBLIC, AGAIN]
    assert r["ledger"]["checkpoint"] == last_note(g)
    grant = facts[1]
    original = fact_lines(g, GRANT)[0]
    assert list(grant) == list(original)
    assert grant["evidence"] == trail.WITHHELD
    assert grant["sealed"] == {
        "evidence": {k: v for k, v in original["sealed"]["evidence"].items() if k != "key"}
    }
    assert facts[2] == fact_lines(g, WITHDRAWN)[0]  # nothing sealed: as exported
    size = trail.head_checkpoint(last_note(g)).size
    for entry in r["ledger"]["proofs"]:
        expected = inclusion_proof(leaves(g), entry["position"] - 1, size)
        assert entry["proof"] == [h.hex() for h in expected]


def test_withhold() -> None:
    plain = {"type": "X", "a": 1}
    assert receipts.withhold(plain) == plain
    assert receipts.withhold(plain) is not plain
    line = {
        "type": "X",
        "a": "secret",
        "b": 2,
        "sealed": {"a": {"subject": "C-1", "blob": "AA==", "key": "BB=="}},
    }
    shown = receipts.withhold(line)
    assert shown == {
        "type": "X",
        "a": "[withheld]",
        "b": 2,
        "sealed": {"a": {"subject": "C-1", "blob": "AA=="}},
    }
    assert list(shown) == list(line)
    assert line["a"] == "secret"  # the export's line is left as it was


def test_make_orders_the_facts_by_position(g: Genuine) -> None:
    """Facts given out of order are told in the order of the ledger: a withdrawal ends the
    grant before it on its channel, never one after it."""
    forward = made(g, GRANT, WITHDRAWN, AGAIN)
    backward = made(g, AGAIN, WITHDRAWN, GRANT)
    assert forward["services"] == backward["services"]
    (service,) = forward["services"]
    assert [p["termination"] for p in service["purposes"]] == [
        "withdrawn on 2025-10-02",
        "until withdrawn",
    ]
    assert receipts.check(msgspec.json.encode(forward), [g.signer.verifier()])


def test_make_with_a_withdrawal_only(g: Genuine) -> None:
    """No grant: the receipt is dated by the first fact, names no method, lists no service."""
    r = made(g, WITHDRAWN)
    assert r["consentTimestamp"] == int(dt.datetime(2025, 10, 2, tzinfo=dt.UTC).timestamp())
    assert r["collectionMethod"] == "not recorded"
    assert r["services"] == []
    assert receipts.check(msgspec.json.encode(r), [g.signer.verifier()]) == [
        f"consent withdrawn for C-0001 on closed-group on 2025-10-02 (position {WITHDRAWN})"
    ]


def test_a_withdrawal_ends_only_its_own_channel(g: Genuine) -> None:
    r = made(g, PUBLIC, WITHDRAWN)
    services = {s["service"]: s["purposes"] for s in r["services"]}
    assert list(services) == ["public-page"]
    assert services["public-page"][0]["termination"] == "2026-07-31"


# --- strict reading -----------------------------------------------------------------------------


NOT_ONE = (
    "this is not a consent receipt of the ledger (not one JSON object, or something follows it)"
)


def test_a_receipt_must_be_one_json_object(g: Genuine) -> None:
    key = g.signer.verifier()
    assert refusal(b"nope", key) == NOT_ONE
    assert refusal(g.receipt + b"{}", key) == NOT_ONE
    assert refusal(b"[" * 100_000, key) == NOT_ONE
    assert refusal(b"[1]", key) == (
        "this is not a consent receipt of the ledger (not a JSON object)"
    )


def test_a_receipt_with_a_field_too_many_or_too_few(g: Genuine) -> None:
    key = g.signer.verifier()
    extra = dict(receipt(g), note="hello", more=1)
    assert refusal(signed(g, extra), key) == (
        "the receipt has a field the ledger never writes: `note`"
    )
    fewer = {k: v for k, v in receipt(g).items() if k not in ("policyUrl", "sensitive")}
    assert refusal(signed(g, fewer), key) == "the receipt lacks the field `policyUrl`"


def test_a_receipt_with_a_number_spelled_another_way(g: Genuine) -> None:
    key = g.signer.verifier()
    r = receipt(g)
    r["consentTimestamp"] = float(r["consentTimestamp"])
    assert refusal(signed(g, r), key) == (
        "the receipt's `consentTimestamp` is a number with a decimal point or an exponent; the"
        " ledger writes whole numbers only"
    )


def test_a_receipt_spelled_another_way(g: Genuine) -> None:
    key = g.signer.verifier()
    spaced = g.receipt.replace(b'"jurisdiction":', b'"jurisdiction": ', 1)
    message = refusal(spaced, key)
    assert message.startswith("the receipt: it is not as the ledger wrote it, from character")
    assert message.endswith("; what a person reads in it might not be what is checked")
    assert refusal(g.receipt + b"\n", key).startswith("the receipt: it is not as the ledger")
    receipts.check(g.receipt.removesuffix(b"\n"), [key])
    twice = g.receipt.replace(b'{"version"', b'{"language":"cy","version"', 1)
    assert refusal(twice, key).startswith("the receipt: the field `language` is given twice")


def test_claimed_key(g: Genuine) -> None:
    assert receipts.claimed_key(g.receipt) == g.signer.verifier_key()
    assert receipts.claimed_key(b"nope") is None
    assert receipts.claimed_key(b"[1]") is None
    assert receipts.claimed_key(b'{"publicKey": 5}') is None
    assert receipts.claimed_key(b'{"publicKey": "k"}') == "k"
    assert receipts.claimed_key(b"[" * 100_000) is None


# --- the ledger part ----------------------------------------------------------------------------


def _with_ledger(g: Genuine, **changes: Any) -> dict[str, Any]:
    r = receipt(g)
    r["ledger"] = dict(r["ledger"], **changes)
    return r


# What is wrong with the ledger part is said in words (a ``ReceiptError`` raised while it is
# read is no longer swallowed by the catch-all for a part that is not even the right types).
NOT_A_RECEIPT = "this is not a consent receipt of the ledger"
PART = "the receipt's `ledger` part is not as the ledger writes it"
PROOF = "a proof in the receipt is not as the ledger writes it"


def test_the_ledger_part_must_be_as_the_ledger_writes_it(g: Genuine) -> None:
    key = g.signer.verifier()
    r = receipt(g)
    part = r["ledger"]
    r["ledger"] = {"proofs": part["proofs"], "facts": part["facts"], "checkpoint": ""}
    r["ledger"]["checkpoint"] = part["checkpoint"]
    assert refusal(signed(g, r), key) == PART
    r["ledger"] = [part]
    assert refusal(signed(g, r), key) == PART


def test_each_proof_must_be_as_the_ledger_writes_it(g: Genuine) -> None:
    key = g.signer.verifier()
    proofs = receipt(g)["ledger"]["proofs"]
    swapped = [{"proof": p["proof"], "position": p["position"]} for p in proofs]
    assert refusal(signed(g, _with_ledger(g, proofs=swapped)), key) == PROOF
    assert refusal(signed(g, _with_ledger(g, proofs=[*proofs, 5])), key) == PROOF
    text = [dict(p, position=str(p["position"])) for p in proofs]
    assert refusal(signed(g, _with_ledger(g, proofs=text)), key) == (
        "the receipt has a bad or repeated proof position 1"
    )
    repeated = [*proofs, proofs[1]]
    assert refusal(signed(g, _with_ledger(g, proofs=repeated)), key) == (
        f"the receipt has a bad or repeated proof position {proofs[1]['position']}"
    )
    for bad in ("zz", 5, None):  # not hex text: not even the right types
        broken = [dict(proofs[0], proof=[bad]), *proofs[1:]]
        assert refusal(signed(g, _with_ledger(g, proofs=broken)), key) == NOT_A_RECEIPT
    assert refusal(signed(g, _with_ledger(g, proofs=5)), key) == NOT_A_RECEIPT


# --- the key ------------------------------------------------------------------------------------


def test_no_key_no_verdict(g: Genuine) -> None:
    assert refusal(g.receipt) == "no public key was supplied to check against"


def test_a_receipt_of_another_key(g: Genuine) -> None:
    assert refusal(g.receipt, g.other.verifier()) == (
        f"the receipt says it is signed by {g.signer.verifier_key()}, not by the key supplied"
    )
    third = Signer.generate("policy-ledger")
    assert refusal(g.receipt, g.other.verifier(), third.verifier()) == (
        f"the file says it is signed by {g.signer.verifier_key()}, which is not one of the 2"
        " trusted keys"
    )
    nameless = dict(receipt(g), publicKey=5)
    assert refusal(signed(g, nameless), g.signer.verifier(), third.verifier()) == (
        "the file names no key to choose among the 2 trusted keys"
    )
    assert refusal(signed(g, nameless), g.signer.verifier()) == (
        "the receipt says it is signed by 5, not by the key supplied"
    )


def test_a_checkpoint_not_signed_by_the_key(g: Genuine) -> None:
    key = g.signer.verifier()
    head = trail.head_checkpoint(last_note(g))
    forged = _with_ledger(g, checkpoint=g.other.sign(head))
    assert refusal(signed(g, forged), key) == "the checkpoint is not signed by the key supplied"
    assert refusal(signed(g, _with_ledger(g, checkpoint=5)), key) == (
        "the checkpoint is not signed by the key supplied"
    )


def test_a_receipt_changed_since_it_was_signed(g: Genuine) -> None:
    key = g.signer.verifier()
    r = dict(receipt(g), jurisdiction="FR")
    assert refusal(msgspec.json.encode(r), key) == (
        "the receipt has been changed since the ledger signed it"
    )
    assert refusal(signed(g, r, g.other), key) == (
        "the receipt has been changed since the ledger signed it"
    )
    assert refusal(msgspec.json.encode(dict(r, signature=5)), key) == (
        "the receipt has been changed since the ledger signed it"
    )


# --- the facts ----------------------------------------------------------------------------------


def test_the_first_fact_must_name_the_setting(g: Genuine) -> None:
    key = g.signer.verifier()
    setting = "the receipt does not name the setting"
    r = receipt(g)
    facts, proofs = r["ledger"]["facts"], r["ledger"]["proofs"]
    assert refusal(signed(g, _with_ledger(g, facts=[], proofs=[])), key) == setting
    assert refusal(signed(g, _with_ledger(g, facts={"a": 1})), key) == setting
    assert refusal(signed(g, _with_ledger(g, facts=[5, *facts[1:]])), key) == setting
    without = _with_ledger(g, facts=facts[1:], proofs=proofs[1:])
    assert refusal(signed(g, without), key) == setting


def test_one_proof_for_each_fact_in_order(g: Genuine) -> None:
    key = g.signer.verifier()
    r = receipt(g)
    facts, proofs = r["ledger"]["facts"], r["ledger"]["proofs"]
    reordered = [proofs[0], proofs[2], proofs[1], *proofs[3:]]
    assert refusal(signed(g, _with_ledger(g, proofs=reordered)), key) == (
        "the receipt's proofs are not one for each fact, in their order"
    )
    assert refusal(signed(g, _with_ledger(g, proofs=proofs[:-1])), key) == (
        "the receipt's proofs are not one for each fact, in their order"
    )
    assert refusal(signed(g, _with_ledger(g, facts=[*facts[:-1], 5])), key) == (
        "the receipt's proofs are not one for each fact, in their order"
    )


def test_a_fact_that_is_not_one_the_ledger_writes(g: Genuine) -> None:
    key = g.signer.verifier()
    facts = receipt(g)["ledger"]["facts"]
    bad = [*facts[:2], dict(facts[2], channel="Closed Group"), *facts[3:]]
    message = refusal(signed(g, _with_ledger(g, facts=bad)), key)
    assert message.startswith("fact 3: field `channel`: ")
    assert "line" not in message


def test_a_fact_not_in_the_signed_ledger(g: Genuine) -> None:
    key = g.signer.verifier()
    r = receipt(g)
    facts, proofs = r["ledger"]["facts"], r["ledger"]["proofs"]
    changed = dict(facts[3], on="2025-11-04")
    _, leaf = trail.rebuild_fact(changed, 4, None, withheld=True)
    other = [*facts[:3], dict(changed, leaf=leaf.hex()), *facts[4:]]
    assert refusal(signed(g, _with_ledger(g, facts=other)), key) == (
        "fact 4 is not in the signed ledger"
    )
    wrong = [*proofs[:1], dict(proofs[1], proof=proofs[2]["proof"]), *proofs[2:]]
    assert refusal(signed(g, _with_ledger(g, proofs=wrong)), key) == (
        "fact 2 is not in the signed ledger"
    )
    setting = [dict(proofs[0], proof=proofs[1]["proof"]), *proofs[1:]]
    assert refusal(signed(g, _with_ledger(g, proofs=setting)), key) == (
        "fact 1 is not in the signed ledger"
    )


def test_only_consent_facts_about_the_child(g: Genuine) -> None:
    key = g.signer.verifier()
    enrolled = made(g, 2, GRANT)  # C-0001's enrolment, shown withheld, with its proof
    assert refusal(msgspec.json.encode(enrolled), key) == "fact 2 is not a consent fact"
    policy = made(g, GRANT, 5)
    assert refusal(msgspec.json.encode(policy), key) == "fact 3 is not a consent fact"
    someone_else = made(g, GRANT, 8)  # C-0002's consent
    assert refusal(msgspec.json.encode(someone_else), key) == "fact 3 is about another child"
    setting_only = _with_ledger(
        g, facts=receipt(g)["ledger"]["facts"][:1], proofs=receipt(g)["ledger"]["proofs"][:1]
    )
    assert refusal(signed(g, setting_only), key) == "the receipt holds no consent facts"


def test_a_proof_position_spelled_true_is_refused_by_name(g: Genuine) -> None:
    """`true` equals 1 in Python: a proof at position `true`, signed by the setting, was taken
    for the proof of fact 1. Now it is refused, and the message says what is wrong (it was
    swallowed into "this is not a consent receipt of the ledger")."""
    forged = receipt(g)
    assert forged["ledger"]["proofs"][0]["position"] == 1
    forged["ledger"]["proofs"][0]["position"] = True
    message = refusal(signed(g, forged), g.signer.verifier())
    assert message == "the receipt has a bad or repeated proof position True"


def test_the_ledger_parts_messages_reach_the_reader(g: Genuine) -> None:
    forged = receipt(g)
    forged["ledger"] = {"facts": forged["ledger"]["facts"], "checkpoint": "x", "proofs": []}
    message = refusal(signed(g, forged), g.signer.verifier())
    assert message == "the receipt's `ledger` part is not as the ledger writes it"
    forged = receipt(g)
    forged["ledger"]["proofs"][0] = {"proof": [], "position": 1}
    message = refusal(signed(g, forged), g.signer.verifier())
    assert message == "a proof in the receipt is not as the ledger writes it"
    forged = receipt(g)
    forged["ledger"]["proofs"].append(dict(forged["ledger"]["proofs"][0]))
    message = refusal(signed(g, forged), g.signer.verifier())
    assert message.startswith("the receipt has a bad or repeated proof position ")
