"""The ledger on both databases: exactly-once metering, reversals, tier re-rating postings."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import polars as pl
import pytest
from sqlalchemy import func, select

from app.root import App
from billing import ledger
from billing.ledger import period_frame, posted_lines, reverse_entry
from billing.meter import meter
from billing.statement import post_preview
from store.db import transaction
from store.models import EntryType, UsageBatch, UsageEntry
from tests.billing.ledger_factory import add_file, client, meter_units, volume_card

AT = dt.datetime(2026, 3, 10, 15, tzinfo=dt.UTC)


def test_a_late_unit_rerates_the_volume_tier_as_correction_lines(runtime: App) -> None:
    cfg = client(cards=[volume_card()])
    f = add_file(runtime.engine)
    meter_units(runtime.engine, cfg, f, 15, AT)
    with transaction(runtime.engine) as session:
        assert post_preview(session, cfg, "2026-03").invoice.total == Decimal("150.00")
    meter_units(runtime.engine, cfg, f, 1, AT + dt.timedelta(hours=1), first_index=15)
    with transaction(runtime.engine) as session:
        st = post_preview(session, cfg, "2026-03")
        posted = posted_lines(session, "acme", "2026-03")
    assert [(p.quantity, p.amount) for p in posted] == [
        (15, Decimal("150.00")),
        (-15, Decimal("-150.00")),
        (16, Decimal("80.00")),
    ]
    assert posted[1].reverses_id == posted[0].id
    assert st.invoice.total == sum(p.amount for p in posted) == Decimal("80.00")


def test_metering_twice_bills_once_and_reposting_changes_nothing(runtime: App) -> None:
    cfg = client(rates={"invoice": "1.20"})
    f = add_file(runtime.engine)
    assert meter_units(runtime.engine, cfg, f, 5, AT).inserted == 5
    assert meter_units(runtime.engine, cfg, f, 5, AT).inserted == 0
    with transaction(runtime.engine) as session:
        post_preview(session, cfg, "2026-03")
        post_preview(session, cfg, "2026-03")
        posted = posted_lines(session, "acme", "2026-03")
        count = session.scalar(select(func.count()).select_from(UsageEntry))
    assert count == 5
    assert [(p.quantity, p.amount) for p in posted] == [(5, Decimal("6.00"))]


def test_a_rerun_leaves_no_empty_batch_and_an_overlap_meters_only_the_new(
    runtime: App,
) -> None:
    cfg = client(rates={"invoice": "1.20"})
    f = add_file(runtime.engine)
    meter_units(runtime.engine, cfg, f, 4, AT)
    assert meter_units(runtime.engine, cfg, f, 4, AT).inserted == 0
    assert meter_units(runtime.engine, cfg, f, 4, AT, first_index=2).inserted == 2
    with transaction(runtime.engine) as session:
        batches = session.scalars(select(UsageBatch).order_by(UsageBatch.id)).all()
        entries = session.scalars(select(UsageEntry).order_by(UsageEntry.id)).all()
        frame = period_frame(session, "acme", "2026-03")
    assert [b.id for b in batches] == sorted({e.batch_id for e in entries})
    assert [e.record_index for e in entries] == [0, 1, 2, 3, 4, 5]
    assert frame.get_column("transaction_id").to_list() == [e.transaction_id for e in entries]
    assert frame.get_column("amount").sum() == Decimal("7.20")


def test_a_reversal_points_at_its_entry_and_is_idempotent(runtime: App) -> None:
    cfg = client(rates={"invoice": "1.20"})
    f = add_file(runtime.engine)
    meter_units(runtime.engine, cfg, f, 3, AT)
    with transaction(runtime.engine) as session:
        first = session.scalars(select(UsageEntry).order_by(UsageEntry.id)).first()
        assert first is not None
        rev = reverse_entry(session, entry_id=first.id, period="2026-03")
        again = reverse_entry(session, entry_id=first.id, period="2026-03")
        assert rev is not None
        assert again is not None
        assert (rev.id, rev.entry_type, rev.reverses_id) == (again.id, EntryType.REVERSAL, first.id)
        assert rev.amount == -first.amount
        st = post_preview(session, cfg, "2026-03")
    assert st.invoice.total == Decimal("2.40")


def test_flat_rates_bill_exactly_as_the_stored_amounts(runtime: App) -> None:
    cfg = runtime.config.client("acme")
    f = add_file(runtime.engine, doc_type="payroll")
    meter_units(runtime.engine, cfg, f, 7, AT, unit="payroll_payment")
    with transaction(runtime.engine) as session:
        st = post_preview(session, cfg, "2026-03")
        stored = st.entries.get_column("amount").sum()
    assert stored == Decimal("3.15")
    assert st.invoice.total == Decimal("3.15")


def test_a_period_reads_in_completion_order_whatever_order_it_was_written(
    runtime: App,
) -> None:
    cfg = client(rates={"invoice": "1.20"})
    late, early = add_file(runtime.engine), add_file(runtime.engine)
    meter_units(runtime.engine, cfg, late, 2, AT + dt.timedelta(days=2))
    meter_units(runtime.engine, cfg, early, 2, AT)
    meter_units(runtime.engine, cfg, late, 3, AT + dt.timedelta(days=2))  # a later row, same time
    with transaction(runtime.engine) as session:
        first = session.scalars(select(UsageEntry).order_by(UsageEntry.id)).first()
        assert first is not None
        reverse_entry(session, entry_id=first.id, period="2026-03")  # keeps its completion time
        frame = period_frame(session, "acme", "2026-03")
    times = frame.get_column("completed_at").to_list()
    ids = frame.get_column("id").to_list()
    assert list(zip(times, ids, strict=True)) == sorted(zip(times, ids, strict=True))
    assert frame.height == 6
    assert frame.get_column("completed_at").head(2).to_list() == [AT, AT]


def test_batch_facts_as_constants_or_joined_give_the_same_period(
    runtime: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Few batches get their facts as constant columns, many by a join: the same frame."""
    cfg = client(rates={"invoice": "1.20"})
    files = [add_file(runtime.engine, name=f"batch-{i}.pdf") for i in range(3)]
    for i, f in enumerate(files):
        meter_units(runtime.engine, cfg, f, 2 + i, AT + dt.timedelta(hours=3 - i))
    with transaction(runtime.engine) as session:
        first = session.scalars(select(UsageEntry).order_by(UsageEntry.id)).first()
        assert first is not None
        reverse_entry(session, entry_id=first.id, period="2026-03")
        constants = period_frame(session, "acme", "2026-03")
        monkeypatch.setattr(ledger, "_CONSTANT_BATCHES", 0)
        joined = period_frame(session, "acme", "2026-03")
    assert constants.height == 2 + 3 + 4 + 1
    assert constants.equals(joined)
    assert constants.schema == joined.schema
    by_file = constants.group_by("source_file").len().sort("source_file").rows()
    assert by_file == [("batch-0.pdf", 3), ("batch-1.pdf", 3), ("batch-2.pdf", 4)]
    assert constants.get_column("transaction_id").str.contains(r"^invoices:[0-9a-f]{16}:\d+$").all()


