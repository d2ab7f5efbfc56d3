"""The history of completed payroll payments: written as records complete, read per batch.

A batch's payments are written as one ``payroll_payments`` row per pay date and period (see
``store.models.PayrollPayments``): the employees and record indexes as JSON arrays encoded
by Polars, so a million payments are one insert of a few megabytes. Reading gives one row per
payment, for the in-memory match of ``tasks.payment_history``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import polars as pl
from sqlalchemy import and_, or_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from schemas.payroll import PAID_SCHEMA
from store.bulk import json_array
from store.models import File, PayrollPayments

_SET_KEY = ["pay_date", "period_start", "period_end"]


def record_payments(session: Session, *, file: File, payments: pl.DataFrame, source: str) -> int:
    """Add ``payments`` (``record_index``, ``employee_id``, ``pay_date``, ``period_start``,
    ``period_end``; completed records only) to the client's history; returns the rows
    written. ``source`` tells a run (``batch``) from a review decision (``review-<id>``);
    writing the same source again changes nothing."""
    rows = payments.drop_nulls(["employee_id", *_SET_KEY])
    if rows.height == 0:
        return 0
    one_set = set(rows.select(pl.col(k).n_unique() for k in _SET_KEY).row(0)) == {1}
    groups = [rows] if one_set else rows.partition_by(_SET_KEY, maintain_order=True)
    values: list[dict[str, Any]] = []
    for group in groups:
        pay_date, start, end = group.select(_SET_KEY).row(0)
        values.append(
            {
                "client_id": file.client_id,
                "file_id": file.id,
                "source": source,
                "pay_date": pay_date,
                "period_start": start,
                "period_end": end,
                "received_at": file.received_at,
                "payments": group.height,
                "employee_ids": json_array(group.get_column("employee_id")),
                "record_indexes": json_array(group.get_column("record_index").cast(pl.Int64)),
            }
        )
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    written = 0
    for value in values:
        stmt = (
            insert(PayrollPayments)
            .values(**value)
            .on_conflict_do_nothing(
                index_elements=["file_id", "source", "pay_date", "period_start", "period_end"]
            )
            .returning(PayrollPayments.id)
        )
        written += len(session.execute(stmt).all())
    return written


def earlier_payments(
    session: Session,
    *,
    client_id: str,
    file_id: int,
    period_from: dt.date,
    period_to: dt.date,
    pay_from: dt.date,
    pay_to: dt.date,
    received_since: dt.datetime,
) -> pl.DataFrame:
    """Payments of the client's other files received since ``received_since`` whose period
    meets ``period_from``..``period_to`` or whose pay date is in ``pay_from``..``pay_to``:
    one row per payment (``schemas.payroll.PAID_SCHEMA``)."""
    p = PayrollPayments
    sets = session.execute(
        select(
            p.id,
            p.employee_ids,
            p.record_indexes,
            p.pay_date,
            p.period_start,
            p.period_end,
            p.file_id,
            File.name,
            p.received_at,
        )
        .join(File, File.id == p.file_id)
        .where(
            p.client_id == client_id,
            p.file_id != file_id,
            p.received_at >= received_since,
            or_(
                and_(p.period_end >= period_from, p.period_start <= period_to),
                and_(p.pay_date >= pay_from, p.pay_date <= pay_to),
            ),
        )
    ).all()
    if not sets:
        return pl.DataFrame(schema=PAID_SCHEMA)
    # One frame for every set at once: a client's many small files of one pay period each
    # read all the others' sets, so a frame per set made a poll quadratic in its files.
    columns = list(zip(*sets, strict=True))
    frame = pl.DataFrame(
        {
            "set_id": pl.Series(columns[0], dtype=pl.Int64),
            "employee_id": pl.Series(columns[1], dtype=pl.String).str.json_decode(
                pl.List(pl.String)
            ),
            "record_index": pl.Series(columns[2], dtype=pl.String).str.json_decode(
                pl.List(pl.Int64)
            ),
            "pay_date": pl.Series(columns[3], dtype=pl.Date),
            "period_start": pl.Series(columns[4], dtype=pl.Date),
            "period_end": pl.Series(columns[5], dtype=pl.Date),
            "file_id": pl.Series(columns[6], dtype=pl.Int64),
            "file_name": pl.Series(columns[7], dtype=pl.String),
            "received_at": pl.Series(columns[8], dtype=pl.Datetime("us", "UTC")),
        }
    )
    frame = frame.explode(["employee_id", "record_index"])
    return frame.select(list(PAID_SCHEMA)).cast(PAID_SCHEMA)  # type: ignore[arg-type]
