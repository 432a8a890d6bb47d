"""The parser of the ``ledger`` command: every command, its options, its help and an example."""

from __future__ import annotations

import argparse
import typing
from collections.abc import Callable

import msgspec

from ledger import cli, recording
from ledger.cli import federation as federated
from ledger.cli.common import HelpFormatter, Parser, parse_date, parse_moment
from ledger.cli.evidence import (
    cmd_checkpoint,
    cmd_consistency,
    cmd_export,
    cmd_receipt,
    cmd_replay,
    cmd_verify,
)
from ledger.cli.people import cmd_forget, cmd_retention, cmd_subject
from ledger.cli.publishing import cmd_follow, cmd_site_build
from ledger.cli.reading import cmd_check_post, cmd_findings
from ledger.cli.witness import cmd_witness, cmd_witness_init
from ledger.cli.writing import cmd_demo, cmd_import, cmd_init
from ledger.events import Purpose
from ledger.importer import register_help
from ledger.profile import load, shipped
from ledger.service.trust import TRUSTED_KEYS

# A post about the setting on someone's own page, for a purpose (`check post --purpose`).
PURPOSE_EXAMPLE = "ledger check post --channel personal-account --author S-0002 --purpose promotion"

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
    "replay": "ledger replay audit-trail.jsonl --key 'policy-ledger+1a2b3c4d+AQ…' --as-of"
    " 2026-03-31",
    "receipt": "ledger receipt C-0001 --format html > receipt.html   then, anywhere:   ledger"
    ' receipt --check receipt.html --key "$(cat sunflowers.db.pub)"',
    "forget": "ledger forget C-0001",
    "follow": "ledger --db 'postgresql://ledger:…@db.example/ledgers?schema=sunflowers' follow",
    "consistency": "ledger consistency checkpoint-2026-03.txt > proof.json   then: ledger"
    ' consistency --check proof.json --key "$(cat sunflowers.db.pub)"',
    "checkpoint": "ledger checkpoint --out checkpoint-2026-03.txt",
    "subject": "ledger subject G-0001 --json",
    "retention": "ledger retention",
}


KEY_HELP = (
    "the setting's published public key: the text of PATH.pub (the site's Integrity page"
    " shows it); or keep it in the trusted-keys file"
)


def _trusted_option(p: Parser) -> None:
    p.add_argument(
        "--trusted",
        metavar="FILE",
        help="a file of public keys you trust, one a line, # for comments (default:"
        f" $XDG_CONFIG_HOME/{TRUSTED_KEYS}, or ~/.config/{TRUSTED_KEYS})",
    )


class LazyHelp(str):
    """Help text worked out only when help is shown: argparse fills a help text with ``%``,
    and this one reads the shipped profiles then, not at every start of the command."""

    _make: Callable[[], str]

    def __new__(cls, make: Callable[[], str]) -> LazyHelp:
        self = super().__new__(cls, "...")
        self._make = make
        return self

    def __mod__(self, params: object) -> str:
        return self._make() % params


def _channels() -> str:
    listed = "; ".join(f"{p.name}: {', '.join(p.channels)}" for p in map(load, shipped()))
    return f"a channel of the ledger's profile (the shipped profiles': {listed})".replace("%", "%%")


CHANNEL_HELP = LazyHelp(_channels)


def _field_help(command: recording.Command, field: msgspec.structs.FieldInfo) -> str | None:
    """An option's help: the values it accepts where the catalogue fixes them, else an example."""
    if field.encode_name == "channel":
        return CHANNEL_HELP
    if field.encode_name == "method" and command.event in recording.CONTACT_EVENTS:
        return recording.method_help()
    reference = recording.REFERENCE_HELP.get((command.event, field.encode_name))
    if reference is not None:
        return reference
    accepted = recording.accepted(command.event, field)
    if accepted:
        return "one of: " + ", ".join(accepted)
    example = recording.EXAMPLES.get(field.encode_name)
    return f"e.g. {example}" if example else None


WITNESS_EXAMPLE = "ledger witness --key witness.key --store witness.db --federation federation.toml"


def _witness_option(p: Parser) -> None:
    p.add_argument(
        "--witness",
        action="append",
        default=[],
        metavar="KEY",
        help="a witness's published key (repeatable): the checkpoint must also carry a valid"
        " cosignature by each (`ledger witness`)",
    )


