"""Ledger reads and appends: usage of a period, reversals, and posting invoice lines.

Nothing here updates or deletes a ledger row. ``post_lines`` compares the lines a period should
have with the net of what was posted and appends the difference:

- a line key that grew at the same price gets a line for the extra units;
- any other change reverses every live posted line of that key (``reverses_id``) and posts the
  new line. With a volume tier ``up_to = 15 -> 10.00`` then ``5.00``: 15 units post ``+150.00``;
  after a 16th unit the next posting appends ``-150.00`` (reversing it) and ``+80.00``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from decimal import Decimal

import polars as pl
from sqlalchemy import select
from sqlalchemy.orm import Session

from billing.rating import USAGE_SCHEMA, Line
from billing.sla import TurnaroundGroup
from schemas.money import to_cents
from store.billing_models import BillLine
from store.bulk import read_frame, read_int_columns
from store.models import EntryType, File, UsageBatch, UsageEntry
from store.records import record_keys

KIND_ORDER = ("usage", "adjustment", "minimum", "seat_fee", "sla_credit", "accuracy_credit")


def line_order(line: Line) -> tuple[int, str]:
    """Sort key of invoice lines: by kind, then by line key."""
    kind = KIND_ORDER.index(line.kind) if line.kind in KIND_ORDER else len(KIND_ORDER)
    return kind, line.key


#: A period's ledger entries as billing reads them (``USAGE_SCHEMA`` plus the detail columns).
ENTRY_SCHEMA: dict[str, pl.DataType] = {
    "id": pl.Int64(),
    "client_id": pl.String(),
    "period": pl.String(),
    "entry_type": pl.String(),
    "reverses_id": pl.Int64(),
    "transaction_id": pl.String(),
    "doc_type": pl.String(),
    "unit": pl.String(),
    "quantity": pl.Int64(),
    "unit_price": pl.Decimal(18, 4),
    "amount": pl.Decimal(18, 4),
    "currency": pl.String(),
    "completed_at": pl.Datetime("us", "UTC"),
    "file_id": pl.Int64(),
    "record_index": pl.Int64(),
    "source_file": pl.String(),
    "source_sha256": pl.String(),
    "flow_run_id": pl.String(),
}


#: What an entry shares with its meter call, read once per batch.
_BATCH_SCHEMA: dict[str, pl.DataType] = {
    "batch_id": pl.Int64(),
    **{
        c: ENTRY_SCHEMA[c]
        for c in ENTRY_SCHEMA
        if c not in ("id", "reverses_id", "transaction_id", "record_index")
    },
    "transaction_prefix": pl.String(),
}
_PERIOD_BATCHES = "SELECT id FROM usage_batches WHERE client_id = :client AND period = :period"


def period_frame(session: Session, client_id: str, period: str) -> pl.DataFrame:
    """Every ledger entry of ``client_id`` in ``period``, in completion order, as a frame.

    Read column-wise (no object per entry): a period can hold millions of entries. The batch
    facts are read once per batch and joined to the narrow entry rows here.
    """
    batch_cols = [c if c != "batch_id" else "id" for c in _BATCH_SCHEMA]
    batches = read_frame(
        session,
        f"SELECT {', '.join(batch_cols)} FROM usage_batches"
        " WHERE client_id = :client AND period = :period",
        {"client": client_id, "period": period},
        _BATCH_SCHEMA,
    )
    rows = read_int_columns(
        session,
        f"usage_ledger WHERE batch_id IN ({_PERIOD_BATCHES})",
        {"client": client_id, "period": period},
        ["id", "batch_id", "record_index", "reverses_id"],
        group="batch_id",
    )
    entries = _with_batch_facts(rows, batches)
    if not _in_completion_order(entries):
        entries = entries.sort("completed_at", "id")
    return entries.select(list(ENTRY_SCHEMA))


def with_record_keys(session: Session, entries: pl.DataFrame) -> pl.DataFrame:
    """``entries`` with each one's ``record_key`` (employee id, invoice number, claim id): the
    business key finance and the client know a transaction by (null when the store has none).

    Record indexes are dense per file, so each file's keys are laid end to end in one array
    and every entry picks its key by position (``gather``): a million-entry period costs a
    pass, not a hash join. Sparse indexes fall back to the join.
    """
    keys = record_keys(session, file_ids=entries.get_column("file_id").unique().to_list())
    spans = (
        keys.group_by("file_id")
        .agg(pl.col("record_index").max().alias("top"), pl.col("record_index").min().alias("low"))
        .sort("file_id")
        .with_columns((pl.col("top") + 1).cum_sum().shift(fill_value=0).alias("offset"))
    )
    size = int(spans.get_column("top").sum() or 0) + spans.height
    if keys.height == 0 or spans.get_column("low").min() < 0 or size > 2 * keys.height:  # type: ignore[operator]
        return entries.join(keys, on=["file_id", "record_index"], how="left", maintain_order="left")
    offset = dict(zip(spans["file_id"], spans["offset"], strict=True))
    top = dict(zip(spans["file_id"], spans["top"], strict=True))
    slots = (
        pl.repeat(None, size, dtype=pl.String, eager=True)
        .alias("record_key")
        .scatter(
            keys.get_column("record_index")
            + keys.get_column("file_id").replace_strict(offset, return_dtype=pl.Int64),
            keys.get_column("record_key"),
        )
    )
    file_id, index = pl.col("file_id"), pl.col("record_index")
    position = (
        pl.when(index <= file_id.replace_strict(top, default=None, return_dtype=pl.Int64))
        .then(index + file_id.replace_strict(offset, default=None, return_dtype=pl.Int64))
        .otherwise(None)
    )
    picks = entries.select(position.alias("p")).get_column("p")
    return entries.with_columns(slots.gather(picks).alias("record_key"))


#: Up to this many batches in a period, their facts are added to their entries as constants.
_CONSTANT_BATCHES = 16


def _with_batch_facts(rows: pl.DataFrame, batches: pl.DataFrame) -> pl.DataFrame:
    """Entry rows (``id``, ``batch_id``, ``record_index``, ``reverses_id``) with the facts of
    their batch and their ``transaction_id``.

    A period of a few batches (the usual case: one per file) gets each batch's facts as
    constant columns, which Polars keeps as one value until a row needs it, instead of a join
    copying every fact into every row: less time and memory for a million-entry period.
    """
    if rows.height == 0 or batches.height == 0 or batches.height > _CONSTANT_BATCHES:
        return _joined(rows, batches)
    if batches.height == 1:
        parts = {batches.get_column("batch_id").item(): rows}
    else:
        split = rows.partition_by("batch_id", as_dict=True, maintain_order=True)
        parts = {key[0]: part for key, part in split.items()}
    facts = [c for c in _BATCH_SCHEMA if c not in ("batch_id", "transaction_prefix")]
    out = [
        part.with_columns(
            *(pl.lit(batch[c], dtype=_BATCH_SCHEMA[c]).alias(c) for c in facts),
            (pl.lit(batch["transaction_prefix"]) + pl.col("record_index").cast(pl.String)).alias(
                "transaction_id"
            ),
        )
        for batch in batches.iter_rows(named=True)
        if (part := parts.get(batch["batch_id"])) is not None
    ]
    return pl.concat(out) if out else _joined(rows, batches)


def _joined(rows: pl.DataFrame, batches: pl.DataFrame) -> pl.DataFrame:
    return rows.join(batches, on="batch_id", how="left", maintain_order="left").with_columns(
        pl.concat_str(pl.col("transaction_prefix"), pl.col("record_index").cast(pl.String)).alias(
            "transaction_id"
        )
    )


def _in_completion_order(entries: pl.DataFrame) -> bool:
    """Already ordered by (completed_at, id)? Rows usually come in id order, batch by batch,
    and batches complete in id order: a check costs a pass, a sort of millions far more."""
    if entries.height < 2:
        return True
    at, ids = pl.col("completed_at"), pl.col("id")
    ordered = entries.select(
        ((at > at.shift()) | ((at == at.shift()) & (ids > ids.shift())))
        .slice(1)
        .fill_null(False)
        .all()
    )
    return bool(ordered.item())


def as_usage(entries: pl.DataFrame, period: str, timezone: str) -> pl.DataFrame:
    """Entries as rating reads them; usage completed in another month is late (an adjustment)."""
    local_month = pl.col("completed_at").dt.convert_time_zone(timezone).dt.strftime("%Y-%m")
    return entries.select(
        *(c for c in USAGE_SCHEMA if c != "late"),
        ((pl.col("entry_type") == EntryType.USAGE) & (local_month != period)).alias("late"),
    )


def reverse_entry(session: Session, *, entry_id: int, period: str) -> UsageEntry | None:
    """Append the reversal of usage entry ``entry_id`` into ``period`` (an open period).

    Idempotent: a record's unit is reversed at most once (the natural key), so a second call
    returns the existing reversal. Returns None when the entry does not exist or is itself a
    reversal.
    """
    original = session.get(UsageEntry, entry_id)
    if original is None or original.entry_type != EntryType.USAGE:
        return None
    existing = session.scalar(
        select(UsageEntry).where(
            UsageEntry.file_id == original.file_id,
            UsageEntry.record_index == original.record_index,
            UsageEntry.unit == original.unit,
            UsageEntry.entry_type == EntryType.REVERSAL,
        )
    )
    if existing is not None:
        return existing
    was = original.batch
    batch = UsageBatch(
        client_id=was.client_id,
        entry_type=EntryType.REVERSAL,
        doc_type=was.doc_type,
        unit=was.unit,
        quantity=-was.quantity,
        unit_price=was.unit_price,
        amount=-was.amount,
        currency=was.currency,
        period=period,
        completed_at=was.completed_at,
        file_id=was.file_id,
        source_file=was.source_file,
        source_sha256=was.source_sha256,
        transaction_prefix=was.transaction_prefix,
        flow_run_id=was.flow_run_id,
    )
    reversal = UsageEntry(
        batch=batch,
        file_id=original.file_id,
        record_index=original.record_index,
        unit=original.unit,
        entry_type=EntryType.REVERSAL,
        reverses_id=original.id,
    )
    session.add(reversal)
    session.flush()
    return reversal


def posted_lines(session: Session, client_id: str, period: str) -> list[BillLine]:
    """Every posted bill line of the period, in posting order."""
    return list(
        session.scalars(
            select(BillLine)
            .where(BillLine.client_id == client_id, BillLine.period == period)
            .order_by(BillLine.id)
        )
    )


def net_lines(posted: Sequence[BillLine]) -> list[Line]:
    """The period's invoice as posted: lines of one key summed; zero keys dropped."""
    groups: dict[str, list[BillLine]] = defaultdict(list)
    for b in posted:
        groups[b.line_key].append(b)
    out = []
    for rows in groups.values():
        first = rows[0]
        qty = sum(r.quantity for r in rows)
        # PostgreSQL hands money back with 4 places; posted amounts are whole cents.
        amount = to_cents(sum((r.amount for r in rows), start=Decimal(0)))
        if qty == 0 and amount == 0:
            continue
        out.append(
            Line(
                first.kind,
                first.card_version,
                first.unit,
                first.tier,
                qty,
                sum(r.billed_quantity for r in rows),
                first.unit_price,
                sum((Decimal(r.amount_exact) for r in rows), start=Decimal(0)),
                amount,
            )
        )
    return sorted(out, key=line_order)


