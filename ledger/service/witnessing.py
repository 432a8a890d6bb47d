"""The witness (``ledger.service``): a party outside each setting (a federation's governors, a
local authority) vouches that each member's ledger shows everyone one history that only grows.

For each member the witness reads the latest signed checkpoint, checks the member's signature
with the member's published key, and checks a consistency proof (RFC 9162, verified with
``ledger.merkle``) from the last checkpoint it cosigned for that ledger (its own append-only
store, ``ledger.storage.witnessed``) to this one. Only then does it cosign (C2SP
``cosignature/v1``, ``ledger.cosignature``), append the cosignature to its store, and deliver
it to the member's ledger (``Storage.add_cosignature``), where exports, receipts and proofs
pick it up. A checkpoint of the same size and another root (a split view), of fewer facts, or
whose proof fails (a rollback or a fork) is refused with both checkpoints as evidence, and
nothing is cosigned for that member. The witness never holds a member's private key.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from eventsourcing.persistence import PersistenceError

from ledger import integrity, merkle
from ledger.checkpoint import Checkpoint, parse_vkey
from ledger.cosignature import Cosigner, parse_witness_key
from ledger.service.audit import checkpoint_leaves
from ledger.service.errors import Refusal
from ledger.storage.config import Config, LedgerError
from ledger.storage.witnessed import Cosignature, WitnessStore, WitnessStoreError
from ledger.store import Clock, Ledger, open_ledger


def _facts(count: int) -> str:
    return f"{count:,} fact{'' if count == 1 else 's'}"


def init_witness(name: str, key: Path) -> str:
    """Make the witness's own Ed25519 key at ``key`` (never over a file); its verifier key,
    to publish."""
    try:
        cosigner = Cosigner.generate(name)
    except ValueError as exc:
        raise Refusal(f"--name: {exc} (a name such as witness.example.gov.uk)") from None
    try:
        cosigner.save(key)
    except FileExistsError:
        raise Refusal(
            f"--key {key}: the file exists (a witness's key is never overwritten)"
        ) from None
    except OSError as exc:
        raise Refusal(f"--key {key}: cannot write the key ({exc.strerror})") from None
    public = key.with_suffix(".pub")
    if not public.exists():
        public.write_text(cosigner.verifier_key() + "\n", encoding="utf-8")
    return cosigner.verifier_key()


def load_cosigner(key: Path) -> Cosigner:
    """The witness's key, made by ``init_witness``."""
    try:
        return Cosigner.load(key)
    except FileNotFoundError:
        raise Refusal(
            f"--key {key}: no witness key there (make one with `ledger witness init`)"
        ) from None
    except (OSError, ValueError) as exc:
        raise Refusal(f"--key {key}: not a witness key ({exc})") from None


def open_store(path: Path) -> WitnessStore:
    try:
        return WitnessStore(path)
    except WitnessStoreError as exc:
        raise Refusal(f"--store {exc}") from None


@dataclass(frozen=True)
class Target:
    """A ledger to witness: its display name, where it is, and the member's published key
    (None: the ``PATH.pub`` beside it, and the outcome says so)."""

    name: str
    config: Config
    public_key: str | None


@dataclass(frozen=True)
class Outcome:
    """What the witness did for one member. ``status``: ``cosigned``, ``unchanged`` (the
    checkpoint it cosigned last is still the latest), ``refused`` (split view, rollback or
    fork: ``evidence`` holds the cosigned note and the offending one) or ``failed`` (the
    ledger could not be read or its signature checked: nothing cosigned)."""

    member: str
    status: str
    message: str
    key_said: str = ""
    evidence: tuple[str, str] | None = None

    @property
    def ok(self) -> bool:
        return self.status in ("cosigned", "unchanged")


def _member_key(target: Target) -> tuple[integrity.Verifier, str]:
    if target.public_key:
        try:
            return integrity.Verifier.from_vkey(target.public_key), "its published key"
        except ValueError as exc:
            raise Refusal(f"its public key is not usable ({exc})") from None
    beside = target.config.key_path.with_suffix(".pub")
    try:
        text = beside.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError, ValueError):
        raise Refusal(
            f"no published key: give the member's `public_key` in the federation file, or keep"
            f" its public key at {beside}"
        ) from None
    try:
        return integrity.Verifier.from_vkey(text), f"the key in {beside} (beside its ledger)"
    except ValueError as exc:
        raise Refusal(f"{beside}: not a public key ({exc})") from None


