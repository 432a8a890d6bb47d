"""The ``ledger`` command (DESIGN.md section 6).

Exit status: 0 done; 1 a "no" (``check post``) or a failed verification; 2 refused or bad
input, with a message naming the line and field, and nothing written. Never a traceback for
anything a user can type.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import NoReturn, TextIO

import msgspec
from eventsourcing.persistence import PersistenceError

from ledger import events as ev
from ledger import integrity, recording
from ledger.decisions import Refused, decide
from ledger.importer import BadInput, decode_object, read_file
from ledger.profile import ProfileError, shipped
from ledger.profile import load as load_profile
from ledger.store import Config, Ledger, LedgerError, open_ledger, system_clock, today
from projections import findings as fnd
from projections import registers as reg
from projections.rules.posting import post_problems

EXIT_OK, EXIT_NO, EXIT_REFUSED = 0, 1, 2


class Stop(Exception):
    """End the command with a message and an exit status."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


class Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        raise Stop(EXIT_REFUSED, f"{self.prog}: {message}")


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError("expected a date as YYYY-MM-DD") from None


def _moment(text: str) -> dt.datetime:
    """A date-time (or a date, meaning the end of that day), in UTC unless it says otherwise."""
    try:
        if len(text) == 10:
            moment = dt.datetime.combine(dt.date.fromisoformat(text), dt.time.max)
        else:
            moment = dt.datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            "expected a date-time such as 2026-03-02T17:00 (or a date)"
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


# --- opening a ledger -------------------------------------------------------------------------


def _config(args: argparse.Namespace) -> Config:
    return Config.from_db(args.db)


def _ledger(args: argparse.Namespace) -> Ledger:
    try:
        return open_ledger(_config(args))
    except LedgerError as exc:
        raise Stop(EXIT_REFUSED, str(exc)) from None


def _signer(config: Config) -> integrity.Signer:
    try:
        return integrity.Signer.load(config.key_path)
    except FileNotFoundError:
        raise Stop(
            EXIT_REFUSED,
            f"the signing key is not at {config.key_path} (it is made by `ledger init`;"
            " set LEDGER_KEY to where you keep it)",
        ) from None
    except (OSError, ValueError) as exc:
        raise Stop(EXIT_REFUSED, f"{config.key_path}: not a usable signing key ({exc})") from None


def _verifier(config: Config) -> integrity.Verifier:
    return _signer(config).verifier()


# --- init -------------------------------------------------------------------------------------


def cmd_init(args: argparse.Namespace) -> int:
    config = _config(args)
    try:
        profile = load_profile(args.profile)
    except ProfileError as exc:
        raise Stop(EXIT_REFUSED, f"--profile: {exc}") from None
    if not config.is_postgres and Path(config.db).exists():
        raise Stop(EXIT_REFUSED, f"{config.db}: a ledger already exists here")
    if config.key_path.exists():
        raise Stop(EXIT_REFUSED, f"{config.key_path}: a signing key already exists here")
    if not args.setting.strip():
        raise Stop(EXIT_REFUSED, "--setting: expected the setting's name")
    ledger = Ledger(config, create=True)
    if ledger.is_initialised:
        raise Stop(EXIT_REFUSED, f"{config.db}: a ledger already exists here")
    signer = integrity.Signer.generate("policy-ledger")
    own_profile = args.profile.endswith(".toml") or "/" in args.profile
    if own_profile:
        shutil.copyfile(args.profile, config.profile_path)
    ledger.create(args.setting.strip(), profile.name, signer, system_clock)
    signer.save(config.key_path)
    config.key_path.with_suffix(".pub").write_text(signer.verifier_key() + "\n")
    print(f"Created the ledger for {args.setting.strip()} in {config.db}")
    print(f"Policy profile: {profile.name} ({profile.title})")
    print(f"Signing key (keep it safe, outside shared folders): {config.key_path}")
    print(f"Public key, for inspectors to check checkpoints: {signer.verifier_key()}")
    return EXIT_OK


# --- recording --------------------------------------------------------------------------------


def _record(args: argparse.Namespace, facts: Sequence[tuple[int | None, ev.Event]]) -> list[int]:
    ledger = _ledger(args)
    config = _config(args)
    signer = _signer(config)
    events = [event for _, event in facts]
    progress = None
    if len(events) >= 20000:

        def progress(done: int) -> None:
            print(f"  checked {done:,} of {len(events):,} facts…", file=sys.stderr)

    try:
        recorded = ledger.record(events, signer, system_clock, progress=progress)
    except Refused as refusal:
        index = getattr(refusal, "index", 0)
        line = facts[index][0]
        raise Stop(EXIT_REFUSED, _refusal_text(line, refusal.field, refusal.message)) from None
    except LedgerError as exc:
        raise Stop(EXIT_REFUSED, str(exc)) from None
    return [r.position for r in recorded]


