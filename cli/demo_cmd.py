"""``bpo demo``: sample clients and files through the whole pipeline, then a billing export."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from cli.output import console, fail
from schemas.short_text import shorten

if TYPE_CHECKING:
    from app.root import App

if TYPE_CHECKING:
    import polars as pl

DEMO_CONFIG = """\
# Written by `bpo demo`: two sample clients on the local landing zone.
[landing]
root = "file://./landing"
outbox = "file://./outbox"
archive = "file://./archive"
quarantine = "file://./quarantine"

[clients.acme]
name = "Acme Corp"
currency = "USD"
timezone = "America/New_York"
[clients.acme.rates]
payroll_payment = "0.45"
invoice = "1.20"
invoice_line = "0.05"
claim = "0.80"
[clients.acme.payroll]
employee_master = "ref/acme-employees.csv"   # pay type, annual salary, pay frequency
[clients.acme.payroll.ach]
company_name = "ACME CORP"
company_id = "1234567890"
odfi_routing = "091000019"

[clients.globex]
name = "Globex Health"
currency = "USD"
timezone = "America/Chicago"
[clients.globex.rates]
payroll_payment = "0.40"
invoice = "1.10"
claim = "0.75"
claim_line = "0.10"
[clients.globex.payroll.columns]
"Emp #" = "employee_id"
"Full Name" = "employee_name"
"Net Amount" = "net_pay"
"""


def _payroll_samples(landing: Path) -> list[Path]:
    from samples.hostile import xlsx_bomb
    from samples.payroll import csv_bytes, payroll_frame, plant_errors

    acme = landing / "acme" / "payroll"
    acme.mkdir(parents=True, exist_ok=True)
    path = acme / "payroll-2026-01-15.csv"
    path.write_bytes(csv_bytes(_acme_hourly()))
    # A provider's export: a third salaried with rate and hours blank, CRLF line ends.
    salaried = acme / "payroll-salaried-2026-01-16.csv"
    salaried.write_bytes(csv_bytes(_acme_salaried(), crlf=True))
    _write_master(landing.parent / "ref" / "acme-employees.csv")
    globex = landing / "globex" / "payroll"
    globex.mkdir(parents=True, exist_ok=True)
    gpath = globex / "payroll-jan.xlsx"
    plant_errors(payroll_frame(120, pay_date="2026-01-16", seed=2), every=30).rename(
        {"employee_id": "Emp #", "employee_name": "Full Name", "net_pay": "Net Amount"}
    ).write_excel(gpath, worksheet="payroll")
    # Hostile input: an empty file is quarantined with a reason, the others go on.
    empty = acme / "empty.csv"
    empty.write_bytes(b"")
    # A workbook zip bomb (1 MB, 13 million cells): quarantined FILE-TOO-LARGE naming the
    # reading budget it passed, in seconds, while the files beside it are processed.
    bomb = acme / "payroll-export-bomb.xlsx"
    bomb.write_bytes(xlsx_bomb())
    return [path, salaried, gpath, empty, bomb]


def _acme_hourly() -> pl.DataFrame:
    from samples.payroll import payroll_frame, plant_errors

    return plant_errors(payroll_frame(200, seed=1), every=25)


def _acme_salaried() -> pl.DataFrame:
    from samples.payroll import export_frame

    return export_frame(60, pay_date="2026-01-16", first_employee=1000)


def _write_master(path: Path) -> None:
    """Acme's employee master: everyone paid, salaried staff with their salary (semimonthly,
    so gross x 24; one of them with last year's salary, to show PAY-SALARY-MISMATCH)."""
    import polars as pl

    frame = pl.concat([_acme_hourly(), _acme_salaried()]).filter(
        pl.col("employee_id").is_not_null()
    )
    salaried = pl.col("hourly_rate").is_null()
    annual = pl.col("gross_pay").cast(pl.Decimal(18, 2)) * 24
    master = frame.select(
        pl.col("employee_id").alias("Employee ID"),
        pl.col("employee_name").alias("Name"),
        pl.when(salaried).then(pl.lit("Salaried")).otherwise(pl.lit("Hourly")).alias("Pay Type"),
        pl.when(salaried)
        .then(
            pl.when(pl.col("employee_id") == "E0001003")
            .then(annual * pl.lit(Decimal("0.9"), pl.Decimal(3, 1)))
            .otherwise(annual)
            .cast(pl.Decimal(18, 2))
            .cast(pl.String)
        )
        .alias("Annual Salary"),
        pl.when(salaried).then(pl.lit("semi-monthly")).alias("Pay Frequency"),
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    master.write_csv(path)


def _second_drop(landing: Path) -> list[Path]:
    """What a client sends next: the January batch again from another export (CRLF, rows in
    another order: other bytes, the same payments), and a batch whose routing numbers came
    from an old bank list (held as a whole)."""
    import polars as pl

    from samples.payroll import BAD_ROUTING, csv_bytes, payroll_frame

    acme = landing / "acme" / "payroll"
    resent = acme / "payroll-2026-01-15-resent.csv"
    resent.write_bytes(csv_bytes(_acme_hourly(), crlf=True, shuffle_seed=5))
    old_banks = acme / "payroll-2026-01-30.csv"
    frame = payroll_frame(100, pay_date="2026-01-30", seed=3, period=("2026-01-15", "2026-01-28"))
    bad = pl.int_range(pl.len()) % 5 < 2  # two rows in five: 40%
    old_banks.write_bytes(
        csv_bytes(
            frame.with_columns(
                pl.when(bad)
                .then(pl.lit(BAD_ROUTING))
                .otherwise("routing_number")
                .alias("routing_number")
            )
        )
    )
    for p in (resent, old_banks):
        p.with_name(p.name + ".done").write_bytes(b"")
    return [resent, old_banks]


def _invoice_samples(landing: Path) -> list[Path]:
    from decimal import Decimal

    from samples.invoices import Spec, make_pdf, ubl_xml

    folder = landing / "acme" / "invoices"
    folder.mkdir(parents=True, exist_ok=True)
    files = {
        "INV-2026-001.pdf": make_pdf(Spec(), layout="right", lang="en"),
        "RE-2026-0042.pdf": make_pdf(
            Spec(number="RE-2026-0042", vendor="Müller Werkzeuge GmbH"), layout="blocks", lang="de"
        ),
        "INV-2026-007.xml": ubl_xml(Spec(number="INV-2026-007")),
        # Planted error: the printed total disagrees with the lines (BR-CO-15).
        "INV-2026-009.pdf": make_pdf(
            Spec(number="INV-2026-009", total_text="999.99"), layout="table", lang="en"
        ),
        "FA-2026-118.pdf": make_pdf(
            Spec(number="FA-2026-118", lines=[("Maintenance", Decimal("3"), Decimal("80.00"))]),
            layout="right",
            lang="fr",
        ),
    }
    files.update(_scan_and_template_samples())
    out = []
    for name, data in files.items():
        (folder / name).write_bytes(data)
        out.append(folder / name)
    return out


#: The scanned invoice of the demo, and the supplier whose layout a correction teaches.
SCAN_NAME = "scan-INV-2026-013.png"
TEMPLATE_FIRST, TEMPLATE_NEXT = "NF26100.pdf", "NF26117.pdf"


def _scan_and_template_samples() -> dict[str, bytes]:
    from samples.invoices import Spec, make_pdf
    from samples.scans import scan
    from samples.supplier_template import series, template_pdf

    printed = make_pdf(Spec(number="INV-2026-013"), layout="right", lang="en")
    return {
        # A photocopy of a printed invoice: 200 dpi, a little skewed, some speckle.
        SCAN_NAME: scan(printed, fmt="png", dpi=200, rotate=0.7, noise=0.001),
        # The first invoice of a supplier whose own layout the reader gets partly wrong.
        TEMPLATE_FIRST: template_pdf(series(2)[0]),
    }


def _teach_and_drop_next(rt: App, landing: Path) -> tuple[str, bytes | None]:
    """A reviewer corrects the supplier's first invoice; its next one is then dropped and
    read with what the correction taught. Returns what happened, for the summary."""
    from sqlalchemy import select

    from review.corrections import Correction
    from review.decision import resolve_item
    from samples.supplier_template import series, template_pdf
    from store.db import transaction
    from store.models import File, ReviewItem

    first, nxt = series(2)
    with transaction(rt.engine) as session:
        item = session.scalars(
            select(ReviewItem)
            .join(File, File.id == ReviewItem.file_id)
            .where(File.client_id == "acme", File.name == TEMPLATE_FIRST)
        ).first()
    if item is None:
        return f"{TEMPLATE_FIRST} needed no review: nothing to correct", None
    wrong = {f: str(v) for f, v in first.truth().items() if str(item.fields.get(f)) != str(v)}
    resolve_item(
        rt,
        item_id=item.id,
        reviewer="demo-reviewer",
        action="correct",
        corrections=[Correction(f, v) for f, v in wrong.items()],
        client_id="acme",
    )
    target = landing / "acme" / "invoices" / TEMPLATE_NEXT
    data = template_pdf(nxt)
    target.write_bytes(data)
    target.with_name(target.name + ".done").write_bytes(b"")
    return (
        f"review item {item.id} ({TEMPLATE_FIRST}) corrected by demo-reviewer: "
        f"{', '.join(sorted(wrong)) or 'nothing'}; the supplier's next invoice {TEMPLATE_NEXT} "
        "was then read with what that correction taught"
    ), data


def _claim_samples(landing: Path) -> list[Path]:
    from samples.claims import ClaimSpec, LineSpec, interchange, transaction

    folder = landing / "globex" / "claims"
    folder.mkdir(parents=True, exist_ok=True)
    claims = [
        ClaimSpec(
            claim_id=f"PCN{1000 + i}",
            member_id=f"M{770000 + i}",
            lines=[LineSpec(charge="40.00"), LineSpec(procedure="85025", charge="25.00")],
            total="65.00",
        )
        for i in range(12)
    ]
    claims[3].billing_npi = "1234567890"  # planted: NPI check digit fails
    claims[7].total = "70.00"  # planted: CLM02 != sum of line charges
    path = folder / "claims-0415.837"
    path.write_bytes(interchange([transaction(claims)]).encode())
    return [path]


def _write_samples(landing: Path) -> list[Path]:
    written = [*_payroll_samples(landing), *_invoice_samples(landing), *_claim_samples(landing)]
    for p in written:  # a .done marker: the file is complete, take it on the first poll
        p.with_name(p.name + ".done").write_bytes(b"")
    return written


def demo(
    workdir: Annotated[
        Path, typer.Option(help="Where the demo config, landing zone and outbox go.")
    ] = Path(),
) -> None:
    """Write a demo config and sample files, run ingest and processing, print a summary."""
    import os

    from cli.context import settings

    if (workdir / "landing" / "__init__.py").exists():
        # The source tree's ``landing`` package is not a landing zone: ingest would move its
        # modules to quarantine as files nobody can be attributed to.
        fail(
            f"{workdir.resolve()} holds the source code (landing/ is a Python package): "
            "run `bpo demo --workdir demo` (as `make demo` does)"
        )
    workdir.mkdir(parents=True, exist_ok=True)
    os.chdir(workdir)
    config = Path(settings().config)
    if not config.exists():
        config.write_text(DEMO_CONFIG, encoding="utf-8")
        console.print(f"wrote {config}")
    samples = _write_samples(Path("landing"))
    console.print(
        f"dropped {len(samples)} sample files (payroll, invoices, claims; some with planted "
        "errors) into ./landing"
    )

    from rich.table import Table

    from cli.context import get_app
    from cli.process_cmd import _quiet_prefect

    rt = get_app()
    from billing.export import usage_detail, write_export
    from flows.ingest import ingest
    from store.db import transaction
    from store.reconcile import reconcile

    with console.status("running ingest and processing flows (Prefect)..."), _quiet_prefect():
        summary = ingest()
        # A reviewer corrects one supplier invoice; the supplier's next one arrives.
        taught = _teach_and_drop_next(rt, Path("landing"))
        # The client's next drop: a re-sent batch (duplicate payments, to review) and a batch
        # with an old bank list (held as FILE-SYSTEMATIC-ERROR).
        resent = _second_drop(Path("landing"))
        later = ingest()
    console.print(
        f"then dropped {len(resent)} more payroll files (the January batch re-sent from another"
        " export, a batch with last year's bank list)"
    )
    summary.files.extend(later.files)
    summary.refused.extend(later.refused)
    table = Table("client", "file", "status", "records", "completed", "in review", "rejected")
    for f in summary.files:
        table.add_row(
            f.client_id,
            f.name,
            f.status,
            str(f.records),
            str(f.completed),
            str(f.in_review),
            str(f.rejected),
        )
    console.print(table)
    for r in summary.refused:
        console.print(f"quarantined {r['url']}: {r['reason']}", highlight=False)
    _show_scan_and_memory(rt, summary.files, taught)
    for f in summary.files:
        if f.status == "quarantined":
            console.print(f"quarantined {f.name}: {shorten(f.reason, 300)}", highlight=False)
    period = dt.datetime.now(dt.UTC).strftime("%Y-%m")
    with transaction(rt.engine) as session:
        balances = reconcile(session)
        for cid in rt.config.clients:
            detail = usage_detail(session, cid, period)
            out = write_export(
                detail, "csv", Path("outbox") / cid / "billing" / f"usage-{period}.csv"
            )
            total = sum(detail.get_column("amount").to_list(), start=0)
            console.print(
                f"{cid}: {detail.height} billable units, {total} "
                f"{rt.config.clients[cid].currency} -> {out}"
            )
    from landing.outbox_check import check_outbox

    outbox = [p for cid in rt.config.clients for p in check_outbox(rt.engine, rt.outbox(cid))]
    for p in outbox:
        console.print(f"outbox {p.client_id}/{p.name}: {p.problem}", highlight=False)
    ok = all(b.ok for b in balances) and not outbox
    console.print(
        "reconcile: "
        + (
            "[green]every record accounted for, every output backed[/]"
            if ok
            else "[red]NOT balanced[/]"
        )
    )
    token = _demo_reviewer(rt)
    console.print(
        "review page: `bpo review serve`, then sign in at http://127.0.0.1:8765/ as "
        f"demo-reviewer with the token {token} (shown once; `bpo users rotate demo-reviewer` "
        "issues another)",
        highlight=False,
        soft_wrap=True,
    )
    _runs_hint(len(summary.files))


def _show_scan_and_memory(rt: App, files: list[Any], taught: tuple[str, bytes | None]) -> None:
    """The scanned invoice (read by OCR) and the invoice read with a learned correction."""
    from tasks.invoices.handler import InvoiceHandler
    from tasks.review_fields import learned_from

    by_name = {f.name: f for f in files if f.client_id == "acme"}
    scan = by_name.get(SCAN_NAME)
    if scan is not None:
        console.print(
            f"scanned invoice {SCAN_NAME}: read by OCR, {scan.status}: {scan.completed} completed,"
            f" {scan.in_review} in review",
            highlight=False,
        )
    message, data = taught
    console.print(f"learning from a correction: {message}", highlight=False)
    nxt = by_name.get(TEMPLATE_NEXT)
    if nxt is None or data is None:
        return
    # What the run read from the memory, read again the same way (nothing is stored twice).
    batch = InvoiceHandler().extract(data, TEMPLATE_NEXT, rt.client_context("acme"))
    learned = sorted({f for row in learned_from(batch.records) for f in row})
    console.print(
        f"{TEMPLATE_NEXT}: {nxt.completed} completed, {nxt.in_review} in review; read from the"
        f" supplier memory: {', '.join(learned) or 'nothing'} (`bpo invoices memory list"
        " --client acme`)",
        highlight=False,
    )


def _runs_hint(files: int) -> None:
    """Where the runs this demo made can be seen: the configured server's UI, or the
    temporary API's database under the demo's own Prefect home."""
    import os

    api = os.environ.get("PREFECT_API_URL", "")
    console.print(
        f"Prefect runs: one ingest run (named for what it took, e.g. ingest/acme:7,globex:3) "
        f"and runs for its {files} files, named <client>/<doc_type>/<file> (small files of one "
        "client and type share a run named for them, e.g. acme/payroll/4 files: ...), each "
        "ending Completed, In review, Quarantined or Duplicate, with an artifact per file",
        highlight=False,
    )
    if api:
        console.print(f"see them at {api.removesuffix('/api')}/runs", highlight=False)
    else:
        home = os.environ.get("PREFECT_HOME", ".bpo/prefect")
        console.print(
            "they are in this demo's Prefect home; to browse them start a server on it:\n"
            f"  PREFECT_HOME={home} .venv/bin/prefect server start   # then open "
            "http://127.0.0.1:4200/runs",
            highlight=False,
        )
    console.print("next: `bpo review list`, `bpo reconcile`", highlight=False)


def _demo_reviewer(rt: App) -> str:
    """A reviewer of every demo client with a fresh token (rotated when the demo runs again)."""
    from access.users import add_user, find_user, rotate_token
    from store.db import transaction

    now = dt.datetime.now(dt.UTC)
    with transaction(rt.engine) as session:
        if find_user(session, "demo-reviewer") is None:
            issued = add_user(
                session,
                name="demo-reviewer",
                role="reviewer",
                clients=sorted(rt.config.clients),
                now=now,
            )
        else:
            issued = rotate_token(session, name="demo-reviewer", now=now)
    return issued.token
