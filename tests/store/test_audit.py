"""The audit trail: who, when, which field, before/after, why; masked; append-only; exports."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from app.root import App
from review.corrections import Correction
from review.decision import resolve_item
from store.audit import AuditImmutableError, entries, export_audit
from store.db import transaction
from store.models import AuditEntry, ReviewItem
from tests.review_factory import GOOD_ROUTING, process_payroll


def _first_item(rt: App) -> int:
    with transaction(rt.engine) as session:
        return int(session.scalars(select(ReviewItem.id).order_by(ReviewItem.id)).first() or 0)


def test_a_correction_is_audited_field_by_field(runtime: App) -> None:
    process_payroll(runtime, rows=10, every=5)
    item_id = _first_item(runtime)
    resolve_item(
        runtime,
        item_id=item_id,
        reviewer="ann",
        action="correct",
        corrections=[Correction("routing_number", GOOD_ROUTING)],
        reason="bank letter",
    )
    with transaction(runtime.engine) as session:
        rows = entries(session, client_id="acme", item_id=item_id)
        assert entries(session, client_id="globex") == []
    assert [r.action for r in rows] == ["claim", "correct", "correct"]
    change = rows[1]
    assert (change.actor, change.field, change.reason) == ("ann", "routing_number", "bank letter")
    # routing numbers are PII: the trail keeps only the last four digits
    assert change.before == "*****0018"
    assert change.after == "*****0019"
    assert change.record_key
    assert change.record_index is not None


def test_the_trail_is_append_only(runtime: App) -> None:
    process_payroll(runtime, rows=10, every=5)
    resolve_item(
        runtime,
        item_id=_first_item(runtime),
        reviewer="ann",
        action="reject",
        reason="duplicate payment",
    )
    with transaction(runtime.engine) as session:
        row = session.scalars(select(AuditEntry)).first()
        assert row is not None
        row.reason = "rewritten"
        with pytest.raises(AuditImmutableError):
            session.flush()
        session.rollback()
    for sql in ("UPDATE audit_log SET reason = 'x'", "DELETE FROM audit_log"):
        with pytest.raises(DBAPIError, match="append-only"), transaction(runtime.engine) as s:
            s.execute(text(sql))


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_export(runtime: App, tmp_path: Path, fmt: str) -> None:
    process_payroll(runtime, rows=10, every=5)
    resolve_item(
        runtime,
        item_id=_first_item(runtime),
        reviewer="ann",
        action="correct",
        corrections=[Correction("routing_number", GOOD_ROUTING)],
    )
    out = tmp_path / f"audit.{fmt}"
    with transaction(runtime.engine) as session:
        n = export_audit(session, client_id="acme", fmt=fmt, out=out)  # type: ignore[arg-type]
    if fmt == "csv":
        rows = list(csv.DictReader(out.open(encoding="utf-8")))
    else:
        rows = json.loads(out.read_text(encoding="utf-8"))
    assert len(rows) == n == 3
    assert {r["actor"] for r in rows} == {"ann"}
    assert "091000019" not in out.read_text(encoding="utf-8")
