"""A client's statement for one period: the rated detail, the invoice and how it was computed.

An open period is rated from the current config (a preview). A closed period is rebuilt only
from what the close stored (posted lines, the rate-card and SLA snapshot) and from ledger rows
that can no longer change, so its exports come out byte-identical every time.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

import polars as pl
from sqlalchemy import select
from sqlalchemy.orm import Session

from billing.bill import Invoice, build_invoice
from billing.ledger import (
    as_usage,
    line_order,
    net_lines,
    period_frame,
    post_lines,
    posted_lines,
    turnaround_groups,
)
from billing.periods import last_local_day
from billing.pricing import card_on, rate_cards
from billing.rating import rate_frame
from billing.sla import SlaResult, accuracy_credit, sla_result
from schemas.config import ClientConfig
from schemas.rate_card import RateCard
from store.billing_models import BillingPeriod, PeriodStatus
from store.models import File


@dataclass(frozen=True)
class Statement:
    """Everything finance and the client need for one client and period."""

    client_id: str
    period: str
    timezone: str
    closed: bool
    cards: tuple[RateCard, ...]
    invoice: Invoice
    #: One row per ledger entry (``billing.ledger.ENTRY_SCHEMA``) plus ``rated_price`` and
    #: ``rated_amount``: what rating charged for it.
    entries: pl.DataFrame
    sla: SlaResult | None
    accuracy: Decimal | None
    accuracy_credit_percent: Decimal

    def snapshot(self) -> dict[str, Any]:
        """What the close stores so the statement can be rebuilt without the config."""
        return {
            "timezone": self.timezone,
            "cards": [c.model_dump(mode="json") for c in self.cards],
            "sla": None if self.sla is None else sla_json(self.sla),
            "accuracy": None if self.accuracy is None else str(self.accuracy),
            "accuracy_credit_percent": str(self.accuracy_credit_percent),
        }

    def files(self, session: Session) -> list[File]:
        """Source files of the period's entries, by id."""
        ids = self.entries.get_column("file_id").unique().to_list()
        return list(session.scalars(select(File).where(File.id.in_(ids)).order_by(File.id)))


def sla_json(sla: SlaResult) -> dict[str, str | int]:
    return {
        "turnaround_hours": str(sla.turnaround_hours),
        "transactions": sla.transactions,
        "on_time": sla.on_time,
        "attainment": str(sla.attainment),
        "credit_percent": str(sla.credit_percent),
    }


def _sla_from_json(data: dict[str, Any] | None) -> SlaResult | None:
    if data is None:
        return None
    return SlaResult(
        turnaround_hours=Decimal(data["turnaround_hours"]),
        transactions=int(data["transactions"]),
        on_time=int(data["on_time"]),
        attainment=Decimal(data["attainment"]),
        credit_percent=Decimal(data["credit_percent"]),
    )


def build_statement(
    session: Session,
    client: ClientConfig,
    period: str,
    *,
    accuracy: Decimal | None = None,
    post: bool = False,
) -> Statement:
    """Rate ``period`` of ``client``; with ``post`` append the lines that bring the bill ledger
    to this invoice (done at close, inside the closing transaction).

    Args:
        session: an open transaction.
        client: the client's config.
        period: ``YYYY-MM``.
        accuracy: QA accuracy input for the accuracy credit (ignored for a closed period).
        post: append correction and new lines to ``bill_lines``.
    """
    row = session.scalar(
        select(BillingPeriod).where(
            BillingPeriod.client_id == client.id, BillingPeriod.period == period
        )
    )
    if post and row is not None and row.evidence is not None:
        raise ValueError(f"{client.id} {period} is closed: its lines can no longer change")
    entries = period_frame(session, client.id, period)
    frozen = row is not None and row.status == PeriodStatus.CLOSED and row.evidence is not None
    if not post and frozen:
        assert row is not None
        return _frozen(session, client, period, row, entries)
    statement = _rate(session, client, period, entries, accuracy)
    if post:
        post_lines(
            session,
            client_id=client.id,
            period=period,
            currency=client.currency,
            target=statement.invoice.lines,
        )
    closed = row is not None and row.status == PeriodStatus.CLOSED
    return replace(statement, closed=closed)


def _frozen(
    session: Session, client: ClientConfig, period: str, row: BillingPeriod, entries: pl.DataFrame
) -> Statement:
    """A closed period as it was closed: the snapshot's cards and figures, the posted lines."""
    snap = row.evidence
    assert snap is not None
    timezone = str(snap["timezone"])
    cards = tuple(RateCard.model_validate(c) for c in snap["cards"])
    _, priced = rate_frame(as_usage(entries, period, timezone), cards, timezone)
    lines = tuple(net_lines(posted_lines(session, client.id, period)))
    acc = snap["accuracy"]
    return Statement(
        client.id,
        period,
        timezone,
        True,
        cards,
        Invoice(client.id, period, row.currency or client.currency, lines),
        _rated(entries, priced),
        _sla_from_json(snap["sla"]),
        None if acc is None else Decimal(acc),
        Decimal(snap["accuracy_credit_percent"]),
    )


def _rate(
    session: Session,
    client: ClientConfig,
    period: str,
    entries: pl.DataFrame,
    accuracy: Decimal | None,
) -> Statement:
    """An open period rated from the client's config: usage, minimums, SLA and QA credits."""
    timezone = client.timezone
    cards = rate_cards(client)
    usage_lines, priced = rate_frame(as_usage(entries, period, timezone), cards, timezone)
    policy = client.billing.sla
    sla = None
    if policy is not None:
        sla = sla_result(turnaround_groups(session, client.id, period), policy, timezone)
    acc_pct = accuracy_credit(accuracy, client.billing.accuracy)
    invoice = build_invoice(
        client_id=client.id,
        period=period,
        currency=client.currency,
        usage_lines=usage_lines,
        card=card_on(cards, last_local_day(period)),
        sla_credit_percent=Decimal(0) if sla is None else sla.credit_percent,
        accuracy_credit_percent=acc_pct,
    )
    invoice = Invoice(
        invoice.client_id, period, invoice.currency, tuple(sorted(invoice.lines, key=line_order))
    )
    return Statement(
        client.id,
        period,
        timezone,
        False,
        cards,
        invoice,
        _rated(entries, priced),
        sla,
        accuracy,
        acc_pct,
    )


def _rated(entries: pl.DataFrame, priced: pl.DataFrame) -> pl.DataFrame:
    """``entries`` with the price rating gave each (by ``id``)."""
    if priced.height == entries.height and priced.get_column("id").equals(
        entries.get_column("id")
    ):  # priced row for row, as one flat-rated unit is: no join needed
        return entries.hstack(priced.drop("id"))
    return entries.join(priced, on="id", how="left", maintain_order="left")


def post_preview(
    session: Session, client: ClientConfig, period: str, *, accuracy: Decimal | None = None
) -> Statement:
    """Re-rate an open period and post the corrections now (not only at close)."""
    return build_statement(session, client, period, accuracy=accuracy, post=True)


__all__ = ["Statement", "build_statement", "post_preview", "sla_json"]