def _witness_command(sub: Callable[..., Parser]) -> None:
    p = sub(
        "witness",
        "a witness outside the settings: check that each ledger only grew since the checkpoint"
        " it cosigned last, then cosign its latest (C2SP tlog-cosignature)",
    )
    p.epilog = (
        f"examples:\n  ledger witness init --name witness.example.gov.uk --key witness.key\n"
        f"  {WITNESS_EXAMPLE}\n  ledger --db sunflowers.db witness --key witness.key --store"
        " witness.db"
    )
    p.add_argument("--key", help="the witness's own key file (made by `ledger witness init`)")
    p.add_argument(
        "--store", help="the witness's own record of what it cosigned (a file, made on first use)"
    )
    p.add_argument(
        "--federation",
        metavar="FILE",
        help="witness every member of this federation file (default: $LEDGER_FEDERATION, when"
        " no --db is given)",
    )
    p.add_argument("--db", dest="witness_db", help="witness this one ledger")
    p.set_defaults(run=cmd_witness)
    actions = p.add_subparsers(dest="witness_action", metavar="init", parser_class=Parser)
    q = actions.add_parser(
        "init",
        help="make the witness's own Ed25519 key and print its public key",
        description="make the witness's own Ed25519 key and print its public key, to publish",
        epilog="example:\n  ledger witness init --name witness.example.gov.uk --key witness.key",
        formatter_class=HelpFormatter,
    )
    q.add_argument("--name", required=True, help="the witness's name, e.g. witness.example.gov.uk")
    q.add_argument("--key", required=True, help="the file to write the private key to")
    q.set_defaults(run=cmd_witness_init)


