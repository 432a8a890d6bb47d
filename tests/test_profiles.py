"""The policy profiles that ship with the package, and the refusal of bad ones.

DESIGN.md section 5 ("the intended reading of the seeds") says which channels and rules each
shipped profile has; this file pins that reading, checks that every citation points at a real,
non-blank line of the profile's own seed policy and quotes the words on it that state the rule
(issue 18), that every parameter says whether the policy states it or the ledger reads it, and
that a bad profile is refused with a `ProfileError` that says where the problem is.
"""

from __future__ import annotations

import os
import re
import tomllib
from importlib.resources import files
from pathlib import Path
from typing import Any

import pytest

from ledger.profile import (
    PARAMETERS,
    PERSONAL_ACCOUNT,
    READ_AS_SET,
    READ_BY_DEFAULT,
    Cited,
    Profile,
    ProfileError,
    decode,
    load,
    shipped,
)

# The seed policies sit beside the project: /work/shared/seeds for /work/main.
SEEDS = Path(__file__).resolve().parents[1].parent / "shared" / "seeds"
SEEDS_MISSING = "../shared/seeds not beside the project: citation line check needs it"

CITATION = re.compile(r"^(?P<file>[A-Za-z0-9._-]+):(?P<first>[0-9]+)(?:-(?P<last>[0-9]+))?$")

# Every profile's personal account: nobody posts about the setting, never a child's image,
# unless its policy loosens that (DESIGN.md section 5, the profile table).
PERSONAL = {PERSONAL_ACCOUNT: ([], "never", False)}

# name -> channels {channel: (posters, child_images, group)} and rules {rule: parameters}.
# Parameters are checked through the Profile's accessors, i.e. the values the rules will use.
EXPECTED: dict[str, dict[str, Any]] = {
    "stepping-stones-preschool": {
        "title": "Stepping Stones Pre School",
        "channels": {"public-page": (["manager"], "consent", False), **PERSONAL},
        "rules": {
            "consent-missing": {},
            "child-image-forbidden": {},
            "unauthorised-poster": {},
            "contact-without-permission": {},
            "non-setting-device": {
                "contacts_need_setting_device": True,
                "require_setting_device": False,
            },
            "unofficial-contact": {
                "official_contact_methods": (
                    "in-person",
                    "setting-phone",
                    "setting-email",
                    "setting-app",
                ),
                "contacts_judged": ("children",),
            },
            "concern-unaddressed": {"concern_response_days": 1},
            "referral-undecided": {"decision_days": 28},
        },
    },
    "stepping-stones-nursery": {
        "title": "Stepping Stones Nursery",
        "channels": {
            "closed-page": (["manager", "social-media-officer"], "consent", True),
            PERSONAL_ACCOUNT: (["guardians"], "own-children", False),
        },
        "rules": {
            "consent-missing": {},
            "withdrawn-consent-post-live": {"takedown_days": 2},
            "child-image-forbidden": {},
            "unauthorised-poster": {},
            "ineligible-member": {},
            "connection-without-exception": {
                "friendship_exception": "never",
                "friendship_kinds": ("staff",),
            },
            "unofficial-contact": {
                "official_contact_methods": (
                    "in-person",
                    "setting-email",
                    "setting-phone",
                    "setting-app",
                ),
                "contacts_judged": ("parents",),
            },
            "concern-unaddressed": {"concern_response_days": 1},
            "referral-undecided": {"decision_days": 28},
        },
    },
    "sandbank-valley-federation": {
        "title": "Sandbank and Valley Nursery Schools Federation",
        "channels": {
            "website": (["manager"], "consent", False),
            PERSONAL_ACCOUNT: (["any-person"], "never", False),
        },
        "rules": {
            "consent-missing": {},
            "child-image-forbidden": {},
            "unauthorised-poster": {},
            "unofficial-contact": {
                "official_contact_methods": ("in-person", "setting-email"),
                "contacts_judged": ("children",),
            },
            "concern-unaddressed": {"concern_response_days": 1},
            "referral-undecided": {"decision_days": 28},
        },
    },
    "south-woodham-preschool": {
        "title": "South Woodham Pre-School",
        "channels": {
            "closed-group": (["any-member"], "consent", True),
            "public-page": (["manager", "chair"], "consent", False),
            PERSONAL_ACCOUNT: (["guardians"], "own-children", False),
        },
        "rules": {
            "consent-missing": {},
            "withdrawn-consent-post-live": {"takedown_days": 2},
            "child-image-forbidden": {},
            "unauthorised-poster": {},
            "non-setting-device": {
                "require_setting_device": True,
                "contacts_need_setting_device": False,
            },
            "removal-follow-up-overdue": {"follow_up_days": 7},
            "ineligible-member": {},
            "leaver-not-removed": {"leaver_grace_days": 14, "summer_holiday_default": "07-22"},
            "too-few-admins": {"min_group_admins": 2},
            "connection-without-exception": {
                "friendship_exception": "pre-existing",
                "friendship_kinds": ("staff", "volunteer", "student"),
            },
            "flagged-post-not-removed": {"removal_days": 1},
            "concern-unaddressed": {"concern_response_days": 1},
            "referral-undecided": {"decision_days": 28},
        },
    },
    "west-wycombe-preschool": {
        "title": "West Wycombe Preschool",
        "channels": {
            "facebook-page": (
                ["manager", "deputy", "third-in-charge", "chair", "social-media-officer"],
                "never",
                False,
            ),
            PERSONAL_ACCOUNT: (["any-person", "guardians"], "never", False),
        },
        "rules": {
            "child-image-forbidden": {},
            "unauthorised-poster": {},
            "purpose-not-allowed": {},
            "connection-without-exception": {
                "friendship_exception": "declared",
                "friendship_kinds": ("staff",),
            },
            "policy-review-overdue": {"review_interval_months": 12},
            "unofficial-contact": {
                "official_contact_methods": ("in-person", "setting-email", "setting-phone"),
                "contacts_judged": ("parents",),
            },
            "concern-unaddressed": {"concern_response_days": 1},
            "referral-undecided": {"decision_days": 28},
        },
    },
}
NAMES = sorted(EXPECTED)


