"""Period close on both databases: one lock, late usage moves on, closed periods are frozen."""

from __future__ import annotations

import datetime as dt
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from app.root import App
from billing.close import close_period, statement_for
from billing.evidence import evidence_bytes
from billing.export import statement_bytes
from billing.open_periods import period_status
from billing.statement import post_preview
from store.billing_models import BillLine
from store.db import transaction
from tests.billing.ledger_factory import add_file, client, meter_units, volume_card

MARCH = dt.datetime(2026, 3, 10, 15, tzinfo=dt.UTC)


def test_concurrent_closes_produce_one_result(runtime: App) -> None:
    cfg = client(cards=[volume_card()])
    meter_units(runtime.engine, cfg, add_file(runtime.engine), 20, MARCH)
    with ThreadPoolExecutor(max_workers=6) as pool:
        results = list(pool.map(lambda _: close_period(runtime.engine, cfg, "2026-03"), range(6)))
    assert sum(r.closed_now for r in results) == 1
    assert {(r.total, r.closed_at) for r in results} == {(Decimal("100.00"), results[0].closed_at)}
    with transaction(runtime.engine) as session:
        lines = session.scalar(select(func.count()).select_from(BillLine))
        assert period_status(session, "acme", "2026-03") == "closed"
    assert lines == 1
    again = close_period(runtime.engine, cfg, "2026-03")
    assert (again.closed_now, again.total) == (False, Decimal("100.00"))


def test_late_usage_lands_in_the_next_open_period_as_an_adjustment(runtime: App) -> None:
    cfg = client(rates={"invoice": "1.20"})
    f = add_file(runtime.engine)
    meter_units(runtime.engine, cfg, f, 2, MARCH)
    close_period(runtime.engine, cfg, "2026-03")
    close_period(runtime.engine, cfg, "2026-04")
    late = meter_units(runtime.engine, cfg, f, 3, MARCH + dt.timedelta(days=5), first_index=1)
    assert late.inserted == 2  # record 1 was billed in March already
    with transaction(runtime.engine) as session:
        march = statement_for(session, cfg, "2026-03")
        may = statement_for(session, cfg, "2026-05")
        with pytest.raises(ValueError, match="closed"):
            post_preview(session, cfg, "2026-03")
    assert march.invoice.total == Decimal("2.40")
    assert [(ln.kind, ln.quantity, ln.amount) for ln in may.invoice.lines] == [
        ("adjustment", 2, Decimal("2.40"))
    ]


def test_a_closed_period_reexports_byte_identically(runtime: App) -> None:
    cfg = client(
        cards=[volume_card()],
        sla={
            "turnaround_hours": "8",
            "credits": [{"below": "0.95", "percent": "5"}],
        },
    )
    received = MARCH - dt.timedelta(days=3)  # Saturday: 2 business days before completion
    meter_units(runtime.engine, cfg, add_file(runtime.engine, received_at=received), 16, MARCH)
    close_period(runtime.engine, cfg, "2026-03")

    def exports() -> list[bytes]:
        with transaction(runtime.engine) as session:
            st = statement_for(session, changed, "2026-03")
            out = [
                statement_bytes(st, k, f)
                for k in ("detail", "summary")
                for f in ("csv", "parquet", "xlsx")
            ]
            return [*out, evidence_bytes(session, st)]

    changed = cfg
    first = exports()
    # A new price list and late usage after the close change nothing in March.
    changed = client(rates={"invoice": "99"})
    meter_units(runtime.engine, changed, add_file(runtime.engine), 4, MARCH)
    assert exports() == first
    with transaction(runtime.engine) as session:
        st = statement_for(session, changed, "2026-03")
    assert st.sla is not None
    assert (st.sla.attainment, st.sla.credit_percent) == (Decimal(0), Decimal(5))
    assert st.invoice.total == Decimal("76.00")  # 80.00 - 5%
