"""The landing zone: where clients drop files and where we answer them.

One code path over fsspec for ``file://``, ``sftp://`` (sshfs) and ``s3://`` (s3fs). Entry points:
``LandingZone`` (scan, read, archive, quarantine), ``FsOutbox`` (staged, then published after the
commit: ``landing.publication``) and the receipts (``landing.answers``);
``zones_from_config`` builds the zones a ``bpo.toml`` describes.
"""

from landing.credentials import credentials_from_env
from landing.files import LandedFile, Refused
from landing.filesystems import HostKeyMismatchError
from landing.names import UnsafeNameError
from landing.outbox import FsOutbox
from landing.retry import RetryPolicy
from landing.sources import outbox_for, zones_from_config
from landing.zone import LandingZone

__all__ = [
    "FsOutbox",
    "HostKeyMismatchError",
    "LandedFile",
    "LandingZone",
    "Refused",
    "RetryPolicy",
    "UnsafeNameError",
    "credentials_from_env",
    "outbox_for",
    "zones_from_config",
]
