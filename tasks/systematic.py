"""Exception storms: a file whose records fail one rule so often that the file itself is wrong.

When a client swaps two columns or sends last year's bank list, one rule fails on a large
share of the rows. Sending each row to a person floods the queue and pays the rest of the
batch as if nothing were wrong; a payroll operation holds such a file and calls the client.
:func:`systematic_error` says whether a batch is such a file, for every document type.

Worked example: 210 payroll rows of which 84 fail ``PAY-ROUTING-CHECKSUM`` (40%, at least
``hold_min_rows`` = 20 and at least ``hold_share`` = 0.20) give::

    FILE-SYSTEMATIC-ERROR: PAY-ROUTING-CHECKSUM fails on 84 of 210 rows (40.0%), e.g.
    rows 2, 5, 7, 11, 14. ...

while 2 failing rows of 210 (1%) leave the file to be processed, those rows to review.
Records a rule rejects outright (severity ``reject``, e.g. claims of a rejected X12 group)
already have their answer and do not count.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import polars as pl

from schemas.batch import RECORD_INDEX, ValidatedBatch
from schemas.issue import Issue, Severity

CODE = "FILE-SYSTEMATIC-ERROR"
EXAMPLES = 5


def systematic_error(
    batch: ValidatedBatch, *, hold_share: Decimal, hold_min_rows: int, how_to_override: str = ""
) -> Issue | None:
    """The file-level issue that holds ``batch``, or None when it should be processed.

    A rule (an issue code) holds the file when the records it fails are at least
    ``hold_min_rows`` and at least ``hold_share`` of all records; of several such rules the
    one failing most records is named, with up to five example rows (record numbers counted
    from 1 in file order, the header not counted).
    """
    total = batch.records.height
    if total == 0 or batch.issues.height == 0:
        return None
    by_code = (
        batch.issues.filter(pl.col("severity") != Severity.REJECT.value)
        .group_by("code")
        .agg(
            pl.col(RECORD_INDEX).n_unique().alias("records"),
            pl.col(RECORD_INDEX).unique().sort().head(EXAMPLES).alias("examples"),
        )
        .filter(pl.col("records") >= hold_min_rows)
        .sort(["records", "code"], descending=[True, False])
    )
    if by_code.height == 0:
        return None
    code, failing, examples = by_code.row(0)
    share = Decimal(failing) / Decimal(total)
    if share < hold_share:
        return None
    percent = (share * 100).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    rows = ", ".join(str(i + 1) for i in examples)
    message = (
        f"{code} fails on {failing} of {total} rows ({percent}%), e.g. rows {rows}. A rule"
        f" failing on at least {(hold_share * 100).normalize():f}% of a file's rows means the"
        " file itself is wrong (columns swapped, an old bank list, another layout): it is held"
        " as a whole, nothing is paid or billed and no record goes to review. Ask the client"
        " for a corrected file"
    )
    message += f", or {how_to_override}." if how_to_override else "."
    return Issue(code=CODE, message=message)
