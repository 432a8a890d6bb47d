"""What an inspector or a parent checks with no database (``ledger.service``): an exported
trail replayed and judged, a consistency proof checked, a consent receipt made and checked.

Each check is against keys the user supplied (``trust.trusted_keys``); a file that does not
verify raises ``NotVerified`` saying what is wrong with it.
"""

from __future__ import annotations

import datetime as dt
import functools
import io
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

import msgspec
from eventsourcing.persistence import StoredEvent

from ledger import events as ev
from ledger import integrity, merkle, privacy, receipt_page, receipts, trail
from ledger.checkpoint import Checkpoint
from ledger.cosignature import CosignatureVerifier, Cosigned
from ledger.profile import Profile, ProfileError
from ledger.profile import load as load_profile
from ledger.service.audit import all_leaves, delivered, export_line_of, with_cosignatures
from ledger.service.errors import NotVerified, Refusal
from ledger.service.progress import EVERY, Progress, lines_in
from ledger.service.reading import nothing_yet
from ledger.service.trust import read_note
from ledger.store import Clock, Ledger, today
from projections import findings as fnd
from projections import registers as reg

# --- consistency, checked ---------------------------------------------------------------------


@dataclass(frozen=True)
class Consistent:
    """A verified proof: the ledger at ``new_size`` facts extends it at ``old_size``."""

    old_size: int
    new_size: int
    key: str


PROOF_FIELDS = ["old", "new", "proof", "key"]


def check_consistency(data: bytes, trusted: Sequence[integrity.Verifier]) -> Consistent:
    """Check a consistency proof (``ledger consistency``'s output) against the trusted keys."""
    try:
        proof = msgspec.json.decode(data)
        fields = list(proof) if isinstance(proof, dict) else []
    except (msgspec.DecodeError, RecursionError, UnicodeDecodeError):
        raise NotVerified(
            "this is not a consistency proof of the ledger (not one JSON object,"
            " or something follows it)"
        ) from None
    if fields != PROOF_FIELDS:
        wrong = [f for f in fields if f not in PROOF_FIELDS]
        raise NotVerified(
            "this is not a consistency proof of the ledger"
            + (f" (it has a field the ledger never writes: `{wrong[0]}`)" if wrong else "")
        )
    number = trail.float_field(proof)
    if number is not None:
        raise NotVerified(
            f"the proof's `{number}` is a number with a decimal point or an"
            " exponent; the ledger writes none"
        )
    written = msgspec.json.encode(proof)
    raw = data.removesuffix(b"\n")
    if written != raw:
        raise NotVerified(f"the proof: {trail.spelling_problem(raw, written)}")
    chosen = trail.pick(trusted, proof["key"] if isinstance(proof["key"], str) else None)
    if isinstance(chosen, str):
        raise NotVerified(chosen)
    if proof["key"] != chosen.verifier_key():
        claimed = proof["key"]
        raise NotVerified(f"the proof says it is signed by {claimed}, not by the key supplied")
    try:
        old = chosen.open(proof["old"])
        new = chosen.open(proof["new"])
        hashes = [bytes.fromhex(h) for h in proof["proof"]]
    except (TypeError, ValueError):
        raise NotVerified("this is not a consistency proof of the ledger") from None
    if old is None or new is None or old.origin != new.origin:
        raise NotVerified("the checkpoints are not signed by the key supplied")
    same = old.size == new.size and old.root == new.root
    if not same and not merkle.verify_consistency(old.size, new.size, old.root, new.root, hashes):
        raise NotVerified("the later checkpoint does not extend the earlier one")
    return Consistent(old.size, new.size, chosen.verifier_key())


# --- replay -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Replayed:
    """A verified trail (``checked``: its head), judged: the findings as of ``day`` (as the
    ledger knew them at ``known_at``, if given), and the published checkpoint it extends, if
    one was given."""

    checked: trail.Verified
    published: Checkpoint | None
    registers: reg.Registers
    profile: Profile
    day: dt.date
    known_at: dt.datetime | None
    found: list[fnd.Finding]
    witnessed: list[str] = field(default_factory=list)  # each witness's, in words