def _bill_line(
    client_id: str,
    period: str,
    currency: str,
    line: Line,
    sign: int = 1,
    reverses_id: int | None = None,
) -> BillLine:
    return BillLine(
        client_id=client_id,
        period=period,
        line_key=line.key,
        kind=line.kind,
        card_version=line.card_version,
        unit=line.unit,
        tier=line.tier,
        quantity=sign * line.quantity,
        billed_quantity=sign * line.billed_quantity,
        unit_price=line.unit_price,
        amount_exact=str(sign * line.amount_exact),
        amount=sign * line.amount,
        currency=currency,
        reverses_id=reverses_id,
    )


def post_lines(
    session: Session, *, client_id: str, period: str, currency: str, target: Sequence[Line]
) -> list[BillLine]:
    """Append what turns the posted net of the period into ``target``; returns the new lines."""
    posted = posted_lines(session, client_id, period)
    by_key: dict[str, list[BillLine]] = defaultdict(list)
    for b in posted:
        by_key[b.line_key].append(b)
    reversed_ids = {b.reverses_id for b in posted if b.reverses_id is not None}
    wanted = {ln.key: ln for ln in target}
    new: list[BillLine] = []
    for key in sorted(set(by_key) | set(wanted)):
        rows = by_key.get(key, [])
        qty = sum(r.quantity for r in rows)
        amount = sum((r.amount for r in rows), start=Decimal(0))
        exact = sum((Decimal(r.amount_exact) for r in rows), start=Decimal(0))
        goal = wanted.get(key)
        if goal is None:
            if qty == 0 and amount == 0:
                continue
        elif (goal.quantity, goal.amount, goal.amount_exact) == (qty, amount, exact):
            continue
        if goal is not None and rows and goal.kind == "usage" and goal.quantity > qty >= 0:
            extra = Line(
                goal.kind,
                goal.card_version,
                goal.unit,
                goal.tier,
                goal.quantity - qty,
                goal.billed_quantity - sum(r.billed_quantity for r in rows),
                goal.unit_price,
                goal.amount_exact - exact,
                goal.amount - amount,
            )
            new.append(_bill_line(client_id, period, currency, extra))
            continue
        for r in rows:
            if r.reverses_id is None and r.id not in reversed_ids:
                new.append(_reversal_of(r))
        if goal is not None:
            new.append(_bill_line(client_id, period, currency, goal))
    session.add_all(new)
    session.flush()
    return new


