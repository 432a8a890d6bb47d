"""The witness's commands: ``witness init`` (its own key) and ``witness`` (check and cosign
each member's latest checkpoint, ``ledger.service.witnessing``)."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from ledger import federation
from ledger.cli.common import EXIT_NO, EXIT_OK, printable
from ledger.service import witnessing
from ledger.service.errors import Refusal
from ledger.store import Config, system_clock


def cmd_witness_init(args: argparse.Namespace) -> int:
    vkey = witnessing.init_witness(args.name, Path(args.key))
    print(
        f"Made the witness's key in {printable(args.key)} (private: keep it on the witness's"
        " machine)."
    )
    print("Its public key, to publish (members' inspectors and parents check with --witness):")
    print(vkey)
    return EXIT_OK


def _targets(args: argparse.Namespace) -> list[witnessing.Target]:
    # Its own --federation or the global one (``ledger --federation FILE witness``: the
    # parser's route gives it here as ``args.federation``), else LEDGER_FEDERATION when no
    # ledger is named.
    file = getattr(args, "federation", None)
    if file and args.witness_db:
        raise Refusal("witness: give --federation FILE or --db LEDGER, not both")
    if not file and not (args.witness_db or args.db):
        file = os.environ.get(federation.ENV) or None
    if file:
        fed = federation.load(file)
        return [
            witnessing.Target(member.name, member.config(), member.public_key)
            for member in fed.members
        ]
    db = args.witness_db or args.db
    if not db:
        raise Refusal(
            "witness: say what to witness: --federation FILE (every member) or --db LEDGER"
        )
    config = Config.from_db(db)
    return [witnessing.Target(config.shown, config, None)]


def _indented(note: str) -> str:
    """A signed note as evidence, each line indented (its blank line left blank)."""
    return "".join(f"    {line}".rstrip() + "\n" for line in note.splitlines())


def cmd_witness(args: argparse.Namespace) -> int:
    if not args.key or not args.store:
        raise Refusal(
            "witness: --key FILE (the witness's key, from `ledger witness init`) and --store"
            " FILE (its own record of what it cosigned) are both needed"
        )
    targets = _targets(args)
    cosigner = witnessing.load_cosigner(Path(args.key))
    store = witnessing.open_store(Path(args.store))
    status = EXIT_OK
    try:
        for outcome in witnessing.witness(cosigner, store, targets, system_clock):
            word = outcome.status.upper() if not outcome.ok else outcome.status
            print(f"{outcome.member}: {word}: {outcome.message}")
            if outcome.key_said and outcome.status != "failed":
                print(f"  Its signature checked against {outcome.key_said}.")
            if outcome.evidence is not None:
                cosigned, offending = outcome.evidence
                print("  Nothing was cosigned for it. The evidence, both signed by the member:")
                print("  The checkpoint this witness cosigned before:")
                print(_indented(cosigned), end="")
                print("  The checkpoint the ledger shows now:")
                print(_indented(offending), end="")
            if not outcome.ok:
                status = EXIT_NO
    finally:
        store.close()
    print(f"Witness key: {cosigner.verifier_key()}")
    return status
