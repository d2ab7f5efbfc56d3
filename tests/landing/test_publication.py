"""Publishing after commit with the staging folders removed on a thread of their own
(``landing.publication.deferred_discards``): every folder is gone at exit, and a token staged
into again meanwhile keeps what it staged."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import Engine

from landing.outbox import FsOutbox
from landing.publication import StagingOutbox, deferred_discards, publish_pending, record
from store.db import make_engine, migrate, transaction
from store.publication_models import PublicationOwner


def stage_and_commit(engine: Engine, outbox: FsOutbox, token: str, name: str) -> None:
    staging = StagingOutbox(outbox, token)
    staging.write(name, name.encode())
    with transaction(engine) as session:
        record(session, staging, owner=PublicationOwner.REFUSAL)


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_a_token_staged_into_again_keeps_its_output_while_its_folder_is_removed(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = make_engine(db_url)
    migrate(engine)
    outbox = FsOutbox(f"file://{tmp_path / 'outbox'}", "acme")
    removed_by: list[str] = []
    real = FsOutbox.discard

    def slow_discard(self: FsOutbox, token: str) -> None:
        removed_by.append(threading.current_thread().name)
        time.sleep(0.2)  # a busy file system: the second staging comes meanwhile
        real(self, token)

    monkeypatch.setattr(FsOutbox, "discard", slow_discard)
    with deferred_discards():
        stage_and_commit(engine, outbox, "file-1", "payroll/a.ach")
        assert publish_pending(engine, lambda _cid: outbox).published
        stage_and_commit(engine, outbox, "file-1", "receipts/a.json")
        time.sleep(0.4)  # the removal is over before the second publication
        second = publish_pending(engine, lambda _cid: outbox)
    engine.dispose()

    assert second.missing == []
    published = tmp_path / "outbox" / "acme"
    assert sorted(p.relative_to(published).as_posix() for p in published.rglob("*.*")) == [
        "payroll/a.ach",
        "receipts/a.json",
    ]
    assert not (tmp_path / "outbox" / ".staging" / "acme" / "file-1").exists()
    assert removed_by
    assert all(name.startswith("bpo-discards") for name in removed_by)
