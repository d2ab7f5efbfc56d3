"""Conservation, proven from the tables: every record of every file in exactly one state.

Per file: the records stored equal the records found; each ``completed`` record has exactly one
live (unreversed) primary usage entry; each ``in_review`` record an active review item; no
``rejected`` or ``in_review`` record is billed; no file is stuck part-way.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import text
from sqlalchemy.orm import Session

PRIMARY_UNITS = {"payroll": "payroll_payment", "invoices": "invoice", "claims": "claim"}


@dataclass
class FileBalance:
    file_id: int
    client_id: str
    doc_type: str
    name: str
    status: str
    expected: int
    records: int = 0
    completed: int = 0
    in_review: int = 0
    rejected: int = 0
    unbilled: int = 0
    billed_twice: int = 0
    billed_not_completed: int = 0
    review_missing: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


_FILES = text(
    "SELECT id, client_id, doc_type, name, status, stage, COALESCE(record_count, 0), reason"
    " FROM files"
    " WHERE (:client_all OR client_id = :client) ORDER BY id"
)
_STATES = text(
    "SELECT file_id, state, COUNT(*) FROM records WHERE (:client_all OR client_id = :client)"
    " GROUP BY file_id, state"
)
# Net live primary entries per record: usage entries minus their reversals.
_BILLING = text(
    """
    SELECT r.file_id, r.state, COALESCE(b.live, 0) AS live, COUNT(*)
    FROM records r
    LEFT JOIN (
        SELECT u.file_id, u.record_index,
               SUM(CASE WHEN u.entry_type = 'usage' THEN 1 ELSE -1 END) AS live
        FROM usage_ledger u
        JOIN files f ON f.id = u.file_id
        WHERE u.unit = CASE f.doc_type WHEN 'payroll' THEN 'payroll_payment'
                                       WHEN 'invoices' THEN 'invoice' ELSE 'claim' END
          AND (:client_all OR f.client_id = :client)
        GROUP BY u.file_id, u.record_index
    ) b ON b.file_id = r.file_id AND b.record_index = r.record_index
    WHERE (:client_all OR r.client_id = :client)
    GROUP BY r.file_id, r.state, COALESCE(b.live, 0)
    """
)
_REVIEW = text(
    """
    SELECT r.file_id, COUNT(*) FROM records r
    LEFT JOIN review_items i ON i.file_id = r.file_id AND i.record_index = r.record_index
         AND i.status IN ('open', 'claimed', 'escalated')
    WHERE r.state = 'in_review' AND i.id IS NULL AND (:client_all OR r.client_id = :client)
    GROUP BY r.file_id
    """
)


def reconcile(session: Session, client_id: str | None = None) -> list[FileBalance]:
    params = {"client": client_id or "", "client_all": client_id is None}
    balances: dict[int, FileBalance] = {}
    for fid, cid, doc, name, status, stage, expected, reason in session.execute(_FILES, params):
        b = FileBalance(fid, cid, doc, name, status, int(expected))
        if status == "processing":
            why = f" after: {reason}" if reason else ""
            b.problems.append(
                f"run did not finish (stage {stage}){why}: re-run `bpo process` on it"
            )
        balances[fid] = b
    for fid, state, n in session.execute(_STATES, params):
        b = balances[fid]
        b.records += int(n)
        setattr(b, state, getattr(b, state) + int(n))
    for fid, state, live, n in session.execute(_BILLING, params):
        b = balances[fid]
        if state == "completed" and live == 0:
            b.unbilled += int(n)
        elif state == "completed" and live > 1:
            b.billed_twice += int(n)
        elif state != "completed" and live > 0:
            b.billed_not_completed += int(n)
    for fid, n in session.execute(_REVIEW, params):
        balances[fid].review_missing += int(n)
    for b in balances.values():
        if b.status != "processing" and b.records != b.expected:
            b.problems.append(f"{b.expected} records found but {b.records} stored")
        if b.completed + b.in_review + b.rejected != b.records:
            b.problems.append("records in an unknown state")
        for attr, text_ in (
            ("unbilled", "completed but not billed"),
            ("billed_twice", "billed more than once"),
            ("billed_not_completed", "billed but not completed"),
            ("review_missing", "in review without an open review item"),
        ):
            if getattr(b, attr):
                b.problems.append(f"{getattr(b, attr)} record(s) {text_}")
    return list(balances.values())
