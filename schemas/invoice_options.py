"""Per-client invoice (accounts payable) settings."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field


class InvoiceOptions(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    #: Client header -> canonical field name for CSV/JSON invoice batches.
    columns: dict[str, str] = Field(default_factory=dict)
    #: Extracted fields below this confidence go to review.
    confidence_threshold: Annotated[Decimal, Field(ge=0, le=1)] = Decimal("0.80")
    #: CSV/XLSX with vendor_name and/or vendor_tax_id: known vendors.
    vendor_master: str | None = None
    #: CSV/XLSX with po_number and amount: open purchase orders.
    po_list: str | None = None
    #: Relative tolerance of invoice total vs PO amount.
    po_tolerance: Annotated[Decimal, Field(ge=0)] = Decimal("0.05")
    #: PDFs with more pages are refused with a file issue (split them); bounds time and memory.
    max_pdf_pages: Annotated[int, Field(ge=1)] = 300
    #: Read a Factur-X/ZUGFeRD PDF from its printed page only, ignoring the embedded XML
    #: (``bpo extract --ignore-embedded``: compare what the page says with what the XML says).
    ignore_embedded_xml: bool = False
