"""Walk ``<root>/<client_id>/<doc_type>/<name>`` and sort every entry: candidate, marker,
skipped or refused.

The walk never follows a link and never descends below a doc-type folder, so nothing outside
the layout is read. What does not fit the layout is refused as a whole (an unknown client
folder, a nested folder) rather than file by file, so one quarantine move handles it.
"""

from __future__ import annotations

import posixpath
from collections.abc import Collection, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

from fsspec import AbstractFileSystem

from landing.files import Refused
from landing.names import DONE_SUFFIX, is_skipped, name_problem, printable
from landing.urls import Location
from schemas.doc_type import DocType

Kind = Literal["file", "dir", "link", "other"]
DOC_TYPES = ", ".join(f"{d.value}/" for d in DocType)


@dataclass(frozen=True)
class Entry:
    path: str
    name: str
    kind: Kind
    size: int = 0
    mtime: datetime | None = None
    etag: str | None = None


@dataclass(frozen=True)
class Candidate:
    client_id: str
    doc_type: DocType
    entry: Entry


@dataclass
class Listing:
    candidates: list[Candidate] = field(default_factory=list)
    #: Paths of ``<name>.done`` markers, by the path of the file they mark.
    markers: dict[str, str] = field(default_factory=dict)
    refused: list[Refused] = field(default_factory=list)


def _entry(info: dict[str, Any]) -> Entry:
    path = str(info["name"]).rstrip("/")
    raw_type = info.get("type")
    kind: Kind
    if info.get("islink") or raw_type == "link":
        kind = "link"
    elif raw_type == "directory":
        kind = "dir"
    elif raw_type == "file":
        kind = "file"
    else:
        kind = "other"
    mtime = info.get("mtime", info.get("LastModified"))
    if isinstance(mtime, int | float):
        mtime = datetime.fromtimestamp(mtime, tz=UTC)
    elif isinstance(mtime, datetime) and mtime.tzinfo is None:
        mtime = mtime.replace(tzinfo=UTC)
    etag = info.get("ETag") or info.get("etag")
    return Entry(
        path=path,
        name=posixpath.basename(path),
        kind=kind,
        size=int(info.get("size") or 0),
        mtime=mtime if isinstance(mtime, datetime) else None,
        etag=str(etag).strip('"') if etag else None,
    )


def list_dir(fs: AbstractFileSystem, path: str) -> list[Entry]:
    """One level of ``path``, as entries; the folder itself (S3 returns it) left out."""
    own = path.rstrip("/")
    entries = [_entry(info) for info in fs.ls(path, detail=True)]
    return [e for e in entries if e.path != own]


