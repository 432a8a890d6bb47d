"""The ledger's use cases, one function each (issue 13): what the command line, the bench, the
tests and any later front end call, and nothing below them.

Each function takes what it works on as arguments (the opened ``Ledger`` or its ``Config``, the
signer or the trusted keys, the clock) and returns a typed result or raises a typed error
(``ledger.service.errors``). None of them prints, reads ``argv`` or exits: the command line
(``ledger.cli``) parses, opens, calls one function and prints what it returns.

- ``setup``: init, demo;
- ``recording``: record facts (and a recording command's fact, and what it changed);
- ``importing``: import a JSON Lines file or a spreadsheet's register (or a dry run);
- ``reading``: findings, check post;
- ``people``: forget, subject, retention;
- ``audit``: export, checkpoint, verify, consistency;
- ``inspection``: replay, a consistency proof checked, receipts (made, and checked offline);
- ``publishing``: site build, follow;
- ``trust``: the signing key, the trusted keys, published checkpoints, the key store's check;
- ``errors``: ``Refusal`` (nothing done), ``Failure`` (a "no" about the ledger), ``NotVerified``
  (a file checked offline that does not verify).
"""