def witness(
    cosigner: Cosigner, store: WitnessStore, targets: list[Target], clock: Clock
) -> Iterator[Outcome]:
    """Witness each target in turn (``witness_one``); a member refused or failed never stops
    the others."""
    for target in targets:
        yield witness_one(cosigner, store, target, clock)


def location(config: Config) -> str:
    """Where a member's ledger is, as the witness binds it: a SQLite file's absolute path,
    or a PostgreSQL URL (without its password)."""
    return config.shown if config.is_postgres else str(Path(config.db).resolve())


def _own_key_problem(cosigner: Cosigner, store: WitnessStore, target: Target, key: str) -> str:
    """Why the witness must not act for this member at all: it was given the member's own
    key, or its store is the member's ledger (a witness is a party outside the setting)."""
    if parse_vkey(key)[2] == parse_witness_key(cosigner.verifier_key())[1]:
        return (
            "the witness's key is this member's own signing key: a witness holds its own key,"
            " never a setting's (make one with `ledger witness init`): nothing cosigned"
        )
    if location(target.config) == str(store.path.resolve()):
        return (
            "the witness's store is this member's own ledger: keep the witness's store apart,"
            " on the witness's machine: nothing cosigned"
        )
    return ""


def witness_one(cosigner: Cosigner, store: WitnessStore, target: Target, clock: Clock) -> Outcome:
    try:
        verifier, said = _member_key(target)
    except Refusal as exc:
        return Outcome(target.name, "failed", str(exc))
    problem = _own_key_problem(cosigner, store, target, verifier.verifier_key())
    if problem:
        return Outcome(target.name, "failed", problem, said)
    try:
        ledger = open_ledger(target.config)
    except LedgerError as exc:
        return Outcome(target.name, "failed", str(exc), said)
    except PersistenceError as exc:  # a server that cannot be reached: the others go on
        return Outcome(target.name, "failed", _unusable(exc), said)
    try:
        return _witness(cosigner, store, target, ledger, verifier, said, clock)
    except LedgerError as exc:
        return Outcome(target.name, "failed", str(exc), said)
    except PersistenceError as exc:
        return Outcome(target.name, "failed", _unusable(exc), said)
    finally:
        ledger.close()


def _unusable(exc: PersistenceError) -> str:
    return f"the ledger's database could not be used ({type(exc).__name__}): nothing cosigned"


def _witness(
    cosigner: Cosigner,
    store: WitnessStore,
    target: Target,
    ledger: Ledger,
    verifier: integrity.Verifier,
    said: str,
    clock: Clock,
) -> Outcome:
    latest = ledger.latest_checkpoint()
    if latest is None:
        return Outcome(target.name, "failed", "the ledger has no signed checkpoint yet", said)
    note = latest.record.note
    new = verifier.open(note)
    if new is None or new.size != latest.record.size:
        return Outcome(
            target.name,
            "failed",
            f"its latest checkpoint is not signed by the member's published key ({said}):"
            " nothing cosigned",
            said,
        )
    member, vkey = location(target.config), verifier.verifier_key()
    bound = _bound_elsewhere(store, new, member, vkey)
    if bound is not None:
        why, earlier = bound
        return Outcome(target.name, "refused", why, said, (earlier.cosigned, note))
    last = store.latest(new.origin)
    if last is not None:
        problem = _does_not_extend(ledger, last, new)
        if problem == "":
            again = (
                " (its cosignature delivered again: the ledger did not hold it)"
                if _deliver_again(ledger, cosigner, last)
                else ""
            )
            return Outcome(
                target.name,
                "unchanged",
                f"checkpoint of {_facts(new.size)} already cosigned{again}",
                said,
            )
        if problem is not None:
            return Outcome(target.name, "refused", problem, said, (last.cosigned, note))
    timestamp = int(clock().timestamp())
    cosigned = cosigner.cosign(note, timestamp)
    store.append(
        Cosignature(new.origin, new.size, new.root.hex(), note, cosigned, timestamp, member, vkey)
    )
    ledger.storage.add_cosignature(new.size, new.root.hex(), cosigner.verifier_key(), cosigned)
    since = f" (extends the {last.size:,} cosigned before)" if last is not None else " (the first)"
    return Outcome(
        target.name, "cosigned", f"cosigned the checkpoint of {_facts(new.size)}{since}", said
    )