def _raw(name: str) -> dict[str, Any]:
    """The shipped TOML as written (before `ledger.profile` adds anything)."""
    return tomllib.loads((files("ledger.profiles") / f"{name}.toml").read_text("utf-8"))


def _citations(profile: Profile) -> list[tuple[str, str]]:
    """(where, citation) for every channel and rule of a profile."""
    out = [(f"channels.{n}", c) for n, ch in profile.channels.items() for c in ch.cite]
    out += [(f"rules.{n}", c) for n, rule in profile.rules.items() for c in rule.cite]
    return out


def _cited(profile: Profile) -> list[tuple[str, Cited]]:
    """(where, citation with its quote) for every channel, rule and stated parameter."""
    out = [(f"channels.{n}", c) for n, ch in profile.channels.items() for c in ch.citations]
    for n, rule in profile.rules.items():
        out += [(f"rules.{n}", c) for c in rule.citations]
        out += [(f"rules.{n}.stated.{p}", c) for p, c in rule.stated.items()]
    return out


def _normal(text: str) -> str:
    return " ".join(text.split())


def _seed_lines(source: str) -> list[str]:
    if not SEEDS.is_dir():
        if os.environ.get("CI") == "true":  # CI has ../shared beside it: a skip hides a miss
            pytest.fail(SEEDS_MISSING)
        pytest.skip(SEEDS_MISSING)
    path = SEEDS / source
    assert path.is_file(), f"{source} is not in {SEEDS}"
    return path.read_text("utf-8").splitlines()


# --- the shipped profiles -----------------------------------------------------------------------


def test_the_five_seed_profiles_ship() -> None:
    assert shipped() == NAMES


@pytest.mark.parametrize("name", NAMES)
def test_profile_loads_and_names_itself(name: str) -> None:
    profile = load(name)
    assert profile.name == name
    assert profile.title == EXPECTED[name]["title"]
    assert profile.source == f"{name}.txt"
    assert profile.policy.strip()


@pytest.mark.parametrize("name", NAMES)
def test_profile_has_the_designed_channels(name: str) -> None:
    profile = load(name)
    got = {n: (list(c.posters), c.child_images, c.group) for n, c in profile.channels.items()}
    assert got == EXPECTED[name]["channels"]
    # The personal account is written out in the file, with its own words and citation,
    # rather than left to the loader's fallback.
    assert PERSONAL_ACCOUNT in _raw(name)["channels"]