def _refusal_text(line: int | None, field: str | None, message: str) -> str:
    if line is None:
        # A command's options are the fact's fields; `type` is the command itself.
        where = f"--{field.replace('_', '-')}" if field and field != "type" else ""
    else:
        where = f"line {line}" + (f", field `{field}`" if field else "")
    return f"refused: {where}: {message}" if where else f"refused: {message}"


def cmd_import(args: argparse.Namespace) -> int:
    path = Path(args.file)
    try:
        data = sys.stdin.buffer.read() if args.file == "-" else path.read_bytes()
    except OSError as exc:
        raise Stop(EXIT_REFUSED, f"{args.file}: cannot read the file ({exc.strerror})") from None
    try:
        facts = read_file(data, args.file)
    except BadInput as bad:
        raise Stop(EXIT_REFUSED, _refusal_text(bad.line, bad.field, bad.message)) from None
    if not facts:
        raise Stop(EXIT_REFUSED, f"{args.file}: no facts in the file (nothing was recorded)")
    positions = _record(args, list(facts))
    print(f"Imported {len(positions):,} facts (positions {positions[0]}–{positions[-1]}).")
    return EXIT_OK


def _recording_handler(command: recording.Command) -> Callable[[argparse.Namespace], int]:
    def handler(args: argparse.Namespace) -> int:
        obj: dict[str, object] = {"type": command.event.__name__}
        obj["on"] = (args.on or today(system_clock)).isoformat()
        for field in recording.fields(command.event):
            value = getattr(args, field.name)
            if value is None and recording.is_list(command.event, field):
                value = ""
            if value is None:
                continue
            if recording.is_list(command.event, field):
                value = [v.strip() for v in value.split(",") if v.strip()]
            elif recording.is_int(command.event, field):
                try:
                    value = int(value)
                except ValueError:
                    raise Stop(
                        EXIT_REFUSED, f"refused: {recording.option(field)}: expected a number"
                    ) from None
            obj[field.encode_name] = value
        try:
            event = decode_object(obj, None)
        except BadInput as bad:
            raise Stop(EXIT_REFUSED, _refusal_text(None, bad.field, bad.message)) from None
        (position,) = _record(args, [(None, event)])
        print(f"Recorded {command.event.__name__} for {event.subject} at position {position}.")
        return EXIT_OK

    return handler


# --- reading ----------------------------------------------------------------------------------


def _registers(ledger: Ledger, known_at: dt.datetime | None) -> reg.Registers:
    if known_at is None:
        registers = ledger.registers()
        if registers.position - ledger._last_snapshot_position() >= 1000:
            ledger.save_registers(registers)
        return registers
    size = 0
    for stored in ledger.checkpoints():
        record = integrity.decode_record(stored.state)
        if record.signed_at <= known_at:
            size = record.size
    return ledger.registers(upto=size)


def cmd_findings(args: argparse.Namespace) -> int:
    ledger = _ledger(args)
    registers = _registers(ledger, args.known_at)
    _nothing_yet(registers)
    day = args.as_of or today(system_clock)
    found = fnd.evaluate(registers, ledger.profile, day)
    hidden = 0
    if args.open:
        hidden = sum(1 for f in found if f.status != "open")
        found = [f for f in found if f.status == "open"]
    if args.json:
        print(msgspec.json.encode(found).decode())
        return EXIT_OK
    print_findings(found, registers, ledger, day, args.known_at, sys.stdout)
    if hidden:
        print(f"\n({hidden} resolved finding(s) not shown: run `ledger findings` for all.)")
    return EXIT_OK


def _nothing_yet(registers: reg.Registers) -> None:
    if registers.position == 0:
        raise Stop(EXIT_REFUSED, "the ledger held nothing at that time (it did not exist yet)")


