"""NACHA PPD credit file for the valid payments of a payroll batch, built column-wise.

Layout: file header (1), per effective date one or more batches (5 header, 6 entries, 8
control), file control (9), then ``9``-filled records to a multiple of 10 (blocking factor 10).
Every record is 94 characters. Trace numbers are the ODFI's 8 digits plus a 7-digit sequence,
ascending through the file; the entry hash is the sum of the RDFI 8-digit routing prefixes,
last 10 digits.

Amount fields bound what one entry, batch and file can carry: an entry's amount has 10 digits
(at most 99,999,999.99; a larger net pay goes to review as ``PAY-AMOUNT-TOO-LARGE`` and never
reaches here), batch and file control totals 12 digits (at most 9,999,999,999.99). Batches
are split so each control total fits, and when the credits of a whole batch pass the file
total, the payments go out as several NACHA files (:func:`build_ppd_files`), each complete
and balanced on its own, told apart by the file ID modifier (A, B, C...).
"""

from __future__ import annotations

import datetime as dt
import io
import string
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

import polars as pl

from schemas.payroll_options import AchOriginator

RECORD_LENGTH = 94
BLOCKING_FACTOR = 10
MAX_ENTRIES_PER_BATCH = 99_999
#: Largest amount of one entry (10 digits of cents).
MAX_ENTRY_CENTS = 10**10 - 1
MAX_ENTRY_AMOUNT = Decimal(MAX_ENTRY_CENTS).scaleb(-2)
#: Largest batch or file control total (12 digits of cents).
MAX_TOTAL_CENTS = 10**12 - 1
#: Entries one file can number: trace sequences have 7 digits.
MAX_FILE_ENTRIES = 9_999_999
#: Batches one file can count (6 digits), and records its block count allows (6 digits).
MAX_FILE_BATCHES = 999_999
MAX_FILE_RECORDS = 999_999 * 10
#: File ID modifiers, one per file of a run: A-Z, then 0-9.
FILE_ID_MODIFIERS = string.ascii_uppercase + string.digits
CREDIT_CHECKING, CREDIT_SAVINGS = "22", "32"
ENTRY_COLUMNS = [
    "record_index",
    "pay_date",
    "account_type",
    "routing_number",
    "account_number",
    "net_pay",
    "employee_id",
    "employee_name",
]


def _sorted(payments: pl.DataFrame) -> bool:
    """Already in (pay_date, record_index) order? Then no sorted copy is needed."""
    key = payments.select(
        (pl.col("pay_date").diff().dt.total_days().fill_null(0) >= 0).all()
        & (
            (pl.col("pay_date").diff().dt.total_days().fill_null(0) > 0)
            | (pl.col("record_index").cast(pl.Int64).diff().fill_null(1) > 0)
        ).all()
    )
    return bool(key.item())


_NOT_PRINTABLE = r"[^\x20-\x7E]"
_NOT_UPPER_PRINTABLE = r"[^\x20-\x60\x7B-\x7E]"  # printable ASCII but a-z


def ach_text(values: pl.Series) -> pl.Series:
    """Upper-case printable ASCII (accents folded: Zoë -> ZOE), as NACHA fields allow.

    Unicode folding is costly and nearly every value is plain ASCII already, so only the
    values that need it are folded; a column with no lower-case or unprintable character
    (ids, account numbers) is kept as it is.
    """
    if not values.str.contains(_NOT_UPPER_PRINTABLE).any():
        return values.fill_null("")
    out = values.fill_null("").str.to_uppercase()
    odd = values.str.contains(_NOT_PRINTABLE).fill_null(False)
    if not odd.any():
        return out
    rows = odd.arg_true()
    folded = (
        values.gather(rows)
        .str.normalize("NFKD")
        .str.to_uppercase()
        .str.replace_all(_NOT_PRINTABLE, "")
    )
    return out.scatter(rows, folded)


#: Free-text entry fields and their widths; :func:`build_ppd_file` folds them once, up front.
_ALNUM = {"account_number": 17, "employee_id": 15, "employee_name": 22}


def _alnum(column: str, width: int) -> pl.Expr:
    """``column`` (already :func:`ach_text`), left-justified to ``width``."""
    return pl.col(column).str.slice(0, width).str.pad_end(width)


def _num(expr: pl.Expr, width: int) -> pl.Expr:
    return expr.cast(pl.String).str.zfill(width)


def _text(value: str, width: int) -> str:
    folded = unicodedata.normalize("NFKD", value).upper()
    clean = "".join(ch for ch in folded if " " <= ch <= "~")
    return clean[:width].ljust(width)


