"""``bpo process``, ``bpo extract``, ``bpo ingest`` and ``bpo serve``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from cli.context import get_app
from cli.output import console, emit_json, fail
from schemas.doc_type import DocType
from schemas.short_text import shorten

TypeOpt = Annotated[DocType, typer.Option("--type", "-t", help="Document type of the files.")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print the machine-readable answer.")]


def _quiet_prefect() -> Any:
    from prefect.settings import PREFECT_FLOWS_HEARTBEAT_FREQUENCY, temporary_settings

    return temporary_settings(updates={PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None})


def process(
    files: Annotated[list[Path], typer.Argument(help="Files to process (never moved or deleted).")],
    client: Annotated[str, typer.Option("--client", "-c", help="Client id from the config.")],
    doc_type: TypeOpt,
    json_out: JsonOpt = False,
    accept_systematic: Annotated[
        bool,
        typer.Option(
            "--accept-systematic",
            help="Process a file held as FILE-SYSTEMATIC-ERROR (one rule failing on many"
            " rows) anyway: its failing rows go to review.",
        ),
    ] = False,
) -> None:
    """Process files for a client: validate, route to review, meter, write outputs.

    A file where one rule fails on a large share of the rows ([clients.C.review] hold_share,
    hold_min_rows) is held: answered quarantined with a FILE-SYSTEMATIC-ERROR reason,
    nothing paid or billed, until it is processed with --accept-systematic.
    """
    for f in files:
        if not f.is_file():
            fail(f"{f}: no such file")
    rt = get_app()
    if client not in rt.config.clients:
        fail(f"unknown client {client!r}: add [clients.{client}] to {rt.settings.config}")
    from prefect import tags
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
    )
    from rich.table import Table

    from flows.process import FLOWS

    flow = FLOWS[doc_type]
    results: list[dict[str, Any]] = []
    failed = False
    with (
        _quiet_prefect(),
        Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
            disable=json_out,
            transient=True,
        ) as progress,
    ):
        bar = progress.add_task(f"processing {doc_type.value}", total=len(files))
        for f in files:
            progress.update(bar, description=f"{f.name}")
            try:
                with tags(f"client:{client}", f"doc:{doc_type.value}"):
                    res = flow(
                        path=str(f.resolve()),
                        client_id=client,
                        name=f.name,
                        accept_systematic=accept_systematic,
                    )
                results.append(res.model_dump())
            except Exception as exc:  # a failure of the system, not of the input
                failed = True
                results.append(
                    {
                        "path": str(f),
                        "client_id": client,
                        "doc_type": doc_type.value,
                        "status": "error",
                        "reason": f"{type(exc).__name__}: {exc}",
                    }
                )
            progress.advance(bar)
    if json_out:
        emit_json({"files": results})
    else:
        table = Table("file", "status", "records", "completed", "in review", "rejected", "reason")
        for r in results:
            table.add_row(
                Path(r["path"]).name,
                r["status"],
                str(r.get("records", 0)),
                str(r.get("completed", 0)),
                str(r.get("in_review", 0)),
                str(r.get("rejected", 0)),
                shorten(r.get("reason") or "", 80),
            )
        console.print(table)
    if failed:
        raise typer.Exit(1)


def extract(
    file: Annotated[Path, typer.Argument(help="The file to read.")],
    doc_type: TypeOpt,
    client: Annotated[
        str | None, typer.Option("--client", "-c", help="Use this client's settings.")
    ] = None,
    json_out: JsonOpt = False,
    ignore_embedded: Annotated[
        bool,
        typer.Option(
            "--ignore-embedded",
            help="Invoices: read a Factur-X/ZUGFeRD PDF from its printed page only, ignoring"
            " the embedded XML.",
        ),
    ] = False,
) -> None:
    """Dry run: extract and validate one file, persist nothing.

    With --json each record carries ``fields`` (canonical values) and ``field_details``
    (per field: value, confidence and source, e.g. label, layout, memory, cii)."""
    from rich.table import Table

    from cli.context import settings
    from readers.isolation import ReaderPool
    from schemas.config import ClientConfig, load_config
    from tasks.doctype import ClientContext
    from tasks.extraction import PRELOAD, extract_file
    from tasks.registry import handler_for
    from tasks.review_fields import learned_from

    if not file.is_file():
        fail(f"{file}: no such file")
    config = load_config(Path(settings().config))
    cfg = config.clients.get(client) if client else None
    if client and cfg is None:
        fail(f"unknown client {client!r}")
    if ignore_embedded and doc_type is not DocType.INVOICES:
        fail("--ignore-embedded applies to --type invoices only")
    client_cfg = cfg or ClientConfig(id="dry-run", name="dry run")
    if ignore_embedded:
        options = client_cfg.invoices.model_copy(update={"ignore_embedded_xml": True})
        client_cfg = client_cfg.model_copy(update={"invoices": options})
    # With a client, its supplier memory applies too (read only if a page is read).
    memory = (lambda: get_app().invoice_memory(cfg.id)) if cfg is not None else None
    ctx = ClientContext(
        client=client_cfg,
        base_dir=config.base_dir,
        limits=config.limits_for(client) if client else config.limits,
        memory_loader=memory,
    )
    handler = handler_for(doc_type)
    pool = ReaderPool(1, preload=PRELOAD) if settings().reader_processes else None
    try:
        batch = extract_file(doc_type, file.read_bytes(), file.name, ctx, pool)
    finally:
        if pool is not None:
            pool.close()
    fields = handler.record_json(batch.records) if batch.records.height else []
    by_record: dict[int, list[dict[str, str]]] = {}
    for row in batch.issues.iter_rows(named=True):
        by_record.setdefault(row["record_index"], []).append(
            {"code": row["code"], "field": row["field"], "message": row["message"]}
        )
    records = [
        {
            "record_key": key,
            "fields": f,
            "issues": by_record.get(idx, []),
            **({"field_details": details} if details is not None else {}),
        }
        for idx, key, f, details in zip(
            batch.records.get_column("record_index").to_list(),
            batch.records.get_column("record_key").to_list(),
            fields,
            _field_details(batch.records, fields),
            strict=True,
        )
    ]
    for record, learned in zip(records, learned_from(batch.records), strict=True):
        if learned:
            record["learned_from"] = learned
    answer = {
        "file_issues": [{"code": i.code, "message": i.message} for i in batch.file_issues],
        "records": records,
    }
    if json_out:
        emit_json(answer)
        return
    from schemas.pii import mask_fields

    for issue in answer["file_issues"]:
        console.print(f"[red]file[/] {issue['code']}: {issue['message']}", highlight=False)
    table = Table("record", "issues", "fields")
    for r in records[:200]:
        masked = mask_fields(doc_type.value, r["fields"])
        table.add_row(
            str(r["record_key"]),
            "\n".join(f"{i['code']} {i['field']}" for i in r["issues"]) or "ok",
            ", ".join(f"{k}={v}" for k, v in list(masked.items())[:6]),
        )
    console.print(table)
    console.print(f"{len(records)} records, {sum(1 for r in records if r['issues'])} with issues")


def _field_details(records: Any, fields: list[dict[str, Any]]) -> list[dict[str, Any] | None]:
    """Per record, ``{field: {"value", "confidence", "source"}}`` for the fields the reader
    scored (invoices); ``None`` for document types that do not score their fields."""
    import json

    if "field_confidence" not in records.columns:
        return [None] * len(fields)
    sources = (
        records.get_column("field_source").to_list()
        if "field_source" in records.columns
        else [None] * len(fields)
    )
    out: list[dict[str, Any] | None] = []
    for conf_json, source_json, values in zip(
        records.get_column("field_confidence").to_list(), sources, fields, strict=True
    ):
        conf = json.loads(conf_json or "{}")
        source = json.loads(source_json or "{}")
        out.append(
            {
                name: {
                    "value": values.get(name),
                    "confidence": round(float(c), 3),
                    "source": source.get(name),
                }
                for name, c in sorted(conf.items())
                if name in values
            }
        )
    return out


def ingest(
    once: Annotated[bool, typer.Option("--once", help="Poll once and exit.")] = False,
    json_out: JsonOpt = False,
) -> None:
    """Poll the landing zone(s), register new complete files once, process them."""
    import time

    rt = get_app()
    from flows.ingest import ingest as ingest_flow

    while True:
        with _quiet_prefect():
            summary = ingest_flow()
        if json_out:
            emit_json(summary.model_dump())
        else:
            console.print(
                f"taken {summary.taken}, duplicates {summary.duplicates}, quarantined "
                f"{summary.quarantined}, waiting {summary.waiting}"
            )
        if once:
            return
        time.sleep(rt.config.landing.poll_interval_seconds)


def serve() -> None:
    """Serve every deployment of this project from this machine (long-running)."""
    from cli.env import serve_logging

    serve_logging()  # before Prefect reads its settings
    get_app()
    from flows.serve import serve_all

    serve_all()
