"""The ``bpo`` command."""

from __future__ import annotations

import os

import typer

app = typer.Typer(
    help="bpo-pipeline: invoices, payroll batches and claims -> validated, reviewed, billed.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


def _register() -> None:
    from cli import (
        billing_cmd,
        demo_cmd,
        invoices_cmd,
        process_cmd,
        reconcile_cmd,
        review_cmd,
        users_cmd,
    )

    app.command("process")(process_cmd.process)
    app.command("extract")(process_cmd.extract)
    app.command("ingest")(process_cmd.ingest)
    app.command("reconcile")(reconcile_cmd.reconcile)
    app.command("demo")(demo_cmd.demo)
    app.command("serve")(process_cmd.serve)
    app.add_typer(review_cmd.app, name="review")
    app.add_typer(billing_cmd.app, name="billing")
    app.add_typer(users_cmd.app, name="users")
    app.add_typer(invoices_cmd.app, name="invoices")


_register()


def main() -> None:  # pragma: no cover - console entry point
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    app()