def print_findings(
    found: list[fnd.Finding],
    registers: reg.Registers,
    ledger: Ledger,
    day: dt.date,
    known_at: dt.datetime | None,
    out: TextIO,
) -> None:
    profile = ledger.profile
    heading = f"Findings for {registers.setting} as of {day.isoformat()}"
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
    ledger = _ledger(args)
    registers = ledger.registers()
    profile = ledger.profile
    day = args.on or today(system_clock)
    depicts = [c.strip() for c in (args.depicts or "").split(",") if c.strip()]
    unused = next(f"P-{n}" for n in range(999_999_999, 0, -1) if f"P-{n}" not in registers.posts)
    obj: dict[str, object] = {
        "type": "PostPublished",
        "on": day.isoformat(),
        "post": unused,
        "channel": args.channel,
        "author": args.author,
        "depicts": depicts,
    }
    if args.device:
        obj["device"] = args.device
    try:
        event = decode_object(obj, None)
        assert isinstance(event, ev.PostPublished)
        decide(registers, profile, event, today(system_clock))
    except BadInput as bad:
        raise Stop(EXIT_REFUSED, _refusal_text(None, bad.field, bad.message)) from None
    except Refused as refusal:
        raise Stop(EXIT_REFUSED, _refusal_text(None, refusal.field, refusal.message)) from None
    problems = post_problems(
        registers,
        profile,
        channel=event.channel,
        author=event.author,
        depicts=event.depicts,
        device=event.device,
        day=day,
    )
    if args.json:
        answer = {"ok": not problems, "problems": [{"rule": r, "detail": d} for r, d in problems]}
        print(msgspec.json.encode(answer).decode())
    elif not problems:
        print(f"Yes: this may be posted on {event.channel} on {day.isoformat()}.")
    else:
        print(f"No: do not post this on {event.channel}. The policy says:")
        for rule, detail in problems:
            print(f"  {rule}: {detail}")
    return EXIT_OK if not problems else EXIT_NO


def _exported(ledger: Ledger, upto: int | None) -> bytes:
    """The facts as JSON Lines with their record-time fields, each checkpoint after its facts."""
    lines: list[bytes] = []
    encoder = msgspec.json.Encoder()
    checkpoints = [integrity.decode_record(c.state) for c in ledger.checkpoints()]
    if upto is not None:
        checkpoints = [c for c in checkpoints if c.size <= upto]
    pending = iter(checkpoints)
    current = next(pending, None)
    for stored in ledger.stored(0, upto):
        recorded = ledger.decode(stored)
        obj = ev.to_builtins(recorded.event)
        obj["position"] = recorded.position
        obj["recorded_at"] = recorded.recorded_at.isoformat()
        obj["leaf"] = integrity.row_leaf(stored).hex()
        lines.append(encoder.encode(obj))
        while current is not None and current.size == recorded.position:
            lines.append(
                encoder.encode(
                    {
                        "type": "Checkpoint",
                        "sequence": current.sequence,
                        "size": current.size,
                        "signed_at": current.signed_at.isoformat(),
                        "note": current.note,
                    }
                )
            )
            current = next(pending, None)
    return b"".join(line + b"\n" for line in lines)


def cmd_export(args: argparse.Namespace) -> int:
    ledger = _ledger(args)
    upto = None
    if args.as_of is not None:
        end = dt.datetime.combine(args.as_of, dt.time.max, tzinfo=dt.UTC)
        upto = 0
        for stored in ledger.checkpoints():
            record = integrity.decode_record(stored.state)
            if record.signed_at <= end:
                upto = record.size
    sys.stdout.write(_exported(ledger, upto).decode())
    return EXIT_OK


def cmd_verify(args: argparse.Namespace) -> int:
    ledger = _ledger(args)
    config = _config(args)
    if args.key:
        try:
            verifier = integrity.Verifier.from_vkey(args.key)
        except ValueError as exc:
            raise Stop(EXIT_REFUSED, f"--key: {exc}") from None
    else:
        verifier = _verifier(config)
    verdict = integrity.verify_rows(
        ledger.stored(), ledger.checkpoints(), verifier, integrity.origin_for(ledger.stream)
    )
    if verdict.ok:
        print(
            f"Intact: {verdict.size:,} facts, {verdict.checkpoints:,} signed checkpoints,"
            f" root {verdict.root}"
        )
        return EXIT_OK
    print(f"TAMPERED at position {verdict.bad_position}: {verdict.problem}")
    print(f"The first {verdict.size:,} facts match the signed tree.")
    return EXIT_NO


def cmd_site_build(args: argparse.Namespace) -> int:
    from ledger.site import build

    ledger = _ledger(args)
    config = _config(args)
    day = args.as_of or today(system_clock)
    out = Path(args.out)
    try:
        report = build(
            ledger,
            out,
            audience=args.audience,
            day=day,
            verifier_key=_signer(config).verifier_key(),
        )
    except (OSError, ValueError) as exc:
        raise Stop(EXIT_REFUSED, f"site build: {exc}") from None
    print(f"Built the {args.audience} site: {report.pages} pages in {out}")
    print(f"Open {(out / 'index.html').resolve().as_uri()}")
    return EXIT_OK


