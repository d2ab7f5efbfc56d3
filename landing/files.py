"""What a scan of the landing zone returns: files ready to take, and entries refused."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from schemas.doc_type import DocType


@dataclass(frozen=True)
class LandedFile:
    """A complete file at ``<root>/<client_id>/<doc_type>/<name>``.

    ``path`` is the filesystem path behind ``url``; ``marker_path`` is its ``<name>.done``
    marker, archived with it, when the client sent one.
    """

    client_id: str
    doc_type: DocType
    name: str
    size: int
    url: str
    path: str
    mtime: datetime | None = None
    etag: str | None = None
    marker_path: str | None = None

    @property
    def version(self) -> str:
        """What changes when the content changes: the ETag, else the modification time."""
        if self.etag:
            return self.etag
        return self.mtime.isoformat() if self.mtime is not None else ""


@dataclass(frozen=True)
class Refused:
    """An entry the zone will not take, with a reason a person can act on.

    The caller quarantines it (``LandingZone.quarantine``); ``client_id`` is None when the
    entry cannot be attributed to a configured client. ``is_dir`` entries move as a whole.
    """

    url: str
    client_id: str | None
    reason: str
    path: str
    doc_type: DocType | None = None
    is_dir: bool = False
    mtime: datetime | None = None
    etag: str | None = None
    size: int = 0
    #: A listed file refused at read time keeps its ``<name>.done`` marker: it moves along.
    marker_path: str | None = None

    @property
    def name(self) -> str:
        return self.path.rstrip("/").rsplit("/", 1)[-1]

    @property
    def version(self) -> str:
        """What changes when the entry changes (as for :class:`LandedFile`)."""
        if self.etag:
            return self.etag
        return self.mtime.isoformat() if self.mtime is not None else ""
