"""Every table of the store, for migrations and metadata: import this, not the parts."""

from __future__ import annotations

import store.access_models
import store.billing_models
import store.memory_models
import store.publication_models
import store.qa_models
from store.models import Base

__all__ = ["Base", "store"]
