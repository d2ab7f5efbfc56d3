"""The handler for each document type."""

from __future__ import annotations

from functools import cache

from schemas.doc_type import DocType
from tasks.doctype import DocHandler


@cache
def handler_for(doc_type: DocType | str) -> DocHandler:
    kind = DocType(doc_type)
    if kind is DocType.PAYROLL:
        from tasks.payroll.handler import PayrollHandler

        return PayrollHandler()
    if kind is DocType.INVOICES:
        from tasks.invoices.handler import InvoiceHandler

        return InvoiceHandler()
    from tasks.claims.handler import ClaimsHandler

    return ClaimsHandler()