@pytest.mark.parametrize("name", NAMES)
def test_profile_has_the_designed_rules_and_parameters(name: str) -> None:
    profile = load(name)
    assert set(profile.rules) == set(EXPECTED[name]["rules"])
    for rule, parameters in EXPECTED[name]["rules"].items():
        for parameter, value in parameters.items():
            assert getattr(profile, parameter) == value, f"{name}: rules.{rule}.{parameter}"


def test_west_wycombe_channels_say_what_posts_are_for() -> None:
    # Issue 18: the page is "purely for advertising and promoting" (line 12), and personal
    # pages mention the preschool only "for positive advertising" (line 10).
    profile = load("west-wycombe-preschool")
    assert profile.channels["facebook-page"].purposes == ["promotion"]
    assert profile.channels["facebook-page"].poster_purposes == []
    assert profile.channels[PERSONAL_ACCOUNT].poster_purposes == ["promotion"]
    assert profile.channels[PERSONAL_ACCOUNT].purposes == []
    others = [load(n) for n in NAMES if n != "west-wycombe-preschool"]
    assert not any(c.purposes or c.poster_purposes for p in others for c in p.channels.values())


def test_channels_with_images_never_have_no_consent_rule() -> None:
    # West Wycombe never allows images of children, so child-image-forbidden covers its page.
    profile = load("west-wycombe-preschool")
    assert all(c.child_images == "never" for c in profile.channels.values())
    assert not profile.is_on("consent-missing")
    assert not profile.is_on("withdrawn-consent-post-live")


@pytest.mark.parametrize("name", NAMES)
def test_every_channel_and_rule_says_and_cites(name: str) -> None:
    profile = load(name)
    for kind, items in (("channels", profile.channels), ("rules", profile.rules)):
        for item_name, item in items.items():
            assert item.says.strip(), f"{name}: {kind}.{item_name} has no `says`"
            assert item.cite, f"{name}: {kind}.{item_name} has no `cite`"


@pytest.mark.parametrize("name", NAMES)
def test_every_citation_names_the_profiles_own_source(name: str) -> None:
    profile = load(name)
    for where, citation in _citations(profile):
        match = CITATION.match(citation)
        assert match, f"{name}: {where}: {citation!r} is not FILE:LINE or FILE:FROM-TO"
        assert match["file"] == profile.source, f"{name}: {where}: {citation!r}"


@pytest.mark.parametrize("name", NAMES)
def test_every_cited_line_exists_in_the_seed_and_is_not_blank(name: str) -> None:
    profile = load(name)
    lines = _seed_lines(profile.source)
    for where, citation in _citations(profile):
        match = CITATION.match(citation)
        assert match
        first = int(match["first"])
        last = int(match["last"] or first)
        assert 1 <= first <= last <= len(lines), (
            f"{name}: {where}: {citation!r} is outside {profile.source} ({len(lines)} lines)"
        )
        for number in {first, last}:
            assert lines[number - 1].strip(), f"{name}: {where}: line {number} is blank"


@pytest.mark.parametrize("name", NAMES)
def test_every_shipped_citation_quotes_a_few_words(name: str) -> None:
    # Issue 18, item 3: a citation carries the words that state what it is cited for.
    profile = load(name)
    for where, cited in _cited(profile):
        assert cited.quote is not None, f"{name}: {where}: {cited.at} has no quote"
        words = cited.quote.split()
        assert 3 <= len(words) <= 15, f"{name}: {where}: {cited.quote!r} is not 3-15 words"
    raw = _raw(name)
    for kind in ("channels", "rules"):
        for item_name, item in raw[kind].items():
            for entry in item.get("cite", []):
                assert isinstance(entry, dict), f"{name}: {kind}.{item_name}: {entry!r}"


@pytest.mark.parametrize("name", NAMES)
def test_every_quote_is_on_its_cited_line(name: str) -> None:
    profile = load(name)
    lines = _seed_lines(profile.source)
    for where, cited in _cited(profile):
        match = CITATION.match(cited.at)
        assert match and match["file"] == profile.source, f"{name}: {where}: {cited.at!r}"
        first = int(match["first"])
        last = int(match["last"] or first)
        assert 1 <= first <= last <= len(lines), f"{name}: {where}: {cited.at!r}"
        text = _normal(" ".join(lines[first - 1 : last]))
        assert cited.quote is not None
        assert _normal(cited.quote) in text, (
            f"{name}: {where}: {cited.quote!r} is not on {cited.at}"
        )