class LayoutWalker:
    """Sorts a zone's entries; ``owner`` set means the root is that client's own folder.

    ``ignore`` names folders left alone at the top of the walk: client ids served by their
    own zone (shared root), or the zone's own outbox/archive/quarantine folders.
    """

    def __init__(
        self,
        root: Location,
        *,
        clients: Collection[str],
        ignore: Collection[str] = (),
        owner: str | None = None,
    ) -> None:
        self.root = root
        self.clients = frozenset(clients)
        self.ignore = frozenset(ignore)
        self.owner = owner

    def walk(self, fs: AbstractFileSystem) -> Listing:
        listing = Listing()
        if self.owner is not None:
            self._client_folder(fs, self.root.path, self.owner, listing)
            return listing
        for entry in self._visible(fs, self.root.path, None, None, listing):
            if entry.kind != "dir":
                self._refuse(
                    listing,
                    entry,
                    None,
                    None,
                    "files at the landing root cannot be "
                    "attributed to a client; drop into <client_id>/<doc_type>/",
                )
            elif entry.name in self.ignore:
                continue
            elif entry.name not in self.clients:
                self._refuse(
                    listing,
                    entry,
                    None,
                    None,
                    f"folder {printable(entry.name)!r} is not a configured client id",
                    is_dir=True,
                )
            else:
                self._client_folder(fs, entry.path, entry.name, listing)
        return listing

    def _client_folder(
        self, fs: AbstractFileSystem, path: str, client_id: str, listing: Listing
    ) -> None:
        for entry in self._visible(fs, path, client_id, None, listing):
            if self.owner is not None and entry.kind == "dir" and entry.name in self.ignore:
                continue  # the client's own outbox, archive or quarantine at its root
            if entry.kind != "dir":
                self._refuse(
                    listing,
                    entry,
                    client_id,
                    None,
                    f"file is not in a document folder; put it in one of {DOC_TYPES}",
                )
                continue
            try:
                doc_type = DocType(entry.name)
            except ValueError:
                self._refuse(
                    listing,
                    entry,
                    client_id,
                    None,
                    f"folder {printable(entry.name)!r} is not a document type; "
                    f"use one of {DOC_TYPES}",
                    is_dir=True,
                )
                continue
            self._doc_folder(fs, entry.path, client_id, doc_type, listing)

    def _doc_folder(
        self,
        fs: AbstractFileSystem,
        path: str,
        client_id: str,
        doc_type: DocType,
        listing: Listing,
    ) -> None:
        entries = self._visible(fs, path, client_id, doc_type, listing)
        names = {e.name for e in entries if e.kind == "file"}
        for entry in entries:
            if entry.kind == "dir":
                self._refuse(
                    listing,
                    entry,
                    client_id,
                    doc_type,
                    f"sub-folder {printable(entry.name)!r} below {doc_type.value}/ is "
                    f"not read; put files directly in {doc_type.value}/",
                    is_dir=True,
                )
            elif entry.kind != "file":
                self._refuse(
                    listing,
                    entry,
                    client_id,
                    doc_type,
                    "not a regular file (special files are not read)",
                )
            elif entry.name.endswith(DONE_SUFFIX) and entry.name[: -len(DONE_SUFFIX)] in names:
                marked = posixpath.join(path, entry.name[: -len(DONE_SUFFIX)])
                listing.markers[marked] = entry.path
            elif not entry.name.endswith(DONE_SUFFIX):
                listing.candidates.append(Candidate(client_id, doc_type, entry))
            # a marker whose file has not arrived yet waits for it

    def _visible(
        self,
        fs: AbstractFileSystem,
        path: str,
        client_id: str | None,
        doc_type: DocType | None,
        listing: Listing,
    ) -> list[Entry]:
        """Entries worth a decision: skips dot-files and partial uploads, refuses links and
        unsafe names (never descending into them)."""
        kept = []
        for entry in self._entries(fs, path):
            problem = name_problem(entry.name)
            if problem is None and is_skipped(entry.name):
                continue
            if problem is not None:
                self._refuse(
                    listing, entry, client_id, doc_type, problem, is_dir=entry.kind == "dir"
                )
            elif entry.kind == "link":
                self._refuse(
                    listing,
                    entry,
                    client_id,
                    doc_type,
                    "symbolic links are not followed; upload the file itself",
                )
            else:
                kept.append(entry)
        return kept

    def _entries(self, fs: AbstractFileSystem, path: str) -> Iterator[Entry]:
        try:
            entries = list_dir(fs, path)
        except FileNotFoundError:
            return  # an S3 prefix with nothing left, or a folder removed while we walk
        for entry in entries:
            if self.root.contains(entry.path):
                yield entry

    def _refuse(
        self,
        listing: Listing,
        entry: Entry,
        client_id: str | None,
        doc_type: DocType | None,
        reason: str,
        *,
        is_dir: bool = False,
    ) -> None:
        listing.refused.append(
            Refused(
                url=self.root.url_of(entry.path),
                client_id=client_id,
                reason=reason,
                path=entry.path,
                doc_type=doc_type,
                is_dir=is_dir,
                mtime=entry.mtime,
                etag=entry.etag,
                size=entry.size,
            )
        )
