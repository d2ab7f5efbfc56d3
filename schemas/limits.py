"""Reading budgets (``[limits]`` in ``bpo.toml``, per client ``[clients.X.limits]``).

Every client file is read under these budgets: the readers check sizes, rows, cells, pages
and content operators before they build anything big, and the reading process itself runs
with a memory (address-space) limit, a CPU-time limit and a wall-clock limit enforced from
outside. The defaults keep a 2-core, 8 GiB worker safe with two reading processes: each may
use at most 2.5 GiB, so both at once leave room for the worker and its database.

A client's ``[clients.X.limits]`` names only the budgets it changes; the others come from
``[limits]``::

    [limits]
    max_file_bytes = 209715200

    [clients.bigco.limits]
    max_rows = 3000000          # bigco sends payroll for 2.5 million people
"""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

MiB = 1024 * 1024
GiB = 1024 * MiB

Positive = Annotated[int, Field(ge=1)]


class ReadingLimits(BaseModel):
    """What reading one file may cost; a file over any of them is quarantined, naming it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    #: Bytes of the file as sent.
    max_file_bytes: Positive = 512 * MiB
    #: Bytes a compressed container (XLSX zip entries, PDF streams) may expand to, in total.
    max_decompressed_bytes: Positive = 1 * GiB
    #: Bytes one PDF stream (a page's content, an attachment) may decode to.
    max_stream_bytes: Positive = 64 * MiB
    #: Rows of a table (CSV or XLSX sheet) and cells of a workbook.
    max_rows: Positive = 2_000_000
    max_cells: Positive = 10_000_000
    #: Characters of one cell of a table, CSV or XLSX (Excel itself stops at 32,767).
    max_cell_chars: Positive = 32_767
    #: Pages of a PDF, and content operators (drawing instructions) on one page.
    max_pages: Positive = 500
    max_operators_per_page: Positive = 50_000
    #: Bytes of one embedded attachment (the Factur-X/ZUGFeRD XML of a PDF).
    max_attachment_bytes: Positive = 16 * MiB
    #: Bytes and element depth of an XML document.
    max_xml_bytes: Positive = 64 * MiB
    max_xml_depth: Positive = 200
    #: Segments of an X12 interchange.
    max_segments: Positive = 5_000_000
    #: Address space of the reading process (bytes), its CPU seconds and wall-clock seconds.
    max_memory_bytes: Positive = int(2.5 * GiB)
    max_cpu_seconds: Positive = 120
    max_wall_seconds: Positive = 180


class LimitsOverride(BaseModel):
    """A client's ``[clients.X.limits]``: only the budgets it changes."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    max_file_bytes: Positive | None = None
    max_decompressed_bytes: Positive | None = None
    max_stream_bytes: Positive | None = None
    max_rows: Positive | None = None
    max_cells: Positive | None = None
    max_cell_chars: Positive | None = None
    max_pages: Positive | None = None
    max_operators_per_page: Positive | None = None
    max_attachment_bytes: Positive | None = None
    max_xml_bytes: Positive | None = None
    max_xml_depth: Positive | None = None
    max_segments: Positive | None = None
    max_memory_bytes: Positive | None = None
    max_cpu_seconds: Positive | None = None
    max_wall_seconds: Positive | None = None

    def over(self, base: ReadingLimits) -> ReadingLimits:
        """``base`` with this client's budgets in place of the defaults."""
        return base.model_copy(update=self.model_dump(exclude_none=True))
