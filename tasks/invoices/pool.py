"""PDF extraction across cores: one process per core, files fanned out (forkserver/spawn, so
workers never inherit locks or open handles of the parent)."""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from schemas.batch import ValidatedBatch
from schemas.config import ClientConfig
from tasks.doctype import ClientContext


def _extract_one(item: tuple[bytes | str, str, ClientConfig, str]) -> ValidatedBatch:
    from tasks.invoices.handler import InvoiceHandler

    data, name, client, base_dir = item
    raw = Path(data).read_bytes() if isinstance(data, str) else data
    return InvoiceHandler().extract(raw, name, ClientContext(client, Path(base_dir)))


def default_workers() -> int:
    return max(
        1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    )


def extract_many(
    items: Sequence[bytes | Path],
    ctx: ClientContext,
    *,
    names: Sequence[str] | None = None,
    workers: int | None = None,
) -> list[ValidatedBatch]:
    """Extract many files (bytes, or paths read inside the worker) in a process pool; results
    are in input order. With one worker or one file it runs in this process."""
    names = (
        list(names)
        if names is not None
        else [item.name if isinstance(item, Path) else f"file{i}" for i, item in enumerate(items)]
    )
    work = [
        (str(item) if isinstance(item, Path) else item, name, ctx.client, str(ctx.base_dir))
        for item, name in zip(items, names, strict=True)
    ]
    n = min(workers or default_workers(), len(work))
    if n <= 1:
        return [_extract_one(w) for w in work]
    method = "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn"
    with ProcessPoolExecutor(max_workers=n, mp_context=multiprocessing.get_context(method)) as pool:
        return list(pool.map(_extract_one, work, chunksize=1))
