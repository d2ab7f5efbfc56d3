"""How long a claim on a review item lasts unless renewed (also the CLI's default)."""

from __future__ import annotations

import datetime as dt

DEFAULT_LEASE_MINUTES = 30
DEFAULT_LEASE = dt.timedelta(minutes=DEFAULT_LEASE_MINUTES)
