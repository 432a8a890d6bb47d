"""The commands that read the ledger: ``findings`` and ``check post``."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from typing import TextIO

import msgspec

from ledger import cli
from ledger.cli.common import EXIT_NO, EXIT_OK
from ledger.profile import Profile
from ledger.service import reading
from ledger.store import Ledger, system_clock
from projections import findings as fnd
from projections import wording


def cmd_findings(args: argparse.Namespace) -> int:
    ledger = cli.opened(args)
    judged = reading.findings(
        ledger, system_clock, as_of=args.as_of, known_at=args.known_at, open_only=args.open
    )
    if args.json:
        print(msgspec.json.encode(judged.found).decode())
        return EXIT_OK
    print_findings(judged.found, judged.setting, ledger, judged.day, args.known_at, sys.stdout)
    if judged.hidden:
        shown = wording.count(judged.hidden, "resolved finding")
        print(f"\n({shown} not shown: run `ledger findings` for all.)")
    return EXIT_OK


def print_findings(
    found: list[fnd.Finding],
    setting: str,
    ledger: Ledger | None,
    day: dt.date,
    known_at: dt.datetime | None,
    out: TextIO,
    *,
    profile: Profile | None = None,
) -> None:
    """The findings as ``ledger findings`` prints them: open, then resolved."""
    if profile is None:
        assert ledger is not None
        profile = ledger.profile
    heading = f"Findings for {setting} as of {day.isoformat()}"
    if known_at is not None:
        heading += f", as the ledger knew it at {known_at.isoformat(timespec='minutes')}"
    print(heading, file=out)
    print(f"Policy: {profile.title}, {profile.policy} (profile {profile.name})", file=out)
    open_ = [f for f in found if f.status == "open"]
    resolved = [f for f in found if f.status == "resolved"]
    for title, group in (("Open", open_), ("Resolved", resolved)):
        if title == "Resolved" and not group and open_:
            continue
        print(f"\n{title} ({len(group)})", file=out)
        if not group:
            print("  none", file=out)
        for f in group:
            when = f"since {f.since.isoformat()}"
            if f.resolved_on is not None:
                how = " (acknowledged)" if f.resolution == fnd.ACKNOWLEDGED else ""
                when += f", resolved {f.resolved_on.isoformat()}{how}"
            print(f"  {f.rule:<30} {f.subject:<14} {when}", file=out)
            print(f"      {f.detail}", file=out)


def cmd_check_post(args: argparse.Namespace) -> int:
    ledger = cli.opened(args)
    question = reading.PostQuestion.of(
        args.channel, args.author, args.depicts, args.device, args.on, args.purpose
    )
    answer = reading.check_post(ledger, question, system_clock)
    if args.json:
        problems = [{"rule": r, "detail": d} for r, d in answer.problems]
        verdict: dict[str, object] = {"ok": answer.ok, "problems": problems}
        if question.purpose is not None:
            verdict["purpose"] = question.purpose
        print(msgspec.json.encode(verdict).decode())
    elif answer.ok:
        print(f"Yes: this may be posted on {answer.channel} on {answer.day.isoformat()}.")
        print("Once it is up, record it (REF: the post's own reference, such as P-0042):")
        print(f"  {reading.publish_command(question, answer)}")
    else:
        print(f"No: do not post this on {answer.channel}. The policy says:")
        for rule, detail in answer.problems:
            print(f"  {rule}: {detail}")
        if question.purpose is None and answer.purposes:
            print(
                f"If the post is for {' or '.join(answer.purposes)}, ask again with"
                f" --purpose {answer.purposes[0]}."
            )
    return EXIT_OK if answer.ok else EXIT_NO