def replay(
    source: bytes | BinaryIO,
    trusted: Sequence[integrity.Verifier],
    clock: Clock,
    *,
    published: Path | None = None,
    profile: str | None = None,
    as_of: dt.date | None = None,
    known_at: dt.datetime | None = None,
    progress: Progress | None = None,
    witnesses: Sequence[CosignatureVerifier] = (),
) -> Replayed:
    """An inspector's replay of an exported trail (the bytes, or a seekable binary file):
    verified against the trusted keys (and a checkpoint ``published`` earlier, which it must
    reach and extend), then judged by the setting's profile (a shipped one by its name, or
    ``profile``). ``progress`` is told the lines read, of the file's.

    The trail is folded as it is read (``trail.fold_trail``): each fact, once checked, goes
    into the registers and is dropped, so memory is bounded by the registers, not the trail.
    The registers are used only once the whole trail has verified. With ``witnesses``, each
    must have cosigned one of its checkpoints (``NotVerified`` if one did not); what each
    vouches for is in ``witnessed``."""
    file = io.BytesIO(source) if isinstance(source, bytes) else source
    lines = _lines_of(file) if progress is not None else 0
    checking = None
    if progress is not None:
        told = progress

        def checking(line: int) -> None:
            told(min(line, lines), lines)

    registers = reg.Registers()
    stopped: list[BaseException | None] = []  # known_at passed (None), or a fold that failed

    def fold(fact: trail.Fact, _: bytes) -> None:
        if stopped:
            return
        if known_at is not None and fact.recorded_at > known_at:
            stopped.append(None)
            return
        try:
            reg.apply(registers, fact.event, fact.position)
            if fact.position % EVERY == 0:
                registers.changed.clear()  # what to save: a replay saves nothing
        except Exception as exc:  # raised where the registers were made before: see below
            stopped.append(exc)

    wanted = _size_of(published) if published is not None else None
    vouching = _Vouching(witnesses, clock())
    try:
        with reg.paused_gc():
            checked = trail.fold_trail(
                file,
                trusted,
                fold,
                checking,
                () if wanted is None else (wanted,),
                on_checkpoint=vouching.seen if witnesses else None,
            )
    except trail.TrailError as exc:
        raise NotVerified(str(exc)) from None
    if progress is not None:
        progress(lines, lines)
    kept: Checkpoint | None = None
    if published is not None:
        verifier = integrity.Verifier.from_vkey(checked.vkey)
        _, kept = read_note(published, verifier)
        problem = trail.extends(checked, kept)
        if problem:
            raise NotVerified(f"{problem} (checkpoint in {published})")
    setting = checked.first.event
    assert isinstance(setting, ev.SettingRegistered)
    try:
        judged_by = load_profile(profile or setting.profile)
    except ProfileError as exc:
        raise Refusal(
            f"{exc} (the setting's own profile is needed: pass --profile PATH.toml)"
        ) from None
    if stopped and stopped[0] is not None:
        raise stopped[0]
    nothing_yet(registers)
    day = as_of or today(clock)
    found = fnd.evaluate(registers, judged_by, day)
    witnessed = vouching.said(checked.checkpoints) if witnesses else []
    return Replayed(checked, kept, registers, judged_by, day, known_at, found, witnessed)


def _lines_of(file: BinaryIO) -> int:
    """How many lines a file holds (``progress.lines_in``), read a chunk at a time; the file is
    left at its start."""
    file.seek(0)
    count = lines_in(iter(functools.partial(file.read, 1 << 20), b""))
    file.seek(0)
    return count


def _size_of(published: Path) -> int | None:
    """The size a checkpoint kept earlier says it has, read before it is checked: the replay
    keeps the root of the trail's tree at that size (and no other). The note is checked
    after the trail (``read_note``), which names any fault in it."""
    try:
        return trail.head_checkpoint(published.read_text()).size
    except Exception:  # any fault is named when the note is checked, after the trail
        return None


# --- receipts ---------------------------------------------------------------------------------


def make_receipt(
    ledger: Ledger, child: str, signer: Callable[[], integrity.Signer], clock: Clock
) -> dict[str, Any]:
    """A consent receipt for a child's parent: the child's consent facts, with the proof that
    they are in the signed ledger (``receipts.make``). ``signer`` is loaded once the child is
    known to be the ledger's."""
    if not re.fullmatch(r"C-[0-9]{1,9}", child):
        raise Refusal("refused: expected a child's reference, such as C-0001")
    # The child's facts through the person index, and the setting's first one: not every fact.
    keys: dict[str, bytes | None] = {}
    decode = msgspec.json.Decoder().decode
    read = [
        export_line_of(ledger, StoredEvent(ledger.stream, position, topic, state), keys)
        for position, topic, state in [*ledger.rows_at([1]), *ledger.rows_about([child])]
    ]
    if not privacy.introduced(child, (recorded for recorded, _ in read)):
        raise Refusal(f"refused: {child} is not a child of this ledger")
    key = signer()
    setting_line = decode(read[0][1])
    lines = [
        decode(line)
        for recorded, line in read[1:]
        if isinstance(recorded.event, ev.ConsentGranted | ev.ConsentWithdrawn)
        and recorded.event.child == child
    ]
    if not lines:
        raise Refusal(f"no consent has been recorded for {child}")
    leaves, records = all_leaves(ledger)
    return receipts.make(
        child=child,
        setting_line=setting_line,
        lines=lines,
        leaves=leaves,
        note=with_cosignatures(records[-1].note, delivered(ledger)),
        signer=key,
        now=clock(),
    )


