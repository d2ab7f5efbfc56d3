"""The meter: completed transactions -> usage ledger entries, exactly once.

Each entry's natural key is ``(file_id, record_index, unit, entry_type)``, and its
``transaction_id`` is ``<doc_type>:<sha256[:16]>:<record_index>``: the same record of the same
bytes is the same transaction whatever retries, re-drops, crashes or re-runs happen, and the
unique constraint turns a second write into a no-op. The facts a call's entries share (client,
period, price, completion time, source file) are written once, as a ``UsageBatch``.

Entries carry the list price of the rate card in force at ``completed_at`` (tiers are settled
when the period is rated) and land in the client-local month of ``completed_at`` unless that
period is closed, in which case they go to the next open one and bill there as adjustments.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

import polars as pl
from sqlalchemy.orm import Session

from billing.open_periods import open_period_for
from billing.pricing import PRIMARY_UNIT, unit_price
from schemas.batch import RECORD_INDEX
from schemas.config import ClientConfig
from schemas.doc_type import DocType
from store.bulk import insert_ignore
from store.models import EntryType, File, UsageBatch


@dataclass(frozen=True)
class MeterResult:
    """Entries written now (``inserted``) out of the entries the call asked for (``units``)."""

    inserted: int
    units: int


def transaction_prefix(doc_type: str, sha256: str) -> str:
    """``<doc_type>:<sha256[:16]>:``: a transaction id is this plus the record index."""
    return f"{doc_type}:{sha256[:16]}:"


def meter(
    session: Session,
    *,
    client: ClientConfig,
    file: File,
    units: pl.DataFrame,
    completed_at: dt.datetime,
    flow_run_id: str | None,
) -> MeterResult:
    """Write one ledger entry per (record, unit) in ``units``; existing keys are skipped.

    ``units`` has ``record_index``, ``unit`` and ``quantity`` (from the doc type's
    ``billable_units``). Units the rate card does not price are skipped, except the doc type's
    primary unit, which is always metered (at 0 when unpriced) so usage is never lost.
    """
    if units.height == 0:
        return MeterResult(0, 0)
    period = open_period_for(session, client, completed_at)
    primary = PRIMARY_UNIT[DocType(file.doc_type)].value
    prices: dict[str, Decimal] = {}
    kinds = units.get_column("unit").unique().to_list()
    for unit in kinds:
        price = unit_price(client, unit, completed_at)
        if price is not None or unit == primary:
            prices[unit] = price if price is not None else Decimal(0)
    priced = (
        units if len(prices) == len(kinds) else units.filter(pl.col("unit").is_in(list(prices)))
    )
    inserted = 0
    # One batch per (unit, quantity): it states the shared facts once; entries are narrow.
    for (unit, quantity), group in _by_unit_and_quantity(priced):
        price = prices[str(unit)]
        batch = UsageBatch(
            client_id=client.id,
            entry_type=EntryType.USAGE,
            doc_type=file.doc_type,
            unit=str(unit),
            quantity=int(quantity),
            unit_price=price,
            amount=price * int(quantity),
            currency=client.currency,
            period=period,
            completed_at=completed_at,
            file_id=file.id,
            source_file=file.name,
            source_sha256=file.sha256,
            transaction_prefix=transaction_prefix(file.doc_type, file.sha256),
            flow_run_id=flow_run_id,
        )
        session.add(batch)
        session.flush()
        written = insert_ignore(
            session,
            "usage_ledger",
            group.select(pl.col(RECORD_INDEX).cast(pl.Int64).alias("record_index")),
            {
                "batch_id": batch.id,
                "file_id": file.id,
                "unit": str(unit),
                "entry_type": EntryType.USAGE,
            },
            scope=("file_id",),
        )
        if written == 0:  # all metered before (a re-run): the batch would describe nothing
            session.delete(batch)
            session.flush()
        inserted += written
    return MeterResult(inserted=inserted, units=priced.height)


def _by_unit_and_quantity(
    priced: pl.DataFrame,
) -> Iterator[tuple[tuple[str, int], pl.DataFrame]]:
    """The rows of each (unit, quantity); a frame of one of each (one unit a record, as for
    a payroll payment) is its own only group, without hashing a million rows."""
    if priced.height and all(_constant(priced.get_column(c)) for c in ("unit", "quantity")):
        yield (str(priced.get_column("unit")[0]), int(priced.get_column("quantity")[0])), priced
        return
    for (unit, quantity), group in priced.group_by(["unit", "quantity"], maintain_order=True):
        yield (str(unit), int(quantity)), group


def _constant(column: pl.Series) -> bool:
    return column.null_count() == 0 and bool((column == column[0]).all())