def cmd_demo(args: argparse.Namespace) -> int:
    from ledger.demo import generate

    config = _config(args)
    if not config.is_postgres and Path(config.db).exists():
        raise Stop(EXIT_REFUSED, f"{config.db}: a ledger already exists here")
    try:
        profile = load_profile(args.profile)
    except ProfileError as exc:
        raise Stop(EXIT_REFUSED, f"--profile: {exc}") from None
    end = today(system_clock)
    # Three school years, so that summers pass (leavers) and yearly reviews fall due.
    start = dt.date(end.year - 3 if end.month >= 9 else end.year - 4, 9, 1)
    facts = generate(profile, setting=args.setting, start=start, end=end, seed=args.seed)
    init = argparse.Namespace(db=args.db, profile=args.profile, setting=args.setting)
    cmd_init(init)
    positions = _record(args, [(None, e) for e in facts])
    print(f"Recorded a demo history of {len(positions):,} facts, {start} to {end}.")
    suggestion = _a_post_to_check(_ledger(args), end)
    if suggestion:
        print(
            f"Ask before posting, for example:\n  ledger --db {config.db} check post {suggestion}"
        )
    return EXIT_OK


def _a_post_to_check(ledger: Ledger, day: dt.date) -> str | None:
    """A realistic `check post` for the demo: a current manager and a consented child."""
    from projections import status

    r = ledger.registers()
    profile = ledger.profile
    for channel, chan in profile.channels.items():
        if chan.child_images != "consent":
            continue
        author = next(
            (
                p
                for p in r.persons
                if any(
                    status.holds_role(r, p, role, day)
                    for role in chan.posters
                    if role != "any-member"
                )
            ),
            None,
        )
        child = next(
            (
                c
                for c in r.children
                if status.enrolled(r, c, day) and status.consent_active(r, c, channel, day)
            ),
            None,
        )
        device = next((d for d in r.devices if status.in_service(r, d, day)), None)
        if author and child:
            extra = f" --device {device}" if device else ""
            return f"--channel {channel} --author {author} --depicts {child}{extra}"
    return None


# --- the parser -------------------------------------------------------------------------------

EXAMPLES = {
    "init": 'ledger --db sunflowers.db init --profile south-woodham-preschool --setting "Sunflowers'
    ' Pre-School"',
    "import": "ledger import consents.jsonl      (or a consent register: ledger import"
    " consent-register.csv)",
    "export": "ledger export --as-of 2026-03-31 > audit-trail.jsonl",
    "findings": "ledger findings --as-of 2026-03-31",
    "check post": "ledger check post --channel closed-group --author S-0001 --depicts"
    " C-0001,C-0002 --device T-01",
    "verify": "ledger verify",
    "demo": "ledger --db demo.db demo --profile south-woodham-preschool",
}


