"""A consent receipt as a page a parent can read and print, carrying the checkable receipt.

``ledger receipt C-0001 --format html`` writes this page. The words on it (which channels,
when consent was given, by which parent or carer, how, until when or when withdrawn) are made
from the receipt it carries, which sits on the page byte for byte (HTML-escaped) inside
``<pre id="consent-receipt">``. ``ledger receipt --check receipt.html`` takes that receipt out,
checks it as it checks a JSON receipt (against the key the reader supplies), and then makes
the page again from it: a page whose words differ in any byte from the ones the ledger writes
for that receipt is refused, so what a parent reads is what was checked.

The page names no person: the child and the parent or carer appear by reference, as in the
receipt; the consent form's reference is withheld there and here.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from collections.abc import Sequence
from typing import Any, Final

import msgspec

from ledger.checkpoint import Verifier
from ledger.receipts import ReceiptError, check

START: Final = '<pre id="consent-receipt">'
END: Final = "</pre>"
DOCTYPE: Final = b"<!DOCTYPE html>"

_STYLE: Final = """\
body{font-family:system-ui,sans-serif;max-width:46rem;margin:1.5rem auto;padding:0 1rem;\
line-height:1.5;color:#1b1b1b}
table{border-collapse:collapse;width:100%}th,td{border:1px solid #bbb;padding:.4rem;\
text-align:left;vertical-align:top}
pre{white-space:pre-wrap;word-break:break-all;font-size:.75rem}
code{word-break:break-all}
@media print{details{display:none}}
@media (max-width:36rem){.record thead{display:none}.record tr{display:block;margin-bottom:.8rem}\
.record td{display:block;border-top:none}.record tr td:first-child{border-top:1px solid #bbb}\
.record td::before{content:attr(data-label) ": ";font-weight:bold}}"""


def is_page(data: bytes) -> bool:
    """Whether ``data`` looks like a receipt page rather than a JSON receipt."""
    return data.lstrip().startswith(DOCTYPE)


def _day(text: object) -> str:
    """A date of the receipt in words: 2025-09-01 -> 1 September 2025."""
    try:
        day = dt.date.fromisoformat(str(text))
    except ValueError:
        return html.escape(str(text))
    return f"{day.day} {day:%B %Y}"


def _words(label: object) -> str:
    """A channel or method as words: closed-group -> closed group."""
    return html.escape(str(label).replace("-", " "))


def _rows(receipt: dict[str, Any]) -> list[str]:
    """One row per grant: where, when, by whom, how, and until when (or when withdrawn)."""
    facts = [f for f in receipt["ledger"]["facts"][1:] if isinstance(f, dict)]
    grants = [f for f in facts if f.get("type") == "ConsentGranted"]
    rows = []
    for grant in sorted(grants, key=lambda f: int(f.get("position", 0))):
        later = [
            f
            for f in facts
            if f.get("type") == "ConsentWithdrawn"
            and f.get("channel") == grant.get("channel")
            and int(f.get("position", 0)) > int(grant.get("position", 0))
        ]
        if later:
            until = f"<strong>withdrawn on {_day(later[0].get('on'))}</strong>"
        elif grant.get("expires"):
            until = f"until {_day(grant['expires'])}"
        else:
            until = "until it is withdrawn"
        rows.append(
            "<tr>"
            f'<td data-label="Where">{_words(grant.get("channel"))}</td>'
            f'<td data-label="Consent given">{_day(grant.get("on"))}</td>'
            f'<td data-label="By">{html.escape(str(grant.get("guardian", "not recorded")))}</td>'
            f'<td data-label="How">{_words(grant.get("method", "not recorded"))}</td>'
            f'<td data-label="For how long">{until}</td>'
            "</tr>"
        )
    return rows


def _checkpoint_size(note: object) -> str:
    lines = str(note).split("\n")
    return f"{int(lines[1]):,}" if len(lines) > 1 and lines[1].isdigit() else "?"


def render(data: bytes) -> str:
    """The page for a receipt, given exactly as the ledger writes it (one JSON line)."""
    receipt = msgspec.json.decode(data)
    setting = html.escape(str(receipt["piiControllers"][0]["piiController"]))
    child = html.escape(str(receipt["piiPrincipalId"]))
    key = html.escape(str(receipt["publicKey"]))
    rows = _rows(receipt)
    size = _checkpoint_size(receipt["ledger"]["checkpoint"])
    kantara = [
        ("Receipt", html.escape(str(receipt["consentReceiptID"]))),
        ("Form of receipt", f"Kantara Initiative Consent Receipt, {receipt['version']}"),
        ("Jurisdiction", html.escape(str(receipt["jurisdiction"]))),
        ("Language", html.escape(str(receipt["language"]))),
        ("Consent given (latest)", _day(_date_of(receipt["consentTimestamp"]))),
        ("How it was collected", _words(receipt["collectionMethod"])),
        ("Special category of data", "yes" if receipt["sensitive"] else "no"),
        ("Kind of data", html.escape(", ".join(str(c) for c in receipt["spiCat"]))),
        ("Shared with anyone else", "no"),
    ]
    out = [
        "<!DOCTYPE html>",
        '<html lang="en-GB">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>Consent receipt for {child}: {setting}</title>",
        f"<style>{_STYLE}</style>",
        "</head>",
        "<body>",
        "<main>",
        "<h1>Consent receipt</h1>",
        f"<p>From <strong>{setting}</strong>, for the child <strong>{child}</strong>: the"
        " consents to images of the child that the setting has on record, as its signed record"
        " shows them. Keep this page: it lets you check, without asking the setting again,"
        " that your consent (or its withdrawal) is in the record.</p>",
        "<h2>What is on record</h2>",
        '<table class="record">',
        "<thead><tr><th>Where</th><th>Consent given</th><th>By (parent or carer)</th>"
        "<th>How</th><th>For how long</th></tr></thead>",
        "<tbody>",
        *rows,
        "</tbody>",
        "</table>",
        "<p>The consent form's own reference is withheld: it is sealed in the record and"
        " only the setting can open it.</p>",
        "<h2>How to check this receipt</h2>",
        f"<p>It is signed by the setting's key and proven against its signed record of {size}"
        " facts. To check it, get the setting's public key from its own site (the Integrity"
        " page) or from the setting, and run:</p>",
        "<p><code>ledger receipt --check receipt.html --key KEY</code></p>",
        f"<p>This receipt says it is signed by <code>{key}</code>; a check counts only with a"
        " key you got from the setting yourself.</p>",
        "<h2>The receipt's details</h2>",
        "<table>",
        "<tbody>",
        *(f"<tr><th>{name}</th><td>{value}</td></tr>" for name, value in kantara),
        "</tbody>",
        "</table>",
        "<details>",
        "<summary>The checkable receipt (for a computer)</summary>",
        START + html.escape(data.decode().removesuffix("\n"), quote=False) + END,
        "</details>",
        "</main>",
        "</body>",
        "</html>",
    ]
    return "\n".join(out) + "\n"


def _date_of(timestamp: object) -> str:
    if not isinstance(timestamp, int):
        return str(timestamp)
    return dt.datetime.fromtimestamp(timestamp, dt.UTC).date().isoformat()


_CARRIED = re.compile(re.escape(START) + r"(.*?)" + re.escape(END), re.DOTALL)


def carried(page: bytes) -> bytes:
    """The receipt a page carries, exactly as the ledger wrote it; ``ReceiptError`` if none."""
    try:
        text = page.decode()
    except UnicodeDecodeError:
        raise ReceiptError("this is not a consent receipt page of the ledger (not UTF-8)") from None
    found = _CARRIED.findall(text)
    if len(found) != 1:
        raise ReceiptError(
            "this is not a consent receipt page of the ledger (it should carry exactly one receipt)"
        )
    return html.unescape(found[0]).encode() + b"\n"


def check_page(page: bytes, trusted: Sequence[Verifier]) -> list[str]:
    """Check the receipt a page carries, then that the page says exactly what it proves."""
    data = carried(page)
    proven = check(data, trusted)
    if render(data).encode() != page:
        raise ReceiptError(
            "the page's words are not the ones the ledger writes for the receipt it carries:"
            " what a person reads on it might not be what is checked"
        )
    return proven
