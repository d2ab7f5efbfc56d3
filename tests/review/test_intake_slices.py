"""A file's review items are made and written in slices: every flagged record still gets
exactly one item, in file order, whatever the slice size."""

from __future__ import annotations

import pytest
from sqlalchemy import select

import review.intake
from app.root import App
from store.db import transaction
from store.models import Record, ReviewItem
from tests.review_factory import process_payroll


@pytest.mark.parametrize("slice_size", [1, 3, 50_000])
def test_every_flagged_record_gets_one_item(
    runtime: App, monkeypatch: pytest.MonkeyPatch, slice_size: int
) -> None:
    monkeypatch.setattr(review.intake, "ITEM_SLICE", slice_size)
    file = process_payroll(runtime, rows=30, every=4)
    with transaction(runtime.engine) as session:
        items = session.scalars(select(ReviewItem).order_by(ReviewItem.id)).all()
        states = session.scalars(select(Record.state).where(Record.file_id == file.id)).all()
    # plant_errors breaks one row in four: rows 3, 7, 11, ...
    assert [i.record_index for i in items] == list(range(3, 30, 4))
    assert all(i.reasons for i in items)
    assert len(states) == file.record_count == 30
    assert states.count("completed") == 30 - len(items)
