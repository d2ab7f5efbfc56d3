"""One landing layout per scheme on real servers, for the parametrized tests: a folder, the
asyncssh SFTP and moto S3 test servers, and (skipped outside CI when absent) Debian's OpenSSH
sshd with internal-sftp in a chroot and SeaweedFS's S3 gateway."""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from pydantic import SecretStr

from schemas.landing_options import LandingCredentials
from tests.landing.landing_backends import Backend, new_sftp_user
from tests.real_servers import (
    SEAWEED_KEY_ID,
    SEAWEED_SECRET,
    OpenSshServer,
    SeaweedS3Server,
    openssh_server,
    seaweed_server,
)
from tests.servers import (
    S3_KEY_ID,
    S3_SECRET,
    S3Server,
    SftpServer,
    s3_bucket,
    s3_server,
    sftp_server,
)

__all__ = ["openssh_server", "s3_bucket", "s3_server", "seaweed_server", "sftp_server"]


@pytest.fixture(params=["file", "sftp", "s3", "sftp-openssh", "s3-seaweedfs"])
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Backend]:
    scheme = request.param
    if scheme == "sftp-openssh":
        sshd: OpenSshServer = request.getfixturevalue("openssh_server")
        folder = f"t-{uuid.uuid4().hex[:12]}"
        local = sshd.chroot / folder
        local.mkdir()
        creds = LandingCredentials(
            private_key=SecretStr(sshd.client_private_key), host_key=sshd.host_public_key
        )
        yield Backend("sftp", sshd.url(f"/{folder}"), creds, local=local)
        shutil.rmtree(local, ignore_errors=True)
    elif scheme == "s3-seaweedfs":
        weed: SeaweedS3Server = request.getfixturevalue("seaweed_server")
        bucket = weed.new_bucket()
        creds = LandingCredentials(
            aws_access_key_id=SEAWEED_KEY_ID,
            aws_secret_access_key=SecretStr(SEAWEED_SECRET),
            s3_endpoint_url=weed.endpoint_url,
        )
        yield Backend("s3", f"s3://{bucket}", creds, s3=weed.client(), bucket=bucket)
    elif scheme == "file":
        yield Backend("file", f"file://{tmp_path}", LandingCredentials(), local=tmp_path)
    elif scheme == "sftp":
        server: SftpServer = request.getfixturevalue("sftp_server")
        root = tmp_path / "chroot"
        user = new_sftp_user(server, root, password="s3cret-pw")
        creds = LandingCredentials(
            password=SecretStr("s3cret-pw"),
            host_key=server.host_public_key,
        )
        server.faults.drop_reads = 0
        server.faults.reads_dropped = 0
        yield Backend("sftp", server.url(user, "").rstrip("/"), creds, local=root, sftp=server)
    else:
        s3: S3Server = request.getfixturevalue("s3_server")
        bucket = s3.new_bucket()
        creds = LandingCredentials(
            aws_access_key_id=S3_KEY_ID,
            aws_secret_access_key=SecretStr(S3_SECRET),
            s3_endpoint_url=s3.endpoint_url,
        )
        yield Backend("s3", f"s3://{bucket}", creds, s3=s3.client(), bucket=bucket)
