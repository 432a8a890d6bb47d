"""The commands about the ledger's evidence: ``export``, ``checkpoint``, ``verify``,
``consistency``, ``replay`` and ``receipt`` (the last three also check a file offline, against
a key the user supplied)."""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path
from typing import BinaryIO

import msgspec

from ledger import cli
from ledger.cli.bars import THRESHOLD, Bar
from ledger.cli.common import EXIT_NO, EXIT_OK, printable
from ledger.cli.reading import print_findings
from ledger.service import audit, inspection, trust
from ledger.store import system_clock


def cmd_export(args: argparse.Namespace) -> int:
    ledger = cli.opened(args)
    vkey = cli.signer_of(cli.config_of(args)).verifier_key()
    with Bar("Exporting") as bar:  # on standard error: the trail alone goes to standard output
        batch: list[bytes] = []
        for line in audit.export_stream(ledger, args.as_of, vkey, bar):
            batch.append(line)  # written as it is read, a thousand lines at a time
            if len(batch) == 1000:
                sys.stdout.write(b"".join(batch).decode())
                batch.clear()
        sys.stdout.write(b"".join(batch).decode())
    return EXIT_OK


def cmd_checkpoint(args: argparse.Namespace) -> int:
    record = audit.latest_checkpoint(cli.opened(args))
    if args.out is None:
        sys.stdout.write(record.note)
        return EXIT_OK
    out = Path(args.out)
    audit.keep_checkpoint(record, out)
    print(
        f"Wrote checkpoint {record.sequence:,} ({record.size:,} facts) to {printable(out)}. Keep it"
        " outside"
        " the setting: `ledger verify --published` and `ledger replay --published` check that"
        " the ledger still extends it."
    )
    return EXIT_OK


def cmd_verify(args: argparse.Namespace) -> int:
    ledger = cli.opened(args)
    against = audit.verifying_key(cli.config_of(args), args.key, args.trusted, args.published)
    published = Path(args.published) if args.published else None
    with Bar("Verifying") as bar:
        checked = audit.verify(ledger, against.verifier, published, bar)
    verdict = checked.verdict
    if checked.key_store_broken is not None:
        print(f"TAMPERED: {checked.key_store_broken}")
    for problem in checked.key_store:
        print(f"KEY STORE: {problem.problem}")
    if checked.key_store:
        count = len(checked.key_store)
        print(
            f"The key store does not match the ledger ({count} problem"
            f"{'s' if count > 1 else ''}): names it should open cannot be read, or"
            " someone forgotten could still be read."
        )
    if not checked.key_store_ok:
        print(f"The {verdict.size:,} facts match the signed tree; the key store does not.")
        return EXIT_NO
    if checked.published is not None:
        print(f"TAMPERED at position {checked.published[0]}: {checked.published[1]}")
        print(f"Checked against {against.said}.")
        return EXIT_NO
    if verdict.ok:
        print(
            f"Intact: {verdict.size:,} facts, {verdict.checkpoints:,} signed checkpoints,"
            f" root {verdict.root}"
        )
        if args.published:
            print(f"It extends the published checkpoint in {printable(args.published)}.")
        print(f"Checked against {against.said}.")
        return _say_caches(checked.caches)
    print(f"TAMPERED at position {verdict.bad_position}: {verdict.problem}")
    print(f"The first {verdict.size:,} facts match the signed tree.")
    print(f"Checked against {against.said}.")
    _say_caches(checked.caches)
    return EXIT_NO


def _say_caches(caches: audit.CacheCheck | None) -> int:
    """Print what is kept beside the facts but not bound to their history, after the facts'
    verdict; EXIT_NO if anything but the ledger wrote it (foreign, altered or moved: commands
    ignore it, but something wrote to the ledger that the ledger did not)."""
    assert caches is not None
    for line in caches.lines:
        print(line)
    if caches.tampered:
        print(
            "The caches were written by something other than this ledger; commands ignore"
            " them and work every answer out from the facts."
        )
    return EXIT_NO if caches.tampered else EXIT_OK


