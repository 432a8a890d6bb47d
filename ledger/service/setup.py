"""Making a ledger (``ledger.service``): ``init`` for a setting, and the demo's invented history."""

from __future__ import annotations

import datetime as dt
import shlex
import shutil
import typing
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from ledger import events as ev
from ledger import integrity
from ledger.importer import BadInput, decode_object
from ledger.profile import Profile, ProfileError
from ledger.profile import load as load_profile
from ledger.service import recording
from ledger.service.errors import Refusal
from ledger.store import (
    Clock,
    Config,
    Ledger,
    create_postgres_schema,
    drop_postgres_schema_if_empty_ledger,
    open_ledger,
    postgres_schema_has_ledger,
    today,
)


@dataclass(frozen=True)
class Initialised:
    """A ledger made: for ``setting``, judged by ``profile``, signed by ``signer``'s key."""

    setting: str
    profile: Profile
    config: Config
    verifier_key: str


def load(profile: str) -> Profile:
    """A policy profile: a shipped one by its name, or a PATH.toml."""
    try:
        return load_profile(profile)
    except ProfileError as exc:
        raise Refusal(f"--profile: {exc}") from None


def init(config: Config, profile_name: str, setting_name: str, clock: Clock) -> Initialised:
    """Create the ledger of a setting: its first fact, its signing key (``PATH.key``, and the
    public key beside it, ``PATH.pub``) and its key store; a profile of its own (a PATH.toml) is
    copied beside it. Refused if a ledger or a key is there already; a ledger half made is
    taken away again."""
    profile = load(profile_name)
    if not config.is_postgres and Path(config.db).exists():
        raise Refusal(f"{config.shown}: a ledger already exists here")
    if config.key_path.exists():
        raise Refusal(f"{config.key_path}: a signing key already exists here")
    setting = setting_name.strip()
    if not setting:
        raise Refusal("--setting: expected the setting's name")
    try:  # the same checks as every other fact (its length, for one)
        decode_object(
            {"type": "SettingRegistered", "on": "2000-01-01", "name": setting, "profile": "x"}, None
        )
    except BadInput as bad:
        raise Refusal(f"--setting: {bad.message}") from None
    if config.is_postgres:
        if postgres_schema_has_ledger(config):
            raise Refusal("a ledger already exists in that schema")
        create_postgres_schema(config)
    made = [config.keys_path, config.profile_path, config.key_path]
    if not config.is_postgres:
        made += [Path(config.db + suffix) for suffix in ("", "-wal", "-shm")]
    made = [p for p in made if not p.exists()]  # what this init makes, and may take back
    try:
        ledger = Ledger(config, create=True)
        if ledger.is_initialised:
            raise Refusal(f"{config.shown}: a ledger already exists here")
        signer = integrity.Signer.generate("policy-ledger")
        own_profile = profile_name.endswith(".toml") or "/" in profile_name
        if own_profile:
            shutil.copyfile(profile_name, config.profile_path)
        ledger.create(setting, profile.name, signer, clock)
        signer.save(config.key_path)
        config.key_path.with_suffix(".pub").write_text(signer.verifier_key() + "\n")
    except BaseException:
        # A ledger half made is no ledger: take away what this init made, then report.
        for path in made:
            path.unlink(missing_ok=True)
        if config.is_postgres:
            drop_postgres_schema_if_empty_ledger(config)
        raise
    return Initialised(setting, profile, config, signer.verifier_key())


@dataclass(frozen=True)
class Demo:
    """A demo ledger made: ``made`` as ``init`` makes one, its invented history recorded at
    ``positions`` (``start`` to ``end``), and a ``check post`` worth asking of it, if any."""

    made: Initialised
    positions: range
    start: dt.date
    end: dt.date
    suggestion: str | None


def demo(
    config: Config,
    profile_name: str,
    setting: str,
    seed: int,
    clock: Clock,
    *,
    progress: Callable[[int], None] | None = None,
    size: int | None = None,
) -> Demo:
    """Create a demo ledger with three school years of invented facts (``demo_history``), or,
    given ``size``, a larger setting's history of about that many facts over several years
    (``ledger.demo.scale``, the benchmark's generator), streamed into the ledger as it is made."""
    from ledger.service.reading import a_post_to_check
    from ledger.service.trust import load_signer

    if size is not None:
        if not MIN_DEMO_SIZE <= size <= MAX_DEMO_SIZE:
            raise Refusal(
                f"--size: expected a number of facts from {MIN_DEMO_SIZE:,} to {MAX_DEMO_SIZE:,}"
            )
        _refuse_existing(config)
        facts: recording.Facts
        facts, span = _scaled(load(profile_name), setting, seed, today(clock), size)
    else:
        history = demo_history(config, profile_name, setting, seed, clock)
        facts, span = [(None, event) for event in history.facts], [history.start, history.end]
    made = init(config, profile_name, setting, clock)
    ledger = open_ledger(config)
    positions = recording.record(ledger, facts, load_signer(config), clock, progress=progress)
    suggestion = a_post_to_check(ledger, span[-1])
    ledger.close()
    return Demo(made, positions, span[0], span[-1], suggestion)


