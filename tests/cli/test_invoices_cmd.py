"""``bpo invoices memory list|forget`` and ``bpo extract --client C`` with the memory."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from typer.testing import CliRunner

from app.root import App
from cli.main import app
from samples.supplier_template import series, template_pdf
from store.db import transaction
from store.invoice_memory import remember
from tasks.invoices.memory import learn
from tasks.invoices.pages import document_pages

runner = CliRunner()


def bpo(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    # A script reads a --json answer from stdout alone (log lines go to stderr); an error
    # is told on stderr.
    answered = "--json" in args and result.exit_code == 0
    return result.exit_code, result.stdout if answered else result.output


def _teach(rt: App, client_id: str = "acme") -> None:
    inv = series(1)[0]
    positions = learn(
        client_id=client_id,
        fields=inv.truth(),
        corrected=["total", "vendor_name", "invoice_number"],
        pages=document_pages(template_pdf(inv), 10),
        source_item=12,
        learned_by="ann",
        at=dt.datetime(2026, 3, 1, tzinfo=dt.UTC),
    )
    with transaction(rt.engine) as session:
        remember(session, positions)


def test_memory_list_and_forget(runtime: App) -> None:
    _teach(runtime)
    code, out = bpo("invoices", "memory", "list", "--client", "acme", "--json")
    assert code == 0, out
    rows = json.loads(out)
    assert {r["field"] for r in rows} == {"total", "vendor_name", "invoice_number"}
    assert {r["review_item"] for r in rows} == {12}
    assert {r["supplier"] for r in rows} == {"ATU13585627"}
    code, out = bpo("invoices", "memory", "list", "--client", "globex", "--json")
    assert json.loads(out) == []
    # forgetting under another client removes nothing of this one's
    code, out = bpo(
        "invoices", "memory", "forget", str(rows[0]["id"]), "--client", "globex", "--json"
    )
    assert json.loads(out) == {"removed": 0}
    code, out = bpo(
        "invoices", "memory", "forget", str(rows[0]["id"]), "--client", "acme", "--json"
    )
    assert json.loads(out) == {"removed": 1}
    code, out = bpo("invoices", "memory", "forget", "--client", "acme", "--all", "--json")
    assert json.loads(out) == {"removed": 2}
    code, out = bpo("invoices", "memory", "forget", "--client", "acme")
    assert code != 0
    code, out = bpo("invoices", "memory", "list", "--client", "nobody")
    assert code != 0


def test_extract_with_a_client_uses_its_memory(runtime: App, tmp_path: Path) -> None:
    _teach(runtime)
    nxt = series(3)[2]
    path = tmp_path / "nf.pdf"
    path.write_bytes(template_pdf(nxt))
    code, out = bpo("extract", str(path), "--type", "invoices", "--client", "acme", "--json")
    assert code == 0, out
    (record,) = json.loads(out)["records"]
    assert record["fields"]["total"] == str(nxt.total)
    assert record["fields"]["vendor_name"] == nxt.vendor
    assert record["learned_from"]["total"] == "review item 12"
    code, out = bpo("extract", str(path), "--type", "invoices", "--json")  # no client: no memory
    (plain,) = json.loads(out)["records"]
    assert "learned_from" not in plain
