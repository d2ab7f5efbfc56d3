"""Frames in and out of the store: exact values, order, and the transaction's own writes."""

from __future__ import annotations

import datetime as dt

import polars as pl
from sqlalchemy import select as sa_select

from app.root import App
from store.bulk import insert_ignore, read_frame, read_int_columns
from store.db import transaction
from store.models import Client

SCHEMA: dict[str, pl.DataType] = {
    "id": pl.Int64(),
    "name": pl.String(),
    "currency": pl.String(),
    "created_at": pl.Datetime("us", "UTC"),
}
AWKWARD = ["plain", 'with "quotes"', "comma, inside", "line\nbreak", "", "naïve ünïcode"]


def test_read_frame_keeps_text_nulls_order_and_sees_uncommitted_rows(runtime: App) -> None:
    at = dt.datetime(2026, 3, 1, 12, 30, 15, 123456, tzinfo=dt.UTC)
    with transaction(runtime.engine) as session:
        session.add_all(
            Client(id=f"c{i}", name=name, currency="USD", created_at=at)
            for i, name in enumerate(AWKWARD)
        )
        session.flush()  # not committed: the read must still see these rows
        frame = read_frame(
            session,
            "SELECT id AS k, name, CASE WHEN id = 'c0' THEN NULL ELSE currency END AS currency,"
            " created_at FROM clients WHERE id LIKE :prefix ORDER BY id DESC",
            {"prefix": "c%"},
            {
                "k": pl.String(),
                "name": pl.String(),
                "currency": pl.String(),
                "created_at": SCHEMA["created_at"],
            },
        )
    assert frame.get_column("name").to_list() == AWKWARD[::-1]
    by_id = dict(zip(frame.get_column("k"), frame.get_column("currency"), strict=True))
    assert by_id["c0"] is None
    assert by_id["c1"] == "USD"
    assert set(frame.get_column("created_at").to_list()) == {at}


def test_insert_ignore_skips_rows_whose_key_exists(runtime: App) -> None:
    with transaction(runtime.engine) as session:
        session.add(Client(id="zz-a", name="Acme", currency="USD"))
    rows = pl.DataFrame({"id": ["zz-a", "zz-b"], "name": ["Again", "Beta"]})
    with transaction(runtime.engine) as session:
        inserted = insert_ignore(
            session, "clients", rows, {"currency": "EUR", "created_at": dt.datetime.now(dt.UTC)}
        )
    assert inserted == 1
    with transaction(runtime.engine) as session:
        frame = read_frame(
            session,
            "SELECT id, name, currency FROM clients WHERE id LIKE 'zz-%' ORDER BY id",
            {},
            {"id": pl.String(), "name": pl.String(), "currency": pl.String()},
        )
    assert frame.rows() == [("zz-a", "Acme", "USD"), ("zz-b", "Beta", "EUR")]


def test_read_int_columns_keeps_rows_aligned_and_nulls(runtime: App) -> None:
    rows = pl.DataFrame(
        {
            "id": [f"n{i:03d}" for i in range(250)],
            "name": [str(i * 7) for i in range(250)],
            "currency": [["USD", "EUR", "GBP"][i % 3] for i in range(250)],
        }
    )
    with transaction(runtime.engine) as session:
        insert_ignore(session, "clients", rows, {"created_at": dt.datetime.now(dt.UTC)})
        frame = read_int_columns(
            session,
            "(SELECT CAST(SUBSTR(id, 2) AS INTEGER) AS k, CAST(name AS INTEGER) AS seven,"
            " CASE WHEN currency = 'EUR' THEN NULL ELSE LENGTH(currency) END AS maybe,"
            " LENGTH(currency) + CASE currency WHEN 'USD' THEN 0 WHEN 'EUR' THEN 1 ELSE 2 END"
            " AS grp FROM clients WHERE id LIKE :prefix) AS t",
            {"prefix": "n%"},
            ["k", "seven", "maybe", "grp"],
            group="grp",
        )
    assert frame.schema == dict.fromkeys(["k", "seven", "maybe", "grp"], pl.Int64())
    got = sorted(frame.rows())
    assert got == [(i, i * 7, None if i % 3 == 1 else 3, 3 + i % 3) for i in range(250)]


def test_insert_ignore_keeps_awkward_text_exact_on_every_path(runtime: App) -> None:
    from store.files import register_file
    from store.models import Record

    texts = [*AWKWARD, "tab\tand \x01 control", "emoji 😀", 'back\\slash "q"']
    with transaction(runtime.engine) as session:
        file = register_file(
            session,
            client_id="acme",
            doc_type="payroll",
            name="awkward.csv",
            source="awkward.csv",
            sha256="a" * 64,
            size=1,
        ).file
        where = {"file_id": file.id, "client_id": "acme", "doc_type": "payroll"}
        n = len(texts)
        # Dense: index plus one varying column, sent as one flat JSON array.
        dense = pl.DataFrame({"record_index": range(n), "record_key": texts})
        assert (
            insert_ignore(
                session, "records", dense, {**where, "state": "completed"}, position="record_index"
            )
            == n
        )
        # Rows: several varying columns, bound row by row; the first n indexes already exist.
        rows = pl.DataFrame(
            {
                "record_index": range(n, 3 * n),
                "record_key": texts + texts,
                "state": ["in_review"] * (2 * n),
            }
        )
        assert (
            insert_ignore(
                session,
                "records",
                pl.concat([dense.with_columns(pl.lit("in_review").alias("state")), rows]),
                where,
            )
            == 2 * n
        )
        got = dict(
            session.execute(
                sa_select(Record.record_index, Record.record_key).where(Record.file_id == file.id)
            ).all()
        )
    assert [got[i] for i in range(3 * n)] == texts * 3


def test_read_int_columns_with_only_the_group_or_without_it(runtime: App) -> None:
    source = (
        "(SELECT 1 AS a, 10 AS b UNION ALL SELECT 2, NULL UNION ALL SELECT 3, 10"
        " UNION ALL SELECT 4, NULL) AS t"
    )
    with transaction(runtime.engine) as session:
        only_group = read_int_columns(session, source, {}, ["b"], group="b")
        without = read_int_columns(session, source, {}, ["a"], group="b")
    assert sorted(only_group.get_column("b").to_list(), key=str) == [10, 10, None, None]
    assert sorted(without.get_column("a").to_list()) == [1, 2, 3, 4]
