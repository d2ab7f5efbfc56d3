"""Claims: X12 837P/837I 5010 (and CSV) to validated claim records, 999s and status reports."""
