"""``billing_close``: close last month for every client, export it, leave a summary artifact.

Deployment: entrypoint ``flows/billing_close.py:billing_close``, cron ``0 12 1 * *`` (UTC). At 12:00
UTC on the 1st the previous month is over in every zone from UTC-12 to UTC+14, so each client's
previous local month can close. Re-runs are harmless: a closed period returns its first result
and re-exports the same bytes.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from prefect import flow, get_run_logger, tags
from prefect.artifacts import create_table_artifact

from app.root import current_app
from billing.periods import period_at, period_over, previous_period
from flows.operators import announce_close
from tasks.steps import close_task, export_task

SCHEDULE_CRON = "0 12 1 * *"


DEFAULT_FORMATS = ("csv", "xlsx")


@flow(name="billing-close", flow_run_name="billing-close/{period}", log_prints=False)
def billing_close(
    period: str = "previous",
    clients: list[str] | None = None,
    formats: list[str] | None = None,
    accuracy: dict[str, Decimal] | None = None,
) -> list[dict[str, str]]:
    """Close ``period`` (default: each client's previous local month) and export it.

    Args:
        period: ``YYYY-MM`` or ``previous``.
        clients: client ids (default: every configured client).
        formats: export formats (default csv and xlsx); the evidence zip is always written.
        accuracy: QA accuracy per client id, for accuracy credits; a client left out gets the
            accuracy measured by its QA samples (none when nothing was sampled).
    """
    logger = get_run_logger()
    app = current_app()
    now = dt.datetime.now(dt.UTC)
    rows: list[dict[str, str]] = []
    for cid in clients or sorted(app.config.clients):
        client = app.config.client(cid)
        target = period
        if period == "previous":
            target = previous_period(period_at(now, client.timezone))
        if not period_over(target, client.timezone, now):
            logger.warning("%s %s is not over yet: not closed", cid, target)
            rows.append(
                {
                    "client": cid,
                    "period": target,
                    "status": "not_over",
                    "total": "",
                    "currency": client.currency,
                    "files": "0",
                }
            )
            continue
        with tags(f"client:{cid}", f"period:{target}"):
            # A client left out of ``accuracy`` is billed the accuracy its QA samples measure.
            given = (accuracy or {}).get(cid)
            result = close_task(app.engine, client=client, period=target, accuracy=given)
            written = export_task(
                app.engine,
                client=client,
                period=target,
                outbox=app.outbox(cid),
                formats=list(formats or DEFAULT_FORMATS),
            )
        j = result.as_json()
        row = {
            "client": cid,
            "period": target,
            "status": j["status"],
            "total": j["total"],
            "currency": result.currency,
            "files": str(len(written)),
        }
        rows.append(row)
        announce_close(row)
    create_table_artifact(
        key=f"billing-close-{period}".lower(),
        table=rows,
        description=f"Billing close ({period}): one row per client.",
    )
    return rows
