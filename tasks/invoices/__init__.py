"""Invoices (accounts payable): bytes -> validated canonical invoice records -> AP export."""