def _bound_elsewhere(
    store: WitnessStore, new: Checkpoint, member: str, vkey: str
) -> tuple[str, Cosignature] | None:
    """Why ``new`` (signed by ``vkey``, from the ledger at ``member``) is not the history the
    witness cosigned for that ledger, that key or that place, with the checkpoint cosigned
    then; None if nothing binds them otherwise. The witness knows a ledger by three things
    bound together the first time it cosigns: its origin (a setting chooses it, so it alone
    proves nothing), the member's key that signs it, and where it is. A new origin under a
    key or a place the witness knows is a setting starting a new history in place of the one
    it vouched for (a rollback to nothing); a known origin signed by another key is another
    setting's key on this ledger's history. (A known origin at another place, signed by its
    own key, is a copy of the same history: it must extend what was cosigned, as any
    checkpoint of that ledger must, so a split view between copies is still caught.)"""
    by_origin = store.latest(new.origin)
    if by_origin is not None and by_origin.vkey != vkey:
        return (
            "ANOTHER SIGNER: the witness cosigned this ledger (its origin) as signed by"
            f" {by_origin.vkey}; this checkpoint is signed by {vkey}: another setting's key on"
            " this ledger's history",
            by_origin,
        )
    by_key = store.latest_by_key(vkey)
    if by_key is not None and by_key.origin != new.origin:
        return (
            f"ANOTHER LEDGER: the member's key {vkey} signed the ledger {by_key.origin} the"
            f" witness cosigned; this checkpoint is of another ledger, {new.origin}: a new"
            " history in place of the one witnessed",
            by_key,
        )
    by_place = store.latest_of_member(member)
    if by_place is not None and by_place.origin != new.origin:
        return (
            f"ANOTHER LEDGER: the ledger at {member} was {by_place.origin} when the witness"
            f" cosigned it; it is now {new.origin}: another history in place of the one"
            " witnessed",
            by_place,
        )
    return None


def _deliver_again(ledger: Ledger, cosigner: Cosigner, last: Cosignature) -> bool:
    """Deliver the cosignature made last to the ledger again if it does not hold it (a run
    stopped between the witness's store and the ledger, or a ledger restored from a backup
    taken before): whether it had to. Only this witness's own (not one of an earlier key)."""
    if cosigner.verifier().open(last.cosigned) is None:
        return False
    key = cosigner.verifier_key()
    if (last.size, last.root, key, last.cosigned) in ledger.storage.cosignatures():
        return False
    ledger.storage.add_cosignature(last.size, last.root, key, last.cosigned)
    return True


def _does_not_extend(ledger: Ledger, last: Cosignature, new: Checkpoint) -> str | None:
    """None if ``new`` extends the checkpoint cosigned last (a proof checked); "" if it is that
    checkpoint; else, in words, why it does not: a split view, a rollback or a fork."""
    old_root = bytes.fromhex(last.root)
    if new.size == last.size:
        if new.root == old_root:
            return ""
        return (
            f"SPLIT VIEW: a checkpoint of {new.size:,} facts with another root than the one"
            " cosigned for that size: the ledger shows two histories"
        )
    if new.size < last.size:
        return (
            f"ROLLBACK: the latest checkpoint has {new.size:,} facts, fewer than the"
            f" {last.size:,} cosigned before: the ledger was cut back, or restored from an older"
            " copy"
        )
    # The proof from the stored leaf hashes as they are read, a checkpoint's at a time (never
    # all of them at once: memory is a few writes' leaves, not the ledger's).
    try:
        streamed = merkle.streamed_consistency(checkpoint_leaves(ledger), last.size, new.size)
    except ValueError:  # a checkpoint row that does not decode, or not whole leaf hashes
        streamed = None
    if streamed is None or streamed[1] != new.root:
        return "FORK: the ledger's facts do not give its own latest checkpoint's root"
    proof = streamed[2]
    if not merkle.verify_consistency(last.size, new.size, old_root, new.root, proof):
        return (
            f"FORK: the checkpoint of {new.size:,} facts does not extend the one of"
            f" {last.size:,} cosigned before (the consistency proof fails): the history was"
            " rewritten"
        )
    return None
