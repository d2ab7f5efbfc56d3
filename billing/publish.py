"""A period's exports in the client's outbox: detail and summary per format, and the evidence."""

from __future__ import annotations

from sqlalchemy.orm import Session

from billing.close import statement_for
from billing.evidence import evidence_bytes
from billing.export import statement_bytes
from schemas.config import ClientConfig
from schemas.outbox import Outbox

KINDS = ("detail", "summary")


def publish_period(
    session: Session, *, client: ClientConfig, period: str, outbox: Outbox, formats: list[str]
) -> list[str]:
    """Write ``billing/<period>/<kind>-<client>-<period>.<format>`` for each kind and format,
    and the evidence zip; return their URLs. The same period gives the same bytes again."""
    st = statement_for(session, client, period)
    written = [
        outbox.write(
            f"billing/{period}/{kind}-{client.id}-{period}.{fmt}", statement_bytes(st, kind, fmt)
        )
        for fmt in formats
        for kind in KINDS
    ]
    name = f"billing/{period}/evidence-{client.id}-{period}.zip"
    written.append(outbox.write(name, evidence_bytes(session, st)))
    return written
