"""Policy profiles: a setting's policy as data (DESIGN.md section 5).

A profile names the setting's channels (who may post, whether images of children may appear)
and the rules it turns on, each with its parameters and a citation of the policy line it
encodes. The five seed policies ship as TOML files in ``ledger/profiles``; a setting can write
its own and pass ``--profile PATH.toml``. Profiles are decoded and validated by msgspec.

A citation is ``"file:LINE"`` or, in the shipped profiles, ``{ at = "file:LINE", quote =
"..." }`` with a few of the line's own words, so a reader (and a test) can see that the line
says what the rule is cited for. Each parameter says whether the policy states it
(``stated.NAME``, a citation) or the ledger reads it (``read.NAME``, one plain sentence why):
``Profile.parameters()`` lists them. Each shipped profile has a coverage table beside it
(``NAME.coverage.toml``, read by ``coverage``): every line of its policy, and what judges it
today or why nothing can.

Posting on a channel (DESIGN.md section 5, "Posters by kind and purpose", "A parent's own
child"):

- ``posters`` lists who may post: roles (``manager``, ...), ``"any-member"`` (a current member
  of the group; the group channel only), ``"any-person"`` (any current member of the setting:
  joined and not left that day, of any kind) and ``"guardians"`` (a guardian of a child enrolled
  that day). An empty list: nobody may.
- ``poster_purposes = ["promotion"]``: the posters may post there only for those purposes; a
  post that states none of them (no purpose stated counts as none) is ``unauthorised-poster``.
  West Wycombe's personal pages: "only ... for positive advertising".
- ``purposes = ["promotion"]``: what the channel itself is for; a post there whose stated
  purpose is not listed, or which states none, is ``purpose-not-allowed`` where the profile
  turns that rule on. West Wycombe's page: "purely for advertising and promoting". Empty (the
  default): any purpose, or none.
- ``child_images``: ``"consent"`` (each child needs an active consent for the channel),
  ``"never"``, or ``"own-children"`` (a guardian may show their own children, linked to them,
  and no other; anyone else may show none: ``child-image-forbidden``).

``personal-account`` (a post about the setting on someone's own page) is always there: by
default nobody may post on it and it shows no child; a profile loosens it only with
``any-person`` or ``guardians`` posters and ``own-children`` images, as its policy does.
"""

from __future__ import annotations

import datetime as dt
import importlib.resources
import re
from pathlib import Path
from typing import Annotated, Final, Literal

import msgspec

from ledger import events
from ledger.events import RULES, ChannelName, PersonKind, Role, RuleName

PERSONAL_ACCOUNT: Final = "personal-account"
ANY_MEMBER: Final = "any-member"
COVERAGE_SUFFIX: Final = ".coverage.toml"  # a shipped profile's coverage table, beside it

ANY_PERSON: Final = "any-person"
GUARDIANS: Final = "guardians"

Poster = Role | Literal["any-member", "any-person", "guardians"]
ChildImages = Literal["consent", "never", "own-children"]
# "policy-file.txt:12" or "policy-file.txt:12-14": a line of the setting's own policy.
Citation = Annotated[str, msgspec.Meta(pattern=r"^[A-Za-z0-9._-]+:[0-9]+(-[0-9]+)?$")]
PlainWords = Annotated[str, msgspec.Meta(min_length=1, max_length=1000)]
# A few words copied from the cited line (the shipped profiles keep to 3-15 words).
Quote = Annotated[str, msgspec.Meta(min_length=1, max_length=300)]
ParameterName = Literal[
    "takedown_days",
    "follow_up_days",
    "leaver_grace_days",
    "summer_holiday_default",
    "min_group_admins",
    "friendship_exception",
    "concern_response_days",
    "decision_days",
    "review_interval_months",
    "require_setting_device",
    "contacts_need_setting_device",
    "official_contact_methods",
    "contacts_judged",
    "removal_days",
    "friendship_kinds",
]
Days = Annotated[int, msgspec.Meta(ge=0, le=3650)]
MonthDay = Annotated[str, msgspec.Meta(pattern=r"^(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$")]
# Who `unofficial-contact` judges contacts with: parents and carers (`ParentContacted`),
# children (`ChildContacted`), or both (a policy may speak of only one of them).
ContactWith = Literal["parents", "children"]


