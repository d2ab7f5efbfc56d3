"""The landing zone: list complete files, read them, archive or quarantine them.

One class over ``file://``, ``sftp://`` and ``s3://``. A zone either serves the shared root
(``<root>/<client_id>/<doc_type>/<name>``, for the configured ``clients``) or, with ``owner``,
one client's own root (``<root>/<doc_type>/<name>``) reached with that client's credentials.
"""

from __future__ import annotations

import hashlib
import posixpath
import time
from collections.abc import Callable, Collection
from datetime import UTC, datetime
from pathlib import Path

from landing.failures import FailureLog
from landing.files import LandedFile, Refused
from landing.filesystems import open_filesystem
from landing.listing import LayoutWalker
from landing.names import UnsafeNameError, prefixed_name, printable, safe_segment
from landing.reads import read_local, read_sftp
from landing.retry import Connection, FilesystemFactory, RetryPolicy
from landing.stability import StabilityTracker
from landing.urls import Location, parse_location
from landing.writes import move, write_atomic
from schemas.landing_options import LandingCredentials

Clock = Callable[[], datetime]


def _utcnow() -> datetime:
    return datetime.now(UTC)


class LandingZone:
    """Files clients dropped under one root, and where they go once taken or refused.

    Args:
        root_url: the landing root (``file://``, ``sftp://user@host:port/path``, ``s3://b/p``).
        clients: configured client ids; another folder at the root is refused.
        ignore: client ids served by their own zone, whose folders here are left alone.
        owner: set when ``root_url`` is this client's own folder (no client level below it).
        credentials: for the root (and, unless ``archive_credentials`` says otherwise, for
            the archive and quarantine when they are on the same server).
        archive_url / quarantine_url: where taken / refused files move.
        state_path: JSON file keeping the previous listing between processes.
    """

    def __init__(
        self,
        root_url: str,
        *,
        archive_url: str,
        quarantine_url: str,
        clients: Collection[str] = (),
        ignore: Collection[str] = (),
        owner: str | None = None,
        credentials: LandingCredentials | None = None,
        archive_credentials: LandingCredentials | None = None,
        state_path: Path | None = None,
        base_dir: Path | None = None,
        retry: RetryPolicy | None = None,
        clock: Clock = _utcnow,
        filesystem_factory: FilesystemFactory = open_filesystem,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.root = parse_location(root_url, base_dir=base_dir)
        self.owner = owner
        self._clock = clock
        creds = credentials or LandingCredentials()
        store_creds = archive_credentials or creds
        policy = retry or RetryPolicy()
        connections: dict[tuple[object, ...], Connection] = {}

        def connect(location: Location, c: LandingCredentials) -> Connection:
            key = (*location.server(), c.model_dump_json())
            if key not in connections:
                connections[key] = Connection(
                    location, c, retry=policy, factory=filesystem_factory, sleep=sleep
                )
            return connections[key]

        self._root = connect(self.root, creds)
        self.archive_root = parse_location(archive_url, base_dir=base_dir)
        self.quarantine_root = parse_location(quarantine_url, base_dir=base_dir)
        self._archive = connect(self.archive_root, store_creds)
        self._quarantine = connect(self.quarantine_root, store_creds)
        self._walker = LayoutWalker(
            self.root,
            clients=set(clients) | ({owner} if owner else set()),
            ignore=ignore,
            owner=owner,
        )
        self._tracker = StabilityTracker(state_path)
        self._failures = FailureLog(
            None if state_path is None else state_path.with_name(f"{state_path.stem}.failures.json")
        )

    @property
    def url(self) -> str:
        return self.root.url

    @property
    def local(self) -> bool:
        """A folder of this machine (``file://``): reading it from several threads is safe."""
        return self.root.scheme == "file"

    def scan(self) -> list[LandedFile | Refused]:
        """Complete files (stable over two scans, or with a ``.done`` marker) and refusals.

        Files still changing are left for a later scan and not returned at all.
        """
        listing = self._root.call(self._walker.walk, what="list")
        signatures = {}
        files = []
        for cand in listing.candidates:
            e = cand.entry
            landed = LandedFile(
                client_id=cand.client_id,
                doc_type=cand.doc_type,
                name=e.name,
                size=e.size,
                url=self.root.url_of(e.path),
                path=e.path,
                mtime=e.mtime,
                etag=e.etag,
                marker_path=listing.markers.get(e.path),
            )
            signatures[landed.url] = (landed.size, landed.version)
            files.append(landed)
        stable = self._tracker.observe(signatures)
        ready: list[LandedFile | Refused] = [
            f for f in files if f.marker_path is not None or f.url in stable
        ]
        return [*ready, *listing.refused]

    def read(self, f: LandedFile, limit: int = -1) -> bytes:
        """The whole file (at most ``limit`` bytes when it is not negative: a file that grew
        past its budget since the listing is not read whole into memory), read without
        following a link swapped in since the listing (``landing.reads``); a connection
        dropped mid-download is retried from the start.

        Raises:
            UnsafeNameError: the path is not a file of the listed client's document folder.
            landing.reads.LinkRefusedError: the file, or a folder on its way, is a link now.
            FileNotFoundError: the file is gone (another ingest run took it).
        """
        self._check_owned(f)
        if self.root.scheme == "file":
            return self._root.call(
                lambda _fs: read_local(self.root.path, f.path, limit), what="read"
            )
        if self.root.scheme == "sftp":
            return self._root.call(lambda fs: read_sftp(fs, f.path, limit), what="read")
        end = None if limit < 0 else limit
        return self._root.call(lambda fs: bytes(fs.cat_file(f.path, end=end)), what="read")

    def record_failure(self, f: LandedFile, error: str) -> int:
        """Count a system failure of taking ``f``; return how many it has had."""
        return self._failures.record(f"{f.url}\n{f.version}", error)

    def forget_failures(self, f: LandedFile) -> None:
        self._failures.forget(f"{f.url}\n{f.version}")

    def archive(self, f: LandedFile, *, sha256: str | None = None) -> str:
        """Move a taken file (and its marker) to
        ``<archive>/<client_id>/<doc_type>/<yyyy>/<mm>/<sha256[:12]>-<name>``; return its URL.
        """
        self._check_owned(f)
        digest = sha256 or hashlib.sha256(self.read(f)).hexdigest()
        now = self._clock()
        dest = self.archive_root.child(
            f.client_id,
            f.doc_type.value,
            f"{now:%Y}",
            f"{now:%m}",
            prefixed_name(digest[:12], f.name),
        )
        move(self._root, f.path, self._archive, dest.path)
        if f.marker_path is not None:
            move(self._root, f.marker_path, self._archive, f"{dest.path}.done")
        return dest.url

    def quarantine(self, item: LandedFile | Refused, reason: str) -> str:
        """Move a file (or a refused folder) aside with ``<name>.reason.txt`` beside it.

        The destination is ``<quarantine>/<client_id>/<doc_type>/<yyyy>/<mm>/<stamp>-<name>``
        (``_unassigned`` / ``_unsorted`` when the client or doc type is not known); the name is
        made storable first, since refused names may hold control characters. The stamp comes
        from the entry (its modification time and a digest of its URL, version and size), not
        the clock, and the reason is written before the move: a move that fails half-way and is
        retried by the next poll lands on the same name, with its reason, instead of adding a
        copy per poll.
        """
        self._check_inside(item.path)
        now = self._clock()
        moment = item.mtime or now
        identity = f"{item.url}\n{item.version}\n{item.size}".encode("utf-8", "surrogateescape")
        stamp = f"{moment:%Y%m%dT%H%M%S%fZ}-{hashlib.sha256(identity).hexdigest()[:8]}"
        doc_type = item.doc_type.value if item.doc_type is not None else "_unsorted"
        dest = self.quarantine_root.child(
            item.client_id or "_unassigned",
            doc_type,
            f"{moment:%Y}",
            f"{moment:%m}",
            prefixed_name(stamp, safe_segment(item.name)),
        )
        note = (
            f"file: {printable(item.url)}\n"
            f"client: {item.client_id or '(not a configured client)'}\n"
            f"doc_type: {doc_type}\n"
            f"quarantined_at: {now.astimezone(UTC).isoformat()}\n"
            f"reason: {reason}\n"
        )
        write_atomic(self._quarantine, f"{dest.path}.reason.txt", note.encode("utf-8"))
        is_dir = isinstance(item, Refused) and item.is_dir
        move(self._root, item.path, self._quarantine, dest.path, recursive=is_dir)
        if item.marker_path is not None:
            move(self._root, item.marker_path, self._quarantine, f"{dest.path}.done")
        return dest.url

    def _check_owned(self, f: LandedFile) -> None:
        """Refuse a file that is not directly in its client's document folder of this zone:
        on S3 the key prefix is the whole of tenant isolation."""
        self._check_inside(f.path, strict=True)
        if self.owner is not None and f.client_id != self.owner:
            raise UnsafeNameError(f"{f.client_id!r} is not served by this zone ({self.root.url})")
        folder = (
            self.root.child(f.doc_type.value)
            if self.owner is not None
            else self.root.child(f.client_id, f.doc_type.value)
        )
        if posixpath.dirname(f.path) != folder.path or posixpath.basename(f.path) != f.name:
            raise UnsafeNameError(
                f"{printable(f.path)!r} is outside this landing zone ({self.root.url}): "
                f"not a file of {folder.url}"
            )

    def _check_inside(self, path: str, *, strict: bool = False) -> None:
        """Refuse paths outside the root; ``strict`` also refuses ``..`` segments (for files
        we read or archive; a refused ``..`` entry may still be quarantined as listed)."""
        climbs = ".." in path.split("/")
        if not self.root.contains(path) or (strict and climbs):
            raise UnsafeNameError(
                f"{printable(path)!r} is outside this landing zone ({self.root.url})"
            )
