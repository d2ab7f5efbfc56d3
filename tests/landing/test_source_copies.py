"""Which documents are kept for reviewers: the pages a person looks at (PDFs and scans)."""

from __future__ import annotations

import pytest

from landing.source_copies import worth_keeping


@pytest.mark.parametrize(
    ("data", "kept"),
    [
        (b"%PDF-1.7\n...", True),
        (b"\x89PNG\r\n\x1a\n....", True),
        (b"\xff\xd8\xff\xe0....", True),
        (b"II*\x00....", True),
        (b"employee_id,gross_pay\n1,2\n", False),
        (b"ISA*00*          *00*", False),
    ],
)
def test_pdfs_and_scanned_images_are_kept_for_reviewers(data: bytes, kept: bool) -> None:
    assert worth_keeping(data) is kept
