"""Benchmarks of the ledger (``make bench``, ``make bench-quick``): see ``bench/README.md``.

Benchmarks report; they never fail because a machine is slow.
"""
