"""Vectorised parsing of people-written strings into typed Polars columns.

A value that cannot be parsed becomes null, and the rules report it against its field; the
raw string is kept for the reviewer. Number normalisation runs in stages, each materialised
as a column, so every stage reads the previous one once (a nested expression would evaluate
the earlier stages again for every reference).
"""

from __future__ import annotations

import polars as pl

_NOISE = r"[\s\u00a0\u202f$€£¥'`]|USD|EUR|GBP|CAD"
#: 1.234.567,89 or 12,5: comma as the decimal separator (European style); "1,234" is US grouping.
_EUROPEAN = r"^-?(\d{1,3}(\.\d{3})+,\d{1,4}|\d+,\d{1,2})$"
_NUMBER = r"^[-+]?(\d+\.?\d*|\.\d+)$"
NUM_SUFFIX = "__num"

DATE_FORMATS = ("%Y-%m-%d", "%m/%d/%Y", "%Y/%m/%d", "%d.%m.%Y", "%m-%d-%Y", "%Y%m%d", "%d-%b-%Y")


def clean_text(col: str) -> pl.Expr:
    """Strip surrounding whitespace; empty becomes null."""
    s = pl.col(col).str.strip_chars()
    return pl.when(s == "").then(None).otherwise(s)


_PLAIN = r"^-?\d+(\.\d+)?$"


def with_number_text(frame: pl.DataFrame, cols: list[str]) -> pl.DataFrame:
    """Add ``<col>__num``: a canonical ``-1234.56`` string (or null) for each of ``cols``.

    Accepts ``$1,234.56``, ``(1,234.56)``, ``1.234,56``, ``12-`` and currency codes. Values that
    are already plain numbers (nearly all, in practice) are taken as they are; the others are
    normalised once per distinct value and mapped back, so no copy of the frame is made.
    """
    out = []
    # One pass over all columns (in parallel): the distinct values that are not plain numbers.
    odd_values = frame.select(
        pl.col(c).filter(~(pl.col(c).is_null() | pl.col(c).str.contains(_PLAIN))).unique().implode()
        for c in cols
    )
    for c in cols:
        odd = odd_values.get_column(c).explode().drop_nulls().to_frame()
        if odd.height == 0:
            out.append(pl.col(c).alias(f"{c}{NUM_SUFFIX}"))
            continue
        fixed = _normalise(odd, [c], [f"{c}{NUM_SUFFIX}"])
        out.append(
            pl.col(c)
            .replace(fixed.get_column(c), fixed.get_column(f"{c}{NUM_SUFFIX}"))
            .alias(f"{c}{NUM_SUFFIX}")
        )
    return frame.with_columns(out)


def _normalise(frame: pl.DataFrame, cols: list[str], out: list[str]) -> pl.DataFrame:
    lf = frame.lazy().with_columns(
        pl.col(c).str.replace_all(_NOISE, "").alias(o) for c, o in zip(cols, out, strict=True)
    )
    lf = lf.with_columns(
        pl.when(pl.col(o).str.starts_with("(") & pl.col(o).str.ends_with(")"))
        .then(pl.lit("-") + pl.col(o).str.strip_chars("()"))
        .when(pl.col(o).str.ends_with("-") & ~pl.col(o).str.starts_with("-"))
        .then(pl.lit("-") + pl.col(o).str.strip_chars_end("-"))
        .otherwise(pl.col(o))
        .alias(o)
        for o in out
    )
    lf = lf.with_columns(
        pl.when(pl.col(o).str.contains(_EUROPEAN))
        .then(pl.col(o).str.replace_all(".", "", literal=True).str.replace(",", ".", literal=True))
        .otherwise(pl.col(o).str.replace_all(",", "", literal=True))
        .alias(o)
        for o in out
    )
    lf = lf.with_columns(
        pl.when(pl.col(o).str.contains(_NUMBER)).then(pl.col(o).str.strip_prefix("+")).alias(o)
        for o in out
    )
    return lf.collect()


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