def cmd_consistency(args: argparse.Namespace) -> int:
    if args.check:
        data = trust.read_bytes(args.file)
        trusted = trust.trusted_keys(args.key, args.trusted, trust.claimed(data, "key"))
        witnesses = inspection.witness_verifiers(args.witness)
        proven = inspection.check_consistency(data, trusted)
        vouched = inspection.witnessed(inspection.proof_note(data), witnesses, system_clock())
        print(
            f"Verified: the ledger at {proven.new_size:,} facts extends the ledger at"
            f" {proven.old_size:,}: nothing recorded by then was changed or removed."
        )
        print(f"Checked against the key supplied, {proven.key}.")
        for line in vouched:
            print(line)
        return EXIT_OK
    ledger = cli.opened(args)
    signer = cli.signer_of(cli.config_of(args))
    proof = audit.prove_consistency(ledger, signer, Path(args.file))
    if proof is None:
        print("TAMPERED: the ledger does not extend that checkpoint")
        return EXIT_NO
    print(msgspec.json.encode(proof).decode())
    return EXIT_OK


def _trail_file(name: str) -> BinaryIO:
    """The trail to replay, open to be read as it is checked: the file, or standard input
    copied to a temporary file a chunk at a time (the replay reads a large write twice)."""
    if name != "-":
        return Path(name).open("rb")
    spool = tempfile.TemporaryFile()  # noqa: SIM115 (the caller closes it)
    shutil.copyfileobj(sys.stdin.buffer, spool, 1 << 20)
    spool.seek(0)
    return spool


def cmd_replay(args: argparse.Namespace) -> int:
    try:
        file = _trail_file(args.file)
    except (OSError, ValueError) as exc:
        raise trust.unreadable(args.file, exc) from None
    witnesses = inspection.witness_verifiers(args.witness)
    with file:
        try:
            trusted = trust.trusted_keys(args.key, args.trusted, trust.claimed_by_trail(file))
            # Its units are the file's lines, each checked and folded as it is read.
            with Bar("Replaying", unit=None, threshold=THRESHOLD) as bar:
                replayed = inspection.replay(
                    file,
                    trusted,
                    system_clock,
                    published=Path(args.published) if args.published else None,
                    profile=args.profile,
                    as_of=args.as_of,
                    known_at=args.known_at,
                    progress=bar,
                    witnesses=witnesses,
                )
        except OSError as exc:  # the file could not be read to its end
            raise trust.unreadable(args.file, exc) from None
    checked, published = replayed.checked, replayed.published
    vouched = replayed.witnessed
    if args.json:
        answer = {
            "verified": True,
            "head": {"size": checked.size, "root": checked.root, "checkpoint": checked.note},
            "key": checked.vkey,
            "key_from_file": False,
            "published": published.size if published is not None else None,
            "as_of": replayed.day,
            "known_at": args.known_at,
            "facts_judged": replayed.registers.position,
            "findings": replayed.found,
        }
        if witnesses:
            answer["witnessed"] = vouched
        print(msgspec.json.encode(answer).decode())
        return EXIT_OK
    print(f"Verified: {checked.size:,} facts, {checked.checkpoints:,} signed checkpoints.")
    print(f"Root: {checked.root}")
    print(f"Checked against the key supplied, {checked.vkey}.")
    for line in vouched:
        print(line)
    if published is not None:
        print(
            f"It reaches and extends the published checkpoint in {printable(args.published)}"
            f" ({published.size:,} facts)."
        )
    print()
    print_findings(
        replayed.found,
        replayed.registers.setting,
        None,
        replayed.day,
        args.known_at,
        sys.stdout,
        profile=replayed.profile,
    )
    return EXIT_OK


def cmd_receipt(args: argparse.Namespace) -> int:
    if args.check:
        data = trust.read_bytes(args.ref)
        trusted = trust.trusted_keys(args.key, args.trusted, inspection.claimed_key(data))
        witnesses = inspection.witness_verifiers(args.witness)
        proven = inspection.check_receipt(data, trusted)
        vouched = inspection.witnessed(inspection.receipt_note(data), witnesses, system_clock())
        print("Verified: this receipt's facts are in the signed ledger.")
        for line in proven:
            print(f"  {line}")
        print(f"Checked against the key supplied, {inspection.claimed_key(data)}.")
        for line in vouched:
            print(line)
        return EXIT_OK
    ledger = cli.opened(args)
    config = cli.config_of(args)
    receipt = inspection.make_receipt(ledger, args.ref, lambda: cli.signer_of(config), system_clock)
    sys.stdout.write(inspection.receipt_text(receipt, args.format))
    return EXIT_OK
