"""Text as the store keeps it: a NUL byte (``0x00``) becomes U+FFFD, the replacement character.

PostgreSQL text cannot hold NUL at all (a load with one fails whole), and SQLite cuts a JSON
value off at it (``E1\\x00DROP`` became ``E1``). A client's file may carry one anywhere, so
every bulk write stores it the same visible way on both stores instead of failing or
truncating.
"""

from __future__ import annotations

import polars as pl

NUL_REPLACEMENT = "\ufffd"


def storable(text: pl.Expr) -> pl.Expr:
    """``text`` (a String expression) with every NUL replaced."""
    return text.str.replace_all("\x00", NUL_REPLACEMENT, literal=True)
