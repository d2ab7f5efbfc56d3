"""Publication ledger: every output in a client's outbox is backed by a committed row.

Outputs are staged first and published only after the commit of what they reflect. Outputs
written before this revision (named by URL in ``files.outputs`` and ``review_items.outputs``)
are carried over as published, with an unknown size (-1).

Revision ID: 0008
Revises: 0005
"""

import datetime as dt
import json
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

import store.types

revision: str = "0008"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _relative(url: str, client_id: str) -> str | None:
    """``file:///srv/outbox/acme/payroll/x.ach`` -> ``payroll/x.ach`` (None if not below the
    client's folder)."""
    marker = f"/{client_id}/"
    at = url.rfind(marker)
    if at < 0:
        return None
    name = url[at + len(marker) :]
    return name or None


def _outputs(value: Any) -> list[str]:
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return []
    return [str(v) for v in value] if isinstance(value, list) else []


def _backfill(table: sa.Table) -> None:
    bind = op.get_bind()
    now = dt.datetime.now(dt.UTC)
    rows: dict[tuple[str, str], dict[str, Any]] = {}
    sources = [
        ("file", "SELECT id, client_id, outputs, NULL FROM files"),
        ("review", "SELECT file_id, client_id, outputs, id FROM review_items"),
    ]
    for owner, query in sources:
        for file_id, client_id, outputs, item_id in bind.execute(sa.text(query)):
            for url in _outputs(outputs):
                name = _relative(url, client_id)
                if name is None:
                    continue
                rows[(client_id, name)] = {
                    "client_id": client_id,
                    "name": name,
                    "token": "legacy",
                    "owner": owner,
                    "kind": "receipt" if name.startswith("receipts/") else "output",
                    "file_id": file_id,
                    "review_item_id": item_id,
                    "size": -1,
                    "status": "published",
                    "created_at": now,
                    "published_at": now,
                }
    if rows:
        op.bulk_insert(table, list(rows.values()))


def upgrade() -> None:
    table = op.create_table(
        "publications",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("client_id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=1024), nullable=False),
        sa.Column("token", sa.String(length=64), nullable=False),
        sa.Column("owner", sa.String(length=16), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("file_id", sa.Integer(), nullable=True),
        sa.Column("review_item_id", sa.Integer(), nullable=True),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("published_at", store.types.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("client_id", "name", name="uq_publication_name"),
    )
    op.create_index("ix_publication_status", "publications", ["status", "client_id"])
    op.create_index("ix_publication_file", "publications", ["file_id"])
    op.create_index("ix_publication_review", "publications", ["review_item_id"])
    _backfill(table)


def downgrade() -> None:
    op.drop_index("ix_publication_review", table_name="publications")
    op.drop_index("ix_publication_file", table_name="publications")
    op.drop_index("ix_publication_status", table_name="publications")
    op.drop_table("publications")