def build_parser() -> Parser:
    parser = Parser(
        prog="ledger",
        description="The policy ledger: record every fact, judge it against the setting's own"
        " social-media policy, and answer 'may I post this?'.",
        epilog="examples:\n"
        + "\n".join(f"  {EXAMPLES[k]}" for k in ("init", "import", "check post", "findings"))
        + "\n\nThe ledger is LEDGER_DB or ledger.db in this folder unless --db says otherwise."
        " Every command has --help with an example.",
        formatter_class=HelpFormatter,
    )
    parser.add_argument("--db", help="the ledger: a file path (default: $LEDGER_DB or ledger.db)")
    parser.add_argument(
        "--federation",
        dest="federation_file",  # a command's own --federation (site build's) keeps its name
        metavar="FILE",
        help=federated.federation_help(),
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)

    def sub(name: str, help_: str, **kw: object) -> Parser:
        p = commands.add_parser(
            name,
            help=help_,
            description=help_,
            epilog=f"example:\n  {EXAMPLES[name]}" if name in EXAMPLES else None,
            formatter_class=HelpFormatter,
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

    p = sub("import", "record the facts of a JSON Lines file or a spreadsheet's register")
    p.add_argument(
        "file", help="a .jsonl file (one fact a line), a .csv or .xlsx register (below), or -"
    )
    p.add_argument(
        "--ignore",
        action="append",
        metavar="COLUMN",
        help="leave out the register's column with this heading (repeat for each)",
    )
    p.add_argument(
        "--dry-run",
        action="store_true",
        help="check the file and say what would be recorded and each finding it would open"
        " (the rule, the subject, what to do and by when, as recording would warn); write"
        " nothing (a file the import would refuse is refused the same way)",
    )
    p.epilog = f"{register_help()}\n\nexample:\n  {EXAMPLES['import']}"
    p.set_defaults(run=cmd_import)

    p = sub("export", "write the audit trail as JSON Lines to standard output")
    p.add_argument(
        "--as-of", type=parse_date, help="only what had been recorded by the end of DATE"
    )
    p.set_defaults(run=cmd_export)

    p = sub("findings", "the findings: what the facts show against the policy")
    p.add_argument("--as-of", type=parse_date, help="judge as of DATE (default: today)")
    p.add_argument("--known-at", type=parse_moment, help="as the ledger knew it at that time")
    p.add_argument("--open", action="store_true", help="only the open findings")
    p.add_argument(
        "--json",
        action="store_true",
        help="a JSON list of findings (with --federation: an object with a summary per member"
        " and every finding, each with its member's name as `setting`)",
    )
    p.set_defaults(run=cmd_findings, federated=federated.cmd_findings)

    check = sub("check", "ask before acting")
    check.epilog = f"example:\n  {EXAMPLES['check post']}"
    checks = check.add_subparsers(dest="what", metavar="WHAT", parser_class=Parser, required=True)
    p = checks.add_parser(
        "post",
        help="may this be posted?",
        description="may this be posted? exit 0 yes, 1 no (with the reasons)",
        epilog=f"examples:\n  {EXAMPLES['check post']}\n  {PURPOSE_EXAMPLE}",
        formatter_class=HelpFormatter,
    )
    p.add_argument("--channel", required=True, help=CHANNEL_HELP)
    p.add_argument("--author", required=True, help="who posts: S-… or G-…")
    p.add_argument("--depicts", default="", help="the children in it: C-0001,C-0002")
    p.add_argument("--device", help="the device it was taken on: T-01")
    p.add_argument("--on", type=parse_date, help="the day it would go up (default: today)")
    p.add_argument(
        "--purpose",
        help="what the post is for: one of "
        + ", ".join(typing.get_args(Purpose))
        + " (a channel kept for some purposes says No without one), e.g. --purpose promotion",
    )
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=cmd_check_post)

    p = sub("verify", "check that nothing recorded was altered")
    p.add_argument(
        "--key",
        help="the setting's published public key (default: the key file beside the ledger;"
        " needed, or --trusted, with --published)",
    )
    _trusted_option(p)
    p.add_argument(
        "--published",
        metavar="NOTE",
        help="a checkpoint published earlier (a file): the ledger must extend it",
    )
    p.set_defaults(run=cmd_verify, federated=federated.cmd_verify)

    site = sub("site", "the transparency site")
    site.epilog = "example:\n  ledger site build --out committee-site --audience committee"
    sites = site.add_subparsers(dest="what", metavar="WHAT", parser_class=Parser, required=True)
    p = sites.add_parser(
        "build",
        help="build the static transparency site",
        description="build the static transparency site (works offline, from a USB stick)",
        epilog="example:\n  ledger site build --out committee-site --audience committee",
        formatter_class=HelpFormatter,
    )
    p.add_argument(
        "--out",
        default="transparency-site",
        help="the folder to write (default: transparency-site)",
    )
    p.add_argument(
        "--audience",
        choices=["committee", "public"],
        required=True,
        help="which edition, always chosen (no default): committee: references, never names;"
        " public: counts only",
    )
    p.add_argument("--as-of", type=parse_date, help="judge as of DATE (default: today)")
    p.add_argument(
        "--federation",
        metavar="FILE",
        help="ONE site for every member of a federation file (default: $LEDGER_FEDERATION,"
        " when --db is not given): its overview, then each member's pages under its name",
    )
    p.set_defaults(run=cmd_site_build)

    p = sub("replay", "an inspector's replay of an exported trail, with no database")
    p.add_argument("file", help="an export (JSON Lines), or - for standard input")
    p.add_argument("--key", help=KEY_HELP)
    _trusted_option(p)
    p.add_argument(
        "--published",
        metavar="NOTE",
        help="a checkpoint kept earlier (a file): the trail must reach and extend it",
    )
    p.add_argument("--as-of", type=parse_date, help="judge as of DATE (default: today)")
    p.add_argument("--known-at", type=parse_moment, help="as the ledger knew it at that time")
    p.add_argument("--profile", help="the setting's own profile, if it is not a shipped one")
    p.add_argument("--json", action="store_true")
    _witness_option(p)
    p.set_defaults(run=cmd_replay)

    p = sub(
        "follow",
        "keep the registers and the site's numbers current as facts arrive (a server's"
        " background job)",
    )
    p.add_argument("--once", action="store_true", help="catch up, then stop")
    p.set_defaults(run=cmd_follow, federated=federated.cmd_follow)

    p = sub("consistency", "prove the ledger only grew since a published checkpoint")
    p.add_argument("file", help="a published checkpoint (or, with --check, a proof file)")
    p.add_argument("--check", action="store_true", help="check a proof offline")
    p.add_argument("--key", help=f"with --check: {KEY_HELP}")
    _trusted_option(p)
    _witness_option(p)
    p.set_defaults(run=cmd_consistency)

    p = sub("receipt", "a consent receipt for a parent, or check one (--check FILE)")
    p.add_argument("ref", help="a child's reference (or, with --check, a receipt file)")
    p.add_argument(
        "--check", action="store_true", help="check a receipt offline (its .json or its .html page)"
    )
    p.add_argument(
        "--format",
        choices=("json", "html"),
        default="json",
        help="json (default): the checkable receipt; html: a page a parent can read and print,"
        " carrying the same receipt (and checked the same way)",
    )
    p.add_argument("--key", help=f"with --check: {KEY_HELP}")
    _trusted_option(p)
    _witness_option(p)
    p.set_defaults(run=cmd_receipt)

    _witness_command(sub)

    p = sub(
        "checkpoint", "write the latest signed checkpoint, for a committee or an inspector to keep"
    )
    p.add_argument("--out", help="the file to write (default: standard output)")
    p.set_defaults(run=cmd_checkpoint)

    p = sub("forget", "erase a person's personal data (UK GDPR): their key is destroyed")
    p.add_argument("ref", metavar="SUBJECT", help="C-…, G-… or S-…")
    p.set_defaults(run=cmd_forget)

    p = sub("subject", "everything the ledger holds about one person (UK GDPR article 15)")
    p.add_argument("ref", help="C-…, G-… or S-…")
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=cmd_subject)

    p = sub("retention", "who is due to be forgotten under the profile's retention periods")
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=cmd_retention)

    p = sub("demo", "create a demo ledger with a realistic year of invented facts")
    p.add_argument("--profile", default="south-woodham-preschool")
    p.add_argument("--setting", default="Sunflowers Pre-School (demo)")
    p.add_argument("--seed", type=int, default=7)
    p.add_argument(
        "--size",
        type=int,
        metavar="N",
        help="instead of the three-year demo, a larger setting's history of about N facts"
        " over several years (the benchmark's generator), to try the ledger at scale:"
        " e.g. --size 200000",
    )
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
                formatter_class=HelpFormatter,
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
            formatter_class=HelpFormatter,
        )
        for field in recording.fields(command.event):
            p.add_argument(
                recording.option(field),
                dest=field.name,
                # A list (the children in a post) may be empty: leave it out for none.
                required=field.required and not recording.is_list(command.event, field),
                help=_field_help(command, field),
            )
        p.add_argument("--on", type=parse_date, help="the day it happened (default: today)")
        p.set_defaults(run=cli.recording_command(command))
    return parser
