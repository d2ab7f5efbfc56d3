"""``bpo invoices memory``: what reviewers' corrections taught about a client's suppliers.

``list`` shows each remembered field (supplier, field, label, where it stood, the example
value and the review item it came from); ``forget`` removes one entry, a supplier's entries,
or all of a client's. The next invoices are then read as if nothing had been learned.
"""

from __future__ import annotations

from typing import Annotated

import typer

from cli.context import get_app
from cli.output import console, emit_json, fail

app = typer.Typer(
    help="Invoices: the supplier memory learned from corrections.", no_args_is_help=True
)
memory_app = typer.Typer(
    help="Where corrected values stood, per client and supplier.", no_args_is_help=True
)
app.add_typer(memory_app, name="memory")
JsonOpt = Annotated[bool, typer.Option("--json", help="Print the machine-readable answer.")]
ClientOpt = Annotated[str, typer.Option("--client", "-c", help="The client whose memory.")]
SupplierOpt = Annotated[
    str | None,
    typer.Option("--supplier", help="Only this supplier (its VAT id, IBAN or name as listed)."),
]


def _check_client(client: str) -> None:
    if client not in get_app().config.clients:
        fail(f"unknown client {client!r}")


@memory_app.command("list")
def list_memory(client: ClientOpt, supplier: SupplierOpt = None, json_out: JsonOpt = False) -> None:
    """Show what was learned for a client (oldest first)."""
    from store.db import transaction
    from store.invoice_memory import remembered

    _check_client(client)
    with transaction(get_app().engine) as session:
        entries = remembered(session, client_id=client, supplier=supplier)
    rows = [
        {
            "id": e.id,
            "supplier_kind": e.supplier_kind,
            "supplier": e.supplier_key,
            "field": e.field,
            "page": e.page,
            "label": e.label,
            "value_box": [round(v, 4) for v in e.value_box],
            "example": e.example,
            "review_item": e.source_item,
            "learned_by": e.learned_by,
            "learned_at": e.learned_at.isoformat() if e.learned_at else None,
        }
        for e in entries
    ]
    if json_out:
        emit_json(rows)
        return
    from rich.table import Table

    table = Table("id", "supplier", "field", "label", "page", "example", "from item", "learned")
    for r in rows:
        table.add_row(
            str(r["id"]),
            f"{r['supplier']} ({r['supplier_kind']})",
            str(r["field"]),
            str(r["label"] or ""),
            str(r["page"]),
            str(r["example"]),
            str(r["review_item"] or ""),
            str(r["learned_at"] or "")[:19],
        )
    console.print(table)
    console.print(f"{len(rows)} remembered field positions")


@memory_app.command("forget")
def forget_memory(
    client: ClientOpt,
    entry: Annotated[int | None, typer.Argument(help="The entry id (from list).")] = None,
    supplier: SupplierOpt = None,
    everything: Annotated[
        bool, typer.Option("--all", help="Forget everything learned for the client.")
    ] = False,
    json_out: JsonOpt = False,
) -> None:
    """Remove an entry, a supplier's entries (--supplier) or all of them (--all)."""
    from store.db import transaction
    from store.invoice_memory import forget

    if entry is None and supplier is None and not everything:
        fail("name an entry id, --supplier S or --all")
    _check_client(client)
    with transaction(get_app().engine) as session:
        removed = forget(session, client_id=client, entry_id=entry, supplier=supplier)
    if json_out:
        emit_json({"removed": removed})
    else:
        console.print(f"forgot {removed} remembered field positions")
