"""What a client's supplier memory holds: where a reviewer's corrected value stood on the page.

One :class:`LearnedPosition` per client, supplier, layout and field. The supplier is known by
its VAT id, else its IBAN, else its name (``supplier_kind``); the layout by a signature of the
template's fixed words (:func:`tasks.invoices.memory.layout_signature`). Boxes are fractions
of the page's width and height, so a scan at any resolution and the PDF it was printed from
share them. A later correction of the same field replaces the earlier one.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

SupplierKind = Literal["vat", "iban", "name"]
#: Fraction-of-page box: ``(x0, top, x1, bottom)``, each in 0..1.
PageBox = tuple[float, float, float, float]


class LearnedPosition(BaseModel):
    """One field's remembered place on one supplier's layout."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: int | None = None
    client_id: str
    supplier_kind: SupplierKind
    supplier_key: str = Field(min_length=1, max_length=200)
    #: The template's fixed words as letter trigrams, sorted and ``|``-joined.
    layout: str
    field: str = Field(min_length=1, max_length=64)
    #: 1-based page of the invoice the value stood on.
    page: int = Field(ge=1)
    #: The label printed before or above the value (``Total due``), when it has one.
    label: str | None = None
    label_box: PageBox | None = None
    value_box: PageBox
    #: The label and the value in one cell (``Invoice no: 123``).
    same_cell: bool = False
    #: The value as the reviewer typed it (for the memory's listing).
    example: str = ""
    #: The review item whose correction taught it.
    source_item: int | None = None
    learned_by: str = ""
    learned_at: dt.datetime | None = None