def test_west_wycombe_cites_its_confidentiality_line() -> None:
    # Issue 18: line 7 (no personal or confidential matters disclosed) was cited nowhere.
    profile = load("west-wycombe-preschool")
    cited = {c for _where, c in _citations(profile)}
    assert "west-wycombe-preschool.txt:7" in cited
    assert "west-wycombe-preschool.txt:7" in profile.rules["child-image-forbidden"].cite
    assert "west-wycombe-preschool.txt:7" in profile.channels[PERSONAL_ACCOUNT].cite


@pytest.mark.parametrize("name", NAMES)
def test_every_parameter_says_whether_the_policy_states_it(name: str) -> None:
    # Issue 18, item 4: stated (with the line and its words) or read (and why), never silent.
    profile = load(name)
    raw = _raw(name)
    parameters = profile.parameters()
    expected = [(r, p) for r in profile.rules for p in PARAMETERS.get(r, ())]
    assert [(p.rule, p.name) for p in parameters] == expected
    for parameter in parameters:
        where = f"{name}: rules.{parameter.rule}.{parameter.name}"
        declared = raw["rules"][parameter.rule]
        assert parameter.name in {**declared.get("stated", {}), **declared.get("read", {})}, (
            f"{where} is neither stated nor read"
        )
        assert parameter.value == getattr(profile, parameter.name), where
        if parameter.stated:
            assert parameter.cited is not None and parameter.reading is None, where
        else:
            assert parameter.cited is None and parameter.reading, where
            assert parameter.reading not in (READ_BY_DEFAULT, READ_AS_SET), where


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", text.lower())


@pytest.mark.parametrize("name", NAMES)
def test_says_is_in_our_own_words(name: str) -> None:
    # `says` describes the rule for a committee member; it does not copy the policy's sentences.
    profile = load(name)
    seed = _words(" ".join(_seed_lines(profile.source)))
    run = 8
    seed_runs = {tuple(seed[i : i + run]) for i in range(len(seed) - run + 1)}
    texts = [(f"channels.{n}", c.says) for n, c in profile.channels.items()]
    texts += [(f"rules.{n}", r.says) for n, r in profile.rules.items()]
    texts += [(f"rules.{p.rule}.read.{p.name}", p.reading or "") for p in profile.parameters()]
    for where, says in texts:
        words = _words(says)
        for i in range(len(words) - run + 1):
            assert tuple(words[i : i + run]) not in seed_runs, (
                f"{name}: {where}.says copies the policy: {' '.join(words[i : i + run])!r}"
            )


# --- bad profiles are refused, saying where -----------------------------------------------------

GOOD = """\
name = "my-setting"
title = "My Setting"
policy = "Social Media Policy, 2025"
source = "my-policy.txt"

[channels.public-page]
posters = ["manager"]
child_images = "consent"
says = "The setting's page; the manager posts."
cite = ["my-policy.txt:3"]

[rules.consent-missing]
says = "A child appears only with a parent's agreement."
cite = ["my-policy.txt:4"]
"""


def _load_text(tmp_path: Path, text: str) -> Profile:
    path = tmp_path / "my-setting.toml"
    path.write_text(text, "utf-8")
    return load(str(path))


def test_a_good_own_profile_loads_with_a_personal_account(tmp_path: Path) -> None:
    profile = _load_text(tmp_path, GOOD)
    assert profile.name == "my-setting"
    assert set(profile.channels) == {"public-page", PERSONAL_ACCOUNT}
    assert profile.channels[PERSONAL_ACCOUNT].posters == []
    assert profile.channels[PERSONAL_ACCOUNT].child_images == "never"


def test_a_plain_citation_still_loads_without_a_quote(tmp_path: Path) -> None:
    # A setting's own profile written before quotes: "file:LINE" strings, read as before.
    profile = _load_text(tmp_path, GOOD)
    assert profile.rules["consent-missing"].cite == ["my-policy.txt:4"]
    assert profile.rules["consent-missing"].citations == [Cited(at="my-policy.txt:4")]
    assert profile.channels["public-page"].citations == [Cited(at="my-policy.txt:3")]


