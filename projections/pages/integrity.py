"""The integrity page: the head checkpoint as signed, the public verifier key, and how an
inspector checks the ledger with them."""

from __future__ import annotations

from projections import report
from projections.pages.context import (
    CHECKPOINT_FILE,
    PUBLIC_KEY_FILE,
    PageContext,
)
from projections.pages.markdown import (
    bullets,
    moment_,
)


def integrity_page(w: PageContext, h: report.IntegrityReport) -> str:
    """The head checkpoint, the public key, and how an inspector checks the ledger with them."""
    out = ["# Integrity\n", w.stamp()]
    out.append(
        "Every fact the ledger records is a leaf of an append-only Merkle tree (the form"
        " Certificate Transparency uses, RFC 9162), and after every write the ledger signs a"
        " *checkpoint*: the number of facts and the tree's root. Changing, removing,"
        " inserting or reordering any fact changes the root, so a checkpoint published here"
        " lets anyone check later that the ledger only grew.\n"
    )
    out.append("## Who keeps what\n")
    out.append(
        bullets(
            [
                (
                    "A parent or carer",
                    "keeps their consent receipt (the setting gives it: `ledger receipt`) and"
                    f" this page's public key ([{PUBLIC_KEY_FILE}]({PUBLIC_KEY_FILE})): with"
                    " both, they can check that their consent, or its withdrawal, is on record"
                    " without asking the setting again.",
                ),
                (
                    "An inspector or the local authority",
                    "keeps the public key and this build's checkpoint"
                    f" ([{CHECKPOINT_FILE}]({CHECKPOINT_FILE})): a later export must give the"
                    " same findings and must extend this checkpoint, so nothing before it can"
                    " have been cut or rewritten.",
                ),
                (
                    "The manager",
                    "keeps the ledger, its private signing key (never given out) and its key"
                    " store, backed up together, and runs `ledger verify --key KEY` (the key"
                    " below) after any restore.",
                ),
            ]
        )
    )
    out.append("## The ledger at this build\n")
    signature = (
        "checks against the public key below"
        if h.verified
        else "**does not check against the key below**"
    )
    out.append(
        bullets(
            [
                ("Facts in the tree (tree size)", f"{h.size:,}"),
                ("Checkpoint number", f"{h.checkpoints:,}"),
                ("Signed at", moment_(h.signed_at)),
                ("Signature", signature),
            ]
        )
    )
    out.append("The root of the tree, in hex (as `ledger verify --key KEY` prints it):\n")
    out.append(f"```text\n{h.root}\n```\n")
    out.append(
        "The last signed checkpoint, exactly as the ledger signed it (download it as"
        f" [{CHECKPOINT_FILE}]({CHECKPOINT_FILE}) and keep it):\n"
    )
    out.append("```text\n" + h.note.rstrip("\n") + "\n```\n")
    out.append("## The public verifier key\n")
    out.append(
        f"Download it as [{PUBLIC_KEY_FILE}]({PUBLIC_KEY_FILE}) (the same text as the ledger's"
        " `PATH.pub`). Every check below is given this key: a file that carries its own key"
        " proves nothing, since whoever could change the file could change the key.\n"
    )
    out.append("```text\n" + h.verifier_key + "\n```\n")
    out.append(
        "The key can only check signatures, not make them. Keep a copy of this page (or of the"
        " key and the checkpoint) outside the setting: it is what later checks compare with.\n"
    )
    out.extend(_witness_section(h))
    out.append("## How an inspector checks the ledger\n")
    out.append(
        "**On the ledger itself.** Run\n\n"
        "```sh\nledger --db LEDGER verify --key " + h.verifier_key + "\n```\n\n"
        "It recomputes the tree from every stored fact and checks every signed checkpoint"
        " with the key. It prints `Intact:` with the number of facts and the root, or names"
        " the first position that does not match. While nothing has been recorded since this"
        f" build, the number is {h.size:,} and the root is the one above; once more facts are"
        f" recorded the number grows, and checkpoint {h.checkpoints:,} above must still be"
        " among the checkpoints that verify.\n"
    )
    out.append(
        "**With an export, on any computer.** Ask the setting for its audit trail and replay"
        " it independently:\n\n"
        "```sh\nledger --db LEDGER export > audit-trail.jsonl\n"
        "ledger replay audit-trail.jsonl --json --key " + h.verifier_key + "\n"
        f"ledger replay audit-trail.jsonl --key {h.verifier_key} --published"
        f" {CHECKPOINT_FILE}\n```\n\n"
        "The export carries every fact with its leaf hash and every signed checkpoint. The"
        " replay recomputes the tree without the setting's database, checks the checkpoints,"
        " and reports the head (tree size and root). The checkpoint above appears in the"
        f" export as the `Checkpoint` line with sequence {h.checkpoints:,}, with the same"
        " note; `ledger export --as-of DATE` cuts the trail at a past day. With"
        f" `--published {CHECKPOINT_FILE}` (the file kept from this page) the replay also"
        " refuses a trail cut back to before this checkpoint, or one from another history.\n"
    )
    out.append(
        "**A parent's receipt, a consistency proof.**\n\n"
        f"```sh\nledger receipt --check receipt.json --key {h.verifier_key}\n"
        f"ledger consistency --check proof.json --key {h.verifier_key}\n```\n\n"
        "Instead of `--key`, the key can be kept in a trusted-keys"
        " file, one key a line (`~/.config/policy-ledger/trusted-keys`, or `--trusted FILE`)."
        " Without a key no check says `Verified`.\n"
    )
    return "\n".join(out)


def _witness_section(h: report.IntegrityReport) -> list[str]:
    """The latest checkpoint a witness outside the setting cosigned, and the witness's key
    (nothing when no witness has cosigned one)."""
    w = h.witness
    if w is None:
        return []
    keys = "\n".join(w.keys)
    since = h.size - w.size
    behind = (
        " (the latest: every fact is witnessed)"
        if since == 0
        else f"; the {since:,} {'fact' if since == 1 else 'facts'} recorded since"
        f" {'is' if since == 1 else 'are'} not yet witnessed"
    )
    example = " ".join(f"--witness {key}" for key in w.keys)
    return [
        "## The witness\n",
        "A witness outside the setting (the federation or the local authority) checks that"
        " each checkpoint extends the last one it cosigned, so that the setting cannot show one"
        " history to a parent and another to an inspector, and then adds its own signature"
        " (a C2SP cosignature) to the checkpoint. The latest checkpoint it cosigned, on"
        f" {moment_(w.cosigned_at)}, covers the first {w.size:,}"
        f" {'fact' if w.size == 1 else 'facts'}{behind}:\n",
        "```text\n" + w.note.rstrip("\n") + "\n```\n",
        "The witness's public key (a check given it also requires the witness's cosignature):\n",
        "```text\n" + keys + "\n```\n",
        f"```sh\nledger receipt --check receipt.json --key {h.verifier_key} {example}\n```\n",
    ]
