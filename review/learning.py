"""After a reviewer corrects an invoice read from its pages: remember where the corrected
values stood, for the client's next invoices of that supplier and layout.

Runs after the decision committed, on the kept copy of the document (the copy reviewers see):
a decision never waits on, or fails because of, what could not be learned. What is learned
is listed and removed with ``bpo invoices memory list|forget``.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from landing import source_copies
from schemas.invoice_memory import LearnedPosition
from store.db import transaction
from store.invoice_memory import remember, remembered
from tasks.invoices.memory import SAME_LAYOUT, layout_similarity, learn
from tasks.invoices.pages import document_pages

log = logging.getLogger(__name__)


def _same_layouts(
    new: Sequence[LearnedPosition], old: Sequence[LearnedPosition]
) -> list[LearnedPosition]:
    """New positions filed under an existing layout of their supplier when it is the same
    template (its words vary a little with line descriptions), so a later correction of a
    field replaces the earlier one instead of standing beside it."""
    out = []
    for p in new:
        same = [
            o.layout
            for o in old
            if o.supplier_kind == p.supplier_kind
            and o.supplier_key == p.supplier_key
            and layout_similarity(o.layout, p.layout) >= SAME_LAYOUT
        ]
        out.append(p.model_copy(update={"layout": same[-1]}) if same else p)
    return out


def learn_from_correction(
    engine: Engine,
    state_dir: Path,
    *,
    client_id: str,
    sha256: str,
    item_id: int,
    reviewer: str,
    fields: dict[str, Any],
    corrected: Sequence[str],
    max_pages: int,
) -> list[LearnedPosition]:
    """Learn from one corrected invoice; returns what was stored (empty when the document is
    not kept, not read from pages, or its supplier cannot be told)."""
    data = source_copies.read(state_dir, client_id, sha256)
    if data is None:
        return []
    pages = document_pages(data, max_pages)
    if not pages:
        return []
    positions = learn(
        client_id=client_id,
        fields=fields,
        corrected=corrected,
        pages=pages,
        source_item=item_id,
        learned_by=reviewer,
        at=dt.datetime.now(dt.UTC),
    )
    if not positions:
        return []
    with transaction(engine) as session:
        positions = _same_layouts(positions, remembered(session, client_id=client_id))
        remember(session, positions)
    log.info("learned %d field positions from review item %d", len(positions), item_id)
    return positions