def test_a_quoted_citation_loads_beside_a_plain_one(tmp_path: Path) -> None:
    text = GOOD.replace(
        'cite = ["my-policy.txt:4"]',
        'cite = ["my-policy.txt:4", { at = "my-policy.txt:5-6", quote = "only with agreement" }]',
    )
    rule = _load_text(tmp_path, text).rules["consent-missing"]
    assert rule.cite == ["my-policy.txt:4", "my-policy.txt:5-6"]
    assert rule.citations == [
        Cited(at="my-policy.txt:4"),
        Cited(at="my-policy.txt:5-6", quote="only with agreement"),
    ]


def test_an_own_profile_that_declares_nothing_reads_its_parameters(tmp_path: Path) -> None:
    text = (
        GOOD
        + '\n[rules.withdrawn-consent-post-live]\nsays = "x"\ncite = []\ntakedown_days = 3\n'
        + '\n[rules.too-few-admins]\nsays = "x"\ncite = []\n'
        + "\n[rules.too-few-admins.stated.min_group_admins]\n"
        + 'at = "my-policy.txt:9"\nquote = "two admins at least"\n'
        + '\n[rules.referral-undecided]\nsays = "x"\ncite = []\n'
        + 'read.decision_days = "Our committee meets monthly."\n'
    )
    got = {p.name: p for p in _load_text(tmp_path, text).parameters()}
    assert set(got) == {"takedown_days", "min_group_admins", "decision_days"}
    assert (got["takedown_days"].value, got["takedown_days"].stated) == (3, False)
    assert got["takedown_days"].reading == READ_AS_SET
    assert got["min_group_admins"].value == 2 and got["min_group_admins"].stated
    assert got["min_group_admins"].cited == Cited(at="my-policy.txt:9", quote="two admins at least")
    assert got["decision_days"].value == 28
    assert got["decision_days"].reading == "Our committee meets monthly."
    only_defaults = _load_text(
        tmp_path, GOOD + '\n[rules.concern-unaddressed]\nsays = "x"\ncite = []\n'
    )
    [parameter] = only_defaults.parameters()
    assert (parameter.value, parameter.stated, parameter.reading) == (1, False, READ_BY_DEFAULT)


