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

from billing.periods import period_at, period_bounds, previous_period
from billing.tasks import close_task, export_task
from flows.runtime import Runtime, runtime
from store.db import transaction
from store.qa import qa_stats

SCHEDULE_CRON = "0 12 1 * *"


def qa_accuracy(rt: Runtime, client_id: str) -> Decimal | None:
    """Share of a client's decided QA samples that passed, over every doc type."""
    with transaction(rt.engine) as session:
        stats = qa_stats(session, client_id=client_id)
    passed = sum(int(s["passed"]) for s in stats)
    decided = passed + sum(int(s["failed"]) for s in stats)
    return (Decimal(passed) / decided).quantize(Decimal("0.0001")) if decided else None


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
    rt = runtime()
    now = dt.datetime.now(dt.UTC)
    rows: list[dict[str, str]] = []
    for cid in clients or sorted(rt.config.clients):
        client = rt.config.client(cid)
        target = period
        if period == "previous":
            target = previous_period(period_at(now, client.timezone))
        if period_bounds(target, client.timezone)[1] > now:
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
            measured = (accuracy or {}).get(cid)
            if measured is None:
                measured = qa_accuracy(rt, cid)
            result = close_task(rt.engine, client=client, period=target, accuracy=measured)
            written = export_task(
                rt.engine,
                client=client,
                period=target,
                outbox=rt.outbox(cid),
                formats=list(formats or DEFAULT_FORMATS),
            )
        j = result.as_json()
        rows.append(
            {
                "client": cid,
                "period": target,
                "status": j["status"],
                "total": j["total"],
                "currency": result.currency,
                "files": str(len(written)),
            }
        )
    create_table_artifact(
        key=f"billing-close-{period}".lower(),
        table=rows,
        description=f"Billing close ({period}): one row per client.",
    )
    return rows
