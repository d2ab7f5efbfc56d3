"""Vectorised parsing of people-written strings into typed Polars columns.

A value that cannot be parsed becomes null, and the rules report it against its field; the
raw string is kept for the reviewer. Numbers are read by the one money parser
(``schemas.money``), once per distinct value that is not already a plain number.
"""

from __future__ import annotations

import polars as pl

from schemas.money import amount_columns

NUM_SUFFIX = "__num"

DATE_FORMATS = ("%Y-%m-%d", "%m/%d/%Y", "%Y/%m/%d", "%d.%m.%Y", "%m-%d-%Y", "%Y%m%d", "%d-%b-%Y")


def clean_text(col: str) -> pl.Expr:
    """Strip surrounding whitespace; empty becomes null."""
    s = pl.col(col).str.strip_chars()
    return pl.when(s == "").then(None).otherwise(s)


def with_number_text(frame: pl.DataFrame, cols: list[str]) -> pl.DataFrame:
    """Add ``<col>__num``: the canonical ``-1234.56`` text (or null) of each of ``cols``, as
    the one money parser reads them (:func:`schemas.money.amount_columns`)."""
    return amount_columns(frame, cols, NUM_SUFFIX)


def excess_precision(num_col: str, scale: int) -> pl.Expr:
    """True where the canonical number carries non-zero digits past ``scale`` decimals."""
    return pl.col(num_col).str.contains(rf"\.\d{{{scale}}}\d*[1-9]").fill_null(False)


def to_decimal(num_col: str, dtype: pl.Decimal, excess: pl.Expr | None = None) -> pl.Expr:
    """Cast a canonical number column; values with more decimals than ``dtype`` are null.

    ``excess`` may name an already computed :func:`excess_precision` column, so the pattern
    is not matched twice.
    """
    too_precise = excess_precision(num_col, dtype.scale or 0) if excess is None else excess
    return pl.when(too_precise).then(None).otherwise(pl.col(num_col).cast(dtype, strict=False))


def map_distinct(frame: pl.DataFrame, source: str, parse: pl.Expr, name: str) -> pl.Series:
    """``parse`` (an expression over ``pl.col(source)``) applied once per distinct value.

    For low-cardinality columns (account types, dates): a million rows become a handful of
    evaluations and one hash lookup per row.
    """
    distinct = frame.select(pl.col(source).drop_nulls().unique()).with_columns(parse.alias("__v"))
    return (
        frame.get_column(source)
        .replace_strict(
            distinct.get_column(source),
            distinct.get_column("__v"),
            default=None,
            return_dtype=distinct.schema["__v"],
        )
        .alias(name)
    )


def to_date(col: str) -> pl.Expr:
    """Parse dates in the common formats (US month-first for slashes); invalid dates are null."""
    s = pl.col(col).str.strip_chars().str.replace(r"[T ]00:00:00(\.0+)?$", "")
    return pl.coalesce([s.str.to_date(fmt, strict=False) for fmt in DATE_FORMATS])


def parse_dates(frame: pl.DataFrame, columns: dict[str, str]) -> pl.DataFrame:
    """Add parsed date columns (``{target: source}``), parsing each distinct text once.

    A batch has few distinct dates (one pay date, one period), so this turns a million parses
    per format into a handful and a hash lookup.
    """
    return frame.with_columns(
        map_distinct(frame, source, to_date(source), target) for target, source in columns.items()
    )
