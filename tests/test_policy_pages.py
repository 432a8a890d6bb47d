"""The policy's pages say what a committee may change and how each line is judged (issue 18,
items 2 and 4), and the integrity page says who keeps what (issue 12): the pure pages, made
from a shipped profile's data without a ledger or MkDocs."""

from __future__ import annotations

import pytest

from ledger.profile import coverage, load, shipped
from tests.test_pages import made, site_data


def _files(profile: str, *, lines: bool = True) -> dict[str, str]:
    table = coverage(load(profile)) if lines else []
    return made(site_data(profile), profile, "committee", lines=table).files()


@pytest.mark.parametrize("profile", shipped())
def test_every_checkable_line_is_on_the_lines_page_with_how_it_is_judged(profile: str) -> None:
    page = _files(profile)["policy-lines.md"]
    lines = coverage(load(profile))
    assert lines, profile
    for line in lines:
        if line.status == "not-checkable":
            continue
        assert f"“{line.quote}”" in page.replace("\\", ""), (profile, line.line)
    words = {"judged", "judged in part", "left to judgement", "not checked yet"}
    assert any(w in page for w in words)


def test_a_settings_own_profile_gets_no_table_but_says_why() -> None:
    assert "| Line |" in _files("south-woodham-preschool")["policy-lines.md"]
    # The same data with no table (a setting's own profile ships none).
    own = _files("south-woodham-preschool", lines=False)["policy-lines.md"]
    assert "no line-by-line table" in own and "| Line |" not in own


def test_the_policy_page_says_which_figures_the_policy_states_and_which_are_read() -> None:
    page = _files("south-woodham-preschool")["policy.md"]
    # South Woodham states two administrators (line 126); the takedown days are the ledger's.
    stated = "Administrators needed:** 2 (stated by the policy (south-woodham-preschool.txt:126"
    assert stated in page
    takedown = "Posts come down within:** 2 days of a withdrawal (the ledger's reading"
    assert takedown in page
    assert "day(s)" not in page


def test_the_integrity_page_says_who_keeps_what() -> None:
    page = _files("west-wycombe-preschool")["integrity.md"]
    assert "## Who keeps what" in page
    for who in ("A parent or carer", "An inspector or the local authority", "The manager"):
        assert f"**{who}:**" in page
    assert "(checkpoint.txt)" in page and "(public-key.txt)" in page