# The sizes `demo --size` makes: a small setting's term at least, ten busy years at most.
MIN_DEMO_SIZE = 100
MAX_DEMO_SIZE = 10_000_000


def _scaled(
    profile: Profile, setting: str, seed: int, end: dt.date, size: int
) -> tuple[Callable[[], Iterator[tuple[int, ev.Event]]], list[dt.date]]:
    """The scaled history as facts read afresh each time the recorder asks (it reads twice:
    once to check, once to write), never held whole; and its first and last days, known once
    it has been read."""
    from ledger.demo import scale

    span: list[dt.date] = []

    def facts() -> Iterator[tuple[int, ev.Event]]:  # numbered as the lines of a file are
        for number, event in enumerate(
            scale(profile, setting=setting, events=size, seed=seed, end=end), start=1
        ):
            if len(span) < 2:
                span.append(event.on)
            else:
                span[1] = max(span[1], event.on)
            yield number, event

    return facts, span


def _refuse_existing(config: Config) -> None:
    if not config.is_postgres and Path(config.db).exists():
        raise Refusal(f"{config.shown}: a ledger already exists here")


@dataclass(frozen=True)
class DemoHistory:
    """The demo's invented facts, from ``start`` to ``end``."""

    facts: list[ev.Event]
    start: dt.date
    end: dt.date


def demo_history(
    config: Config, profile_name: str, setting: str, seed: int, clock: Clock
) -> DemoHistory:
    """Three school years of invented facts, ending today (so that summers pass, with leavers,
    and yearly reviews fall due); refused if a ledger is there already."""
    from ledger.demo import generate

    _refuse_existing(config)
    profile = load(profile_name)
    end = today(clock)
    start = dt.date(end.year - 3 if end.month >= 9 else end.year - 4, 9, 1)
    facts = generate(profile, setting=setting, start=start, end=end, seed=seed)
    return DemoHistory(facts, start, end)


def next_steps(profile: Profile, db: str | None) -> list[str]:
    """What a manager does next on a new ledger, as commands for this profile: the people who
    post and their roles, the group's admins and members where there is a group, the registers,
    then the question before each post."""
    at = f"ledger --db {shlex.quote(db)}" if db else "ledger"
    steps = [f'{at} person join --person S-0001 --name "A. Example" --kind staff']
    known = typing.get_args(ev.Role)
    roles = sorted({r for c in profile.channels.values() for r in c.posters if r in known})
    if roles:
        first = "manager" if "manager" in roles else roles[0]
        steps.append(
            f"{at} role assign --person S-0001 --role {first}   (roles that post:"
            f" {', '.join(roles)})"
        )
    groups = [name for name, c in profile.channels.items() if c.group]
    if groups and profile.is_on("too-few-admins"):
        steps.append(
            f"{at} role assign --person S-0001 --role group-admin   (the group needs"
            f" {profile.min_group_admins} admins)"
        )
    if groups:
        steps.append(f"{at} member admit --member S-0001   (and each parent or carer in the group)")
    steps.append(f"{at} device register --device T-01   (each setting tablet or camera)")
    steps.append(f"{at} import children-register.csv   (then consent-register.csv: see the README)")
    consent = [n for n, c in profile.channels.items() if c.child_images == "consent"]
    if consent:  # a channel that may show children, with their parents' consent
        channel = consent[0]
        ask = f"{at} check post --channel {channel} --author S-0001 --depicts C-0001"
        if profile.require_setting_device:  # the photo taken on the tablet registered above
            ask += " --device T-01"
    else:  # no channel may show children: ask about a post without them
        channel = next(n for n, c in profile.channels.items() if c.posters)
        ask = f"{at} check post --channel {channel} --author S-0001"
    purposes = profile.channels[channel].purposes  # a channel kept for some purposes only
    steps.append(ask + (f" --purpose {purposes[0]}" if purposes else ""))
    return steps
