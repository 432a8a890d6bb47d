"""A consent receipt a parent can read (issue 15, item 6): the page, and its check.

The page is made from the receipt it carries; its check takes the receipt out, checks it
against the key the reader supplies, and refuses a page whose words differ in any byte from the
ones the ledger writes for that receipt. Tested as the adversary: a page that says "until it is
withdrawn" over a receipt that says withdrawn, a page carrying another ledger's receipt, two
receipts on one page, an entity-escaped twin of the genuine page.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from ledger import receipt_page
from ledger.checkpoint import Signer, Verifier
from ledger.receipts import ReceiptError, check
from tests.conftest import NewDb, config_for
from tests.test_cli import NOW, assert_private, ledger, run


@pytest.fixture(autouse=True)
def _pinned_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LEDGER_NOW", NOW)
    monkeypatch.delenv("LEDGER_DB", raising=False)
    monkeypatch.delenv("LEDGER_KEY", raising=False)


def _receipt(
    capsys: pytest.CaptureFixture[str], new_db: NewDb, *, withdraw: bool
) -> tuple[bytes, Verifier]:
    db = ledger(capsys, new_db)
    if withdraw:
        done = run(
            capsys, "--db", db, "consent", "withdraw", "--child", "C-0001", "--guardian",
            "G-0001", "--channel", "closed-group", "--on", "2026-02-27",
        )  # fmt: skip
        assert done.status == 0, done.text
    made = run(capsys, "--db", db, "receipt", "C-0001")
    assert made.status == 0, made.text
    signer = Signer.load(config_for(db, Path.cwd()).key_path)
    return made.out.encode(), Verifier.from_vkey(signer.verifier_key())


def test_the_page_says_when_by_whom_and_how_and_checks(
    workdir: Path, new_db: NewDb, capsys: pytest.CaptureFixture[str]
) -> None:
    data, key = _receipt(capsys, new_db, withdraw=False)
    page = receipt_page.render(data)
    assert receipt_page.is_page(page.encode())
    assert not receipt_page.is_page(data)
    text = re.sub(r"<[^>]+>", " ", page)
    # BASE_SW: G-0001 gave consent on paper for the closed group on 2 September 2025.
    row = re.search(r'<tr><td data-label="Where">closed group</td>.*?</tr>', page)
    assert row, page
    assert "2 September 2025" in row[0] and "G-0001" in row[0] and "paper" in row[0]
    assert "until it is withdrawn" in row[0]
    assert "F-17" not in page  # the form's reference is sealed: withheld on the page too
    assert "Kantara" in text and "KI-CR-v1.1.0" in text
    assert_private(page)
    # The check of the page proves what the check of the receipt proves.
    assert receipt_page.check_page(page.encode(), [key]) == check(data, [key])
    assert receipt_page.carried(page.encode()) == data


def test_a_withdrawn_channel_reads_withdrawn_on_the_page(
    workdir: Path, new_db: NewDb, capsys: pytest.CaptureFixture[str]
) -> None:
    data, key = _receipt(capsys, new_db, withdraw=True)
    page = receipt_page.render(data)
    row = re.search(r'<tr><td data-label="Where">closed group</td>.*?</tr>', page)
    assert row and "withdrawn on 27 February 2026" in row[0], page
    assert "until it is withdrawn" not in page
    proven = receipt_page.check_page(page.encode(), [key])
    assert any("consent withdrawn for C-0001" in line for line in proven)
    # A page that hides the withdrawal, over the genuine receipt, is refused.
    forged = page.replace("<strong>withdrawn on 27 February 2026</strong>", "until it is withdrawn")
    assert forged != page
    with pytest.raises(ReceiptError, match="words are not the ones"):
        receipt_page.check_page(forged.encode(), [key])


@pytest.fixture
def genuine(
    workdir: Path, new_db: NewDb, capsys: pytest.CaptureFixture[str]
) -> tuple[bytes, bytes, Verifier]:
    data, key = _receipt(capsys, new_db, withdraw=True)
    return data, receipt_page.render(data).encode(), key


def test_another_key_a_second_receipt_or_no_receipt_is_refused(
    genuine: tuple[bytes, bytes, Verifier],
) -> None:
    _data, page, key = genuine
    other = Verifier.from_vkey(Signer.generate("policy-ledger").verifier_key())
    with pytest.raises(ReceiptError):
        receipt_page.check_page(page, [other])
    start = receipt_page.START.encode()
    carried = page.split(start, 1)[1].split(b"</pre>", 1)[0]
    doubled = page.replace(b"</details>", start + carried + b"</pre>\n</details>")
    with pytest.raises(ReceiptError, match="exactly one receipt"):
        receipt_page.check_page(doubled, [key])
    with pytest.raises(ReceiptError, match="exactly one receipt"):
        receipt_page.check_page(page.replace(start, b"<pre>"), [key])
    with pytest.raises(ReceiptError, match="not UTF-8"):
        receipt_page.check_page(page + b"\xff", [key])


def test_an_entity_spelled_twin_of_the_page_is_refused(
    genuine: tuple[bytes, bytes, Verifier],
) -> None:
    # The carried receipt, with a character spelled as an HTML entity: the same receipt once
    # unescaped, but not the page the ledger writes, so not what was checked.
    data, page, key = genuine
    text = page.decode()
    index = text.index(receipt_page.START) + len(receipt_page.START) + 1
    twin = text[:index] + f"&#{ord(text[index])};" + text[index + 1 :]
    assert html.unescape(twin) != twin
    assert receipt_page.carried(twin.encode()) == data
    with pytest.raises(ReceiptError, match="words are not the ones"):
        receipt_page.check_page(twin.encode(), [key])


# The fixture's page is only read, never changed, so one page serves every example.
@settings(
    max_examples=max(20, settings.default.max_examples),
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(where=st.floats(0, 1, exclude_max=True), char=st.sampled_from(list('aZ09"{}:,<>&;/ -')))
def test_any_edit_of_the_page_fails_its_check(
    genuine: tuple[bytes, bytes, Verifier], where: float, char: str
) -> None:
    _data, page, key = genuine
    text = page.decode()
    index = int(where * len(text))
    assume(text[index] != char)
    edited = (text[:index] + char + text[index + 1 :]).encode()
    with pytest.raises(ReceiptError):
        receipt_page.check_page(edited, [key])


def test_the_command_writes_the_page_and_checks_it(
    workdir: Path, new_db: NewDb, capsys: pytest.CaptureFixture[str]
) -> None:
    db = ledger(capsys, new_db)
    made = run(capsys, "--db", db, "receipt", "C-0001", "--format", "html")
    assert made.status == 0, made.text
    page = workdir / "receipt.html"
    page.write_text(made.out)
    assert made.out == receipt_page.render(receipt_page.carried(made.out.encode()))
    vkey = Signer.load(config_for(db, Path.cwd()).key_path).verifier_key()
    checked = run(capsys, "receipt", "--check", str(page), "--key", vkey)
    assert checked.status == 0, checked.text
    assert checked.out.startswith("Verified: this receipt's facts are in the signed ledger.")
    assert "consent granted for C-0001 on closed-group on 2025-09-02" in checked.out
    # Without a key there is no verdict; with the words changed, the page is refused.
    assert run(capsys, "receipt", "--check", str(page)).status == 2
    page.write_text(made.out.replace("until it is withdrawn", "until 2030"))
    forged = run(capsys, "receipt", "--check", str(page), "--key", vkey)
    assert forged.status == 1 and "NOT VERIFIED" in forged.out, forged.text