def _reversal_of(row: BillLine) -> BillLine:
    return BillLine(
        client_id=row.client_id,
        period=row.period,
        line_key=row.line_key,
        kind=row.kind,
        card_version=row.card_version,
        unit=row.unit,
        tier=row.tier,
        quantity=-row.quantity,
        billed_quantity=-row.billed_quantity,
        unit_price=row.unit_price,
        amount_exact=str(-Decimal(row.amount_exact)),
        amount=-row.amount,
        currency=row.currency,
        reverses_id=row.id,
    )


def turnaround_groups(session: Session, client_id: str, period: str) -> list[TurnaroundGroup]:
    """Live primary transactions of the period grouped by (file received, completed)."""
    from billing.pricing import PRIMARY_UNIT

    entries = period_frame(session, client_id, period)
    primary = {d.value: u.value for d, u in PRIMARY_UNIT.items()}
    undone = entries.get_column("reverses_id").drop_nulls().implode()
    live = entries.filter(
        (pl.col("entry_type") == EntryType.USAGE)
        & ~pl.col("id").is_in(undone)
        & (pl.col("unit") == pl.col("doc_type").replace_strict(primary, default=None))
    )
    counts = live.group_by(["file_id", "completed_at"]).len().sort(["file_id", "completed_at"])
    file_ids = counts.get_column("file_id").unique().to_list()
    received = {
        f.id: f.received_at for f in session.scalars(select(File).where(File.id.in_(file_ids)))
    }
    return [
        TurnaroundGroup(received[fid], done, int(n))
        for fid, done, n in counts.iter_rows()
        if fid in received
    ]