def entry_lines(payments: pl.DataFrame, odfi8: str, first_sequence: int) -> pl.DataFrame:
    """Entry detail records (type 6) for ``payments`` in order, with their trace sequence.

    The free-text columns must already be :func:`ach_text`.
    """
    seq = pl.int_range(first_sequence, first_sequence + payments.height, eager=False)
    cents = (pl.col("net_pay") * 100).cast(pl.Int64)
    return payments.select(
        pl.concat_str(
            pl.lit("6"),
            pl.when(pl.col("account_type") == "savings")
            .then(pl.lit(CREDIT_SAVINGS))
            .otherwise(pl.lit(CREDIT_CHECKING)),
            pl.col("routing_number").str.slice(0, 9),
            _alnum("account_number", _ALNUM["account_number"]),
            _num(cents, 10),
            _alnum("employee_id", _ALNUM["employee_id"]),
            _alnum("employee_name", _ALNUM["employee_name"]),
            pl.lit("  0"),
            pl.lit(odfi8),
            _num(seq, 7),
        ).alias("line"),
        cents.alias("cents"),
        pl.col("routing_number").str.slice(0, 8).cast(pl.Int64).alias("rdfi8"),
    )


def _date_runs(ordered: pl.DataFrame) -> Iterator[tuple[dt.date | None, pl.DataFrame]]:
    """Each run of one ``pay_date`` in ``ordered`` (sorted by it), as a zero-copy slice."""
    runs = ordered.get_column("pay_date").rle()
    offset = 0
    for length, value in zip(
        runs.struct.field("len").to_list(), runs.struct.field("value").to_list(), strict=True
    ):
        yield value, ordered.slice(offset, length)
        offset += length


@dataclass(frozen=True)
class _Batch:
    """One batch of a file: a run of ``ordered`` rows of one pay date."""

    pay_date: dt.date | None
    start: int
    length: int


def _batch_plan(ordered: pl.DataFrame, cents: pl.Series) -> list[_Batch]:
    """Batches of one pay date each, split at 99,999 entries and where the credit total
    would pass what a batch control can carry (``cents``: each entry's amount)."""
    if cents.max() is not None and int(cents.max()) > MAX_ENTRY_CENTS:  # type: ignore[arg-type]
        raise ValueError("a payment does not fit an entry's amount field (PAY-AMOUNT-TOO-LARGE)")
    cumulative = cents.cum_sum()
    plan: list[_Batch] = []
    offset = 0
    for pay_date, group in _date_runs(ordered):
        end = offset + group.height
        start = offset
        while start < end:
            before = int(cumulative[start - 1]) if start else 0
            fits = int(cumulative.search_sorted(before + MAX_TOTAL_CENTS, side="right"))
            stop = min(end, start + MAX_ENTRIES_PER_BATCH, fits)
            plan.append(_Batch(pay_date, start, stop - start))
            start = stop
        offset = end
    return plan


def _file_plan(plan: list[_Batch], cents: pl.Series) -> list[list[_Batch]]:
    """Batches grouped into files whose control fields fit (credits, entries, batches)."""
    cumulative = cents.cum_sum()

    def credit(b: _Batch) -> int:
        before = int(cumulative[b.start - 1]) if b.start else 0
        return int(cumulative[b.start + b.length - 1]) - before

    files: list[list[_Batch]] = [[]]
    total = entries = 0
    for batch in plan:
        amount = credit(batch)
        current = files[-1]
        records = 2 + 2 * (len(current) + 1) + entries + batch.length
        if current and (
            total + amount > MAX_TOTAL_CENTS
            or entries + batch.length > MAX_FILE_ENTRIES
            or len(current) + 1 > MAX_FILE_BATCHES
            or records > MAX_FILE_RECORDS
        ):
            files.append([])
            total = entries = 0
        files[-1].append(batch)
        total += amount
        entries += batch.length
    return files


def _plan(payments: pl.DataFrame) -> tuple[pl.DataFrame, list[list[_Batch]]]:
    """The entry columns in file order (free text folded) and their batches per file."""
    needed = payments.select(ENTRY_COLUMNS)
    ordered = needed if _sorted(needed) else needed.sort(["pay_date", "record_index"])
    ordered = ordered.with_columns(ach_text(ordered.get_column(c)).alias(c) for c in _ALNUM)
    cents = (ordered.get_column("net_pay") * 100).cast(pl.Int64)
    return ordered, _file_plan(_batch_plan(ordered, cents), cents)