class Cited(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    """A line (or lines) of the setting's policy, with the words on it that state the rule.

    ``quote`` is None for a citation written as a plain ``"file:LINE"`` (profiles written
    before quotes were asked for still load)."""

    at: Citation
    quote: Quote | None = None


def _as_cited(entries: list[Citation | Cited]) -> list[Cited]:
    return [Cited(at=entry) if isinstance(entry, str) else entry for entry in entries]


def _as_strings(entries: list[Citation | Cited]) -> list[str]:
    return [entry if isinstance(entry, str) else entry.at for entry in entries]


class Channel(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    """Where the setting (or someone about the setting) posts."""

    posters: list[Poster]
    child_images: ChildImages
    says: PlainWords
    # The TOML key is `cite`: "file:LINE" strings or {at, quote} tables (see `citations`).
    cite_written: list[Citation | Cited] = msgspec.field(default_factory=list, name="cite")
    group: bool = False  # the closed group whose membership rules apply
    # Who may belong to the group besides guardians of enrolled children (DESIGN.md section 5,
    # "Who may be a member"): the kinds of current person (None: any current person, as before
    # the refinement), and whether anyone admitted on an invitation (`MemberAdmitted.by`) may.
    member_kinds: list[PersonKind] | None = None
    invited_members: bool = False
    # Whose contact with a poster counts as the follow-up of a removal ("Moderation by the
    # moderators"): empty, anyone's.
    moderators: list[Role] = msgspec.field(default_factory=list)
    # What the channel is for (purpose-not-allowed); empty: any purpose, or none.
    purposes: list[events.Purpose] = msgspec.field(default_factory=list)
    # The posters may post only for these purposes (unauthorised-poster); empty: any.
    poster_purposes: list[events.Purpose] = msgspec.field(default_factory=list)

    @property
    def cite(self) -> list[str]:
        """The cited lines as "file:LINE" (or "file:FROM-TO"), quotes left out."""
        return _as_strings(self.cite_written)

    @property
    def citations(self) -> list[Cited]:
        """The cited lines with their quotes (None where the profile gave none)."""
        return _as_cited(self.cite_written)


class Rule(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    """One rule the setting's policy turns on, in plain words, with where it says so.

    ``stated`` and ``read`` say, for each of the rule's parameters, whether the policy states
    it (where, with a quote) or the ledger reads it (a default or an interpretation, and why);
    ``Profile.parameters()`` gives the result, with defaults for what a profile leaves out."""

    says: PlainWords
    cite_written: list[Citation | Cited] = msgspec.field(name="cite")
    stated: dict[ParameterName, Cited] = msgspec.field(default_factory=dict)
    read: dict[ParameterName, PlainWords] = msgspec.field(default_factory=dict)
    takedown_days: Days | None = None
    follow_up_days: Days | None = None
    leaver_grace_days: Days | None = None
    summer_holiday_default: MonthDay | None = None
    min_group_admins: Annotated[int, msgspec.Meta(ge=1, le=20)] | None = None
    friendship_exception: Literal["pre-existing", "declared", "never"] | None = None
    concern_response_days: Days | None = None
    decision_days: Days | None = None
    review_interval_months: Annotated[int, msgspec.Meta(ge=1, le=120)] | None = None
    require_setting_device: bool | None = None
    contacts_need_setting_device: bool | None = None
    official_contact_methods: list[events.ContactMethod] | None = None
    contacts_judged: list[ContactWith] | None = None
    removal_days: Days | None = None
    friendship_kinds: list[PersonKind] | None = None

    @property
    def cite(self) -> list[str]:
        """The cited lines as "file:LINE" (or "file:FROM-TO"), quotes left out."""
        return _as_strings(self.cite_written)

    @property
    def citations(self) -> list[Cited]:
        """The cited lines with their quotes (None where the profile gave none)."""
        return _as_cited(self.cite_written)


class Parameter(msgspec.Struct, frozen=True, kw_only=True):
    """One parameter of a rule the profile turns on, the value the rule uses, and whether
    the policy states it (``cited``) or the ledger reads it (``reading``, in plain words)."""

    rule: str
    name: str
    value: int | str | bool | tuple[str, ...]  # a tuple: labels or kinds of person
    stated: bool
    cited: Cited | None
    reading: str | None


# What a parameter the profile neither states nor reads is: the design's default.
READ_BY_DEFAULT: Final = (
    "The profile does not say where this comes from: it is the ledger's default, which the"
    " setting may change in its own profile."
)
READ_AS_SET: Final = (
    "The profile sets this without saying where the policy states it: it is read as the"
    " setting's own choice."
)


class Retention(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    """How long personal data is kept after a person's time at the setting ends."""

    child_years_after_leaving: Annotated[int, msgspec.Meta(ge=0, le=100)] = 3
    guardian_years_after_last_child_left: Annotated[int, msgspec.Meta(ge=0, le=100)] = 3
    person_years_after_leaving: Annotated[int, msgspec.Meta(ge=0, le=100)] = 6
    says: PlainWords = "Personal data is kept for a limited time after someone leaves."


class Profile(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    name: Annotated[str, msgspec.Meta(pattern=r"^[a-z][a-z0-9-]{0,63}$")]
    title: PlainWords
    policy: PlainWords
    source: Annotated[str, msgspec.Meta(pattern=r"^[A-Za-z0-9._-]+$")]
    channels: dict[ChannelName, Channel]
    rules: dict[RuleName, Rule]
    retention: Retention = msgspec.field(default_factory=Retention)

    # -- parameters, with the design's defaults ----------------------------------------------

    def is_on(self, rule: str) -> bool:
        return rule in self.rules

    def _param(self, rule: str, field: str) -> object:
        for name, setting in self.rules.items():
            if name == rule:
                return getattr(setting, field)
        return None

    def _int(self, rule: str, field: str, default: int) -> int:
        value = self._param(rule, field)
        return default if not isinstance(value, int) else value

    def _bool(self, rule: str, field: str) -> bool:
        return self._param(rule, field) is True

    @property
    def takedown_days(self) -> int:
        return self._int("withdrawn-consent-post-live", "takedown_days", 2)

    @property
    def follow_up_days(self) -> int:
        return self._int("removal-follow-up-overdue", "follow_up_days", 7)

    @property
    def leaver_grace_days(self) -> int:
        return self._int("leaver-not-removed", "leaver_grace_days", 14)

    @property
    def summer_holiday_default(self) -> str:
        value = self._param("leaver-not-removed", "summer_holiday_default")
        return value if isinstance(value, str) else "07-22"

    @property
    def min_group_admins(self) -> int:
        return self._int("too-few-admins", "min_group_admins", 2)

    @property
    def friendship_exception(self) -> str:
        value = self._param("connection-without-exception", "friendship_exception")
        return value if isinstance(value, str) else "declared"

    @property
    def concern_response_days(self) -> int:
        return self._int("concern-unaddressed", "concern_response_days", 1)

    @property
    def decision_days(self) -> int:
        return self._int("referral-undecided", "decision_days", 28)

    @property
    def review_interval_months(self) -> int:
        return self._int("policy-review-overdue", "review_interval_months", 12)

    @property
    def require_setting_device(self) -> bool:
        return self._bool("non-setting-device", "require_setting_device")

    @property
    def contacts_need_setting_device(self) -> bool:
        return self._bool("non-setting-device", "contacts_need_setting_device")

    @property
    def official_contact_methods(self) -> tuple[str, ...]:
        """The setting's own ways of contacting parents and children (``unofficial-contact``);
        none where the profile names none, so that every contact judged is a finding."""
        value = self._param("unofficial-contact", "official_contact_methods")
        return tuple(value) if isinstance(value, list) else ()

    @property
    def contacts_judged(self) -> tuple[str, ...]:
        """Whose contacts ``unofficial-contact`` judges: parents, children, or (the default)
        both."""
        value = self._param("unofficial-contact", "contacts_judged")
        return tuple(value) if isinstance(value, list) else ("parents", "children")

    @property
    def removal_days(self) -> int:
        return self._int("flagged-post-not-removed", "removal_days", 1)

    @property
    def friendship_kinds(self) -> tuple[str, ...]:
        """The kinds of person whose friendships with parents the policy judges, while they
        serve (West Wycombe 11 and Stepping Stones Nursery 46: staff; South Woodham 47, 71
        and 94: staff, volunteers and students). By default every kind but visitors."""
        value = self._param("connection-without-exception", "friendship_kinds")
        if isinstance(value, list):
            return tuple(str(kind) for kind in value)
        return FRIENDSHIP_KINDS

    def parameters(self) -> list[Parameter]:
        """Every parameter of every rule the profile turns on, in the profile's order, with
        the value the rule uses and whether the policy states it or the ledger reads it."""
        out: list[Parameter] = []
        for rule_name, rule in self.rules.items():
            for name in PARAMETERS.get(rule_name, ()):
                value = getattr(self, name)
                assert isinstance(value, int | str | bool | tuple)
                cited = rule.stated.get(name)
                reading = rule.read.get(name)
                if cited is None and reading is None:
                    reading = READ_AS_SET if getattr(rule, name) is not None else READ_BY_DEFAULT
                out.append(
                    Parameter(
                        rule=rule_name,
                        name=name,
                        value=value,
                        stated=cited is not None,
                        cited=cited,
                        reading=reading,
                    )
                )
        return out

    @property
    def group_channel(self) -> str | None:
        """The channel that is the setting's group, if any (`group = true`).

        Any channel may be the group (South Woodham's closed group, Stepping Stones Nursery's
        closed page), but a profile has at most one: `MemberAdmitted` and `MemberRemoved` name
        no channel (the event contract has none), so a membership is a membership of this one.
        A profile without a group refuses them."""
        for name, channel in self.channels.items():
            if channel.group:
                return name
        return None

    def summer_holiday_start(self, year: int) -> dt.date:
        month, day = (int(part) for part in self.summer_holiday_default.split("-"))
        return dt.date(year, month, min(day, 28 if month == 2 else day))


# Which parameters belong to which rule, in the order they are listed (a parameter on another
# rule is a profile error).
PARAMETERS: Final[dict[str, tuple[ParameterName, ...]]] = {
    "withdrawn-consent-post-live": ("takedown_days",),
    "removal-follow-up-overdue": ("follow_up_days",),
    "leaver-not-removed": ("leaver_grace_days", "summer_holiday_default"),
    "too-few-admins": ("min_group_admins",),
    "connection-without-exception": ("friendship_exception", "friendship_kinds"),
    "concern-unaddressed": ("concern_response_days",),
    "referral-undecided": ("decision_days",),
    "policy-review-overdue": ("review_interval_months",),
    "non-setting-device": ("require_setting_device", "contacts_need_setting_device"),
    "unofficial-contact": ("official_contact_methods", "contacts_judged"),
    "flagged-post-not-removed": ("removal_days",),
}
# Whose friendships with parents are judged when a profile does not say (every kind of person
# at the setting but a visitor).
FRIENDSHIP_KINDS: Final[tuple[str, ...]] = ("staff", "volunteer", "student", "committee")
_ALL_PARAMETERS: Final = frozenset().union(*PARAMETERS.values())


class ProfileError(ValueError):
    """A profile that cannot be used; the message says where and what was expected."""


def _check(profile: Profile, where: str) -> Profile:
    for rule_name, rule in profile.rules.items():
        allowed = PARAMETERS.get(rule_name, ())
        for field in _ALL_PARAMETERS:
            if getattr(rule, field) is not None and field not in allowed:
                raise ProfileError(
                    f"{where}: `rules.{rule_name}.{field}` does not belong to that rule"
                    f" (expected it under one of: "
                    f"{', '.join(r for r, p in PARAMETERS.items() if field in p)})"
                )
        for key, declared in (("stated", rule.stated), ("read", rule.read)):
            for field in declared:
                if field not in allowed:
                    raise ProfileError(
                        f"{where}: `rules.{rule_name}.{key}.{field}` is not a parameter of that"
                        f" rule (expected one of: {', '.join(allowed) or 'none'})"
                    )
        for field in rule.stated:
            if field in rule.read:
                raise ProfileError(
                    f"{where}: `rules.{rule_name}` says both that the policy states"
                    f" {field} and that the ledger reads it (expected one of `stated.{field}`"
                    f" or `read.{field}`)"
                )
        if rule_name == "unofficial-contact" and rule.official_contact_methods is None:
            raise ProfileError(
                f"{where}: `rules.unofficial-contact` names no official_contact_methods"
                ' (expected the setting\'s own ways of contact, such as ["in-person",'
                ' "setting-email", "setting-phone"])'
            )
        day = rule.summer_holiday_default
        if day is not None and not _is_day_of_year(day):
            raise ProfileError(
                f"{where}: `rules.{rule_name}.summer_holiday_default` is not a day of the year"
                " (expected MM-DD, such as 07-22)"
            )
    channels = dict(profile.channels)
    if PERSONAL_ACCOUNT not in channels:
        # Every profile has a personal-account channel: nobody may post about the setting on
        # their own page, and never an image of a child (DESIGN.md section 5).
        channels[PERSONAL_ACCOUNT] = Channel(
            posters=[],
            child_images="never",
            says="Nobody may post about the setting on a personal account.",
        )
    else:
        # Someone's own page is loosened only as far as a policy can: by kind of person,
        # never by a role of the setting's page nor with a consent register of its own.
        personal = channels[PERSONAL_ACCOUNT]
        roles = [p for p in personal.posters if p not in (ANY_PERSON, GUARDIANS)]
        if roles:
            raise ProfileError(
                f"{where}: `channels.{PERSONAL_ACCOUNT}.posters` has {roles[0]!r} (expected"
                f' posters = [] or only "{ANY_PERSON}" and "{GUARDIANS}": anyone posting on'
                " their own page posts as a person, not in a role)"
            )
        if personal.child_images == "consent":
            raise ProfileError(
                f"{where}: `channels.{PERSONAL_ACCOUNT}.child_images` is"
                ' "consent" (expected child_images = "never" or "own-children")'
            )
    groups = [name for name, channel in channels.items() if channel.group]
    if len(groups) > 1:
        raise ProfileError(f"{where}: at most one channel may be the group (`group = true`)")
    for name, channel in channels.items():
        if ANY_MEMBER in channel.posters and not channel.group:
            raise ProfileError(
                f'{where}: `channels.{name}.posters` has "any-member" but the channel is not'
                " the group (expected `group = true`)"
            )
        membership = (
            ("member_kinds", channel.member_kinds is not None),
            ("invited_members", channel.invited_members),
        )
        for setting, given in membership:
            if given and not channel.group:
                raise ProfileError(
                    f"{where}: `channels.{name}.{setting}` says who may belong to the group, but"
                    " the channel is not the group (expected `group = true`)"
                )
        if channel.poster_purposes and not channel.posters:
            raise ProfileError(
                f"{where}: `channels.{name}.poster_purposes` is set but nobody may post there"
                " (expected some `posters`, or no `poster_purposes`)"
            )
    return msgspec.structs.replace(profile, channels=channels)


def _is_day_of_year(month_day: str) -> bool:
    """Whether MM-DD is a day some year has (29 February too: a shorter year uses the 28th)."""
    month, day = (int(part) for part in month_day.split("-"))
    try:
        dt.date(2024, month, day)  # a leap year
    except ValueError:
        return False
    return True


def decode(text: str | bytes, where: str) -> Profile:
    """Decode and validate a profile; raise ProfileError with the place and what was wrong."""
    try:
        profile = msgspec.toml.decode(text, type=Profile)
    except msgspec.ValidationError as exc:
        raise ProfileError(f"{where}: {_toml_path(str(exc))}") from None
    except msgspec.DecodeError as exc:
        raise ProfileError(f"{where}: not valid TOML ({exc})") from None
    except UnicodeDecodeError:
        raise ProfileError(f"{where}: not UTF-8 text (save the profile as UTF-8)") from None
    return _check(profile, where)


def _toml_path(message: str) -> str:
    # msgspec says "... - at `$.rules.x`"; a TOML writer thinks of `rules.x`.
    return re.sub(r"`\$\.?([^`]*)`", lambda m: f"`{m.group(1) or 'the top level'}`", message)


def shipped() -> list[str]:
    """The names of the profiles that ship with the package."""
    files = importlib.resources.files("ledger.profiles")
    return sorted(
        p.name.removesuffix(".toml")
        for p in files.iterdir()
        if p.name.endswith(".toml") and not p.name.endswith(COVERAGE_SUFFIX)
    )


def load(name_or_path: str) -> Profile:
    """A shipped profile by name, or a setting's own TOML file by path."""
    if name_or_path.endswith(".toml") or "/" in name_or_path:
        path = Path(name_or_path)
        try:
            text = path.read_bytes()
        except OSError as exc:
            raise ProfileError(
                f"{name_or_path}: cannot read the profile ({exc.strerror})"
            ) from None
        return decode(text, path.name)
    if name_or_path not in shipped():
        raise ProfileError(
            f"unknown profile {name_or_path!r} (expected one of: {', '.join(shipped())},"
            " or a path to a .toml file)"
        )
    resource = importlib.resources.files("ledger.profiles") / f"{name_or_path}.toml"
    return decode(resource.read_bytes(), f"{name_or_path}.toml")


# --- coverage: every line of the policy, and what judges it ------------------------------------

CoverageStatus = Literal["judged", "part", "judgement", "not-checkable", "not-yet"]
COVERAGE_STATUSES: Final[tuple[str, ...]] = (
    "judged",
    "part",
    "judgement",
    "not-yet",
    "not-checkable",
)
# What judges a line: a rule the profile turns on, a refusal, `ledger check post`, an event
# that records the fact, or a rule's parameter.
Judge = Annotated[
    str,
    msgspec.Meta(
        pattern=r"^(rule:[a-z-]+|refusal:[a-z-]+|check-post|event:[A-Za-z]+"
        r"|parameter:[a-z-]+\.[a-z_]+|channel:[a-z-]+\.[a-z_]+)$"
    ),
]
# The refusals (ledger/decisions.py) a coverage table may name, with the words of the message
# each gives, by which a test finds it there.
REFUSALS: Final[dict[str, str]] = {
    "friendship-exception-never": "policy allows no friendship exceptions",
    "friendship-exception-not-pre-existing": "the policy allows only relationships that predate it",
    "friendship-exception-after-role": "began their role",
}


class Line(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    """One non-blank line of a policy, and how the ledger judges what it says.

    ``status``: ``judged`` (fully) or ``part`` by what ``by`` names; ``judgement`` (it asks for
    tone, intent or awareness, which recorded facts cannot show: ``note`` says why);
    ``not-yet`` (checkable, but nothing judges it today: ``would`` names what would);
    ``not-checkable`` (a heading, an introduction, a purpose, a reference elsewhere)."""

    line: Annotated[int, msgspec.Meta(ge=1)]
    quote: Quote
    status: CoverageStatus
    by: list[Judge] = msgspec.field(default_factory=list)
    would: list[PlainWords] = msgspec.field(default_factory=list)
    note: PlainWords | None = None


class _Table(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    source: Annotated[str, msgspec.Meta(pattern=r"^[A-Za-z0-9._-]+$")]
    lines: list[Line]


def decode_coverage(text: str | bytes, where: str, profile: Profile) -> list[Line]:
    """Decode a coverage table for ``profile`` and check that what it names exists: each
    ``by`` a rule the profile turns on (or its parameter), a known refusal or an event type."""
    try:
        table = msgspec.toml.decode(text, type=_Table)
    except msgspec.ValidationError as exc:
        raise ProfileError(f"{where}: {_toml_path(str(exc))}") from None
    except msgspec.DecodeError as exc:
        raise ProfileError(f"{where}: not valid TOML ({exc})") from None
    if table.source != profile.source:
        raise ProfileError(f"{where}: `source` is {table.source}, not {profile.source}")
    seen: set[int] = set()
    for entry in table.lines:
        at = f"{where}: line {entry.line}"
        if entry.line in seen:
            raise ProfileError(f"{at} is listed twice")
        seen.add(entry.line)
        if entry.status in ("judged", "part") and not entry.by:
            raise ProfileError(f"{at} is {entry.status} but names nothing in `by`")
        if entry.status in ("judgement", "not-yet", "not-checkable") and entry.by:
            raise ProfileError(f"{at} is {entry.status}: nothing judges it, so `by` is empty")
        if entry.status == "not-yet" and not entry.would:
            raise ProfileError(f"{at} is not-yet but `would` names nothing that would judge it")
        if entry.status == "judgement" and entry.note is None:
            raise ProfileError(f"{at} is a judgement but its `note` does not say why")
        for judge in entry.by:
            problem = _unknown_judge(profile, judge)
            if problem:
                raise ProfileError(f"{at}: `by` {judge!r} {problem}")
    return sorted(table.lines, key=lambda entry: entry.line)


def _unknown_judge(profile: Profile, judge: str) -> str | None:
    kind, _, name = judge.partition(":")
    if kind == "rule" and not profile.is_on(name):
        return "is not a rule this profile turns on"
    if kind == "parameter":
        rule, _, parameter = name.partition(".")
        if not profile.is_on(rule) or parameter not in PARAMETERS.get(rule, ()):
            return "is not a parameter of a rule this profile turns on"
    if kind == "channel":  # a channel's setting: `channel:closed-group.member_kinds`
        channel, _, field = name.partition(".")
        if channel not in profile.channels or field not in Channel.__struct_fields__:
            return "is not a setting of a channel this profile names"
    if kind == "refusal" and name not in REFUSALS:
        return f"is not a known refusal (expected one of: {', '.join(REFUSALS)})"
    if kind == "event":
        found = getattr(events, name, None)
        if not (isinstance(found, type) and issubclass(found, events.Event)):
            return "is not an event type"
    return None


def coverage(profile: Profile) -> list[Line]:
    """The coverage table of a shipped profile (its policy's every non-blank line, in order);
    empty for a setting's own profile, which ships none."""
    if profile.name not in shipped() or load(profile.name) != profile:
        return []  # a setting's own profile, even one named like a shipped one
    resource = importlib.resources.files("ledger.profiles") / (profile.name + COVERAGE_SUFFIX)
    if not resource.is_file():
        return []
    return decode_coverage(resource.read_bytes(), profile.name + COVERAGE_SUFFIX, profile)


def coverage_counts(lines: list[Line]) -> dict[str, int]:
    """How many lines have each status, in the order of ``COVERAGE_STATUSES``."""
    return {status: sum(1 for e in lines if e.status == status) for status in COVERAGE_STATUSES}


assert set(PARAMETERS) <= set(RULES)
