"""The due-time rule: a review item is due ``sla_hours`` *working* hours after it was made.

Working hours are ``business_hours`` in the client's time zone (``[review] timezone``, else the
client's ``timezone``). A Friday 16:00 item with an 8-hour SLA in New York is due Monday 15:00
local, not Saturday 00:00.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from schemas.config import ClientConfig
from worktime import add_business_hours, business_hours_between


def client_zone(client: ClientConfig) -> str:
    return client.review.timezone or client.timezone


def business_due(created_at: dt.datetime, client: ClientConfig) -> dt.datetime:
    review = client.review
    return add_business_hours(
        created_at, review.sla_hours, client_zone(client), review.business_hours
    )


def business_age_hours(created_at: dt.datetime, client: ClientConfig, now: dt.datetime) -> Decimal:
    """Working hours an item made at ``created_at`` has waited by ``now`` (its aging in the
    client's business time)."""
    hours = business_hours_between(
        created_at, now, client_zone(client), client.review.business_hours
    )
    return hours.quantize(Decimal("0.1"))