def test_one_batch_per_unit_and_quantity_and_one_for_a_uniform_frame(runtime: App) -> None:
    cfg = client(rates={"claim": "0.50", "claim_line": "0.05"})
    mixed, uniform = add_file(runtime.engine), add_file(runtime.engine)
    units = pl.DataFrame(
        {
            "record_index": [0, 0, 1, 1, 2, 2],
            "unit": ["claim", "claim_line"] * 3,
            "quantity": [1, 3, 1, 2, 1, 3],
        },
        schema={"record_index": pl.UInt32, "unit": pl.String, "quantity": pl.Int64},
    )
    same = pl.DataFrame(
        {"record_index": [0, 1, 2], "unit": ["claim"] * 3, "quantity": [1] * 3},
        schema={"record_index": pl.UInt32, "unit": pl.String, "quantity": pl.Int64},
    )
    with transaction(runtime.engine) as session:
        for f, frame in ((mixed, units), (uniform, same)):
            result = meter(
                session, client=cfg, file=f, units=frame, completed_at=AT, flow_run_id=None
            )
            assert result.inserted == result.units == frame.height
        batches = session.execute(
            select(
                UsageBatch.file_id, UsageBatch.unit, UsageBatch.quantity, UsageBatch.amount
            ).order_by(UsageBatch.file_id, UsageBatch.unit, UsageBatch.quantity)
        ).all()
        counts = dict(
            session.execute(
                select(UsageEntry.batch_id, func.count()).group_by(UsageEntry.batch_id)
            ).all()
        )
    assert [(f, u, q, a) for f, u, q, a in batches if f == mixed.id] == [
        (mixed.id, "claim", 1, Decimal("0.50")),
        (mixed.id, "claim_line", 2, Decimal("0.10")),
        (mixed.id, "claim_line", 3, Decimal("0.15")),
    ]
    assert [(f, u, q) for f, u, q, _ in batches if f == uniform.id] == [(uniform.id, "claim", 1)]
    assert sorted(counts.values()) == [1, 2, 3, 3]