def ppd_records(
    payments: pl.DataFrame, originator: AchOriginator, *, created_at: dt.datetime
) -> list[pl.Series]:
    """The records of each NACHA file for ``payments`` (columns of the payroll model; all rows
    valid), one string per record: one file, unless the credits pass what one file control
    can total (see the module docstring). :func:`file_bytes` makes each a file."""
    ordered, files = _plan(payments)
    if len(files) > len(FILE_ID_MODIFIERS):
        raise ValueError(
            f"{len(files)} NACHA files would be needed; a day has only"
            f" {len(FILE_ID_MODIFIERS)} file ID modifiers"
        )
    return [
        _ppd_records(ordered, batches, originator, created_at, FILE_ID_MODIFIERS[k])
        for k, batches in enumerate(files)
    ]


def build_ppd_files(
    payments: pl.DataFrame, originator: AchOriginator, *, created_at: dt.datetime
) -> list[bytes]:
    """The NACHA files for ``payments``, as bytes (see :func:`ppd_records`)."""
    return [file_bytes(r) for r in ppd_records(payments, originator, created_at=created_at)]


def build_ppd_file(
    payments: pl.DataFrame,
    originator: AchOriginator,
    *,
    created_at: dt.datetime,
    file_id_modifier: str = "A",
) -> bytes:
    """The one NACHA file for ``payments``, whose credits fit one file control total."""
    ordered, files = _plan(payments)
    if len(files) > 1:
        raise ValueError("the payments need several NACHA files: use build_ppd_files")
    return file_bytes(_ppd_records(ordered, files[0], originator, created_at, file_id_modifier))


def file_bytes(records: pl.Series) -> bytes:
    """The file of ``records``: each on its own line, written by Polars (no 100 MB Python
    string). The bytes are the records exactly, as long as none holds a line break (the
    NACHA check refuses control characters)."""
    out = io.BytesIO()
    records.rename("record").to_frame().write_csv(
        out, include_header=False, quote_style="never", line_terminator="\n"
    )
    data = out.getvalue()
    if not data.isascii():  # every field was folded to printable ASCII when built
        raise ValueError("NACHA records must be ASCII")
    return data


def _ppd_records(
    ordered: pl.DataFrame,
    batches: list[_Batch],
    originator: AchOriginator,
    created_at: dt.datetime,
    file_id_modifier: str,
) -> pl.Series:
    """One file's records: its header, ``batches`` of ``ordered`` (already :func:`ach_text`),
    control, fill."""
    odfi = originator.odfi_routing
    odfi8 = odfi[:8]
    # The file as a column of records: no 100 MB Python string.
    parts: list[pl.Series] = []
    lines: list[str] = [
        "101"
        + f" {odfi}"
        + originator.company_id.rjust(10)
        + created_at.strftime("%y%m%d%H%M")
        + file_id_modifier
        + "094"
        + "10"
        + "1"
        + _text(originator.destination_name, 23)
        + _text(originator.company_name, 23)
        + " " * 8
    ]
    batch_no = 0
    sequence = 1
    total_entries = total_hash = total_credit = 0
    for batch in batches:
        pay_date = batch.pay_date
        chunk = ordered.slice(batch.start, batch.length)
        batch_no += 1
        entries = entry_lines(chunk, odfi8, sequence)
        sequence += chunk.height
        effective = pay_date.strftime("%y%m%d") if isinstance(pay_date, dt.date) else "000000"
        lines.append(
            "5220"
            + _text(originator.company_name, 16)
            + " " * 20
            + originator.company_id.rjust(10)
            + "PPD"
            + _text(originator.entry_description, 10)
            + effective
            + effective
            + "   "
            + "1"
            + odfi8
            + str(batch_no).zfill(7)
        )
        parts.extend([pl.Series(lines, dtype=pl.String), entries.get_column("line")])
        lines = []
        count = chunk.height
        entry_hash = int(entries.get_column("rdfi8").sum()) % 10**10
        credit = int(entries.get_column("cents").sum())
        lines.append(
            "8220"
            + str(count).zfill(6)
            + str(entry_hash).zfill(10)
            + "0" * 12
            + str(credit).zfill(12)
            + originator.company_id.rjust(10)
            + " " * 19
            + " " * 6
            + odfi8
            + str(batch_no).zfill(7)
        )
        total_entries += count
        total_hash += entry_hash
        total_credit += credit
    record_count = 2 + 2 * batch_no + total_entries  # file header + batches + file control
    blocks = -(-record_count // BLOCKING_FACTOR)
    lines.append(
        "9"
        + str(batch_no).zfill(6)
        + str(blocks).zfill(6)
        + str(total_entries).zfill(8)
        + str(total_hash % 10**10).zfill(10)
        + "0" * 12
        + str(total_credit).zfill(12)
        + " " * 39
    )
    lines.extend(["9" * RECORD_LENGTH] * (blocks * BLOCKING_FACTOR - record_count))
    parts.append(pl.Series(lines, dtype=pl.String))
    return pl.concat(parts, rechunk=False).rename("record")
