"""The document types the pipeline handles and the billable units they produce."""

from __future__ import annotations

from enum import StrEnum


class DocType(StrEnum):
    INVOICES = "invoices"
    PAYROLL = "payroll"
    CLAIMS = "claims"


class RecordState(StrEnum):
    """Every record of every registered file ends in exactly one of these (conservation)."""

    COMPLETED = "completed"
    IN_REVIEW = "in_review"
    REJECTED = "rejected"


class BillableUnit(StrEnum):
    PAYROLL_PAYMENT = "payroll_payment"
    INVOICE = "invoice"
    INVOICE_LINE = "invoice_line"
    CLAIM = "claim"
    CLAIM_LINE = "claim_line"
    MANUAL_REVIEW = "manual_review"