BAD = {
    "unknown top-level field": (
        GOOD.replace('source = "my-policy.txt"\n', 'source = "my-policy.txt"\ncolour = "blue"\n'),
        ["colour"],
    ),
    "unknown field in a rule": (
        GOOD + "colour = 1\n",
        ["colour", "rules"],
    ),
    "parameter on the wrong rule": (
        GOOD + "takedown_days = 3\n",
        ["rules.consent-missing.takedown_days", "withdrawn-consent-post-live"],
    ),
    "unknown rule name": (
        GOOD + '\n[rules.photo-police]\nsays = "x"\ncite = []\n',
        ["photo-police", "rules"],
    ),
    "bad channel name": (
        GOOD.replace("[channels.public-page]", "[channels.Public_Page]"),
        ["channels", "key"],
    ),
    "personal account that allows posters": (
        GOOD
        + '\n[channels.personal-account]\nposters = ["manager"]\nchild_images = "never"\n'
        + 'says = "x"\n',
        ["channels.personal-account", "posters = []"],
    ),
    "personal account that allows images": (
        GOOD
        + '\n[channels.personal-account]\nposters = []\nchild_images = "consent"\n'
        + 'says = "x"\n',
        ["channels.personal-account", 'child_images = "never"'],
    ),
    "personal account with a role among kinds": (
        GOOD
        + '\n[channels.personal-account]\nposters = ["guardians", "chair"]\n'
        + 'child_images = "own-children"\nsays = "x"\n',
        ["channels.personal-account", "'chair'", '"any-person"'],
    ),
    "unknown purpose": (
        GOOD.replace('posters = ["manager"]', 'posters = ["manager"]\npurposes = ["advert"]'),
        ["advert", "channels", "purposes"],
    ),
    "poster purposes where nobody may post": (
        GOOD
        + '\n[channels.personal-account]\nposters = []\nposter_purposes = ["promotion"]\n'
        + 'child_images = "never"\nsays = "x"\n',
        ["channels.personal-account.poster_purposes", "nobody may post"],
    ),
    "unknown poster role": (
        GOOD.replace('posters = ["manager"]', 'posters = ["headteacher"]'),
        ["headteacher", "channels", "posters"],
    ),
    "a summer holiday on a day no year has": (
        GOOD
        + '\n[rules.leaver-not-removed]\nsays = "x"\ncite = []\nsummer_holiday_default = "04-31"\n',
        ["rules.leaver-not-removed.summer_holiday_default", "not a day of the year", "MM-DD"],
    ),
    "a quoted citation without its line": (
        GOOD.replace('cite = ["my-policy.txt:4"]', 'cite = [{ quote = "only with agreement" }]'),
        ["cite[0]", "`at`"],
    ),
    "a parameter stated on a rule it does not belong to": (
        GOOD + 'stated.takedown_days = { at = "my-policy.txt:4", quote = "two days" }\n',
        ["rules.consent-missing.stated.takedown_days", "not a parameter of that rule"],
    ),
    "a parameter both stated and read": (
        GOOD
        + '\n[rules.referral-undecided]\nsays = "x"\ncite = []\n'
        + 'read.decision_days = "x"\n'
        + 'stated.decision_days = { at = "my-policy.txt:4", quote = "four weeks" }\n',
        ["rules.referral-undecided", "stated.decision_days", "read.decision_days"],
    ),
    "an unknown parameter read": (
        GOOD + 'read.colour = "x"\n',
        ["colour", "read"],
    ),
    "unofficial-contact without its official methods": (
        GOOD + '\n[rules.unofficial-contact]\nsays = "x"\ncite = []\n',
        ["rules.unofficial-contact", "official_contact_methods", "setting-email"],
    ),
    "an official method that is not a label": (
        GOOD
        + '\n[rules.unofficial-contact]\nsays = "x"\ncite = []\n'
        + 'official_contact_methods = ["Work Email"]\n',
        ["official_contact_methods[0]", "^[a-z][a-z0-9-]"],
    ),
    "contacts judged with someone unknown": (
        GOOD
        + '\n[rules.unofficial-contact]\nsays = "x"\ncite = []\n'
        + 'official_contact_methods = ["setting-email"]\ncontacts_judged = ["pupils"]\n'
        + 'read.official_contact_methods = "x"\n',
        ["contacts_judged[0]", "pupils"],
    ),
    "official methods on another rule": (
        GOOD + 'official_contact_methods = ["setting-email"]\n',
        ["rules.consent-missing.official_contact_methods", "unofficial-contact"],
    ),
    "malformed TOML": (
        GOOD.replace("[rules.consent-missing]", "[rules.consent-missing"),
        ["not valid TOML", "line 12"],
    ),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_profile_is_refused_naming_the_place(tmp_path: Path, case: str) -> None:
    text, expected = BAD[case]
    with pytest.raises(ProfileError) as refused:
        _load_text(tmp_path, text)
    message = str(refused.value)
    assert message.startswith("my-setting.toml: "), message
    for part in expected:
        assert part in message, f"{case}: {part!r} not in {message!r}"


def test_bad_profile_text_is_refused_by_decode_too() -> None:
    with pytest.raises(ProfileError, match=r"^pasted\.toml: .*colour"):
        decode(GOOD + "colour = 1\n", "pasted.toml")


def test_unknown_shipped_profile_name_lists_the_shipped_ones() -> None:
    with pytest.raises(ProfileError) as refused:
        load("no-such-setting")
    assert "no-such-setting" in str(refused.value)
    for name in NAMES:
        assert name in str(refused.value)


@pytest.mark.parametrize("day", ["02-29", "04-30", "12-31", "01-01"])
def test_a_summer_holiday_on_any_real_day_loads(tmp_path: Path, day: str) -> None:
    text = (
        GOOD
        + f'\n[rules.leaver-not-removed]\nsays = "x"\ncite = []\nsummer_holiday_default = "{day}"\n'
    )
    profile = _load_text(tmp_path, text)
    assert profile.summer_holiday_start(2026).strftime("%m-%d") == (
        "02-28" if day == "02-29" else day
    )
