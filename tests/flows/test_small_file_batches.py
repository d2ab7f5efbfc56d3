"""How ingest groups small files, names their batch run and its state, and when ``bpo serve``'s
watcher starts an ingest run: plain functions, no Prefect run."""

from __future__ import annotations

import pytest

from flows.ingest import small_batches
from flows.small_files import batch_message, batch_run_name, batch_state_name
from flows.watch import Watcher
from landing.files import LandedFile, Refused
from schemas.config import LandingConfig
from schemas.doc_type import DocType
from schemas.outcome import FileOutcome, FileResult


def landed(name: str, size: int = 100, client: str = "acme", doc: str = "payroll") -> LandedFile:
    url = f"file:///zone/{client}/{doc}/{name}"
    return LandedFile(client, DocType(doc), name, size, url, url.removeprefix("file://"))


def result(name: str, status: FileOutcome, in_review: int = 0) -> FileResult:
    return FileResult(
        file_id=1,
        path=name,
        sha256="0" * 64,
        name=name,
        client_id="acme",
        doc_type=DocType.PAYROLL,
        status=status,
        records=3,
        completed=3 - in_review,
        in_review=in_review,
        rejected=0,
        outputs=(),
    )


def test_small_files_are_grouped_by_client_and_type_up_to_the_batch_size() -> None:
    landing = LandingConfig(small_file_bytes=1000, batch_max_files=2, batch_min_files=2)
    refused = Refused(url="file:///zone/x", client_id=None, reason="no client", path="/zone/x")
    items: list[LandedFile | Refused] = [
        landed("a.csv"),
        landed("big.csv", size=1001),
        landed("b.csv"),
        landed("c.csv"),
        landed("g.csv", client="globex"),
        landed("h.csv", client="globex"),
        landed("lone.xml", doc="claims"),
        refused,
    ]

    batches, singles = small_batches(items, landing)

    assert [[f.name for f in b] for b in batches] == [
        ["a.csv", "b.csv"],
        ["c.csv"],
        ["g.csv", "h.csv"],
        ["lone.xml"],  # too few to share a run: a run of its own, named for it
    ]
    # Too large, or refused: each answered on its own, after the batches.
    assert [s.name for s in singles] == ["big.csv", "x"]


def test_a_handful_of_small_files_get_a_run_each_and_a_burst_shares_runs() -> None:
    few = [landed(f"{i}.csv") for i in range(LandingConfig().batch_min_files - 1)]
    batches, _ = small_batches(list(few), LandingConfig())
    assert [len(b) for b in batches] == [1] * len(few)
    burst = [landed(f"{i}.csv") for i in range(250)]
    batches, _ = small_batches(list(burst), LandingConfig())
    assert [len(b) for b in batches] == [100, 100, 50]


def test_one_small_file_alone_is_a_batch_of_one_by_default() -> None:
    batches, singles = small_batches([landed("a.csv")], LandingConfig())
    assert ([[f.name for f in b] for b in batches], singles) == ([["a.csv"]], [])


@pytest.mark.parametrize(
    ("names", "expected"),
    [
        (["a.csv"], "acme/payroll/a.csv"),
        (["b.csv", "a.csv"], "acme/payroll/2 files: a.csv, b.csv"),
        (["d", "c", "b", "a", "e"], "acme/payroll/5 files: a, b, c ... e"),
    ],
)
def test_a_batch_run_is_named_for_its_files(names: list[str], expected: str) -> None:
    assert batch_run_name("acme", "payroll", names) == expected


def test_a_batch_state_is_the_outcome_that_most_needs_a_person() -> None:
    done = result("a", FileOutcome.PROCESSED)
    review = result("b", FileOutcome.PROCESSED, in_review=1)
    held = result("c", FileOutcome.QUARANTINED)
    dup = result("d", FileOutcome.DUPLICATE)
    assert batch_state_name([done, dup]) == "Completed"
    assert batch_state_name([dup]) == "Duplicate"
    assert batch_state_name([done, review, dup]) == "In review"
    assert batch_state_name([done, review, held]) == "Quarantined"
    assert batch_message([done, review, held, dup], failed=1, other=2) == (
        "7 files: 1 Quarantined, 1 In review, 1 Completed, 1 Duplicate, "
        "1 failed (left for the next poll), 2 taken elsewhere or refused"
    )


def test_the_watcher_runs_ingest_for_new_entries_and_retries_left_ones_later() -> None:
    watcher = Watcher(retry_after=60)
    assert not watcher.should_run(set(), now=0)
    assert watcher.should_run({"a"}, now=1)
    watcher.ran({"a"}, now=1)
    # The run left "a" where it was (a system failure): not again every half second...
    assert not watcher.should_run({"a"}, now=2)
    # ... but at once when something new waits, and after retry_after for "a" alone.
    assert watcher.should_run({"a", "b"}, now=3)
    assert watcher.should_run({"a"}, now=61)
    # A zone emptied and refilled with the same name is a new drop.
    watcher.ran({"a"}, now=62)
    assert not watcher.should_run(set(), now=63)
    assert watcher.should_run({"a"}, now=64)
