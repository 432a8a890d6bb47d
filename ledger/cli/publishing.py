"""The commands that publish: ``site build`` and ``follow``."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from ledger import cli, federation
from ledger.cli.bars import THRESHOLD, Bar
from ledger.cli.common import EXIT_OK, printable
from ledger.service import publishing
from ledger.store import system_clock, today


def cmd_site_build(args: argparse.Namespace) -> int:
    federation_file = getattr(args, "federation", None)
    if federation_file is None and args.db is None:
        federation_file = os.environ.get(federation.ENV) or None
    if federation_file is not None:
        return _federation_site_build(args, federation_file)
    ledger = cli.opened(args)
    config = cli.config_of(args)
    out = Path(args.out)
    verifier_key = cli.signer_of(config).verifier_key()
    # Its units are the build's steps: a bar only for a ledger of more than THRESHOLD facts.
    bar = Bar("Building the site", unit=None, threshold=0)
    large = publishing.facts_held(ledger) > THRESHOLD
    with bar:
        report = publishing.site_build(
            ledger,
            out,
            audience=args.audience,
            verifier_key=verifier_key,
            clock=system_clock,
            as_of=args.as_of,
            progress=bar if large else None,
        )
    print(f"Built the {args.audience} site: {report.pages} pages in {printable(out)}")
    print(f"Open {(out / 'index.html').resolve().as_uri()}")
    return EXIT_OK


def _federation_site_build(args: argparse.Namespace, file: str) -> int:
    """ONE site for every member of the federation file (issue 16)."""
    loaded = federation.load(file)  # a FederationError: exit 2, naming the line and field
    out = Path(args.out)
    bar = Bar("Building the site", unit=None, threshold=0)
    with bar:
        report = publishing.federation_site_build(
            loaded,
            out,
            audience=args.audience,
            clock=system_clock,
            as_of=args.as_of,
            progress=bar if len(loaded.members) > 1 else None,
        )
    members = len(loaded.members)
    print(
        f"Built the {args.audience} site of {printable(loaded.name)}:"
        f" {members} member{'s' if members != 1 else ''}, {report.pages} pages in"
        f" {printable(out)}"
    )
    print(f"Open {(out / 'index.html').resolve().as_uri()}")
    return EXIT_OK


def cmd_follow(args: argparse.Namespace) -> int:
    publishing.follow(cli.opened(args), system_clock, once=args.once)
    position = cli.opened(args).saved_position()  # the follower saves them as it catches up
    print(
        f"The registers are current to position {position:,}, and the site's numbers"
        f" as of {today(system_clock)}."
    )
    return EXIT_OK