def check_receipt(data: bytes, trusted: Sequence[integrity.Verifier]) -> list[str]:
    """A receipt checked offline (the JSON, or the page a parent keeps): the lines it proves are
    in the signed ledger."""
    try:
        if receipt_page.is_page(data):
            return receipt_page.check_page(data, trusted)
        return receipts.check(data, trusted)
    except receipts.ReceiptError as exc:
        raise NotVerified(str(exc)) from None


def claimed_key(data: bytes) -> str | None:
    """The key a receipt (or the receipt a page carries) says it is signed by: a hint for
    choosing among the trusted keys, no more."""
    if receipt_page.is_page(data):
        try:
            data = receipt_page.carried(data)
        except receipts.ReceiptError:
            return None
    return receipts.claimed_key(data)


def receipt_text(receipt: dict[str, Any], form: str) -> str:
    """A receipt as the ledger writes it: one JSON line, or the page a parent reads (``html``),
    carrying that line byte for byte."""
    line = msgspec.json.encode(receipt).decode()
    return receipt_page.render((line + "\n").encode()) if form == "html" else line + "\n"


# --- witnesses' cosignatures, required (--witness KEY) ---------------------------------------


def witness_verifiers(keys: Sequence[str]) -> list[CosignatureVerifier]:
    """The witness keys a user supplied (``--witness``, each the text of a witness's published
    key); one that is not a witness key is refused, saying why."""
    verifiers: list[CosignatureVerifier] = []
    for key in keys:
        try:
            verifiers.append(CosignatureVerifier.from_vkey(key))
        except ValueError as exc:
            raise Refusal(
                f"--witness: {exc} (expected the witness's published key, as `ledger witness"
                " init` printed it)"
            ) from None
    return verifiers


def witnessed(note: str, witnesses: Sequence[CosignatureVerifier], now: dt.datetime) -> list[str]:
    """Each witness's valid cosignature on the checkpoint ``note`` (already checked against
    the setting's key), in words; ``NotVerified`` naming the first witness without one."""
    said: list[str] = []
    for verifier in witnesses:
        cosigned = verifier.open(note, now)
        if cosigned is None:
            raise NotVerified(
                f"the checkpoint is not cosigned by the witness {verifier.name}: it is signed"
                " only by the setting (or the cosignature is by another key, over another"
                " checkpoint, or altered); run the witness, then make the file again"
            )
        said.append(
            f"Witnessed: cosigned by {verifier.name} at"
            f" {cosigned.at.isoformat().replace('+00:00', 'Z')}"
            f" ({cosigned.checkpoint.size:,} facts)."
        )
    return said


def receipt_note(data: bytes) -> str:
    """The checkpoint note a receipt (or the page carrying it) was proven against: read only
    after the receipt itself was checked."""
    if receipt_page.is_page(data):
        data = receipt_page.carried(data)
    note = msgspec.json.decode(data)["ledger"]["checkpoint"]
    assert isinstance(note, str)
    return note


def proof_note(data: bytes) -> str:
    """The later checkpoint of a consistency proof, read only after the proof was checked."""
    note = msgspec.json.decode(data)["new"]
    assert isinstance(note, str)
    return note


class _Vouching:
    """What each witness cosigned of a trail, told its checkpoints one at a time as they are
    checked (``trail.fold_trail``'s ``on_checkpoint``): the last each cosigned, no more."""

    def __init__(self, witnesses: Sequence[CosignatureVerifier], now: dt.datetime) -> None:
        self.witnesses = witnesses
        self.now = now
        self.last: list[tuple[int, int, Cosigned] | None] = [None] * len(witnesses)

    def seen(self, sequence: int, size: int, note: str) -> None:
        for number, verifier in enumerate(self.witnesses):
            cosigned = verifier.open(note, self.now)
            if cosigned is not None:
                self.last[number] = (sequence, size, cosigned)

    def said(self, checkpoints: int) -> list[str]:
        """Up to which checkpoint each witness cosigned the trail (of its ``checkpoints``), in
        words; ``NotVerified`` for a witness that cosigned none of them."""
        said: list[str] = []
        for verifier, last in zip(self.witnesses, self.last, strict=True):
            if last is None:
                raise NotVerified(
                    f"no checkpoint in the trail is cosigned by the witness {verifier.name}: it"
                    " is signed only by the setting (or the cosignatures are by another key, or"
                    " altered)"
                )
            sequence, size, cosigned = last
            later = checkpoints - sequence
            said.append(
                f"Witnessed by {verifier.name} up to checkpoint {sequence:,} ({size:,} facts),"
                f" cosigned at {cosigned.at.isoformat().replace('+00:00', 'Z')}"
                + (
                    f"; the {later:,} later checkpoint{'s are' if later > 1 else ' is'} not"
                    " cosigned by it"
                    if later
                    else ""
                )
                + "."
            )
        return said