def build_parser() -> Parser:
    parser = Parser(
        prog="ledger",
        description="The policy ledger: record every fact, judge it against the setting's own"
        " social-media policy, and answer 'may I post this?'.",
        epilog="examples:\n"
        + "\n".join(f"  {EXAMPLES[k]}" for k in ("init", "import", "check post", "findings"))
        + "\n\nThe ledger is LEDGER_DB or ledger.db in this folder unless --db says otherwise."
        " Every command has --help with an example.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--db", help="the ledger: a file path (default: $LEDGER_DB or ledger.db)")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)

    def sub(name: str, help_: str, **kw: object) -> Parser:
        p = commands.add_parser(
            name,
            help=help_,
            description=help_,
            epilog=f"example:\n  {EXAMPLES[name]}" if name in EXAMPLES else None,
            formatter_class=argparse.RawDescriptionHelpFormatter,
            **kw,  # type: ignore[arg-type]
        )
        assert isinstance(p, Parser)
        return p

    p = sub("init", "create a ledger for a setting")
    p.add_argument(
        "--profile", required=True, help=f"a policy profile: {', '.join(shipped())}, or PATH.toml"
    )
    p.add_argument("--setting", required=True, help="the setting's name")
    p.set_defaults(run=cmd_init)

    p = sub("import", "record the facts of a JSON Lines file or a CSV consent register")
    p.add_argument("file", help="a .jsonl file (one fact a line), a .csv consent register, or -")
    p.set_defaults(run=cmd_import)

    p = sub("export", "write the audit trail as JSON Lines to standard output")
    p.add_argument("--as-of", type=_date, help="only what had been recorded by the end of DATE")
    p.set_defaults(run=cmd_export)

    p = sub("findings", "the findings: what the facts show against the policy")
    p.add_argument("--as-of", type=_date, help="judge as of DATE (default: today)")
    p.add_argument("--known-at", type=_moment, help="as the ledger knew it at that time")
    p.add_argument("--open", action="store_true", help="only the open findings")
    p.add_argument("--json", action="store_true", help="a JSON list of findings")
    p.set_defaults(run=cmd_findings)

    check = sub("check", "ask before acting")
    check.epilog = f"example:\n  {EXAMPLES['check post']}"
    checks = check.add_subparsers(dest="what", metavar="WHAT", parser_class=Parser, required=True)
    p = checks.add_parser(
        "post",
        help="may this be posted?",
        description="may this be posted? exit 0 yes, 1 no (with the reasons)",
        epilog=f"example:\n  {EXAMPLES['check post']}",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--channel", required=True)
    p.add_argument("--author", required=True, help="who posts: S-… or G-…")
    p.add_argument("--depicts", default="", help="the children in it: C-0001,C-0002")
    p.add_argument("--device", help="the device it was taken on: T-01")
    p.add_argument("--on", type=_date, help="the day it would go up (default: today)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=cmd_check_post)

    p = sub("verify", "check that nothing recorded was altered")
    p.add_argument("--key", help="the public key to check against (default: the ledger's)")
    p.set_defaults(run=cmd_verify)

    site = sub("site", "the transparency site")
    site.epilog = "example:\n  ledger site build --out committee-site --audience committee"
    sites = site.add_subparsers(dest="what", metavar="WHAT", parser_class=Parser, required=True)
    p = sites.add_parser(
        "build",
        help="build the static transparency site",
        description="build the static transparency site (works offline, from a USB stick)",
        epilog="example:\n  ledger site build --out committee-site --audience committee",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument(
        "--out",
        default="transparency-site",
        help="the folder to write (default: transparency-site)",
    )
    p.add_argument(
        "--audience",
        choices=["committee", "public"],
        default="committee",
        help="committee: references, never names; public: counts only",
    )
    p.add_argument("--as-of", type=_date, help="judge as of DATE (default: today)")
    p.set_defaults(run=cmd_site_build)

    p = sub("demo", "create a demo ledger with a realistic year of invented facts")
    p.add_argument("--profile", default="south-woodham-preschool")
    p.add_argument("--setting", default="Sunflowers Pre-School (demo)")
    p.add_argument("--seed", type=int, default=7)
    p.set_defaults(run=cmd_demo)

    nouns: dict[str, argparse._SubParsersAction[Parser]] = {}
    for command in recording.COMMANDS:
        if command.noun not in nouns:
            examples = "\n".join(
                f"  {recording.example(c)}" for c in recording.COMMANDS if c.noun == command.noun
            )
            group = commands.add_parser(
                command.noun,
                help=f"record {command.noun} facts",
                description=f"record {command.noun} facts",
                epilog=f"examples:\n{examples}",
                formatter_class=argparse.RawDescriptionHelpFormatter,
            )
            assert isinstance(group, Parser)
            nouns[command.noun] = group.add_subparsers(
                dest="verb", metavar="VERB", parser_class=Parser, required=True
            )
        p = nouns[command.noun].add_parser(
            command.verb,
            help=command.summary,
            description=f"{command.summary} (writes {command.event.__name__})",
            epilog=f"example:\n  {recording.example(command)}",
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        for field in recording.fields(command.event):
            p.add_argument(
                recording.option(field),
                dest=field.name,
                # A list (the children in a post) may be empty: leave it out for none.
                required=field.required and not recording.is_list(command.event, field),
                help=f"e.g. {recording.EXAMPLES[field.encode_name]}"
                if field.encode_name in recording.EXAMPLES
                else None,
            )
        p.add_argument("--on", type=_date, help="the day it happened (default: today)")
        p.set_defaults(run=_recording_handler(command))
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
        if not hasattr(args, "run"):
            parser.print_help()
            return EXIT_REFUSED
        status: int = args.run(args)
        return status
    except Stop as stop:
        stream = sys.stdout if stop.status == EXIT_NO else sys.stderr
        print(f"ledger: {stop}", file=stream)
        return stop.status
    except LedgerError as exc:
        print(f"ledger: {exc}", file=sys.stderr)
        return EXIT_REFUSED
    except PersistenceError as exc:
        print(
            f"ledger: the ledger's database could not be used ({type(exc).__name__})",
            file=sys.stderr,
        )
        return EXIT_REFUSED
    except KeyboardInterrupt:
        print("ledger: interrupted; nothing more was written", file=sys.stderr)
        return 130
    except BrokenPipeError:
        os._exit(EXIT_OK)


if __name__ == "__main__":
    sys.exit(main())
